"""NIP (Nomor Induk Pegawai) structure check, OCR readings and the choice between readings.

An 18-digit NIP is not any number: ``YYYYMMDD`` birth date, ``YYYYMM`` start of service (TMT
CPNS), one sex digit (1 man, 2 woman) and a three-digit sequence::

    19690921 199803 1 011  ->  born 1969-09-21, CPNS March 1998, man, number 011

A reading that breaks the structure is a misreading.  OCR of a NIP line may give letters for
digits (`Oli` for `011`) or one digit too many (`196950921 ...`); `readings` lists what a line
can honestly be read as, and `choose` takes the value most readings support.  A repaired
reading (a digit dropped) is only ever taken when another reading of the same NIP confirms it:
digits are never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# letters OCR returns for digits inside a run of digits
_LOOK_ALIKE = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1",
                             "|": "1", "!": "1", "L": "1", "S": "5", "s": "5", "B": "8", "Z": "2",
                             "z": "2", "b": "6", "G": "6", "g": "9", "q": "9"})
_CHUNK_RE = re.compile(r"[\dOoDQlIi|!LSsBZzbGgq][\dOoDQlIi|!LSsBZzbGgq .,]*")
_MIN_BIRTH, _MAX_BIRTH = 1935, 2010


@dataclass(frozen=True)
class Reading:
    """One way to read a NIP line: the 18 digits and whether a digit had to be dropped."""

    nip: str
    repaired: bool = False


def problem(nip: str | None) -> str | None:
    """What breaks the structure of an 18-digit NIP, in Indonesian, or None when it holds:
    birth date (yyyymmdd), TMT as CPNS (yyyymm, 17 to 60 years after birth), sex (1 or 2),
    serial (not 000)."""
    if not nip or not re.fullmatch(r"\d{18}", nip):
        return "bukan 18 angka"
    try:
        birth = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return f"tanggal lahir {nip[:8]} tidak ada"
    if not _MIN_BIRTH <= birth.year <= _MAX_BIRTH:
        return f"tahun lahir {birth.year} tidak masuk akal"
    tmt_year, tmt_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= tmt_month <= 12 or not birth.year + 17 <= tmt_year <= birth.year + 60:
        return f"TMT {nip[8:14]} tidak cocok dengan tahun lahir {birth.year}"
    if nip[14] not in "12":
        return f"angka jenis kelamin {nip[14]} bukan 1 atau 2"
    if nip[15:18] == "000":
        return "nomor urut 000"
    return None


def structure_ok(nip: str | None) -> bool:
    """True when `nip` is 18 digits with a real birth date, a service start after the 17th
    birthday, a sex digit 1 or 2 and a sequence from 001."""
    return problem(nip) is None


def readings(text: str | None) -> list[Reading]:
    """The NIPs a line can be read as (the part after a `NIP` label, look-alike letters read as
    digits); one digit too many gives every structurally valid way to drop one, as repaired."""
    if not text:
        return []
    body = re.sub(r"^.*?\bnip\b\s*[.,:;]?\s*", "", text, count=1, flags=re.I)
    out: list[Reading] = []
    for chunk in _CHUNK_RE.findall(body):
        tokens = [t for t in re.split(r"[ .,]+", chunk) if t]
        for start, first in enumerate(tokens):
            if not any(ch.isdigit() for ch in first):
                continue
            digits = ""
            for token in tokens[start:]:
                digits += token.translate(_LOOK_ALIKE)
                if len(digits) == 18 and structure_ok(digits):
                    out.append(Reading(digits))
                    break
                if len(digits) == 19:
                    drops = {digits[:i] + digits[i + 1:] for i in range(19)}
                    out += [Reading(d, repaired=True) for d in sorted(drops) if structure_ok(d)]
                if len(digits) >= 19:
                    break
            break
    return out


def choose(all_readings: Iterable[Reading]) -> str | None:
    """The NIP the readings support best: plain readings count twice, repaired ones once, and
    a repaired value nobody else read is not taken.  None when nothing valid was read."""
    votes: Counter[str] = Counter()
    plain: set[str] = set()
    for r in all_readings:
        votes[r.nip] += 1 if r.repaired else 2
        if not r.repaired:
            plain.add(r.nip)
    ranked = [nip for nip, n in votes.most_common() if nip in plain or n >= 2]
    return ranked[0] if ranked else None


def year_mismatch(nip: str | None, year: int | None) -> bool:
    """True when a NIP's service start lies after the document's year (a misread digit)."""
    return bool(nip and year and structure_ok(nip) and int(nip[8:12]) > year)
