"""The PostgreSQL pass really runs on PostgreSQL (and the SQLite pass on SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.settings import Settings
from tests import backend
from tests.archive.fixtures import new_archive

pytestmark = pytest.mark.archive_db


def test_the_archive_tests_run_on_the_engine_of_this_pass(tmp_path: Path) -> None:
    expected = "postgresql" if backend.on_postgres() else "sqlite"
    sessions, _ = new_archive(tmp_path / "data")
    assert sessions.kw["bind"].dialect.name == expected
    url = Settings(data_dir=tmp_path / "data", database_url=None).resolved_database_url
    assert url.startswith(expected)
    assert url == backend.database_url(tmp_path / "data" / "arsip.db")  # the CLI and the test agree
