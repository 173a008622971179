"""Tables found from text alignment: borderless and partly ruled indicator and program tables.

Works on any page of the neutral model (text-layer words or OCR words, and the drawn rules):

1. Header: a band of up to three close lines whose phrases name at least three column roles,
   among them the indicator and a value (`table_header.header_role`), or a program and its
   anggaran.  Phrases stacked in one column are
   one header cell; a phrase above two or more others ('INDIKATOR KINERJA TAHUN 2016' over
   'TARGET' and 'REALISASI') spans them and gives them its year.
2. Columns: between two neighbouring header cells, the boundary is a vertical rule when one is
   drawn there, else the widest strip the body's words leave empty, else the middle.
3. Body: the lines below, until a gap much larger than the line pitch, a caption, or prose
   running across columns.  Where rules are drawn between the rows, they part the rows; else a
   line starts a new row when it has a number in a `No` column, follows a paragraph gap, or
   brings a fresh value in two value columns.  The sasaran column is read by paragraphs, each
   given to the first row it overlaps (the rows below carry it down).
4. A table continued on the next page without its header (`continued_aligned`) is read there
   in the columns of the table above.

The result is an ordinary `Table` (a header row, then body rows), so the same header reader
and row readers serve it as they serve ruled tables.
"""

from __future__ import annotations

import re
import statistics

from ingest.layout import Box, Cell, PageContent, Table, Word
from ingest.parsers._aligned_rows import (
    VALUE_ROLES,
    Column,
    Line,
    Phrase,
    group_rows,
    hrules,
    page_lines,
    split_line,
)
from ingest.parsers.table_header import (
    Layout,
    header_role,
    header_year,
    is_column_number_row,
    is_summary_label,
)

_STOP_RE = re.compile(r"^(tabel|table|gambar|grafik|sumber|catatan|keterangan\s*:|berdasarkan)\b", re.I)
_HEADERISH_RE = re.compile(r"^[\s()%/.,:-]*((19|20)\d\d|n|n-\d|[ivx]{1,4}|\d{1,2})?[\s()%/.,:-]*$", re.I)
_MAX_HEADER_LINES = 3


def aligned_tables(page: PageContent) -> list[Table]:
    """Indicator tables of `page` found from text alignment (not inside a ruled table already)."""
    if not page.words or not re.search(r"(?i)target|realisasi|rencana|capaian|anggaran|pagu", page.text):
        return []
    lines = page_lines(page.words)
    out: list[Table] = []
    i = 0
    while i < len(lines):
        band = _header_band(lines, i)
        if band is None or _inside_ruled(page, lines[i]):
            i += 1
            continue
        end, columns = band
        table, last = _build(page, lines, end, columns, lines[i].top)
        if table is not None:
            out.append(table)
            i = max(last, end)
        else:
            i = end
    return out


def _inside_ruled(page: PageContent, line: Line) -> bool:
    """True when the line lies in a ruled table with a header and a body of its own."""
    cy = (line.top + line.bottom) / 2
    return any(t.box.top - 2 <= cy <= t.box.bottom + 2 and len(t.rows) >= 3 for t in page.tables)


def _header_band(lines: list[Line], i: int) -> tuple[int, list[Column]] | None:
    """(index after the header band, its columns) when line `i` starts a table header."""
    first = lines[i].header_phrases()
    if not first or not any(header_role(p.text) or header_year(p.text) for p in first):
        return None
    if len(first) == 1 and not _spanning_heading(lines, i):
        return None
    band = [lines[i]]
    j = i + 1
    while j < len(lines) and len(band) < _MAX_HEADER_LINES + 1:
        gap = lines[j].top - band[-1].bottom
        if gap > 0.9 * band[-1].height or not _headerish(lines[j]):
            break
        band.append(lines[j])
        j += 1
    best: tuple[int, list[Column]] | None = None
    for k in range(len(band), 0, -1):  # the fullest band whose columns name the roles
        columns = _columns([p for ln in band[:k] for p in ln.header_phrases()])
        roles = {c.role for c in columns} - {None}
        indicators = "indikator" in roles and len(roles) >= 3 and roles & set(VALUE_ROLES)
        if indicators or {"program", "anggaran"} <= roles:
            best = (i + k, columns)
            break
    if best is None:
        return None
    end, columns = best
    while end < len(lines) and is_column_number_row([p.text for p in lines[end].phrases()]):
        end += 1
    return end, columns


