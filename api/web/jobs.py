"""Uploads read in the background: one worker thread, one file at a time, state kept on disk.

An upload (a batch of files) is a folder `<data dir>/uploads/<id>/` holding each file as it was
sent (`001/<name>.pdf`, ...) and `status.json`, rewritten atomically after every change.  The
worker hands each file to `api.wiring.ingest_one` (the code `arsip ingest` runs) and deletes it
once its outcome is written: the original is then in the archive's store, or it was refused.

When the server stops, files still waiting stay in their folder; `resume()` (at the next start)
queues again every file without an outcome, including the one that was being read.  A file whose
rows were committed just before the stop then comes out as `sudah diarsipkan` (the pipeline's
duplicate check), so nothing is stored twice and nothing is lost.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from api.wiring import FileOutcome
from archive.errors import BadInputError, NotFoundError

log = logging.getLogger(__name__)

STATUS_FILE = "status.json"
WAITING, WORKING, DONE = "menunggu", "diproses", "selesai"
_BATCH_ID = re.compile(r"[0-9a-f]{16}")

# path of the saved file, the name the user gave it, who uploaded it -> how it went
Work = Callable[[Path, str, str | None], FileOutcome]


@dataclass
class FileState:
    """One uploaded file: its name, where it waits, and (when done) how it went."""

    name: str
    folder: str
    state: str = WAITING
    outcome: str | None = None
    message: str = ""
    document_id: int | None = None


@dataclass
class Batch:
    """One upload of one or more files."""

    id: str
    created: str
    uploader: str | None = None
    files: list[FileState] = field(default_factory=list)

    @property
    def pending(self) -> int:
        """Files still waiting or being read."""
        return sum(1 for f in self.files if f.state != DONE)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Batch:
        """A batch as `status.json` holds it."""
        files = [FileState(**f) for f in data.get("files", [])]
        return cls(data["id"], data["created"], data.get("uploader"), files)


def safe_name(name: str | None) -> str:
    """The file's own name without folders (a browser may send a path), never empty."""
    base = Path((name or "").replace("\\", "/")).name.replace("\x00", "").strip()
    return base if base not in ("", ".", "..") else "berkas.pdf"


