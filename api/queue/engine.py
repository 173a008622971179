"""Ingestion as jobs on procrastinate: one job per uploaded file, read by any number of workers.

Storage follows the archive's database: on PostgreSQL (ARSIP_DATABASE_URL) the jobs live in
procrastinate's own tables in that database, so every `arsip worker` on any machine that reaches
it takes part; on the SQLite default they live in `<data dir>/antrian.db` through
`api.queue.sqlite_connector` and `arsip serve` runs the worker itself.

What the engine gives, in both modes:
- a job is taken by one worker (`fetch_job`, highest priority first: fewer pages first, and
  files of at most ARSIP_QUEUE_SMALL_PAGES pages in queue `kecil`, the rest in `besar`, so a
  worker that serves only `kecil` is never stuck behind a long scan);
- a worker sends a heartbeat every ARSIP_WORKER_HEARTBEAT seconds; a job whose worker has been
  silent for ARSIP_WORKER_STALLED_AFTER seconds (killed, machine gone) is put back by any live
  worker (`get_stalled_jobs` + `retry_job`, procrastinate's documented recovery), with one more
  attempt counted;
- a file whose reading fails (an error, or its worker dying) is tried ARSIP_QUEUE_TRIES times,
  then fails with its reason and the queue goes on.
Running a job twice is harmless: the pipeline finds a file already archived by its SHA-256.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import procrastinate
from procrastinate import JobContext, RetryStrategy
from procrastinate.jobs import Status

from api.queue import cleanup
from api.queue.uploads import DONE, WORKING, Batch, UploadFolder, worker_name

if TYPE_CHECKING:
    from api.settings import Settings
    from api.wiring import FileOutcome
    from ingest.extract import Progress

log = logging.getLogger(__name__)

TASK_NAME = "arsip.baca_berkas"
SMALL, LARGE = "kecil", "besar"
QUEUES = (SMALL, LARGE)
_SCHEMA_LOCK = 0x61727369  # pg_advisory_lock key while procrastinate's tables are created


class FileFailed(Exception):
    """Reading a file failed in a way another try may fix; procrastinate retries the job."""


# --- the engine ----------------------------------------------------------------------------------
def is_postgres(settings: Settings) -> bool:
    """True when the archive (and so the queue) is on PostgreSQL."""
    return settings.resolved_database_url.startswith("postgresql")


def conninfo(database_url: str) -> str:
    """A libpq connection string from the SQLAlchemy URL of ARSIP_DATABASE_URL."""
    from psycopg.conninfo import make_conninfo
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    parts: dict[str, Any] = {"host": url.host, "port": url.port, "user": url.username,
                             "password": url.password, "dbname": url.database}
    for key, value in url.query.items():
        parts[key] = value if isinstance(value, str) else value[-1]
    return make_conninfo(**{k: v for k, v in parts.items() if v not in (None, "")})


def make_app(settings: Settings) -> procrastinate.App:
    """procrastinate's App on the archive's storage, with the ingest task registered."""
    if is_postgres(settings):
        connector: Any = procrastinate.PsycopgConnector(
            conninfo=conninfo(settings.resolved_database_url), min_size=1, max_size=3)
    else:
        from api.queue.sqlite_connector import SQLiteConnector

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        connector = SQLiteConnector(settings.data_dir / "antrian.db")
    app = procrastinate.App(connector=connector)
    # procrastinate's max_attempts counts the retries after the first run
    retry = RetryStrategy(max_attempts=max(settings.queue_tries - 1, 0), wait=1,
                          retry_exceptions={FileFailed})
    app.task(name=TASK_NAME, pass_context=True, retry=retry, queue=SMALL)(_read_file_job)
    cleanup.register(app)
    return app


def ensure_schema(settings: Settings) -> None:
    """Create procrastinate's tables in PostgreSQL once (an advisory lock serialises starters)."""
    if not is_postgres(settings):
        return  # the SQLite connector creates its tables on first use
    import psycopg
    from procrastinate.schema import SchemaManager

    with psycopg.connect(conninfo(settings.resolved_database_url), autocommit=True) as con:
        con.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            row = con.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if row is None or row[0] is None:
                log.info("creating procrastinate's tables")
                con.execute(SchemaManager.get_schema())
        finally:
            con.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


