"""The SOP flowchart: steps from table rows, each step's actor from the column of its drawn symbol.

The actor of a step is never text: it is the actor column that holds the step's flowchart symbol
(a rect, a capsule or diamond drawn as a curve).  Row rects, cell outlines, arrow heads and
connector lines are not symbols.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ingest.layout import Box, Cell, DocumentContent, PageContent, Shape, Table
from ingest.model import Step
from ingest.parsers._sop_aligned import continued_flow, flow_tables
from ingest.parsers._sop_identity import fix_numbering
from ingest.parsers._sop_table import (
    Column,
    Role,
    columns_of,
    find_header,
    is_column_number_row,
    row_cells,
    step_number,
)
from ingest.parsers._sop_waktu import parse_waktu
from ingest.text import clean, join_lines, split_items

log = logging.getLogger(__name__)

# Words drawn inside start/end capsules and on decision branches, never cell text.
SYMBOL_WORDS = frozenset({"mulai", "selesai", "start", "end", "ya", "tidak", "yes", "no"})
_MIN_SYMBOL = (10.0, 6.0)  # smallest symbol width, height (arrow heads are smaller)
_TEXT_ROLES: tuple[Role, ...] = ("kegiatan", "pelaksana", "kelengkapan", "waktu", "output", "keterangan")


@dataclass
class _RawStep:
    no: int | None  # None: the No cell holds something that is not a number (OCR)
    page: int
    texts: dict[Role, list[str]] = field(default_factory=dict)
    bands: list[tuple[int, Box]] = field(default_factory=list)
    areas: dict[str, float] = field(default_factory=dict)  # actor name -> symbol area
    starts: set[str] = field(default_factory=set)  # actors holding a start/end capsule
    seen: list[Box] = field(default_factory=list)  # symbols counted (one drawn as fill + stroke counts once)


@dataclass(frozen=True)
class Flowchart:
    """What the flowchart table gives: actor columns, steps, and what could not be read."""

    pelaksana: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    warnings: tuple[str, ...] = ()
    tables: frozenset[int] = frozenset()  # id() of the tables read as flowchart
    # (page, box) of flowchart tables read from text alignment (`_sop_aligned`), not in page.tables
    regions: tuple[tuple[int, Box], ...] = ()


@dataclass
class _State:
    columns: list[Column] | None = None
    actors: list[str] = field(default_factory=list)
    steps: list[_RawStep] = field(default_factory=list)
    tables: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    regions: list[tuple[int, Box]] = field(default_factory=list)


def read_flowchart(doc: DocumentContent) -> Flowchart:
    """Read every flowchart table of `doc` (repeated headers, continuation pages) into steps."""
    state = _State()
    for page in doc.pages:
        read = [t for t in page.tables if _read_table(page, t, state)]
        state.tables.update(id(t) for t in read)
        if read:
            continue
        # no ruled flowchart here: one ruled only between rows, or not at all
        aligned = flow_tables(page)
        if not aligned and state.columns is not None and state.steps and state.steps[-1].no is not None:
            more = continued_flow(page, state.columns, state.steps[-1].no + 1)
            aligned = [more] if more is not None else []
        state.regions += [(page.number, t.box) for t in aligned if _read_table(page, t, state)]
    renumber(state.steps, state.warnings)
    steps = tuple(_finish(raw, state, first=not i) for i, raw in enumerate(state.steps))
    if not state.actors:
        # one Pelaksana column of names: the actors are the names, in the order they first act
        state.actors = list(dict.fromkeys(s.pelaksana for s in steps if s.pelaksana))
    return Flowchart(tuple(state.actors), steps, tuple(state.warnings), frozenset(state.tables),
                     tuple(state.regions))


def _read_table(page: PageContent, table: Table, state: _State) -> bool:
    """Read `table`'s steps when it is (or continues) a flowchart; whether it was one."""
    body = _body_rows(table, state)
    if body is None or state.columns is None:
        return False
    symbols = candidate_symbols(page, table, state.columns)
    first = len(state.steps)
    _read_rows(body, page.number, state, symbols)
    _assign_symbols(state.steps[first:], page.number, symbols, state.columns)
    return True


