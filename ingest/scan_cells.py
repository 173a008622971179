"""OCR of a scanned page's cells and of the text outside its tables, and the page model built
from them.  Every non-empty cell is read on its own: cells are stacked into one strip image so
Tesseract starts once per page, yet a cell's lines stay whole and neighbouring columns never
interleave."""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Sequence

import cv2
import numpy as np
from PIL import Image

from ingest.layout import Box, Cell, PageContent, Shape, Table, Word, overlap_lines
from ingest.ocr import OcrEngine, OcrWord
from ingest.raster import PageImage
from ingest.scan_grid import CellBox, Grid, components

GAP = 24  # px between cells in the OCR strip
MAX_STRIP = 30000  # px: Tesseract's image height limit is 32767


# --- OCR -----------------------------------------------------------------------------------------
def ocr_cells(
    gray: np.ndarray, ink: np.ndarray, cells: Sequence[CellBox], engine: OcrEngine, dpi: float
) -> dict[int, list[OcrWord]]:
    """Words of every non-empty cell, in page pixels, keyed by the cell's index in `cells`."""
    crops = []
    for k, c in enumerate(cells):
        crop = text_only(gray[c.y0 : c.y1, c.x0 : c.x1], ink[c.y0 : c.y1, c.x0 : c.x1], dpi)
        if crop is not None:
            crops.append((k, crop))
    out: dict[int, list[OcrWord]] = {}
    for batch in _batches(crops):
        out.update(_read_strip(batch, cells, engine))
    return out


def text_only(gray: np.ndarray, ink: np.ndarray, dpi: float) -> np.ndarray | None:
    """A cell's grey crop with lines, outlines and arrows whitened; None when no text is left."""
    if gray.size == 0:
        return None
    crop = gray.copy()
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    big = 0.3 * dpi  # taller than any table text
    w, h, area = (stats[:, j].astype(np.int64) for j in (cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT, cv2.CC_STAT_AREA))
    line_like = ((w > big) & (h < 0.06 * dpi)) | ((h > big) & (w < 0.06 * dpi))
    outline = (np.maximum(w, h) > big) & (area < 0.25 * w * h)
    speck = area < 0.00012 * dpi * dpi  # a full stop of small print is ~25 px at 300 DPI
    keep = ~(line_like | outline | speck)
    keep[0] = False  # the background
    rescued, underlines = _text_under_lines(ink, labels, stats, keep, dpi)
    if not keep[1:].any() and not rescued.any():
        return None
    crop[(~keep[labels] & (ink > 0) & ~rescued) | underlines] = 255
    # Binarise each crop on its own: Tesseract reads short cell texts ('1.') far better from
    # clean black on white than from a grey, noisy scan background.
    return np.asarray(cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1])


def _text_under_lines(
    ink: np.ndarray, labels: np.ndarray, stats: np.ndarray, keep: np.ndarray, dpi: float
) -> tuple[np.ndarray, np.ndarray]:
    """Underlines to whiten, and letters to keep that were dropped with a stroke touching them.

    The underline of a signatory's name joins its letters into one wide component, and
    Tesseract skips an underlined line altogether; the signature scrawl across the name joins
    more, and whole it looks like a drawn outline and would be whitened with the name.  So
    the long horizontal runs of wide components are whitened, and of a dropped component the
    letter-sized pieces left are kept when at least `MIN_LETTERS` share a row (flowchart
    symbols fall apart into one or two sides, not a row of letters).
    """
    wide = [i for i in range(1, len(keep)) if stats[i][2] > 0.3 * dpi]
    rescued = np.zeros(ink.shape, bool)
    if not wide:
        return rescued, rescued.copy()
    part = np.isin(labels, wide) & (ink > 0)
    kernel = np.ones((1, int(0.25 * dpi)), np.uint8)
    underlines = cv2.morphologyEx(part.astype(np.uint8), cv2.MORPH_OPEN, kernel) > 0
    underlines &= np.isin(labels, [i for i in wide if keep[i]])
    dropped = np.isin(labels, [i for i in wide if not keep[i]]) & (ink > 0)
    rest = dropped & ~(cv2.morphologyEx(dropped.astype(np.uint8), cv2.MORPH_OPEN, kernel) > 0)
    n, sub, st, _ = cv2.connectedComponentsWithStats(rest.astype(np.uint8), connectivity=8)
    letters = [i for i in range(1, n) if 0.04 * dpi <= st[i][3] <= 0.25 * dpi and st[i][2] <= 0.4 * dpi]
    for i in letters:
        cy = st[i][1] + st[i][3] / 2
        if sum(abs(st[j][1] + st[j][3] / 2 - cy) <= 0.05 * dpi for j in letters) >= MIN_LETTERS:
            rescued |= sub == i
    return rescued, underlines


