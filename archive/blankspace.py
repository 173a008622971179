"""Where on a page a box can go without covering anything: a blank band of near-white pixels.

The page is looked at as a reader sees it (rendered with its rotation, every image on it).  A
pixel is ink when its darkest channel is well below the paper's brightness, so a blue or red
stamp counts like black print.  A box fits where a rectangle around it (the box plus a clear
margin) holds no ink and stays inside the page's edge margin; among the places it fits, the one
nearest the bottom of the page is taken (the bottom margin first), then the one furthest right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INK_BELOW_PAPER = 45  # levels (0-255) under the paper's brightness that count as ink
SPECKS = 2  # ink pixels a box may cover at 72 DPI: scanner dust, not writing
EDGE_MARGIN_PT = 12.0  # never closer to the page's edge (printers cut it, scans darken it)
CLEARANCE_PT = 5.0  # blank paper kept around the box


@dataclass(frozen=True)
class Spot:
    """A free place for a box, in PDF points from the page's lower left corner (as seen)."""

    left: float
    bottom: float
    width: float
    height: float


def ink_mask(rgb: np.ndarray) -> np.ndarray:
    """True where a page image (RGB, rows from the top) has ink: print, pen, stamp, shading."""
    darkest = rgb.min(axis=2).astype(np.int16)
    paper = float(np.percentile(rgb.max(axis=2), 90))
    return np.asarray(darkest < paper - INK_BELOW_PAPER)


def find_spot(ink: np.ndarray, dpi: float, width_pt: float, height_pt: float, *,
              from_top: bool = False) -> Spot | None:
    """The lowest (or with `from_top` the highest), then rightmost place a `width_pt` x
    `height_pt` box covers no ink."""
    px = dpi / 72.0
    rows, cols = ink.shape
    clear = int(np.ceil(CLEARANCE_PT * px))
    edge = int(np.ceil(EDGE_MARGIN_PT * px))
    w = int(np.ceil(width_pt * px)) + 2 * clear
    h = int(np.ceil(height_pt * px)) + 2 * clear
    start = max(0, edge - clear)
    if w > cols - 2 * start or h > rows - 2 * start:
        return None
    integral = _integral(ink)
    counts = _window_sums(integral, h, w)  # counts[y, x]: ink in rows y..y+h, columns x..x+w
    allowed = counts <= SPECKS
    allowed[:start, :] = False
    allowed[:, :start] = False
    allowed[max(0, rows - start - h + 1):, :] = False
    allowed[:, max(0, cols - start - w + 1):] = False
    for y in (range(allowed.shape[0]) if from_top else range(allowed.shape[0] - 1, -1, -1)):
        xs_free = np.flatnonzero(allowed[y])
        if xs_free.size == 0:
            continue
        ys_free = np.full_like(xs_free, y)
        xs_free = xs_free[~_enclosed(integral, ys_free, xs_free, h, w)]
        if xs_free.size:  # the preferred row: its rightmost free place
            top, left = y + clear, int(xs_free[-1]) + clear
            return Spot(left / px, (rows - top) / px - height_pt, width_pt, height_pt)
    return None


def _integral(mask: np.ndarray) -> np.ndarray:
    integral = np.zeros((mask.shape[0] + 1, mask.shape[1] + 1), dtype=np.int64)
    integral[1:, 1:] = mask.astype(np.int64).cumsum(axis=0).cumsum(axis=1)
    return integral


def _rect(integral: np.ndarray, y0: np.ndarray, x0: np.ndarray, y1: np.ndarray,
          x1: np.ndarray) -> np.ndarray:
    """Ink in rows y0..y1, columns x0..x1 (arrays of rectangles)."""
    return np.asarray(integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0])


def _enclosed(integral: np.ndarray, y: np.ndarray, x: np.ndarray, h: int, w: int) -> np.ndarray:
    """Whether each place has ink on all four sides (a gap inside a table or a paragraph, not a
    margin or a band): such places cover nothing but would read as part of the content."""
    rows, cols = integral.shape[0] - 1, integral.shape[1] - 1
    zero, bottom, right = np.zeros_like(y), np.full_like(y, rows), np.full_like(x, cols)
    left_ink = _rect(integral, y, zero, y + h, x) > SPECKS
    right_ink = _rect(integral, y, x + w, y + h, right) > SPECKS
    above = _rect(integral, zero, x, y, x + w) > SPECKS
    below = _rect(integral, y + h, x, bottom, x + w) > SPECKS
    return np.asarray(left_ink & right_ink & above & below)


def _window_sums(integral: np.ndarray, h: int, w: int) -> np.ndarray:
    """Ink in every h x w window, by its top-left corner, from the integral image."""
    return np.asarray(integral[h:, w:] - integral[:-h, w:] - integral[h:, :-w] + integral[:-h, :-w])
