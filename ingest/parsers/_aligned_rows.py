"""The lines, phrases and rows of a table read from text alignment (`aligned`).

- `page_lines` groups a page's words into lines; a line's `phrases` are its runs of close words
  (`header_phrases` splits them again at role words after a wide space).
- `group_rows` groups a table's body lines into rows: by the rules drawn between rows when
  there are some (`hrules`), else by `No` numbers, paragraph gaps and fresh values; the sasaran
  column goes by paragraphs, each to the first row it overlaps.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ingest.layout import PageContent, Word
from ingest.parsers.table_header import header_role, is_summary_label

VALUE_ROLES = ("target", "realisasi", "capaian", "anggaran")


@dataclass
class _WordRun:
    """Words in reading order, with the box around them."""

    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.box.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.box.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.box.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.box.bottom for w in self.words)


class Phrase(_WordRun):
    """A run of close words on one line."""


class Line(_WordRun):
    """The words of one printed line."""

    @property
    def height(self) -> float:
        return statistics.median(w.box.height for w in self.words)

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    def phrases(self) -> list[Phrase]:
        out: list[Phrase] = []
        gap = max(3.0, 0.8 * self.height)
        for w in self.words:
            if out and w.box.x0 - out[-1].x1 <= gap:
                out[-1].words.append(w)
            else:
                out.append(Phrase([w]))
        return out

    def header_phrases(self) -> list[Phrase]:
        """Phrases, split again where a word naming another role follows a wider than normal
        space (a tight header: 'Target  Realisasi'; 'Indikator Sasaran' stays one)."""
        return self.split_phrases(
            lambda current, word: (role := header_role(word)) is not None and role != header_role(current))

    def split_phrases(self, starts: Callable[[str, str], bool], spacing: float = 0.45) -> list[Phrase]:
        """Phrases, split again before a word after a space wider than `spacing` line heights
        where `starts(text of the phrase so far, word)` says the word begins another column."""
        out: list[Phrase] = []
        for p in self.phrases():
            cur = Phrase([p.words[0]])
            for w in p.words[1:]:
                if w.box.x0 - cur.x1 > max(2.0, spacing * self.height) and starts(cur.text, w.text):
                    out.append(cur)
                    cur = Phrase([w])
                else:
                    cur.words.append(w)
            out.append(cur)
        return out


@dataclass
class Column:
    text: str
    x0: float
    x1: float
    year: int | None = None
    role: str | None = None


@dataclass
class Row:
    lines: dict[int, list[tuple[str, float, float]]] = field(default_factory=dict)
    top: float = 0.0
    bottom: float = 0.0

    def has(self, col: int) -> bool:
        return bool(self.lines.get(col))


def page_lines(words: Sequence[Word]) -> list[Line]:
    """The page's words grouped into lines by vertical overlap, top to bottom, left to right."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.box.top, w.box.x0)):
        if lines:
            ref = lines[-1][0].box
            if abs(w.box.cy - ref.cy) <= max(2.0, 0.45 * ref.height):
                lines[-1].append(w)
                continue
        lines.append([w])
    return [Line(sorted(ws, key=lambda w: w.box.x0)) for ws in lines]


def col_of(x: float, bounds: list[float]) -> int:
    return sum(1 for b in bounds if x > b)


def hrules(page: PageContent, x0: float, x1: float, top: float, bottom: float) -> list[float]:
    """The y of the horizontal rules across at least half the table between top and bottom
    (a rule drawn cell by cell is one rule)."""
    segments = sorted((s.box.cy, max(s.box.x0, x0), min(s.box.x1, x1)) for s in page.shapes
                      if s.box.height <= 2.5 and top <= s.box.cy <= bottom and s.box.x1 > x0
                      and s.box.x0 < x1)
    rules: list[tuple[float, float]] = []  # (y, length covered)
    for y, a, b in segments:
        if rules and y - rules[-1][0] <= 1.0:
            rules[-1] = (rules[-1][0], rules[-1][1] + max(0.0, b - a))
        else:
            rules.append((y, max(0.0, b - a)))
    return [y for y, length in rules if length >= 0.5 * (x1 - x0)]


