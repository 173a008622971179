"""LKjIP / LAKIP (Laporan Kinerja Instansi Pemerintah): cover metadata, pengesahan, main measurement table.

Only the table that compares the reporting year's target with its realisasi is read as indicators
(`No | Sasaran | Indikator | Satuan | Target | Realisasi | Capaian`), chosen among the ruled and
the text-aligned tables by `measurement.measurement_table`; other tables of the report
(the executive summary's, comparisons with earlier years, budgets, staff) are not indicators.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

from ingest.layout import DocumentContent, PageContent, Word
from ingest.model import Extraction, Official
from ingest.parsers._aligned_rows import page_lines
from ingest.parsers.aligned import aligned_tables
from ingest.parsers.indicators import find_office, pemerintah_of
from ingest.parsers.measurement import doubted_fields, measurement_table
from ingest.parsers.signatory import is_place_date, read_signature
from ingest.text import TAHUN_RE, parse_date, title_case_office

log = logging.getLogger(__name__)

_TITLE_START_RE = re.compile(r"^\s*(laporan\s+(akuntabilitas\s+)?kinerja|lakip\b|lkjip\b)", re.I)
_COVER_PAGES = 3
_SIGN_PAGES = 8


def parse(doc: DocumentContent) -> Extraction:
    """Read an LKjIP: title, instansi, pemerintah, tahun, pengesahan and the main indicator table."""
    warnings: list[str] = []
    title, cover_lines = _cover(doc)
    if title is None:
        title = _footer_title(doc)
        if title:
            warnings.append("judul sampul tidak terbaca: judul diambil dari catatan kaki halaman")
        elif title := _title_in_text(doc):
            warnings.append("judul sampul tidak terbaca: judul diambil dari teks kata pengantar")
        else:
            warnings.append("judul tidak ditemukan: halaman sampul tidak berisi teks yang terbaca")
    tahun = _year(title) or _most_common_year(doc)
    instansi = _cover_office(doc, cover_lines) or _office_in_text(doc)
    if instansi is None:
        warnings.append("instansi tidak ditemukan di halaman sampul")
    tanggal, signer = _pengesahan(doc)
    indicators, checks = measurement_table(doc, tahun, aligned_tables)
    warnings += checks
    if not indicators:
        warnings.append("tabel pengukuran kinerja (target dan realisasi) tidak ditemukan")
    return Extraction(
        doc_type="lkjip", title=title, tahun=tahun, instansi=instansi,
        pemerintah=pemerintah_of(instansi, cover_lines), tanggal_pengesahan=tanggal,
        disahkan_oleh=signer, indicators=tuple(indicators), warnings=tuple(warnings),
        confidence=doubted_fields(indicators),
    )


# --- cover -----------------------------------------------------------------------------------

def _cover(doc: DocumentContent) -> tuple[str | None, list[str]]:
    """The cover's title and its lines.  A title running on with the office into one paragraph
    ('LAPORAN KINERJA ... (LKjIP) DINAS ... PROVINSI X TAHUN 2023') gives the office its own line
    among the returned lines."""
    for page in doc.pages[:_COVER_PAGES]:
        lines = _cover_lines(page)
        if not lines or re.search(r"kata\s+pengantar|daftar\s+isi", page.text[:200], re.I):
            continue
        start = next((i for i, ln in enumerate(lines) if _TITLE_START_RE.match(ln)), None)
        if start is None:
            continue
        run_on = _run_on_title(lines[start:start + 6])
        if run_on is not None:
            title, office = run_on
            return title, ([office] if office else []) + lines
        title = _title_from(lines, start)
        if not plausible_title(title):
            log.info("cover title unreadable: %r", title)
            return None, lines
        return title, lines
    return None, []


def _run_on_title(lines: list[str]) -> tuple[str, str | None] | None:
    """(title, office) from the cover's title lines read as one paragraph up to the report's year,
    when the office stands between the report's name and the year; None otherwise."""
    joined = " ".join(lines)
    m = _NAMED_TITLE_RE.match(joined)
    if m is None or not m.group("mid").strip():
        return None
    title = _report_title(m.group(0))
    if title is None:
        return None
    mid = m.group("mid").strip(" ,")
    return title, (mid if find_office([mid]) else None)


