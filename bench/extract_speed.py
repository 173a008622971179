#!/usr/bin/env python3
"""Born-digital extraction speed: pages per second inside one process, and `arsip extract` start-up.

Usage: .venv/bin/python bench/extract_speed.py [DIR ...]
       (default: the born-digital files of ../shared/corpus and of ../shared/real, each a set)

Prints, for each set, measured in the same run and process:
- ours: `ingest.extract.extract_file` on every file (start-up excluded), pages/s, as
  `arsip extract` reads them (pages without a text layer, such as an image cover, are OCR'd);
- ours without OCR: the same with OCR switched off (the text layer and the structure reading);
- peer: plain pdfplumber text + table extraction of every page (no structure), pages/s, and the
  ratios ours/peer;
each as wall seconds and as CPU seconds of this process and the children it waited for (Tesseract):
on a loaded machine the CPU figures are the steadier ones; then the start-up: wall time of `arsip --version` and of `arsip extract --json` on the smallest
file (median of 5), and the load average before and after.
Target (issue 14): ours >= 25 pages/s on each set, `arsip extract` under 1 s.
"""

from __future__ import annotations

import json
import os
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


def cpu() -> float:
    """CPU seconds of this process and of the children it waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def time_ours(files: list[Path], ocr: bool = True) -> tuple[int, float, float]:
    """Pages, wall seconds and CPU seconds for our extraction of `files` in this process."""
    from ingest.extract import ExtractOptions, extract_file

    options = ExtractOptions() if ocr else ExtractOptions(ocr=None)
    extract_file(files[0], options)  # warm the imports
    pages, t, c = 0, time.perf_counter(), cpu()
    for f in files:
        pages += extract_file(f, options).pages
    return pages, time.perf_counter() - t, cpu() - c


def time_peer(files: list[Path]) -> tuple[int, float, float]:
    """Pages, wall seconds and CPU seconds for plain pdfplumber text + tables."""
    import pdfplumber

    pages, t, c = 0, time.perf_counter(), cpu()
    for f in files:
        with pdfplumber.open(f) as pdf:
            for p in pdf.pages:
                p.extract_text()
                [tb.extract() for tb in p.find_tables()]
                pages += 1
    return pages, time.perf_counter() - t, cpu() - c


def start_up(args: list[str]) -> float:
    """Median wall time of running `arsip ARGS` five times."""
    arsip = REPO / ".venv" / "bin" / "arsip"
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([str(arsip), *args], check=True, capture_output=True)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def measure(name: str, files: list[Path]) -> None:
    """Print one set's figures."""
    pages, secs, cpus = time_ours(files)
    _, secs_text, cpus_text = time_ours(files, ocr=False)
    ppages, psecs, pcpus = time_peer(files)
    ours, text, peer = pages / secs, pages / secs_text, ppages / psecs
    print(f"== {name}: files={len(files)} pages={pages}")
    print(f"ours         : {secs:6.2f} s  {ours:6.1f} pages/s;  CPU {cpus:6.2f} s  {pages / cpus:6.1f} pages/s"
          "   (target >= 25)")
    print(f"ours, no OCR : {secs_text:6.2f} s  {text:6.1f} pages/s;  CPU {cpus_text:6.2f} s  "
          f"{pages / cpus_text:6.1f} pages/s")
    print(f"peer         : {psecs:6.2f} s  {peer:6.1f} pages/s;  CPU {pcpus:6.2f} s  {ppages / pcpus:6.1f} pages/s"
          "   (pdfplumber text + tables, no structure)")
    print(f"ratio ours/peer: wall {ours / peer:.2f}x, CPU {pcpus / cpus:.2f}x; without OCR wall "
          f"{text / peer:.2f}x, CPU {pcpus / cpus_text:.2f}x", flush=True)


def main() -> None:
    """Run the measurements and print them."""
    shared = REPO.parent / "shared"
    sets = [(a, [Path(a)]) for a in sys.argv[1:]] or [("../shared/corpus", [shared / "corpus"]),
                                                     ("../shared/real", [shared / "real"])]
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    everything = []
    for name, dirs in sets:
        files = born_digital_files(dirs)
        everything += files
        measure(name, files)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    smallest = min(everything, key=lambda f: f.stat().st_size)
    print(f"start-up: arsip --version {start_up(['--version']):.2f} s; "
          f"arsip extract --json {smallest.name} {start_up(['extract', '--json', str(smallest)]):.2f} s (target < 1 s)")


if __name__ == "__main__":
    main()