def group_rows(body: list[Line], columns: list[Column], bounds: list[float],
          hrules: Sequence[float] = (), own_rules: dict[int, list[float]] | None = None) -> list[Row]:
    """Body lines grouped into rows: by the rules between rows when at least two are drawn, else
    by numbers in a `No` column, paragraph gaps and fresh values.  `own_rules` are the rules
    drawn across a sasaran column (a merged cell has none between its rows)."""
    roles = [c.role for c in columns]
    no_cols = [k for k, r in enumerate(roles) if r == "no"]
    value_cols = [k for k, r in enumerate(roles) if r in VALUE_ROLES]
    sasaran = [k for k, r in enumerate(roles) if r == "sasaran"]
    numbers_start = _numbers_start_rows(body, bounds, no_cols, value_cols)
    # the lines of cells merged over several rows (sasaran; a group's number) stand between rows
    merged = set(sasaran) | (set() if numbers_start else set(no_cols))
    own = [ln for ln in body if set(split_line(ln, bounds)) - merged]
    gaps = [b.top - a.bottom for a, b in zip(own, own[1:], strict=False)]
    para = _para_gap(gaps, statistics.median(ln.height for ln in body))
    rows: list[Row] = []
    prev: Line | None = None
    for ln in body:
        parts = split_line(ln, bounds)
        if not set(parts) - set(sasaran):  # a merged sasaran's lines stand between rows
            continue
        fresh = [k for k in value_cols if k in parts and _starts_value(parts[k])]
        if len(hrules) >= 2:
            new = not rows or (prev is not None and any(prev.cy <= y <= ln.cy for y in hrules))
        else:
            new = (not rows or (numbers_start and any(k in parts for k in no_cols))
                   or (prev is not None and ln.top - prev.bottom > para)
                   or (value_cols and len(fresh) >= min(2, len(value_cols))
                       and all(rows[-1].has(k) for k in fresh))
                   or is_summary_label(ln.phrases()[0].text))
        if new:
            rows.append(Row(top=ln.top, bottom=ln.bottom))
        row = rows[-1]
        for k, text in parts.items():
            if k in sasaran:
                continue
            row.lines.setdefault(k, []).append((text, ln.top, ln.bottom))
        if set(parts) - merged:  # a merged cell's line neither extends the row nor spaces it
            row.bottom = max(row.bottom, ln.bottom)
            prev = ln
    numbered = {r.top for r in rows if any(r.has(k) for k in no_cols)}
    for k in sasaran:
        cell_rules = (own_rules or {}).get(k, [])
        if len(hrules) >= 2 and len(cell_rules) < len(hrules):
            _place_between_rules(body, bounds, k, rows, cell_rules)
        else:
            _place_paragraphs(body, bounds, k, rows, para, numbered)
    return rows


def _place_between_rules(body: list[Line], bounds: list[float], k: int, rows: list[Row],
                         rules: list[float]) -> None:
    """A ruled table's merged sasaran cells (fewer rules cross their column than the table):
    the lines between two of the column's rules are one cell, given to the first row below the
    upper rule."""
    cells: dict[float, list[tuple[str, float, float]]] = {}
    for ln in body:
        text = split_line(ln, bounds).get(k)
        if text:
            above = max((y for y in rules if y <= ln.top), default=float("-inf"))
            cells.setdefault(above, []).append((text, ln.top, ln.bottom))
    for above, pieces in cells.items():
        row = next((r for r in rows if r.bottom > above), None)
        if row is not None:
            row.lines.setdefault(k, []).extend(pieces)