def _body_rows(table: Table, state: _State) -> Sequence[Sequence[Cell | None]] | None:
    header = find_header(table)
    if header is not None:
        columns = columns_of(table, *header)
        roles = {c.role for c in columns}
        if "kegiatan" not in roles or ("no" not in roles and not roles & {"actor", "pelaksana"}):
            return None  # without a No column, the actors must show it is a flowchart
        if state.columns is None:
            state.actors = [c.name for c in columns if c.role == "actor"]
        state.columns = columns
        return table.rows[header[1]:]
    if state.columns is not None and _continues(table, state.columns):
        return table.rows
    return None


def _continues(table: Table, columns: list[Column]) -> bool:
    """A headerless table that lines up with the last flowchart table continues it."""
    tol = 0.05 * (columns[-1].x1 - columns[0].x0)
    return abs(table.box.x0 - columns[0].x0) <= tol and abs(table.box.x1 - columns[-1].x1) <= tol


def _read_rows(rows: Iterable[Sequence[Cell | None]], page: int, state: _State,
               symbols: list[Shape]) -> None:
    assert state.columns is not None
    pending: list[int] = []  # numbers of a No cell left whole over rows the other columns split
    numbers: list[int] = []
    for row in rows:
        cells = row_cells(row)
        if not cells or is_column_number_row(row):
            continue
        texts = {c.role: _cell_text(_cell_at(cells, c.cx), symbols) for c in state.columns
                 if c.role in (*_TEXT_ROLES, "no")}
        if "no" not in texts:
            # no No column: a row whose own Kegiatan cell has text is the next step, numbered by
            # the number it starts with, else in order
            keg = _cell_at(cells, next(c.cx for c in state.columns if c.role == "kegiatan"))
            if keg is None or not texts.get("kegiatan"):
                no, numbers = None, []
            else:
                lead = re.match(r"^\s*(\d{1,3})[.)]\s+", texts["kegiatan"])
                no = int(lead.group(1)) if lead else len(state.steps) + 1
                texts["kegiatan"] = texts["kegiatan"][lead.end():] if lead else texts["kegiatan"]
                numbers = []
        else:
            numbers = stacked_numbers(texts.get("no"))
            no = numbers[0] if numbers else step_number(texts.get("no"))
        if numbers:
            pending = numbers[1:]
        elif pending and not texts.get("no", "").strip() and texts.get("kegiatan"):
            no = pending.pop(0)
        unreadable = no is None and bool(texts.get("no", "").strip()) and bool(texts.get("kegiatan"))
        if no is not None or unreadable:
            state.steps.append(_RawStep(no, page))
        elif not state.steps:
            continue
        raw = state.steps[-1]
        for role in _TEXT_ROLES:
            if texts.get(role):
                raw.texts.setdefault(role, []).append(texts[role])
        own = [c for c in (_cell_at(cells, col.cx) for col in state.columns
                           if col.role in ("no", "kegiatan")) if c is not None]
        _add_band(raw, page, _band(cells, min(own, key=lambda c: c.box.bottom, default=None)))


def stacked_numbers(text: str | None) -> list[int]:
    """The step numbers of a No cell holding two or more in sequence, one per line ('3\n4'): the
    rule between two rows of the narrow No column was not found, the other columns have it."""
    lines = [ln for ln in (text or "").splitlines() if ln.strip()]
    numbers = [step_number(ln) for ln in lines]
    if len(numbers) < 2 or any(n is None for n in numbers):
        return []
    found = [n for n in numbers if n is not None]
    return found if all(b == a + 1 for a, b in zip(found, found[1:], strict=False)) else []


def _add_band(raw: _RawStep, page: int, band: Box) -> None:
    """Extend the step's last band when this row continues it (a grid row split by a line)."""
    if raw.bands and raw.bands[-1][0] == page and abs(raw.bands[-1][1].bottom - band.top) <= 2:
        last = raw.bands[-1][1]
        band = Box(min(last.x0, band.x0), last.top, max(last.x1, band.x1), band.bottom)
        raw.bands[-1] = (page, band)
    else:
        raw.bands.append((page, band))


