"""The database: declarative base, engine with SQLite pragmas, sessions, migrations.

SQLite (the default) runs in WAL mode with foreign keys on; nothing in the models is SQLite-only,
so the same code runs on PostgreSQL.
"""

from __future__ import annotations

import fcntl
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.pool import NullPool

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table model."""

    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Any]:
    """Sessions bound to `engine` that keep objects readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x4152_4D47  # pg_advisory_xact_lock key of `upgrade`


def alembic_config(url: str | None = None) -> Any:
    """An Alembic `Config` for the migrations shipped in this package (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Run the migrations up to `revision` (default: the newest) on a database.

    A database already at the newest revision is recognised without Alembic (`at_head`): every
    `arsip` command opens the archive, and loading Alembic's environment and scripts to learn
    there is nothing to do cost a tenth of a second each time.
    """
    if revision == "head" and isinstance(engine_or_url, Engine) and at_head(engine_or_url):
        return
    from alembic import command

    _migrate(engine_or_url, lambda config: command.upgrade(config, revision),
             to_head=revision == "head")


def at_head(engine: Engine) -> bool:
    """True when the database stands at the newest migration (one row in `alembic_version`
    naming `head_revision()`); False when it is behind, empty, or the head is unclear."""
    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).fetchall()
    except (OperationalError, ProgrammingError):  # no such table yet: a new database
        return False
    return [r[0] for r in rows] == [head]


def head_revision() -> str | None:
    """The newest revision of the migrations shipped, read from their files (`revision` and
    `down_revision` assignments) without loading Alembic; None unless there is exactly one
    head and every file says plainly what it is (then Alembic itself decides)."""
    if _HEAD:
        return _HEAD[0]
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = _revision_of(path)
        if found is None:
            _HEAD.append(None)
            return None
        revisions.add(found[0])
        parents.update(found[1])
    heads = revisions - parents
    _HEAD.append(heads.pop() if len(heads) == 1 and parents <= revisions else None)
    return _HEAD[0]


_HEAD: list[str | None] = []  # head_revision's answer, read once per process


def _revision_of(path: Path) -> tuple[str, tuple[str, ...]] | None:
    """A migration file's revision and the revisions it follows, or None when not plain
    constants."""
    import ast

    values: dict[str, Any] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        target, value = ((node.target, node.value) if isinstance(node, ast.AnnAssign)
                         else (node.targets[0], node.value) if isinstance(node, ast.Assign)
                         and len(node.targets) == 1 else (None, None))
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision") and value:
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                return None
    revision, down = values.get("revision"), values.get("down_revision", "missing")
    if not isinstance(revision, str):
        return None
    if down is None:
        return revision, ()
    if isinstance(down, str) and down != "missing":
        return revision, (down,)
    if isinstance(down, tuple) and all(isinstance(d, str) for d in down):
        return revision, down
    return None


def downgrade(engine_or_url: Engine | str, revision: str) -> None:
    """Undo migrations down to `revision` (for developers and the migration tests)."""
    from alembic import command

    _migrate(engine_or_url, lambda config: command.downgrade(config, revision), to_head=False)


def _migrate(engine_or_url: Engine | str, run: Callable[[Any], None], *, to_head: bool) -> None:
    """Run an Alembic command the safe way for the engine's database.

    PostgreSQL: everything in one transaction (its DDL is transactional) under an advisory lock.
    SQLite: see `_sqlite_migration_engine`: one transaction per revision with foreign keys off,
    checked before each commit, so a kill at any statement leaves the previous revision intact.
    """
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    config = alembic_config()
    try:
        if engine.dialect.name == "sqlite" and _sqlite_file(engine):
            _migrate_sqlite(engine, config, run, to_head)
            return
        with _migration_lock(engine), engine.begin() as connection:
            if engine.dialect.name == "postgresql":  # held until this transaction ends
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            config.attributes["connection"] = connection
            run(config)
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


def _sqlite_file(engine: Engine) -> str | None:
    database = engine.url.database
    return database if database and database != ":memory:" else None


def _migrate_sqlite(engine: Engine, config: Any, run: Callable[[Any], None], to_head: bool) -> None:
    if to_head and _at_head(engine):
        return  # nothing to do: no lock file needed (a read-only data dir still opens)
    migrator = _sqlite_migration_engine(engine)
    try:
        with _migration_lock(engine), migrator.connect() as connection:
            config.attributes["connection"] = connection
            config.attributes["transaction_per_migration"] = True
            run(config)
    finally:
        migrator.dispose()


def _at_head(engine: Engine) -> bool:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    try:
        return current_revision(engine) == head
    except OperationalError:
        return False


def _sqlite_migration_engine(engine: Engine) -> Engine:
    """A one-connection engine for migrating SQLite without losing rows or half-applying DDL.

    pysqlite normally issues no BEGIN before DDL, so each CREATE/ALTER commits on its own and a
    kill leaves half a revision; here the driver's own transaction handling is off and every
    transaction starts with BEGIN IMMEDIATE (SQLite's DDL is transactional).  Foreign keys are
    off (they can only be switched outside a transaction): a batch migration drops and recreates
    a table, and with them on the DROP would cascade to every child row.  `PRAGMA
    foreign_key_check` runs before each revision commits instead (archive/migrations/env.py).
    """
    migrator = create_engine(engine.url, poolclass=NullPool,
                             connect_args={"timeout": 30, "isolation_level": None})

    @event.listens_for(migrator, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=OFF")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(migrator, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return migrator


def foreign_key_violations(connection: Connection) -> list[tuple[Any, ...]]:
    """Rows whose foreign key points nowhere (SQLite's `PRAGMA foreign_key_check`)."""
    return [tuple(r) for r in connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()]


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """One migrating process at a time, so two first runs on a new database do not both create it.

    PostgreSQL: an advisory lock inside the migration's transaction (taken by `upgrade`).  SQLite:
    an exclusive lock on `<database>.lock` beside the file (the second process then finds the
    tables at the newest revision and has nothing to do).
    """
    database = _sqlite_file(engine) if engine.dialect.name == "sqlite" else None
    if not database:
        yield
        return
    with Path(f"{database}.lock").open("a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        rev: str | None = MigrationContext.configure(connection).get_current_revision()
        return rev


@contextmanager
def scratch_database(server_url: str, prefix: str = "arsip_tmp") -> Iterator[str]:
    """A new, empty PostgreSQL database on the server at `server_url`; its URL; dropped afterwards.

    For tests and benchmarks: each gets a database of its own, removed even if connections linger.
    """
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
