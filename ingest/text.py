"""Indonesian text helpers shared by every parser: dates, numbers, NIPs, lists, line joining."""

from __future__ import annotations

import difflib
import re
from datetime import date

MONTHS: dict[str, int] = {
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6,
    "juli": 7, "agustus": 8, "september": 9, "oktober": 10, "nopember": 11, "november": 11,
    "desember": 12,
    # short forms seen in tables and letters
    "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8,
    "agust": 8, "sep": 9, "sept": 9, "okt": 10, "nov": 11, "nop": 11, "des": 12,
}
MONTH_NAMES = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_RE = re.compile(
    rf"\b(?P<d>\d{{1,2}})\s*[-./ ]?\s*(?P<m>{_MONTH_RE})\.?\s*[-./ ]?\s*(?P<y>(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
NUMERIC_DATE_RE = re.compile(r"\b(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>(?:19|20)\d{2})\b")
# "Tahun 2024", "TAHUN ANGGARAN 2023": the reporting year named in a heading (group 1).
TAHUN_RE = re.compile(r"\btahun\s*(?:anggaran\s*)?((?:19|20)\d\d)\b", re.I)
NIP_RE = re.compile(r"(?<!\d)((?:\d\s?){17}\d)(?!\d)")


def clean(text: str | None) -> str | None:
    """Collapse white space; None or blank (or a lone dash) becomes None."""
    if text is None:
        return None
    out = re.sub(r"\s+", " ", text).strip()
    return out if out and out not in {"-", "–", "—"} else None


def join_lines(text: str | None) -> str:
    """Join the lines of a cell with single spaces, rejoining words hyphenated at a line end.

    A hyphen before a line break joins the halves (`pelaksa-` `naan`), except for reduplicated
    words (`masing-` `masing`), where the hyphen is part of the word and stays.
    """
    if not text:
        return ""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    out = ""
    for ln in lines:
        if not out:
            out = ln
        elif re.search(r"[A-Za-z]-$", out) and ln[:1].islower():
            head = re.search(r"(\w+)-$", out)
            word = head.group(1) if head else ""
            nxt = re.match(r"\w+", ln)
            reduplicated = bool(nxt and nxt.group(0).lower() == word.lower())
            out = out + ln if reduplicated else out[:-1] + ln
        else:
            out = out + " " + ln
    return re.sub(r"\s+", " ", out).strip()


def parse_date(text: str | None, *, fuzzy_month: bool = False) -> str | None:
    """The first Indonesian date in `text` as ISO `YYYY-MM-DD` ('16 Februari 2023', '16-02-2023').

    With `fuzzy_month` (a cell known to hold a date, read by OCR), a month name with a letter
    or two misread ('JANUARL') is accepted when day and year are clean digits and the name is
    close to one month only; nothing else is guessed.
    """
    if not text:
        return None
    m = DATE_RE.search(text)
    if m:
        month = MONTHS[m.group("m").lower()]
        return _iso(int(m.group("y")), month, int(m.group("d")))
    n = NUMERIC_DATE_RE.search(text)
    if n:
        return _iso(int(n.group("y")), int(n.group("m")), int(n.group("d")))
    return _fuzzy_month_date(text) if fuzzy_month else None


_LOOSE_DATE_RE = re.compile(r"(?<!\d)(?P<d>\d{1,2})\s*(?P<m>[A-Za-z][A-Za-z|!]{4,9})\.?\s*(?P<y>(?:19|20)\d{2})(?!\d)")
_FULL_MONTHS = {name.lower(): i + 1 for i, name in enumerate(MONTH_NAMES)} | {"pebruari": 2, "nopember": 11}
FUZZY_MONTH = 0.8  # similarity to the nearest month name
FUZZY_MARGIN = 0.1  # ... ahead of the next nearest of another month


def _fuzzy_month_date(text: str) -> str | None:
    m = _LOOSE_DATE_RE.search(text)
    if not m:
        return None
    word = re.sub(r"[|!]", "i", m.group("m").lower())
    scored = sorted(((difflib.SequenceMatcher(None, word, name).ratio(), month)
                     for name, month in _FULL_MONTHS.items()), reverse=True)
    best, month = scored[0]
    rival = max((r for r, mo in scored if mo != month), default=0.0)
    if best < FUZZY_MONTH or best - rival < FUZZY_MARGIN:
        return None
    return _iso(int(m.group("y")), month, int(m.group("d")))


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def format_date(iso: str) -> str:
    """'2026-11-21' -> '21 November 2026'."""
    d = date.fromisoformat(iso)
    return f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


_NUM_RE = re.compile(r"[-+]?\d[\d.,]*")


def parse_number(text: str | None) -> float | None:
    """A number as Indonesians print it: '1.234,56' -> 1234.56, '95,00' -> 95.0, '82.7' -> 82.7.

    Only the first number in the text counts; None when there is none.  A dot followed by exactly
    three digits (and no comma) is a thousands separator ('1.234' -> 1234), as in the documents.
    """
    if text is None:
        return None
    m = _NUM_RE.search(text.replace("\u00a0", " "))
    if not m:
        return None
    s = m.group(0).rstrip(".,")
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):  # 1.234,56
            s = s.replace(".", "").replace(",", ".")
        else:  # 1,234.56
            s = s.replace(",", "")
    elif "," in s:
        parts = s.split(",")
        s = s.replace(",", "") if len(parts) > 2 else s.replace(",", ".")
    elif s.count(".") > 1 or re.fullmatch(r"[-+]?\d{1,3}\.\d{3}", s):
        s = s.replace(".", "")
    try:
        return float(s)
    except ValueError:
        return None


def find_nip(text: str | None) -> str | None:
    """The first NIP (18 digits, printed with or without spaces) in `text`."""
    if not text:
        return None
    m = NIP_RE.search(text)
    return re.sub(r"\D", "", m.group(1)) if m else None


_ITEM_RE = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-z][.)]|[-•·▪●*])\s*")


def split_items(text: str | None) -> list[str]:
    """A numbered or bulleted list cell as items, numbers and bullets removed, lines joined.

    A cell without numbering is one item (when not empty).
    """
    if not text:
        return []
    items: list[list[str]] = []
    numbered = False
    for line in text.splitlines():
        if not line.strip():
            continue
        if _ITEM_RE.match(line):
            numbered = True
            items.append([_ITEM_RE.sub("", line, count=1)])
        elif items:
            items[-1].append(line)
        else:
            items.append([line])
    if not numbered:
        whole = join_lines(text)
        return [whole] if clean(whole) else []
    return [j for j in (join_lines("\n".join(parts)) for parts in items) if clean(j)]


def title_case_office(text: str) -> str:
    """'BADAN KEPEGAWAIAN DAN PENGEMBANGAN' -> 'Badan Kepegawaian dan Pengembangan'."""
    small = {"dan", "atau", "di", "ke", "dari", "pada", "untuk", "yang", "serta"}
    words = text.split()
    out = []
    for i, w in enumerate(words):
        lw = w.lower()
        if i and lw in small:
            out.append(lw)
        elif w.isupper() and len(w) <= 5 and not lw.isalpha():
            out.append(w)
        else:
            out.append(lw[:1].upper() + lw[1:])
    return " ".join(out)
