#!/usr/bin/env python3
"""Scan throughput: `arsip ingest` against `ocrmypdf -l ind --jobs 2` on the same scanned files.

Usage: .venv/bin/python bench/ocr_throughput.py [DIR_OR_PDF ...] [--limit N] [--profile]
       (default: the scanned files of ../shared/real and ../shared/corpus, one line per folder)

Runs, in one run, file by file one tool after the other (never both at once, so each has both
cores; alternating so that both see the same load on a shared machine):
- ours: `arsip ingest FILE` into a fresh throw-away archive (a copy of an empty data dir made
  once, so the database's creation is not counted: an archive exists before files arrive):
  OCR on 2 worker processes, table structure, symbols, parsing, the searchable copy (original
  pages + invisible OCR text, what OCRmyPDF makes), the store, the database and the index;
- peer: `ocrmypdf -l ind --jobs 2 FILE OUT.pdf` (what people use today to make scans
  searchable; it extracts no structure).  A file it refuses because it already has text is run
  again with `--redo-ocr` (its invisible layer replaced, as ours does with a wrong layer).
Prints per file pages, both times and the ratio; per folder pages/s of both and the ratio
ours/peer (higher is better for ours), and the load average at the start and the end.  Beside
the wall times it prints the CPU seconds of each run (the tool and every process it waited for,
Tesseract included): on a machine shared with other work the wall ratio follows the load, the
CPU ratio much less.
Target (issue 14): >= 1.5x on the scans of ../shared/real, >= 1.2x on each of its files of
more than one page.

`--profile` also times the stages of ours per page (`ARSIP_STAGE_TIMES`, ingest/stagetimes.py)
and prints, per folder, seconds per stage and per OCR'd page, and the slowest pages' stages.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HAS_TEXT = 6  # ocrmypdf's exit status for PriorOcrFoundError / TaggedPDFError
REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
BIN = REPO / ".venv" / "bin"


@dataclass
class Row:
    """One file's figures."""

    name: str
    pages: int
    ours: float = 0.0
    peer: float = 0.0
    ours_cpu: float = 0.0
    peer_cpu: float = 0.0
    note: str = ""


@dataclass
class Group:
    """One folder's files and the load around its run."""

    name: str
    rows: list[Row] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)


def scanned_files(path: Path) -> list[Path]:
    """PDFs whose ground truth says scanned (a PDF given by name is taken as is)."""
    if path.is_file():
        return [path]
    out = []
    for pdf in sorted(path.glob("*.pdf")):
        gt = pdf.with_suffix(".json")
        if gt.exists() and json.loads(gt.read_text()).get("scanned"):
            out.append(pdf)
    return out


def page_count(pdf: Path) -> int:
    """Pages of `pdf` (pypdf)."""
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


@dataclass
class Timed:
    """Wall and CPU seconds of one command (CPU: it and every process it waited for)."""

    wall: float
    cpu: float
    result: subprocess.CompletedProcess[str]


def children_cpu() -> float:
    """CPU seconds of the children this process has waited for (and theirs)."""
    t = os.times()
    return t.children_user + t.children_system


def run(cmd: list[str], env: dict[str, str] | None = None) -> Timed:
    """Wall and CPU seconds and result of one command; a failure is reported, not hidden."""
    t, cpu = time.perf_counter(), children_cpu()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    timed = Timed(time.perf_counter() - t, children_cpu() - cpu, r)
    if r.returncode not in (0, HAS_TEXT):
        print(f"  ! exit {r.returncode}: {' '.join(cmd[:3])} ... {r.stderr.strip()[-300:]}", file=sys.stderr)
    return timed


def empty_archive(tmp: Path) -> Path:
    """An empty data dir (database migrated, index made), copied for every file."""
    template = tmp / "template"
    env = {**os.environ, "ARSIP_DATA_DIR": str(template)}
    subprocess.run([str(BIN / "arsip"), "reindex"], check=True, capture_output=True, env=env)
    return template


def time_ours(pdf: Path, template: Path, tmp: Path, times: Path | None) -> tuple[Timed, str]:
    """Seconds of `arsip ingest` of `pdf` into a fresh copy of the empty archive."""
    data = tmp / "ours"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(template, data)
    env = {**os.environ, "ARSIP_DATA_DIR": str(data)}
    if times is not None:
        env["ARSIP_STAGE_TIMES"] = str(times)
    timed = run([str(BIN / "arsip"), "ingest", str(pdf)], env)
    if timed.result.returncode != 0:
        return timed, f"exit {timed.result.returncode}"
    return timed, "" if _has_copy(data) else "no searchable copy"


def _has_copy(data: Path) -> bool:
    """Two files stored: the original and its searchable copy."""
    return sum(1 for f in (data / "files").rglob("*") if f.is_file()) >= 2


def time_peer(pdf: Path, out: Path) -> tuple[Timed, str]:
    """Seconds of `ocrmypdf -l ind --jobs 2` on `pdf`."""
    ocrmypdf = shutil.which("ocrmypdf", path=str(BIN)) or "ocrmypdf"
    cmd = [ocrmypdf, "-q", "-l", "ind", "--jobs", "2", str(pdf), str(out)]
    timed = run(cmd)
    if timed.result.returncode == HAS_TEXT:
        return run([*cmd[:2], "--redo-ocr", *cmd[2:]]), "peer --redo-ocr"
    return timed, "" if timed.result.returncode == 0 else f"peer exit {timed.result.returncode}"


