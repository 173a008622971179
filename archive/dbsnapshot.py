"""A consistent copy of the database while others write to it, and putting one back.

SQLite: the online backup API (`sqlite3.Connection.backup`, one step, so the copy is one
point in time even in WAL mode with writers running).  PostgreSQL: `pg_dump` in custom format on
a snapshot exported from a REPEATABLE READ transaction that stays open, so the caller reads the
same point in time (which files the dump references) as the dump itself.  This module is the only
one that runs `pg_dump` / `pg_restore`; a missing binary or a client older than the server
becomes a clear error.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, Connection, Engine, make_url

from archive.errors import BadInputError, MissingDependencyError, StorageError

log = logging.getLogger(__name__)

# the derived search index of the PostgreSQL engine lives in the same database: left out of a
# dump and rebuilt after a restore (search/pg_engine.py creates these tables)
SEARCH_TABLES = "search_*"
_VERSION = re.compile(r"(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class PgTools:
    """The PostgreSQL client programs found on this machine and their major version."""

    pg_dump: Path
    pg_restore: Path
    major: int


# --- SQLite --------------------------------------------------------------------------------------
def sqlite_snapshot(engine: Engine, target: Path) -> None:
    """Copy the live SQLite database to `target` with the online backup API (one step)."""
    source = engine.url.database
    if not source or source == ":memory:":
        raise BadInputError("Basis data SQLite di memori tidak dapat dicadangkan.")
    try:
        src = sqlite3.connect(source, timeout=30)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)  # pages=-1: the whole database in one step, one read transaction
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the backup
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as e:
        raise StorageError(f"Basis data SQLite {source} tidak dapat dicadangkan: {e}; "
                           "periksa ruang disk tujuan lalu ulangi.") from e


def sqlite_restore(snapshot: Path, target: Path) -> None:
    """Put a SQLite snapshot back as the database file `target` (checked with integrity_check)."""
    try:
        src = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
        try:
            verdict = src.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise StorageError(f"Salinan basis data {snapshot} rusak ({verdict}); pulihkan "
                                   "dari cadangan lain.")
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as e:
        raise StorageError(f"Salinan basis data {snapshot} tidak dapat dipulihkan: {e}; "
                           "periksa berkasnya atau pakai cadangan lain.") from e


# --- PostgreSQL: finding the client programs -----------------------------------------------------
def find_pg_tools(bindir: Path | None = None) -> PgTools:
    """pg_dump and pg_restore: from `bindir`, else the newest /usr/lib/postgresql/*/bin, else PATH."""
    candidates: list[Path] = [bindir] if bindir else []
    if not bindir:
        candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_dir_major, reverse=True)
    for directory in candidates:
        dump, restore = directory / "pg_dump", directory / "pg_restore"
        if dump.is_file() and restore.is_file():
            return PgTools(dump, restore, _tool_major(dump))
    dump_path, restore_path = shutil.which("pg_dump"), shutil.which("pg_restore")
    if not bindir and dump_path and restore_path:
        return PgTools(Path(dump_path), Path(restore_path), _tool_major(Path(dump_path)))
    where = f"di {bindir}" if bindir else "di /usr/lib/postgresql/*/bin maupun di PATH"
    raise MissingDependencyError(
        f"Program pg_dump/pg_restore tidak ditemukan {where}; pasang klien PostgreSQL "
        "(apt-get install postgresql-client) atau tunjuk foldernya dengan ARSIP_PG_BINDIR.")


def _dir_major(directory: Path) -> int:
    m = _VERSION.match(directory.parent.name)
    return int(m.group(1)) if m else 0


def _tool_major(program: Path) -> int:
    out = subprocess.run([str(program), "--version"], capture_output=True, text=True, check=False)
    m = _VERSION.search(out.stdout.rsplit(")", 1)[-1]) or _VERSION.search(out.stdout)
    if out.returncode != 0 or not m:
        raise MissingDependencyError(f"{program} tidak dapat dijalankan ({out.stderr.strip()}); "
                                     "pasang ulang klien PostgreSQL.")
    return int(m.group(1))


def server_major(connection: Connection) -> int:
    """The major version of the PostgreSQL server behind `connection`."""
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def check_dump_version(tools: PgTools, server: int) -> None:
    """pg_dump refuses a newer server; say so before trying, with the fix."""
    if tools.major < server:
        raise MissingDependencyError(
            f"pg_dump versi {tools.major} ({tools.pg_dump}) lebih lama dari server PostgreSQL "
            f"versi {server}; pasang postgresql-client-{server} atau tunjuk foldernya dengan "
            "ARSIP_PG_BINDIR.")


def libpq_url(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for `url` (the password travels in PGPASSWORD, not on a command line)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=url.query)  # set(password=None) keeps it
    return plain.render_as_string(hide_password=False), env


# --- PostgreSQL: dump and restore ----------------------------------------------------------------
@contextmanager
def pg_snapshot(engine: Engine) -> Iterator[tuple[Connection, str]]:
    """A REPEATABLE READ transaction and its exported snapshot id, open while the caller dumps."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            yield connection, str(snapshot)


def pg_dump(tools: PgTools, url: URL, snapshot: str, target: Path) -> None:
    """Dump the database (custom format) as of `snapshot`, leaving out the search index."""
    uri, env = libpq_url(url)
    args = [str(tools.pg_dump), "--format=custom", "--no-owner", "--no-privileges",
            f"--snapshot={snapshot}", f"--exclude-table={SEARCH_TABLES}", f"--file={target}", uri]
    _run(args, env, "pg_dump", "Cadangan basis data PostgreSQL gagal")


def pg_restore(tools: PgTools, url: URL, dump: Path) -> None:
    """Restore a custom-format dump into the (empty) database at `url`, in one transaction."""
    uri, env = libpq_url(url)
    args = [str(tools.pg_restore), "--no-owner", "--no-privileges", "--exit-on-error",
            "--single-transaction", f"--dbname={uri}", str(dump)]
    _run(args, env, "pg_restore", "Pemulihan basis data PostgreSQL gagal")


def dump_archive_version(tools: PgTools, dump: Path) -> int | None:
    """The pg_dump major version that wrote `dump` (from `pg_restore --list`), None if unreadable."""
    out = subprocess.run([str(tools.pg_restore), "--list", str(dump)], capture_output=True,
                         text=True, check=False)
    m = re.search(r"Dumped by pg_dump version:\s*(\d+)", out.stdout)
    return int(m.group(1)) if m else None


def _run(args: list[str], env: dict[str, str], name: str, what: str) -> None:
    log.info("running %s", name)
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        detail = out.stderr.strip().splitlines()[-3:] if out.stderr else []
        raise StorageError(f"{what} ({name} keluar dengan kode {out.returncode}: "
                           f"{' '.join(detail) or 'tanpa pesan'}); periksa koneksi, izin dan "
                           "ruang disk lalu ulangi.")


def pg_is_empty(engine: Engine) -> bool:
    """Whether the database's public schema holds no tables (a place a restore may fill)."""
    with engine.connect() as connection:
        n = connection.execute(text(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")).scalar_one()
    return int(n) == 0


def url_of(engine: Engine) -> URL:
    """The engine's URL (with its password) as a `URL` object."""
    return make_url(engine.url.render_as_string(hide_password=False))
