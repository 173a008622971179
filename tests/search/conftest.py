"""Engines for the search tests: every behavioural test runs on whoosh and on PostgreSQL.

The PostgreSQL engine gets a database of its own per test (created on the throw-away server
that scripts/test.sh starts, see scripts/pg.sh); without ARSIP_TEST_POSTGRES_URL it is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.db import scratch_database
from search.engine import Engine


@pytest.fixture()
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    admin_url = os.environ.get("ARSIP_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.skip("ARSIP_TEST_POSTGRES_URL not set (scripts/test.sh starts a server)")
    with scratch_database(admin_url, "arsip_search") as url:
        yield url


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