def _cell_at(cells: Sequence[Cell], x: float) -> Cell | None:
    return next((c for c in cells if c.box.x0 <= x <= c.box.x1), None)


def _cell_text(cell: Cell | None, symbols: Sequence[Shape]) -> str:
    """The cell text without symbol words ('Mulai', 'Ya') drawn over the cell."""
    if cell is None:
        return ""
    if not any(_overlaps(cell.box, s.box) for s in symbols):
        return cell.text or ""
    kept = [ln for ln in (cell.text or "").splitlines() if ln.strip().lower() not in SYMBOL_WORDS]
    return "\n".join(kept)


def _overlaps(a: Box, b: Box) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.top < b.bottom and b.top < a.bottom


def _band(cells: Sequence[Cell], own: Cell | None = None) -> Box:
    """The row's vertical band: down to the bottom of the step's own No or Kegiatan cell (the
    shorter) when the row has one, else of its shortest cell; cells spanning further down (a merged Keterangan)
    do not widen it, and an actor cell cut short by a connector line does not narrow it."""
    bottom = own.box.bottom if own is not None else min(c.box.bottom for c in cells)
    return Box(min(c.box.x0 for c in cells), min(c.box.top for c in cells),
               max(c.box.x1 for c in cells), bottom)


def candidate_symbols(page: PageContent, table: Table, columns: Sequence[Column]) -> list[Shape]:
    """Drawn shapes that can be flowchart symbols inside the actor columns of `table`.

    Not symbols: lines, arrow heads (too small), row rects and frames (too wide), cell
    outlines (both sides on column edges: connector lines may split grid rows, so an outline
    need not match a cell box), and a cell corner cut off by a connector, which touches both
    a column edge and a row edge (what a scan's outline finder reports).
    """
    actors = [c for c in columns if c.role == "actor"]
    if not actors:
        return []
    widest = max(c.x1 - c.x0 for c in actors)
    xs = sorted({c.x0 for c in columns} | {c.x1 for c in columns})
    ys = sorted({y for row in table.rows for c in row_cells(row) for y in (c.box.top, c.box.bottom)})
    out = []
    for s in page.shapes:
        b = s.box
        if s.kind == "line" or b.width < _MIN_SYMBOL[0] or b.height < _MIN_SYMBOL[1]:
            continue
        if b.width > 2 * widest or _is_cell_part(b, xs, ys):
            continue
        if actors[0].x0 <= b.cx <= actors[-1].x1 and table.box.top <= b.cy <= table.box.bottom:
            out.append(s)
    return out


def _is_cell_part(b: Box, xs: Sequence[float], ys: Sequence[float]) -> bool:
    left, right = _on_edge(b.x0, xs), _on_edge(b.x1, xs)
    return (left and right) or ((left or right) and (_on_edge(b.top, ys) or _on_edge(b.bottom, ys)))


def _on_edge(x: float, edges: Sequence[float], tol: float = 1.5) -> bool:
    return any(abs(x - e) <= tol for e in edges)


def _assign_symbols(steps: Sequence[_RawStep], page: int, symbols: Sequence[Shape],
                    columns: Sequence[Column]) -> None:
    """Credit each symbol's area to the actor column and step row that hold most of it.

    A shape that is not mostly inside one actor column and one row band (an elbow connector
    drawn as a polyline, a big frame) is no step's symbol.
    """
    actors = [c for c in columns if c.role == "actor"]
    for s in symbols:
        b = s.box
        col = next((c for c in actors if c.x0 <= b.cx <= c.x1), None)
        if col is None or _share(b.x0, b.x1, col.x0, col.x1) < 0.75:
            continue
        for raw in steps:
            if any(p == page and band.top <= b.cy <= band.bottom
                   and _share(b.top, b.bottom, band.top, band.bottom) >= 0.6
                   for p, band in raw.bands):
                if not any(_same_place(b, o) for o in raw.seen):
                    raw.seen.append(b)
                    raw.areas[col.name] = raw.areas.get(col.name, 0.0) + b.width * b.height
                if is_terminator(s):
                    raw.starts.add(col.name)
                break


