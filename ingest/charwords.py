"""pdfplumber's words and text built from characters, the same result in a third of the time.

`pdfplumber.utils.extract_words` and `extract_text` (default settings) are general: any text
direction, extra attributes, layout.  The text layer reads upright text almost always, and for it
this module does the same steps with less machinery: characters grouped into lines by chaining
their tops within 3 pt, each line sorted left to right and cut into words at blanks, at a step
back or at a gap over 3 pt; words joined into lines the same way.  Characters that are not all
upright go to pdfplumber itself.  `tests/ingest/test_charwords.py` holds them equal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

TOLERANCE = 3.0
# A character whose matrix leans less than this (shear over scale) is level: figures pasted
# from a drawing program carry rounding noise (1e-8) in matrices meant to be upright.
LEVEL = 1e-5
LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}

Obj = dict[str, Any]


def extract_words(chars: Sequence[Obj]) -> list[Obj]:
    """`pdfplumber.utils.extract_words(chars)`."""
    if not all(c["upright"] for c in chars):
        from pdfplumber.utils import extract_words as plumber_words

        return list(plumber_words(list(chars)))
    words: list[Obj] = []
    for line in _clustered(chars, lambda c: c["top"], preserve_order=False):
        line.sort(key=_x0)
        current: list[Obj] = []
        for c in line:
            text = c["text"]
            if text.isspace():
                if current:
                    words.append(_merge(current))
                    current = []
            elif text == "":  # pdfplumber splits at '' (`'' in ''`)
                if current:
                    words.append(_merge(current))
                words.append(_merge([c]))
                current = []
            elif current and _new_word(current[-1], c):
                words.append(_merge(current))
                current = [c]
            else:
                current.append(c)
        if current:
            words.append(_merge(current))
    return words


def level(a: float, b: float, c: float, d: float) -> bool:
    """True when a character matrix is upright to within `LEVEL`.

    pdfminer calls a character upright only when `a*d > 0 and b*c <= 0`: noise of 1e-8 in `b`
    and `c` made whole figures "not upright", so pdfplumber read their words top to bottom
    (letters one per line) and `ingest.textlayer.sideways_turn` turned a portrait page whose
    figure outnumbered its body text, reversing every line.
    """
    scale = max(abs(a), abs(d))
    return a * d > 0 and abs(b) <= LEVEL * scale and abs(c) <= LEVEL * scale


def level_chars(chars: Sequence[Obj]) -> None:
    """Mark pdfplumber's characters whose matrix is `level` as upright (in place)."""
    for c in chars:
        if not c["upright"] and level(*c["matrix"][:4]):
            c["upright"] = True


def page_text(words: Sequence[Obj]) -> str:
    """`Page.extract_text()` from the page's words (lines in the order the words come)."""
    lines = _clustered(words, lambda w: w["top"], preserve_order=True)
    return "\n".join(" ".join(w["text"] for w in line) for line in lines)


def extract_text(chars: Sequence[Obj]) -> str:
    """`pdfplumber.utils.extract_text(chars)` (what a table cell's text is)."""
    if not chars:
        return ""
    lines = _clustered(extract_words(chars), lambda w: w["top"], preserve_order=False)
    return "\n".join(" ".join(w["text"] for w in line) for line in lines)


def _x0(c: Obj) -> float:
    return float(c["x0"])


def _new_word(prev: Obj, c: Obj) -> bool:
    x0 = c["x0"]
    return bool(x0 < prev["x0"] or x0 > prev["x1"] + TOLERANCE
                or abs(c["top"] - prev["top"]) > TOLERANCE)


def _merge(chars: list[Obj]) -> Obj:
    x0 = min(c["x0"] for c in chars)
    top = min(c["top"] for c in chars)
    x1 = max(c["x1"] for c in chars)
    bottom = max(c["bottom"] for c in chars)
    first = chars[0]
    return {"text": "".join(LIGATURES.get(c["text"], c["text"] or "") for c in chars),
            "x0": x0, "x1": x1, "top": top, "doctop": top + (first["doctop"] - first["top"]),
            "bottom": bottom, "upright": first["upright"], "height": bottom - top,
            "width": x1 - x0, "direction": "ltr"}


def _clustered(objs: Sequence[Obj], key: Callable[[Obj], float], preserve_order: bool) -> list[list[Obj]]:
    """pdfplumber's `cluster_objects`: values chained within the tolerance share a cluster;
    objects grouped by cluster (in cluster order, or as they come with `preserve_order`)."""
    values = sorted({key(o) for o in objs})
    index: dict[float, int] = {}
    n, last = -1, None
    for v in values:
        if last is None or v > last + TOLERANCE:
            n += 1
        index[v] = n
        last = v
    tagged = [(index[key(o)], o) for o in objs]
    if not preserve_order:
        tagged.sort(key=lambda t: t[0])
    out: list[list[Obj]] = []
    previous = None
    for k, o in tagged:
        if k != previous:
            out.append([])
            previous = k
        out[-1].append(o)
    return out
