"""Which reading of a hand-written identity value to believe, if any (`PageContent.handwritten`).

`ingest.scan_handwriting` reads a labelled value cell that failed its shape check again, with
both engines and several crops.  Here each reading is taken apart by the value's shape and
checked, and a value is kept only when the readings that are sure enough agree:

- a date: a month name (also as OCR slips read it: `TAMUA2I`, `SANUAEI`, `Febrvart`), a day
  before it and a year after it; a digit read as its look-alike letter (`ZO2A` for 2024) needs a
  second reading to agree; of years read differently, one the document states elsewhere wins, and
  a year the document contradicts is dropped;
- a number: parts between slashes that are digits (`64`, `000.8.3.3`) or words; a word is put
  right only to a word the document itself prints (`DISK0M1INF0` -> `DISKOMINFO`; a word it does
  not print needs a second reading), and its year part must agree with the dates it prints;
- the readings agree: the most readings give it, at least two of them or one sure reading that
  no other contradicts; dates stay in order (made <= revised <= effective).

Anything else is null plus a warning that says what was read: an unreadable hand-written digit is
not guessed.  The kept value's confidence says how it was read (`confidence`).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ingest.layout import DocumentContent, HandReading
from ingest.text import MONTH_NAMES, parse_date

DATES = ("tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif")
MIN_READING = 50.0  # a reading less confident than this neither gives nor contradicts a value
SURE_READING = 80.0  # ... one at least this confident may stand alone when nothing contradicts it
MONTH_MATCH = 0.7  # similarity of a read word to a month name
MONTH_MARGIN = 0.1  # ... ahead of the next month
WORD_MATCH = 0.8  # similarity of a number's word part to a word the document prints
# letters a written digit is read as (only where a digit must stand)
_DIGIT_SLIPS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1",
                              "i": "1", "Z": "2", "z": "2", "A": "4", "S": "5", "s": "5", "b": "6",
                              "G": "6", "T": "7", "B": "8", "g": "9", "q": "9"})
# digits and signs a written letter is read as (only where a month name or a word must stand)
_LETTER_SLIPS = str.maketrans({"0": "o", "1": "i", "|": "i", "!": "i", "{": "j", "5": "s", "4": "a", "2": "r"})
_MONTHS = {name.lower(): i + 1 for i, name in enumerate(MONTH_NAMES)} | {"pebruari": 2, "nopember": 11}


@dataclass(frozen=True)
class Resolved:
    """A field's outcome: its value (None when no reading could be trusted), its confidence
    0..1 when kept, and the warning to show."""

    value: str | None
    confidence: float | None
    warning: str | None


def resolve(doc: DocumentContent, values: dict[str, str | None], warnings: list[str]) -> dict[str, float]:
    """Put the trusted hand-written readings of `doc` into `values` (replacing what the first
    reading gave and its warnings), or null the field with a warning; the confidence of each
    field read here, for `Extraction.confidence`."""
    found: dict[str, HandReading] = {}
    for page in doc.pages:
        for hand in page.handwritten:
            found.setdefault(hand.field, hand)
    # a cell where nothing sure was read (a dash under the stamp's ring) is left as it was
    found = {name: dataclasses.replace(hand, readings=distinct(hand.readings)) for name, hand in found.items()
             if any(conf >= MIN_READING and len(re.sub(r"\W", "", text)) >= 3 for _, text, conf in hand.readings)}
    if not found:
        return {}
    vocabulary = document_words(doc.text)
    out: dict[str, Resolved] = {}
    dated: dict[str, tuple[str | None, str]] = {}
    if "nomor" in found:  # checked against the years printed, not against other hand-written ones
        out["nomor"] = resolve_nomor(found["nomor"].readings, vocabulary,
                                     reference_years(values, found, dated, doc.text, "nomor"))
    number_year = year_of(out["nomor"].value) if "nomor" in out else None
    for name in (n for n in DATES if n in found):
        years = reference_years(values, found, dated, doc.text, name) | ({number_year} if number_year else set())
        dated[name] = resolve_date(found[name].readings, years)
        out[name] = _date_outcome(*dated[name], years)
    _check_order(values, out)
    confidence = {}
    for name, res in out.items():
        values[name] = res.value
        warnings[:] = [w for w in warnings if not w.startswith(f"{name}:")]
        if res.warning:
            warnings.append(f"{name}: {res.warning}")
        if res.confidence is not None:
            confidence[name] = res.confidence
    return confidence


def distinct(readings: Sequence[tuple[str, str, float]]) -> tuple[tuple[str, str, float], ...]:
    """The readings with the cell's second reading left out where it kept Tesseract's text (one
    reading, not two)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for engine, text, conf in readings:
        key = (engine.replace("second-cell", "tesseract"), re.sub(r"\s+", "", text))
        if key not in seen:
            seen.add(key)
            out.append((engine, text, conf))
    return tuple(out)


