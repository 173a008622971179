"""The Waktu cell of an SOP step: '15 menit', '2 jam', 'Paling lambat 17 hari kerja', '15'', '30'."""

from __future__ import annotations

import difflib
import re

from ingest.model import Waktu, WaktuUnit
from ingest.text import clean, join_lines

# Unit words as offices print them; the key is the schema unit.
_UNITS: dict[WaktuUnit, str] = {
    "menit": r"menit|mnt|min(?:ute)?s?|m|'|’|′",
    "jam": r"jam|j|hours?",
    "hari": r"hari(?:kerja)?|hr|days?",  # 'harikerja': words run together in a sheet
    "minggu": r"minggu|pekan|weeks?",
    "bulan": r"bulan|bln|months?",
}
_NUMBER = r"(?P<n>\d+(?:[.,]\d+)?)"
# A number may be spelled out after it: '7 (tujuh) hari', '14 (empat belas) hari kerja'.
_SPELLED = r"(?:\s*\([a-z ]{3,30}\))?"
_QUANTITY = re.compile(
    _NUMBER + _SPELLED + r"\s*(?P<u>" + "|".join(f"(?:{p})" for p in _UNITS.values()) + r")(?![a-z])",
    re.IGNORECASE,
)
_BARE = re.compile(r"^\s*" + _NUMBER + r"\s*$")
_NUMBER_WORD = re.compile(r"^\s*" + _NUMBER + r"\s*(?P<w>[A-Za-z]{3,7})\.?\s*$")
_UNIT_WORDS: tuple[WaktuUnit, ...] = ("menit", "hari", "minggu", "bulan")


def header_unit(header: str) -> WaktuUnit:
    """The unit a bare number means under this Waktu header ('Waktu (jam)' -> jam; else menit)."""
    low = header.lower()
    units: tuple[WaktuUnit, ...] = ("jam", "hari", "minggu", "bulan")
    for unit in units:
        if re.search(rf"\b{unit}\b", low):
            return unit
    return "menit"


def parse_waktu(text: str | None, bare_unit: WaktuUnit = "menit") -> Waktu | None:
    """A Waktu from a cell: value and unit for a quantity, text only for a condition; None when blank."""
    printed = clean(join_lines(text))
    if printed is None:
        return None
    bare = _BARE.match(printed)
    if bare:
        return Waktu(text=printed, value=_number(bare.group("n")), unit=bare_unit)
    m = _QUANTITY.search(printed)
    if m is None:
        return _misread_quantity(printed)
    return Waktu(text=printed, value=_number(m.group("n")), unit=_unit_of(m.group("u")))


def _misread_quantity(printed: str) -> Waktu:
    """'30 Merut' (OCR of '30 Menit'): a number and one word that reads like a unit."""
    m = _NUMBER_WORD.match(printed)
    if m:
        word = m.group("w").lower()
        for unit in _UNIT_WORDS:
            if word[0] == unit[0] and difflib.SequenceMatcher(None, word, unit).ratio() >= 0.6:
                return Waktu(text=printed, value=_number(m.group("n")), unit=unit)
    return Waktu(text=printed)


def _unit_of(word: str) -> WaktuUnit:
    for unit, pattern in _UNITS.items():
        if re.fullmatch(pattern, word, re.IGNORECASE):
            return unit
    return "menit"


def _number(text: str) -> float:
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value
