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

from ingest.layout import DocumentContent
from ingest.model import Extraction, Official
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
        else:
            warnings.append("judul tidak ditemukan: halaman sampul tidak berisi teks yang terbaca")
    tahun = _year(title) or _most_common_year(doc)
    instansi = find_office(cover_lines) or _office_in_text(doc)
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
    for page in doc.pages[:_COVER_PAGES]:
        lines = [ln.strip() for ln in page.text.splitlines() if ln.strip()]
        if not lines or re.search(r"kata\s+pengantar|daftar\s+isi", page.text[:200], re.I):
            continue
        start = next((i for i, ln in enumerate(lines) if _TITLE_START_RE.match(ln)), None)
        if start is None:
            continue
        title = _title_from(lines, start)
        if not plausible_title(title):
            log.info("cover title unreadable: %r", title)
            return None, lines
        return title, lines
    return None, []


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
                seen[re.sub(r"\s+[ivxlc\d]+$", "", ln, flags=re.I)] += 1
    if not seen:
        return None
    text, count = seen.most_common(1)[0]
    return text if count >= 3 else None


def _year(title: str | None) -> int | None:
    m = TAHUN_RE.search(title or "")
    return int(m.group(1)) if m else None


def _most_common_year(doc: DocumentContent) -> int | None:
    years = Counter(int(m.group(1)) for m in TAHUN_RE.finditer(doc.text))
    return years.most_common(1)[0][0] if years else None


def _office_in_text(doc: DocumentContent) -> str | None:
    pattern = re.compile(
        r"\b((?:Inspektorat|Dinas|Badan|Kantor|Sekretariat|Satuan)(?: [A-Z][a-z]+| dan){0,7}"
        r" (?:Kabupaten|Kota|Provinsi) [A-Z][a-z]+(?: [A-Z][a-z]+)?)")
    found = Counter(m.group(1) for m in pattern.finditer(" ".join(p.text for p in doc.pages[:6])))
    return found.most_common(1)[0][0] if found else None


# --- pengesahan ------------------------------------------------------------------------------

def _pengesahan(doc: DocumentContent) -> tuple[str | None, Official | None]:
    """The place-date line and the signature below it, from the foreword or statement page."""
    for page in doc.pages[:_SIGN_PAGES]:
        lines = [ln.strip() for ln in page.text.splitlines() if ln.strip()]
        for i, line in enumerate(lines):
            if not is_place_date(line):
                continue
            block = _block_below(lines, i)
            if block is None:
                continue
            return parse_date(line), read_signature(block)
    return None, None


def _block_below(lines: list[str], i: int) -> list[str] | None:
    for j in range(i + 1, min(len(lines), i + 10)):
        if re.match(r"^\s*nip\b", lines[j], re.I):
            return lines[i:j + 1]
    return None
