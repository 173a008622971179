"""Storage faults in the user's words: a read-only or full disk, a missing permission.

The file system and SQLite report these as `OSError` or as a driver error wrapped by SQLAlchemy;
`storage_fault` turns them into a `StorageError` whose message says what happened and what to do,
so every command and page shows that instead of a traceback.  Anything else gives None (a bug,
to be reported as one).
"""

from __future__ import annotations

import errno
from pathlib import Path

from archive.errors import StorageError

_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_FULL = {errno.ENOSPC, errno.EDQUOT}
_SQLITE_READ_ONLY = ("readonly database", "unable to open database file", "read-only file system")
_SQLITE_FULL = ("database or disk is full", "disk is full")
_SQLITE_IO = ("disk i/o error",)

READ_ONLY_ADVICE = ("berikan izin tulis pada folder itu kepada pengguna yang menjalankan arsip "
                    "(atau pasang ulang disknya dengan izin tulis), lalu ulangi perintahnya")
FULL_ADVICE = ("kosongkan ruang disk (atau pindahkan folder data arsip ke disk yang lebih lega; "
               "hubungi admin server), lalu ulangi; tidak ada yang tersimpan setengah jalan")


def storage_fault(error: BaseException, data_dir: Path | None = None) -> StorageError | None:
    """The `StorageError` for a read-only, full or failing disk behind `error`; None otherwise."""
    if isinstance(error, StorageError):
        return error
    where = f" {data_dir}" if data_dir else ""
    number = _errno(error)
    text = _driver_text(error)
    if number in _FULL or any(s in text for s in _SQLITE_FULL):
        return StorageError(f"Disk penyimpanan arsip{where} penuh; {FULL_ADVICE}.")
    if number in _READ_ONLY or any(s in text for s in _SQLITE_READ_ONLY):
        target = data_dir or getattr(error, "filename", None) or "folder data"
        return StorageError(f"Folder data arsip tidak dapat ditulis ({target}: hanya-baca atau "
                            f"tanpa izin tulis); {READ_ONLY_ADVICE}.")
    if number == errno.EIO or any(s in text for s in _SQLITE_IO):
        return StorageError(f"Disk penyimpanan arsip{where} gagal dibaca atau ditulis (galat I/O); "
                            "periksa disknya (dmesg, SMART), lalu jalankan `arsip check`.")
    return None


def _errno(error: BaseException) -> int | None:
    for candidate in (error, error.__cause__, error.__context__):
        if isinstance(candidate, OSError) and candidate.errno is not None:
            return candidate.errno
    return None


def _driver_text(error: BaseException) -> str:
    """The database driver's own message (SQLAlchemy keeps it as `.orig`), lower case."""
    orig = getattr(error, "orig", None)
    if orig is None and error.__class__.__module__.startswith(("sqlite3", "sqlalchemy")):
        orig = error
    return str(orig).lower() if orig is not None else ""