MIN_LETTERS = 3


def _batches(crops: list[tuple[int, np.ndarray]]) -> list[list[tuple[int, np.ndarray]]]:
    out: list[list[tuple[int, np.ndarray]]] = [[]]
    height = 0
    for k, crop in crops:
        if height + crop.shape[0] + GAP > MAX_STRIP and out[-1]:
            out.append([])
            height = 0
        out[-1].append((k, crop))
        height += crop.shape[0] + GAP
    return [b for b in out if b]


def _read_strip(
    batch: list[tuple[int, np.ndarray]], cells: Sequence[CellBox], engine: OcrEngine
) -> dict[int, list[OcrWord]]:
    """Stack the crops into one strip, OCR it once, and hand each word back to its cell."""
    width = max(c.shape[1] for _, c in batch) + 2 * GAP
    height = sum(c.shape[0] + GAP for _, c in batch) + GAP
    strip = np.full((height, width), 255, np.uint8)
    spans = []
    y = GAP
    for k, crop in batch:
        strip[y : y + crop.shape[0], GAP : GAP + crop.shape[1]] = crop
        spans.append((k, y, y + crop.shape[0]))
        y += crop.shape[0] + GAP
    out: dict[int, list[OcrWord]] = {}
    starts = [top - GAP / 2 for _, top, _ in spans]  # ascending: the crops are stacked downwards
    # one bit a pixel: the crops are black on white already, and Tesseract reads the same words
    # from a file an eighth of the size, written and read in less time
    for word in engine.read(Image.fromarray(strip > 127), psm=6):
        i = bisect.bisect_right(starts, word.cy) - 1
        if i < 0:
            continue
        k, top, bottom = spans[i]
        if word.cy < bottom + GAP / 2:
            c = cells[k]
            moved = OcrWord(word.text, c.x0 + word.left - GAP, c.y0 + word.top - top,
                            word.width, word.height, word.conf, (k, *word.line[1:]))
            out.setdefault(k, []).append(moved)
    return out


def ocr_outside(gray: np.ndarray, ink: np.ndarray, grids: Sequence[Grid], engine: OcrEngine,
                dpi: float = 300.0) -> list[OcrWord]:
    """Words outside the tables (titles, letters, signature blocks), read as a page.

    Only the box around the remaining ink is sent (with a margin): a page that is mostly table
    leaves a strip of title and signature, and Tesseract's time and memory grow with the pixels
    it gets (a whole A3 page: 218 MB and 3.4 s).  Specks (smaller than a full stop, as in
    `text_only`) do not count: the noise of a grey scanned background spread over the page made
    the box the whole page around a one-line title, which Tesseract then did not even read.
    """
    rest = ink.copy()
    for g in grids:
        rest[g.y0 : g.y1 + 1, g.x0 : g.x1 + 1] = 0
    if cv2.countNonZero(rest) / rest.size < 0.0005:
        return []
    n, stats = components(rest)
    del rest  # only the box is copied from here on, not another whole page
    marks = stats[1:n][stats[1:n, cv2.CC_STAT_AREA] >= 0.00012 * dpi * dpi]
    if not len(marks):
        return []
    x, y = int(marks[:, 0].min()), int(marks[:, 1].min())
    w = int((marks[:, 0] + marks[:, 2]).max()) - x
    h = int((marks[:, 1] + marks[:, 3]).max()) - y
    margin = GAP * 2
    x0, y0 = max(0, x - margin), max(0, y - margin)
    x1, y1 = min(gray.shape[1], x + w + margin), min(gray.shape[0], y + h + margin)
    page = np.array(gray[y0:y1, x0:x1])
    for g in grids:  # the tables blanked out, in the box's own coordinates
        page[max(0, g.y0 - y0) : max(0, g.y1 + 1 - y0), max(0, g.x0 - x0) : max(0, g.x1 + 1 - x0)] = 255
    words = engine.read(Image.fromarray(page), psm=3)
    return [dataclasses.replace(wd, left=wd.left + x0, top=wd.top + y0) for wd in words]