def _spanning_heading(lines: list[Line], i: int) -> bool:
    """A lone short header phrase right above the rest of the header ('CAPAIAN KINERJA TAHUN
    2016' over its columns, set higher because the cells beside it are centred)."""
    if i + 1 >= len(lines) or len(lines[i].words) > 6:
        return False
    return lines[i + 1].top - lines[i].bottom <= 0.9 * lines[i].height and len(lines[i + 1].phrases()) >= 2


def _headerish(line: Line) -> bool:
    """A header line: role words, years, quarters, '(%)', short words without figures."""
    for p in line.phrases():
        t = p.text
        if header_role(t) is not None or _HEADERISH_RE.match(t):
            continue
        if len(t.split()) > 4 or re.search(r"\d", t):
            return False
    return True


def _columns(phrases: list[Phrase]) -> list[Column]:
    """Leaf header cells: phrases stacked in one column joined, spanning phrases as parents."""
    spans: list[Phrase] = []
    leaves: list[list[Phrase]] = []
    for p in sorted(phrases, key=lambda p: p.top):
        under = [q for q in phrases if q.top > p.bottom - 1 and _overlap(p, q) > 0]
        below_lines = {round(q.top) for q in under}
        if any(sum(1 for q in under if round(q.top) == t) >= 2 for t in below_lines) or \
                _columns_under(p, under) >= 2:
            spans.append(p)
            continue
        stack = next((s for s in leaves if any(_overlap(p, q) > 0 for q in s)), None)
        if stack is None:
            leaves.append([p])
        else:
            stack.append(p)
    out = []
    for stack in sorted(leaves, key=lambda s: min(q.x0 for q in s)):
        text = " ".join(q.text for q in sorted(stack, key=lambda q: q.top))
        col = Column(text, min(q.x0 for q in stack), max(q.x1 for q in stack),
                      header_year(text), header_role(text))
        for parent in spans:
            if min(parent.x1, col.x1) - max(parent.x0, col.x0) > 0:
                col.year = col.year or header_year(parent.text)
                col.role = col.role or header_role(parent.text)
        out.append(col)
    return out


def _columns_under(p: Phrase, under: list[Phrase]) -> int:
    """How many columns of phrases stand mostly under `p` (cells of one header row centred on
    different lines: 'Target / Kinerja' in two lines beside 'Real.' in one)."""
    mostly = sorted((q for q in under if _overlap(p, q) > 0.6 * (q.x1 - q.x0)), key=lambda q: q.x0)
    count, right = 0, float("-inf")
    for q in mostly:
        if q.x0 >= right:
            count += 1
        right = max(right, q.x1)
    return count


def _overlap(a: Phrase, b: Phrase) -> float:
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def _rules_x(page: PageContent, top: float, bottom: float) -> list[float]:
    """The x of the vertical rules drawn across the band top..bottom."""
    xs = []
    for s in page.shapes:
        b = s.box
        if b.width <= 2.5 and b.height >= 0.6 * (bottom - top) and b.top <= top + 2 and b.bottom >= bottom - 2:
            xs.append(b.cx)
    return sorted(xs)


def _header_rules_x(page: PageContent, top: float, bottom: float) -> list[float]:
    """The x of the rules parting the header's cells (a table ruled only in its header): vertical
    rules across the header band, and the sides of the cell rectangles drawn around it."""
    xs = []
    for s in page.shapes:
        b = s.box
        if b.top > top + 2 or b.bottom < bottom - 2 or b.height > 4 * max(1.0, bottom - top) + 40:
            continue
        if b.width <= 2.5:
            xs.append(b.cx)
        elif s.kind == "rect":
            xs += [b.x0, b.x1]
    return sorted(xs)


def _boundaries(page: PageContent, columns: list[Column], body: list[Line],
                top: float, bottom: float, head_bottom: float | None = None) -> list[float]:
    """The x between each pair of neighbouring columns: a rule across the table, else one
    parting the header's cells, else the widest gap the body leaves."""
    rules = _rules_x(page, top, bottom)
    head_rules = _header_rules_x(page, top, head_bottom) if head_bottom is not None else []
    # a summary label ('Jumlah', 'Rata-rata') often runs across the first columns
    words = [w for ln in body if not is_summary_label(ln.phrases()[0].text) for w in ln.words]
    out = []
    for left, right in zip(columns, columns[1:], strict=False):
        lo, hi = (left.x0 + left.x1) / 2, (right.x0 + right.x1) / 2
        ruled = [x for x in rules if max(lo, left.x1 - 3) <= x <= min(hi, right.x0 + 3)]
        ruled = ruled or [x for x in head_rules if left.x1 - 1 <= x <= right.x0 + 1]
        if ruled:
            out.append(ruled[0])
            continue
        out.append(_widest_gap(words, lo, hi, (left.x1 + right.x0) / 2))
    return out


