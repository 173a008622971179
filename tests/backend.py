"""The database the archive tests run on: SQLite (default) or PostgreSQL (the second pytest pass).

With ARSIP_TEST_DATABASE=postgres (scripts/test.sh sets it for its second pass, beside the
throw-away server's ARSIP_TEST_POSTGRES_URL), every archive a test opens by a SQLite file path,
through `database_url(path)` or through `Settings` without a database URL, is a scratch
PostgreSQL database instead: one per path, created on first use and dropped after the test
(`tests/conftest.py` wires both).  Tests that name their engine on purpose (SQLite-only
behaviour, or parametrised over both engines) are unaffected.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

import pytest

from archive.db import scratch_database

BACKEND = os.environ.get("ARSIP_TEST_DATABASE", "sqlite")
_open = ExitStack()
_urls: dict[Path, str] = {}


def on_postgres() -> bool:
    """Whether this pass runs the archive tests on PostgreSQL."""
    return BACKEND == "postgres"


def database_url(sqlite_file: Path) -> str:
    """The archive database for a test: SQLite at `sqlite_file`, or its PostgreSQL stand-in."""
    if not on_postgres():
        return f"sqlite:///{sqlite_file}"
    key = sqlite_file.resolve()
    if key not in _urls:
        server = os.environ.get("ARSIP_TEST_POSTGRES_URL")
        if not server:
            pytest.fail("ARSIP_TEST_DATABASE=postgres needs ARSIP_TEST_POSTGRES_URL (scripts/test.sh)")
        _urls[key] = _open.enter_context(scratch_database(server, "arsip_pass"))
    return _urls[key]


def drop_all() -> None:
    """Drop the scratch databases the finished test used."""
    _open.close()
    _urls.clear()
