"""`arsip backup`: a consistent snapshot of a running archive in a new folder.

Order matters: the database is copied FIRST (one point in time), and the files copied are the
ones that copy references, so a file stored while the backup runs is neither referenced nor
needed.  Stored files never change, so they are hard-linked when the destination is on the same
filesystem and copied otherwise, each checked against its SHA-256.  An incremental backup
hard-links the files an earlier backup already holds and copies only the new ones.

A backup folder (`<DEST>/arsip-YYYYMMDD-HHMMSS/`) holds `manifest.json`, the database
(`database.sqlite` or `database.dump`, pg_dump's custom format) and `files/`, laid out like the
live store (`files/ab/abcdef...`).  It is written under a hidden `.partial` name and renamed
when complete, so a folder with a manifest is a whole backup.  The search index is left out:
it is rebuilt from the database on restore.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from archive import dbsnapshot
from archive.errors import BadInputError, ConflictError, StorageError
from archive.store import FileStore, sha256_file

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FILES = "files"
DATABASE = {"sqlite": "database.sqlite", "postgresql": "database.dump"}
FORMAT = 1
PREFIX = "arsip-"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class BackupOptions:
    """How to back up: the program's version (for the manifest), incremental or full."""

    tool_version: str
    incremental: bool = False
    base: Path | None = None  # the earlier backup to reuse files from (default: newest in DEST)
    pg_bindir: Path | None = None


@dataclass(frozen=True)
class FileEntry:
    """One stored file as the manifest lists it."""

    sha256: str
    size: int


@dataclass
class BackupResult:
    """What a backup holds and how its files got there."""

    folder: Path
    engine: str
    schema_revision: str | None
    counts: dict[str, int]
    files: int = 0
    bytes: int = 0
    linked: int = 0  # hard links to the live store
    copied: int = 0
    reused: int = 0  # hard links to the earlier backup (incremental)
    base: Path | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Snapshot:
    engine: str
    schema_revision: str | None
    counts: dict[str, int]
    files: list[FileEntry]
    server_version: int | None = None


def take_backup(engine: Engine, store_root: Path, dest: Path, options: BackupOptions) -> BackupResult:
    """Back up the archive (database `engine`, files under `store_root`) into a new folder of `dest`."""
    _make_dir(dest)
    with _one_backup_at_a_time(dest):
        leftovers = _remove_leftovers(dest)
        base = find_base(dest, options) if options.incremental else None
        name = _new_name(dest)
        work = dest / f".{name}.partial"
        _make_dir(work)
        try:
            snap = _snapshot_database(engine, work, options)
            result = BackupResult(dest / name, snap.engine, snap.schema_revision, snap.counts,
                                  base=base)
            result.notes += [f"sisa cadangan yang terputus dihapus: {n}" for n in leftovers]
            if options.incremental and base is None:
                result.notes.append("belum ada cadangan sebelumnya di folder ini: dibuat cadangan "
                                    "penuh")
            _copy_files(snap.files, FileStore(store_root), work / FILES, base, result)
            _write_manifest(work, _manifest(snap, result, options))
            work.rename(result.folder)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        _fsync_dir(dest)
    log.info("backup %s: %d files (%d copied, %d linked, %d reused)", result.folder, result.files,
             result.copied, result.linked, result.reused)
    return result


@contextmanager
def _one_backup_at_a_time(dest: Path) -> Iterator[None]:
    """An exclusive lock on `<DEST>/.arsip-backup.lock`; a second backup into DEST is refused."""
    with (dest / ".arsip-backup.lock").open("a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise ConflictError(f"Pencadangan lain sedang berjalan ke {dest}; tunggu sampai "
                                "selesai lalu ulangi.") from e
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove_leftovers(dest: Path) -> list[str]:
    """Folders of backups that were killed half-way (never renamed): nothing in them is trusted."""
    gone = []
    for path in sorted(dest.glob(f".{PREFIX}*.partial")):
        shutil.rmtree(path, ignore_errors=True)
        gone.append(path.name)
    return gone


# --- the database first -------------------------------------------------------------------------
def _snapshot_database(engine: Engine, work: Path, options: BackupOptions) -> _Snapshot:
    kind = engine.dialect.name
    if kind not in DATABASE:
        raise BadInputError(f"Basis data {kind} belum didukung oleh `arsip backup`.")
    target = work / DATABASE[kind]
    if kind == "sqlite":
        dbsnapshot.sqlite_snapshot(engine, target)
        copy = _readonly_sqlite(target)
        try:
            with copy.connect() as connection:
                return _describe(connection, kind)
        finally:
            copy.dispose()
    tools = dbsnapshot.find_pg_tools(options.pg_bindir)
    with dbsnapshot.pg_snapshot(engine) as (connection, snapshot_id):
        server = dbsnapshot.server_major(connection)
        dbsnapshot.check_dump_version(tools, server)
        snap = _describe(connection, kind, server)  # the same point in time as the dump
        dbsnapshot.pg_dump(tools, dbsnapshot.url_of(engine), snapshot_id, target)
    return snap


def _readonly_sqlite(path: Path) -> Engine:
    from sqlalchemy import create_engine

    return create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")


def _describe(connection: Connection, kind: str, server: int | None = None) -> _Snapshot:
    """Rows per table, the schema revision and the stored files, as this connection sees them."""
    tables = sorted(t for t in inspect(connection).get_table_names() if not t.startswith("search_"))
    counts = {t: int(connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one())
              for t in tables}
    revision = None
    if "alembic_version" in tables:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    files = [FileEntry(sha, int(size)) for sha, size in
             connection.execute(text("SELECT sha256, size FROM files ORDER BY sha256"))] \
        if "files" in tables else []
    return _Snapshot(kind, revision, counts, files, server)


