#!/usr/bin/env python3
"""Robustness on ../shared/wild (real documents without ground truth): types, errors, numbers.

Usage: .venv/bin/python bench/wild_check.py [DIR]   (default: ../shared/wild)

For every PDF named in DIR/expect.json, runs `ingest.extract.extract_file` in this process and
prints one line: the type found against the expected one, scanned, the seconds taken, and the
numbers the extraction holds (nomor, tanggal, tahun, counts of indicators/steps/programs), then
its warnings.  A number is marked `SUSPECT` when it carries letters where an OCR slip puts them
(`P86`, `2Ol7`, `6orranuNzorz`): those are what a wrongly trusted text layer yields.  The last
lines count right types, errors and suspect numbers.
"""

from __future__ import annotations

import json
import re
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# a digit run touching letters OCR confuses with digits, or such letters between digits
_SLIP_RE = re.compile(r"\d[OolIiSZzB]|[OolIiSZzB]\d|\d[a-z]{2,}|[A-Za-z]{3,}\d[A-Za-z]")


def suspect(value: str | None) -> bool:
    """True for a number that looks like a misread text layer rather than a printed number."""
    if not value:
        return False
    # a decision's 'N TAHUN YYYY' holds digits only
    if re.search(r"tahun", value, re.I) and not re.fullmatch(r"\s*\d+\s*tahun\s*\d{4}\s*", value, re.I):
        return True
    # codes like 'Kep.112-Huk' or 'II.15/TUBABA' mix letters and digits legitimately:
    # only the parts that should be numbers are looked at (runs touching a digit)
    return any(_SLIP_RE.search(part) for part in re.split(r"[/.\-\s]", value))


def main(argv: list[str]) -> int:
    from ingest.extract import extract_file

    folder = Path(argv[0]) if argv else REPO.parent / "shared" / "wild"
    expect = json.loads((folder / "expect.json").read_text())
    right = errors = suspects = 0
    for name, want in expect.items():
        t = time.perf_counter()
        try:
            ext = extract_file(folder / name)
        except Exception as e:  # a bench reports every failure and goes on
            errors += 1
            print(f"{name:22s} ERROR {type(e).__name__}: {e}")
            traceback.print_exc(limit=3)
            continue
        took = time.perf_counter() - t
        ok = ext.doc_type == want["doc_type"]
        right += ok
        bad = suspect(ext.nomor)
        suspects += bad
        print(f"{name:22s} {'ok ' if ok else 'BAD'} type={ext.doc_type} (expect {want['doc_type']}) "
              f"scanned={ext.scanned} {took:5.1f}s nomor={ext.nomor!r}{' SUSPECT' if bad else ''} "
              f"tanggal={ext.tanggal} tahun={ext.tahun} indicators={len(ext.indicators)} "
              f"steps={len(ext.steps)} programs={len(ext.programs)}")
        for w in ext.warnings:
            print(f"{'':24s}- {w}")
    print(f"types right: {right}/{len(expect)}  errors: {errors}  suspect numbers: {suspects}")
    return 0 if right == len(expect) and not errors and not suspects else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
