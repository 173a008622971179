"""Second readings of a scanned page's doubtful form cells (handwriting, names and NIPs under a
stamp) by another engine (`ingest.ocr_rapid`), merged with Tesseract's words line by line."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ingest.nip import problem as nip_problem
from ingest.ocr import OcrWord
from ingest.scan_grid import CellBox
from ingest.text import find_nip, parse_date


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
    second reading has one too; of two different NIPs, the one whose structure holds wins.
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
    verdict = _nip_verdict(find_nip(first), find_nip(text))
    if verdict is not None:
        return verdict
    return conf > sum(w.conf for w in mine) / len(mine)


def _nip_verdict(first: str | None, second: str | None) -> bool | None:
    """Between two readings of a NIP, the one whose structure holds (birth date, TMT, sex digit)
    wins whatever the confidences; None when that does not decide."""
    if not first or not second or first == second:
        return None
    first_ok, second_ok = nip_problem(first) is None, nip_problem(second) is None
    return second_ok if first_ok != second_ok else None
