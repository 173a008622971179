"""Migrations: an empty database reaches head, and head matches the models (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

import archive.models  # noqa: F401  (the core tables on Base.metadata)
from archive.db import Base, alembic_config, current_revision, make_engine, upgrade
from tests.archive.fixtures import postgres_database

CORE_TABLES = {"documents", "versions", "files", "steps", "indicators", "jobs"}


def _diff_with_models(engine: Engine) -> list[Any]:
    """What autogenerate would change in the core tables (empty when migration == models)."""

    def core_only(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return getattr(table, "name", name) in CORE_TABLES

    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"include_object": core_only, "compare_type": True}
        )
        return list(compare_metadata(ctx, Base.metadata))


def _check_head(engine: Engine) -> None:
    assert current_revision(engine) is None
    upgrade(engine)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(engine) == head
    assert set(inspect(engine).get_table_names()) >= CORE_TABLES
    assert _diff_with_models(engine) == []
    upgrade(engine)  # at head already: a no-op, not an error
    assert current_revision(engine) == head


def test_core_revision_is_the_root_of_a_linear_chain() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert script.get_revision("0001_core").down_revision is None
    chain = [r.revision for r in script.walk_revisions()]
    assert chain[-1] == "0001_core"


def test_sqlite_empty_to_head(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    _check_head(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_sqlite_upgrade_from_a_url_and_downgrade_to_base(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'b.db'}"
    upgrade(url)
    engine = make_engine(url)
    assert current_revision(engine) is not None
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert not CORE_TABLES & set(inspect(engine).get_table_names())


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """A fresh database on the test server, dropped afterwards."""
    with postgres_database() as engine:
        yield engine


@pytest.mark.postgres
def test_postgres_empty_to_head(postgres_engine: Engine) -> None:
    _check_head(postgres_engine)
    assert {c["name"] for c in inspect(postgres_engine).get_columns("versions")} >= {
        "extraction", "status", "version_no"
    }


def _upgrade_in_a_process(url: str) -> str:
    try:
        upgrade(url)
        return "ok"
    except Exception as e:  # noqa: BLE001 - the parent reports it
        return f"{type(e).__name__}: {e}"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_first_runs_at_once_on_a_new_database_both_succeed(backend: str, tmp_path: Path,
                                                           request: pytest.FixtureRequest) -> None:
    """Four processes starting on a brand-new database: one creates it, the others find it done."""
    import multiprocessing

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'arsip.db'}"
    else:
        url = request.getfixturevalue("postgres_engine").url.render_as_string(hide_password=False)
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_upgrade_in_a_process, [url] * 4)
    assert results == ["ok"] * 4
    engine = make_engine(url)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(engine) == head
    engine.dispose()


def test_head_read_from_the_files_is_alembics_head() -> None:
    from archive.db import head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_at_head_without_alembic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An archive at head opens without running Alembic; an empty or older one is migrated."""
    from alembic import command

    from archive import db

    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    assert not db.at_head(engine)  # empty: no alembic_version table
    upgrade(engine)
    assert db.at_head(engine)
    ran: list[str] = []
    monkeypatch.setattr(command, "upgrade", lambda *a, **k: ran.append("upgrade"))
    upgrade(engine)
    assert ran == []  # at head: Alembic not run
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001_core'"))
    assert not db.at_head(engine)
    upgrade(engine)
    assert ran == ["upgrade"]  # behind: Alembic runs


def test_head_unclear_leaves_it_to_alembic(tmp_path: Path) -> None:
    """A migration file whose revision is not a plain constant: no head is guessed."""
    from archive import db

    path = tmp_path / "0099_odd.py"
    path.write_text('revision = make_revision()\ndown_revision = "0006_version_dates"\n')
    assert db._revision_of(path) is None
    path.write_text('revision: str = "0099_merge"\ndown_revision = ("0005_revisions", "0006_version_dates")\n')
    assert db._revision_of(path) == ("0099_merge", ("0005_revisions", "0006_version_dates"))