def _numbers_start_rows(body: list[Line], bounds: list[float], no_cols: list[int],
                        value_cols: list[int]) -> bool:
    """Whether a number in the `No` column starts a row: not when fewer lines are numbered than
    bring fresh values (the number of a group merged over several rows, printed in its middle)."""
    numbered = valued = 0
    for ln in body:
        parts = split_line(ln, bounds)
        numbered += any(k in parts for k in no_cols)
        valued += bool(value_cols) and len([k for k in value_cols if k in parts
                                            and _starts_value(parts[k])]) >= min(2, len(value_cols))
    return numbered >= valued


def _para_gap(gaps: list[float], height: float) -> float:
    """The gap above which a line starts a new paragraph (a new row of a borderless table)."""
    if not gaps:
        return float("inf")
    small = sorted(gaps)[: max(1, len(gaps) // 2)]
    return statistics.median(small) + 0.45 * height


def split_line(line: Line, bounds: list[float]) -> dict[int, str]:
    parts: dict[int, list[str]] = {}
    for w in line.words:
        parts.setdefault(col_of(w.box.cx, bounds), []).append(w.text)
    return {k: " ".join(v) for k, v in parts.items()}


def _starts_value(text: str) -> bool:
    """A value's first line ('95,00', 'Level 3', 'WTP'), not its wrapped tail ('(3,35)', '%')."""
    t = text.strip()
    return bool(t) and not t.startswith(("(", "%")) and not t[0].islower()


def _place_paragraphs(body: list[Line], bounds: list[float], k: int, rows: list[Row],
                      para: float, numbered: set[float]) -> None:
    """The sasaran column by paragraphs (a numbered row starts one): each goes to the first
    row it overlaps."""
    pieces = [(t, ln.top, ln.bottom) for ln in body if (t := split_line(ln, bounds).get(k))]
    paragraphs: list[list[tuple[str, float, float]]] = []
    for piece in pieces:
        starts_numbered = any(abs(top - piece[1]) < 1 for top in numbered)
        apart = is_summary_label(piece[0]) or (paragraphs and is_summary_label(paragraphs[-1][-1][0]))
        if paragraphs and piece[1] - paragraphs[-1][-1][2] <= para and not starts_numbered and not apart:
            paragraphs[-1].append(piece)
        else:
            paragraphs.append([piece])
    if rows and paragraphs and _centred(paragraphs, rows):
        _place_centred(paragraphs, rows, k)
        return
    for para_lines in paragraphs:
        p_top, p_bottom = para_lines[0][1], para_lines[-1][2]
        row = next((r for r in rows if r.bottom >= p_top and r.top <= p_bottom), None)
        if row is not None:
            row.lines.setdefault(k, []).extend(para_lines)


Paragraph = list[tuple[str, float, float]]


def _centred(paragraphs: list[Paragraph], rows: list[Row]) -> bool:
    """Whether the sasaran cells are merged over their rows and printed in their middle: a
    paragraph starts on no row's first line (top-aligned cells start with their row)."""
    for para_lines in paragraphs:
        p_top, height = para_lines[0][1], para_lines[0][2] - para_lines[0][1]
        if p_top < rows[-1].bottom and all(abs(p_top - r.top) > 0.6 * height for r in rows):
            return True
    return False


def _place_centred(paragraphs: list[Paragraph], rows: list[Row], k: int) -> None:
    """Each paragraph to the first row of its group: the group starts where the one above ended
    and ends as far below the paragraph's middle as it starts above it."""
    gaps = [b.top - a.bottom for a, b in zip(rows, rows[1:], strict=False) if b.top > a.bottom]
    half = statistics.median(gaps) / 2 if gaps else 0.0  # a cell's padding above its text
    i = 0
    for para_lines in paragraphs:
        if i >= len(rows):
            break
        middle = (para_lines[0][1] + para_lines[-1][2]) / 2
        end = 2 * middle - (rows[i].top - half)
        rows[i].lines.setdefault(k, []).extend(para_lines)
        i += 1
        while i < len(rows) and (rows[i].top + rows[i].bottom) / 2 < end:
            i += 1
