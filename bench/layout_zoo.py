#!/usr/bin/env python3
"""LKjIP readers on layouts nobody tuned them to: a score per layout family of the seeded zoo.

Usage: .venv/bin/python bench/layout_zoo.py [--pk] [--seeds N] [--first S] [--family NAME ...] [--show]

Draws N reports per family of `tests/ingest/lkjip_zoo.py` (with `--pk`, Perjanjian Kinerja of
`tests/ingest/pk_zoo.py`) (seeds S..S+N-1) into a temporary
folder, reads each with `ingest.extract.extract_file` in this process, and compares the result
with the drawing's ground truth by the shared scorer's own field comparison
(`../shared/bench/score_extraction.py`, `score_doc`).  Prints one line per family: the mean
metadata and indicator scores and the fields that missed (with how often); `--show` also prints
each missed report's seed and fields.  The last line is the mean over families.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest.extract import extract_file  # noqa: E402
from tests.ingest import lkjip_zoo, pk_zoo  # noqa: E402


def scorer():  # type: ignore[no-untyped-def]
    """The shared scorer's module (its `score_doc` compares one extraction with its truth)."""
    path = REPO.parent / "shared" / "bench" / "score_extraction.py"
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def score_one(family: str, seed: int, folder: Path, zoo=lkjip_zoo):  # type: ignore[no-untyped-def]
    """(groups, field details) of one zoo report."""
    pdf = folder / f"{family}-{seed}.pdf"
    truth = zoo.make(family, seed, pdf)
    got = json.loads(json.dumps(extract_file(pdf).to_json()))
    return scorer().score_doc(truth, got)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--family", nargs="*")
    ap.add_argument("--pk", action="store_true", help="Perjanjian Kinerja instead of LKjIP")
    ap.add_argument("--show", action="store_true", help="print each report that missed a field")
    a = ap.parse_args()
    zoo = pk_zoo if a.pk else lkjip_zoo
    families = a.family or list(zoo.FAMILIES)
    means = []
    with tempfile.TemporaryDirectory() as tmp:
        for fam in families:
            meta, ind, missed = [], [], Counter[str]()
            for seed in range(a.first, a.first + a.seeds):
                groups, detail = score_one(fam, seed, Path(tmp), zoo)
                meta.append(groups.get("metadata", 0.0))
                ind.append((groups.get("indicators", 0.0) + groups.get("programs", groups.get("indicators", 0.0))) / 2)
                bad = [k for k, v in detail.items() if v < 0.999]
                missed.update(bad)
                if a.show and bad:
                    print(f"   {fam} seed {seed}: " + ", ".join(f"{k}={detail[k]:.2f}" for k in bad))
            m, i = sum(meta) / len(meta), sum(ind) / len(ind)
            means.append((m + i) / 2)
            miss = ", ".join(f"{k} x{n}" for k, n in missed.most_common())
            label = "indicators+programs" if a.pk else "indicators"
            print(f"{fam:20s} metadata {m:.3f} {label} {i:.3f}  {miss}", flush=True)
    print(f"mean over families: {sum(means) / len(means):.3f}")


if __name__ == "__main__":
    main()
