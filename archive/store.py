"""The content-addressed store of originals: `<root>/ab/abcdef...` named by SHA-256.

A file is written to a temp file in the data dir's scratch folder, fsynced, renamed into place, and the
directory fsynced, so a crash leaves either the whole file or nothing under its name.  Stored
files are never modified (they are made read-only); storing the same bytes again is a no-op.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archive.crashpoints import crash_point
from archive.errors import NotFoundError, StorageError
from archive.scratch import process_dir

log = logging.getLogger(__name__)

_CHUNK = 1 << 20
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class StoredFile:
    """A file in the store: its hash, size, and path relative to the store's root."""

    sha256: str
    size: int
    relative_path: str
    created: bool  # False when the same bytes were already stored


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class FileStore:
    """Originals by SHA-256 under one root directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def relative_path(self, sha256: str) -> str:
        """Where a hash lives, relative to the root: `ab/abcdef...`."""
        if not _HEX64.fullmatch(sha256):
            raise NotFoundError(f"Bukan hash SHA-256: {sha256!r}; periksa kode berkasnya.")
        return f"{sha256[:2]}/{sha256}"

    def path(self, sha256: str) -> Path:
        """The absolute path of a stored file (which may not exist)."""
        return self.root / self.relative_path(sha256)

    def exists(self, sha256: str) -> bool:
        """Whether the store holds these bytes."""
        return self.path(sha256).is_file()

    def put(self, source: Path, expected_sha256: str | None = None) -> StoredFile:
        """Store a copy of `source`; a no-op when the same bytes are already stored."""
        sha256 = expected_sha256 or sha256_file(source)
        if self.exists(sha256):
            log.debug("already stored: %s", sha256)
            return StoredFile(sha256, source.stat().st_size, self.relative_path(sha256), False)
        with source.open("rb") as fh:
            return self.put_stream(fh, sha256)

    def put_bytes(self, data: bytes) -> StoredFile:
        """Store `data` (for generated files: letters, stamped copies)."""
        return self.put_stream(io.BytesIO(data), hashlib.sha256(data).hexdigest())

    def put_stream(self, stream: BinaryIO, expected_sha256: str | None = None) -> StoredFile:
        """Copy `stream` into the store via temp file + fsync + rename; verify the hash if given.

        The temp file lives in this process's scratch folder of the data dir (`archive.scratch`:
        same filesystem, so the rename is atomic; a killed process's leftovers are removed at
        the next start), never among the stored files.
        """
        try:
            return self._write(stream, process_dir(self.root.parent), expected_sha256)
        except OSError as e:
            from archive.faults import storage_fault

            fault = storage_fault(e, self.root)
            raise fault or StorageError(f"Tidak dapat menulis ke penyimpanan berkas di {self.root}: "
                                        f"{e}; periksa ruang disk dan izin tulis folder itu.") from e

    def open(self, sha256: str) -> BinaryIO:
        """Open a stored file for reading; `NotFoundError` if it is not there."""
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError as e:
            raise NotFoundError(f"Berkas {sha256} tidak ada di penyimpanan {self.root}; "
                                "`arsip check` melaporkan berkas yang hilang.") from e

    def read(self, sha256: str) -> bytes:
        """The bytes of a stored file."""
        with self.open(sha256) as fh:
            return fh.read()

    def verify(self, sha256: str) -> bool:
        """Whether the stored bytes still hash to their name."""
        return sha256_file(self.path(sha256)) == sha256

    def restore(self, sha256: str, source: Path) -> StoredFile:
        """Put `source` (checked to hash to `sha256`) in place of a missing or rotten stored file."""
        try:
            with source.open("rb") as fh, self._temp_file(process_dir(self.root.parent)) as (tmp, out):
                actual, size = _copy_hashing(fh, out)
                if actual != sha256:
                    raise StorageError(f"{source} bukan salinan utuh berkas {sha256[:12]}… (hash "
                                       "berbeda); pakai cadangan lain.")
                self._move_into_place(tmp, self.path(sha256))
        except OSError as e:
            from archive.faults import storage_fault

            raise storage_fault(e, self.root) or StorageError(
                f"Berkas {sha256[:12]}… tidak dapat dipulihkan ke {self.root}: {e}") from e
        log.warning("restored %s from %s", sha256, source)
        return StoredFile(sha256, size, self.relative_path(sha256), created=True)

    def iter_hashes(self) -> Iterator[str]:
        """Every hash in the store (for `arsip check`)."""
        for path in sorted(self.root.glob("??/*")):
            if _HEX64.fullmatch(path.name) and path.is_file():
                yield path.name

    def _write(self, stream: BinaryIO, workdir: Path, expected_sha256: str | None) -> StoredFile:
        with self._temp_file(workdir) as (tmp, fh):
            sha256, size = _copy_hashing(stream, fh)
            if expected_sha256 and sha256 != expected_sha256:
                raise StorageError(
                    "Berkas berubah ketika sedang disimpan (hash tidak cocok); unggah ulang "
                    "berkasnya."
                )
            final = self.path(sha256)
            if final.is_file():
                log.debug("already stored: %s", sha256)
                return StoredFile(sha256, size, self.relative_path(sha256), created=False)
            self._move_into_place(tmp, final)
        log.info("stored %s (%d bytes)", sha256, size)
        return StoredFile(sha256, size, self.relative_path(sha256), created=True)

    @contextlib.contextmanager
    def _temp_file(self, workdir: Path) -> Iterator[tuple[Path, BinaryIO]]:
        """A temp file in `workdir` (same filesystem as the final place); removed unless renamed."""
        fd, name = tempfile.mkstemp(prefix=".incoming-", dir=workdir)
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as fh:
                yield tmp, fh
        finally:
            tmp.unlink(missing_ok=True)

    def _ensure_dir(self, directory: Path) -> None:
        """Create `directory` (and the root) if missing, making the new entry durable."""
        if directory.is_dir():
            return
        directory.mkdir(parents=True, exist_ok=True)
        _fsync_dir(directory.parent)

    def _move_into_place(self, tmp: Path, final: Path) -> None:
        """Rename the (fsynced) temp file to its hash name and fsync the directories."""
        self._ensure_dir(final.parent)
        tmp.chmod(0o444)
        # Two writers of the same bytes may race here; both write identical content, so
        # whichever rename lands last leaves the same file.
        tmp.replace(final)
        _fsync_dir(final.parent)


def _copy_hashing(src: BinaryIO, dst: BinaryIO) -> tuple[str, int]:
    """Copy src to dst, returning (sha256, size); dst is flushed and fsynced."""
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: src.read(_CHUNK), b""):
        digest.update(chunk)
        dst.write(chunk)
        size += len(chunk)
        crash_point("store_write")
    dst.flush()
    os.fsync(dst.fileno())
    return digest.hexdigest(), size


def _fsync_dir(directory: Path) -> None:
    """Make a rename or a new entry in `directory` durable (POSIX; a no-op elsewhere)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
