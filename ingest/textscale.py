"""The resolution a scanned page's text needs, measured on the page itself.

Tesseract reads best when letters are some 20-30 pixels tall; more pixels cost time in every
later step (stamp ink, ruling lines, symbols, OCR) and read no better.  A page's own DPI says
little about that: a scan's image may be placed on a page far larger than the sheet it shows
(72 DPI claimed for a 100 DPI A4 scan, so at 300 DPI its letters come out 37 pixels tall, where
an A4 page's are 20-28), and large print needs fewer pixels than small print.  So the page is
first rendered small (`PROBE_DPI`), the height of its letters measured (the median height of
the ink blobs of letter size: body text outnumbers headings), and the page is rendered at the
resolution that makes them `LETTER_PX` tall, never above the usual ceiling (300 DPI) and
never below `MIN_TEXT_DPI`.  Pages whose letters are already near that size keep the ceiling,
so ordinary A4 scans are read as before; so do scans too coarse to have drawn their letters
sharply (`BLURRED_PX`).

Every later step takes its sizes from the DPI chosen (`PageImage.dpi`) and gives coordinates
in points, so word boxes, crops and the searchable copy do not depend on it.
"""

from __future__ import annotations

import cv2
import numpy as np

PROBE_DPI = 100.0  # the letters are measured on a copy this small (an A4 page: 0.9 Mpx)
LETTER_PX = 26.0  # median letter height (pixels) the page is rendered for
MIN_TEXT_DPI = 150.0  # never fewer (dots and commas of small print in the same page)
KEEP_SHARE = 0.85  # a page needing at least this share of the ceiling keeps the ceiling
MIN_LETTERS = 80  # fewer letter-sized blobs: not enough text to judge (a photo, a blank page)
# Letters the scan itself drew this small (its own pixels) are enlarged to the ceiling all the
# same: Tesseract reads a blurred, enlarged letter better the larger it is (a 100 DPI scan, its
# letters 8 pixels tall, lost its labels' readings at 230 DPI against 300)
BLURRED_PX = 12.0
DPI_STEP = 10.0  # chosen resolutions are rounded to this, so near-equal pages render alike
# letter-sized blobs: their height in inches (small print to headings) and width (one letter
# to a few touching ones, never a rule or a box)
LETTER_HEIGHT_IN = (0.03, 0.25)
LETTER_WIDTH_IN = (0.01, 0.3)


def letter_height(gray: np.ndarray, dpi: float) -> float | None:
    """Median height in inches of the letter-sized ink blobs of `gray` (rendered at `dpi`), or
    None when there are too few to judge."""
    if gray.size == 0 or dpi <= 0:
        return None
    block = max(15, (min(gray.shape) // 60) | 1)
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights, widths = stats[1:, cv2.CC_STAT_HEIGHT] / dpi, stats[1:, cv2.CC_STAT_WIDTH] / dpi
    letters = heights[(heights >= LETTER_HEIGHT_IN[0]) & (heights <= LETTER_HEIGHT_IN[1])
                      & (widths >= LETTER_WIDTH_IN[0]) & (widths <= LETTER_WIDTH_IN[1])]
    if letters.size < MIN_LETTERS:
        return None
    # a blob at the probe's coarse resolution is about half a pixel taller than the letter
    return max(float(np.median(letters)) - 0.5 / dpi, 1.0 / dpi)


def text_dpi(letter_in: float | None, ceiling: float, native: float | None = None) -> float:
    """The DPI that makes letters `letter_in` inches tall `LETTER_PX` pixels, within
    `MIN_TEXT_DPI`..`ceiling`; the ceiling itself when the page needs nearly as much, when its
    letters could not be measured, or when the scan (of `native` DPI) drew them with fewer
    than `BLURRED_PX` pixels."""
    if letter_in is None or letter_in <= 0:
        return ceiling
    if native and letter_in * native < BLURRED_PX:
        return ceiling
    want = LETTER_PX / letter_in
    if want >= KEEP_SHARE * ceiling:
        return ceiling
    stepped = float(np.ceil(want / DPI_STEP) * DPI_STEP)
    return float(min(ceiling, max(MIN_TEXT_DPI, stepped)))
