"""Letter numbering: formats, scopes, yearly restart, reservation, void, sisipan, and concurrency.

The concurrency tests run on SQLite always and on PostgreSQL when ARSIP_TEST_POSTGRES_URL is set
(scripts/test.sh starts a throw-away server).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from archive import numbering as nb
from archive.db import current_revision, make_engine, scratch_database, upgrade
from archive.errors import BadInputError, ConflictError, NotFoundError
from archive.models_letters import Letter, LetterCounter

PG_URL = os.environ.get("ARSIP_TEST_POSTGRES_URL")
OFFICE = "bappeda"
FMT = nb.NumberFormat("{kka}/{urut:03d}/{unit}/{tahun}", scope="unit", unit="35.73.411",
                      default_kka="000.5.3.1")


def _create_schema(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'arsip.db'}"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    eng = _create_schema(sqlite_url)
    nb.set_format(eng, OFFICE, FMT)
    yield eng
    eng.dispose()


def _pg_database() -> Iterator[str]:
    """A fresh database on the test server, dropped afterwards."""
    assert PG_URL
    with scratch_database(PG_URL, "arsip_numbering") as url:
        yield url


BACKENDS = ["sqlite", pytest.param("postgresql", marks=[
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="ARSIP_TEST_POSTGRES_URL not set")])]


@pytest.fixture(params=BACKENDS)
def any_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """A database URL with the letter tables and the office's format: SQLite, and PostgreSQL if set."""
    if request.param == "sqlite":
        url = sqlite_url
        yield from _prepared(url)
    else:
        for url in _pg_database():
            yield from _prepared(url)


def _prepared(url: str) -> Iterator[str]:
    eng = _create_schema(url)
    nb.set_format(eng, OFFICE, FMT)
    eng.dispose()
    yield url


def entry(d: str = "2024-03-05", **kw: Any) -> nb.LetterEntry:
    return nb.LetterEntry(tanggal=date.fromisoformat(d), **kw)


# --- concurrency -------------------------------------------------------------------------------
WORKERS = 64


def _allocate_many(url: str, n: int, start: Any, out: Any) -> None:
    """n threads on one engine, released together by `start`, each taking one number."""
    eng = make_engine(url, pool_size=n, max_overflow=0)
    barrier = threading.Barrier(n)

    def one() -> None:
        barrier.wait()
        try:
            out.put(nb.allocate(eng, OFFICE, entry(recipient="Inspektorat")).urut)
        except Exception as e:  # reported to the test, which fails on anything but an int
            out.put(repr(e))

    start.wait()
    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eng.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("processes,threads", [(1, 64), (64, 1), (4, 16)],
                         ids=["64-threads", "64-processes", "4x16-mixed"])