def lanes_for(queues: Sequence[str]) -> list[list[str]]:
    """The extra lanes of a worker serving `queues`: one for `kecil` only when it also serves
    `besar`, so a small file never waits for a long scan that worker is reading."""
    return [[SMALL]] if SMALL in queues and LARGE in queues else []


def queue_for(pages: int | None, settings: Settings) -> tuple[str, int]:
    """(queue, priority) of a file: fewer pages go first; long ones wait in `besar`."""
    n = pages or 1
    return (SMALL if n <= settings.queue_small_pages else LARGE), -min(n, 100000)


# --- the job ---------------------------------------------------------------------------------
@dataclass
class Reader:
    """What a worker needs to read one uploaded file into the archive."""

    settings: Settings
    uploads: UploadFolder
    # path, name, uploader, progress (pages read, pages of the file) -> outcome
    ingest: Callable[[Path, str, str | None, Progress], FileOutcome]
    name: str = ""

    def read(self, batch_id: str, index: int, attempt: int) -> str:
        """Read file `index` of a batch (try number `attempt`); its outcome key."""
        batch = self.uploads.batch(batch_id)
        f = batch.files[index]
        if f.state == DONE:  # a retry after a kill that came once the outcome was written
            self.uploads.remove_file(batch_id, f.folder)
            return f.outcome or "done"
        path = self.uploads.path_of(batch, index)
        common = dict(attempt=attempt, worker=self.name or worker_name(), pages=f.pages)
        if not path.is_file():
            self._finish(batch, index, "failed", "gagal: berkas unggahan sudah tidak ada; unggah "
                         "ulang.", None, common)
            return "failed"
        started = time.time()
        self.uploads.write_file_state(batch_id, f.folder, state=WORKING, stage=_stage(f.pages),
                                      started=started, **common)
        progress = PageProgress(self.uploads, batch_id, f.folder, dict(common, started=started))
        done = self.ingest(path, f.name, batch.uploader, progress)
        if done.outcome == "failed" and attempt < self.settings.queue_tries:
            self.uploads.write_file_state(batch_id, f.folder, state=WORKING, message=done.message,
                                          stage=f"percobaan {attempt} gagal; dicoba lagi", **common)
            raise FileFailed(done.message)
        self._finish(batch, index, done.outcome, done.message, done.document_id, common)
        if done.outcome == "failed":
            raise FileFailed(done.message)  # the job ends failed, as its file did
        return done.outcome

    def give_up(self, batch_id: str, index: int, attempts: int) -> None:
        """A file whose worker died on it `attempts` times: failed, with that reason."""
        batch = self.uploads.batch(batch_id)
        message = (f"gagal: pekerja berhenti saat membaca berkas ini {attempts} kali (kehabisan "
                   "memori atau dimatikan); periksa berkasnya, lalu unggah ulang.")
        self._finish(batch, index, "failed", message, None,
                     dict(attempt=attempts, worker=None, pages=batch.files[index].pages))

    def _finish(self, batch: Batch, index: int, outcome: str, message: str,
                document_id: int | None, common: dict[str, Any]) -> None:
        folder = batch.files[index].folder
        self.uploads.write_file_state(batch.id, folder, state=DONE, outcome=outcome,
                                      message=message, document_id=document_id, stage="", **common)
        self.uploads.remove_file(batch.id, folder)


def _stage(pages: int | None) -> str:
    return f"membaca {pages} halaman" if pages else "membaca"


@dataclass
class PageProgress:
    """The extraction's progress hook: writes "halaman 37/142" into the file's state file.

    Told after the text layer and after each OCR'd page; writes at most every
    `PROGRESS_EVERY` seconds (and always the last page), so a fast born-digital file costs one
    write and a long scan one small file write per page read.
    """

    uploads: UploadFolder
    batch_id: str
    folder: str
    common: dict[str, Any]
    written: float = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.written < PROGRESS_EVERY:
            return
        self.written = now
        stage = f"halaman {done}/{total}" if done < total else f"{total} halaman dibaca; menyimpan"
        self.uploads.write_file_state(self.batch_id, self.folder, state=WORKING, stage=stage,
                                      pages_done=done, **self.common)


