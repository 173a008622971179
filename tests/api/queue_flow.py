"""Helpers of the queue tests: small PDFs made in code, `arsip` processes, a kill in mid-job, and
the exactly-once checks on the archive."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text

from archive.db import make_engine
from archive.store import sha256_file
from tests.conftest import REPO


def make_pdfs(folder: Path, count: int, *, long_every: int = 0) -> list[Path]:
    """`count` distinct small letters (one page; every `long_every`-th has three)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for n in range(1, count + 1):
        path = folder / f"surat-{n:02d}.pdf"
        c = canvas.Canvas(str(path), pagesize=A4)
        pages = 3 if long_every and n % long_every == 0 else 1
        for page in range(pages):
            c.setFont("Helvetica", 11)
            lines = ["PEMERINTAH KABUPATEN CONTOH", f"DINAS UJI ANTREAN {n}",
                     f"Nomor: 800/{n:03d}/UJI/2024", "Perihal: Penyampaian laporan kinerja",
                     f"Dengan hormat, bersama ini kami sampaikan laporan nomor {n} halaman {page + 1}."]
            for i, line in enumerate(lines):
                c.drawString(72, 770 - 18 * i, line)
            c.showPage()
        c.save()
        made.append(path)
    return made


def env(data_dir: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of an `arsip` process for these tests (fast heartbeats, one OCR process)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("ARSIP_")}
    e.update(PYTHONPATH=str(REPO), ARSIP_DATA_DIR=str(data_dir), ARSIP_WORKER_HEARTBEAT="0.5",
             ARSIP_WORKER_STALLED_AFTER="3", ARSIP_OCR_JOBS="1")
    if database_url:
        e.update(ARSIP_DATABASE_URL=database_url, ARSIP_SEARCH_ENGINE="postgres")
    e.update(extra)
    return e


def arsip(args: Sequence[str], environ: dict[str, str], prefix: Sequence[str] = (),
          check: bool = True, timeout: float = 120, input: str | None = None
          ) -> subprocess.CompletedProcess[str]:
    """Run one `arsip` command to its end."""
    done = subprocess.run([*prefix, sys.executable, "-m", "api.cli", *args], env=environ,
                          capture_output=True, text=True, timeout=timeout, cwd=REPO, input=input)
    if check and done.returncode != 0:
        raise AssertionError(f"arsip {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


def start(args: Sequence[str], environ: dict[str, str], log: Path,
          prefix: Sequence[str] = ()) -> subprocess.Popen[bytes]:
    """Start a long-running `arsip` process (worker, serve), its output in `log`."""
    with log.open("ab") as out:
        return subprocess.Popen([*prefix, sys.executable, "-m", "api.cli", *args], env=environ,
                                stdout=out, stderr=subprocess.STDOUT, cwd=REPO,
                                start_new_session=True)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End a process we started (and its OCR children), politely then not."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(15)


def file_states(uploads: Path) -> list[dict[str, Any]]:
    """Every per-file state the jobs wrote (`<batch>/<NNN>.json`)."""
    states = []
    for path in uploads.glob("*/[0-9][0-9][0-9].json"):
        try:
            states.append({**json.loads(path.read_text()), "file": path.name,
                           "batch": path.parent.name})
        except (OSError, ValueError):
            continue  # being replaced this very moment
    return states


def kill_in_mid_job(proc: subprocess.Popen[bytes], uploads: Path, holds_pid: int,
                    timeout: float = 90) -> dict[str, Any]:
    """SIGKILL `proc` while process `holds_pid` is reading a file; that file's state.

    The process is frozen (SIGSTOP) first, then its state files are read: if it holds a file in
    the middle of reading, it dies there (SIGKILL); otherwise it runs on and we look again.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("the process ended before it could be killed")
        os.killpg(proc.pid, signal.SIGSTOP)
        holding = [s for s in file_states(uploads) if s.get("state") == "diproses"
                   and str(s.get("worker", "")).endswith(f":{holds_pid}")]
        if holding:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(15)
            return holding[0]
        os.killpg(proc.pid, signal.SIGCONT)
        time.sleep(0.05)
    raise AssertionError("the process never held a file")


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` until true, or fail saying `what` did not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


def all_done(uploads: Path, count: int) -> bool:
    """Every one of `count` files has an outcome."""
    return sum(1 for s in file_states(uploads) if s.get("state") == "selesai") >= count


def assert_archived_once(database_url: str, pdfs: Sequence[Path], uploads: Path) -> None:
    """Each file: one original in the archive, one `done` entry in the ingest log, an outcome."""
    shas = {sha256_file(p) for p in pdfs}
    engine = make_engine(database_url)
    try:
        with engine.connect() as c:
            originals = [r[0] for r in c.execute(text("SELECT sha256 FROM files WHERE role = 'original'"))]
            done = [r[0] for r in c.execute(text("SELECT sha256 FROM jobs WHERE status = 'done'"))]
    finally:
        engine.dispose()
    assert sorted(originals) == sorted(shas), "every file archived, none twice"
    assert sorted(done) == sorted(shas), "one `done` entry per file in the ingest log"
    outcomes = [s["outcome"] for s in file_states(uploads)]
    assert len(outcomes) == len(pdfs)
    assert set(outcomes) <= {"new_document", "new_version", "new_file", "duplicate"}, outcomes
    assert not any(p.is_dir() for p in uploads.glob("*/[0-9][0-9][0-9]")), "read files removed"