def test_concurrent_allocation_is_distinct_and_consecutive(any_url: str, processes: int,
                                                           threads: int) -> None:
    assert processes * threads == WORKERS
    ctx = mp.get_context("fork")
    start, out = ctx.Barrier(processes), ctx.Queue()
    procs = [ctx.Process(target=_allocate_many, args=(any_url, threads, start, out))
             for _ in range(processes)]
    for p in procs:
        p.start()
    got = [out.get(timeout=120) for _ in range(WORKERS)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert sorted(got) == list(range(1, WORKERS + 1))
    eng = make_engine(any_url)
    with Session(eng) as s:
        rows = s.scalars(select(Letter.number).order_by(Letter.urut)).all()
        assert len(set(rows)) == WORKERS
        assert rows[0] == "000.5.3.1/001/35.73.411/2024" and rows[-1].endswith("/064/35.73.411/2024")
        assert s.scalar(select(LetterCounter.last_value)) == WORKERS
    eng.dispose()


def test_failed_transaction_leaves_no_gap(any_url: str) -> None:
    eng = make_engine(any_url)
    nb.allocate(eng, OFFICE, entry())
    with pytest.raises(RuntimeError), nb.write_transaction(eng) as s:
        nb._bump_counter(s, OFFICE, FMT.unit, 2024)
        raise RuntimeError("renderer crashed")
    assert nb.allocate(eng, OFFICE, entry()).urut == 2
    eng.dispose()


def test_migration_goes_down_and_up(sqlite_url: str) -> None:
    eng = _create_schema(sqlite_url)
    assert current_revision(eng) is not None
    from alembic import command

    from archive.db import alembic_config

    with eng.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0001_core")
    with eng.connect() as conn:
        assert "letters" not in inspect(conn).get_table_names()
    upgrade(eng)
    with eng.connect() as conn:
        assert {"letters", "letter_items", "letter_counters", "letter_formats"} <= set(
            inspect(conn).get_table_names())
    eng.dispose()


# --- formats, scopes, years -------------------------------------------------------------------
def test_format_renders_patterns() -> None:
    d = date(2019, 4, 2)
    assert FMT.render(kka="800", urut=7, tanggal=d) == "800/007/35.73.411/2019"
    assert FMT.render(kka="800", urut=None, tanggal=d) == "800/      /35.73.411/2019"
    short = nb.NumberFormat("{kka}/{urut}/{romawi}/{tahun}", sisipan_style="letter")
    assert short.render(kka="050", urut=15, tanggal=d, sisipan=1) == "050/15a/IV/2019"
    assert FMT.render(kka="800", urut=15, tanggal=d, sisipan=1) == "800/015.01/35.73.411/2019"
    no_year = nb.NumberFormat("{urut:03d}/DINKES")
    assert no_year.render(kka="", urut=3, tanggal=d) == "003/DINKES"


@pytest.mark.parametrize("pattern", ["{kka}/{tahun}", "{kka}/{urut}/{kode}", "{urut"])
def test_bad_patterns_refused(pattern: str) -> None:
    with pytest.raises((BadInputError, ValueError)):
        nb.NumberFormat(pattern)


def test_unit_scope_shares_one_counter_across_kka(engine: Engine) -> None:
    a = nb.allocate(engine, OFFICE, entry(kka="000.8.6.3"))
    b = nb.allocate(engine, OFFICE, entry(kka="000.7.2.7"))
    assert (a.urut, b.urut) == (1, 2)
    assert b.number == "000.7.2.7/002/35.73.411/2024"


def test_kka_scope_counts_per_classification(engine: Engine) -> None:
    nb.set_format(engine, "dinkes", nb.NumberFormat("{kka}/{urut}/{unit}/{tahun}", scope="kka",
                                                    unit="DINKES"))
    got = [nb.allocate(engine, "dinkes", entry(kka=k)).number
           for k in ("000.8.6.3", "000.8.6.3", "000.7.2.7")]
    assert got == ["000.8.6.3/1/DINKES/2024", "000.8.6.3/2/DINKES/2024", "000.7.2.7/1/DINKES/2024"]
    # offices never share a counter
    assert nb.allocate(engine, OFFICE, entry(kka="000.8.6.3")).urut == 1


def test_counter_restarts_each_year(engine: Engine) -> None:
    assert nb.allocate(engine, OFFICE, entry("2024-12-31")).urut == 1
    assert nb.allocate(engine, OFFICE, entry("2024-12-31")).urut == 2
    first = nb.allocate(engine, OFFICE, entry("2025-01-02"))
    assert (first.urut, first.year) == (1, 2025)
    assert first.number.endswith("/001/35.73.411/2025")
    assert nb.allocate(engine, OFFICE, entry("2024-12-31")).urut == 3


def test_missing_format_or_kka_is_explained(engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="arsip letter format"):
        nb.allocate(engine, "nowhere", entry())
    nb.set_format(engine, "nokka", nb.NumberFormat(unit="X"))
    with pytest.raises(BadInputError, match="KKA"):
        nb.allocate(engine, "nokka", entry())


# --- reservation, void, sisipan --------------------------------------------------------------
def test_reserve_then_confirm(engine: Engine) -> None:
    r = nb.allocate(engine, OFFICE, entry(), reserve=True)
    assert r.status == "reserved"
    assert nb.allocate(engine, OFFICE, entry()).urut == r.urut + 1
    c = nb.confirm(engine, r.number.replace("/", " / "), tanggal=date(2024, 3, 9))
    assert c.status == "confirmed" and c.number == r.number
    with Session(engine) as s:
        assert s.get(Letter, r.letter_id).tanggal == date(2024, 3, 9)  # type: ignore[union-attr]
    with pytest.raises(ConflictError):
        nb.confirm(engine, r.number)


def test_void_keeps_number_in_register(engine: Engine) -> None:
    a = nb.allocate(engine, OFFICE, entry(), reserve=True)
    with pytest.raises(BadInputError):
        nb.void(engine, a.number, "  ")
    v = nb.void(engine, a.number, "Draf dibatalkan kepala dinas")
    assert v.status == "void"
    with pytest.raises(ConflictError):
        nb.void(engine, a.number, "lagi")
    with pytest.raises(ConflictError):
        nb.confirm(engine, a.number)
    assert nb.allocate(engine, OFFICE, entry()).urut == 2  # the void number is not reused
    with Session(engine) as s:
        row = s.get(Letter, a.letter_id)
        assert row is not None and row.void_reason == "Draf dibatalkan kepala dinas"
    with pytest.raises(NotFoundError):
        nb.void(engine, "000/999/X/2024", "tidak ada")


def test_insert_number_does_not_advance_counter(engine: Engine) -> None:
    for _ in range(16):
        nb.allocate(engine, OFFICE, entry("2024-05-01"))
    s1 = nb.insert_number(engine, OFFICE, 15, entry("2024-05-02", recipient="BPK"))
    s2 = nb.insert_number(engine, OFFICE, 15, entry("2024-05-02"))
    assert s1.number == "000.5.3.1/015.01/35.73.411/2024"
    assert s2.number == "000.5.3.1/015.02/35.73.411/2024"
    assert nb.allocate(engine, OFFICE, entry("2024-05-03")).urut == 17
    with pytest.raises(BadInputError):
        nb.insert_number(engine, OFFICE, 40, entry("2024-05-03"))
    with pytest.raises(BadInputError):
        nb.insert_number(engine, OFFICE, 15, entry("2024-04-01"))  # before its base letter
    with pytest.raises(BadInputError):
        nb.insert_number(engine, OFFICE, 1, entry("2023-05-03"))  # no number of 2023 yet


def test_repeated_number_needs_year(engine: Engine) -> None:
    nb.set_format(engine, "dinkes", nb.NumberFormat("{urut:03d}/DINKES", scope="office"))
    nb.allocate(engine, "dinkes", entry("2023-02-01"))
    nb.allocate(engine, "dinkes", entry("2024-02-01"))
    with pytest.raises(BadInputError, match="tahun"):
        nb.void(engine, "001/DINKES", "salah")
    assert nb.void(engine, "001/dinkes", "salah", year=2024).year == 2024
