"""A second engine's look at a number Tesseract read with little confidence.

A letter's or decision's number that Tesseract reads below `naskah.MIN_DIGIT_CONF` is left
empty by the parser (`naskah.UNREADABLE_NOMOR`): a handwritten `286` comes out as `256`.  But
Tesseract is also unsure of some printed numbers it reads right.  So the region of the number is
read again by the second engine (RapidOCR, `ingest.ocr_rapid`, which reads handwriting far
better).  Both read the same digits: the number is kept.  They differ: the second reading is
taken only when it is confident, more so than Tesseract, and keeps the printed frame Tesseract
read confidently (`TAHUN 2017`); it then carries a warning and a lowered confidence.  Otherwise
the number stays empty with its warning.
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
    text, conf = read_region(path, doc, words, second, options.dpi)
    return agreed(extraction, words, text, conf)


def agreed(extraction: Extraction, words: Sequence[Word], second_text: str,
           second_conf: float = 0.0) -> Extraction:
    """The extraction with the number the two readings support.

    Same digits, and no OCR slip in them (`O99`): taken.  Different digits: the second reading is taken only when it is confident
    (`SECOND_MIN_CONF`), more confident than Tesseract was, and keeps every word Tesseract read
    confidently (the printed frame, `TAHUN 2017`): the second engine reads handwriting far better.
    It then carries a confidence cap and a warning to check it.  Otherwise the number stays empty.
    """
    from ingest.parsers import naskah

    first = " ".join(w.text for w in words)
    warnings = tuple(w for w in extraction.warnings if w != naskah.UNREADABLE_NOMOR)
    if well_formed(first) and _digits(first) == _digits(second_text):
        return extraction.replace(nomor=naskah.format_nomor(first), warnings=warnings)
    unsure = min((w.conf for w in words if w.conf is not None and any(c.isdigit() for c in w.text)),
                 default=100.0)
    frame = [w.text for w in words if (w.conf or 0.0) >= naskah.MIN_DIGIT_CONF]
    seen = set(second_text.split())
    nomor = naskah.format_nomor(second_text) if well_formed(second_text) else None
    if nomor and second_conf >= SECOND_MIN_CONF and second_conf > unsure and all(t in seen for t in frame):
        log.info("nomor: Tesseract %r, the second engine %r (%.0f): taken", first, second_text, second_conf)
        return extraction.replace(
            nomor=nomor, warnings=(*warnings, SECOND_NOMOR),
            confidence={**extraction.confidence, "nomor": round(second_conf / 100.0 * DOUBT, 3)})
    log.info("nomor: Tesseract %r and the second engine %r disagree", first, second_text)
    return extraction


def well_formed(text: str) -> bool:
    """A number without OCR slips (`60STAHUN`), in the `N TAHUN YYYY` form when it says TAHUN."""
    from ingest.layertrust import misread_tokens

    squashed = re.sub(r"\s+", "", text)
    if not _digits(text) or misread_tokens(text.split()) or _LOOK_ALIKE_RE.search(squashed):
        return False
    if re.search(r"tahun", text, re.I):
        return bool(re.fullmatch(r"\s*\d+\s+tahun\s+(?:19|20)\d\d\s*", text, re.I))
    return True


_LOOK_ALIKE_RE = re.compile(r"\d[OolISZB]|[OolISZB]\d")  # 'O99', '2Ol7': a letter read for a digit
SECOND_MIN_CONF = 90.0
DOUBT = 0.7  # a number only the second engine read is flagged for checking
SECOND_NOMOR = ("nomor: dibaca oleh mesin OCR kedua (tulisan tangan?), Tesseract membacanya lain; "
                "periksa nomor pada dokumen aslinya")


def read_region(path: Path, doc: DocumentContent, words: Sequence[Word], second: Any,
                dpi: float | None = None) -> tuple[str, float]:
    """The second engine's text of the first page's region holding `words`, and its lowest
    line confidence (0..100)."""
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
        return "", 0.0
    lines = second.read_lines(image.rgb[y0:y1, x0:x1])
    return " ".join(line.text for line in lines), min((line.conf for line in lines), default=0.0)


def _union(boxes: Sequence[Box]) -> Box:
    return Box(min(b.x0 for b in boxes), min(b.top for b in boxes),
               max(b.x1 for b in boxes), max(b.bottom for b in boxes))


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)
