"""Shared helpers for indicator tables (LKjIP, data-collection form, Perjanjian Kinerja, RKT lampiran).

- `read_header` (from `table_header`) maps header cells to column roles (`no`, `sasaran`,
  `indikator`, `satuan`, `target`, `realisasi`, `capaian`, `tw1`..`tw4`, `program`, `anggaran`,
  `keterangan`), over one to three header rows with spanning cells, skipping column-number rows.
- `body_rows` gives the rows below the header as {role: cell text}; `carry_down` fills a blank or
  merged sasaran from the row above; `continuation_tables` finds the same table continued on the
  next pages.
- `split_value` splits a value cell into number + unit + text by the transcription rules
  (`'12.317.066 ton'` -> 12317066, 'ton'; `'Nilai A (83)'` -> 83 with the whole cell as text;
  `'Level 3'` -> no number, text only).
- `cell_lines` reads the text lines of a cell with their vertical positions (from the page words),
  for cells that hold several items; `find_office` / `pemerintah_of` read the office heading.

Everything works on the neutral page model (`ingest.layout`), so OCR input works the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ingest.layout import Box, Cell, DocumentContent, PageContent, Table
from ingest.parsers.signatory import group_lines
from ingest.parsers.table_header import (
    ROLES,
    Layout,
    header_role,
    is_column_number_row,
    is_summary_label,
    read_header,
)
from ingest.parsers.table_header import texts_of as _texts

__all__ = ["ROLES", "Layout", "header_role", "is_column_number_row", "is_summary_label", "read_header"]
from ingest.text import clean, join_lines, parse_number, title_case_office

Row = dict[str, str | None]


def body_rows(table: Table, layout: Layout, *, skip_header: bool = True,
              year: int | None = None) -> list[Row]:
    """The rows below the header as {role: text or None}; column-number rows are left out.

    None means a spanned (merged) position, '' an empty cell.  With several columns of one role
    (realisasi 2022 | 2021 | 2020) the one headed `year` is taken, else the first.
    """
    start = layout.header_rows if skip_header else 0
    wanted = {r: layout.column(r, year) for r in layout.role_set}
    out: list[Row] = []
    for row in table.rows[start:]:
        texts = _texts(row)
        if is_column_number_row(texts):
            continue
        rec: Row = {}
        for role, idx in wanted.items():
            if idx is not None and idx < len(texts):
                parts = [texts[k] for k in layout.group(idx) if k < len(texts)]
                filled = [t for t in parts if t and t.strip()]
                rec[role] = texts[idx] if len(parts) == 1 or not filled else " ".join(filled)
        if any(clean(v) for v in rec.values()):
            out.append(rec)
    return out


def is_summary_row(row: Row) -> bool:
    """True for a summary row ('Rata-rata', 'Jumlah', 'Capaian Sasaran 1'): its first filled
    label cell (no, sasaran, indikator) reads as a summary label."""
    for role in ("no", "sasaran", "indikator"):
        value = clean(row.get(role))
        if value:
            return is_summary_label(value)
    return False


def is_span_row(row: Row, first_role: str | None = None) -> bool:
    """True for a row that is one cell across the table (a tujuan or group heading).

    Only role keys count (callers may keep extra keys such as a page number in a row).
    """
    cells = {k: v for k, v in row.items() if k in ROLES}
    filled = [k for k, v in cells.items() if v is not None and clean(v)]
    return (len(filled) == 1 and filled[0] != "indikator"
            and all(v is None for k, v in cells.items() if k not in filled))


def carry_down(rows: list[Row], role: str = "sasaran") -> list[Row]:
    """Fill a blank or merged `role` cell with the value of the row above (new dicts)."""
    last: str | None = None
    out = []
    for row in rows:
        value = clean(row.get(role))
        if value:
            last = row.get(role)
        out.append({**row, role: row.get(role) if value else last})
    return out


Follow = Callable[[PageContent, Table, Layout], Table | None]


def continuation_tables(doc: DocumentContent, table: Table, layout: Layout,
                        max_pages: int = 5, follow: Follow | None = None,
                        ) -> list[tuple[Table, bool]]:
    """The same table continued on the following pages: (table, repeats_header) in order.

    A continuation is the first table of the next page, starting near its top, with the same
    number of columns and either the same header roles or column edges that line up.  When the
    next page starts with no ruled table, `follow` may read the rows there in the columns of the
    table above (`aligned.continued_aligned`, for borderless tables).
    """
    out: list[tuple[Table, bool]] = []
    current = table
    for page in doc.pages[table.page:table.page + max_pages]:
        if current.box.bottom < _page_height(doc, current.page) * 0.6:
            break
        top = min(page.tables, key=lambda t: t.box.top) if page.tables else None
        nxt: Table | None = top if top is not None and _continues(current, top, layout, page) else None
        if nxt is None and follow is not None and (top is None or top.box.top > page.height * 0.35):
            nxt = follow(page, current, layout)
        if nxt is None:
            break
        head = read_header(nxt)
        out.append((nxt, head is not None and head.roles == layout.roles))
        current = nxt
    return out


def _page_height(doc: DocumentContent, number: int) -> float:
    return doc.pages[number - 1].height if 0 < number <= len(doc.pages) else 842.0


def _continues(prev: Table, nxt: Table, layout: Layout, page: PageContent) -> bool:
    if nxt.box.top > page.height * 0.35 or not nxt.rows:
        return False
    if len(nxt.rows[0]) != len(layout.roles):
        return False
    head = read_header(nxt)
    if head is not None and "indikator" in head.role_set:  # another table's own header
        return head.roles == layout.roles
    return _edges_match(prev, nxt)  # no header, or body cells that happen to read as role words


def _edges_match(a: Table, b: Table, tol: float = 6.0) -> bool:
    ea, eb = _col_edges(a), _col_edges(b)
    return len(ea) == len(eb) and all(abs(x - y) <= tol for x, y in zip(ea, eb, strict=True))


def _col_edges(t: Table) -> list[float]:
    row = max(t.rows, key=lambda r: sum(c is not None for c in r))
    return [c.box.x0 for c in row if c is not None] + [t.box.x1]


# --- values --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    """A value cell split by the rules: the number, the unit printed after it, the text as printed."""

    number: float | None = None
    unit: str | None = None
    text: str | None = None


_NUMBER = r"[-+]?\d[\d.,]*"
_LEAD_RE = re.compile(rf"^(?P<n>{_NUMBER})\s*(?P<rest>.*)$")
_MONEY_RE = re.compile(r"^rp\.?\s*(?P<n>\d[\d.,]*(?:,-+)?)\s*(?P<rest>.*)$", re.I)
_BRACKET_RE = re.compile(rf"\(\s*(?P<n>{_NUMBER})\s*%?\s*\)")


_COMPARATOR_RE = re.compile(
    r"^(?:[<>]\s*=?|=\s*[<>]|[≥≤]|min(?:imal|imum)?\.?|maks(?:imal|imum)?\.?|max\.?|"
    r"(?:lebih|kurang)\s+dari|paling\s+(?:sedikit|banyak|rendah|tinggi)|sekurang-kurangnya)\s*"
    r"(?P<rest>\d.*)$", re.I)


def split_value(text: str | None) -> Value:
    """Split a target / realisasi / capaian cell into number, unit and text.

    - '95,00' -> 95.0;  '94,24%' / '10,90 %' -> 94.24 / 10.9 with unit '%'
    - '12.317.066 ton' -> 12317066 with unit 'ton' (no text: the cell is a number and a unit)
    - '140 Kelompok (1400 orang)' -> 140, unit 'Kelompok', text = the whole cell
    - 'Nilai A (83)', 'Level 3 (3,35)' -> the number in brackets, text = the whole cell
    - 'Level 3', 'WTP', '27 Kab/Kota 1 Provinsi', '100 dari 110 ...' -> no number, text = the cell
    - '>= 80', '≥ 80 %', 'Min. 12' -> the number (and unit) after the comparison, text = the cell
    """
    whole = clean(join_lines(text) if text else None)
    if whole:
        whole = clean(re.sub(r"\s*\*+$", "", whole))  # a footnote mark ('95,00*')
    if not whole:
        return Value()
    comparator = _COMPARATOR_RE.match(whole)
    if comparator:  # '>= 80', '≥ 80 %', 'Min. 12': the number, the whole cell as text
        inner = split_value(comparator.group("rest"))
        if inner.number is not None:
            return Value(inner.number, inner.unit, whole)
    money = _MONEY_RE.match(whole)
    if money:  # 'Rp 2.500.000.000', 'Rp. 9.985.639.757,-': the currency is the unit
        rest = money.group("rest").strip()
        number = parse_rupiah(money.group("n"))
        return Value(number, "Rp", whole if rest else None) if number is not None else Value(None, None, whole)
    lead = _LEAD_RE.match(whole)
    if lead:
        return _leading_number(whole, lead.group("n"), lead.group("rest").strip())
    bracket = _BRACKET_RE.search(whole)
    if bracket:
        return Value(parse_number(bracket.group("n")), None, whole)
    return Value(None, None, whole)


def _leading_number(whole: str, num: str, rest: str) -> Value:
    number = parse_number(num)
    if not rest:
        return Value(number, None, None)
    if rest in {"%", "persen", "Yo", "Y%", "o/o"}:  # OCR reads a lone '%' as 'Yo'
        return Value(number, "%", None)
    outside = re.sub(r"\([^)]*\)", " ", rest)
    if re.search(r"\d", outside):  # '100 dari 110 ...', '27 Kab/Kota 1 Provinsi': not one number
        return Value(None, None, whole)
    unit = clean(re.split(r"\(", rest, maxsplit=1)[0])
    if unit and len(unit.split()) > 3:  # a phrase, not a unit
        return Value(number, None, whole)
    extra = rest != (unit or "")
    return Value(number, unit, whole if extra else None)


def parse_rupiah(text: str | None) -> float | None:
    """'Rp. 18.972.674.100,-' -> 18972674100; 'Rp 6.006.780.000,00' -> 6006780000."""
    if not text:
        return None
    t = re.sub(r"(?i)rp\.?", "", text)
    t = re.sub(r",-+|,00\b|\.-+", "", t)
    m = re.search(r"\d[\d.,]*", t)
    if not m:
        return None
    digits = m.group(0).rstrip(".,")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", digits):
        return float(digits.replace(".", ""))
    return parse_number(digits)


# --- cell lines ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """One text line inside a cell, with its vertical extent."""

    text: str
    top: float
    bottom: float


def cell_lines(page: PageContent, box: Box, pad: float = 1.0) -> list[Line]:
    """The text lines of the page words whose centre lies inside `box`, top to bottom."""
    inside = [w for w in page.words if box.contains_point(w.box.cx, w.box.cy, pad)]
    return [Line(t, top, bottom) for t, top, bottom in group_lines(inside)]


def text_lines(text: str | None) -> list[Line]:
    """Lines of a cell text without positions (evenly spaced), for input without word boxes."""
    rows = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    return [Line(t, float(i * 10), float(i * 10 + 8)) for i, t in enumerate(rows)]


# --- office headings -----------------------------------------------------------------------

_OFFICE_RE = re.compile(
    r"^\s*(dinas|badan|biro|inspektorat|kantor|sekretariat|satuan|rumah\s+sakit|rsud|kecamatan|"
    r"kelurahan|bagian|unit|pusat|balai|uptd?|dprd)\b", re.I)
_REGION_RE = re.compile(r"\b(provinsi|kabupaten|kota|kab\.)\s+[A-Za-z][\w .-]*$", re.I)


def find_office(lines: Iterable[str]) -> str | None:
    """The office named in a heading ('DINAS ... / PROVINSI JAWA BARAT'), title-cased, with its region.

    Takes the first line that starts with an office word and joins the following heading lines
    up to and including the line that names the region.
    """
    rows = [ln.strip().lstrip("|\"'“”‘’`~_—– ") for ln in lines if ln.strip()]
    for i, line in enumerate(rows):
        if not _OFFICE_RE.match(line) or len(line) > 120:
            continue
        parts = [line]
        j = i + 1
        while not _REGION_RE.search(" ".join(parts)) and j < len(rows) and j <= i + 2:
            nxt = rows[j]
            if not nxt.isupper() or re.search(r"\btahun\b|perjanjian|laporan", nxt, re.I):
                break
            parts.append(nxt)
            j += 1
        # OCR leaves quotes and rules at the ends of a heading line ('JOMBANG”', '| DINAS')
        office = re.sub(r"\s+", " ", " ".join(parts)).strip(" ,|\"'“”‘’`~_—–-")
        if not _REGION_RE.search(office):  # 'PEMERINTAH PROVINSI X' over the office: its region
            region = next((m.group(1) for ln in rows if (m := _GOVERNMENT_RE.match(ln))), None)
            if region and office.isupper() == region.isupper():
                office = f"{office} {region}"
        return title_case_office(office) if office.isupper() else office
    return None


_GOVERNMENT_RE = re.compile(r"^\s*pemerintah\s+((?:provinsi|kabupaten|kota)\s+[A-Za-z][\w .-]{2,40}?)\s*$",
                            re.I)


def pemerintah_of(instansi: str | None, lines: Iterable[str] = ()) -> str | None:
    """'Pemerintah <region>' from a printed PEMERINTAH line, else from the region in `instansi`."""
    for line in lines:
        m = re.match(r"^\s*(pemerintah\s+(provinsi|kabupaten|kota)\s+[\w .-]+?)\s*$", line, re.I)
        if m:
            return title_case_office(m.group(1))
    if instansi:
        m = re.search(r"\b(provinsi|kabupaten|kota)\s+[\w .-]+$", instansi, re.I)
        if m:
            return "Pemerintah " + title_case_office(m.group(0))
    return None


# --- several items in one row ----------------------------------------------------------------

_NUM_MARK_RE = re.compile(r"^\s*\d{1,2}\s*[.)]\s*(?=\S)")
# 'a.', 'b)', '- '; OCR may put a digit before the letter ('9g.' for 'g.').
_SUB_MARK_RE = re.compile(r"^\s*(?:\d?[a-zA-Z]\s*[.)]|[-–•·▪])\s*(?=\S)")
# A sub-item letter whose full stop OCR lost ('f Ubi Kayu'), taken off an aligned sub-item.
_LONE_LETTER_RE = re.compile(r"^\s*[a-z]\s+(?=[A-Z])")


@dataclass(frozen=True)
class Item:
    """One indicator read out of a row: its name, its sasaran, and its value cells' text."""

    indikator: str
    sasaran: str | None
    values: dict[str, str]