PROGRESS_EVERY = 1.0  # seconds between two progress writes of one file


def _read_file_job(context: JobContext, batch: str, index: int) -> str:
    reader: Reader = context.additional_context["reader"]
    return reader.read(batch, index, context.job.attempts + 1)


# --- enqueueing and looking ----------------------------------------------------------------------
class JobQueue:
    """The queue as the web app and the command line see it: enqueue batches, read job states."""

    def __init__(self, settings: Settings, uploads: UploadFolder) -> None:
        self.settings = settings
        self.uploads = uploads
        ensure_schema(settings)
        self.app = make_app(settings)
        self.app.open()
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the queue's connections."""
        self.app.close()

    def enqueue(self, batch: Batch) -> int:
        """Queue every file of `batch` without a job yet (status.json records the job ids)."""
        queued = 0
        with self._lock:
            for index, f in enumerate(batch.files):
                if f.state == DONE or f.job_id is not None:
                    continue
                queue, priority = queue_for(f.pages, self.settings)
                f.job_id = self.app.configure_task(
                    TASK_NAME, queue=queue, priority=priority,
                    queueing_lock=f"{batch.id}/{f.folder}").defer(batch=batch.id, index=index)
                queued += 1
            self.uploads.write_status(batch)
        return queued

    def statuses(self, job_ids: Sequence[int]) -> dict[int, str]:
        """procrastinate's status (todo, doing, succeeded, failed) of each job."""
        found = {}
        for job_id in job_ids:
            for job in self.app.job_manager.list_jobs(id=job_id):
                found[job_id] = str(getattr(job.status, "value", job.status))
        return found

    def counts(self) -> dict[str, int]:
        """How many jobs of the ingest task are in each status (todo, doing, succeeded, ...)."""
        totals: dict[str, int] = {}
        for queue in self.app.job_manager.list_queues(task=TASK_NAME):
            for status in ("todo", "doing", "succeeded", "failed", "cancelled", "aborted"):
                totals[status] = totals.get(status, 0) + int(queue.get(status) or 0)
        return totals

    def jobs(self, status: str | None = None) -> list[Any]:
        """Every job the queue holds (optionally of one status), oldest first."""
        return list(self.app.job_manager.list_jobs(task=TASK_NAME, status=status))


# --- the worker ------------------------------------------------------------------------------
@dataclass
class WorkerOptions:
    """How one worker process runs: its queues and how many files it reads at once."""

    queues: Sequence[str] = QUEUES
    concurrency: int = 1
    install_signal_handlers: bool = True
    lanes: Sequence[Sequence[str]] = ()  # extra workers in the same process (e.g. only `kecil`)


