"""Real Chromium (Debian's `chromium`) driven by Playwright against `arsip serve`'s app in a thread."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from api.settings import Settings
from api.web import create_app
from api.web.state import WebState
from archive import accounts
from archive.audit import Actor
from tests.api.webutil import OFFICIAL, PASSWORD
from tests.conftest import REPO

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "tests" / "artifacts"
ROLES = ("admin", "arsiparis", "auditor", "staf")


def free_port() -> int:
    """A TCP port nobody listens on (127.0.0.1)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Served:
    """The app being served: its base URL and shared state."""

    url: str
    state: WebState


@contextmanager
def serving(app: Any) -> Iterator[Served]:
    """Serve `app` with uvicorn on 127.0.0.1 in a thread, as `arsip serve` does."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", app.state.arsip)
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    # Scans read at 300 DPI as before the resolution was chosen per page (ingest/textscale.py):
    # the desk's acceptance needs a field the machine doubted, and pk-sulut-1 read at its own
    # resolution (230 DPI) comes out right with every field confident, so nothing is marked.
    settings = Settings(data_dir=tmp_path_factory.mktemp("browser") / "data", ocr_dpi=300.0)
    app = create_app(settings)
    state: WebState = app.state.arsip
    with state.sessions.begin() as session:
        for role in ROLES:
            user = accounts.add_user(session, Actor("uji"), f"uji-{role}", role, PASSWORD)
            if role in ("admin", "staf"):
                accounts.set_profile(session, Actor("uji"), user, **OFFICIAL)
    with serving(app) as s:
        yield s


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Served]:
    """A new archive with no account yet (the first start after `install.sh`)."""
    with serving(create_app(Settings(data_dir=tmp_path / "data"))) as s:
        yield s


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).is_file() and not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (scripts/install.sh --dev)")
    # Opening an archive points TMPDIR at its scratch folder (archive/scratch.py); Chromium's
    # singleton socket path must stay short, so the browser and its driver get a temp dir of
    # their own under /tmp.
    short = tempfile.mkdtemp(prefix="arsip-chromium-", dir="/tmp")
    saved = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"], tempfile.tempdir = short, short
    try:
        with playwright.sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                                  env={**os.environ, "TMPDIR": short})
            yield b
            b.close()
    finally:
        if saved[0] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved[0]
        tempfile.tempdir = saved[1]
        shutil.rmtree(short, ignore_errors=True)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    p = context.new_page()
    yield p
    context.close()


def artifact(name: str) -> Path:
    """Where a screenshot goes (tests/artifacts/, not committed)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name