# --- the page model ------------------------------------------------------------------------------
def assemble(
    page: PageImage,
    grids: Sequence[Grid],
    cells: Sequence[Sequence[CellBox]],
    cell_words: dict[int, list[OcrWord]],
    outside: list[OcrWord],
    shapes: list[Shape],
) -> PageContent:
    """Build the `PageContent`: words and tables in points, page text in reading order."""
    pt = page.dpi / 72.0
    words = [_word(w, pt) for w in outside]
    tables = []
    k = 0
    for grid, grid_cells_ in zip(grids, cells, strict=True):
        built: dict[tuple[int, int], Cell] = {}
        for c in grid_cells_:
            ws = cell_words.get(k, [])
            words.extend(_word(w, pt) for w in ws)
            built[(c.row, c.col)] = Cell(cell_text(ws), Box(c.x0 / pt, c.y0 / pt, c.x1 / pt, c.y1 / pt), _mean_conf(ws))
            k += 1
        tables.append(_table(page.number, grid, built, pt))
    return PageContent(
        number=page.number,
        width=page.width_pt,
        height=page.height_pt,
        text=page_text(words),
        words=tuple(words),
        tables=tuple(tables),
        shapes=tuple(shapes),
        ocr=True,
        turned=page.rotated,
        skew=page.skew,
    )


def _table(number: int, grid: Grid, built: dict[tuple[int, int], Cell], pt: float) -> Table:
    rows = tuple(
        tuple(built.get((i, j)) for j in range(len(grid.cols) - 1)) for i in range(len(grid.rows) - 1)
    )
    x0, y0 = grid.x0 + grid.cols[0].pos, grid.y0 + grid.rows[0].pos
    x1, y1 = grid.x0 + grid.cols[-1].pos, grid.y0 + grid.rows[-1].pos
    return Table(page=number, box=Box(x0 / pt, y0 / pt, x1 / pt, y1 / pt), rows=rows)


def _word(w: OcrWord, pt: float) -> Word:
    return Word(w.text, Box(w.left / pt, w.top / pt, (w.left + w.width) / pt, (w.top + w.height) / pt), w.conf)


def _mean_conf(words: Sequence[OcrWord]) -> float | None:
    return round(sum(w.conf for w in words) / len(words), 1) if words else None


def cell_text(words: Sequence[OcrWord]) -> str:
    """A cell's text: its OCR lines top to bottom, joined with newlines."""
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    ordered = sorted(lines.values(), key=lambda ws: min(w.top for w in ws))
    text = "\n".join(" ".join(w.text for w in sorted(ws, key=lambda w: w.left)) for ws in ordered)
    return fix_short_number(text)


_SHORT_NUMBER = re.compile(r"[0-9lI|O]{1,3}[.,:)]?")
# A lone '%' in a Satuan cell, as Tesseract tends to read it.
_PERCENT_MISREADS = frozenset({"Yo", "yo", "Vo", "%o", "o/o", "0/0", "%."})
_DIGIT_LOOKALIKES = str.maketrans({"l": "1", "I": "1", "|": "1", "O": "0", ",": ".", ":": "."})


def fix_short_number(text: str) -> str:
    """A cell holding only a short number or '%' as OCR misreads it ('l.', '2,', 'Yo').

    Only a cell of at most three such characters is touched, and only when it already has a
    digit or a trailing dot, so words ('I', 'Ya') stay as read.
    """
    s = text.strip()
    if s in _PERCENT_MISREADS:
        return "%"
    if _SHORT_NUMBER.fullmatch(s) and (any(ch.isdigit() for ch in s) or s[-1] in ".,:"):
        return s.translate(_DIGIT_LOOKALIKES)
    return text


def page_text(words: Sequence[Word]) -> str:
    """Words grouped into lines by vertical overlap, left to right: like a text layer's text."""
    return "\n".join(" ".join(w.text for w in ln) for ln in overlap_lines(words))
