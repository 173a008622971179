"""The crash matrix: `arsip ingest` (and a letter) SIGKILLed at chosen points, then run again.

Each point is a `crash_point(name)` in the code (ARSIP_TEST_KILL_AT=<name>, a no-op otherwise).
After the kill the same command runs again, as a person would; then the archive must hold each
original exactly once, no row without its file and no file without its row, no temp files, an
index caught up with the database, and `arsip check` clean.  OCR uses the fake engine (the kill
points are about storage, not reading), so each case takes a few seconds.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.store import sha256_file
from tests.ingest.scan_images import scan_pdf, text_page

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
# the CLI with OCR on the fake engine (test code: the crash points do not care how pages are read)
RUN = """
import sys
from api.settings import Settings
from ingest.ocr import OcrOptions
Settings.ocr_options = lambda self: OcrOptions(engine="fake", jobs=2)
from api.cli import main
sys.argv[0] = "arsip"
main()
"""
INGEST_POINTS = ["store_write", "stored", "before_commit", "committed", "index", "searchable"]


def _arsip(data: Path, *args: str, kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(REPO), "ARSIP_DATA_DIR": str(data), "PATH": os.environ["PATH"],
           "HOME": str(data.parent)}
    if kill_at:
        env["ARSIP_TEST_KILL_AT"] = kill_at
    return subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=300)


def _originals(tmp_path: Path) -> list[Path]:
    """A born-digital PDF and a one-page scan (which gets a searchable copy)."""
    scan = scan_pdf(tmp_path / "scan.pdf", text_page(["PEMERINTAH KOTA SAMARINDA",
                                                      "LAPORAN KINERJA 2024"]))
    return [SAMPLES / "form-bpkad-2023-03.pdf", scan]


def _rows(data: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data / "arsip.db") as conn:
        return conn.execute(sql).fetchall()


def _assert_whole(data: Path, originals: list[Path]) -> None:
    """Each original once, every row with its file and every file with its row, no temp files."""
    wanted = {sha256_file(p) for p in originals}
    rows = _rows(data, "SELECT sha256, role FROM files")
    assert sorted(s for s, role in rows if role == "original") == sorted(wanted)
    assert len(rows) == len({s for s, _ in rows})  # no file twice
    assert {s for s, role in rows if role == "searchable"}  # the scan's copy made it too
    stored = {p.name for p in (data / "files").glob("??/*")}
    assert stored == {s for s, _ in rows}, "orphan files or rows"
    versions = _rows(data, "SELECT id FROM versions")
    assert len(versions) == len(originals)
    assert _rows(data, "SELECT count(*) FROM versions v LEFT JOIN files f ON f.version_id = v.id "
                       "WHERE f.id IS NULL") == [(0,)]
    assert _rows(data, "SELECT count(*) FROM jobs WHERE status IN ('failed', 'running')") == [(0,)]
    assert not list((data / "files").rglob(".incoming-*"))
    assert not [p for p in (data / "tmp").rglob("*")] if (data / "tmp").exists() else True
    assert not (data / "index.new").exists() and not (data / "index.old").exists()


@pytest.mark.parametrize("point", INGEST_POINTS)
def test_ingest_killed_at_a_point_then_run_again(point: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    originals = _originals(tmp_path)
    killed = _arsip(data, "ingest", *map(str, originals), kill_at=point)
    assert killed.returncode == -signal.SIGKILL, (point, killed.stdout, killed.stderr)
    again = _arsip(data, "ingest", *map(str, originals))
    assert again.returncode == 0, (point, again.stdout, again.stderr)
    assert "Traceback" not in again.stderr and "gagal:" not in again.stdout, again.stdout
    counts = again.stdout.strip().splitlines()[-1]
    assert counts.startswith(f"{len(originals)} berkas:") and "0 ditolak, 0 gagal" in counts, counts
    check = _arsip(data, "check", "--json")
    assert check.returncode == 0, (point, check.stdout, check.stderr)
    report = json.loads(check.stdout)
    assert report["ok"] and report["store"]["checked"] == 3, report  # two originals, one copy
    assert not (report["index"]["versions_not_indexed"] or report["index"]["entries_without_version"])
    _assert_whole(data, originals)


def test_a_letter_killed_during_its_allocation_keeps_numbers_gapless(tmp_path: Path) -> None:
    data = tmp_path / "data"
    letter = json.loads((REPO / "tests" / "data" / "letter-lkjip.json").read_text(encoding="utf-8"))
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"kop": letter["kop"], "pengirim": letter["pengirim"],
                                   "tempat": "Samarinda"}), encoding="utf-8")
    assert _arsip(data, "letter", "format", "bappeda-smd", "--unit", "35.73.411",
                  "--kka", "000.5.3.1", "--profile", str(profile)).returncode == 0
    new = ["letter", "new", "--office", "bappeda-smd", "--date", "2026-12-01", "--to", "Kepala BPKAD",
           "--di", "Samarinda", "--item", "LKjIP 2025|3|eksemplar|Untuk arsip"]
    killed = _arsip(data, *new, kill_at="letter")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _rows(data, "SELECT count(*) FROM letters") == [(0,)]
    done = _arsip(data, *new)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("000.5.3.1/001/35.73.411/2026"), done.stdout  # the number not lost
    assert _rows(data, "SELECT urut FROM letters") == [(1,)]
    check = _arsip(data, "check")
    assert check.returncode == 0 and "semua cocok" in check.stdout, check.stdout
