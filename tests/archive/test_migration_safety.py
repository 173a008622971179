"""Migrations that cannot lose data (SQLite): every row survives a downgrade and upgrade, and a
process killed at any statement of any migration leaves an archive the next command upgrades.

The kill is a SQLAlchemy event in a forked child (test code only): after statement N the child
SIGKILLs itself, for every N from the first statement to the last.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from archive.db import (
    alembic_config,
    current_revision,
    downgrade,
    foreign_key_violations,
    make_engine,
    upgrade,
)

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

SCRIPT = ScriptDirectory.from_config(alembic_config())
HEAD = SCRIPT.get_current_head()
REVISIONS = [r.revision for r in SCRIPT.walk_revisions()]  # newest first
ROOT = REVISIONS[-1]
SHA = "ab" * 32


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _populate(path: Path) -> None:
    """An archive with rows in every table, written at the oldest revisions that have them."""
    upgrade(_url(path), "0002_letters")
    engine = make_engine(_url(path))
    with engine.begin() as c:
        for d in (1, 2):
            c.execute(text("INSERT INTO documents (id, doc_type, identity_key, title, created_at) "
                           "VALUES (:d, 'sop', :k, 'Pelayanan', '2024-01-01')"), {"d": d, "k": f"k{d}"})
            for no in (1, 2):
                v = d * 10 + no
                c.execute(text("INSERT INTO versions (id, document_id, version_no, status, uploaded_at,"
                               " extraction) VALUES (:v, :d, :no, 'berlaku', '2024-01-01', '{}')"),
                          {"v": v, "d": d, "no": no})
                c.execute(text("INSERT INTO files (version_id, sha256, size, mime, storage_path, "
                               "scanned, role) VALUES (:v, :h, 3, 'application/pdf', 'x', 0, "
                               "'original')"), {"v": v, "h": f"{v:064d}"})
                for pos in (1, 2, 3):
                    c.execute(text("INSERT INTO steps (version_id, position, kegiatan) "
                                   "VALUES (:v, :p, 'langkah')"), {"v": v, "p": pos})
                    c.execute(text("INSERT INTO indicators (version_id, position, indikator, "
                                   "target_triwulan) VALUES (:v, :p, 'indikator', '[]')"),
                              {"v": v, "p": pos})
        c.execute(text("INSERT INTO jobs (kind, status, sha256, started_at) "
                       "VALUES ('ingest', 'done', :h, '2024-01-01')"), {"h": SHA})
        c.execute(text("INSERT INTO letter_counters (id, office, scope_key, year, last_value) "
                       "VALUES (1, 'dinas', 'umum', 2024, 2)"))
        for urut in (1, 2):
            c.execute(text(
                "INSERT INTO letters (id, counter_id, urut, sisipan, number, number_norm, office, kka,"
                " unit, year, tanggal, recipient, subject, status, created_at, document_id) VALUES "
                "(:u, 1, :u, 0, :n, :n, 'dinas', '000', 'umum', 2024, '2024-01-02', 'x', 'y', "
                "'confirmed', '2024-01-02', 1)"), {"u": urut, "n": f"000/{urut}/2024"})
            c.execute(text("INSERT INTO letter_items (letter_id, position, description, quantity, "
                           "unit, keterangan, version_id) VALUES (:u, 1, 'd', 1, 'lembar', '', 11)"),
                      {"u": urut})
    engine.dispose()


def _add_a_copy(path: Path) -> None:
    """A stamped copy of version 11 (the copies table comes with 0003)."""
    with sqlite3.connect(path) as c:
        c.execute("DELETE FROM files WHERE role = 'stamped'")
        file_id = c.execute("INSERT INTO files (version_id, sha256, size, mime, storage_path, "
                            "scanned, role) VALUES (11, ?, 3, 'application/pdf', 'x', 0, 'stamped')",
                            (SHA,)).lastrowid
        c.execute("INSERT INTO copies (code, version_id, source_file_id, file_id, issued_at, "
                  "certifier_jabatan, certifier_nama) VALUES ('K1', 11, 1, ?, '2024-01-03', "
                  "'Kepala', 'Nama')", (file_id,))


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'alembic_version'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _schema(path: Path) -> dict[str, tuple[list[object], ...]]:
    """Columns, indexes and foreign keys per table (not the CREATE text: a batch rebuild words it
    differently)."""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%'")]
        return {t: (conn.execute(f'PRAGMA table_info("{t}")').fetchall(),
                    sorted(conn.execute(f'PRAGMA index_list("{t}")').fetchall()),
                    sorted(conn.execute(f'PRAGMA foreign_key_list("{t}")').fetchall()))
                for t in sorted(tables)}


def _fk_clean(path: Path) -> bool:
    engine = make_engine(_url(path))
    try:
        with engine.connect() as c:
            return foreign_key_violations(c) == []
    finally:
        engine.dispose()


def _revision(path: Path) -> str | None:
    engine = make_engine(_url(path))
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def _snapshot(src: Path, dst: Path) -> None:
    """A consistent copy of an SQLite database (WAL included)."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)