class UploadQueue:
    """Saves uploads under `root` and reads them, one file at a time, in a worker thread."""

    def __init__(self, root: Path, work: Work, max_file_mb: float | None = None) -> None:
        self.root = root
        self.work = work
        self.max_file_mb = max_file_mb  # a bigger file is refused as it is saved, never queued
        self.max_file_bytes = None if max_file_mb is None else int(max_file_mb * 1024 * 1024)
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    # --- submitting ----------------------------------------------------------------------------
    def submit(self, files: Iterable[tuple[str | None, BinaryIO]], uploader: str | None) -> Batch:
        """Save the files in a new batch folder and queue them; the batch as recorded."""
        batch = Batch(secrets.token_hex(8), datetime.now(UTC).isoformat(timespec="seconds"),
                      uploader or None)
        folder = self.root / batch.id
        for n, (name, stream) in enumerate(files, 1):
            state = FileState(safe_name(name), f"{n:03d}")
            target = folder / state.folder / state.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if not self._save_file(stream, target):
                shutil.rmtree(target.parent, ignore_errors=True)
                limit = f"{self.max_file_mb:g}".replace(".", ",")  # as Indonesian writes it
                state.state, state.outcome = DONE, "refused"
                state.message = (f"ditolak: {state.name}: melebihi batas {limit} MB (pengaturan "
                                 "ARSIP_MAX_FILE_MB); pecah dokumennya atau naikkan batas itu.")
            batch.files.append(state)
        if not batch.files:
            raise BadInputError("Pilih sedikitnya satu berkas PDF untuk diunggah.")
        self._save(batch)
        self._queue(batch)
        log.info("upload %s: %d files queued", batch.id, len(batch.files))
        return batch

    def _save_file(self, stream: BinaryIO, target: Path) -> bool:
        """Copy an uploaded file to `target`; False (stopped early) when it is over the size limit."""
        written = 0
        with target.open("wb") as out:
            while chunk := stream.read(1 << 20):
                written += len(chunk)
                if self.max_file_bytes is not None and written > self.max_file_bytes:
                    return False
                out.write(chunk)
        return True

    def resume(self) -> int:
        """Queue again every saved file without an outcome (after a stop); how many."""
        queued = 0
        for batch in self.batches():
            if batch.pending:
                for f in batch.files:
                    if f.state == WORKING:
                        f.state = WAITING
                self._save(batch)
                self._queue(batch)
                queued += batch.pending
        if queued:
            log.warning("%d uploaded files not read before the last stop: reading them now", queued)
        return queued

    def _queue(self, batch: Batch) -> None:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="arsip-unggah")
            pool = self._pool
        for index, f in enumerate(batch.files):
            if f.state != DONE:
                pool.submit(self._run, batch.id, index)

    # --- reading ---------------------------------------------------------------------------------
    def batch(self, batch_id: str) -> Batch:
        """One batch's state; `NotFoundError` for an unknown id."""
        path = self.root / batch_id / STATUS_FILE
        if not _BATCH_ID.fullmatch(batch_id) or not path.is_file():
            raise NotFoundError(f"Unggahan {batch_id!r} tidak ada; unggah berkasnya lagi di "
                                "halaman Unggah.")
        with self._lock:
            return Batch.from_json(json.loads(path.read_text(encoding="utf-8")))

    def batches(self) -> list[Batch]:
        """Every batch, newest first."""
        found = []
        for status in self.root.glob(f"*/{STATUS_FILE}"):
            try:
                found.append(self.batch(status.parent.name))
            except (NotFoundError, ValueError, KeyError, TypeError) as e:
                log.warning("%s: unreadable upload status (%s)", status, e)
        return sorted(found, key=lambda b: b.created, reverse=True)

    # --- the worker ------------------------------------------------------------------------------
    def _run(self, batch_id: str, index: int) -> None:
        batch = self._update(batch_id, index, state=WORKING)
        f = batch.files[index]
        path = self.root / batch_id / f.folder / f.name
        if not path.is_file():  # read and removed already (two processes on one data dir)
            self._update(batch_id, index, state=DONE, outcome="failed",
                         message="gagal: berkas unggahan sudah tidak ada; unggah ulang.")
            return
        try:
            done = self.work(path, f.name, batch.uploader)
        except Exception as e:  # ingest_one catches everything; this only guards the worker
            log.exception("upload %s: %s", batch_id, f.name)
            done = FileOutcome("failed", f"gagal: kesalahan program ({e.__class__.__name__}: {e})", 1)
        self._update(batch_id, index, state=DONE, outcome=done.outcome, message=done.message,
                     document_id=done.document_id)
        shutil.rmtree(path.parent, ignore_errors=True)

    def _update(self, batch_id: str, index: int, **changes: Any) -> Batch:
        batch = self.batch(batch_id)
        for key, value in changes.items():
            setattr(batch.files[index], key, value)
        self._save(batch)
        return batch

    def _save(self, batch: Batch) -> None:
        """Write `status.json` whole or not at all (temp file, fsync, rename)."""
        folder = self.root / batch.id
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{STATUS_FILE}.{threading.get_ident()}"
        with self._lock:
            with tmp.open("w", encoding="utf-8") as out:
                json.dump(asdict(batch), out, ensure_ascii=False, indent=1)
                out.flush()
                os.fsync(out.fileno())
            tmp.replace(folder / STATUS_FILE)

    def stop(self) -> None:
        """Drop the waiting work (it stays on disk for `resume`); the file being read finishes."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def wait(self) -> None:
        """Block until every queued file is done (tests, and an orderly stop)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
