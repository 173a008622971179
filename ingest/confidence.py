"""Per-field confidence of an OCR'd extraction, so the UI can flag the fields to check.

What the number means: for a field read from OCR'd pages, the mean Tesseract confidence (0..1)
of the OCR words its value was read from.  The parsers do not report which words they used, so
the words are found again by text: the value's tokens are matched, in order, against the words
of the OCR'd pages (of the item's own page when it has one), and the longest such run wins.  A
date is looked for as printed (`2 Juli 2022`), a number by its digits.  A field whose words
cannot be found (fewer than half of its tokens) gets no entry: no number is better than an
invented one.  Born-digital pages have no confidence; their fields get no entry either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from ingest.layout import DocumentContent, PageContent, Word
from ingest.model import Extraction

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SKIP = {"doc_type", "scanned", "pages", "warnings", "page", "no", "unit", "value", "tahun"}
T = TypeVar("T")
MAX_GAP = 3  # OCR words that may lie between two matched tokens (splits, stray marks)


def field_confidence(extraction: Extraction, doc: DocumentContent) -> dict[str, float]:
    """Field path -> 0..1 for every field whose words were found on an OCR'd page."""
    pages = [p for p in doc.pages if p.ocr and p.words]
    if not pages:
        return {}
    by_number = {p.number: _tokens(p) for p in pages}
    everywhere = [t for p in pages for t in by_number[p.number]]
    out: dict[str, float] = {}
    for path, value, page in _fields(extraction.to_json()):
        words = by_number.get(page, everywhere) if page else everywhere
        conf = match_confidence(value_tokens(value), words)
        if conf is not None:
            out[path] = round(conf, 3)
    return out


def match_confidence(tokens: Sequence[str], words: Sequence[tuple[str, float]]) -> float | None:
    """Mean confidence of the best in-order run of `words` matching `tokens`; None if unfound."""
    if not tokens:
        return None
    best: list[float] = []
    for start, (text, _) in enumerate(words):
        if text != tokens[0] and not (len(tokens) > 1 and text == tokens[1]):
            continue
        run, _ = token_run(tokens, words, start)
        if len(run) > len(best):
            best = run
    if 2 * len(best) < len(tokens) or not best:
        return None
    return sum(best) / len(best) / 100.0


def token_run(tokens: Sequence[str], words: Sequence[tuple[str, T]], start: int,
              gap: int = MAX_GAP) -> tuple[list[T], int]:
    """What `words` carry (a confidence, a box) for `tokens` matched in order from `start`, up
    to `gap` words skipped between two matches; and the index after the last match."""
    found: list[T] = []
    i = start
    for token in tokens:
        for j in range(i, min(len(words), i + gap + 1)):
            if words[j][0] == token:
                found.append(words[j][1])
                i = j + 1
                break
    return found, i


def _fields(data: dict[str, Any], prefix: str = "", page: int | None = None) -> Iterator[tuple[str, Any, int | None]]:
    """(path, value, page) of every scalar text or number field, lists of items included."""
    page = data.get("page") if isinstance(data.get("page"), int) else page
    for key, value in data.items():
        if key in _SKIP or key.endswith("_text") or value is None or isinstance(value, bool):
            continue
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _fields(value, path + ".", page)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    yield from _fields(item, f"{path}[{i}].", page)
                elif isinstance(item, str | int | float) and not isinstance(item, bool):
                    yield f"{path}[{i}]", item, page
        elif isinstance(value, str | int | float):
            yield path, value, page


def _tokens(page: PageContent) -> list[tuple[str, float]]:
    return [(t, w.conf or 0.0) for w in page.words for t in _word_tokens(w)]


def _word_tokens(word: Word) -> list[str]:
    return [t for t in (norm(x) for x in word.text.split()) if t]


def value_tokens(value: Any) -> list[str]:
    """A value's tokens as printed (a date as `2 Juli 2022`, a number by its digits)."""
    if isinstance(value, int | float):
        return [_digits(value)]
    date = _ISO_DATE.fullmatch(str(value))
    if date:
        year, month, day = (int(x) for x in date.groups())
        text = f"{day} {MONTHS[month - 1]} {year}" if 1 <= month <= 12 else str(value)
        return [t for t in (norm(x) for x in text.split()) if t]
    return [t for t in (norm(x) for x in str(value).split()) if t]


def _digits(value: float) -> str:
    """A number as its significant digits (`1.234,50` and 1234.5 both give '12345')."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "#" + text.replace(".", "")


def norm(token: str) -> str:
    """A token for matching: case and surrounding punctuation ignored; numbers as digits."""
    t = token.casefold().strip(".,:;()[]\"'`-–—")
    if any(ch.isdigit() for ch in t) and re.fullmatch(r"[\d.,]+", t):
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?|\d+,\d+", t):  # Indonesian 1.234,56
            t = t.replace(".", "").replace(",", ".")
        try:
            return _digits(float(t))
        except ValueError:
            return t
    return t
