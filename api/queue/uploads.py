"""Uploads on disk: one folder per batch, one state file per file, written by whoever owns it.

A batch (files sent together, from the web's Unggah page or `arsip ingest --queue`) is a folder
`<uploads>/<id>/` holding each file as it was sent (`001/<name>.pdf`, ...) and `status.json`
(who, when, the files, their page counts and job ids), written when the batch is submitted.
While a file is read, the job reading it writes `001.json` beside it (state, attempt, worker,
and at the end the outcome); only that job writes it, so workers on several machines never
rewrite one another's state.  The uploads folder lives in the data dir, which every worker
mounts.  Writes are whole or nothing (temp file, fsync, rename).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from archive.errors import BadInputError, NotFoundError

log = logging.getLogger(__name__)

STATUS_FILE = "status.json"
WAITING, WORKING, DONE = "menunggu", "diproses", "selesai"
BATCH_ID = re.compile(r"[0-9a-f]{16}")


@dataclass
class FileState:
    """One uploaded file: its name, where it waits, how far it is, and (when done) how it went."""

    name: str
    folder: str
    state: str = WAITING
    outcome: str | None = None
    message: str = ""
    document_id: int | None = None
    pages: int | None = None  # page count read at upload (None: not a readable PDF)
    job_id: int | None = None  # the queue's job reading it
    attempt: int = 0  # which try is (or was last) running
    worker: str | None = None  # host:pid of the worker reading it
    stage: str = ""  # what the worker is doing now, in words ("halaman 37/142")
    pages_done: int | None = None  # pages read so far while it is read


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
        """A batch as `status.json` holds it (unknown keys ignored)."""
        known = {f.name for f in fields(FileState)}
        files = [FileState(**{k: v for k, v in f.items() if k in known}) for f in data.get("files", [])]
        return cls(data["id"], data["created"], data.get("uploader"), files)


def safe_name(name: str | None) -> str:
    """The file's own name without folders (a browser may send a path), never empty."""
    base = Path((name or "").replace("\\", "/")).name.replace("\x00", "").strip()
    return base if base not in ("", ".", "..") else "berkas.pdf"


def worker_name() -> str:
    """This process as people find it: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def write_json(path: Path, data: Any) -> None:
    """Write JSON whole or not at all (temp file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    with tmp.open("w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=1)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)


def page_count(path: Path) -> int | None:
    """Pages of a PDF, cheaply (None when it cannot be read: triage will say why)."""
    try:
        from pypdf import PdfReader

        return len(PdfReader(path).pages)
    except Exception:  # a damaged or foreign file: the job refuses it with its reason
        return None


class UploadFolder:
    """The batches under `root`: saving them, and each file's state."""

    def __init__(self, root: Path, max_file_mb: float | None = None) -> None:
        self.root = root
        self.max_file_mb = max_file_mb  # a bigger file is refused as it is saved, never queued
        self.max_file_bytes = None if max_file_mb is None else int(max_file_mb * 1024 * 1024)

    # --- saving ----------------------------------------------------------------------------------
    def save(self, files: Iterable[tuple[str | None, BinaryIO]], uploader: str | None) -> Batch:
        """Save the files in a new batch folder (not queued yet); the batch as recorded."""
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
                state.message = (f"ditolak: {state.name}: melebihi batas {limit} MB per berkas; "
                                 f"pisahkan berkas menjadi bagian yang masing-masing ≤ {limit} MB, "
                                 "atau hubungi admin untuk menaikkan batasnya.")
            else:
                state.pages = page_count(target)
            batch.files.append(state)
        if not batch.files:
            raise BadInputError("Pilih sedikitnya satu berkas PDF untuk diunggah.")
        self.write_status(batch)
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

    def write_status(self, batch: Batch) -> None:
        """The batch's own record: who, when, which files (their outcome files hold the rest)."""
        write_json(self.root / batch.id / STATUS_FILE, asdict(batch))

    # --- each file's state -----------------------------------------------------------------------
    def path_of(self, batch: Batch, index: int) -> Path:
        """Where file `index` of `batch` waits."""
        f = batch.files[index]
        return self.root / batch.id / f.folder / f.name

    def write_file_state(self, batch_id: str, folder: str, **state: Any) -> None:
        """The state file of one file (`001.json`), written only by the job reading it."""
        write_json(self.root / batch_id / f"{folder}.json", state)

    def file_state(self, batch_id: str, folder: str) -> dict[str, Any] | None:
        """What the job reading a file last wrote (None: not started yet)."""
        path = self.root / batch_id / f"{folder}.json"
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            log.warning("%s: unreadable state (%s)", path, e)
            return None
        return data

    def remove_file(self, batch_id: str, folder: str) -> None:
        """Remove a read file (its original is in the store now, or it was refused)."""
        shutil.rmtree(self.root / batch_id / folder, ignore_errors=True)

    def remove_finished(self, keep_hours: float, keep_failed_hours: float,
                        now: float | None = None) -> int:
        """Remove batches whose every file has its outcome, `keep_hours` after their last
        change (`keep_failed_hours` when a file failed or was refused); how many were removed."""
        now = time.time() if now is None else now
        removed = 0
        for batch in self.batches():
            if batch.pending:
                continue
            folder = self.root / batch.id
            with contextlib.suppress(OSError):
                changed = max(p.stat().st_mtime for p in folder.glob("*.json"))
                failed = any(f.outcome in ("failed", "refused") for f in batch.files)
                if now - changed > 3600 * (keep_failed_hours if failed else keep_hours):
                    shutil.rmtree(folder)
                    removed += 1
        return removed

    # --- reading ---------------------------------------------------------------------------------
    def batch(self, batch_id: str) -> Batch:
        """One batch with each file's latest state; `NotFoundError` for an unknown id."""
        path = self.root / batch_id / STATUS_FILE
        if not BATCH_ID.fullmatch(batch_id) or not path.is_file():
            raise NotFoundError(f"Unggahan {batch_id!r} tidak ada; unggah berkasnya lagi di "
                                "halaman Unggah.")
        batch = Batch.from_json(json.loads(path.read_text(encoding="utf-8")))
        for f in batch.files:
            if f.state == DONE:
                continue
            state = self.file_state(batch.id, f.folder)
            for key, value in (state or {}).items():
                if hasattr(f, key):
                    setattr(f, key, value)
        return batch

    def batches(self) -> list[Batch]:
        """Every batch, newest first."""
        found = []
        for status in self.root.glob(f"*/{STATUS_FILE}"):
            try:
                found.append(self.batch(status.parent.name))
            except (NotFoundError, ValueError, KeyError, TypeError) as e:
                log.warning("%s: unreadable upload status (%s)", status, e)
        return sorted(found, key=lambda b: b.created, reverse=True)
