#!/usr/bin/env python3
"""The SOP reader on a seeded zoo of layouts nobody tuned it to, scored per layout family.

Usage: .venv/bin/python bench/sop_zoo.py [--seeds 0-29] [--scans 0-9] [--out report.json] [--show]

Every seed gives one SOP (`tests/ingest/sop_zoo.py`: identity page layout, label words, flowchart
layout and ruling, header words, pages) drawn born-digital; the seeds of `--scans` are also
printed and scanned (`tests/ingest/sop_zoo_draw.scan_of`) and read through OCR.  Each is
extracted in this process (`ingest.extract.extract_file`) and compared with its ground truth by
the shared scorer's own `score_doc` (`../shared/bench/score_extraction.py`).  Printed: metadata
and lists per identity layout, steps per flowchart layout, each split born-digital / scanned, then
the seeds below 1.000 with the fields that missed (`--show`: also what was read for them).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _scorer() -> Any:
    path = REPO.parent / "shared" / "bench" / "score_extraction.py"
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"pembanding tidak ditemukan: {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def seeds(text: str) -> list[int]:
    """'0-9,12' -> [0, ..., 9, 12]; '' -> []."""
    out: list[int] = []
    for part in filter(None, text.split(",")):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def read_one(seed: int, scanned: bool, folder: Path) -> tuple[dict[str, Any], dict[str, Any], float]:
    """(ground truth, extraction JSON, seconds) of the zoo's SOP `seed`."""
    from ingest.extract import extract_file
    from tests.ingest.sop_zoo import ground_truth, zoo_spec
    from tests.ingest.sop_zoo_draw import scan_of, write_zoo_pdf

    spec = zoo_spec(seed)
    pdf = folder / f"zoo-{seed}.pdf"
    stamps = write_zoo_pdf(spec, pdf)
    if scanned:
        pdf = scan_of(pdf, folder / f"zoo-{seed}-scan.pdf", seed, stamps)
    t = time.process_time()
    got = extract_file(pdf).to_json()
    return ground_truth(spec), got, time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="0-29", help="born-digital seeds, e.g. 0-29")
    ap.add_argument("--scans", default="0-9", help="seeds also read as scans ('' for none)")
    ap.add_argument("--out", help="write every seed's groups and fields as JSON here")
    ap.add_argument("--show", action="store_true", help="print what was read for the fields that missed")
    a = ap.parse_args()
    scorer = _scorer()
    from tests.ingest.sop_zoo import zoo_spec

    runs = [(s, False) for s in seeds(a.seeds)] + [(s, True) for s in seeds(a.scans)]
    # (kind, axis, family) -> group -> scores
    table: dict[tuple[str, str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    report, misses, cpu = [], [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for seed, scanned in runs:
            spec = zoo_spec(seed)
            kind = "scan" if scanned else "digital"
            try:
                gt, got, secs = read_one(seed, scanned, Path(tmp))
                groups, detail = scorer.score_doc(gt, got)
            except Exception as exc:  # a crash is a miss of everything, and reported
                print(f"seed {seed} ({kind}): FOUT {type(exc).__name__}: {exc}", file=sys.stderr)
                gt, got, secs = {}, {}, 0.0
                groups, detail = {"metadata": 0.0, "lists": 0.0, "steps": 0.0}, {"error": 0.0}
            cpu += secs
            for group in ("metadata", "lists"):
                table[(kind, "identity", spec.identity)][group].append(groups.get(group, 0.0))
            table[(kind, "flow", f"{spec.flow}/{spec.rules}")]["steps"].append(groups.get("steps", 0.0))
            bad = {k: round(v, 3) for k, v in detail.items() if v < 1.0}
            report.append({"seed": seed, "kind": kind, "family": spec.family, "groups": groups, "misses": bad})
            if bad:
                misses.append((seed, kind, spec, bad, gt, got))
    print(f"{'kind':8} {'axis':9} {'family':18} {'n':>3} {'metadata':>9} {'lists':>7} {'steps':>7}")
    for (kind, axis, family), groups in sorted(table.items()):
        n = max(len(v) for v in groups.values())
        cells = [f"{sum(groups[g]) / len(groups[g]):.3f}" if g in groups else "" for g in ("metadata", "lists", "steps")]
        print(f"{kind:8} {axis:9} {family:18} {n:>3} {cells[0]:>9} {cells[1]:>7} {cells[2]:>7}")
    for kind in ("digital", "scan"):
        rows = [r["groups"] for r in report if r["kind"] == kind]
        if rows:
            means = {g: sum(r.get(g, 0.0) for r in rows) / len(rows) for g in ("metadata", "lists", "steps")}
            print(f"{kind}: " + "  ".join(f"{g} {v:.3f}" for g, v in means.items()) + f"  ({len(rows)} SOPs)")
    for seed, kind, spec, bad, gt, got in misses:
        print(f"seed {seed:>3} {kind:7} {spec.family:32} {bad}")
        if a.show:
            for field in bad:
                print(f"    {field}: {_value(gt, field)!r} <- {_value(got, field)!r}")
    print(f"cpu seconds of this process (parsing; the OCR workers of scans not counted): {cpu:.0f}")
    if a.out:
        Path(a.out).write_text(json.dumps(report, indent=1, ensure_ascii=False))


def _value(doc: dict[str, Any], field: str) -> Any:
    if field.startswith("step."):
        key = field[5:]
        return [s.get(key) for s in doc.get("steps") or []]
    value: Any = doc
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


if __name__ == "__main__":
    main()
