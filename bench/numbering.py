"""Letter numbers allocated per second under 16 concurrent writers (processes, one counter).

    .venv/bin/python bench/numbering.py [--writers 16] [--seconds 5] [--postgres URL]

SQLite always (a fresh file in a temp dir); PostgreSQL too when --postgres or
ARSIP_TEST_POSTGRES_URL is given (a throw-away database is created and dropped).  Prints one line
per backend and checks that the numbers handed out are exactly 1..N.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from archive import numbering as nb  # noqa: E402
from archive.db import make_engine, scratch_database, upgrade  # noqa: E402
from archive.models_letters import Letter  # noqa: E402

OFFICE = "bench"


def _writer(url: str, start: Any, stop_at: Any, out: Any) -> None:
    engine = make_engine(url)
    entry = nb.LetterEntry(tanggal=date(2026, 1, 5), recipient="Inspektorat", subject="bench")
    start.wait()
    count = 0
    while time.monotonic() < stop_at.value:
        nb.allocate(engine, OFFICE, entry)
        count += 1
    engine.dispose()
    out.put(count)


def run(url: str, writers: int, seconds: float) -> tuple[int, float]:
    """Allocate from `writers` processes for `seconds`; returns (numbers, numbers per second)."""
    engine = make_engine(url)
    upgrade(engine)
    nb.set_format(engine, OFFICE, nb.NumberFormat(unit="35.73.411", default_kka="000.5.3.1"))
    ctx = mp.get_context("fork")
    start, out, stop_at = ctx.Barrier(writers + 1), ctx.Queue(), ctx.Value("d", 0.0)
    procs = [ctx.Process(target=_writer, args=(url, start, stop_at, out)) for _ in range(writers)]
    for p in procs:
        p.start()
    stop_at.value = time.monotonic() + seconds + 0.05
    t0 = time.monotonic()
    start.wait()
    total = sum(out.get(timeout=seconds + 120) for _ in procs)
    elapsed = time.monotonic() - t0
    for p in procs:
        p.join()
    with Session(engine) as s:
        uruts = s.scalars(select(Letter.urut).order_by(Letter.urut)).all()
    engine.dispose()
    if list(uruts) != list(range(1, total + 1)):
        raise SystemExit(f"numbers are not 1..{total}: {len(uruts)} rows, {len(set(uruts))} distinct")
    return total, total / elapsed


def main() -> None:
    """Run the benchmark and print one line per backend."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--writers", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--postgres", default=os.environ.get("ARSIP_TEST_POSTGRES_URL"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        n, rate = run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.writers, args.seconds)
        print(f"sqlite     {args.writers} writers: {n} numbers in {args.seconds:.0f}s = {rate:.0f} numbers/s "
              "(all distinct, consecutive)")
    if args.postgres:
        with scratch_database(args.postgres, "arsip_bench") as url:
            n, rate = run(url, args.writers, args.seconds)
        print(f"postgresql {args.writers} writers: {n} numbers in {args.seconds:.0f}s = {rate:.0f} numbers/s "
              "(all distinct, consecutive)")


if __name__ == "__main__":
    main()
