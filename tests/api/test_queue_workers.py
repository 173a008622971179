"""The queue across processes: workers killed in mid-job, every file archived exactly once.

- two `arsip worker` processes against one PostgreSQL; one SIGKILLed while it reads a file;
- the embedded default (SQLite, the worker inside `arsip serve`), `arsip serve` SIGKILLed and
  started again; half the files uploaded through the web, half queued by `arsip ingest --queue`.
"""

from __future__ import annotations

import os
import socket
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from archive.db import scratch_database
from tests.api.queue_flow import (
    all_done,
    arsip,
    assert_archived_once,
    env,
    file_states,
    kill_in_mid_job,
    make_pdfs,
    start,
    stop,
    wait_until,
)
from tests.api.webutil import PASSWORD, csrf_of

pytestmark = pytest.mark.slow
COUNT = 20


@pytest.fixture
def pg_url() -> Iterator[str]:
    server = os.environ.get("ARSIP_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("ARSIP_TEST_POSTGRES_URL not set (scripts/test.sh starts a server)")
    with scratch_database(server, "arsip_antrian") as url:
        yield url


def _killed_and_retried(killed: dict[str, object], uploads: Path) -> dict[str, object]:
    """The killed file's final state: read again by another try, with an outcome."""
    final = next(s for s in file_states(uploads)
                 if s["batch"] == killed["batch"] and s["file"] == killed["file"])
    assert final["state"] == "selesai" and int(str(final["attempt"])) >= 2, final
    return final


@pytest.mark.postgres
def test_two_workers_on_postgresql_one_killed_in_mid_job(tmp_path: Path, pg_url: str) -> None:
    pdfs = make_pdfs(tmp_path / "masuk", COUNT, long_every=6)
    data = tmp_path / "data"
    uploads = data / "uploads"
    e = env(data, pg_url)
    arsip(["ingest", "--queue", str(tmp_path / "masuk")], e)
    a = start(["worker"], e, tmp_path / "a.log")
    b = start(["worker"], e, tmp_path / "b.log")
    try:
        killed = kill_in_mid_job(a, uploads, a.pid)
        wait_until(lambda: all_done(uploads, COUNT), 150, "every file read")
    finally:
        stop(a)
        stop(b)
    final = _killed_and_retried(killed, uploads)
    assert str(final["worker"]).endswith(f":{b.pid}")
    assert_archived_once(pg_url, pdfs, uploads)
    assert "semua cocok" in arsip(["check"], e).stdout
    jobs = arsip(["jobs"], e).stdout
    assert f"{COUNT} selesai" in jobs and "0 menunggu, 0 diproses" in jobs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serving(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/unggah", timeout=1) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def _log_in(browser: httpx.Client, environ: dict[str, str]) -> None:
    """Make an account with `arsip user add` and log in through the login page, as a person does."""
    arsip(["user", "add", "petugas", "--role", "arsiparis"], environ, input=PASSWORD + "\n")
    form = browser.get("/masuk").text
    r = browser.post("/masuk", data={"nama": "petugas", "sandi": PASSWORD, "lanjut": "/",
                                     "csrf": csrf_of(form)})
    assert r.status_code == 200
    browser.headers["x-csrf-token"] = csrf_of(browser.get("/profil").text)


def test_embedded_serve_killed_and_started_again(tmp_path: Path) -> None:
    pdfs = make_pdfs(tmp_path / "masuk", COUNT, long_every=6)
    data = tmp_path / "data"
    uploads = data / "uploads"
    e = env(data)
    port = _free_port()
    web, cli = pdfs[: COUNT // 2], pdfs[COUNT // 2:]
    arsip(["ingest", "--queue", *map(str, cli)], e)  # queued with no server running
    serve = start(["serve", "--port", str(port)], e, tmp_path / "serve.log")
    again = None
    try:
        killed = kill_in_mid_job(serve, uploads, serve.pid)  # as soon as it reads one
        again = start(["serve", "--port", str(port)], e, tmp_path / "serve.log")
        wait_until(lambda: _serving(port), 60, "arsip serve to answer")
        with ExitStack() as stack, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60,
                                                follow_redirects=True) as browser:
            _log_in(browser, e)
            files = [("berkas", (p.name, stack.enter_context(p.open("rb")), "application/pdf"))
                     for p in web]
            r = browser.post("/unggah", files=files)
            assert r.status_code == 200 and "Status unggahan" in r.text, r.text
            wait_until(lambda: all_done(uploads, COUNT), 150, "every file read after the restart")
            assert "masih menunggu" not in browser.get(str(r.url)).text
    finally:
        stop(serve)
        if again is not None:
            stop(again)
    final = _killed_and_retried(killed, uploads)
    assert again is not None and str(final["worker"]).endswith(f":{again.pid}")
    assert_archived_once(f"sqlite:///{data / 'arsip.db'}", pdfs, uploads)
    assert "semua cocok" in arsip(["check"], e).stdout
    jobs = arsip(["jobs", "--semua"], e).stdout
    assert f"pekerjaan: 0 menunggu, 0 diproses, {COUNT} selesai" in jobs, jobs
    assert jobs.count(f"{COUNT // 2}/{COUNT // 2} selesai") == 2  # the web's batch and the CLI's
