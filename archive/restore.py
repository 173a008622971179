"""`arsip restore`: a backup folder (archive/backup.py) back into an empty data dir or database.

The files first (each checked against its SHA-256 while it is stored), then the database, then
the rows counted against the manifest; so a restored database never points at a missing file.
Rebuilding the search index and the final check are the caller's (they need the search package).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from archive import dbsnapshot
from archive.backup import DATABASE, FILES, read_manifest
from archive.errors import BadInputError, ConflictError, MissingDependencyError, StorageError
from archive.store import FileStore, sha256_file

log = logging.getLogger(__name__)

_ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class RestoreResult:
    """What came back: rows per table, files and bytes, the schema revision of the backup."""

    source: Path
    engine: str
    schema_revision: str | None
    counts: dict[str, int]
    files: int = 0
    bytes: int = 0
    mismatched_counts: dict[str, tuple[int, int]] = field(default_factory=dict)


def check_target(manifest: dict[str, Any], engine: Engine, data_dir: Path, store_root: Path) -> None:
    """Refuse anything but an empty data dir (and, on PostgreSQL, an empty database) of the same engine."""
    _check_revision(manifest.get("schema_revision"))
    kind = engine.dialect.name
    if manifest["engine"] != kind:
        hint = ("kosongkan ARSIP_DATABASE_URL agar dipulihkan ke SQLite di folder data"
                if manifest["engine"] == "sqlite" else
                "isi ARSIP_DATABASE_URL dengan basis data PostgreSQL yang kosong")
        raise BadInputError(f"Cadangan ini dari {_ENGINE_NAMES[manifest['engine']]}, sedangkan "
                            f"arsip tujuan memakai {_ENGINE_NAMES.get(kind, kind)}: {hint}.")
    for folder in (data_dir, store_root):
        if folder.exists() and any(folder.iterdir()):
            raise ConflictError(f"Folder data {folder} tidak kosong; pemulihan hanya ke folder "
                                "kosong agar tidak ada yang tertimpa. Pakai folder baru "
                                "(ARSIP_DATA_DIR) atau pindahkan isinya lebih dulu.")
    database = Path(engine.url.database or "") if kind == "sqlite" else None
    if database and database.is_file() and database.stat().st_size > 0:
        raise ConflictError(f"Basis data {database} sudah ada; pemulihan hanya ke arsip kosong. "
                            "Pakai folder data baru atau pindahkan berkas itu lebih dulu.")
    if kind == "postgresql" and not dbsnapshot.pg_is_empty(engine):
        raise ConflictError("Basis data PostgreSQL tujuan tidak kosong; pemulihan hanya ke basis "
                            "data kosong (createdb nama_baru) lalu arahkan ARSIP_DATABASE_URL ke sana.")


def _check_revision(revision: str | None) -> None:
    """A backup from a newer program (a schema revision unknown here) cannot be brought back."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from archive.db import alembic_config

    if revision is None:
        return
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError as e:
        raise BadInputError(f"Cadangan ini memakai skema basis data {revision} yang tidak dikenal "
                            "versi program ini (cadangan dari versi yang lebih baru); pasang versi "
                            "arsip yang sama atau lebih baru, lalu pulihkan lagi.") from e


def restore_backup(source: Path, engine: Engine, data_dir: Path, store_root: Path, *,
                   pg_bindir: Path | None = None) -> RestoreResult:
    """Bring back the files, then the database, of the backup in `source`; rows counted after."""
    manifest = read_manifest(source)
    check_target(manifest, engine, data_dir, store_root)
    data_dir.mkdir(parents=True, exist_ok=True)
    result = RestoreResult(source, manifest["engine"], manifest.get("schema_revision"),
                           dict(manifest["counts"]))
    _restore_files(manifest, source / FILES, FileStore(store_root), result)
    _restore_database(manifest, source, engine, pg_bindir)
    result.mismatched_counts = _compare_counts(engine, result.counts)
    if result.mismatched_counts:
        raise StorageError(f"Jumlah baris setelah pemulihan tidak sama dengan manifest "
                           f"({_describe_mismatch(result.mismatched_counts)}); cadangan ini "
                           "tidak utuh: pakai cadangan lain.")
    return result


def _restore_files(manifest: dict[str, Any], files: Path, store: FileStore,
                   result: RestoreResult) -> None:
    backed_up = FileStore(files)
    for entry in manifest["files"]:
        sha, path = entry["sha256"], backed_up.path(entry["sha256"])
        if not path.is_file():
            raise StorageError(f"Berkas {sha} hilang dari cadangan {files}; pakai cadangan lain.")
        if sha256_file(path) != sha:
            raise StorageError(f"Berkas {path} di cadangan tidak cocok dengan hash SHA-256-nya "
                               "(rusak); pakai cadangan lain yang memuat berkas itu.")
        store.put(path, sha)  # copied via temp file, hashed again while written, then renamed
        result.files += 1
        result.bytes += int(entry["size"])
    log.info("restored %d files (%d bytes)", result.files, result.bytes)


def _restore_database(manifest: dict[str, Any], source: Path, engine: Engine,
                      pg_bindir: Path | None) -> None:
    snapshot = source / DATABASE[manifest["engine"]]
    if not snapshot.is_file():
        raise StorageError(f"{snapshot} hilang dari cadangan; pakai cadangan lain.")
    if manifest["engine"] == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            raise BadInputError("Tidak dapat memulihkan ke basis data SQLite di memori.")
        dbsnapshot.sqlite_restore(snapshot, Path(database))
        return
    tools = dbsnapshot.find_pg_tools(pg_bindir)
    written_by = dbsnapshot.dump_archive_version(tools, snapshot)
    if written_by is None or written_by > tools.major:
        raise MissingDependencyError(
            f"pg_restore versi {tools.major} tidak dapat membaca {snapshot} (dibuat pg_dump versi "
            f"{written_by or '?'}); pasang postgresql-client versi itu atau yang lebih baru.")
    with engine.connect() as connection:
        server = dbsnapshot.server_major(connection)
    dbsnapshot.check_dump_version(tools, server)
    dbsnapshot.pg_restore(tools, dbsnapshot.url_of(engine), snapshot)


def _compare_counts(engine: Engine, expected: dict[str, int]) -> dict[str, tuple[int, int]]:
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        found = {t: int(connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one())
                 for t in expected if t in present}
    return {t: (n, found.get(t, 0)) for t, n in expected.items() if found.get(t, -1) != n}


def _describe_mismatch(mismatch: dict[str, tuple[int, int]]) -> str:
    return ", ".join(f"{t}: {want} di manifest, {got} dipulihkan" for t, (want, got) in mismatch.items())
