"""Format pengumpulan data kinerja: the quarterly data-collection form.

Heading lines (PEMERINTAH ..., the office, FORMAT PENGUMPULAN DATA KINERJA TAHUN ...), then a
table `No | Sasaran | Indikator | Satuan | Target Tahunan | TW 1..TW 4 | (Realisasi) | Ket`, ruled
or aligned without rules (`aligned.aligned_tables`); summary rows (`Jumlah`, `Rata-rata`) are left out.
"""

from __future__ import annotations

import re

from ingest.layout import DocumentContent, Table
from ingest.model import Extraction, Indicator
from ingest.parsers.aligned import aligned_tables
from ingest.parsers.indicators import (
    Layout,
    Row,
    body_rows,
    carry_down,
    continuation_tables,
    find_office,
    is_span_row,
    is_summary_row,
    pemerintah_of,
    read_header,
    split_value,
)
from ingest.text import TAHUN_RE, clean, join_lines, title_case_office

_TITLE_RE = re.compile(r"^\s*(format\s+pengumpulan\s+data.*?)\s*$", re.I | re.M)
_QUARTERS = ("tw1", "tw2", "tw3", "tw4")


def parse(doc: DocumentContent) -> Extraction:
    """Read a data-collection form: heading metadata and the indicators with quarterly targets."""
    first = doc.pages[0].text if doc.pages else ""
    lines = [ln.strip() for ln in first.splitlines() if ln.strip()]
    m = _TITLE_RE.search(first)
    title = re.sub(r"\s+", " ", m.group(1)) if m else None
    if title and title.isupper():
        title = title_case_office(title)
    year = TAHUN_RE.search(title or first)
    instansi = find_office(lines)
    warnings = [] if instansi else ["instansi tidak ditemukan di kepala formulir"]
    indicators = _indicators(doc)
    if not indicators:
        warnings.append("tabel indikator beserta targetnya tidak ditemukan")
    return Extraction(
        doc_type="form_data_kinerja", title=title, tahun=int(year.group(1)) if year else None,
        instansi=instansi, pemerintah=pemerintah_of(instansi, lines),
        indicators=tuple(indicators), warnings=tuple(warnings),
    )


def _indicators(doc: DocumentContent) -> list[Indicator]:
    found = _first_table(doc)
    if found is None:
        return []
    table, layout = found
    rows = body_rows(table, layout)
    for cont, repeats in continuation_tables(doc, table, layout):
        rows += body_rows(cont, layout, skip_header=repeats)
    rows = carry_down([r for r in rows
                       if not is_span_row(r, layout.roles[0]) and not is_summary_row(r)])
    has_tw = any(q in layout.role_set for q in _QUARTERS)
    return [i for r in rows if (i := _indicator(r, table.page, has_tw, layout))]


def _first_table(doc: DocumentContent) -> tuple[Table, Layout] | None:
    for page in doc.pages:
        for table in [*page.tables, *aligned_tables(page)]:
            layout = read_header(table)
            if layout and "indikator" in layout.role_set and "target" in layout.role_set:
                return table, layout
    return None


def _indicator(row: Row, page: int, has_tw: bool, layout: Layout) -> Indicator | None:
    indikator = clean(join_lines(row.get("indikator")))
    if not indikator:
        return None
    target = split_value(row.get("target"))
    realisasi = split_value(row.get("realisasi"))
    quarters = tuple(split_value(row.get(q)).number for q in _QUARTERS) if has_tw else ()
    satuan = clean(join_lines(row.get("satuan"))) if "satuan" in layout.role_set else target.unit
    return Indicator(
        indikator=indikator, sasaran=clean(join_lines(row.get("sasaran"))), satuan=satuan,
        target=target.number, realisasi=realisasi.number,
        capaian=split_value(row.get("capaian")).number, target_triwulan=quarters,
        target_text=target.text, realisasi_text=realisasi.text, page=page,
    )