def load() -> float:
    """The one-minute load average."""
    return os.getloadavg()[0]


def bench_group(name: str, files: list[Path], tmp: Path, times: Path | None) -> Group:
    """Both tools on `files`, alternating file by file."""
    group = Group(name)
    start = load()
    template = empty_archive(tmp)
    for pdf in files:
        row = Row(pdf.name, page_count(pdf))
        ours, note_ours = time_ours(pdf, template, tmp, times)
        peer, note_peer = time_peer(pdf, tmp / "peer.pdf")
        row.ours, row.ours_cpu, row.peer, row.peer_cpu = ours.wall, ours.cpu, peer.wall, peer.cpu
        row.note = " ".join(n for n in (note_ours, note_peer) if n)
        group.rows.append(row)
        print(f"  {pdf.name:<38} {row.pages:3d} p  ours {row.ours:6.1f}s  peer {row.peer:6.1f}s  "
              f"{row.peer / row.ours:5.2f}x  (cpu ours {row.ours_cpu:5.1f}s peer {row.peer_cpu:5.1f}s "
              f"{row.peer_cpu / max(row.ours_cpu, 0.01):5.2f}x) {row.note}", flush=True)
    shutil.rmtree(template, ignore_errors=True)
    group.load = (start, load())
    return group


def summary(group: Group) -> str:
    """One line: pages/s of both, the ratio, the smallest ratio of a multi-page file, the load."""
    pages = sum(r.pages for r in group.rows)
    ours, peer = sum(r.ours for r in group.rows), sum(r.peer for r in group.rows)
    multi = [r.peer / r.ours for r in group.rows if r.pages > 1 and r.ours]
    worst = f", multi-page min {min(multi):.2f}x" if multi else ""
    ours_cpu, peer_cpu = sum(r.ours_cpu for r in group.rows), sum(r.peer_cpu for r in group.rows)
    return (f"{group.name}: {len(group.rows)} files {pages} pages; ours {pages / ours:.3f} p/s "
            f"({ours:.1f} s), peer {pages / peer:.3f} p/s ({peer:.1f} s); ratio ours/peer "
            f"{peer / ours:.2f}x{worst}; CPU ours {ours_cpu:.1f} s peer {peer_cpu:.1f} s "
            f"({peer_cpu / max(ours_cpu, 0.01):.2f}x); load {group.load[0]:.1f} -> {group.load[1]:.1f}")


def profile(times: Path, groups: list[Group]) -> None:
    """Seconds per stage (sum and per OCR'd page) per group, and the slowest pages' stages."""
    rows = [json.loads(line) for line in times.read_text().splitlines() if line.strip()]
    for group in groups:
        names = {r.name for r in group.rows}
        mine = [r for r in rows if r["file"] in names]
        pages = {(r["file"], r["page"]) for r in mine if r["page"]}
        per_stage: dict[str, float] = defaultdict(float)
        per_cpu: dict[str, float] = defaultdict(float)
        per_page: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for r in mine:
            per_stage[r["stage"]] += r["s"]
            per_cpu[r["stage"]] += r.get("cpu", 0.0)
            if r["page"]:
                per_page[(r["file"], r["page"])][r["stage"]] += r["s"]
        n = max(1, len(pages))
        print(f"profile {group.name}: {len(pages)} OCR'd pages (page stages: CPU of one worker; "
              "document stages: the main process; cpu includes Tesseract)")
        for st, s in sorted(per_stage.items(), key=lambda kv: -kv[1]):
            print(f"  {st:<12} {s:8.2f} s  {s / n:6.2f} s/page   cpu {per_cpu[st]:7.2f} s "
                  f"{per_cpu[st] / n:6.2f} s/page")
        slow = sorted(per_page.items(), key=lambda kv: -sum(kv[1].values()))[:5]
        for (f, p), stages in slow:
            parts = ", ".join(f"{k} {v:.1f}" for k, v in sorted(stages.items(), key=lambda kv: -kv[1]))
            print(f"  slowest: {f} p{p}: {sum(stages.values()):.1f} s ({parts})")


def main() -> None:
    """Time both tools on the same files and print per-file and per-folder figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N files of each folder")
    ap.add_argument("--profile", action="store_true", help="time the stages of ours per page")
    a = ap.parse_args()
    sets = [(p.name, scanned_files(p)) for p in (a.paths or [SHARED / "real", SHARED / "corpus"])]
    sets = [(name, files[: a.limit] if a.limit else files) for name, files in sets if files]
    if not sets:
        sys.exit("no scanned PDFs found")
    groups = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        times = tmp / "stages.jsonl" if a.profile else None
        for label, files in sets:
            print(f"== {label}: {len(files)} scanned files (load {load():.1f})", flush=True)
            groups.append(bench_group(label, files, tmp, times))
        for group in groups:
            print(summary(group))
        if times is not None and times.exists():
            profile(times, groups)


if __name__ == "__main__":
    main()