def test_downgrade_and_upgrade_through_every_revision_keeps_every_row(tmp_path: Path) -> None:
    db = tmp_path / "arsip.db"
    _populate(db)
    upgrade(_url(db))
    _add_a_copy(db)
    before = _counts(db)
    assert before["steps"] == 12 and before["files"] == 5 and before["letter_items"] == 2
    assert before["copies"] == 1
    for revision in REVISIONS[1:]:  # each older revision in turn, then back to the newest
        downgrade(_url(db), revision)
        assert _revision(db) == revision
        now = _counts(db)
        assert {t: before[t] for t in now} == now, f"rows lost going down to {revision}"
        assert _fk_clean(db)
        upgrade(_url(db))
        after = _counts(db)  # tables the downgrade dropped come back empty; the rest as before
        assert after == {t: before[t] if t in now else 0 for t in before}, (
            f"rows lost going up from {revision}")
        assert _fk_clean(db)
        _add_a_copy(db) if after["copies"] == 0 else None


def _statements_in_child(path: Path, work: Callable[[], None], kill_after: int | None) -> int:
    """Run `work` in a forked child that SIGKILLs itself after statement `kill_after`.

    Returns the child's wait status, or (kill_after None) the number of statements it ran.
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read)
        code = 0
        try:
            seen = [0]

            @event.listens_for(Engine, "after_cursor_execute")
            def _count(*_args: object) -> None:
                seen[0] += 1
                if kill_after is not None and seen[0] >= kill_after:
                    os.kill(os.getpid(), signal.SIGKILL)

            work()
            os.write(write, str(seen[0]).encode())
        except BaseException:  # noqa: BLE001 - reported to the parent by the exit code
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as fh:
        out = fh.read()
    _, status = os.waitpid(pid, 0)
    if kill_after is None:
        assert os.waitstatus_to_exitcode(status) == 0
        return int(out)
    return status


SCENARIOS = {
    "new": (None, lambda db: upgrade(_url(db))),
    "populated_up": (ROOT, lambda db: upgrade(_url(db))),
    "populated_down": (HEAD, lambda db: downgrade(_url(db), ROOT)),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_kill_at_any_statement_leaves_an_archive_the_next_command_upgrades(
        scenario: str, tmp_path: Path) -> None:
    start_at, work = SCENARIOS[scenario]
    pristine = tmp_path / "pristine.db"
    if start_at is not None:
        _populate(pristine)
        (upgrade if start_at == HEAD else downgrade)(_url(pristine), start_at)  # type: ignore[operator]
    else:
        sqlite3.connect(pristine).close()
    reference = tmp_path / "reference.db"
    _snapshot(pristine, reference)
    total = _statements_in_child(reference, lambda: work(reference), None)
    upgrade(_url(reference))
    want_schema, start_counts = _schema(reference), _counts(pristine)
    assert total > 5
    killed = 0
    for n in range(1, total + 1):
        db = tmp_path / f"kill-{n}.db"
        _snapshot(pristine, db)
        status = _statements_in_child(db, lambda db=db: work(db), n)  # type: ignore[misc]
        killed += os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        assert _revision(db) in [None, *REVISIONS], f"kill after statement {n}"
        mid = _counts(db)  # a whole revision or none: the tables there keep every row
        assert mid == {t: start_counts.get(t, 0) for t in mid}, f"kill after statement {n}"
        upgrade(_url(db))  # the next command
        assert _revision(db) == HEAD, f"kill after statement {n}"
        assert _schema(db) == want_schema, f"kill after statement {n}: another schema"
        assert _counts(db) == {t: mid.get(t, 0) for t in want_schema if t != "alembic_version"}
        assert _fk_clean(db)
        for extra in db.parent.glob(f"{db.name}*"):
            extra.unlink()
    assert killed == total
