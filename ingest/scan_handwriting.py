"""Handwritten (or stamp-covered) values of a form's labelled cells, read again from the page image.

An SOP's identity table prints its labels (`Nomor SOP`, `Nomor Urut SOP`, `Tanggal Pembuatan`,
`Tanggal Efektif`) and often leaves the value to be written by hand, sometimes under the round
stamp.  Tesseract, reading the cell inside its rules, gets letters for digits.  Here the few value
cells whose first reading fails its shape check (a date that does not parse, a number part
mixing letters and digits, a doubtful word) are read again: the cell with a margin above and
below (handwriting runs over the rules), its ruling lines removed, by the second engine on the
colour crop and on the crop with stamp ink made light, and by Tesseract on the latter.  Lines
whose middle lies outside the cell (the row above or below) are left out.

Nothing is decided here: the readings go to the parser untouched (`PageContent.handwritten`),
where the document's other dates and words check them (`ingest.parsers.handwritten`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import cv2
import numpy as np
from PIL import Image

from ingest.layout import Box, HandReading
from ingest.ocr import OcrEngine, OcrWord
from ingest.raster import drop_stamp_ink
from ingest.scan_grid import CellBox
from ingest.scan_second import SecondReader
from ingest.text import parse_date

# Printed labels of the values that are written by hand, as a whole label cell reads.
LABELS: tuple[tuple[str, str], ...] = (
    ("nomor", "nomor sop"), ("nomor", "nomor urut sop"), ("nomor", "no sop"), ("nomor", "no urut sop"),
    ("tanggal_pembuatan", "tanggal pembuatan"), ("tanggal_pembuatan", "tanggal"),
    ("tanggal_pembuatan", "tanggal dibuat"), ("tanggal_revisi", "tanggal revisi"),
    ("tanggal_efektif", "tanggal efektif"), ("tanggal_efektif", "tanggal pengesahan"),
    ("tanggal_efektif", "tanggal berlaku"),
)
LABEL_MATCH = 0.8  # similarity of a label cell's text to a printed label ('Tanaaal Pembuatan')
DOUBT = 60.0  # a first-reading word below this confidence makes the value doubtful
MARGIN = 0.6  # cell heights read above and below the cell (handwriting runs over the rules)
INSET = 3  # px left off the cell's sides (its vertical rules)
BLANK = 0.004  # ink share of a cell below which it is empty (a '-' at most)
MAX_CELLS = 4  # value cells read again per page


def read_handwritten(
    rgb: np.ndarray, cells: Sequence[CellBox], first: dict[int, list[OcrWord]],
    words: dict[int, list[OcrWord]], engine: OcrEngine, second: SecondReader | None, dpi: float,
) -> tuple[HandReading, ...]:
    """Readings of the labelled identity cells whose reading so far (`words`, after second
    readings; `first`, Tesseract's) fails its shape check; boxes in points."""
    out = []
    for field, k in value_cells(cells, words)[:MAX_CELLS]:
        c = cells[k]
        so_far = words.get(k, [])
        if reads_well(field, so_far):
            continue
        colour, stampless, band = crop(rgb, c)
        if ink_share(stampless[band[0]:band[1]], colour[band[0]:band[1]]) < BLANK:
            continue
        readings = [("tesseract", _text(first.get(k, [])), _conf(first.get(k, [])))]
        if so_far is not first.get(k):
            readings.append(("second-cell", _text(so_far), _conf(so_far)))
        if second is not None:
            crops = [("rapidocr", colour)] + ([("rapidocr-stampless", stampless)] if stamped(colour, stampless) else [])
            for name, image in crops:
                lines = [ln for ln in second.read_lines(image) if band[0] <= ln.top + ln.height / 2 <= band[1]]
                if lines:
                    lines.sort(key=lambda ln: ln.left)
                    text = " ".join(ln.text for ln in lines)
                    conf = sum(ln.conf * len(ln.text) for ln in lines) / max(1, sum(len(ln.text) for ln in lines))
                    readings.append((name, text, round(conf, 1)))
        inside = [w for w in engine.read(Image.fromarray(stampless), psm=6) if band[0] <= w.cy <= band[1]]
        if inside:
            readings.append(("tesseract-margin", _text(inside), _conf(inside)))
        readings += _word_readings(colour, stampless, band, second)
        pt = dpi / 72.0
        box = Box(c.x0 / pt, c.y0 / pt, c.x1 / pt, c.y1 / pt)
        kept = tuple((n, t, v) for n, t, v in readings if t.strip())
        if kept:
            out.append(HandReading(field, box, kept))
    return tuple(out)


WORD_GAP = 0.45  # an ink gap this many cell heights wide parts two written words
SPECK = 0.015  # components smaller than this share of a cell height squared are specks
PAD = 0.2  # cell heights of white put around a word read on its own
STAMP_DIFF = 40  # grey levels by which removing stamp ink lightens a pixel ...
STAMP_SHARE = 0.002  # ... on this share of a crop: a stamp is there, the stamp-free crop is read too


@runtime_checkable
class WordReader(Protocol):
    """A second engine that also reads one word image without looking for lines
    (`ingest.ocr_rapid.RapidEngine`)."""

    def read_word(self, image: np.ndarray) -> tuple[str, float]:
        """The text of a crop holding one word, and its confidence 0..100."""
        ...


def _word_readings(colour: np.ndarray, stampless: np.ndarray, band: tuple[int, int],
                   second: SecondReader | None) -> list[tuple[str, str, float]]:
    """The cell read word by word by the second engine (a lone written day digit escapes its
    line detector), as ('rapidocr-words', words joined, mean confidence).  (Tesseract word by
    word read hand-writing too poorly to be worth a process per word.)"""
    words = written_words(stampless, band)
    if not words or not isinstance(second, WordReader):
        return []
    h = band[1] - band[0]
    pad = max(4, int(PAD * h))
    texts, confs = [], []
    for x0, y0, x1, y1 in words:
        piece = cv2.copyMakeBorder(np.ascontiguousarray(colour[y0:y1, x0:x1]), pad, pad, pad, pad,
                                   cv2.BORDER_CONSTANT, value=(255, 255, 255))
        text, conf = second.read_word(piece)
        if text.strip():
            texts.append(text.strip())
            confs.append(conf)
    return [("rapidocr-words", " ".join(texts), round(sum(confs) / len(confs), 1))] if texts else []


def stamped(colour: np.ndarray, stampless: np.ndarray) -> bool:
    """Whether a crop holds stamp (or pen) ink that `drop_stamp_ink` made light."""
    gray = cv2.cvtColor(colour, cv2.COLOR_RGB2GRAY)
    return bool((cv2.absdiff(gray, stampless) > STAMP_DIFF).mean() > STAMP_SHARE)


def written_words(gray: np.ndarray, band: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of the ink groups of a crop whose middle lies in the cell's rows
    `band`, left to right, parted where the gap is wider than `WORD_GAP` cell heights."""
    h = band[1] - band[0]
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    parts = []
    for x, y, w, hh, area in stats[1:n]:
        mid = y + hh / 2
        if area >= SPECK * h * h and band[0] <= mid <= band[1] and hh <= 2.5 * h:
            parts.append([int(x), int(y), int(x + w), int(y + hh)])
    groups: list[list[int]] = []
    for p in sorted(parts):
        if groups and p[0] - groups[-1][2] <= WORD_GAP * h:
            g = groups[-1]
            g[1], g[2], g[3] = min(g[1], p[1]), max(g[2], p[2]), max(g[3], p[3])
        else:
            groups.append(p)
    return [(g[0], g[1], g[2], g[3]) for g in groups]


def value_cells(cells: Sequence[CellBox], words: dict[int, list[OcrWord]]) -> list[tuple[str, int]]:
    """(field, value cell) for each cell whose text is a printed label of a hand-written value,
    its value the cell right of it (past a column of colons), at least as wide as the label."""
    out: list[tuple[str, int]] = []
    for j, label in enumerate(cells):
        field = label_field(_text(words.get(j, [])))
        if field is None or any(f == field for f, _ in out):
            continue
        k = _right_of(cells, label)
        if k is not None and _width(cells[k]) < 0.4 * _width(label) and not _text(words.get(k, [])).strip(" :"):
            k = _right_of(cells, cells[k])  # the colon's own column
        if k is not None and _width(cells[k]) >= _width(label):
            out.append((field, k))
    return out


def label_field(text: str) -> str | None:
    """The field a label cell names ('Nomor Urut SOP' -> 'nomor'), also as OCR misreads it; None
    for any other cell (a label is short: at most four words)."""
    flat = " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())
    if not flat or len(flat.split()) > 4:
        return None
    best = max(LABELS, key=lambda lab: difflib.SequenceMatcher(None, flat, lab[1]).ratio())
    return best[0] if difflib.SequenceMatcher(None, flat, best[1]).ratio() >= LABEL_MATCH else None


def reads_well(field: str, words: Sequence[OcrWord]) -> bool:
    """Whether a value cell's reading passes its shape check: every word sure, and a date that
    parses or a number whose parts are digits or letters, not both."""
    text = _text(words)
    if not text.strip() or any(w.conf < DOUBT for w in words):
        return False
    if field == "nomor":
        parts = re.sub(r"\s+", "", text).strip(".").split("/")
        return len(parts) >= 2 and all(p and not re.search(r"\d[A-Za-z]|[A-Za-z]\d", p) for p in parts)
    return parse_date(text) is not None


def crop(rgb: np.ndarray, c: CellBox) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """The cell with `MARGIN` above and below, ruling lines whitened: (colour, grey with stamp
    ink made light, the cell's own rows in the crop)."""
    h = c.y1 - c.y0
    y0, y1 = max(0, c.y0 - int(MARGIN * h)), min(rgb.shape[0], c.y1 + int(MARGIN * h))
    colour = np.ascontiguousarray(rgb[y0:y1, c.x0 + INSET : max(c.x0 + INSET + 1, c.x1 - INSET)]).copy()
    gray = cv2.cvtColor(colour, cv2.COLOR_RGB2GRAY)
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    rows = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(
        cv2.MORPH_RECT, (max(15, colour.shape[1] // 4), 1)))
    cols = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(
        cv2.MORPH_RECT, (1, max(15, int(1.5 * h)))))
    rules = cv2.dilate(cv2.bitwise_or(rows, cols), np.ones((3, 3), np.uint8))
    colour[rules > 0] = 255
    return colour, drop_stamp_ink(colour), (c.y0 - y0, c.y1 - y0)


def ink_share(gray: np.ndarray, colour: np.ndarray) -> float:
    """The share of dark pixels (any ink colour: a pen may be blue) of a crop."""
    if gray.size == 0:
        return 0.0
    darkest = colour.min(axis=2) if colour.ndim == 3 else gray
    return float(((darkest < 110) | (gray < 110)).mean())


def _right_of(cells: Sequence[CellBox], c: CellBox) -> int | None:
    cy = (c.y0 + c.y1) / 2
    right = [k for k, o in enumerate(cells) if abs(o.x0 - c.x1) <= 6 and o.y0 <= cy <= o.y1]
    return min(right, key=lambda k: cells[k].x0, default=None)


def _width(c: CellBox) -> int:
    return c.x1 - c.x0


def _text(words: Sequence[OcrWord]) -> str:
    return " ".join(w.text for w in sorted(words, key=lambda w: (w.line, w.left)))


def _conf(words: Sequence[OcrWord]) -> float:
    return round(sum(w.conf for w in words) / len(words), 1) if words else 0.0
