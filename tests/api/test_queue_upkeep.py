"""The queue's upkeep: finished jobs and uploads removed after their retention (SQLite and
PostgreSQL), progress per page written while a file is read, and a worker's small-file lane."""

from __future__ import annotations

import io
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from api.cli import cli
from api.queue.cleanup import CLEANUP_TASK, MAINTENANCE, clean_now
from api.queue.engine import (
    QUEUES,
    JobQueue,
    Reader,
    Worker,
    WorkerOptions,
    conninfo,
    lanes_for,
    make_app,
)
from api.queue.sqlite_connector import SQLiteConnector
from api.queue.uploads import DONE, UploadFolder
from api.settings import Settings
from api.wiring import FileOutcome
from archive.db import scratch_database
from ingest.extract import Progress
from tests.api.test_queue import submit_pages

HOUR = 3600.0


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=None, worker_heartbeat=0.2,
                    worker_stalled_after=1, queue_keep_hours=24, queue_keep_failed_days=7)


@pytest.fixture
def pg_settings(tmp_path: Path) -> Iterator[Settings]:
    server = os.environ.get("ARSIP_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("ARSIP_TEST_POSTGRES_URL not set (scripts/test.sh starts a server)")
    with scratch_database(server, "arsip_antrian") as url:
        yield Settings(data_dir=tmp_path / "data", database_url=url, queue_keep_hours=24,
                       queue_keep_failed_days=7)


def _finished_jobs(queue: JobQueue, statuses: list[str]) -> list[int]:
    """One job per status, each taken and finished as a worker would."""
    app = queue.app
    sync = app.connector.get_sync_connector()
    ids = []
    for n, status in enumerate(statuses):
        job_id = app.configure_task("arsip.baca_berkas", queue="kecil").defer(batch=f"b{n}", index=0)
        ids.append(job_id)
        if status == "todo":
            continue
        worker = sync.execute_query_one(_query("register_worker"))["worker_id"]
        job = sync.execute_query_one(_query("fetch_job"), queues=None,
                                                          worker_id=worker)
        assert job["id"] == job_id
        sync.execute_query(_query("finish_job"), job_id=job_id,
                                                status=status, delete_job=False)
    return ids


def _query(name: str) -> str:
    from procrastinate import sql

    return sql.queries[name]


def _age(settings: Settings, ages: dict[int, float]) -> None:
    """Make each job's last change `ages[id]` hours old, as the storage records it."""
    if settings.database_url:
        with psycopg.connect(conninfo(settings.database_url), autocommit=True) as con:
            for job_id, hours in ages.items():
                con.execute("UPDATE procrastinate_events SET at = now() - make_interval(secs => %s) "
                            "WHERE job_id = %s", (hours * HOUR, job_id))
        return
    con = SQLiteConnector(settings.data_dir / "antrian.db")
    with con._tx() as db:
        for job_id, hours in ages.items():
            db.execute("UPDATE procrastinate_jobs SET updated_at = ? WHERE id = ?",
                       (time.time() - hours * HOUR, job_id))


def _uploads(settings: Settings) -> tuple[UploadFolder, dict[str, str]]:
    """Four finished batches (two with a failed file, old and recent) and one still pending."""
    folder = UploadFolder(settings.data_dir / "uploads")
    made = {}
    for key, outcome, hours in (("lama", "new_document", 30), ("baru", "new_document", 2),
                                ("gagal-lama", "failed", 8 * 24), ("gagal-baru", "failed", 30),
                                ("menunggu", None, 30)):
        batch = folder.save([(f"{key}.pdf", io.BytesIO(b"%PDF-1.4"))], "uji")
        made[key] = batch.id
        f = batch.files[0]
        if outcome:
            folder.write_file_state(batch.id, f.folder, state=DONE, outcome=outcome, message=key)
        old = time.time() - hours * HOUR
        for path in (folder.root / batch.id).glob("*.json"):
            os.utime(path, (old, old))
    return folder, made


def _cleanup_keeps_recent_and_failed(settings: Settings) -> None:
    folder, batches = _uploads(settings)
    queue = JobQueue(settings, folder)
    try:
        ids = _finished_jobs(queue, ["succeeded", "succeeded", "failed", "failed", "todo"])
        old_ok, new_ok, old_failed, new_failed, waiting = ids
        _age(settings, {old_ok: 30, new_ok: 2, old_failed: 8 * 24, new_failed: 30, waiting: 30})
        done = clean_now(settings, folder)
        left = {j.id: str(j.status) for j in queue.app.job_manager.list_jobs()}
    finally:
        queue.close()
    assert left == {new_ok: "succeeded", new_failed: "failed", waiting: "todo"}
    assert done.jobs == {"succeeded": 1, "failed": 1, "cancelled": 0, "aborted": 0}
    kept = {key for key, batch_id in batches.items() if (folder.root / batch_id).exists()}
    assert kept == {"baru", "gagal-baru", "menunggu"} and done.uploads == 2
    assert "pekerjaan 1 failed, 1 succeeded; unggahan 2" in done.summary()


def test_cleanup_on_sqlite_keeps_recent_and_failed(settings: Settings) -> None:
    _cleanup_keeps_recent_and_failed(settings)


@pytest.mark.postgres
def test_cleanup_on_postgresql_keeps_recent_and_failed(pg_settings: Settings) -> None:
    _cleanup_keeps_recent_and_failed(pg_settings)


def test_cleanup_is_a_periodic_job_every_worker_serves(settings: Settings) -> None:
    app = make_app(settings)
    periodic = [t for t in app.periodic_registry.periodic_tasks.values()]
    assert [(p.task.name, p.task.queue, p.cron) for p in periodic] == [(CLEANUP_TASK, MAINTENANCE, "7 * * * *")]
    # the SQLite connector keeps the periodic deferrer's promise: one job per schedule time
    connector = SQLiteConnector(settings.data_dir / "antrian.db")
    first = connector.defer_periodic_job_one(MAINTENANCE, CLEANUP_TASK, 0, {"timestamp": 60}, 60,
                                             None, None, "bersihkan")
    again = connector.defer_periodic_job_one(MAINTENANCE, CLEANUP_TASK, 0, {"timestamp": 60}, 60,
                                             None, None, "bersihkan")
    assert first["id"] is not None and again == {"id": None}


def test_arsip_jobs_bersihkan(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, batches = _uploads(settings)
    monkeypatch.setenv("ARSIP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ARSIP_QUEUE_KEEP_HOURS", "24")
    monkeypatch.setenv("ARSIP_QUEUE_KEEP_FAILED_DAYS", "7")
    result = CliRunner().invoke(cli, ["jobs", "--bersihkan", "--semua"])
    assert result.exit_code == 0, result.output
    assert "dihapus: pekerjaan 0; unggahan 2" in result.output
    assert not (folder.root / batches["lama"]).exists() and (folder.root / batches["baru"]).exists()


# --- progress --------------------------------------------------------------------------------
def test_progress_per_page_is_visible_while_a_file_is_read(settings: Settings) -> None:
    """Each page the extraction reports shows in the file's state, `arsip jobs` and the API model."""
    uploads, queue, batch_id = submit_pages(settings, 4)
    seen: list[tuple[str, Any]] = []

    def ingest(path: Path, name: str, uploader: str | None, progress: Progress) -> FileOutcome:
        for done in range(5):
            progress(done, 4)
            f = uploads.folder.batch(batch_id).files[0]  # as the worker wrote it
            seen.append((f.stage, f.pages_done))
        return FileOutcome("new_document", "dokumen baru #1")

    queue.close()
    reader = Reader(settings, uploads.folder, ingest, "uji")
    import api.queue.engine as engine

    engine.PROGRESS_EVERY, every = 0.0, engine.PROGRESS_EVERY
    try:
        assert reader.read(batch_id, 0, attempt=1) == "new_document"
    finally:
        engine.PROGRESS_EVERY = every
    assert seen == [("halaman 0/4", 0), ("halaman 1/4", 1), ("halaman 2/4", 2), ("halaman 3/4", 3),
                    ("4 halaman dibaca; menyimpan", 4)]


def test_progress_writes_are_throttled_but_the_last_page_always_shows(settings: Settings) -> None:
    uploads, queue, batch_id = submit_pages(settings, 100)
    queue.close()
    writes: list[dict[str, Any]] = []
    folder = uploads.folder
    write = folder.write_file_state
    folder.write_file_state = lambda b, f, **state: writes.append(state) or write(b, f, **state)  # type: ignore[method-assign]

    def ingest(path: Path, name: str, uploader: str | None, progress: Progress) -> FileOutcome:
        for done in range(101):
            progress(done, 100)
        return FileOutcome("new_document", "dokumen baru #1")

    Reader(settings, folder, ingest, "uji").read(batch_id, 0, attempt=1)
    pages = [w["pages_done"] for w in writes if "pages_done" in w]
    assert pages[0] == 0 and pages[-1] == 100 and len(pages) < 10


def test_arsip_jobs_shows_the_page_being_read(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    uploads, queue, batch_id = submit_pages(settings, 142)
    queue.close()
    connector = SQLiteConnector(settings.data_dir / "antrian.db")  # a worker has taken the job
    connector.fetch_job_one(None, connector.register_worker_one()["worker_id"])
    f = uploads.batch(batch_id).files[0]
    uploads.folder.write_file_state(batch_id, f.folder, state="diproses", stage="halaman 37/142",
                                    pages_done=37, attempt=1, worker="mesin:12", pages=142)
    monkeypatch.setenv("ARSIP_DATA_DIR", str(settings.data_dir))
    out = CliRunner().invoke(cli, ["jobs"]).output
    assert "0.pdf, 142 hlm: diproses: halaman 37/142, percobaan 1" in out
    data = json.loads(CliRunner().invoke(cli, ["jobs", "--json"]).output)
    assert data["uploads"][0]["files"][0]["pages_done"] == 37


# --- one worker, a long scan and small files ------------------------------------------------------
def test_one_worker_reads_small_files_while_a_long_scan_is_read(settings: Settings) -> None:
    """A worker serving both queues has a second lane for `kecil`: small files queued after a long
    scan was taken are read while that scan is still being read."""
    uploads, queue, batch_id = submit_pages(settings, 142)
    release = threading.Event()
    order: list[str] = []

    def ingest(path: Path, name: str, uploader: str | None, progress: Progress) -> FileOutcome:
        order.append(f"mulai {name}")
        if name == "0.pdf":  # the long scan: read until the small files are done
            assert release.wait(60)
        order.append(f"selesai {name}")
        return FileOutcome("new_document", f"dokumen baru ({name})")

    assert lanes_for(QUEUES) == [["kecil"]]
    worker = Worker(settings, Reader(settings, uploads.folder, ingest, "uji"),
                    WorkerOptions(queues=QUEUES, install_signal_handlers=False, lanes=lanes_for(QUEUES)))
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while "mulai 0.pdf" not in order and time.monotonic() < deadline:
            time.sleep(0.05)
        small = uploads.submit([(f"kecil{n}.pdf", io.BytesIO(b"x")) for n in range(3)], "uji")
        deadline = time.monotonic() + 30
        while uploads.batch(small.id).pending and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not uploads.batch(small.id).pending
        assert uploads.batch(batch_id).pending == 1  # the long scan is still being read
        release.set()
        uploads.wait(30)
    finally:
        release.set()
        worker.stop()
        thread.join(30)
        queue.close()
    assert order[0] == "mulai 0.pdf" and order[-1] == "selesai 0.pdf"