# --- dates --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DateReading:
    """One reading taken apart: day, month, year (None where unreadable) and whether the day
    or the year needed a look-alike letter read as a digit."""

    day: int | None
    month: int | None
    year: int | None
    day_slip: bool = False
    year_slip: bool = False
    conf: float = 0.0


def read_date(text: str, conf: float = 0.0) -> DateReading | None:
    """A date's parts from one reading ('2 Febrvart 2024', 'TANU ARI Z02A'); None without a month."""
    tokens = [t for t in re.split(r"[\s_,]+", text.strip()) if t]
    best: tuple[float, int, int, int] | None = None  # (score, month, first token, tokens used)
    for i in range(len(tokens)):
        for n in (1, 2):
            if len(tokens[i:i + n]) < n or (n == 2 and not all(re.search(r"[A-Za-z].*[A-Za-z]", t)
                                                                for t in tokens[i:i + 2])):
                continue  # a name split in two ('TANU ARI'), not a day and a name
            month, score = month_of(re.sub(r"^\d{1,2}(?=[A-Za-z]{4})", "", "".join(tokens[i:i + n])))
            if month and (best is None or score > best[0]):
                best = (score, month, i, n)
    if best is None:
        return None
    _, month, i, n = best
    day_text = re.match(r"^(\w{1,2})(?=[A-Za-z]{4})", tokens[i])
    before = day_text.group(1) if day_text and day_text.group(1).isdigit() else (tokens[i - 1] if i else "")
    day, day_slip = _digits(before.strip(".,:;'\""), 1, 31)
    rest = [t for t in (t.strip(".,;:'\"-") for t in tokens[i + n:]) if t]
    year_text = rest[0] if rest else ""
    if len(year_text) == 2 and len(rest) > 1 and len(rest[1]) == 2:
        year_text += rest[1]  # '20 24'
    year, year_slip = _digits(year_text, 1900, 2099)
    return DateReading(day, month, year, day_slip, year_slip, conf)


def month_of(word: str) -> tuple[int | None, float]:
    """The month a read word names (also as OCR slips read a written name), and how close."""
    raw = re.sub(r"[^\w{|!]", "", word).lower()
    if len(raw) < 3:
        return None, 0.0
    variants = {raw, raw.translate(_LETTER_SLIPS), raw.translate(_LETTER_SLIPS).replace("h", "n")}
    scored = sorted(((max(difflib.SequenceMatcher(None, v, name).ratio() for v in variants), month)
                     for name, month in _MONTHS.items()), reverse=True)
    score, month = scored[0]
    rival = max((s for s, m in scored if m != month), default=0.0)
    return (month, score) if score >= MONTH_MATCH and score - rival >= MONTH_MARGIN else (None, score)


def _digits(text: str, low: int, high: int) -> tuple[int | None, bool]:
    """A number in [low, high] read from `text` with look-alike letters as digits (at least one
    real digit must be there), and whether a letter was needed."""
    mapped = text.translate(_DIGIT_SLIPS)
    if not text or not mapped.isdigit() or not any(ch.isdigit() for ch in text):
        return None, False
    value = int(mapped)
    return (value, mapped != text) if low <= value <= high else (None, False)