def is_terminator(s: Shape) -> bool:
    """A start/end capsule: a curve of many points (a rounded outline), as the text layer and the
    scan's outline finder (`scan_symbols.classify_outline`, 10 points) report it."""
    return s.kind == "curve" and s.points >= 10


def _same_place(a: Box, b: Box) -> bool:
    """Two shapes drawn over each other (a symbol's fill and its outline)."""
    inter = max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0)) * max(0.0, min(a.bottom, b.bottom) - max(a.top, b.top))
    return inter >= 0.8 * min(a.width * a.height, b.width * b.height)


def _actor(raw: _RawStep, first: bool) -> str | None:
    """The actor whose column holds most of the step's symbols; in the first step, when symbols
    stand in several columns, the one holding the start capsule (the flow starts there and an
    arrow leads on to the next actor's box)."""
    if not raw.areas:
        return None
    if first and len(raw.areas) > 1 and len(raw.starts) == 1:
        return next(iter(raw.starts))
    return max(raw.areas, key=lambda name: raw.areas[name])


def _share(a0: float, a1: float, b0: float, b1: float) -> float:
    """The fraction of the interval a0..a1 that lies inside b0..b1."""
    return max(0.0, min(a1, b1) - max(a0, b0)) / max(a1 - a0, 1e-6)


def renumber(steps: Sequence[_RawStep], warnings: list[str]) -> None:
    """Repair step numbers that break the sequence when both neighbours agree on the missing
    one (OCR reads '1' as '4' or '5' as '-'); a number that cannot be read follows the last."""
    for i, raw in enumerate(steps):
        prev = steps[i - 1].no if i else 0
        if prev is None:
            continue
        expected = prev + 1
        nxt = steps[i + 1].no if i + 1 < len(steps) else None
        if raw.no is None:
            warnings.append(f"langkah sesudah {prev}: nomor tidak terbaca, dianggap {expected}")
            raw.no = expected
        elif raw.no != expected and (nxt == expected + 1 or (nxt is None and raw.no <= prev)):
            # the last step may only be repaired when it repeats or goes back (OCR '6' -> '5')
            warnings.append(f"langkah {raw.no}: nomor tidak berurutan, dianggap {expected}")
            raw.no = expected


def _finish(raw: _RawStep, state: _State, *, first: bool) -> Step:
    waktu_col = next((c for c in state.columns or () if c.role == "waktu"), None)
    actor = _actor(raw, first) or clean(join_lines("\n".join(raw.texts.get("pelaksana", []))))
    if actor is None and any(c.role == "actor" for c in state.columns or ()):
        state.warnings.append(f"langkah {raw.no}: simbol bagan alir tidak ditemukan, pelaksana tidak diketahui")
    elif actor is None:
        state.warnings.append(f"langkah {raw.no}: kolom pelaksana kosong, pelaksana tidak diketahui")
    kegiatan = join_lines("\n".join(raw.texts.get("kegiatan", [])))
    if not kegiatan:
        state.warnings.append(f"langkah {raw.no}: kegiatan kosong")
    return Step(
        no=raw.no or 0,
        kegiatan=kegiatan,
        pelaksana=actor,
        kelengkapan=_items(raw.texts.get("kelengkapan")),
        waktu=parse_waktu("\n".join(raw.texts.get("waktu", [])),
                          waktu_col.unit if waktu_col else "menit"),
        output=_items(raw.texts.get("output")),
        keterangan=_items(raw.texts.get("keterangan")),
        page=raw.page,
    )


def _items(texts: list[str] | None) -> str | None:
    """A cell as one string: numbered or bulleted items joined by '; ', lines by spaces."""
    if not texts:
        return None
    items = split_items(fix_numbering("\n".join(texts)))
    return clean("; ".join(re.sub(r"\s*;$", "", i) for i in items))
