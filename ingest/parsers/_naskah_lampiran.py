"""The indicator table of a decision's lampiran (e.g. a Rencana Kinerja Tahunan), sasaran level only.

The header is read from the ruled table the text layer found (`indicators.read_header`); the
body is read from the page words between the table's drawn rules, column by column.  Reading
the rules directly matters because such a table often continues on the next page without a top
border (the first row there is then missed by a table finder) and because a sasaran cell is
merged over several indicator rows: each column's cells are the bands between the rules that
cross that column, and an indicator row takes the sasaran cell its band lies in.

A lampiran table may carry several levels side by side (sasaran indicators, then program and
kegiatan indicators); only the columns left of the first `Program` column are read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.layout import DocumentContent, PageContent, Table, Word
from ingest.model import Indicator
from ingest.parsers import indicators as ind
from ingest.parsers._naskah_lines import group_words
from ingest.text import clean, join_lines

log = logging.getLogger(__name__)

_ROLES = ("sasaran", "indikator", "satuan", "target", "realisasi", "capaian")
_TOL = 3.0


@dataclass(frozen=True)
class Column:
    """One column of the table: its role and horizontal extent."""

    role: str
    x0: float
    x1: float

    @property
    def cx(self) -> float:
        """Horizontal centre."""
        return (self.x0 + self.x1) / 2


Band = tuple[float, float]


def lampiran_indicators(doc: DocumentContent) -> tuple[Indicator, ...]:
    """The sasaran-level indicators of the first lampiran table with indikator and target columns."""
    for page in doc.pages:
        for table in page.tables:
            layout = ind.read_header(table)
            if layout is None or not {"indikator", "target"} <= layout.role_set:
                continue
            columns = sasaran_level_columns(table, layout)
            if columns is None:
                continue
            rows = _table_rows(doc, page, table, layout, columns)
            return tuple(_indicator(r) for r in ind.carry_down(rows) if clean(r.get("indikator")))
    return ()


def sasaran_level_columns(table: Table, layout: ind.Layout) -> list[Column] | None:
    """The first column of each role left of the first `program` column, with its header box."""
    limit = min(layout.columns("program"), default=len(layout.roles))
    out: list[Column] = []
    for role in _ROLES:
        idx = next((i for i in layout.columns(role) if i < limit), None)
        box = _header_box(table, layout, idx) if idx is not None else None
        if box is not None:
            out.append(Column(role, box[0], box[1]))
    roles = {c.role for c in out}
    return out if {"indikator", "target"} <= roles else None


def _header_box(table: Table, layout: ind.Layout, idx: int) -> tuple[float, float] | None:
    for row in table.rows[: layout.header_rows]:
        cell = row[idx] if idx < len(row) else None
        if cell is not None:
            return cell.box.x0, cell.box.x1
    return None


def _table_rows(
    doc: DocumentContent,
    page: PageContent,
    table: Table,
    layout: ind.Layout,
    columns: list[Column],
) -> list[ind.Row]:
    header_bottom = max(
        c.box.bottom for row in table.rows[: layout.header_rows] for c in row if c is not None
    )
    rows = grid_rows(page, columns, header_bottom)
    key = next(c for c in columns if c.role == "indikator")
    for nxt in doc.pages[page.number :]:
        if _has_indicator_header(nxt) or not _verticals(nxt, key):
            break
        rows.extend(grid_rows(nxt, columns, 0.0))
    return rows


def _has_indicator_header(page: PageContent) -> bool:
    return any(
        (lay := ind.read_header(t)) is not None and "indikator" in lay.role_set for t in page.tables
    )


def grid_rows(page: PageContent, columns: Sequence[Column], top: float) -> list[ind.Row]:
    """The rows of the ruled region of `page` below `top`, one per cell of the indikator column."""
    key = next(c for c in columns if c.role == "indikator")
    region = _region(page, key, top)
    if region is None:
        return []
    bands = {c.role: _bands(page, c, region) for c in columns}
    rows: list[ind.Row] = []
    for band in bands["indikator"]:
        row: ind.Row = {}
        for col in columns:
            span = _cell_span(bands[col.role], band)
            row[col.role] = cell_text(page, col, span, drop_item_numbers=col.role == "indikator")
        if any(clean(v) for v in row.values()):
            rows.append(row)
    return rows


def _verticals(page: PageContent, col: Column) -> list[Band]:
    """Vertical extents of the drawn rules on the left or right edge of `col`."""
    out = []
    for s in page.shapes:
        b = s.box
        on_edge = abs(b.cx - col.x0) <= _TOL or abs(b.cx - col.x1) <= _TOL
        if b.width <= 2.5 and b.height > 4 and on_edge:
            out.append((b.top, b.bottom))
    return out


def _region(page: PageContent, key: Column, top: float) -> Band | None:
    spans = [(t, b) for t, b in _verticals(page, key) if b > top + _TOL]
    if not spans:
        return None
    return max(top, min(t for t, _ in spans)), max(b for _, b in spans)


def _bands(page: PageContent, col: Column, region: Band) -> list[Band]:
    """The cells of `col` in `region`: the bands between the rules that cross its centre."""
    ys = [region[0], region[1]]
    for s in page.shapes:
        b = s.box
        crosses = b.height <= 2.5 and b.width > 3 and b.x0 - 1 <= col.cx <= b.x1 + 1
        if crosses and region[0] + _TOL < b.cy < region[1] - _TOL:
            ys.append(b.cy)
    ys.sort()
    cuts = [ys[0]]
    for y in ys[1:]:
        if y - cuts[-1] > _TOL:
            cuts.append(y)
    return list(zip(cuts, cuts[1:], strict=False))


def _cell_span(bands: Sequence[Band], key: Band) -> Band:
    """The key band widened to the column's cell that holds its middle (a merged cell)."""
    mid = (key[0] + key[1]) / 2
    for top, bottom in bands:
        if top <= mid <= bottom:
            return min(top, key[0]), max(bottom, key[1])
    return key


def cell_text(
    page: PageContent, col: Column, span: Band, *, drop_item_numbers: bool = False
) -> str:
    """The text of the words whose centre lies in the column and span, lines joined."""
    words = [
        w for w in page.words if col.x0 <= w.box.cx <= col.x1 and span[0] <= w.box.cy <= span[1]
    ]
    if drop_item_numbers:
        words = _without_item_numbers(words)
    return join_lines("\n".join(line.text for line in group_words(words)))


def _without_item_numbers(words: list[Word]) -> list[Word]:
    """Drop a sub-column of item numbers (`1`, `2.`) printed left of the indicator text."""
    text_words = [w for w in words if not re.fullmatch(r"\d{1,2}\.?", w.text)]
    if not text_words:
        return words
    left = min(w.box.x0 for w in text_words)
    return [w for w in words if w in text_words or w.box.x1 > left - 1]


def _indicator(row: ind.Row) -> Indicator:
    target = ind.split_value(row.get("target"))
    realisasi = ind.split_value(row.get("realisasi"))
    capaian = ind.split_value(row.get("capaian"))
    satuan = clean(row.get("satuan")) if "satuan" in row else target.unit
    return Indicator(
        indikator=clean(row.get("indikator")) or "",
        sasaran=clean(row.get("sasaran")),
        satuan=satuan,
        target=target.number,
        target_text=target.text,
        realisasi=realisasi.number,
        realisasi_text=realisasi.text,
        capaian=capaian.number,
    )
