"""The queue in one process: priorities, a poisoned file, the recovery of a dead worker's job."""

from __future__ import annotations

import asyncio
import io
import threading
import time
from pathlib import Path

import pytest

from api.queue.engine import LARGE, SMALL, JobQueue, Reader, Worker, WorkerOptions, make_app
from api.queue.sqlite_connector import SQLiteConnector
from api.queue.uploads import DONE, UploadFolder
from api.settings import Settings
from api.web.jobs import UploadQueue
from api.wiring import FileOutcome


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=None, worker_heartbeat=0.2,
                    worker_stalled_after=1, queue_tries=3, queue_small_pages=10)


def submit_pages(settings: Settings, *pages: int) -> tuple[UploadQueue, JobQueue, str]:
    """Files of these page counts uploaded and queued (nothing read yet): uploads, queue, batch id."""
    root = settings.data_dir / "uploads"
    queue = JobQueue(settings, UploadFolder(root))
    uploads = UploadQueue(root, None)
    batch = uploads.submit([(f"{n}.pdf", io.BytesIO(f"{n}".encode())) for n in range(len(pages))], "uji")
    for f, n in zip(batch.files, pages, strict=True):
        f.pages = n  # as page_count would have read them
    queue.enqueue(batch)
    return UploadQueue(root, queue), queue, batch.id


def test_short_files_go_first_and_long_ones_wait_in_their_own_queue(settings: Settings) -> None:
    _, queue, _ = submit_pages(settings, 120, 3, 40, 1)
    try:
        jobs = {j.task_kwargs["index"]: j for j in queue.jobs()}
        assert [jobs[i].queue for i in range(4)] == [LARGE, SMALL, LARGE, SMALL]
        connector = SQLiteConnector(settings.data_dir / "antrian.db")
        worker = connector.register_worker_one()["worker_id"]
        order = [connector.fetch_job_one(None, worker)["args"]["index"] for _ in range(4)]
        assert order == [3, 1, 2, 0]  # fewer pages first, whatever the upload order
        assert connector.fetch_job_one(None, worker) == {"id": None}
        assert connector.fetch_job_one([SMALL], worker) == {"id": None}
    finally:
        queue.close()


def _run(settings: Settings, reader: Reader, uploads: UploadQueue) -> None:
    worker = Worker(settings, reader, WorkerOptions(install_signal_handlers=False))
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        uploads.wait(60)
    finally:
        worker.stop()
        thread.join(30)


def test_a_poisoned_file_fails_after_its_tries_and_never_blocks_the_queue(settings: Settings) -> None:
    uploads, queue, batch_id = submit_pages(settings, 1, 1, 1)
    tries: dict[str, int] = {}

    def ingest(path: Path, name: str, uploader: str | None, progress: object) -> FileOutcome:
        tries[name] = tries.get(name, 0) + 1
        if name == "0.pdf":
            return FileOutcome("failed", "gagal: kesalahan program (ValueError: rusak)", 1)
        return FileOutcome("new_document", f"dokumen baru ({name})")

    try:
        _run(settings, Reader(settings, uploads.folder, ingest, "uji"), uploads)
        files = uploads.batch(batch_id).files
        statuses = {j.task_kwargs["index"]: str(j.status) for j in queue.jobs()}
    finally:
        queue.close()
    assert tries == {"0.pdf": 3, "1.pdf": 1, "2.pdf": 1}
    assert [f.state for f in files] == [DONE] * 3
    assert files[0].outcome == "failed" and "ValueError: rusak" in files[0].message
    assert files[0].attempt == 3 and files[1].outcome == "new_document"
    assert statuses == {0: "failed", 1: "succeeded", 2: "succeeded"}


@pytest.mark.parametrize("attempts_before", [0, 2])
def test_a_dead_workers_job_is_put_back_or_failed_after_its_tries(settings: Settings,
                                                                  attempts_before: int) -> None:
    uploads, queue, batch_id = submit_pages(settings, 1)
    connector = SQLiteConnector(settings.data_dir / "antrian.db")
    dead = connector.register_worker_one()["worker_id"]
    job = connector.fetch_job_one(None, dead)
    with connector._tx() as con:  # the dead worker's earlier tries, and its last heartbeat long ago
        con.execute("UPDATE procrastinate_jobs SET attempts = ?", (attempts_before,))
        con.execute("UPDATE procrastinate_workers SET last_heartbeat = ?", (time.time() - 60,))
    reader = Reader(settings, uploads.folder, lambda *a: FileOutcome("duplicate", "-"), "uji")
    worker = Worker(settings, reader, WorkerOptions())

    async def recover() -> int:
        app = make_app(settings)
        async with app.open_async():
            return await worker.recover_once(app)

    try:
        assert asyncio.run(recover()) == 1
        assert asyncio.run(recover()) == 0  # handled once
        row = queue.jobs()[0]
        f = uploads.batch(batch_id).files[0]
    finally:
        queue.close()
    assert row.id == job["id"] and row.attempts == attempts_before + 1
    if attempts_before == 0:
        assert str(row.status) == "todo" and f.state != DONE
    else:
        assert str(row.status) == "failed" and f.outcome == "failed"
        assert "pekerja berhenti saat membaca berkas ini 3 kali" in f.message


def test_a_job_run_again_after_its_outcome_was_written_reads_nothing(settings: Settings) -> None:
    """Killed after writing the outcome but before telling the queue: the next try only tidies up."""
    uploads, queue, batch_id = submit_pages(settings, 1)
    queue.close()
    folder = uploads.folder
    f = folder.batch(batch_id).files[0]
    folder.write_file_state(batch_id, f.folder, state=DONE, outcome="new_document",
                            message="dokumen baru #7", document_id=7, attempt=1)
    read: list[str] = []
    reader = Reader(settings, folder, lambda p, n, u, g: read.append(n) or FileOutcome("duplicate", "-"),
                    "uji")
    assert reader.read(batch_id, 0, attempt=2) == "new_document"
    assert read == [] and not (folder.root / batch_id / f.folder).exists()
    assert folder.batch(batch_id).files[0].document_id == 7
