"""Uploads read as jobs of the queue (`api.queue`): what the web app calls.

`UploadQueue.submit` saves a batch under `<data dir>/uploads/<id>/` (`api.queue.uploads`) and
queues one job per file (`api.queue.engine`); any worker reads them: the one `arsip serve` runs
(ARSIP_SERVE_WORKER) or `arsip worker` processes on this or other machines.  `batch` and
`batches` give each file's state: waiting, being read (which try, which worker), or its outcome.

A stop loses nothing: the jobs are in the queue's storage, and a job cut short by a killed
worker is put back once its heartbeat is stale.  `resume()` (at start) queues files of batches
that were saved but not yet queued, including uploads left by the earlier in-process reader.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from api.queue.uploads import (
    DONE,
    STATUS_FILE,
    WAITING,
    WORKING,
    Batch,
    FileState,
    UploadFolder,
    safe_name,
)

if TYPE_CHECKING:
    from api.queue.engine import JobQueue

__all__ = ["DONE", "STATUS_FILE", "WAITING", "WORKING", "Batch", "FileState", "UploadQueue",
           "safe_name"]

log = logging.getLogger(__name__)


class UploadQueue:
    """Saves uploads under `root` and queues one job per file on `queue`."""

    def __init__(self, root: Path, queue: JobQueue | None, max_file_mb: float | None = None) -> None:
        self.root = root
        self.folder = UploadFolder(root, max_file_mb)
        self.queue = queue
        self.max_file_mb = max_file_mb

    # --- submitting ----------------------------------------------------------------------------
    def submit(self, files: Iterable[tuple[str | None, BinaryIO]], uploader: str | None) -> Batch:
        """Save the files in a new batch folder and queue them; the batch as recorded."""
        batch = self.folder.save(files, uploader)
        if self.queue is not None:
            self.queue.enqueue(batch)
        log.info("upload %s: %d files queued", batch.id, len(batch.files))
        return batch

    def resume(self) -> int:
        """Queue files saved but never queued (a stop in between, or an older version); how many."""
        if self.queue is None:
            return 0
        queued = 0
        for batch in self.folder.batches():
            waiting = [f for f in batch.files if f.state != DONE and f.job_id is not None]
            known = self.queue.statuses([f.job_id for f in waiting if f.job_id is not None])
            for f in waiting:
                if f.job_id not in known:  # its queue was lost (a power cut, a removed antrian.db)
                    f.job_id = None
            if any(f.state != DONE and f.job_id is None for f in batch.files):
                for f in batch.files:  # the earlier reader's states mean nothing to the queue
                    if f.state != DONE:
                        f.state = WAITING
                queued += self.queue.enqueue(batch)
        if queued:
            log.warning("%d uploaded files were not queued before the last stop: queued now", queued)
        return queued

    # --- reading ---------------------------------------------------------------------------------
    def batch(self, batch_id: str) -> Batch:
        """One batch's state; `NotFoundError` for an unknown id."""
        batch = self.folder.batch(batch_id)
        self._live(batch)
        return batch

    def batches(self) -> list[Batch]:
        """Every batch, newest first."""
        found = self.folder.batches()
        for batch in found:
            self._live(batch)
        return found

    def _live(self, batch: Batch) -> None:
        """Files not done take the queue's word: waiting (again, after a cut try) or being read."""
        if self.queue is None:
            return
        pending = [f for f in batch.files if f.state != DONE and f.job_id is not None]
        if not pending:
            return
        statuses = self.queue.statuses([f.job_id for f in pending if f.job_id is not None])
        for f in pending:
            status = statuses.get(f.job_id or 0)
            if status == "todo":
                if f.attempt:  # a try was cut short or failed: the next one waits
                    f.stage = f"menunggu percobaan ke-{f.attempt + 1}"
                f.state = WAITING
            elif status == "doing":
                f.state = WORKING

    # --- stopping --------------------------------------------------------------------------------
    def stop(self) -> None:
        """Nothing to drop: waiting files stay queued in the queue's storage."""

    def wait(self, timeout: float = 120.0) -> None:
        """Block until every file of every batch has an outcome (tests, and an orderly stop)."""
        deadline = time.monotonic() + timeout
        while any(b.pending for b in self.batches()):
            if time.monotonic() > deadline:
                raise TimeoutError("uploads still pending")
            time.sleep(0.2)