def _widest_gap(words: list[Word], lo: float, hi: float, default: float) -> float:
    """The middle of the widest strip between lo and hi that no word covers."""
    spans = sorted((max(lo, w.box.x0), min(hi, w.box.x1)) for w in words
                   if w.box.x1 > lo and w.box.x0 < hi)
    best_len, best_x, x = 0.0, default, lo
    for a, b in spans + [(hi, hi)]:
        if a - x > best_len:
            best_len, best_x = a - x, (a + x) / 2
        x = max(x, b)
    return best_x if best_len >= 2.0 else default


def _body_lines(lines: list[Line], start: int, bounds: list[float], page_height: float,
                ) -> list[Line]:
    out: list[Line] = []
    heights = [ln.height for ln in lines[start:start + 10]] or [10.0]
    pitch = statistics.median(heights)
    for k, ln in enumerate(lines[start:], start):
        prev = out[-1] if out else None
        above = prev.bottom if prev else (lines[start - 1].bottom if start else ln.top)
        gap = ln.top - above
        if gap > 3.2 * pitch or _STOP_RE.match(ln.text) or ln.top > page_height * 0.95:
            break
        if prev is not None and (_prose(ln, bounds) or _another_header(ln)):
            break
        if prev is not None and gap > pitch and _caption_of_next(ln, lines[k + 1:k + 2], pitch):
            break
        out.append(ln)
    return out


def _caption_of_next(line: Line, after: list[Line], pitch: float) -> bool:
    """A line of words alone ('Program dan Anggaran') right above another table's header."""
    return (len(line.phrases()) == 1 and not re.search(r"\d", line.text) and bool(after)
            and after[0].top - line.bottom <= 2.5 * pitch and _another_header(after[0]))


def _another_header(line: Line) -> bool:
    """A line heading another table below ('No | Program | Anggaran | Keterangan'): three or more
    phrases naming column roles and no figure."""
    phrases = line.header_phrases()
    named = [p for p in phrases if header_role(p.text)]
    return len(named) >= 3 and len(named) >= len(phrases) - 1 and not any(re.search(r"\d", p.text) for p in phrases)


def _prose(line: Line, bounds: list[float]) -> bool:
    """True for a line of running text: one phrase crossing two or more column boundaries."""
    return any(sum(1 for b in bounds if p.x0 < b < p.x1) >= 2 for p in line.phrases())


def _build(page: PageContent, lines: list[Line], start: int, columns: list[Column],
           top: float) -> tuple[Table | None, int]:
    bounds = [(a.x1 + b.x0) / 2 for a, b in zip(columns, columns[1:], strict=False)]
    body = _body_lines(lines, start, bounds, page.height or 842.0)
    bounds = _boundaries(page, columns, body, top, body[-1].bottom if body else top,
                         lines[start - 1].bottom if start else None)
    body = _body_lines(lines, start, bounds, page.height or 842.0)
    xs = [columns[0].x0 - 2, *bounds, columns[-1].x1 + 2]
    rows = group_rows(body, columns, bounds,
                      hrules(page, columns[0].x0, columns[-1].x1, body[0].top - 1, body[-1].bottom + 1),
                      {k: hrules(page, xs[k], xs[k + 1], body[0].top - 1, body[-1].bottom + 1)
                       for k, c in enumerate(columns) if c.role == "sasaran"},
                      ) if body else []
    head_bottom = lines[start - 1].bottom
    header = tuple(Cell(_header_text(c), Box(xs[k], top, xs[k + 1], head_bottom))
                   for k, c in enumerate(columns))
    if not rows:  # the header alone at the foot of the page: its rows are on the next one
        if head_bottom < 0.75 * (page.height or 842.0):
            return None, start
        return Table(page=page.number, box=Box(xs[0], top, xs[-1], head_bottom), rows=(header,)), start
    body_cells = []
    for r in rows:
        cells = []
        for k in range(len(columns)):
            parts = r.lines.get(k, [])
            # a merged sasaran's lines may reach past the row's own lines
            top_k = min([r.top, *(a for _, a, _ in parts)])
            bottom_k = max([r.bottom, *(b for _, _, b in parts)])
            cells.append(Cell("\n".join(t for t, _, _ in parts), Box(xs[k], top_k, xs[k + 1], bottom_k)))
        body_cells.append(tuple(cells))
    box = Box(xs[0], top, xs[-1], rows[-1].bottom)
    return Table(page=page.number, box=box, rows=(header, *body_cells)), start + len(body)


