#!/usr/bin/env python3
"""Ingestion through the queue: pages per second with 1 and 2 workers, the queue's own cost per
job, and the peak memory of a worker.

Usage: .venv/bin/python bench/ingest_scale.py [--postgres URL] [--files DIR ...] [--scans]
                                              [--empty N] [--long-scan PAGES] [--workers N ...]
       bash bench/ingest_scale_pg.sh [same options]   (a throw-away PostgreSQL server, fsync on)

- files: the born-digital PDFs of ../shared/corpus and ../shared/real by default (their ground
  truth says `scanned: false`); `--scans` adds the scanned ones (OCR: much slower);
- for 1 and then 2 `arsip worker` processes: a fresh archive (SQLite data dir by default; with
  `--postgres` a scratch database on that server and the PostgreSQL search engine), every file
  queued with `arsip ingest --queue`, wall time from the workers' start to the last outcome,
  pages/s, and the peak memory of each worker (the PSS of its process tree: the worker, the OCR
  fork server, its OCR processes and their Tesseract calls, each kind's share at the peak; and
  the RSS of its largest process; sampled every 0.2 s, a sample taken again when a process
  started or ended while it was read, a vfork'd child sharing its parent's memory counted once);
- empty jobs: N jobs of a task that does nothing, queued then run by one worker in this process:
  enqueue and run rates, i.e. the engine's own overhead per job (SQLite, and PostgreSQL if given);
- `--long-scan PAGES`: one scan of that many pages (pages of the corpus scans repeated), read by
  one worker: its time and the worker's peak memory (the issue's bound: under 600 MB for 142
  pages).  Every minute a run prints the pages read so far (the files' `pages_done` progress)
  and the peak so far, so a run cut short still says something.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))


def pick_files(dirs: list[Path], scans: bool) -> list[Path]:
    """PDFs of `dirs`; scans only when asked (by their ground truth)."""
    out = []
    for d in dirs:
        for pdf in sorted(d.glob("*.pdf")):
            gt = pdf.with_suffix(".json")
            scanned = gt.exists() and json.loads(gt.read_text()).get("scanned")
            if scans or not scanned:
                out.append(pdf)
    return out


def pages_of(files: list[Path]) -> int:
    from pypdf import PdfReader

    return sum(len(PdfReader(f).pages) for f in files)


def environ(data: Path, database_url: str | None) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("ARSIP_")}
    e.update(PYTHONPATH=str(REPO), ARSIP_DATA_DIR=str(data))
    if database_url:
        e.update(ARSIP_DATABASE_URL=database_url, ARSIP_SEARCH_ENGINE="postgres")
    return e


def arsip(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, check=True,
                   capture_output=True, timeout=600)


@dataclass
class Memory:
    """One sample of a worker's process tree: PSS of the tree, RSS of its largest process, and
    the PSS of each kind of process in it (the worker, the OCR fork server, OCR processes,
    Tesseract), in bytes."""

    pss: int = 0
    biggest: int = 0
    parts: dict[str, int] = field(default_factory=dict)

    def peak(self, other: Memory | None) -> Memory:
        """The larger of two samples by tree PSS (the largest RSS is the larger of both)."""
        if other is None:
            return self
        top = self if self.pss >= other.pss else other
        return Memory(top.pss, max(self.biggest, other.biggest), top.parts)

    def describe(self) -> str:
        parts = ", ".join(f"{k} {v / 2**20:.0f}" for k, v in sorted(self.parts.items()))
        return f"tree PSS {self.pss / 2**20:.0f} MB ({parts}), largest process RSS {self.biggest / 2**20:.0f} MB"


def _members(pgid: int) -> dict[int, tuple[str, ...]]:
    """The processes of group `pgid`: pid -> (start time, name, parent pid)."""
    out: dict[int, tuple[str, ...]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, rest = stat.read_text().rsplit(")", 1)
            fields = rest.split()
            if int(fields[2]) == pgid:  # field 5 (pgrp), after pid and (comm)
                out[int(stat.parent.name)] = (fields[19], head.split("(", 1)[1], fields[1])
        except (OSError, ValueError, IndexError):
            continue
    return out


def tree_memory(pgid: int, tries: int = 5) -> Memory | None:
    """PSS of the whole process group `pgid`, the largest RSS of one of its processes, and the
    PSS per kind of process; None when no consistent sample could be taken.

    PSS (proportional set size, /proc/PID/smaps_rollup) shares each page among the processes
    mapping it, so forked OCR children are not counted twice as a sum of RSS would.  Two things
    could still count memory twice, and are ruled out: the group changing while it is read (a
    process forked, ended or exec'd between two reads: the sample is taken again while the
    list of processes before and after differs), and a child started by vfork (Python's
    subprocess, i.e. pytesseract starting Tesseract) that shares its parent's memory until it
    execs: the same address space reports the same rollup, which is counted once.
    """
    page = os.sysconf("SC_PAGE_SIZE")
    for _ in range(tries):
        before = _members(pgid)
        rollups: dict[int, tuple[str, int]] = {}
        for pid in before:
            try:
                text = Path(f"/proc/{pid}/smaps_rollup").read_text()
                rss = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[21]) * page
            except (OSError, ValueError, IndexError):
                continue
            rollups[pid] = (text, rss)
        if before and _members(pgid) == before:
            break
    else:
        return None
    sample, seen = Memory(), set()
    for pid, (text, rss) in rollups.items():
        body = text.split("\n", 1)[-1]  # the first line names the address range only
        if body in seen:
            continue
        seen.add(body)
        pss = sum(int(line.split()[1]) * 1024 for line in body.splitlines() if line.startswith("Pss:"))
        kind = _kind(pid, pgid, before)
        sample.pss += pss
        sample.parts[kind] = sample.parts.get(kind, 0) + pss
        sample.biggest = max(sample.biggest, rss)
    return sample


def _kind(pid: int, pgid: int, members: dict[int, tuple[str, ...]]) -> str:
    """What a process of the worker's group is: the worker, the OCR fork server (started by the
    worker), an OCR process (forked by the fork server), Tesseract, or its own name."""
    name, parent = members[pid][1], int(members[pid][2])
    if pid == pgid:
        return "worker"
    if "tesseract" in name:
        return "tesseract"
    try:
        forkserver = b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        forkserver = False
    if forkserver and parent == pgid:
        return "forkserver"
    if parent in members and parent != pgid or forkserver:
        return "ocr"
    return name


def done_count(uploads: Path) -> int:
    n = 0
    for path in uploads.glob("*/[0-9][0-9][0-9].json"):
        with contextlib.suppress(OSError, ValueError):  # being replaced this very moment
            n += json.loads(path.read_text()).get("state") == "selesai"
    return n


def pages_read(uploads: Path) -> int:
    """Pages read so far of the files being read (their progress, `pages_done`)."""
    n = 0
    for path in uploads.glob("*/[0-9][0-9][0-9].json"):
        with contextlib.suppress(OSError, ValueError):
            state = json.loads(path.read_text())
            n += state.get("pages_done") or (state.get("pages") or 0) * (state.get("state") == "selesai")
    return n


def run_workers(files: list[Path], workers: int, database_url: str | None,
                timeout: float = 3600) -> tuple[float, list[Memory], dict[str, int]]:
    """Queue `files`, run `workers` worker processes to the end: seconds, peak memory each
    (PSS of its process tree, RSS of its largest process, the tree's parts), outcomes."""
    with tempfile.TemporaryDirectory(prefix="arsip-bench-") as tmp:
        data = Path(tmp) / "data"
        env = environ(data, database_url)
        arsip(["ingest", "--queue", *map(str, files)], env)
        t0 = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True) for _ in range(workers)]
        peaks = [Memory() for _ in range(workers)]
        said = t0
        try:
            while done_count(data / "uploads") < len(files):
                if time.perf_counter() - t0 > timeout:
                    raise TimeoutError("workers did not finish")
                for i, p in enumerate(procs):
                    sample = tree_memory(p.pid)
                    peaks[i] = sample.peak(peaks[i]) if sample else peaks[i]
                if time.perf_counter() - said > 60:  # a long run shows it is alive, and how far
                    said = time.perf_counter()
                    print(f"  ... {said - t0:.0f} s: {pages_read(data / 'uploads')} pages read, "
                          "peak so far: " + "; ".join(m.describe() for m in peaks)
                          + f"; load {os.getloadavg()[0]:.1f}", flush=True)
                time.sleep(0.2)
            seconds = time.perf_counter() - t0
        finally:
            for p in procs:
                os.killpg(p.pid, signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(60)
                except subprocess.TimeoutExpired:  # stopped mid-file: it would finish it first
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
        outcomes: dict[str, int] = {}
        for path in (data / "uploads").glob("*/[0-9][0-9][0-9].json"):
            o = json.loads(path.read_text()).get("outcome", "?")
            outcomes[o] = outcomes.get(o, 0) + 1
        return seconds, peaks, outcomes


def empty_jobs(n: int, database_url: str | None) -> tuple[float, float]:
    """Jobs per second: enqueueing `n` empty jobs, then one worker running them."""
    import procrastinate

    from api.queue.engine import ensure_schema, make_app
    from api.settings import Settings

    with tempfile.TemporaryDirectory(prefix="arsip-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=database_url)
        ensure_schema(settings)
        app = make_app(settings)
        app.task(name="bench.kosong", queue="bench")(lambda: None)
        with app.open():
            t = time.perf_counter()
            for _ in range(n):
                app.configure_task("bench.kosong", queue="bench").defer()
            enqueue = n / (time.perf_counter() - t)

        async def run() -> float:
            async with app.open_async():
                t = time.perf_counter()
                await app.run_worker_async(queues=["bench"], wait=False, concurrency=1,
                                           listen_notify=False, install_signal_handlers=False,
                                           delete_jobs=procrastinate.jobs.DeleteJobCondition.NEVER)
                return n / (time.perf_counter() - t)

        return enqueue, asyncio.run(run())


def long_scan(pages: int, folder: Path) -> Path:
    """A scan of `pages` pages: the corpus scans' pages, repeated."""
    from pypdf import PdfReader, PdfWriter

    sources = [PdfReader(p) for p in sorted((SHARED / "corpus").glob("*-scan.pdf"))]
    all_pages = [page for r in sources for page in r.pages]
    writer = PdfWriter()
    for i in range(pages):
        writer.add_page(all_pages[i % len(all_pages)])
    out = folder / f"pindaian-{pages}-halaman.pdf"
    with out.open("wb") as f:
        writer.write(f)
    return out


def scratch(url: str | None, name: str) -> AbstractContextManager[str | None]:
    """A scratch database on the server at `url`, or None (SQLite) without one."""
    from contextlib import nullcontext

    from archive.db import scratch_database

    return scratch_database(url, name) if url else nullcontext(None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--postgres", help="a PostgreSQL server URL (a scratch database is made there)")
    ap.add_argument("--files", nargs="*", type=Path,
                    default=[SHARED / "corpus", SHARED / "real"])
    ap.add_argument("--scans", action="store_true", help="read the scanned files too")
    ap.add_argument("--empty", type=int, default=500, help="empty jobs for the queue's overhead")
    ap.add_argument("--long-scan", type=int, default=0, help="pages of the long-scan memory run")
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    args = ap.parse_args()
    # a SIGTERM (e.g. from `timeout`) still runs the `finally` that stops the workers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    for storage, url in (("SQLite", None), ("PostgreSQL", args.postgres)):
        if not args.empty or (storage == "PostgreSQL" and not url):
            continue
        with scratch(url, "arsip_bench") as db:
            enq, run = empty_jobs(args.empty, db)
        print(f"empty jobs ({storage}): enqueue {enq:.0f}/s, run {run:.0f}/s "
              f"({1000 / run:.1f} ms per job)")

    files = pick_files(args.files, args.scans)
    if files and args.workers:
        pages = pages_of(files)
        print(f"files: {len(files)}, {pages} pages ({'with' if args.scans else 'without'} scans)")
        base = None
        for n in args.workers:
            with scratch(args.postgres, "arsip_bench") as db:
                seconds, peaks, outcomes = run_workers(files, n, db)
            rate = pages / seconds
            base = base or rate
            mem = "; ".join(m.describe() for m in peaks)
            print(f"{n} worker(s) ({'PostgreSQL' if db else 'SQLite'}): {seconds:.1f} s, "
                  f"{rate:.2f} pages/s ({rate / base:.2f}x), peak memory per worker: {mem}; "
                  f"outcomes {outcomes}; load {os.getloadavg()[0]:.1f}")

    if args.long_scan:
        with tempfile.TemporaryDirectory(prefix="arsip-bench-") as tmp:
            scan = long_scan(args.long_scan, Path(tmp))
            with scratch(args.postgres, "arsip_bench") as db:
                seconds, peaks, outcomes = run_workers([scan], 1, db)
        print(f"long scan ({args.long_scan} pages): {seconds:.0f} s "
              f"({args.long_scan / seconds:.2f} pages/s), peak memory of the worker: {peaks[0].describe()}; "
              f"outcome {outcomes}; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
