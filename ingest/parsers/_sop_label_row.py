"""Labels printed side by side in one cell (no rules between them) with their values in the cell
below: `Nomor SOP   Tanggal Pembuatan   Tanggal Revisi   Tanggal Efektif` over
`045/12/2023   2 Mei 2023   -   15 Mei 2023`.

The cell's words are found on the page by position; where two or more labels stand on one line,
the cell is cut into one cell per label (from a label's first word to the next label's), and the
cell below into the same columns, so the label/value reader finds each value under its label.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ingest.layout import Box, Cell, PageContent, Word, overlap_lines

MAX_LABEL_WORDS = 3
LABEL_SHARE = 0.7  # of a line's words, the labels' words at least: a row of labels holds little else


def split_label_rows(page: PageContent, cells: list[Cell], label_of: Callable[[str], str | None]) -> list[Cell]:
    """`cells` with every cell holding a row of labels, and the cell under it, cut into columns.

    `label_of(text)` names the field a text is the whole label of (None when it is not one).
    """
    out = list(cells)
    for cell in cells:
        columns = _label_columns(_words_in(page, cell.box), label_of)
        if len(columns) < 2:
            continue
        below = _cell_below(cell, cells)
        right = max(cell.box.x1, below.box.x1 if below is not None else cell.box.x1)
        columns[0] = (min(cell.box.x0, columns[0][0]), *columns[0][1:])
        columns[-1] = (columns[-1][0], right, columns[-1][2])
        out.remove(cell)
        out += [Cell(" ".join(w.text for w in ws), Box(x0, cell.box.top, x1, cell.box.bottom))
                for x0, x1, ws in columns]
        if below is not None and below in out:
            out.remove(below)
            words = _words_in(page, below.box)
            for x0, x1, _ in columns:
                mine = [w for w in words if x0 <= w.box.cx < x1]
                text = "\n".join(" ".join(w.text for w in line) for line in overlap_lines(mine))
                out.append(Cell(text, Box(x0, below.box.top, x1, below.box.bottom)))
    return out


def _words_in(page: PageContent, box: Box) -> list[Word]:
    """The page's words inside `box`, each once (overlapping cells of a scan's grid are OCR'd
    apart, so a word may come twice at one place)."""
    out: list[Word] = []
    for w in page.words:
        if box.contains_point(w.box.cx, w.box.cy, 1.0) and not any(_same_place(w.box, o.box) for o in out):
            out.append(w)
    return out


def _same_place(a: Box, b: Box) -> bool:
    inter = max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0)) * max(0.0, min(a.bottom, b.bottom) - max(a.top, b.top))
    return inter > 0.5 * min(a.width * a.height, b.width * b.height)


def _label_columns(words: Sequence[Word], label_of: Callable[[str], str | None]
                   ) -> list[tuple[float, float, list[Word]]]:
    """(x0, x1, label words) per label of the first line that holds two labels or more."""
    for line in overlap_lines(list(words)):
        starts: list[tuple[int, int]] = []  # (index of the first word, number of words)
        i = 0
        while i < len(line):
            size = next((k for k in range(MAX_LABEL_WORDS, 0, -1) if i + k <= len(line)
                         and label_of(" ".join(w.text for w in line[i:i + k]))), 0)
            if size:
                starts.append((i, size))
                i += size
            else:
                i += 1
        printed = [w for w in line if any(ch.isalnum() for ch in w.text)]
        names = [label_of(" ".join(w.text for w in line[i:i + k])) for i, k in starts]
        if len(starts) < 2 or len(set(names)) < len(names) or sum(k for _, k in starts) < LABEL_SHARE * len(printed):
            continue  # a sentence naming a 'nomor' and a 'tanggal' is no row of labels
        # columns part halfway between one label's end and the next label's start (labels and
        # values may be centred in their columns)
        edges = [line[starts[0][0]].box.x0]
        for (i, k), (j, _) in zip(starts, starts[1:], strict=False):
            edges.append((line[i + k - 1].box.x1 + line[j].box.x0) / 2)
        edges.append(line[-1].box.x1)
        return [(edges[n], edges[n + 1], list(line[i:i + k])) for n, (i, k) in enumerate(starts)]
    return []


def _cell_below(cell: Cell, cells: Sequence[Cell]) -> Cell | None:
    under = [c for c in cells if c is not cell and c.box.top >= cell.box.bottom - 3
             and min(c.box.x1, cell.box.x1) - max(c.box.x0, cell.box.x0) > 0.5 * cell.box.width]
    return min(under, key=lambda c: c.box.top, default=None)