def _cover_lines(page: PageContent) -> list[str]:
    """The cover's lines; a line set with wide letter spacing ('L A P O R A N  K I N E R J A')
    read again from its letters' gaps."""
    lines = [ln.strip() for ln in page.text.splitlines() if ln.strip()]
    if not any(_letter_spaced(ln) for ln in lines):
        return lines
    out = []
    for ln in page_lines(page.words):
        text = ln.text
        if _letter_spaced(text):
            words = sorted(ln.words, key=lambda w: w.box.x0)
            gaps = [b.box.x0 - a.box.x1 for a, b in zip(words, words[1:], strict=False)]
            small = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
            text = words[0].text + "".join(
                (" " if g > 1.6 * small + 1 else "") + w.text for g, w in zip(gaps, words[1:], strict=False))
        out.append(text.strip())
    return [ln for ln in out if ln]


def _letter_spaced(line: str) -> bool:
    tokens = line.split()
    return len(tokens) >= 5 and sum(len(t) == 1 for t in tokens) >= 0.7 * len(tokens)


def plausible_title(title: str) -> bool:
    """True when every word of a title reads as a word (an OCR'd decorative cover often does not)."""
    words = re.sub(r"\([^)]*\)", " ", title).split()
    ok = re.compile(r"^([A-Za-z][a-z]{2,}|[A-Z]{3,}|dan|di|ke|(19|20)\d\d)[,.:]?$")
    return bool(words) and all(ok.match(w) for w in words)


def _title_from(lines: list[str], start: int) -> str:
    parts = [lines[start]]
    for ln in lines[start + 1:start + 3]:
        if TAHUN_RE.search(parts[-1]) or find_office([ln]) or re.match(r"^\s*pemerintah\b", ln, re.I):
            break
        parts.append(ln)
    title = re.sub(r"\([^)]*\)", " ", " ".join(parts))
    if not TAHUN_RE.search(title):
        year = next((m.group(0) for ln in lines if (m := TAHUN_RE.search(ln))), None)
        title = f"{title} {year}" if year else title
    title = re.sub(r"\s+", " ", title).strip(" -,")
    return title_case_office(title) if title.isupper() else title


def _footer_title(doc: DocumentContent) -> str | None:
    """The running footer or header that names the report ('Laporan Kinerja ... Tahun 2022 19')."""
    seen: Counter[str] = Counter()
    for page in doc.pages:
        lines = [ln.strip() for ln in page.text.splitlines() if ln.strip()]
        for ln in lines[:2] + lines[-2:]:
            if _TITLE_START_RE.match(ln) and TAHUN_RE.search(ln):
                seen[re.sub(r"(?<=\d{4})\s+([ivxlc]+|\d{1,3})$", "", ln, flags=re.I)] += 1
    if not seen:
        return None
    text, count = seen.most_common(1)[0]
    return (_report_title(text) or text) if count >= 3 else None


_NAMED_TITLE_RE = re.compile(
    r"\b(laporan\s+(?:akuntabilitas\s+)?kinerja(?:\s+instansi\s+pemerintah(?:\s+daerah)?)?|lkjip|lakip)"
    r"(?:\s*\([^)]{2,12}\))?(?P<mid>[^.;\n]{0,140}?)\s+tahun\s+(?:anggaran\s+)?(?P<y>(?:19|20)\d\d)\b",
    re.I)
_ABBREVIATIONS = {"lkjip": "Laporan Kinerja Instansi Pemerintah",
                  "lakip": "Laporan Akuntabilitas Kinerja Instansi Pemerintah"}


def _report_title(text: str) -> str | None:
    """'Laporan Kinerja Instansi Pemerintah (LKjIP) Dinas X Tahun 2023' or 'LKjIP Dinas X Tahun
    2023' as the cover prints the title: without the abbreviation and the office."""
    m = _NAMED_TITLE_RE.search(text)
    if m is None:
        return None
    mid = m.group("mid").strip()
    if mid and not (find_office([mid]) or _OFFICE_WORD_RE.match(mid)):
        return None  # other words between the name and the year: not the report's title
    name = re.sub(r"\s+", " ", m.group(1))
    name = _ABBREVIATIONS.get(name.lower(), name)
    name = title_case_office(name) if name.isupper() or name.islower() else name
    return f"{name} Tahun {m.group('y')}"


_OFFICE_WORD_RE = re.compile(r"^(pada\s+|di\s+)?(dinas|badan|biro|inspektorat|kantor|sekretariat|satuan|"
                             r"rumah\s+sakit|rsud|kecamatan|bagian|pusat|balai)\b", re.I)


def _title_in_text(doc: DocumentContent) -> str | None:
    """The report's name and year as the first pages' text writes it ('... tersusunnya Laporan
    Kinerja Instansi Pemerintah (LKjIP) Dinas X Tahun 2023 ...'), when the cover has no text."""
    for page in doc.pages[:_SIGN_PAGES]:
        title = _report_title(" ".join(page.text.split()))
        if title:
            return title
    return None


