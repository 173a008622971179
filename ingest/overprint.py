"""Text drawn twice to look bold: one copy of each character kept.

Some PDF producers make bold by printing a line twice a fraction of a point apart (a font without
a bold face, a "print to PDF" driver).  Read as it is, `LAPORAN` becomes `LLAAPPOORRAANN`:
titles, office names on covers, signatories' names and bold table cells are lost while the plain
text around them reads well.  A character is a copy when an earlier one with the same text, font
and size stands within a point (and within half its own width) of it, on the same baseline.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

Char = dict[str, Any]
_TOLERANCE = 1.0


def copies(chars: list[Char]) -> set[int]:
    """The indexes of the characters that repeat an earlier one at (almost) the same place."""
    seen: dict[tuple[str, str, float, int], list[Char]] = {}
    out: set[int] = set()
    for i, c in enumerate(chars):
        text = c.get("text", "")
        if not text.strip():
            continue
        key = (text, str(c.get("fontname", "")), round(float(c.get("size", 0)), 1), round(float(c["top"])))
        tol = min(_TOLERANCE, 0.5 * max(0.0, float(c["x1"]) - float(c["x0"])))
        near = [o for k in (-1, 0, 1) for o in seen.get((*key[:3], key[3] + k), [])]
        if any(abs(o["x0"] - c["x0"]) <= tol and abs(o["top"] - c["top"]) <= _TOLERANCE for o in near):
            out.add(i)
            continue
        seen.setdefault(key, []).append(c)
    return out


def without_overprint(page: Any) -> Any:
    """`page` (a pdfplumber page or a `pdfium_layer.RawPage`) with each overprinted character
    once; the page itself when it has none."""
    chars = page.chars
    dupes = copies(chars)
    if not dupes:
        return page
    kept = [c for i, c in enumerate(chars) if i not in dupes]
    if hasattr(page, "dedupe_chars"):  # pdfplumber: a filtered view of the page
        ids = {id(c) for c in kept}
        return page.filter(lambda obj: obj.get("object_type") != "char" or id(obj) in ids)
    return replace(page, chars=kept, _words=None)