# --- then the files it references ----------------------------------------------------------------
def _copy_files(entries: list[FileEntry], store: FileStore, target: Path, base: Path | None,
                result: BackupResult) -> None:
    earlier = _listed_files(base) if base else {}
    into = FileStore(target)
    for entry in entries:
        dst = into.path(entry.sha256)
        _make_dir(dst.parent)
        kept = base / FILES / into.relative_path(entry.sha256) if base else None
        if kept and earlier.get(entry.sha256) == entry.size and kept.is_file():
            _link_or_copy(kept, dst, entry, trust_size=True)
            result.reused += 1
        else:
            source = store.path(entry.sha256)
            if not source.is_file():
                raise StorageError(
                    f"Berkas {entry.sha256} tercatat di basis data tetapi tidak ada di penyimpanan "
                    f"{store.root}; jalankan `arsip check` dan pulihkan berkas itu dari cadangan "
                    "lama, lalu ulangi pencadangan.")
            if _link_or_copy(source, dst, entry, trust_size=False):
                result.linked += 1
            else:
                result.copied += 1
        result.files += 1
        result.bytes += entry.size


def _link_or_copy(source: Path, dst: Path, entry: FileEntry, *, trust_size: bool) -> bool:
    """Hard-link `source` to `dst` (True) or copy it (False); the result is checked.

    A file from the live store is always hashed; one reused from an earlier backup (which was
    hashed when that backup was made) is checked by size, so a nightly backup reads only new files.
    """
    try:
        os.link(source, dst)
        linked = True
    except OSError as e:
        if e.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise StorageError(f"Tidak dapat menulis {dst}: {e}; periksa izin dan ruang disk "
                               "tujuan cadangan.") from e
        linked = False
    if not linked:
        digest = _copy_hashing(source, dst)
    elif trust_size:
        return dst.stat().st_size == entry.size or _bad(entry, source)
    else:
        digest = sha256_file(dst)
    if digest != entry.sha256:
        _bad(entry, source)
    return linked


def _bad(entry: FileEntry, source: Path) -> bool:
    raise StorageError(
        f"Berkas {entry.sha256} di {source} tidak cocok lagi dengan hash SHA-256-nya (rusak); "
        "jalankan `arsip check` dan pulihkan berkas itu dari cadangan yang sehat "
        "(`arsip check --repair CADANGAN`), lalu ulangi pencadangan.")


def _copy_hashing(source: Path, dst: Path) -> str:
    digest = hashlib.sha256()
    try:
        with source.open("rb") as src, dst.open("wb") as out:
            for chunk in iter(lambda: src.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        dst.chmod(0o444)
    except OSError as e:
        raise StorageError(f"Tidak dapat menyalin {source} ke {dst}: {e}; periksa ruang disk dan "
                           "izin tulis tujuan cadangan.") from e
    return digest.hexdigest()


# --- the manifest and the backups already in DEST ------------------------------------------------
def _manifest(snap: _Snapshot, result: BackupResult, options: BackupOptions) -> dict[str, Any]:
    return {
        "format": FORMAT, "tool": "arsip", "tool_version": options.tool_version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kind": "incremental" if result.base else "full",
        "base": result.base.name if result.base else None,
        "engine": snap.engine, "database": DATABASE[snap.engine],
        "server_version": snap.server_version, "schema_revision": snap.schema_revision,
        "counts": snap.counts,
        "files": [{"sha256": f.sha256, "size": f.size} for f in snap.files],
        "totals": {"files": result.files, "bytes": result.bytes, "copied": result.copied,
                   "linked": result.linked, "reused": result.reused},
    }


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    path = folder / MANIFEST
    with path.open("w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a backup folder; a clear error when `folder` is not a whole backup."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BadInputError(f"{folder} bukan folder cadangan arsip yang utuh (tidak ada {MANIFEST}); "
                            "sebutkan folder arsip-TTTTBBHH-JJMMDD di dalam tujuan cadangan.")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BadInputError(f"{path} tidak dapat dibaca ({e}); pakai cadangan lain.") from e
    if manifest.get("format") != FORMAT or manifest.get("engine") not in DATABASE:
        raise BadInputError(f"{path} berformat {manifest.get('format')!r} yang tidak dikenal versi "
                            "program ini; pakai versi arsip yang membuat cadangan itu.")
    return manifest


def list_backups(dest: Path) -> list[Path]:
    """The whole backups in `dest`, oldest first."""
    if not dest.is_dir():
        return []
    return sorted(p for p in dest.iterdir()
                  if p.is_dir() and p.name.startswith(PREFIX) and (p / MANIFEST).is_file())


def find_base(dest: Path, options: BackupOptions) -> Path | None:
    """The backup an incremental one reuses: the one given, else the newest in `dest`."""
    if options.base is not None:
        read_manifest(options.base)
        return options.base
    found = list_backups(dest)
    return found[-1] if found else None


def _listed_files(base: Path) -> dict[str, int]:
    return {f["sha256"]: int(f["size"]) for f in read_manifest(base)["files"]}


def _new_name(dest: Path) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name, n = f"{PREFIX}{stamp}", 1
    while (dest / name).exists() or (dest / f".{name}.partial").exists():
        n += 1
        name = f"{PREFIX}{stamp}-{n}"
    return name


def _make_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StorageError(f"Folder {path} tidak dapat dibuat: {e}; periksa izin tulis dan ruang "
                           "disk tujuan cadangan.") from e


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