class Worker:
    """procrastinate workers in one asyncio loop, plus the recovery of stalled jobs."""

    def __init__(self, settings: Settings, reader: Reader, options: WorkerOptions) -> None:
        self.settings = settings
        self.reader = reader
        self.options = options
        self._loop: asyncio.AbstractEventLoop | None = None
        self._workers: list[Any] = []
        self._stop = threading.Event()

    def run(self) -> None:
        """Run until stopped (SIGINT/SIGTERM when signal handlers are installed, or `stop()`)."""
        ensure_schema(self.settings)
        asyncio.run(self._main())

    def stop(self) -> None:
        """Ask the workers to finish the job in hand and stop (from any thread)."""
        self._stop.set()
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop has ended already
            loop.call_soon_threadsafe(self._stop_workers)

    def _stop_workers(self) -> None:
        for w in self._workers:
            w.stop()

    async def _main(self) -> None:
        """Run the workers; should they end on an error (the database away), start them again."""
        self._loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            try:
                await self._run_once()
            except Exception:
                log.exception("queue worker stopped on an error; starting again in 5 s")
            if not self._stop.is_set():
                await asyncio.sleep(5)

    async def _run_once(self) -> None:
        from procrastinate.worker import Worker as ProcrastinateWorker

        app = make_app(self.settings)
        s = self.settings
        common = dict(concurrency=self.options.concurrency, wait=True,
                      fetch_job_polling_interval=5.0 if is_postgres(s) else 0.5,
                      update_heartbeat_interval=s.worker_heartbeat,
                      stalled_worker_timeout=s.worker_stalled_after,
                      listen_notify=is_postgres(s),
                      additional_context={"reader": self.reader},
                      delete_jobs="never")
        async with app.open_async():
            # every worker also serves the hourly cleanup (queue `rawat`, api.queue.cleanup)
            lanes = [[*self.options.queues, cleanup.MAINTENANCE],
                     *[list(q) for q in self.options.lanes]]
            self._workers = [ProcrastinateWorker(
                app=app, queues=queues, name=f"{self.reader.name}#{n}",
                install_signal_handlers=self.options.install_signal_handlers and n == 0,
                **common) for n, queues in enumerate(lanes)]  # type: ignore[arg-type]
            if self._stop.is_set():
                return
            recovery = asyncio.create_task(self._recover(app))
            runs = [asyncio.create_task(w.run()) for w in self._workers]
            try:
                await asyncio.wait(runs, return_when=asyncio.FIRST_COMPLETED)
                if not any(r.done() and r.exception() for r in runs):
                    self._stop.set()  # a clean end: a signal (SIGINT/SIGTERM) or stop()
                self._stop_workers()
                for r in await asyncio.gather(*runs, return_exceptions=True):
                    if isinstance(r, Exception):
                        raise r
            finally:
                recovery.cancel()

    async def _recover(self, app: procrastinate.App) -> None:
        """Put back the jobs of workers silent too long; fail them after ARSIP_QUEUE_TRIES."""
        s = self.settings
        while True:
            try:
                await self.recover_once(app)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away for a moment: try again next round
                log.warning("stalled-job recovery failed", exc_info=True)
            await asyncio.sleep(max(s.worker_heartbeat, 0.5))

    async def recover_once(self, app: procrastinate.App) -> int:
        """One round of recovery; how many jobs were put back or failed."""
        s = self.settings
        stalled = await app.job_manager.get_stalled_jobs(
            task_name=TASK_NAME, seconds_since_heartbeat=s.worker_stalled_after)
        handled = 0
        for job in stalled:
            attempts = job.attempts + 1  # the run that was cut short
            try:
                if attempts >= s.queue_tries:
                    kwargs = job.task_kwargs
                    await asyncio.to_thread(self.reader.give_up, str(kwargs["batch"]),
                                            int(kwargs["index"]), attempts)  # type: ignore[arg-type]
                    await app.job_manager.finish_job(job, Status.FAILED, delete_job=False)
                else:
                    await app.job_manager.retry_job(job)
            except Exception as e:  # another worker recovered it first
                log.info("job %s: already recovered (%s)", job.id, e)
                continue
            log.warning("job %s (%s): its worker stopped answering; %s", job.id, job.task_kwargs,
                        "failed" if attempts >= s.queue_tries else f"try {attempts + 1} queued")
            handled += 1
        return handled


def file_reader(settings: Settings, uploads: UploadFolder,
                on_recorded: Callable[[int], None] | None = None) -> Reader:
    """A Reader that archives files exactly as `arsip ingest` does (its own sessions and store)."""
    from api.wiring import index_updater, ingest_one, ingest_options, open_archive
    from archive.store import FileStore

    sessions = open_archive(settings)
    store = FileStore(settings.files_dir)
    hook = on_recorded or index_updater(settings, sessions)

    def ingest(path: Path, name: str, uploader: str | None, progress: Progress) -> FileOutcome:
        options = ingest_options(settings, uploader=uploader, on_recorded=hook,
                                 source_filename=name, progress=progress)
        return ingest_one(path, sessions, store, options)

    return Reader(settings, uploads, ingest, worker_name())
