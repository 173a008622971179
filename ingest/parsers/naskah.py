"""Letters (surat) and decisions (keputusan): number, date, subject, addressee, office, lampiran.

Letters are laid out in two columns at the top: the labels `Nomor : / Sifat : / Lampiran : /
Hal :` on the left and the addressee block (`Kepada Yth. ...`, `di - Tempat`) on the right, so
the page is read as lines of positioned words and split at the x where the right column starts.
A decision has a centred heading `KEPUTUSAN ... / NOMOR ... / TENTANG / <title>`, a signature
date (`Pada tanggal ...`) and often a lampiran whose header repeats the date and whose table
carries the performance indicators.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ingest.classify import score_types
from ingest.layout import DocumentContent, PageContent, Word
from ingest.model import DocType, Extraction
from ingest.parsers._naskah_lampiran import lampiran_indicators
from ingest.parsers._naskah_lines import Line, group_words, page_lines
from ingest.parsers._naskah_nomor import (
    MIN_DIGIT_CONF,
    UNREADABLE_NOMOR,
    format_nomor,
    readable_number,
    year_check,
)
from ingest.parsers.indicators import find_office, pemerintah_of
from ingest.text import DATE_RE, clean, join_lines, parse_date, title_case_office

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Entry point


def parse(doc: DocumentContent) -> Extraction:
    """Read a letter or a decision; `doc_type` says which one was detected."""
    if not doc.pages:
        return Extraction(doc_type="surat", warnings=("dokumen tidak memiliki halaman",))
    kind = detect_type(doc)
    pemerintah, instansi = read_kop(doc.pages[0])
    result = parse_keputusan(doc) if kind == "keputusan" else parse_surat(doc)
    result = result.replace(
        pemerintah=pemerintah or result.pemerintah, instansi=instansi or result.instansi
    )
    years = year_check(result)
    caps = {"nomor": 0.3, "tanggal": 0.3} if years else {}
    return result.replace(warnings=(*result.warnings, *years, *_missing(result)),
                          confidence={**result.confidence, **caps})





def detect_type(doc: DocumentContent) -> DocType:
    """'keputusan' when the decision cues outweigh the letter cues, else 'surat'."""
    scores = score_types("\n".join(p.text for p in doc.pages[:3]))
    return "keputusan" if scores["keputusan"] > scores["surat"] else "surat"


def _missing(result: Extraction) -> Iterable[str]:
    fields = ["nomor", "tanggal", "perihal", "instansi"]
    if result.doc_type == "surat":
        fields.append("kepada")
    for name in fields:
        if name == "nomor" and UNREADABLE_NOMOR in result.warnings:
            continue  # already said: found, but not readable
        if getattr(result, name) is None:
            yield f"{name}: tidak ditemukan"


# ---------------------------------------------------------------------------------------------
# Letterhead (kop)

_PEMERINTAH_RE = re.compile(r"^\s*PEMERINTAH\s+(?:DAERAH\s+)?(?P<region>.+)$", re.I)
_CONTACT_RE = re.compile(
    r"^\s*(jl|jln|jalan|alamat|komplek|kompleks|kawasan|gedung|telp|telepon|fax|faks|website|"
    r"laman|e-?mail|surel|kode\s+pos)\b|\d|@|www\.|https?:",
    re.I,
)


def read_kop(page: PageContent) -> tuple[str | None, str | None]:
    """(pemerintah, instansi) from the letterhead: `PEMERINTAH <region>` then the office lines.

    Without a `PEMERINTAH` line, an office heading that names its own region (`DINAS KESEHATAN
    / KOTA SAMARINDA`) is used.
    """
    lines = [ln for ln in page_lines(page) if ln.top < 0.3 * page.height][:12]
    for i, line in enumerate(lines):
        m = _PEMERINTAH_RE.match(line.text)
        if not m or not _is_upper(line.text):
            continue
        region = title_case_office(clean(m.group("region")) or "")
        office_lines = []
        for nxt in lines[i + 1 :]:
            if _CONTACT_RE.search(nxt.text) or not _is_upper(nxt.text):
                break
            office_lines.append(nxt.text)
        office = title_case_office(" ".join(office_lines)) if office_lines else None
        return f"Pemerintah {region}", _with_region(office, region)
    heading = [ln.text for ln in lines if _is_upper(ln.text) and not _CONTACT_RE.search(ln.text)]
    head = next((g for g in map(region_government, heading[:3]) if g), None)
    if head:  # the kop of a regional head: `BUPATI X` alone under the emblem
        return head, head
    office = find_office(heading)
    if office and not re.search(r"\b(provinsi|kabupaten|kota)\b", office, re.I):
        return None, None
    return pemerintah_of(office), office


def _with_region(office: str | None, region: str) -> str | None:
    if not office:
        return None
    if region.lower() in office.lower():
        return office
    return f"{office} {region}"


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


# ---------------------------------------------------------------------------------------------
# Letters

_LABELS = {
    "nomor": "nomor",
    "no": "nomor",
    "sifat": "sifat",
    "lampiran": "lampiran",
    "lamp": "lampiran",
    "hal": "perihal",
    "perihal": "perihal",
    # labels of a nota dinas head: they end an addressee read in the left column
    "dari": "dari",
    "tanggal": "tanggal",
    "kepada": "kepada",
}
_HEAD_LABELS = ("nomor", "sifat", "lampiran", "perihal")


def _ocr_label(word: str) -> str:
    """The label an OCR'd word of five letters or more reads as, one letter off ('n0mor' ->
    'nomor', 'perlhal' -> 'perihal'); else the word itself."""
    if len(word) < 5:
        return word
    best = max(_LABELS, key=lambda k: difflib.SequenceMatcher(None, word, k).ratio())
    return best if len(best) >= 5 and difflib.SequenceMatcher(None, word, best).ratio() >= 0.8 else word
_PLACE_DATE_RE = re.compile(
    rf"^(?-i:[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){{0,2}})\s*,\s*{DATE_RE.pattern}", re.I
)

_DAY_RE = re.compile(r"^(senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)\b", re.I)


@dataclass(frozen=True)
class _Label:
    name: str
    index: int  # index of the line in the page's lines
    value: tuple[Word, ...]  # the words after the colon (all columns)


def parse_surat(doc: DocumentContent) -> Extraction:
    """Nomor, tanggal, perihal and kepada of a letter (its first page holds them)."""
    page = doc.pages[0]
    lines = page_lines(page)
    labels = find_labels(lines, page.height)
    split = column_split(lines, labels, page.width)
    nomor, warnings = None, []
    if "nomor" in labels:
        value = left_column(labels["nomor"].value, split)
        nomor = format_nomor(" ".join(w.text for w in value), _ocr(value)) if readable_number(value) else None
        if value and not readable_number(value):
            warnings.append(UNREADABLE_NOMOR)
    perihal = label_block(lines, labels["perihal"], labels, split) if "perihal" in labels else None
    return Extraction(
        doc_type="surat",
        nomor=nomor,
        tanggal=letter_date(doc),
        perihal=perihal,
        kepada=addressee(lines, split, page.height),
        warnings=tuple(warnings),
    )


def find_labels(lines: Sequence[Line], page_height: float) -> dict[str, _Label]:
    """The first `Nomor : / Sifat : / Lampiran : / Hal :` line of each kind in the top half."""
    out: dict[str, _Label] = {}
    for i, line in enumerate(lines):
        if line.top > 0.55 * page_height:
            break
        found = _label_of(line)
        if found and found[0] in _HEAD_LABELS and found[0] not in out:
            out[found[0]] = _Label(found[0], i, found[1])
    return out


def _label_of(line: Line) -> tuple[str, tuple[Word, ...]] | None:
    head = line.words[0].text
    m = re.match(r"^([A-Za-z0-9]+)\.?\s*([:;]?)(.*)$", head)
    if not m:
        return None
    key = m.group(1).lower()
    if key not in _LABELS and line.words[0].conf is not None:
        key = _ocr_label(key)  # OCR slips on a label word ('N0mor', 'Perlhal')
    if key not in _LABELS:
        return None
    name = _LABELS[key]
    rest = list(line.words[1:])
    if m.group(2):  # 'Nomor:' or 'Nomor:046/1177' (OCR reads the colon as ';' too)
        tail = m.group(3)
    elif rest and rest[0].text[:1] in ":;":
        tail = rest.pop(0).text[1:]
    else:
        return None
    value = ([Word(tail, line.words[0].box)] if tail else []) + rest
    return name, tuple(value)


def column_split(lines: Sequence[Line], labels: dict[str, _Label], width: float) -> float:
    """The x where the right column (date, `Kepada`, addressee) starts; `width` when none."""
    last = max((lb.index for lb in labels.values()), default=-1)
    anchors: list[float] = []
    for line in lines[: last + 3] if last >= 0 else lines[:25]:
        for j, w in enumerate(line.words):
            if re.match(r"^(kepada|yth\b)", w.text, re.I) and j > 0:
                anchors.append(w.box.x0)
        place = place_date_at(line)
        if place is not None:
            anchors.append(line.words[place[0]].box.x0)
    right = [x for x in anchors if x > 0.35 * width]
    return min(right) - 2 if right else width


def place_date_at(line: Line) -> tuple[int, str] | None:
    """(index of the place word, ISO date) for a `Semarang, 21 Juni 2022` inside `line`."""
    words = line.words
    for i in range(len(words)):
        text = " ".join(w.text for w in words[i : i + 7])
        m = _PLACE_DATE_RE.match(text)
        if m and not _DAY_RE.match(text):
            iso = parse_date(m.group(0))
            if iso:
                return i, iso
    return None


def letter_date(doc: DocumentContent) -> str | None:
    """The date of the `Place, 21 Juni 2022` line (first page first), else a `Tanggal :` label
    of a nota dinas head."""
    for page in doc.pages:
        for line in page_lines(page):
            found = place_date_at(line)
            if found:
                return found[1]
    for line in page_lines(doc.pages[0]):
        label = _label_of(line)
        if label and label[0] == "tanggal":
            return parse_date(" ".join(w.text for w in label[1]))
    return None


def left_column(words: Sequence[Word], split: float) -> list[Word]:
    """The words before the right column: a line stops at the first word at or past `split`
    that is set apart by a column gap, so a long value that runs on across the split stays."""
    out: list[Word] = []
    for w in words:
        gap = w.box.x0 - out[-1].box.x1 if out else float("inf")
        if w.box.x0 >= split - 2 and gap >= _COLUMN_GAP:
            break
        out.append(w)
    return out


_COLUMN_GAP = 8.0


def label_block(
    lines: Sequence[Line], label: _Label, labels: dict[str, _Label], split: float
) -> str | None:
    """The value of a label with its wrapped lines, read in the left column only."""
    first = left_column(label.value, split)
    if not first:
        return None
    value_x = first[0].box.x0
    parts = [" ".join(w.text for w in first)]
    last_bottom, height = lines[label.index].bottom, lines[label.index].height
    label_rows = {lb.index for lb in labels.values()}
    for i in range(label.index + 1, len(lines)):
        kept = left_column(lines[i].words, split)
        if not kept:
            continue
        left = Line(tuple(kept))
        if i in label_rows or left.x0 < value_x - 4 or left.top - last_bottom > 1.5 * height:
            break
        parts.append(left.text)
        last_bottom = left.bottom
    return clean(join_lines("\n".join(parts)))


_ADDRESS_RE = re.compile(
    r"^\s*(jl|jln|jalan|alamat)\b\.?|\b(blok|kav|rt|rw|kode\s+pos|telp)\b\.?|\bno\.?\s*\d|\b\d{5}\b",
    re.I,
)
_PLACE_WORD_RE = re.compile(
    r"^\s*(kantor|gedung|komplek|kompleks|kawasan|graha|wisma|menara|perkantoran)\b", re.I
)


def addressee(lines: Sequence[Line], split: float, page_height: float) -> str | None:
    """The addressee after `Yth.` up to the street address or `di <place>` / `di - Tempat`.

    In a right column the rows beside it (labels and their values) are ignored; in the left
    column (`Kepada : Yth. ...` as a label of a nota dinas) the next label row ends it.
    """
    start = _yth_position(lines, page_height)
    if start is None:
        return None
    index, anchor_x = start
    in_left_column = anchor_x < split - 10
    texts: list[str] = []
    last: Line | None = None
    for full in lines[index:]:
        line = full.part(lo=anchor_x - 3)
        if line is None:
            continue
        text = _strip_salutation(line.text) if last is None else line.text
        if last is not None and (
            line.top - last.bottom > 1.6 * line.height
            or _ends_block(text)
            or (in_left_column and _label_of(full) is not None)
        ):
            break
        if texts and _is_address(text):
            break
        if text:
            texts.append(text)
        last = line
    return clean(join_lines("\n".join(texts))) if texts else None


def _yth_position(lines: Sequence[Line], page_height: float) -> tuple[int, float] | None:
    """(line index, x) of the first `Yth` (or `Kepada` without one) in the top half."""
    kepada: tuple[int, float] | None = None
    for i, line in enumerate(lines):
        if line.top > 0.55 * page_height:
            break
        for w in line.words:
            if re.match(r"^yth\b", w.text, re.I):
                x = kepada[1] if kepada and kepada[0] >= i - 1 else w.box.x0
                return i, min(x, w.box.x0)
            if re.match(r"^kepada\b", w.text, re.I) and kepada is None:
                kepada = (i, w.box.x0)
    return kepada


def _strip_salutation(text: str) -> str:
    return re.sub(r"^\s*(kepada\s*)?:?\s*(yth\.?|yang\s+terhormat)?\s*:?\s*", "", text, flags=re.I)


def _ends_block(text: str) -> bool:
    if re.match(r"^\s*di\b(?!\s+lingkungan)", text, re.I):
        return True
    return bool(re.match(r"^\s*(tempat|dengan\s+hormat|assalamu)", text, re.I))


def _is_address(text: str) -> bool:
    if _ADDRESS_RE.search(text):
        return True
    return bool(_PLACE_WORD_RE.match(text) and re.search(r"\d", text))





# ---------------------------------------------------------------------------------------------
# Decisions

_TITLE_STOP_RE = re.compile(r"^\s*(dengan\s+rahmat|menimbang|bahwa|mengingat)\b", re.I)


def parse_keputusan(doc: DocumentContent) -> Extraction:
    """Nomor, tentang-title, date and (from a lampiran) indicators of a decision."""
    lines = page_lines(doc.pages[0])
    head = _heading_index(lines)
    nomor, unreadable = _heading_nomor(lines[head:])
    perihal = _tentang(lines[head:])
    tahun = re.search(r"\btahun\s+((?:19|20)\d{2})\b", perihal or "", re.I)
    return Extraction(
        doc_type="keputusan",
        nomor=nomor,
        tanggal=decision_date(doc),
        perihal=perihal,
        tahun=int(tahun.group(1)) if tahun else None,
        instansi=_instansi_from_heading(lines[head].text if lines else ""),
        indicators=lampiran_indicators(doc),
        warnings=(UNREADABLE_NOMOR,) if unreadable else (),
    )


def _heading_index(lines: Sequence[Line]) -> int:
    """The index of the `KEPUTUSAN ...` heading line (also as OCR slips on it: `KEPUTUSAM`), else 0."""
    for i, line in enumerate(lines):
        first = line.words[0].text.lower().strip(" :.")
        if first == "keputusan" or (len(first) == 9 and
                                    difflib.SequenceMatcher(None, first, "keputusan").ratio() >= 0.85):
            return i
    return 0


def _heading_nomor(lines: Sequence[Line]) -> tuple[str | None, bool]:
    """The number of the `NOMOR ...` heading line, and whether its digits were unreadable."""
    words = _heading_nomor_words(lines)
    if words is None:
        return None, False
    if not readable_number(words):
        log.info("nomor %r: digits read with little confidence, left empty", [w.text for w in words])
        return None, True
    return format_nomor(" ".join(w.text for w in words), _ocr(words)), False


def _ocr(words: Sequence[Word]) -> bool:
    """Words OCR read (they carry a confidence; a text layer's do not)."""
    return any(w.conf is not None for w in words)


def _heading_nomor_words(lines: Sequence[Line]) -> list[Word] | None:
    """The words of the number in the heading: after `NOMOR` (also as OCR slips on it:
    `N0MOR`, `NOMQR`, `Nomer`), or on the line under a `NOMOR :` standing alone."""
    for k, line in enumerate(lines[:6]):
        first = line.words[0].text
        label, _, attached = first.partition(":")  # 'NOMOR:286'
        if not _is_nomor_label(label):
            continue
        words = list(line.words[1:])
        if attached:
            words.insert(0, Word(attached, line.words[0].box, line.words[0].conf))
        if words and all(w.text.strip() == ":" for w in words) or not words:
            below = lines[k + 1] if k + 1 < len(lines) else None
            if below is not None and re.search(r"\d", below.text) and below.top - line.bottom < 2 * line.height:
                return list(below.words)
            continue
        return words
    return None


def _is_nomor_label(word: str) -> bool:
    """`NOMOR` / `Nomor` / `No.` as printed, or as OCR slips on it (one letter off)."""
    norm = word.strip(" :.").lower()
    if norm in ("nomor", "no"):
        return True
    return len(norm) == 5 and norm[0] == "n" and difflib.SequenceMatcher(None, norm, "nomor").ratio() >= 0.6





def nomor_words(doc: DocumentContent) -> list[Word]:
    """The words of the first page the number is read from (heading or `Nomor :` label)."""
    if not doc.pages:
        return []
    page = doc.pages[0]
    lines = page_lines(page)
    if detect_type(doc) == "keputusan":
        return _heading_nomor_words(lines[_heading_index(lines):]) or []
    labels = find_labels(lines, page.height)
    if "nomor" not in labels:
        return []
    return left_column(labels["nomor"].value, column_split(lines, labels, page.width))





def _tentang(lines: Sequence[Line]) -> str | None:
    """The title after `TENTANG`, its lines joined, up to the official's line or the preamble."""
    start = next(
        (i for i, ln in enumerate(lines[:10]) if re.match(r"^\s*tentang\b", ln.text, re.I)), None
    )
    if start is None:
        return None
    parts = [re.sub(r"^\s*tentang\s*:?\s*", "", lines[start].text, flags=re.I)]
    last = lines[start]
    for line in lines[start + 1 : start + 8]:
        text = line.text
        # a TENTANG standing alone may be set further above the title than the title's lines
        gap = 3.0 if not any(parts) else 1.6
        if line.top - last.bottom > gap * line.height or _TITLE_STOP_RE.match(text):
            break
        if text.rstrip().endswith(",") and parts[-1:] != [""]:
            break
        parts.append(text)
        last = line
    title = clean(join_lines("\n".join(p for p in parts if p)))
    if title and _is_upper(title):
        title = title_case_office(title)
    return title


def _instansi_from_heading(text: str) -> str | None:
    """Fallback office from `KEPUTUSAN KEPALA DINAS X KABUPATEN Y` when there is no letterhead."""
    m = re.match(r"^\s*keputusan\s+(?:kepala\s+)?(.+)$", text, re.I)
    if not m:
        return None
    office = re.sub(r"^inspektur\b", "Inspektorat", m.group(1).strip(), flags=re.I)
    if _REGION_HEAD_RE.match(office):
        return region_government(office)
    return title_case_office(office)


_REGION_HEAD_RE = re.compile(r"^\s*(?P<head>bupati|wali\s*kota|gubernur)\s+(?P<region>[^,]+?)\s*,?\s*$", re.I)
_HEAD_REGION = {"bupati": "Kabupaten", "walikota": "Kota", "gubernur": "Provinsi"}


def region_government(text: str) -> str | None:
    """`Pemerintah Kabupaten X` for `BUPATI X` (a regional head's decision or letter is issued
    by the regional government: its kop is the head's title, with no office under it);
    `WALIKOTA X` -> Kota, `GUBERNUR X` -> Provinsi.  None for any other line."""
    m = _REGION_HEAD_RE.match(text)
    if not m:
        return None
    kind = _HEAD_REGION[re.sub(r"\s+", "", m.group("head").lower())]
    region = title_case_office(clean(m.group("region")) or "")
    return f"Pemerintah {kind} {region}" if region else None


_SIGNED_DATE_RE = re.compile(r"\b(?:pada\s+)?tanggal\b\s*:?\s*(.*)$", re.I)


def decision_date(doc: DocumentContent) -> str | None:
    """`Pada tanggal 17 Januari 2020` at the signature; else a lampiran's `TANGGAL : ...`."""
    signed: list[str] = []
    lampiran: list[str] = []
    for page in doc.pages:
        for line in page_lines(page):
            text = line.text
            if re.match(r"^\s*(ditetapkan\b.*\b)?pada\s+tanggal\b", text, re.I):
                signed.append(text)
            elif re.match(r"^\s*tanggal\s*:", text, re.I):
                lampiran.append(text)
    for text in signed + lampiran:
        m = _SIGNED_DATE_RE.search(text)
        iso = parse_date(m.group(1)) if m else None
        if iso:
            return iso
    return None


__all__ = ["MIN_DIGIT_CONF", "UNREADABLE_NOMOR", "Line", "format_nomor", "group_words",
           "lampiran_indicators", "nomor_words", "page_lines", "parse", "readable_number"]
