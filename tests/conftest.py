"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import backend

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout (CI has it); tests that need it skip without it."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared is not beside the checkout")
    return SHARED


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    """The shared sample corpus with ground truth."""
    return shared_dir / "corpus"


@pytest.fixture(scope="session")
def real_dir(shared_dir: Path) -> Path:
    """The real published documents with hand-made ground truth."""
    return shared_dir / "real"


@pytest.fixture(autouse=True)
def own_temp_dir() -> Iterator[None]:
    """A command run in-process (CliRunner, TestClient) points `tempfile` and TMPDIR at its data
    dir's scratch folder (`archive.scratch.start`), as a real process does for itself; here the
    next test must not inherit that, so both are put back after each test."""
    import os
    import tempfile

    before = tempfile.tempdir, os.environ.get("TMPDIR")
    yield
    tempfile.tempdir = before[0]
    if before[1] is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = before[1]


@pytest.fixture(autouse=True)
def archive_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """On the PostgreSQL pass, `Settings` without a database URL opens a scratch PostgreSQL database.

    (In place of `<data dir>/arsip.db`; the same path always gives the same database within a
    test, and `tests.backend.database_url` agrees, so a test can open what the CLI wrote.)
    """
    if backend.on_postgres():
        from api.settings import Settings

        def resolved(self: Settings) -> str:
            return self.database_url or backend.database_url(self.data_dir / "arsip.db")

        monkeypatch.setattr(Settings, "resolved_database_url", property(resolved))
    yield
    backend.drop_all()


_ENGINE_PARAMS = {"sqlite", "postgres", "postgresql"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL pass runs the `archive_db` tests, less those that already pick their engine."""
    if not backend.on_postgres():
        return
    keep, drop = [], []
    for item in items:
        params = set(item.callspec.id.split("-")) if hasattr(item, "callspec") else set()
        pinned = params & _ENGINE_PARAMS or item.get_closest_marker("sqlite_only")
        (keep if item.get_closest_marker("archive_db") and not pinned else drop).append(item)
    config.hook.pytest_deselected(items=drop)
    items[:] = keep
