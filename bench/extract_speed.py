#!/usr/bin/env python3
"""Born-digital extraction speed: pages per second inside one process, and `arsip extract` start-up.

Usage: .venv/bin/python bench/extract_speed.py [DIR ...]   (default: ../shared/corpus born-digital files)

Prints, for the same files in the same run:
- ours: `ingest.extract.extract_file` on every file (start-up excluded), pages/s;
- peer: plain pdfplumber text + table extraction of every page (no structure), pages/s, and the ratio;
- start-up: wall time of `arsip --version` and of `arsip extract --json` on the smallest file (median of 5).
Target (spine issue): ours >= 10 pages/s, `arsip extract` under 1 s.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def born_digital_files(dirs: list[Path]) -> list[Path]:
    """PDFs whose ground truth says born-digital (or every PDF when there is no ground truth)."""
    out = []
    for d in dirs:
        for pdf in sorted(d.glob("*.pdf")):
            gt = pdf.with_suffix(".json")
            if gt.exists() and json.loads(gt.read_text()).get("scanned"):
                continue
            out.append(pdf)
    return out


def time_ours(files: list[Path]) -> tuple[int, float]:
    """Pages and seconds for our extraction of `files` in this process."""
    from ingest.extract import extract_file

    extract_file(files[0])  # warm the imports
    pages, t = 0, time.perf_counter()
    for f in files:
        pages += extract_file(f).pages
    return pages, time.perf_counter() - t


def time_peer(files: list[Path]) -> tuple[int, float]:
    """Pages and seconds for plain pdfplumber text + tables."""
    import pdfplumber

    pages, t = 0, time.perf_counter()
    for f in files:
        with pdfplumber.open(f) as pdf:
            for p in pdf.pages:
                p.extract_text()
                [tb.extract() for tb in p.find_tables()]
                pages += 1
    return pages, time.perf_counter() - t


def start_up(args: list[str]) -> float:
    """Median wall time of running `arsip ARGS` five times."""
    arsip = REPO / ".venv" / "bin" / "arsip"
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([str(arsip), *args], check=True, capture_output=True)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    """Run the measurements and print them."""
    dirs = [Path(a) for a in sys.argv[1:]] or [REPO.parent / "shared" / "corpus"]
    files = born_digital_files(dirs)
    pages, secs = time_ours(files)
    ppages, psecs = time_peer(files)
    ours, peer = pages / secs, ppages / psecs
    print(f"files={len(files)} pages={pages}")
    print(f"ours : {secs:6.2f} s  {ours:6.1f} pages/s   (target >= 10)")
    print(f"peer : {psecs:6.2f} s  {peer:6.1f} pages/s   (pdfplumber text + tables, no structure)")
    print(f"ratio ours/peer: {ours / peer:.2f}x")
    smallest = min(files, key=lambda f: f.stat().st_size)
    print(f"start-up: arsip --version {start_up(['--version']):.2f} s; "
          f"arsip extract --json {smallest.name} {start_up(['extract', '--json', str(smallest)]):.2f} s (target < 1 s)")


if __name__ == "__main__":
    main()