def resolve_date(readings: Sequence[tuple[str, str, float]], years: Collection[int] = ()) -> tuple[str | None, str]:
    """The date the readings agree on (ISO), or None and what was missing; of years read
    differently, those the document states elsewhere (`years`) are believed."""
    parsed = [d for _, text, conf in readings if conf >= MIN_READING
              for d in [read_date(text, conf)] if d is not None]
    if not parsed:
        return None, "tidak ada bacaan yang memuat nama bulan"
    month = _agreed([(d.month, False, d.conf) for d in parsed])
    if month is None:
        return None, "nama bulannya tidak terbaca dengan pasti"
    same = [d for d in parsed if d.month == month]
    year_votes = [(d.year, d.year_slip, d.conf) for d in same if d.year is not None]
    if any(y in years for y, _, _ in year_votes):
        year_votes = [v for v in year_votes if v[0] in years]
    year = _agreed(year_votes)
    day = _agreed([(d.day, d.day_slip, d.conf) for d in same if d.day is not None])
    if day is None:
        return None, "angka harinya tidak terbaca"
    if year is None:
        return None, "angka tahunnya tidak terbaca"
    iso = parse_date(f"{day}-{month:02d}-{year}")
    return (iso, "") if iso else (None, "tanggalnya tidak ada di kalender")


def _agreed(votes: Sequence[tuple[int | None, bool, float]]) -> int | None:
    """The value the readings agree on: given most often and by at least two readings, or by
    one sure reading read without a look-alike letter; never when another value is given as
    often, nor when a sure reading without a look-alike letter gives another."""
    counts = Counter(v for v, _, _ in votes if v is not None)
    if not counts:
        return None
    ranked = counts.most_common()
    value, n = ranked[0]
    if len(ranked) > 1 and ranked[1][1] * 2 > n:
        return None  # readings that contradict each other
    if any(v != value and not slip and conf >= SURE_READING for v, slip, conf in votes):
        return None  # a clear reading of another value
    if n >= 2:
        return value
    return value if any(v == value and not slip and conf >= SURE_READING for v, slip, conf in votes) else None


def reference_years(values: dict[str, str | None], found: dict[str, HandReading],
                    dated: dict[str, tuple[str | None, str]], text: str, field: str) -> set[int]:
    """Years the document states outside `field`: dates not read here, the other dates agreed
    here, the year of a number not read here, the full dates printed on its pages (a signature's)."""
    years = {int(d[:4]) for name, (d, _) in dated.items() if d and name != field}
    years |= {int(v[:4]) for name in DATES if name not in found for v in [values.get(name)] if v}
    if "nomor" not in found:
        years |= {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)$", values.get("nomor") or "")}
    for m in re.finditer(r"\b\d{1,2}\s+[A-Za-z]{3,9}\s+((?:19|20)\d\d)\b", text):
        if parse_date(m.group(0)):
            years.add(int(m.group(1)))
    return years


def year_of(nomor: str | None) -> int | None:
    """The year a number ends with ('64/DISKOMINFO/2024' -> 2024)."""
    m = re.search(r"(?:^|/)((?:19|20)\d\d)$", nomor or "")
    return int(m.group(1)) if m else None


def _date_outcome(date: str | None, why: str, years: set[int]) -> Resolved:
    if date is None:
        return Resolved(None, None, f"tulisan tangan tidak terbaca dengan pasti: {why}; isi dari dokumen")
    year = int(date[:4])
    if years and year not in years and len(years) <= 3:
        return Resolved(None, None, f"bacaan tulisan tangan {date} tidak sesuai tahun lain dokumen "
                                    f"({', '.join(map(str, sorted(years)))}); isi dari dokumen")
    return Resolved(date, 0.8 if year in years else 0.6, None)


