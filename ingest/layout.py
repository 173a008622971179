"""The neutral page model every parser reads: words, tables of cells, and drawn shapes.

Born-digital pages fill it from the PDF text layer (`ingest.textlayer`); scanned pages will fill
it from OCR and image analysis.  Parsers never see pdfplumber or Tesseract, only these classes.
Coordinates are PDF points with the origin at the top-left of the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

ShapeKind = Literal["rect", "curve", "line"]


@dataclass(frozen=True)
class Box:
    """An axis-aligned box: x0 < x1, top < bottom."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        """Horizontal extent."""
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        """Vertical extent."""
        return self.bottom - self.top

    @property
    def cx(self) -> float:
        """Horizontal centre."""
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        """Vertical centre."""
        return (self.top + self.bottom) / 2

    def contains_point(self, x: float, y: float, tol: float = 0.0) -> bool:
        """True when (x, y) lies inside the box, widened by `tol`."""
        return self.x0 - tol <= x <= self.x1 + tol and self.top - tol <= y <= self.bottom + tol


@dataclass(frozen=True)
class Word:
    """One word with its box; `conf` is the OCR confidence 0..100 (None for a text layer)."""

    text: str
    box: Box
    conf: float | None = None


@dataclass(frozen=True)
class Shape:
    """A drawn object that is not text: a rect, a curve (capsule, diamond, arrow head) or a line."""

    kind: ShapeKind
    box: Box
    points: int = 0
    filled: bool = False


@dataclass(frozen=True)
class Cell:
    """A table cell: its text (lines joined with '\\n') and its box."""

    text: str
    box: Box
    conf: float | None = None


@dataclass(frozen=True)
class Table:
    """A ruled table found on one page; `rows[i][j]` is None where a merged cell spans."""

    page: int
    box: Box
    rows: tuple[tuple[Cell | None, ...], ...]

    def texts(self) -> list[list[str | None]]:
        """The cell texts, row by row (None for spanned positions)."""
        return [[c.text if c else None for c in row] for row in self.rows]


@dataclass(frozen=True)
class HandReading:
    """Readings of one labelled value cell the page's OCR could not read (handwriting, a stamp):
    the field its printed label names ('nomor', 'tanggal_efektif'), the cell's box, and each
    engine's text of it as (engine, text, confidence 0..100).  Which reading is believed, if any,
    the parser decides with the document's other fields (`ingest.parsers.handwritten`)."""

    field: str
    box: Box
    readings: tuple[tuple[str, str, float], ...]


@dataclass(frozen=True)
class PageContent:
    """Everything a parser may read from one page."""

    number: int
    width: float
    height: float
    text: str
    words: tuple[Word, ...] = ()
    tables: tuple[Table, ...] = ()
    shapes: tuple[Shape, ...] = ()
    ocr: bool = False
    warnings: tuple[str, ...] = ()
    # An OCR'd page's coordinates are those of its image after these corrections: turned
    # clockwise by `turned` degrees, then by `skew` degrees counter-clockwise (searchable copy).
    turned: int = 0
    skew: float = 0.0
    # share of the page its largest image covers, when the text layer's reader measured it
    # (None: not measured; `ingest.layertrust` measures it when it needs it)
    image_cover: float | None = None
    # value cells read again from the image (`ingest.scan_handwriting`); none on a text layer
    handwritten: tuple[HandReading, ...] = ()

    @property
    def landscape(self) -> bool:
        """Wider than tall."""
        return self.width > self.height


@dataclass(frozen=True)
class DocumentContent:
    """The pages of one PDF, in order, and whether their text came from OCR."""

    pages: tuple[PageContent, ...]
    scanned: bool = False
    warnings: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        """All page texts joined by form feeds."""
        return "\f".join(p.text for p in self.pages)


def overlap_lines(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped into lines: a word whose centre lies between its line's mean top and bottom
    joins it; lines top to bottom, each left to right (how OCR words become a text layer's lines)."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.box.cy, w.box.x0)):
        if lines:
            last = lines[-1]
            top = sum(x.box.top for x in last) / len(last)
            bottom = sum(x.box.bottom for x in last) / len(last)
            if top < w.box.cy < bottom:
                last.append(w)
                continue
        lines.append([w])
    return [sorted(ln, key=lambda w: w.box.x0) for ln in lines]
