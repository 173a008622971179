"""Helpers for archive tests: a migrated database and a file store under a temp dir."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from archive.db import make_engine, make_sessionmaker, scratch_database, upgrade
from archive.store import FileStore
from tests.backend import database_url


def new_archive(root: Path) -> tuple[sessionmaker[Session], FileStore]:
    """A fresh archive (migrated to head) and store under `root` (SQLite, or PostgreSQL on that pass)."""
    root.mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url(root / "arsip.db"))
    upgrade(engine)
    return make_sessionmaker(engine), FileStore(root / "files")


def count_rows(session_factory: sessionmaker[Session], model: Any) -> int:
    """How many rows a table holds."""
    from sqlalchemy import func, select

    with session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def stored_files(store: FileStore) -> list[Path]:
    """Every file under the store's root (including stray temp files)."""
    if not store.root.exists():
        return []
    return sorted(p for p in store.root.rglob("*") if p.is_file())


@contextmanager
def postgres_database() -> Iterator[Engine]:
    """A fresh, empty database on the test server (ARSIP_TEST_POSTGRES_URL), dropped afterwards."""
    url = os.environ.get("ARSIP_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("ARSIP_TEST_POSTGRES_URL is not set (scripts/test.sh starts a server)")
    with scratch_database(url, "arsip_test") as db_url:
        engine = make_engine(db_url)
        try:
            yield engine
        finally:
            engine.dispose()
