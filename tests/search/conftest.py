"""Engines for the search tests: every behavioural test runs on whoosh and on PostgreSQL.

The PostgreSQL engine gets a database of its own per test (created on the throw-away server
that scripts/test.sh starts, see scripts/pg.sh); without ARSIP_TEST_POSTGRES_URL it is skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from search.engine import Engine


@pytest.fixture()
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    admin_url = os.environ.get("ARSIP_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.skip("ARSIP_TEST_POSTGRES_URL not set (scripts/test.sh starts a server)")
    name = f"arsip_search_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, query = admin_url.partition("?")
    yield f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_engine(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Engine:
    """An empty engine of `kind`."""
    if kind == "whoosh":
        from search.whoosh_engine import WhooshEngine

        return WhooshEngine(tmp_path / "index")
    from search.pg_engine import PostgresEngine

    return PostgresEngine(request.getfixturevalue("pg_url"))


@pytest.fixture(params=["whoosh", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine_kind(request: pytest.FixtureRequest) -> str:
    """The name of the engine under test."""
    return str(request.param)


@pytest.fixture()
def engine(engine_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An empty engine, closed after the test."""
    e = make_engine(engine_kind, tmp_path, request)
    yield e
    e.close()
