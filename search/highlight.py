"""Highlights computed from the page text with the same analysis as the index (both engines).

A fragment is a window of the page around the densest run of matched words; marks are the
character spans of the words whose lexeme (or fuzzy expansion) the query asked for.
"""

from __future__ import annotations

from collections.abc import Iterable

from search.analysis import tokens
from search.records import Highlight

FRAGMENT_CHARS = 180


def highlights(page: int, text: str, wanted: Iterable[str], *, top: int = 2) -> tuple[Highlight, ...]:
    """Up to `top` fragments of `text` (page `page`) that show the `wanted` lexemes."""
    want = frozenset(wanted)
    spans = sorted({(t.start, t.end) for t in tokens(text) if t.text in want})
    if not spans:
        return ()
    out: list[Highlight] = []
    used_until = -1
    for start, end in _best_windows(spans):
        if start < used_until:
            continue
        lo = max(0, start - FRAGMENT_CHARS // 3)
        lo = _word_start(text, lo)
        hi = min(len(text), lo + FRAGMENT_CHARS)
        hi = _word_end(text, max(hi, end))
        marks = tuple((s - lo, e - lo) for s, e in spans if s >= lo and e <= hi)
        # same length: the marks stay valid
        frag = text[lo:hi].replace("\n", " ").replace("\t", " ")
        used_until = hi
        if any(h.text == frag for h in out):  # a paragraph repeated on the page: show it once
            continue
        out.append(Highlight(page, frag, marks))
        if len(out) >= top:
            break
    return tuple(out)


def _best_windows(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans ordered by how many other matches lie within one fragment after them."""
    counted = []
    for i, (s, e) in enumerate(spans):
        n = sum(1 for s2, _ in spans[i:] if s2 - s < FRAGMENT_CHARS)
        counted.append((-n, s, e))
    return [(s, e) for _, s, e in sorted(counted)]


def _word_start(text: str, i: int) -> int:
    while 0 < i < len(text) and not text[i - 1].isspace():
        i -= 1
    return i


def _word_end(text: str, i: int) -> int:
    while i < len(text) and not text[i].isspace():
        i += 1
    return i