def _header_text(col: Column) -> str:
    text = col.text
    if col.role and header_role(text) != col.role:
        text = f"{col.role.capitalize()} {text}"
    if col.year and header_year(text) is None:
        text = f"{text} {col.year}"
    return text


def continued_aligned(page: PageContent, prev: Table, layout: Layout) -> Table | None:
    """The rows at the top of `page` that continue `prev` without repeating its header.

    The columns are those of `prev` (its widest row's cells); the rows start at the first line
    in the top third of the page that fills the indicator column and a value column.
    """
    widest = max(prev.rows, key=lambda r: sum(c is not None for c in r))
    if len(widest) != len(layout.roles) or any(c is None for c in widest):
        return None
    cells = [c for c in widest if c is not None]
    columns = [Column(_role_text(layout, k), c.box.x0, c.box.x1, layout.years[k], layout.roles[k])
               for k, c in enumerate(cells)]
    bounds = [(a.x1 + b.x0) / 2 for a, b in zip(columns, columns[1:], strict=False)]
    ind = layout.column("indikator")
    values = {k for k, r in enumerate(layout.roles) if r in VALUE_ROLES}
    lines = page_lines(page.words)
    if len(prev.rows) == 1:  # a header alone above: its column edges are guesses from its words
        near = [ln for ln in lines if ln.top <= page.height * 0.6 and not _repeated_header(ln)
                and not any(sum(1 for b in bounds if p.x0 < b < p.x1) >= 3 for p in ln.phrases())]
        if near:
            bounds = _boundaries(page, columns, near, near[0].top, near[-1].bottom)
    start = None
    for i, ln in enumerate(lines):
        if ln.top > page.height * 0.35:
            break
        parts = split_line(ln, bounds)
        if _repeated_header(ln):
            continue
        if ind in parts and set(parts) & values and not _prose(ln, bounds):
            start = i
            break
    if start is None:
        return None
    body = _body_lines(lines, start, bounds, page.height or 842.0)
    rows = group_rows(body, columns, bounds) if body else []
    if not rows:
        return None
    xs = [columns[0].x0, *bounds, columns[-1].x1]
    top = rows[0].top
    header = tuple(Cell(c.text, Box(xs[k], top - 12, xs[k + 1], top - 1)) for k, c in enumerate(columns))
    body_cells = [tuple(Cell("\n".join(t for t, _, _ in r.lines.get(k, [])),
                             Box(xs[k], r.top, xs[k + 1], r.bottom)) for k in range(len(columns)))
                  for r in rows]
    return Table(page=page.number, box=Box(xs[0], top - 12, xs[-1], rows[-1].bottom),
                 rows=(header, *body_cells))


def _repeated_header(line: Line) -> bool:
    """A line of the header repeated on the new page (role words, years), or its column numbers."""
    phrases = line.header_phrases()
    named = sum(1 for p in phrases if header_role(p.text) is not None)
    return (named >= 2 and _headerish(line)) or is_column_number_row([p.text for p in phrases])


_ROLE_TEXT = {"no": "No", "sasaran": "Sasaran", "indikator": "Indikator", "satuan": "Satuan",
              "target": "Target", "realisasi": "Realisasi", "capaian": "Capaian", "tw1": "TW 1",
              "tw2": "TW 2", "tw3": "TW 3", "tw4": "TW 4", "program": "Program",
              "anggaran": "Anggaran", "keterangan": "Keterangan"}


def _role_text(layout: Layout, k: int) -> str:
    role = layout.roles[k]
    text = _ROLE_TEXT.get(role or "", "")
    year = layout.years[k]
    return f"{text} {year}".strip() if year else text
