"""The PostgreSQL client programs behind `arsip backup`: found, version-checked, given no password on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from archive.dbsnapshot import PgTools, check_dump_version, find_pg_tools, libpq_url
from archive.errors import MissingDependencyError


def test_a_missing_client_names_the_package_and_the_setting(tmp_path: Path) -> None:
    with pytest.raises(MissingDependencyError) as e:
        find_pg_tools(tmp_path / "tidak-ada")
    assert "postgresql-client" in e.value.message and "ARSIP_PG_BINDIR" in e.value.message
    assert e.value.exit_code == 6


def test_a_client_older_than_the_server_is_refused_before_dumping() -> None:
    old = PgTools(Path("/usr/lib/postgresql/13/bin/pg_dump"), Path("/x/pg_restore"), 13)
    with pytest.raises(MissingDependencyError) as e:
        check_dump_version(old, 16)
    assert "versi 13" in e.value.message and "postgresql-client-16" in e.value.message
    check_dump_version(PgTools(Path("a"), Path("b"), 16), 15)  # newer than the server: fine


def test_the_password_travels_in_the_environment() -> None:
    uri, env = libpq_url(make_url("postgresql+psycopg://arsip:rahasia@db.lan:5433/arsip"))
    assert uri == "postgresql://arsip@db.lan:5433/arsip" and env["PGPASSWORD"] == "rahasia"
    uri, _ = libpq_url(make_url("postgresql+psycopg://arsip@/postgres?host=/tmp/pg"))
    assert uri == "postgresql://arsip@/postgres?host=%2Ftmp%2Fpg"  # libpq decodes it


def test_the_installed_client_is_found() -> None:
    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_dump")):
        pytest.skip("PostgreSQL client not installed")
    tools = find_pg_tools()
    assert tools.pg_dump.name == "pg_dump" and tools.major >= 10