@dataclass
class _Entry:
    kind: str  # 'top' or 'sub'
    lines: list[Line]
    parent: _Entry | None = None

    @property
    def top(self) -> float:
        return self.lines[0].top

    @property
    def bottom(self) -> float:
        return self.lines[-1].bottom

    def text(self) -> str:
        first = _SUB_MARK_RE.sub("", _NUM_MARK_RE.sub("", self.lines[0].text, count=1), count=1)
        if self.kind == "sub":
            first = _LONE_LETTER_RE.sub("", first, count=1)
        return join_lines("\n".join([first] + [ln.text for ln in self.lines[1:]]))


def row_items(page: PageContent, row: Sequence[Cell | None], layout: Layout,
              value_roles: Sequence[str] = ("satuan", "target")) -> list[Item]:
    """The indicators of one table row whose indikator cell may hold several items.

    Numbered items ('1. ...') and unnumbered paragraphs are indicators; lettered or dashed
    sub-items ('a. Padi', '- DAU') are indicators named '<parent> <sub-item>'.  Each line of a
    value cell (target, satuan) goes to the item it lines up with; a sasaran cell with several
    paragraphs gives each item the paragraph at or above it.  A parent with sub-items and no
    value of its own is not an indicator itself.
    """
    cells = {role: _cell(row, layout.column(role)) for role in ("indikator", "sasaran", *value_roles)}
    ind = cells["indikator"]
    if ind is None or not clean(ind.text):
        return []
    positioned = bool(cell_lines(page, ind.box))
    lines_of = (lambda c: cell_lines(page, c.box)) if positioned else (lambda c: text_lines(c.text))
    anchors = _value_anchors(lines_of(cells["target"])) if positioned and cells.get("target") else []
    entries = _entries(lines_of(ind), anchors)
    assigned = {role: _assign(entries, lines_of(c), positioned) if c else {}
                for role, c in cells.items() if role in value_roles}
    paragraphs = _paragraphs(lines_of(cells["sasaran"])) if cells["sasaran"] else []
    return _items(entries, assigned, paragraphs)


