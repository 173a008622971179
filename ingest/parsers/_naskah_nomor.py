"""A letter's or decision's number: how it is kept, whether OCR read it surely, its year.

Split from `naskah` (the parser); `ingest.second_look` uses it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ingest.layout import Word
from ingest.model import Extraction

UNREADABLE_NOMOR = ("nomor: angkanya tidak terbaca dengan yakin (tulisan tangan atau cap?); "
                    "isikan nomor dari dokumen aslinya")
# OCR confidence (0..100) below which a word holding digits is not taken as a number as it is:
# printed digits mostly read at 85 and more, a handwritten '286' read as '256' came at 65 and
# '605' as '66' at 32.  Such a number gets a second reading (`ingest.second_look`).
MIN_DIGIT_CONF = 80.0


def readable_number(words: Sequence[Word]) -> bool:
    """False when an OCR word carrying digits was read with too little confidence.

    A number is never guessed: the caller leaves the field empty and says so.  Words from a
    text layer (no confidence) count as readable; `ingest.layertrust` already refused bad layers.
    """
    return all(w.conf is None or w.conf >= MIN_DIGIT_CONF
               for w in words if any(ch.isdigit() for ch in w.text))


def format_nomor(text: str, ocr: bool = False) -> str | None:
    """A number as the archive keeps it: `286 TAHUN 2017`, else without spaces.  Read by OCR
    (`ocr`), a letter it confuses with a digit inside a run of digits is put back (`l23` -> 123,
    `2O23` -> 2023); a text layer's number is kept as printed, typos and all."""
    text = re.sub(r"^\s*:\s*", "", text)
    if ocr:
        text = re.sub(r"[\w|]+", lambda m: _digits_back(m.group(0)), text)
    spaced = re.fullmatch(r"\s*(\d+)\s*tahun\s*((?:19|20)\d\d)\s*", text, re.I)
    if spaced:
        return f"{spaced.group(1)} TAHUN {spaced.group(2)}"
    return squash([text])


_LOOKALIKE = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0", "o": "0"})


def _digits_back(piece: str) -> str:
    """A piece between separators with a real digit and otherwise only look-alike letters
    (`l23`, `2O23`) as the digits it shows; a piece with another letter (`Kep`, `II`) stays."""
    if re.search(r"\d", piece) and re.fullmatch(r"[\dIl|Oo]+", piece):
        return piece.translate(_LOOKALIKE)
    return piece


def squash(words: Iterable[str]) -> str | None:
    out = re.sub(r"\s+", "", "".join(words)).strip(".,;")
    return out if re.search(r"\d", out) else None


def year_check(result: Extraction) -> list[str]:
    """A warning when the number's year ('... TAHUN 2017', '.../2020') is not the date's year:
    one of them was misread."""
    if not (result.nomor and result.tanggal):
        return []
    m = re.search(r"(?:tahun\s*|/)((?:19|20)\d\d)$", result.nomor, re.I)
    if not m or m.group(1) == result.tanggal[:4]:
        return []
    return [f"tahun pada nomor ({m.group(1)}) tidak sama dengan tahun tanggal ({result.tanggal[:4]}): "
            "periksa nomor dan tanggalnya"]
