"""Lines of positioned words, for parsers that read a page by position (letter heads, lampiran cells)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import median

from ingest.layout import PageContent, Word


@dataclass(frozen=True)
class Line:
    """One printed line: its words left to right."""

    words: tuple[Word, ...]

    @property
    def top(self) -> float:
        """Top of the highest word."""
        return min(w.box.top for w in self.words)

    @property
    def bottom(self) -> float:
        """Bottom of the lowest word."""
        return max(w.box.bottom for w in self.words)

    @property
    def height(self) -> float:
        """Typical word height (the median, so one tall glyph does not count)."""
        return median(w.box.height for w in self.words)

    @property
    def x0(self) -> float:
        """Left edge of the first word."""
        return self.words[0].box.x0

    @property
    def text(self) -> str:
        """The words joined with spaces; letter-spaced headings (`I N S P E K`) are rejoined."""
        return _spaced_text(self.words)

    def part(self, lo: float = float("-inf"), hi: float = float("inf")) -> Line | None:
        """The words whose left edge lies in [lo, hi), or None when there are none."""
        ws = tuple(w for w in self.words if lo <= w.box.x0 < hi)
        return Line(ws) if ws else None


def page_lines(page: PageContent) -> list[Line]:
    """The words of `page` grouped into lines, top to bottom, each line left to right."""
    return group_words(page.words)


def group_words(words: Iterable[Word]) -> list[Line]:
    """Words grouped into lines by their vertical centres, top to bottom, each left to right."""
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.box.top, w.box.x0)):
        if rows and _same_row(rows[-1], w):
            rows[-1].append(w)
        else:
            rows.append([w])
    return [Line(tuple(sorted(r, key=lambda w: w.box.x0))) for r in rows]


def _same_row(row: list[Word], w: Word) -> bool:
    cy = median(x.box.cy for x in row)
    h = min(median(x.box.height for x in row), w.box.height)
    return abs(w.box.cy - cy) < 0.5 * h


def _spaced_text(words: Sequence[Word]) -> str:
    singles = sum(1 for w in words if len(w.text) == 1 and w.text.isalpha())
    if len(words) < 4 or singles < 0.7 * len(words):
        return " ".join(w.text for w in words)
    gaps = [b.box.x0 - a.box.x1 for a, b in zip(words, words[1:], strict=False)]
    typical = median(gaps)
    out = words[0].text
    for gap, w in zip(gaps, words[1:], strict=True):
        out += (" " if gap > 1.8 * typical + 1 else "") + w.text
    return out