def _cell(row: Sequence[Cell | None], idx: int | None) -> Cell | None:
    return row[idx] if idx is not None and idx < len(row) else None


def _split_gap(lines: list[Line]) -> float:
    """The vertical gap above which a new paragraph starts."""
    if len(lines) < 2:
        return float("inf")
    heights = sorted(ln.bottom - ln.top for ln in lines)
    gaps = sorted(max(0.0, b.top - a.bottom) for a, b in zip(lines, lines[1:], strict=False))
    return max(0.6 * heights[len(heights) // 2], 1.8 * gaps[len(gaps) // 2])


def _value_anchors(lines: list[Line]) -> list[float]:
    """The vertical centres of the value lines that start a value (a number)."""
    return [(ln.top + ln.bottom) / 2 for ln in lines if re.match(r"\s*\d", ln.text)]


def _aligned(line: Line, anchors: Sequence[float]) -> float | None:
    """The anchor on `line`'s height, if any."""
    half = max(2.0, (line.bottom - line.top) / 2)
    return next((a for a in anchors if abs(a - (line.top + line.bottom) / 2) <= half), None)


def _entries(lines: list[Line], anchors: Sequence[float] = ()) -> list[_Entry]:
    """Indicator entries of a cell; in a run of sub-items, a line without a marker that lines
    up with its own value while the sub-item above has one is the next sub-item (OCR lost
    its letter: 'Buah-buahan', 'f Ubi Kayu')."""
    entries: list[_Entry] = []
    parent: _Entry | None = None
    gap = _split_gap(lines)
    for i, line in enumerate(lines):
        new_para = i > 0 and line.top - lines[i - 1].bottom > gap
        if _NUM_MARK_RE.match(line.text) or (new_para and not _SUB_MARK_RE.match(line.text)):
            parent = _Entry("top", [line])
            entries.append(parent)
        elif _SUB_MARK_RE.match(line.text) or _next_sub(entries, line, anchors):
            entries.append(_Entry("sub", [line], parent))
        elif entries:
            entries[-1].lines.append(line)
        else:
            parent = _Entry("top", [line])
            entries.append(parent)
    return entries


def _next_sub(entries: list[_Entry], line: Line, anchors: Sequence[float]) -> bool:
    if not entries or entries[-1].kind != "sub" or _aligned(line, anchors) is None:
        return False
    return any(_aligned(ln, anchors) is not None for ln in entries[-1].lines)


def _assign(entries: list[_Entry], lines: list[Line], positioned: bool) -> dict[int, str]:
    """Value lines per entry index: by vertical position, or in order without positions."""
    out: dict[int, list[str]] = {}
    if not positioned:
        if len(entries) == 1 or len(lines) != len(entries):
            return {0: "\n".join(ln.text for ln in lines)} if lines else {}
        return {i: ln.text for i, ln in enumerate(lines)}
    for line in lines:
        mid = (line.top + line.bottom) / 2
        best = min(range(len(entries)), key=lambda i: _distance(entries[i], mid))
        out.setdefault(best, []).append(line.text)
    return {i: "\n".join(v) for i, v in out.items()}


def _distance(entry: _Entry, y: float) -> float:
    if entry.top - 1 <= y <= entry.bottom + 1:
        return 0.0
    return min(abs(y - entry.top), abs(y - entry.bottom))


def _paragraphs(lines: list[Line]) -> list[tuple[float, str]]:
    out: list[tuple[float, list[str]]] = []
    gap = _split_gap(lines)
    for i, line in enumerate(lines):
        if i == 0 or line.top - lines[i - 1].bottom > gap:
            out.append((line.top, [line.text]))
        else:
            out[-1][1].append(line.text)
    return [(top, join_lines("\n".join(parts))) for top, parts in out]


def _items(entries: list[_Entry], assigned: dict[str, dict[int, str]],
           paragraphs: list[tuple[float, str]]) -> list[Item]:
    has_subs = {id(e.parent) for e in entries if e.parent is not None}
    out = []
    for i, entry in enumerate(entries):
        values = {role: per[i] for role, per in assigned.items() if clean(per.get(i))}
        if entry.kind == "top" and id(entry) in has_subs and "target" not in values:
            continue
        name = entry.text()
        if entry.kind == "sub" and entry.parent is not None:
            name = f"{entry.parent.text()} {name}"
        elif entry.kind == "top":
            name = name.rstrip(" :")
        sasaran = next((p for top, p in reversed(paragraphs) if top <= entry.top + 3),
                       paragraphs[0][1] if paragraphs else None)
        out.append(Item(indikator=name, sasaran=clean(sasaran), values=values))
    return out
