"""Scanned page tables: the ink mask, ruling lines found by morphology, and the grid rebuilt from
them (merged cells where a separating line is missing).  Pixels of the page image throughout."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

LINE_MIN_INCH = 0.3  # a ruling line is at least this long
PIECE_MIN_INCH = 0.1  # a shorter piece of a grid line (one single-line row, one narrow column)
STRONG = 0.5  # a line covering this share of its table is a grid line whatever its ends
WEAK = 0.12  # a shorter one is a grid line if each of its pieces ends on grid lines


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
    piece = max(9, int(dpi * PIECE_MIN_INCH))
    short_h = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, piece), np.uint8))
    short_v = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((piece, 1), np.uint8))
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
            grids.append(_with_pieces(grid, np.asarray(short_h[y : y + bh, x : x + bw]),
                                      np.asarray(short_v[y : y + bh, x : x + bw])))
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


def _with_pieces(grid: Grid, short_h: np.ndarray, short_v: np.ndarray) -> Grid:
    """The grid's lines completed by their short pieces: a vertical rule broken by rows merged
    across the table leaves pieces one text line high (a header row, a single-line row), too
    short to be found as lines on their own.  A piece counts where it lies on an accepted line
    and runs from one crossing line to the next, so letters inside cells never do."""
    rows = tuple(_completed(b, short_h, 0, grid.cols) for b in grid.rows)
    cols = tuple(_completed(b, short_v, 1, grid.rows) for b in grid.cols)
    return Grid(grid.x0, grid.y0, grid.x1, grid.y1, rows, cols)


def _completed(band: Band, mask: np.ndarray, axis: int, cross: Sequence[Band]) -> Band:
    """`band` with the pieces of ink along it that run from one crossing line to another (each
    end within the crossing line's thickness and a few pixels)."""
    half = band.thickness // 2 + 2
    lo, hi = max(0, band.pos - half), band.pos + half + 1
    part = mask[lo:hi] if axis == 0 else mask[:, lo:hi]
    along = np.asarray((part > 0).any(axis=axis))
    covered = band.covered.copy()
    for a, b in runs(along):
        starts = [c for c in cross if abs(a - c.pos) <= c.thickness // 2 + 4]
        ends = [c for c in cross if abs(b - 1 - c.pos) <= c.thickness // 2 + 4]
        if starts and ends and ends[-1].pos > starts[0].pos and not covered[a:b].all():
            covered[a:b] = True
    return Band(band.pos, band.thickness, covered)


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
