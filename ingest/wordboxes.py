"""The word boxes of a reading, kept beside the version so a field's page region can be found.

Every page's words (OCR words for scanned pages, the text layer's words for born-digital ones)
with their boxes, in the coordinates the parsers read them in: PDF points, top-left origin, of
the page as OCR saw it (turned upright by `turned` degrees clockwise, then straightened by `skew`
degrees counter-clockwise; both 0 for a text layer).  Stored as gzip'd JSON, one list of
`[text, x0, top, x1, bottom]` per page, coordinates rounded to a tenth of a point (a 4-page scan
takes a few kB).

`locate` finds where a field's value was read: the value's tokens matched in order against the
words (the row's own page first when it has one), as `ingest.confidence` does to score fields;
a value left empty is looked for by its printed label (`Tanggal Pembuatan`) and the region to
the label's right.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.confidence import MAX_GAP, norm, token_run, value_tokens
from ingest.layout import Box, DocumentContent

FORMAT = 1


@dataclass(frozen=True)
class PageWords:
    """One page's words with boxes, and the page's size and corrections."""

    number: int
    width: float
    height: float
    words: tuple[tuple[str, Box], ...]
    turned: int = 0
    skew: float = 0.0
    ocr: bool = False


@dataclass(frozen=True)
class Region:
    """Where on which page a value was read (points of that page as OCR saw it)."""

    page: int
    box: Box


def from_document(doc: DocumentContent) -> list[PageWords]:
    """The word boxes of every page of a read document."""
    return [PageWords(p.number, p.width, p.height, tuple((w.text, w.box) for w in p.words),
                      p.turned, p.skew, p.ocr) for p in doc.pages]


def encode(pages: Sequence[PageWords]) -> bytes:
    """The compact stored form (gzip'd JSON)."""
    data = {"format": FORMAT, "pages": [
        {"n": p.number, "w": round(p.width, 2), "h": round(p.height, 2), "turned": p.turned,
         "skew": round(p.skew, 3), "ocr": p.ocr,
         "words": [[t, round(b.x0, 1), round(b.top, 1), round(b.x1, 1), round(b.bottom, 1)]
                   for t, b in p.words]} for p in pages]}
    return gzip.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(),
                         mtime=0)


def decode(blob: bytes) -> list[PageWords]:
    """The pages of a stored word-box file."""
    data = json.loads(gzip.decompress(blob))
    if data.get("format") != FORMAT:
        raise ValueError(f"word-box format {data.get('format')!r} unknown")
    return [PageWords(int(p["n"]), float(p["w"]), float(p["h"]),
                      tuple((str(w[0]), Box(*(float(x) for x in w[1:5]))) for w in p["words"]),
                      int(p.get("turned", 0)), float(p.get("skew", 0.0)), bool(p.get("ocr")))
            for p in data["pages"]]


# --- finding a field's region ----------------------------------------------------------------
# the printed labels of fields that have one, for a value the machine could not read
LABELS: dict[str, tuple[str, ...]] = {
    "nomor": ("nomor sop", "nomor"), "tanggal": ("tanggal",),
    "tanggal_pembuatan": ("tanggal pembuatan",), "tanggal_revisi": ("tanggal revisi",),
    "tanggal_efektif": ("tanggal efektif",), "tanggal_pengesahan": ("tanggal pengesahan",),
    "disahkan_oleh": ("disahkan oleh", "disahkan olah"), "perihal": ("perihal", "hal", "tentang"),
    "kepada": ("kepada",), "pihak_pertama": ("pihak pertama",), "pihak_kedua": ("pihak kedua",),
}
_ROW = re.compile(r"([a-z_]+)(?:\[\d+\])?")


def locate(pages: Sequence[PageWords], path: str, value: Any,
           page_hint: int | None = None) -> Region | None:
    """The region `value` (the machine's reading of field `path`) was read from, or None.

    Pages are tried in order: the hint (a row's page), then the others from the first; the
    first page whose words hold at least half of the value's tokens in order wins.  A value not
    found (left empty, or taken from a second reading) is looked for by its printed label.
    """
    ordered = sorted(pages, key=lambda p: (p.number != page_hint, p.number))
    tokens = value_tokens(value) if value not in (None, "", {}) else []
    for page in ordered if tokens else ():
        boxes = (_run(tokens, _tokens(page)) or _spaced(str(value), page)
                 or _in_column(tokens, page))
        if boxes:
            return Region(page.number, _union(boxes))
    head = _ROW.match(path)
    labels = LABELS.get(head[1] if head else "", ())
    if tokens:  # the value was read but is not among the words: only a label of two words or
        labels = tuple(label for label in labels if " " in label)  # more ("Nomor" is everywhere)
    for page in ordered:
        for label in labels:
            boxes = _run(label.split(), _tokens(page), whole=True)
            if boxes:
                return Region(page.number, _right_of(_union(boxes), page))
    return None