def _year(title: str | None) -> int | None:
    m = TAHUN_RE.search(title or "")
    return int(m.group(1)) if m else None


def _most_common_year(doc: DocumentContent) -> int | None:
    years = Counter(int(m.group(1)) for m in TAHUN_RE.finditer(doc.text))
    return years.most_common(1)[0][0] if years else None


def _cover_office(doc: DocumentContent, cover_lines: list[str]) -> str | None:
    """The office on the cover; on an OCR'd cover, the same office as the text pages write it
    when OCR misread it (its words not found in the text)."""
    office = find_office(cover_lines)
    cover = next((p for p in doc.pages[:_COVER_PAGES] if p.ocr), None)
    if office is None or cover is None:
        return office
    text = " ".join(" ".join(p.text.split()) for p in doc.pages[:6] if not p.ocr).lower()
    if office.lower() in text:
        return office
    return _office_in_text(doc, drawn_only=True) or office


def _office_in_text(doc: DocumentContent, drawn_only: bool = False) -> str | None:
    """The office most often named on the first pages (`drawn_only`: text layers, not OCR)."""
    pattern = re.compile(
        r"\b((?:Inspektorat|Dinas|Badan|Kantor|Sekretariat|Satuan)(?:,? [A-Z][a-z]+| dan){0,9}"
        r" (?:Kabupaten|Kota|Provinsi) [A-Z][a-z]+(?: [A-Z][a-z]+)?)")
    text = " ".join(" ".join(p.text.split()) for p in doc.pages[:6] if not (drawn_only and p.ocr))
    found = Counter(m.group(1) for m in pattern.finditer(text))
    upper = re.compile(pattern.pattern.replace("[A-Z][a-z]+", "[A-Z]{2,}").replace(" dan", " DAN")
                       .replace("(?:Inspektorat|Dinas|Badan|Kantor|Sekretariat|Satuan)",
                                "(?:INSPEKTORAT|DINAS|BADAN|KANTOR|SEKRETARIAT|SATUAN)")
                       .replace("(?:Kabupaten|Kota|Provinsi)", "(?:KABUPATEN|KOTA|PROVINSI)"))
    found.update(title_case_office(m.group(1)) for m in upper.finditer(text))
    return found.most_common(1)[0][0] if found else None


# --- pengesahan ------------------------------------------------------------------------------

def _pengesahan(doc: DocumentContent) -> tuple[str | None, Official | None]:
    """The place-date line and the signature below it, from the foreword or statement page.

    The block is read in its own column: another block beside it ('Mengetahui, GUBERNUR ...'
    on the left) shares its lines in the page text."""
    for page in doc.pages[:_SIGN_PAGES]:
        lines = [ln.strip() for ln in page.text.splitlines() if ln.strip()]
        for i, line in enumerate(lines):
            if not is_place_date(line):
                continue
            block = _block_below(lines, i)
            if block is None:
                continue
            column = _block_below(_column_lines(page, line), 0)
            return parse_date(line), read_signature(column or block)
    return None, None


_GUTTER = 30.0  # a space this wide inside a line parts two columns


def _column_lines(page: PageContent, first: str) -> list[str]:
    """The lines from the one reading `first` down, each cut at a gutter left of where `first`
    starts (only the column `first` stands in)."""
    lines = page_lines(page.words)
    start = next((k for k, ln in enumerate(lines) if " ".join(ln.text.split()).endswith(" ".join(first.split()))),
                 None)
    if start is None:
        return []
    words = sorted(lines[start].words, key=lambda w: w.box.x0)
    x0 = next((w.box.x0 for w in reversed(words[1:]) if w.box.x0 - _prev_x1(words, w) > _GUTTER), words[0].box.x0)
    out = []
    for ln in lines[start:start + 14]:
        ws = sorted(ln.words, key=lambda w: w.box.x0)
        cut = [w for w in ws[1:] if w.box.x0 - _prev_x1(ws, w) > _GUTTER and w.box.x0 <= x0 + 5]
        if cut:
            ws = [w for w in ws if w.box.x0 >= cut[-1].box.x0]
        elif ws and ws[-1].box.x1 < x0 - _GUTTER:
            continue  # only the other column on this line
        if ws:
            out.append(" ".join(w.text for w in ws))
    return out


def _prev_x1(words: list[Word], w: Word) -> float:
    k = words.index(w)
    return words[k - 1].box.x1 if k else w.box.x0


def _block_below(lines: list[str], i: int) -> list[str] | None:
    for j in range(i + 1, min(len(lines), i + 10)):
        if re.match(r"^\s*nip\b", lines[j], re.I):
            return lines[i:j + 1]
    return None
