"""Alembic environment: runs the migrations on the connection `archive.db.upgrade` hands over.

From the command line (`alembic -c archive/alembic.ini upgrade head`) it builds an engine from
`sqlalchemy.url` or, if that is empty, from ARSIP_DATABASE_URL.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.migration import MigrationContext, MigrationInfo
from sqlalchemy.engine import Connection

import archive.models  # noqa: F401  (registers the tables on Base.metadata for autogenerate)
from archive.db import Base, foreign_key_violations, make_engine
from archive.errors import StorageError

# Modules with more tables register themselves by being imported here.
for _name in ("archive.models_letters", "archive.models_accounts", "archive.models_revisions"):
    try:
        __import__(_name)
    except ModuleNotFoundError as e:
        if e.name != _name:
            raise

config = context.config
target_metadata = Base.metadata


def _foreign_keys_intact(ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any],
                         run_args: Mapping[str, Any]) -> None:
    """Before a revision commits on SQLite (run with foreign keys off): no row may point nowhere."""
    assert ctx.connection is not None
    violations = foreign_key_violations(ctx.connection)
    if violations:
        raise StorageError(
            f"Migrasi {step.up_revision_id or step.down_revision_ids} dibatalkan: {len(violations)} "
            f"baris merujuk ke baris yang tidak ada (contoh: {violations[0]}); basis data tidak "
            "diubah. Laporkan ke pengembang beserta pesan ini.")


def _configure_and_run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        render_as_batch=sqlite,
        compare_type=True,
        # archive.db runs SQLite migrations one transaction per revision, foreign keys off
        transaction_per_migration=bool(config.attributes.get("transaction_per_migration")),
        on_version_apply=_foreign_keys_intact if sqlite else None,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (`alembic upgrade head --sql`)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or os.environ.get("ARSIP_DATABASE_URL"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run on the given connection, or on a new engine from the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("ARSIP_DATABASE_URL")
    if not url:
        raise SystemExit("set sqlalchemy.url in alembic.ini or ARSIP_DATABASE_URL")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _configure_and_run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