def _tokens(page: PageWords) -> list[tuple[str, Box]]:
    return [(t, box) for text, box in page.words for t in (norm(x) for x in text.split()) if t]


COLUMN_GAP = 24  # words of other cells between two of a cell's words, in reading order
COLUMN_SHARE = 0.5  # the most of the page's width a value's words may span


def _in_column(tokens: Sequence[str], page: PageWords) -> list[Box]:
    """A table cell's words read in the page's order interleave with the cells beside them
    (line by line across the row): matched with wide gaps, kept when they stay in one column."""
    boxes = _run(tokens, _tokens(page), gap=COLUMN_GAP)
    if not boxes or len(boxes) < len(tokens) * 0.8:
        return []
    box = _union(boxes)
    return boxes if box.width <= COLUMN_SHARE * page.width else []


def _run(tokens: Sequence[str], words: Sequence[tuple[str, Box]],
         whole: bool = False, gap: int = MAX_GAP) -> list[Box]:
    """The boxes of the longest in-order run of `words` matching `tokens` (at least half of
    them; all of them when `whole`), gaps of up to `gap` words allowed; of runs as long, the
    one over the fewest words (`Meningkatnya pengembangan` is not taken from two cells)."""
    best: list[Box] = []
    best_span = 0
    for start, (text, _) in enumerate(words):
        if text != tokens[0] and not (len(tokens) > 1 and text == tokens[1] and not whole):
            continue
        run, i = token_run(tokens, words, start, gap)
        if len(run) > len(best) or (len(run) == len(best) and i - start < best_span):
            best, best_span = run, i - start
    need = len(tokens) if whole else (len(tokens) + 1) // 2
    return best if best and len(best) >= need else []


SPACED_WORDS = 12  # a number or NIP printed with spaces: at most this many pieces


def _spaced(value: str, page: PageWords) -> list[Box]:
    """The words that spell `value` when their spaces are dropped (`045.2 / 17 / 2024` for
    `045.2/17/2024`, `19700101 199503 2 004` for a NIP); one-word values only."""
    target = re.sub(r"\s+", "", value).casefold()
    if len(target) < 4 or " " in value.strip():
        return []
    words = page.words
    for i in range(len(words)):
        joined = ""
        for j in range(i, min(len(words), i + SPACED_WORDS)):
            joined += re.sub(r"\s+", "", words[j][0]).casefold()
            if joined == target or (joined.startswith(target) and j > i
                                    and not joined[len(target):].isalnum()):
                return [b for _, b in words[i:j + 1]]
            if not target.startswith(joined):
                break
    return []


def _union(boxes: Iterable[Box]) -> Box:
    boxes = list(boxes)
    return Box(min(b.x0 for b in boxes), min(b.top for b in boxes),
               max(b.x1 for b in boxes), max(b.bottom for b in boxes))


def _right_of(label: Box, page: PageWords) -> Box:
    """A label and the space to its right where its value is printed (two lines high)."""
    line = max(label.height, 8.0)
    return Box(label.x0, label.top, min(page.width, label.x1 + 0.5 * page.width),
               min(page.height, label.bottom + 1.5 * line))


def crop_box(region: Region, page: PageWords, pad: float = 8.0, min_width: float = 160.0,
             max_height: float = 360.0) -> Box:
    """The part of the page shown for a region: padded, at least `min_width` wide (context
    around a short value), at most `max_height` high, inside the page."""
    b = region.box
    x0, x1 = b.x0 - pad, b.x1 + pad
    if x1 - x0 < min_width:
        grow = (min_width - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    top, bottom = b.top - pad, min(b.bottom + pad, b.top - pad + max_height)
    return Box(max(0.0, x0), max(0.0, top), min(page.width, x1), min(page.height, bottom))
