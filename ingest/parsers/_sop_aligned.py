"""SOP flowchart tables found from text alignment: ruled only between rows, or not ruled at all.

`_sop_flow` reads ruled tables; a flowchart printed without column rules gives none.  This
module builds the same `Table` from the page's words (text layer or OCR) and its drawn rules:

1. Header: a line holding an activity header phrase (Kegiatan, Aktivitas, Uraian Prosedur, ...)
   and the header lines right above and below it (short phrases without figures).  A phrase
   with two or more phrases under it on one line spans them ('Pelaksana' over the actors,
   'Mutu Baku' over Kelengkapan / Waktu / Output); the others are the leaf columns, phrases
   stacked in one column joined.
2. Column boundaries: a vertical rule drawn between two leaves, else the middle of the widest
   strip between their centres that no body word and no flowchart symbol covers.
3. Rows: between the rules drawn across the table when there are two or more, else a row
   starts at each line with a step number in the No column.  The column-number row
   (1 2 3 ... n) under the header is dropped.
4. A page without a header continues the flowchart above (`continued_flow`) when its first
   numbered line carries the next step number in the No column.

The header comes out as two rows (spanning cells over their leaves) so `_sop_table` reads it
as it reads a ruled header.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.layout import Box, Cell, PageContent, Table, Word
from ingest.parsers._aligned_rows import Line, Phrase, hrules, page_lines
from ingest.parsers._sop_table import Column, is_column_number_row, leaf_role, step_number

_HEADER_GAP = 1.3  # line heights between a header line and the one above it (a group name)
_HEADER_GAP_BELOW = 0.9  # ... and the one below it (the first row may follow closely)
_TITLE = re.compile(r"^\s*(sop|standar(t)? operasional)\b", re.I)
_END_GAP = 6.0  # line heights of empty space that end the table
_SYMBOL_MIN = (10.0, 6.0)


@dataclass
class _Leaf:
    text: str
    x0: float
    x1: float
    parent: Phrase | None = None

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


def flow_tables(page: PageContent) -> list[Table]:
    """Flowchart tables of `page` read from alignment (words inside ruled tables left out)."""
    lines = _free_lines(page)
    for i, line in enumerate(lines):
        if not any(leaf_role(p.text) == "kegiatan" for p in line.phrases()):
            continue
        first, end = _band(lines, i)
        leaves = _leaves([p for ln in lines[first:end] for p in _header_phrases(ln)])
        if len(leaves) < 3:
            continue
        while end < len(lines) and _column_numbers(lines[end]):
            end += 1
        body = _body(lines, end, [(a.x1 + b.x0) / 2 for a, b in zip(leaves, leaves[1:], strict=False)])
        bounds = _bounds(page, leaves, body)
        head_top, head_bottom = lines[first].top - 2, lines[end - 1].bottom + 2
        xs = [leaves[0].x0 - 3, *bounds, leaves[-1].x1 + 3]
        header = _header_rows(leaves, xs, head_top, head_bottom)
        rows = _rows(page, body, xs, head_bottom)
        if not rows:
            continue
        return [Table(page=page.number, box=Box(xs[0], head_top, xs[-1], rows[-1][0].box.bottom),
                      rows=(*header, *rows))]
    return []


def continued_flow(page: PageContent, columns: Sequence[Column], next_no: int) -> Table | None:
    """The rows at the top of `page` continuing a flowchart in `columns` without its header:
    only when the first numbered line holds `next_no` in the No column."""
    no_col = next((c for c in columns if c.role == "no"), None)
    if no_col is None:
        return None
    xs = [columns[0].x0, *[c.x1 for c in columns[:-1]], columns[-1].x1]
    lines = _free_lines(page)
    for i, line in enumerate(lines):
        if line.top > page.height * 0.4:
            return None
        no = _number_in(line, no_col.x0, no_col.x1)
        if no is None:
            continue
        if no != next_no:
            return None
        rows = _rows(page, _body(lines, i, xs[1:-1]), xs, line.top - 2)
        if not rows:
            return None
        return Table(page=page.number, box=Box(xs[0], rows[0][0].box.top, xs[-1], rows[-1][0].box.bottom),
                     rows=tuple(rows))
    return None


def _free_lines(page: PageContent) -> list[Line]:
    words = [w for w in page.words if not any(_inside(w, t.box) for t in page.tables)]
    return page_lines(words)


def _inside(w: Word, b: Box) -> bool:
    return b.x0 - 1 <= w.box.cx <= b.x1 + 1 and b.top - 1 <= w.box.cy <= b.bottom + 1


def _headerish(line: Line) -> bool:
    """A header line: short phrases without figures, or the role names themselves."""
    return all(leaf_role(p.text) is not None or (len(p.text.split()) <= 4 and not re.search(r"\d", p.text))
               for p in line.phrases())


def _band(lines: list[Line], i: int) -> tuple[int, int]:
    """(first, end) line indices of the header band around line `i`."""
    first = i
    while first > 0 and _headerish(lines[first - 1]) and not _TITLE.match(lines[first - 1].text) and \
            lines[first].top - lines[first - 1].bottom <= _HEADER_GAP * lines[first].height:
        first -= 1
    end = i + 1
    while end < len(lines) and _headerish(lines[end]) and not _column_numbers(lines[end]) and \
            lines[end].top - lines[end - 1].bottom <= _HEADER_GAP_BELOW * lines[end - 1].height:
        end += 1
    return first, end


def _header_phrases(line: Line) -> list[Phrase]:
    """The line's phrases, split again before a word naming a column after a wider than normal
    space (a header set tight: 'Persyaratan/Kelengkapan Waktu')."""
    return line.split_phrases(lambda _current, word: leaf_role(word) is not None, spacing=0.4)


def _column_numbers(line: Line) -> bool:
    phrases = [p for p in line.phrases() for p in _split_words(p)]
    cells = tuple(Cell(p.text, Box(p.x0, p.top, p.x1, p.bottom)) for p in phrases)
    return is_column_number_row(cells)


def _split_words(p: Phrase) -> list[Phrase]:
    """Numbers set close together ('1 2 3') as one phrase each."""
    if all(re.fullmatch(r"\(?\d{1,2}\)?", w.text) for w in p.words):
        return [Phrase([w]) for w in p.words]
    return [p]


def _leaves(phrases: list[Phrase]) -> list[_Leaf]:
    """Leaf header cells: phrases stacked in one column joined; a phrase over two or more
    phrases of one line, or a group name ('Pelaksana', 'Mutu Baku') centred over a run of
    columns, their parent."""
    spans: list[Phrase] = []
    stacks: list[list[Phrase]] = []
    for p in sorted(phrases, key=lambda p: p.top):
        under = [q for q in phrases if q.top > p.bottom - 1 and _overlap(p, q) > 0]
        if any(sum(1 for q in under if abs(q.top - r.top) < 2) >= 2 for r in under):
            spans.append(p)
            continue
        if under and _GROUP.fullmatch(_norm(p.text)) and _centred_run(p, phrases):
            spans.append(p)
            continue
        stack = next((s for s in stacks if any(_overlap(p, q) > 0 for q in s)), None)
        if stack is None:
            stacks.append([p])
        else:
            stack.append(p)
    out = []
    for stack in sorted(stacks, key=lambda s: min(q.x0 for q in s)):
        leaf = _Leaf(" ".join(q.text for q in sorted(stack, key=lambda q: q.top)),
                     min(q.x0 for q in stack), max(q.x1 for q in stack))
        out.append(leaf)
    for p in spans:  # a centred group name is narrower than its columns: the run under it
        under = [q for q in phrases if _overlap(p, q) > 0 and q.top > p.bottom - 1]
        nearest = min(q.top for q in under)
        run = _centred_run(p, phrases) or [q for q in under if q.top < nearest + 2]
        x0, x1 = min(q.x0 for q in run), max(q.x1 for q in run)
        for leaf in out:
            if leaf.parent is None and x0 - 1 <= leaf.cx <= x1 + 1:
                leaf.parent = p
    return out


# Names of a header cell over several columns: the actors, or the quality columns.
_GROUP = re.compile(r"pelaksana( kegiatan)?|pelaku( kegiatan)?|unit kerja|pejabat( pelaksana)?|aktor|"
                    r"pihak( terkait| yang terlibat)?|mutu baku|baku mutu|pendukung|persyaratan|mutu")
_NOT_UNDER_GROUP = ("no", "kegiatan", "keterangan", "pelaksana")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip(" :.")


def _centred_run(p: Phrase, phrases: list[Phrase]) -> list[Phrase]:
    """The longest run (two or more) of the phrases of one line below `p` that `p` is centred
    over, none of them a column that never stands under a group (No, Kegiatan, Keterangan)."""
    below = [q for q in phrases if q.top > p.bottom - 1]
    best: list[Phrase] = []
    for level in {round(q.top) for q in below}:
        row = sorted((q for q in below if abs(q.top - level) < 2), key=lambda q: q.x0)
        for a in range(len(row)):
            for b in range(a + 1, len(row)):
                run = row[a:b + 1]
                if any(leaf_role(q.text) in _NOT_UNDER_GROUP for q in run):
                    break
                centres = [(q.x0 + q.x1) / 2 for q in run]
                spacing = (centres[-1] - centres[0]) / (len(run) - 1)
                if abs((centres[0] + centres[-1]) / 2 - (p.x0 + p.x1) / 2) <= 0.3 * spacing \
                        and len(run) > len(best):
                    best = run
    return best


def _overlap(a: Phrase, b: Phrase) -> float:
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def _body(lines: list[Line], start: int, bounds: Sequence[float] = ()) -> list[Line]:
    """The lines from `start` down to a wide empty space, a note ('Catatan: ...') or a line of
    prose running across three or more column boundaries (a cell's text may cross the guessed
    boundary on either side of it)."""
    out: list[Line] = []
    pitch = statistics.median([ln.height for ln in lines[start:start + 10]] or [10.0])
    for ln in lines[start:]:
        if out and ln.top - out[-1].bottom > _END_GAP * pitch:
            break
        if _STOP.match(ln.text) or any(sum(1 for b in bounds if p.x0 < b < p.x1) >= 3 for p in ln.phrases()):
            break
        out.append(ln)
    return out


_STOP = re.compile(r"^\s*(catatan|keterangan\s*:|nb\b|mengetahui|ditetapkan di|disahkan|legenda|simbol\b)", re.I)


def _bounds(page: PageContent, leaves: list[_Leaf], body: list[Line]) -> list[float]:
    top = min((ln.top for ln in body), default=0.0)
    bottom = max((ln.bottom for ln in body), default=0.0)
    rules = sorted(s.box.cx for s in page.shapes if s.box.width <= 2.5 and s.box.height >= 0.6 * (bottom - top)
                   and s.box.top <= top + 2 and s.box.bottom >= bottom - 2)
    spans = [(w.box.x0, w.box.x1) for ln in body for w in ln.words]
    spans += [(s.box.x0, s.box.x1) for s in page.shapes if s.kind != "line" and s.box.width >= _SYMBOL_MIN[0]
              and s.box.height >= _SYMBOL_MIN[1] and top - 5 <= s.box.cy <= bottom + 40]
    # an empty strip narrower than this is a space between words
    min_gap = max(2.0, 0.5 * statistics.median([ln.height for ln in body] or [4.0]))
    out = []
    for left, right in zip(leaves, leaves[1:], strict=False):
        ruled = [x for x in rules if max(left.cx, left.x1 - 3) <= x <= min(right.cx, right.x0 + 3)]
        out.append(ruled[0] if ruled else _boundary(spans, left.cx, right.cx, (left.x1 + right.x0) / 2, min_gap))
    return out


def _boundary(spans: list[tuple[float, float]], lo: float, hi: float, default: float, min_gap: float) -> float:
    """The middle of the empty strip between lo and hi where the right column's text starts:
    of the strips no word or symbol covers, the one at whose right end most of them start
    (left-aligned text, symbols centred alike), then the widest."""
    inside = sorted((max(lo, a), min(hi, b)) for a, b in spans if b > lo and a < hi)
    gaps: list[tuple[float, float]] = []
    x = lo
    for a, b in [*inside, (hi, hi)]:
        if a - x >= min_gap:
            gaps.append((x, a))
        x = max(x, b)
    if not gaps:
        return default
    starts = [a for a, _ in spans]
    best = max(gaps, key=lambda g: (sum(1 for a in starts if abs(a - g[1]) <= 2.0), g[1] - g[0]))
    return (best[0] + best[1]) / 2


def _header_rows(leaves: list[_Leaf], xs: list[float], top: float, bottom: float,
                 ) -> tuple[tuple[Cell | None, ...], ...]:
    """Two header rows: parents spanning their leaves over the leaves' own cells; a leaf without
    a parent fills both rows."""
    mid = (top + bottom) / 2
    upper: list[Cell | None] = []
    lower: list[Cell | None] = []
    k = 0
    while k < len(leaves):
        parent = leaves[k].parent
        if parent is None:
            upper.append(Cell(leaves[k].text, Box(xs[k], top, xs[k + 1], bottom)))
            lower.append(None)
            k += 1
            continue
        j = k
        while j < len(leaves) and leaves[j].parent is parent:
            j += 1
        upper.append(Cell(parent.text, Box(xs[k], top, xs[j], mid)))
        upper += [None] * (j - k - 1)
        lower += [Cell(leaves[m].text, Box(xs[m], mid, xs[m + 1], bottom)) for m in range(k, j)]
        k = j
    return tuple(upper), tuple(lower)


def _number_in(line: Line, x0: float, x1: float) -> int | None:
    words = [w for w in line.words if x0 - 2 <= w.box.cx <= x1 + 2]
    return step_number(words[0].text) if words else None


def _rows(page: PageContent, body: list[Line], xs: list[float], top: float) -> list[tuple[Cell, ...]]:
    """Body lines as table rows of len(xs) - 1 cells each."""
    body = [ln for ln in body if not _column_numbers(ln)]
    if not body:
        return []
    ruled = hrules(page, xs[0], xs[-1], top - 1, body[-1].bottom + 60)
    if len(ruled) >= 2:
        edges = sorted({top, *(y for y in ruled if y > top)})
        groups = [[ln for ln in body if a <= ln.cy < b] for a, b in zip(edges, edges[1:], strict=False)]
        bands = [(a, b, g) for (a, b), g in zip(zip(edges, edges[1:], strict=False), groups, strict=True) if g]
    else:
        bands = _numbered_bands(body, xs)
    out = []
    for a, b, group in bands:
        texts: list[list[str]] = [[] for _ in range(len(xs) - 1)]
        for ln in group:
            parts: dict[int, list[str]] = {}
            for w in ln.words:
                parts.setdefault(sum(1 for x in xs[1:-1] if w.box.cx > x), []).append(w.text)
            for k, ws in parts.items():
                texts[k].append(" ".join(ws))
        out.append(tuple(Cell("\n".join(t), Box(xs[k], a, xs[k + 1], b)) for k, t in enumerate(texts)))
    return out


def _numbered_bands(body: list[Line], xs: list[float]) -> list[tuple[float, float, list[Line]]]:
    """Rows of an unruled body.  Lines close together form a block (one row: its cells' lines,
    set at the top or centred); a block holding two step numbers is cut at each number; a block
    without one continues the row above when no farther from it than rows are from each other,
    else the table has ended."""
    numbered = [_number_in(ln, xs[0], xs[1]) is not None for ln in body]
    if not any(numbered):
        return []
    gaps = [b.top - a.bottom for a, b in zip(body, body[1:], strict=False)]
    para = _para_gap(gaps, statistics.median(ln.height for ln in body))
    blocks: list[list[int]] = [[0]]
    for i in range(1, len(body)):
        if gaps[i - 1] > para:
            blocks.append([i])
        else:
            blocks[-1].append(i)
    # the space above each numbered block but the first: how far apart rows stand
    spacing = max((gaps[b[0] - 1] for b in blocks[1:] if any(numbered[i] for i in b)), default=para)
    rows: list[list[int]] = []
    for block in blocks:
        numbers = [i for i in block if numbered[i]]
        if not numbers:
            if rows and gaps[block[0] - 1] > spacing + 1:
                break  # farther below than rows are apart: a note or a signature
            if rows:
                rows[-1] += block
            continue
        cuts = numbers if len(numbers) > 1 else [block[0]]
        cuts[0] = block[0]
        for a, b in zip(cuts, [*cuts[1:], block[-1] + 1], strict=True):
            rows.append(list(range(a, b)))
    tops = [body[r[0]].top - 3 for r in rows]
    pitch = statistics.median([b - a for a, b in zip(tops, tops[1:], strict=False)] or [40.0])
    bands = []
    for n, r in enumerate(rows):
        group = [body[i] for i in r]
        bottom = tops[n + 1] if n + 1 < len(rows) else max(max(ln.bottom for ln in group) + 3, tops[n] + pitch)
        bands.append((tops[n], bottom, group))
    return bands


def _para_gap(gaps: list[float], height: float) -> float:
    """The gap above which a line starts a new block (the space between rows)."""
    if not gaps:
        return float("inf")
    small = sorted(gaps)[: max(1, len(gaps) // 2)]
    return statistics.median(small) + 0.45 * height
