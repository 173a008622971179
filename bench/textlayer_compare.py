#!/usr/bin/env python3
"""The text layer as pdfium reads it against pdfplumber alone, page by page.

Usage: .venv/bin/python bench/textlayer_compare.py [PDF or DIR ...]
       (default: ../shared/corpus, ../shared/real and ../shared/wild)

For every page: read by pdfium (`ingest.pdfium_layer`) or handed back to pdfplumber, and whether
its words, text, ruled tables and drawn shapes equal what pdfplumber alone gives; word boxes
are compared within `TOL` pt (pdfium places glyphs a few hundredths of a point otherwise, and
takes an italic glyph's overhang into its right edge) and the largest difference is printed.
Prints one line per file and the totals; the reader is right only while `differ=0`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TOL = 1.5
BOX_DEVIATION: list[float] = []


def _near(a: Any, b: Any) -> bool:
    from ingest.layout import Box

    if isinstance(a, Box) and isinstance(b, Box):
        return all(abs(x - y) <= TOL for x, y in zip((a.x0, a.top, a.x1, a.bottom),
                                                      (b.x0, b.top, b.x1, b.bottom), strict=True))
    return bool(a == b)


def differences(old: Any, new: Any) -> list[str]:
    """What differs between two `PageContent`s (empty when they agree)."""
    out = []
    if old.text != new.text:
        out.append("text")
    if [w.text for w in old.words] != [w.text for w in new.words]:
        out.append("word texts")
    elif not all(_near(a.box, b.box) for a, b in zip(old.words, new.words, strict=True)):
        out.append("word boxes")
    else:
        BOX_DEVIATION.append(max((abs(x - y) for a, b in zip(old.words, new.words, strict=True)
                                  for x, y in zip((a.box.x0, a.box.top, a.box.x1, a.box.bottom),
                                                  (b.box.x0, b.box.top, b.box.x1, b.box.bottom), strict=True)),
                                 default=0.0))
    if [t.texts() for t in old.tables] != [t.texts() for t in new.tables]:
        out.append("tables")
    elif not all(_near(a.box, b.box) for a, b in zip(old.tables, new.tables, strict=True)):
        out.append("table boxes")
    shapes_old = sorted((s.kind, s.points, s.filled, round(s.box.x0), round(s.box.top)) for s in old.shapes)
    shapes_new = sorted((s.kind, s.points, s.filled, round(s.box.x0), round(s.box.top)) for s in new.shapes)
    if shapes_old != shapes_new:
        out.append(f"shapes ({len(old.shapes)} vs {len(new.shapes)})")
    if abs(old.width - new.width) > TOL or abs(old.height - new.height) > TOL:
        out.append("size")
    return out


def compare(pdf: Path) -> tuple[int, int, int, float, float, list[str]]:
    """(pages, pages pdfium read, pages differing, seconds new, seconds old, notes)."""
    from ingest import textlayer
    from ingest.pdfium_layer import read_pages
    from ingest.triage import Limits, triage

    try:
        expected = triage(pdf, Limits()).pages
    except Exception as e:  # refused files are no part of the comparison
        return 0, 0, 0, 0.0, 0.0, [f"refused: {e}"]
    t = time.perf_counter()
    new = textlayer.read_text_layer(pdf, expected_pages=expected)
    t_new = time.perf_counter() - t
    t = time.perf_counter()
    old_pages = textlayer._read_pdfplumber(pdf, None)  # noqa: SLF001 - the reference reading
    t_old = time.perf_counter() - t
    fast = read_pages(pdf) or []
    by_pdfium = sum(1 for p in fast if p is not None)
    notes = []
    differ = 0
    for old, page in zip(old_pages, new.pages, strict=False):
        diff = differences(old, page)
        if diff:
            differ += 1
            notes.append(f"p{page.number}: {', '.join(diff)}")
    return len(new.pages), by_pdfium, differ, t_new, t_old, notes


def main() -> None:
    """Compare every PDF named or found in the folders named."""
    args = [Path(a) for a in sys.argv[1:]] or [REPO.parent / "shared" / d for d in ("corpus", "real", "wild")]
    files = [f for a in args for f in ([a] if a.is_file() else sorted(a.glob("*.pdf")))]
    totals: list[float] = [0, 0, 0, 0.0, 0.0]
    for f in files:
        pages, fast, differ, t_new, t_old, notes = compare(f)
        for k, v in enumerate((pages, fast, differ, t_new, t_old)):
            totals[k] += v
        flag = "DIFFERS" if differ else "same"
        print(f"{f.parent.name}/{f.name:40s} pages={pages:3d} pdfium={fast:3d} {flag:7s} "
              f"{t_new:6.2f}s vs {t_old:6.2f}s  {'; '.join(notes[:6])}", flush=True)
    n_pages, n_fast, n_differ, s_new, s_old = totals
    print(f"total pages={n_pages:.0f} pdfium={n_fast:.0f} differ={n_differ:.0f} new {s_new:.1f}s old {s_old:.1f}s "
          f"({s_old / max(s_new, 1e-9):.1f}x); largest word box difference "
          f"{max(BOX_DEVIATION, default=0.0):.2f} pt")


if __name__ == "__main__":
    main()
