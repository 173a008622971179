"""Page images -> the neutral page model (`ingest.layout.PageContent`), as for born-digital pages.

A scanned page goes through: stamp ink removed by colour, binarised, ruling lines found by
morphology, the table grid rebuilt from them (merged cells where a separating line is missing),
flowchart symbols found as closed outlines inside the tables, then OCR: every non-empty cell is
read on its own (cells are stacked into one strip image so Tesseract starts once per page, yet a
cell's lines stay whole and neighbouring columns never interleave), and the text outside the
tables is read as a page.  Coordinates are PDF points from the top-left of the upright page.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import re
import signal
import sys
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np
from PIL import Image

from archive.errors import ArchiveError, MissingDependencyError
from ingest.layout import Box, Cell, PageContent, Shape, ShapeKind, Table, Word
from ingest.ocr import OcrEngine, OcrOptions, OcrWord, make_engine, make_second_engine
from ingest.raster import (
    PageImage,
    detect_orientation,
    drop_stamp_ink,
    render_page,
    straighten,
    to_gray,
)
from ingest.text import find_nip, parse_date

log = logging.getLogger(__name__)

LINE_MIN_INCH = 0.3  # a ruling line is at least this long
STRONG = 0.5  # a line covering this share of its table is a grid line whatever its ends
WEAK = 0.12  # a shorter one is a grid line if each of its pieces ends on grid lines
GAP = 24  # px between cells in the OCR strip
MAX_STRIP = 30000  # px: Tesseract's image height limit is 32767


@dataclass(frozen=True)
class Band:
    """One ruling line: its position across, and which positions along its table it covers."""

    pos: int
    thickness: int
    covered: np.ndarray  # bool, along the table


@dataclass(frozen=True)
class Grid:
    """A table region (pixels) with its accepted horizontal and vertical lines."""

    x0: int
    y0: int
    x1: int
    y1: int
    rows: tuple[Band, ...]
    cols: tuple[Band, ...]


@dataclass(frozen=True)
class CellBox:
    """A (possibly merged) cell of a grid in pixels, with its grid position."""

    row: int
    col: int
    x0: int
    y0: int
    x1: int
    y1: int


def read_page_image(page: PageImage, engine: OcrEngine, second: SecondReader | None = None) -> PageContent:
    """OCR and layout of one upright page image; `second` reads again the cells Tesseract was unsure of."""
    gray = drop_stamp_ink(page.rgb)
    ink = binarise(gray)
    grids = find_grids(ink, page.dpi)
    line_mask = grid_line_mask(ink.shape, grids)
    clean = gray.copy()
    clean[line_mask > 0] = 255
    clean_ink = ink & ~line_mask
    cells = [grid_cells(g) for g in grids]
    shapes = [s for g, cs in zip(grids, cells, strict=True) for s in find_symbols(ink, g, cs, page.dpi)]
    flat = [c for cs in cells for c in cs]
    cell_words = ocr_cells(clean, clean_ink, flat, engine, page.dpi)
    if second is not None:
        cell_words = second_readings(page.rgb, clean, flat, cell_words, second)
    outside = ocr_outside(clean, ink, grids, engine)
    return assemble(page, grids, cells, cell_words, outside, shapes)


def binarise(gray: np.ndarray) -> np.ndarray:
    """Ink mask (255 = ink) by local thresholding, robust to uneven scan lighting."""
    block = max(15, (min(gray.shape) // 60) | 1)
    return np.asarray(
        cv2.adaptiveThreshold(
            gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15
        )
    )


# --- ruling lines and grids ----------------------------------------------------------------------
def find_grids(ink: np.ndarray, dpi: float) -> list[Grid]:
    """Tables on the page: regions of connected ruling lines with at least a 2x2 grid."""
    length = max(15, int(dpi * LINE_MIN_INCH))
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    horiz = np.asarray(cv2.morphologyEx(horiz, cv2.MORPH_CLOSE, np.ones((1, 9), np.uint8)))
    vert = np.asarray(cv2.morphologyEx(vert, cv2.MORPH_CLOSE, np.ones((9, 1), np.uint8)))
    joined = cv2.dilate(np.maximum(horiz, vert), np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    h, w = ink.shape
    grids = []
    for i in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[i][:4])
        if bw < 0.12 * w or bh < 0.03 * h:
            continue
        grid = _grid_in(horiz[y : y + bh, x : x + bw], vert[y : y + bh, x : x + bw], x, y)
        if grid is not None:
            grids.append(grid)
    return sorted(grids, key=lambda g: (g.y0, g.x0))


def _grid_in(horiz: np.ndarray, vert: np.ndarray, x: int, y: int) -> Grid | None:
    hb = bands(horiz, axis=0)
    vb = bands(vert, axis=1)
    cols = [b for b in vb if b.covered.mean() >= STRONG]
    rows = [b for b in hb if b.covered.mean() >= STRONG]
    rows = _add_weak(hb, rows, [b.pos for b in cols], horiz.shape[1])
    cols = _add_weak(vb, cols, [b.pos for b in rows], vert.shape[0])
    if len(rows) < 2 or len(cols) < 2:
        return None
    rows.sort(key=lambda b: b.pos)
    cols.sort(key=lambda b: b.pos)
    return Grid(x, y, x + horiz.shape[1], y + horiz.shape[0], tuple(rows), tuple(cols))


def bands(mask: np.ndarray, axis: int) -> list[Band]:
    """Ruling lines in `mask`: axis 0 = horizontal lines (rows of pixels), 1 = vertical."""
    profile = np.asarray((mask > 0).any(axis=1 - axis))
    out = []
    for start, end in runs(profile):
        part = mask[start:end] if axis == 0 else mask[:, start:end]
        covered = _bridge(np.asarray((part > 0).any(axis=axis)), 6)
        out.append(Band(pos=(start + end) // 2, thickness=end - start, covered=covered))
    return out


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of every run of True in a 1-D bool array."""
    padded = np.concatenate(([False], flags.astype(bool), [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _bridge(covered: np.ndarray, gap: int) -> np.ndarray:
    """Close gaps up to `gap` long in a 1-D bool profile (broken scanned lines)."""
    kernel = np.ones(gap, np.uint8)
    closed = cv2.morphologyEx(covered.astype(np.uint8).reshape(1, -1), cv2.MORPH_CLOSE, kernel[None, :])
    return np.asarray(closed[0] > 0)


def _add_weak(cands: list[Band], accepted: list[Band], cross: list[int], size: int) -> list[Band]:
    """Accept shorter lines whose every piece starts and ends on a crossing grid line or an edge."""
    stops = [0, size - 1, *cross]
    tol = max(6, size // 100)
    out = list(accepted)
    for band in cands:
        if band in accepted or band.covered.mean() < WEAK:
            continue
        pieces = [p for p in runs(band.covered) if p[1] - p[0] > 2 * tol]
        if pieces and all(_near(a, stops, tol) and _near(b - 1, stops, tol) for a, b in pieces):
            out.append(band)
    return out


def _near(v: int, stops: Iterable[int], tol: int) -> bool:
    return any(abs(v - s) <= tol for s in stops)


def grid_line_mask(shape: tuple[int, ...], grids: Sequence[Grid]) -> np.ndarray:
    """Mask of the accepted grid lines (widened a little), to erase before OCR."""
    mask = np.zeros(shape[:2], np.uint8)
    for g in grids:
        for b in g.rows:
            half = b.thickness // 2 + 3
            for a, e in runs(b.covered):
                mask[max(0, g.y0 + b.pos - half) : g.y0 + b.pos + half + 1, g.x0 + a : g.x0 + e] = 255
        for b in g.cols:
            half = b.thickness // 2 + 3
            for a, e in runs(b.covered):
                mask[g.y0 + a : g.y0 + e, max(0, g.x0 + b.pos - half) : g.x0 + b.pos + half + 1] = 255
    return mask


def grid_cells(grid: Grid) -> list[CellBox]:
    """The cells of `grid`: neighbouring grid squares without a line between them are merged."""
    nr, nc = len(grid.rows) - 1, len(grid.cols) - 1
    parent = list(range(nr * nc))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i in range(nr):
        for j in range(nc):
            if j + 1 < nc and not _has_line(grid.cols[j + 1], grid.rows[i].pos, grid.rows[i + 1].pos):
                parent[find(i * nc + j + 1)] = find(i * nc + j)
            if i + 1 < nr and not _has_line(grid.rows[i + 1], grid.cols[j].pos, grid.cols[j + 1].pos):
                parent[find((i + 1) * nc + j)] = find(i * nc + j)
    groups: dict[int, list[tuple[int, int]]] = {}
    for k in range(nr * nc):
        groups.setdefault(find(k), []).append(divmod(k, nc))
    return [_cell_of(grid, members) for members in groups.values()]


def _has_line(band: Band, a: int, b: int) -> bool:
    seg = band.covered[a:b]
    return bool(seg.size) and float(seg.mean()) >= 0.5


def _cell_of(grid: Grid, members: list[tuple[int, int]]) -> CellBox:
    r0, r1 = min(m[0] for m in members), max(m[0] for m in members)
    c0, c1 = min(m[1] for m in members), max(m[1] for m in members)
    return CellBox(
        row=r0,
        col=c0,
        x0=grid.x0 + grid.cols[c0].pos,
        y0=grid.y0 + grid.rows[r0].pos,
        x1=grid.x0 + grid.cols[c1 + 1].pos,
        y1=grid.y0 + grid.rows[r1 + 1].pos,
    )


# --- flowchart symbols ---------------------------------------------------------------------------
def find_symbols(ink: np.ndarray, grid: Grid, cells: Sequence[CellBox], dpi: float) -> list[Shape]:
    """Closed outlines inside the table: capsules, rects, diamonds, pentagons.

    A symbol shows up as a white hole inside its outline.  The grid lines stay in the image
    (a symbol drawn against a column line is closed by it); holes as wide as their cell are
    the cells themselves, or cells cut by an arrow, and are skipped.
    """
    region = ink[grid.y0 : grid.y1, grid.x0 : grid.x1]
    region = cv2.morphologyEx(region, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    contours, hierarchy = cv2.findContours(region, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    pt = dpi / 72.0
    out = []
    for contour, (_, _, _, parent) in zip(contours, hierarchy.reshape(-1, 4), strict=True):
        if parent < 0:
            continue  # an outer boundary
        x, y, w, h = cv2.boundingRect(contour)
        x, y = x + grid.x0, y + grid.y0
        if w < 14 * pt or h < 7 * pt or _fills_cell(x, y, w, h, cells, pt):
            continue
        shape = classify_outline(contour, w, h)
        if shape is not None:
            box = Box((x - 2) / pt, (y - 2) / pt, (x + w + 2) / pt, (y + h + 2) / pt)
            out.append(Shape(shape[0], box, shape[1]))
    return out


def _fills_cell(x: int, y: int, w: int, h: int, cells: Sequence[CellBox], pt: float) -> bool:
    """True when the hole is (part of) a cell: as wide as it, or bounded by its lines on 2+ sides.

    Arrows drawn across a cell cut it into closed regions; those touch the cell's own lines on
    two or more sides, while a symbol touches at most one (when drawn against a column line).
    """
    cx, cy = x + w / 2, y + h / 2
    tol = 4 * pt
    for c in cells:
        if c.x0 <= cx <= c.x1 and c.y0 <= cy <= c.y1:
            sides = (x - c.x0 <= tol) + (c.x1 - (x + w) <= tol) + (y - c.y0 <= tol) + (c.y1 - (y + h) <= tol)
            return w >= (c.x1 - c.x0) - tol or sides >= 2
    return True


def classify_outline(contour: np.ndarray, w: int, h: int) -> tuple[ShapeKind, int] | None:
    """(kind, points) as the text layer reports them: rect 4, capsule 10, diamond 5, pentagon 6."""
    fill = cv2.contourArea(contour) / float(w * h)
    approx = cv2.approxPolyDP(contour, 0.04 * cv2.arcLength(contour, True), True)
    corners = len(approx)
    if fill >= 0.95 and corners == 4:
        return ("rect", 4)
    if 0.4 <= fill <= 0.62 and corners == 4:
        return ("curve", 5)  # diamond
    if 0.62 < fill < 0.9 and corners == 5:
        return ("curve", 6)  # pentagon (off-page connector)
    if 0.75 <= fill < 0.99 and corners >= 4:
        return ("curve", 10)  # capsule or rounded box
    return None


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
    keep = np.zeros(n, bool)
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        line_like = (w > big and h < 0.06 * dpi) or (h > big and w < 0.06 * dpi)
        outline = max(w, h) > big and area < 0.25 * w * h
        speck = area < 0.00012 * dpi * dpi  # a full stop of small print is ~25 px at 300 DPI
        keep[i] = not (line_like or outline or speck)
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
    for word in engine.read(Image.fromarray(strip), psm=6):
        for k, top, bottom in spans:
            if top - GAP / 2 <= word.cy < bottom + GAP / 2:
                c = cells[k]
                moved = OcrWord(word.text, c.x0 + word.left - GAP, c.y0 + word.top - top,
                                word.width, word.height, word.conf, (k, *word.line[1:]))
                out.setdefault(k, []).append(moved)
                break
    return out


def ocr_outside(gray: np.ndarray, ink: np.ndarray, grids: Sequence[Grid], engine: OcrEngine) -> list[OcrWord]:
    """Words outside the tables (titles, letters, signature blocks), read as a page.

    Only the box around the remaining ink is sent (with a margin): a page that is mostly table
    leaves a strip of title and signature, and Tesseract's time grows with the pixels it gets.
    """
    page = gray.copy()
    rest = ink.copy()
    for g in grids:
        page[g.y0 : g.y1 + 1, g.x0 : g.x1 + 1] = 255
        rest[g.y0 : g.y1 + 1, g.x0 : g.x1 + 1] = 0
    if (rest > 0).mean() < 0.0005:
        return []
    x, y, w, h = cv2.boundingRect(rest)
    margin = GAP * 2
    x0, y0 = max(0, x - margin), max(0, y - margin)
    x1, y1 = min(page.shape[1], x + w + margin), min(page.shape[0], y + h + margin)
    words = engine.read(Image.fromarray(np.ascontiguousarray(page[y0:y1, x0:x1])), psm=3)
    return [dataclasses.replace(wd, left=wd.left + x0, top=wd.top + y0) for wd in words]


# --- second readings ---------------------------------------------------------------------------
class SecondLine(Protocol):
    """A line read by the second engine, in the pixels of the crop it was given (read-only)."""

    @property
    def text(self) -> str: ...
    @property
    def left(self) -> int: ...
    @property
    def top(self) -> int: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def conf(self) -> float: ...  # 0..100


class SecondReader(Protocol):
    """What a second-reading engine offers (`ingest.ocr_rapid.RapidEngine`)."""

    def read_lines(self, image: np.ndarray, gaps: np.ndarray | None = None) -> Sequence[SecondLine]:
        """The text lines of a small crop, top to bottom."""
        ...


DOUBT = 60.0  # a Tesseract word below this confidence makes its line doubtful
SURE_LINE = 75.0  # ... and so does a line whose mean confidence is below this
MAX_REREADS = 6  # cells per page: second readings cost time, keep them to the few that matter
VALUE_WIDER = 1.0  # a value cell is at least as wide as its label
MAX_LINES = 14  # a value cell longer than this (signature and stamp lines count) is a text block
SECOND_MIN = 80.0  # a second reading must be at least this confident to replace anything
SECOND_NEW = 90.0  # ... and this confident to add a line Tesseract did not see


def second_readings(
    rgb: np.ndarray, clean: np.ndarray, cells: Sequence[CellBox],
    words: dict[int, list[OcrWord]], second: SecondReader,
) -> dict[int, list[OcrWord]]:
    """Cell words with the doubtful lines of labelled value cells replaced by a second reading.

    A form cell right of a short label ('Nomor SOP', 'Tanggal Pembuatan', 'Disahkan Oleh')
    holds one field: handwriting, or a name and NIP under a stamp and signature, where
    Tesseract reads garbage.  Only such cells with a doubtful line are read again (from the
    colour image: the second engine copes with stamp ink), and a line is replaced only when
    the second reading is more confident and no less valid (a NIP or a date is never traded
    for a reading without one).
    """
    out = dict(words)
    todo = doubtful_value_cells(cells, words)
    todo += [(k, True) for k in doubtful_number_cells(cells, words) if (k, False) not in todo]
    for k, numbers in todo[:MAX_REREADS]:
        c = cells[k]
        missed: list[tuple[int, int]] = []
        lines = second.read_lines(rgb[c.y0 : c.y1, c.x0 : c.x1], clean[c.y0 : c.y1, c.x0 : c.x1])
        out[k] = merge_readings(out[k], lines, c, k, numbers=numbers, missed=missed)
        for i, (top, bottom) in enumerate(missed):
            # The colour reading of this row missed part of it (stamp ink over the words):
            # the stamp-free image gets a go at that row alone.
            band = dataclasses.replace(c, y0=max(c.y0, top - ROW_PAD), y1=min(c.y1, bottom + ROW_PAD))
            lines = second.read_lines(clean[band.y0 : band.y1, band.x0 : band.x1])
            out[k] = merge_readings(out[k], lines, band, k, numbers=numbers, base=2000 + 100 * i)
    return out


def doubtful_value_cells(cells: Sequence[CellBox], words: dict[int, list[OcrWord]]) -> list[tuple[int, bool]]:
    """(cell, False) for cells with a doubtful line, a short text label on their left and few lines,
    least sure first."""
    found = []
    for k, c in enumerate(cells):
        ws = words.get(k, [])
        lines = _lines(ws)
        if not ws or len(lines) > MAX_LINES or not any(_doubtful(ln) for ln in lines):
            continue
        label = next((j for j, o in enumerate(cells) if o.x1 <= c.x0 + 3 and o.x1 >= c.x0 - 3
                      and o.y0 <= (c.y0 + c.y1) / 2 <= o.y1), None)
        # a form's value column is at least as wide as its label column; of a row of two
        # headings ('KETERKAITAN' | 'PERALATAN'), a narrower right one is not a value
        if label is not None and c.x1 - c.x0 >= VALUE_WIDER * (cells[label].x1 - cells[label].x0) \
                and is_label(words.get(label, [])):
            found.append((sum(w.conf for w in ws) / len(ws), k))
    return [(k, False) for _, k in sorted(found)]


def doubtful_number_cells(cells: Sequence[CellBox], words: dict[int, list[OcrWord]]) -> list[int]:
    """Cells of short quantity lines ('100%', '3 Dokumen') where a number was read with doubt
    (Tesseract reads a '%' after digits as '46' or '76')."""
    found = []
    for k in range(len(cells)):
        lines = _lines(words.get(k, []))
        if lines and len(lines) <= MAX_LINES and all(len(ln) <= 3 for ln in lines) and any(
                _doubtful(ln) and any(_numeric(w.text) for w in ln) for ln in lines):
            found.append(k)
    return found


def _numeric(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 2 and digits >= 0.6 * len(text)


def is_label(words: Sequence[OcrWord]) -> bool:
    """A form label: one to five words, mostly letters, short ('Nomor SOP', 'Disahkan Oleh')."""
    text = " ".join(w.text for w in words)
    letters = sum(ch.isalpha() for ch in text)
    return 1 <= len(words) <= 5 and letters >= 5 and len(text) <= 40 and letters >= 0.7 * len(text.replace(" ", ""))


def _lines(words: Sequence[OcrWord]) -> list[list[OcrWord]]:
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    return list(lines.values())


def _doubtful(line: Sequence[OcrWord]) -> bool:
    return min(w.conf for w in line) < DOUBT or sum(w.conf for w in line) / len(line) < SURE_LINE


def merge_readings(
    tess: list[OcrWord], lines: Sequence[SecondLine], c: CellBox, k: int, *, numbers: bool = False,
    missed: list[tuple[int, int]] | None = None, base: int = 1000,
) -> list[OcrWord]:
    """`tess` (page pixels) with each row of second-reading `lines` (crop pixels) put in place of
    the Tesseract words around it when `prefer_second` says so.  With `numbers`, a row replaces
    only when its digits begin Tesseract's: the second reading may drop a misread glyph ('10046'
    -> '100%'), never bring digits of its own.  Rows that would have replaced but missed words
    Tesseract read are added to `missed` as (top, bottom) in page pixels."""
    out = list(tess)
    for n, row in enumerate(_rows(lines)):
        top = c.y0 + min(ln.top for ln in row)
        bottom = c.y0 + max(ln.top + ln.height for ln in row)
        mine = [w for w in out if top <= w.cy <= bottom]
        text = " ".join(ln.text for ln in row)
        conf = sum(ln.conf * len(ln.text) for ln in row) / max(1, sum(len(ln.text) for ln in row))
        left, right = c.x0 + min(ln.left for ln in row), c.x0 + max(ln.left + ln.width for ln in row)
        if not prefer_second(mine, text, conf) or (numbers and not _same_digits(mine, text)):
            continue
        if _loses_words(mine, left, right):
            if missed is not None:
                missed.append((top, bottom))
            continue
        new = [OcrWord(w.text, w.left + c.x0, w.top + c.y0, w.width, w.height, w.conf, w.line)
               for ln in row for w in _split(ln, (k, base + n, 0))]
        out = [w for w in out if not any(w is m for m in mine)] + new
    return out


def _same_digits(mine: Sequence[OcrWord], text: str) -> bool:
    first = "".join(ch for w in mine for ch in w.text if ch.isdigit())
    second = "".join(ch for ch in text if ch.isdigit())
    return bool(second) and first.startswith(second)


def _loses_words(mine: Sequence[OcrWord], left: int, right: int) -> bool:
    """True when a Tesseract word worth keeping lies outside the second reading's span (the second
    engine missed part of the line, say a name's first word under a stamp): one read with some
    confidence, or a word of four letters or more read with less (not a speck of signature)."""
    pad = 0.02 * (right - left)
    return any(not left - pad <= w.left + w.width / 2 <= right + pad and _worth_keeping(w) for w in mine)


def _worth_keeping(w: OcrWord) -> bool:
    letters = sum(ch.isalpha() for ch in w.text)
    if not any(ch.isalnum() for ch in w.text):
        return False  # a colon or a rule read beside the text
    return w.conf >= DOUBT or (w.conf >= WORD_MIN and letters >= 4 and letters >= len(w.text) - 1)


ROW_PAD = 8  # px above and below a row read again on its own
WORD_MIN = 30.0  # a long word read at least this confidently is a word, not signature noise


def _rows(lines: Sequence[SecondLine]) -> list[list[SecondLine]]:
    """Lines side by side (a name split by a signature stroke) grouped into rows, left to right."""
    rows: list[list[SecondLine]] = []
    for ln in sorted(lines, key=lambda ln: ln.top):
        cy = ln.top + ln.height / 2
        if rows and rows[-1][0].top <= cy <= rows[-1][0].top + rows[-1][0].height:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [sorted(r, key=lambda ln: ln.left) for r in rows]


def _split(line: SecondLine, line_id: tuple[int, int, int]) -> list[OcrWord]:
    """A second-reading line as words, their boxes spread over the line by length."""
    tokens = line.text.split()
    total = max(1, sum(len(t) for t in tokens) + len(tokens) - 1)
    out, x = [], 0
    for t in tokens:
        w = max(1, round(line.width * len(t) / total))
        out.append(OcrWord(t, line.left + x, line.top, w, line.height, line.conf, line_id))
        x += w + round(line.width / total)
    return out


def prefer_second(mine: Sequence[OcrWord], text: str, conf: float) -> bool:
    """Whether a second reading (`text`, confidence `conf`) should replace the Tesseract words `mine`.

    Never on a weak second reading, nor over a sure Tesseract line; a line Tesseract did not
    see is added only when very confident; a NIP or a date Tesseract read is kept unless the
    second reading has one too.
    """
    if conf < SECOND_MIN or not text.strip():
        return False
    if not mine:
        return conf >= SECOND_NEW and len(text.strip()) >= 4
    if not _doubtful(mine):
        return False
    first = " ".join(w.text for w in sorted(mine, key=lambda w: (w.line, w.left)))
    if (find_nip(first) and not find_nip(text)) or (parse_date(first) and not parse_date(text)):
        return False
    return conf > sum(w.conf for w in mine) / len(mine)


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
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.box.cy, w.box.x0)):
        if lines:
            last = lines[-1]
            top = sum(x.box.top for x in last) / len(last)
            bottom = sum(x.box.bottom for x in last) / len(last)
            if w.box.cy < bottom and w.box.cy > top:
                last.append(w)
                continue
        lines.append([w])
    return "\n".join(" ".join(w.text for w in sorted(ln, key=lambda w: w.box.x0)) for ln in lines)


# --- whole documents -----------------------------------------------------------------------------
def read_pages(path: Path, indices: Sequence[int], options: OcrOptions) -> list[PageContent]:
    """OCR pages `indices` (0-based) of `path`, in parallel worker processes when worth it.

    Each worker renders its own page (images never cross processes, so memory stays bounded by
    the pool size) and runs Tesseract single-threaded.  The pool outlives one document, so a
    batch pays the worker start-up once.  A page that fails or times out comes back empty with
    a warning; the document carries on.
    """
    make_engine(options)  # fail fast (missing Tesseract, language or second engine) before starting workers
    make_second_engine(options)
    jobs = max(1, min(options.jobs, len(indices)))
    if jobs == 1:
        return [_read_one_safely(path, i, options) for i in indices]
    pool = worker_pool(options.jobs)
    futures = [pool.submit(read_one_page, path, i, options) for i in indices]
    return [_collect(f, path, i, options) for f, i in zip(futures, indices, strict=True)]


def worker_pool(jobs: int) -> ProcessPoolExecutor:
    """The OCR worker processes, started on first use and kept for the next document.

    Workers are forked when this process runs a single thread (the command line): they start
    in milliseconds with every module already imported.  With other threads alive (the web
    app) forking is unsafe, so they are spawned and replaced after `PAGES_PER_WORKER` pages.
    """
    global _POOL
    if _POOL is not None and _POOL[0] == jobs:
        return _POOL[1]
    discard_pool()
    watch: dict[str, Any] = {"initializer": die_with_parent, "initargs": (os.getpid(),)}
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), **watch)
    else:
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                   max_tasks_per_child=PAGES_PER_WORKER, **watch)
    _POOL = (jobs, pool)
    return pool


def die_with_parent(parent: int) -> None:
    """Pool initializer: a worker is killed when the process that started it dies (Linux).

    Without it a killed `arsip ingest` left its OCR workers running (hundreds of MB each, still
    holding its output) until their pages were done.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def discard_pool() -> None:
    """Stop using the worker pool (after a timeout or a crash); the next document starts anew.

    Not waiting: a worker stuck past its page timeout ends when its Tesseract call's own
    timeout fires.
    """
    global _POOL
    if _POOL is not None:
        _POOL[1].shutdown(wait=False, cancel_futures=True)
        _POOL = None


_POOL: tuple[int, ProcessPoolExecutor] | None = None


def read_one_page(path: Path, index: int, options: OcrOptions) -> PageContent:
    """Render, orient, straighten and read one page (runs inside a worker).

    Most pages are stored upright, so a page is read as it is first; only when that reading is
    not confident does orientation detection (OSD, then a confidence vote) run, and the page is
    read again if it must be turned.  OSD on every page cost as much as reading the tables.
    """
    engine, second = _engine(options), _second(options)
    rgb, dpi = render_page(path, index, options.dpi)
    if (to_gray(rgb) < 128).mean() < 0.0005:
        h, w = rgb.shape[:2]
        return PageContent(index + 1, w * 72.0 / dpi, h * 72.0 / dpi, "", ocr=True)
    content = read_page_image(straighten(rgb, dpi, index + 1), engine, second)
    if reads_upright(content):
        return content
    turn = detect_orientation(rgb, dpi, engine)
    if not turn:
        return content
    log.info("%s page %d: turned %d degrees", path.name, index + 1, turn)
    return read_page_image(straighten(rgb, dpi, index + 1, turn), engine, second)


def reads_upright(page: PageContent) -> bool:
    """True when the OCR of `page` is confident enough that the page cannot be turned.

    An upside-down page reads as low-confidence fragments.  A sideways page can read well
    (Tesseract turns vertical text blocks itself), but its word boxes are then taller than
    wide.  So: most words of three letters or more confident and wider than tall.  Too few
    words to judge is not upright.
    """
    words = [w for w in page.words if sum(ch.isalpha() for ch in w.text) >= 3]
    if len(words) < UPRIGHT_MIN_WORDS:
        return False
    sure = sum(1 for w in words if (w.conf or 0.0) >= 60)
    wide = sum(1 for w in words if w.box.width > w.box.height)
    return min(sure, wide) >= UPRIGHT_SHARE * len(words)


UPRIGHT_MIN_WORDS = 12
UPRIGHT_SHARE = 0.6


def sample_words(path: Path, index: int, options: OcrOptions) -> list[OcrWord]:
    """A quick OCR of the middle band of page `index` at `SAMPLE_DPI`, as it is stored.

    Enough to judge whether an existing text layer says what the image shows; runs in the
    calling process (one short Tesseract call).
    """
    rgb, dpi = render_page(path, index, SAMPLE_DPI)
    gray = to_gray(rgb)
    h = gray.shape[0]
    band = np.ascontiguousarray(gray[int(h * SAMPLE_BAND[0]) : int(h * SAMPLE_BAND[1])])
    return _engine(options).read(Image.fromarray(band), psm=3)


SAMPLE_DPI = 200.0
SAMPLE_BAND = (0.25, 0.6)  # of the page height


def _engine(options: OcrOptions) -> OcrEngine:
    key = repr(options)
    if key not in _ENGINES:
        _ENGINES[key] = make_engine(options)
    return _ENGINES[key]


_ENGINES: dict[str, OcrEngine] = {}


def _second(options: OcrOptions) -> SecondReader | None:
    key = repr(options)
    if key not in _SECONDS:
        _SECONDS[key] = make_second_engine(options)
    return _SECONDS[key]


_SECONDS: dict[str, SecondReader | None] = {}
PAGES_PER_WORKER = 25


def _read_one_safely(path: Path, index: int, options: OcrOptions) -> PageContent:
    try:
        return read_one_page(path, index, options)
    except MissingDependencyError:
        raise
    except MemoryError:
        return failed_page(path, index, "memori tidak cukup")
    except (ArchiveError, cv2.error, ValueError) as e:
        return failed_page(path, index, str(e) or type(e).__name__)


def _collect(future: Future[PageContent], path: Path, index: int, options: OcrOptions) -> PageContent:
    try:
        return future.result(timeout=options.page_timeout)
    except FutureTimeout:
        future.cancel()
        discard_pool()
        return failed_page(path, index, f"tidak selesai dalam {options.page_timeout:.0f} detik")
    except MissingDependencyError:
        raise
    except BrokenProcessPool:
        discard_pool()
        return failed_page(path, index, "proses OCR berhenti mendadak")
    except MemoryError:
        return failed_page(path, index, "memori tidak cukup")
    except (ArchiveError, cv2.error, ValueError) as e:
        return failed_page(path, index, str(e) or type(e).__name__)


def failed_page(path: Path, index: int, reason: str) -> PageContent:
    """An empty page carrying a warning, for a page OCR could not read."""
    log.warning("%s halaman %d: OCR gagal: %s", path.name, index + 1, reason)
    return PageContent(index + 1, 0.0, 0.0, "", ocr=True, warnings=(f"halaman {index + 1}: OCR gagal ({reason[:200]})",))