def _check_order(values: dict[str, str | None], out: dict[str, Resolved]) -> None:
    """A date read here out of order with another (made <= revised <= effective) is dropped."""
    dates = [(n, out[n].value if n in out else values.get(n)) for n in DATES]
    known = [(n, d) for n, d in dates if d]
    for (a, da), (b, db) in zip(known, known[1:], strict=False):
        if da and db and da > db:
            for name in (a, b):
                if name in out:
                    out[name] = Resolved(None, None, f"bacaan tulisan tangan {out[name].value} tidak urut dengan "
                                                     "tanggal lain (pembuatan <= revisi <= efektif); isi dari dokumen")


# --- numbers ------------------------------------------------------------------------------------
def document_words(text: str) -> set[str]:
    """The upper-case words (three letters or more) the document prints, for a number's word parts."""
    return {w.upper() for w in re.findall(r"[A-Za-z][A-Za-z.\-]{2,}", text)}


def read_nomor(text: str, vocabulary: set[str]) -> tuple[str, bool] | None:
    """A number's reading put in shape ('6A/DISKOMINFOZ 2024' -> '64/DISKOMINFO/2024') and whether
    a look-alike letter, or a word the document does not print, was needed; None when a part is
    neither digits nor a word."""
    parts = [p for p in re.split(r"[/\s]+", text.strip().strip(".,;:|'\"")) if p.strip(".,;:|-_")]
    if len(parts) < 2:
        return None
    out, slipped = [], False
    for part in parts:
        part = part.strip(",;:|'\"_")
        mapped = part.translate(_DIGIT_SLIPS)
        if any(ch.isdigit() for ch in part) and re.fullmatch(r"\d[\d.\-]*", mapped) and \
                sum(ch.isdigit() for ch in part) * 2 >= len(part.replace(".", "")):
            out.append(mapped)
            slipped |= mapped != part
            continue
        word = _word(part, vocabulary)
        if word is None:
            return None
        out.append(word)
        slipped |= word not in vocabulary  # a word the document prints nowhere else needs two readings
    return "/".join(out), slipped


def _word(part: str, vocabulary: set[str]) -> str | None:
    """A number's word part: as printed in the document when it is close to a word there (also
    with a written N read as H), else as read when it is letters only (with dots and hyphens)."""
    letters = part.translate(_LETTER_SLIPS).upper().rstrip(".")
    for variant in dict.fromkeys((letters, letters.replace("H", "N"))):
        if variant in vocabulary:
            return variant
        close = difflib.get_close_matches(variant, vocabulary, n=2, cutoff=WORD_MATCH)
        if len(close) == 1 or (close and difflib.SequenceMatcher(None, variant, close[0]).ratio() >= 0.95):
            return close[0]
    if re.fullmatch(r"[A-Z][A-Z.\-]*", part.upper().rstrip(".")):
        return part.upper().rstrip(".")
    return None


def resolve_nomor(readings: Sequence[tuple[str, str, float]], vocabulary: set[str], years: set[int]) -> Resolved:
    """The number the readings agree on, its year checked against the document's years."""
    shaped = [(r, conf) for _, text, conf in readings if conf >= MIN_READING
              for r in [read_nomor(text, vocabulary)] if r is not None]
    votes = [(r[0], r[1], conf) for r, conf in shaped]
    ids = {v: i for i, v in enumerate(dict.fromkeys(v for v, _, _ in votes))}
    agreed = _agreed([(ids[v], slip, conf) for v, slip, conf in votes])
    if agreed is None:
        read = "; ".join(dict.fromkeys(t for _, t, _ in readings if t.strip())) or "-"
        return Resolved(None, None, f"tulisan tangan tidak terbaca dengan pasti (terbaca: {read[:120]}); "
                                    "isi nomor dari dokumen")
    nomor = next(v for v, i in ids.items() if i == agreed)
    year = year_of(nomor)
    if year and years and year not in years:
        return Resolved(None, None, f"bacaan tulisan tangan {nomor} tidak sesuai tahun tanggal dokumen "
                                    f"({', '.join(map(str, sorted(years)))}); isi nomor dari dokumen")
    n = sum(1 for v, _, _ in votes if v == nomor)
    return Resolved(nomor, 0.8 if n >= 2 else 0.6, None)
