"""Flowchart symbols on a scanned page: closed outlines inside a table grid (capsules, rects,
diamonds, pentagons), reported as the text layer reports drawn shapes."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ingest.layout import Box, Shape, ShapeKind
from ingest.scan_grid import CellBox, Grid, components


# --- flowchart symbols ---------------------------------------------------------------------------
def find_symbols(ink: np.ndarray, grid: Grid, cells: Sequence[CellBox], dpi: float,
                 gray: np.ndarray | None = None) -> list[Shape]:
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
    if gray is None:
        return out
    solid = solid_symbols(gray, grid, cells, dpi)
    # a solid shape's inside reads as an outline too (local thresholding keeps only its edge)
    return [s for s in out if not any(_inside(s.box, f.box) for f in solid)] + solid


def _inside(a: Box, b: Box) -> bool:
    """Most of box `a` lies inside box `b`."""
    inter = max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0)) * max(0.0, min(a.bottom, b.bottom) - max(a.top, b.top))
    return inter >= 0.8 * a.width * a.height


SOLID_CORE = 3.0  # pt: a kernel this wide keeps solid areas and drops lines, arrows and letters
SOLID_FILL = 0.8  # share of its box a solid symbol covers
DARK = 100  # grey level under which a pixel is solid ink


def solid_symbols(gray: np.ndarray, grid: Grid, cells: Sequence[CellBox], dpi: float) -> list[Shape]:
    """Symbols printed as solid shapes (black squares, filled boxes): they have no white hole for
    the outline finder, and local thresholding leaves only their edges, so they are looked for
    in the dark pixels of the grey page.  An opening with a kernel wider than any line or letter
    stroke keeps only solid areas; those of symbol size that do not fill their cell are symbols."""
    pt = dpi / 72.0
    k = max(3, int(SOLID_CORE * pt))
    # 255 where darker than DARK, made in one uint8 image (no bool and int copies of the table),
    # opened in place, labelled in 16 bits when the count allows
    region = np.asarray(cv2.threshold(gray[grid.y0 : grid.y1, grid.x0 : grid.x1], DARK - 1, 255,
                                      cv2.THRESH_BINARY_INV)[1])
    cv2.morphologyEx(region, cv2.MORPH_OPEN, np.ones((k, k), np.uint8), dst=region)
    n, stats = components(region)
    out = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        x, y = x + grid.x0, y + grid.y0
        if w < 14 * pt or h < 7 * pt or area < SOLID_FILL * w * h or _fills_cell(x, y, w, h, cells, pt):
            continue
        box = Box((x - 2) / pt, (y - 2) / pt, (x + w + 2) / pt, (y + h + 2) / pt)
        out.append(Shape("rect", box, 4, filled=True))
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


# --- pages without a ruled table -----------------------------------------------------------------
RULE_MIN_SHARE = 0.15  # a rule between table rows (or columns) spans at least this share of the page


def free_shapes(ink: np.ndarray, dpi: float, gray: np.ndarray | None = None) -> list[Shape]:
    """Flowchart symbols and long ruling lines of a page on which no ruled table was found (a
    flowchart ruled only between its rows, or not at all), for the layout readers: the symbols
    as `find_symbols` reports them, the page as one cell; the rules as lines, as the text layer
    reports drawn lines."""
    h, w = ink.shape
    page = Grid(0, 0, w, h, (), ())
    symbols = find_symbols(ink, page, [CellBox(0, 0, 0, 0, w, h)], dpi, gray)
    return symbols + _rules(ink, dpi)


def _rules(ink: np.ndarray, dpi: float) -> list[Shape]:
    pt = dpi / 72.0
    h, w = ink.shape
    out = []
    for size, thin in (((1, max(15, int(RULE_MIN_SHARE * w))), 1), ((max(15, int(RULE_MIN_SHARE * h)), 1), 0)):
        mask = np.asarray(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones(size, np.uint8)))
        n, stats = components(mask)
        for i in range(1, n):
            x, y, bw, bh = (int(v) for v in stats[i][:4])
            if (bh if thin else bw) <= 3 * pt:  # a line, not a block of ink
                out.append(Shape("line", Box(x / pt, y / pt, (x + bw) / pt, (y + bh) / pt)))
    return out
