"""Helpers for archive tests: a migrated database and a file store under a temp dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from archive.db import make_engine, make_sessionmaker, upgrade
from archive.store import FileStore


def new_archive(root: Path) -> tuple[sessionmaker[Session], FileStore]:
    """A fresh SQLite archive (migrated to head) and store under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{root / 'arsip.db'}")
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
