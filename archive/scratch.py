"""Temp files in one place: `<data dir>/tmp/`, one folder per running process, cleaned at start.

Everything a command writes before it is final lives there: the store's incoming files (renamed
into `files/` once fsynced), the pipeline's `arsip-*` folders (the searchable copy being made),
and Tesseract's own temp files (TMPDIR points there, inherited by the OCR workers).  Each folder
holds a lock for as long as its process (or a worker it forked) lives, so any start can tell a
dead process's leftovers from a live one's and remove only those.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

SCRATCH_DIR = "tmp"
_NEW = ".new-"  # a folder being set up (not locked yet): left alone unless old
_STALE_SECONDS = 3600
_mine: dict[Path, tuple[Path, BinaryIO, int]] = {}


def start(data_dir: Path) -> Path:
    """At the start of a command or the web app: clean dead processes' leftovers, then give this
    process its own scratch folder and point `tempfile` and TMPDIR (Tesseract, workers) at it."""
    removed = clean(data_dir)
    if removed:
        log.info("removed %d temp folder(s) left by stopped processes", removed)
    mine = process_dir(data_dir)
    tempfile.tempdir = str(mine)
    os.environ["TMPDIR"] = str(mine)
    return mine


def process_dir(data_dir: Path) -> Path:
    """This process's scratch folder under `<data dir>/tmp` (created and locked on first use)."""
    root = Path(data_dir).resolve() / SCRATCH_DIR
    held = _mine.get(root)
    if held is not None and held[2] == os.getpid() and held[0].is_dir():
        return held[0]
    for key, (folder, lock, _pid) in list(_mine.items()):  # data dirs removed meanwhile (tests)
        if not folder.is_dir():
            lock.close()
            del _mine[key]
    root.mkdir(parents=True, exist_ok=True)
    setting_up = Path(tempfile.mkdtemp(prefix=_NEW, dir=root))
    lock = (setting_up / ".lock").open("a+b")
    fcntl.flock(lock, fcntl.LOCK_EX)
    final = root / f"p{os.getpid()}-{setting_up.name.removeprefix(_NEW)}"
    setting_up.rename(final)  # the lock (an open file) moves with it
    _mine[root] = (final, lock, os.getpid())
    if len(_mine) == 1:
        atexit.register(_remove_mine)
    return final


def _remove_mine() -> None:
    """At a normal exit: this process's folders go (a killed one's go at the next start)."""
    for folder, lock, pid in list(_mine.values()):
        if pid == os.getpid():
            shutil.rmtree(folder, ignore_errors=True)
            lock.close()
    _mine.clear()


def clean(data_dir: Path) -> int:
    """Remove the scratch folders of processes that no longer run; returns how many."""
    root = Path(data_dir).resolve() / SCRATCH_DIR
    if not root.is_dir():
        return 0
    mine = _mine.get(root)
    removed = 0
    for entry in root.iterdir():
        if mine is not None and entry == mine[0]:
            continue
        if entry.name.startswith(_NEW) and time.time() - _mtime(entry) < _STALE_SECONDS:
            continue
        if _abandoned(entry):
            _remove(entry)
            removed += 1
    _clean_store_leftovers(Path(data_dir) / "files")
    return removed


def _abandoned(entry: Path) -> bool:
    if not entry.is_dir() or entry.name.startswith(_NEW):
        return True
    try:
        with (entry / ".lock").open("a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
    except BlockingIOError:
        return False  # its process (or a worker of it) still runs
    except FileNotFoundError:
        return False  # removed by another process meanwhile


def _remove(entry: Path) -> None:
    if entry.is_dir():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)


def _clean_store_leftovers(files: Path) -> None:
    """Incoming files an older version wrote inside the store itself, when they are old."""
    for stray in files.glob("??/.incoming-*"):
        if time.time() - _mtime(stray) > _STALE_SECONDS:
            stray.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return time.time()


@contextlib.contextmanager
def scratch_dir(data_dir: Path, prefix: str = "arsip-") -> Iterator[Path]:
    """A temp folder inside this process's scratch folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix, dir=process_dir(data_dir)) as tmp:
        yield Path(tmp)
