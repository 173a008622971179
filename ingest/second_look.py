"""A second engine's look at a number Tesseract read with little confidence.

A letter's or decision's number that Tesseract reads below `naskah.MIN_DIGIT_CONF` is left
empty by the parser (`naskah.UNREADABLE_NOMOR`): a handwritten `286` comes out as `256`.  But
Tesseract is also unsure of some printed numbers it reads right.  So the region of the number is
read again by the second engine (RapidOCR, `ingest.ocr_rapid`), and the number is kept only when
both engines read the same digits.  When they disagree it stays empty, with its warning: two
readings that differ are not a reading.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archive.errors import MissingDependencyError
from ingest.layout import Box, DocumentContent, Word
from ingest.model import Extraction
from ingest.ocr import OcrOptions

log = logging.getLogger(__name__)

PAD_PT = 4.0  # around the number's words, in points


def confirm_nomor(path: Path, doc: DocumentContent, extraction: Extraction,
                  options: OcrOptions | None) -> Extraction:
    """`extraction` with its doubtful nomor taken back when the second engine reads the same."""
    from ingest.parsers import naskah

    if options is None or naskah.UNREADABLE_NOMOR not in extraction.warnings:
        return extraction
    if not doc.pages or not doc.pages[0].ocr:
        return extraction
    words = naskah.nomor_words(doc)
    if not words:
        return extraction
    try:
        from ingest.ocr import make_second_engine

        second = make_second_engine(options)
    except MissingDependencyError as e:
        log.info("%s: no second reading of the number (%s)", path.name, e)
        return extraction
    if second is None:
        return extraction
    return agreed(extraction, words, read_region(path, doc, words, second, options.dpi))


def agreed(extraction: Extraction, words: Sequence[Word], second_text: str) -> Extraction:
    """The extraction with the number taken when `second_text` has the same digits as `words`."""
    from ingest.parsers import naskah

    first = " ".join(w.text for w in words)
    if not _digits(first) or _digits(first) != _digits(second_text):
        log.info("nomor: Tesseract %r and the second engine %r disagree", first, second_text)
        return extraction
    nomor = naskah.format_nomor(first)
    warnings = tuple(w for w in extraction.warnings if w != naskah.UNREADABLE_NOMOR)
    return extraction.replace(nomor=nomor, warnings=warnings)


def read_region(path: Path, doc: DocumentContent, words: Sequence[Word], second: Any,
                dpi: float | None = None) -> str:
    """The second engine's text of the first page's region holding `words`."""
    from ingest.raster import render_page, straighten

    page = doc.pages[0]
    rgb, used = render_page(path, page.number - 1, dpi)
    image = straighten(rgb, used, page.number, page.turned)
    box = _union([w.box for w in words])
    scale = image.dpi / 72.0
    h, w = image.rgb.shape[:2]
    x0, y0 = max(0, int((box.x0 - PAD_PT) * scale)), max(0, int((box.top - PAD_PT) * scale))
    x1, y1 = min(w, int((box.x1 + PAD_PT) * scale)), min(h, int((box.bottom + PAD_PT) * scale))
    if x1 <= x0 or y1 <= y0:
        return ""
    lines = second.read_lines(image.rgb[y0:y1, x0:x1])
    return " ".join(line.text for line in lines)


def _union(boxes: Sequence[Box]) -> Box:
    return Box(min(b.x0 for b in boxes), min(b.top for b in boxes),
               max(b.x1 for b in boxes), max(b.bottom for b in boxes))


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)
