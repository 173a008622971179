"""Indicator rows out of the archive: CSV and XLSX tables of a measurement search.

Made for Indonesian Excel: the CSV is UTF-8 with a byte order mark (so Excel reads it as UTF-8),
separated by semicolons (the list separator of Indonesian Windows), with decimal commas (`95,5`)
and no thousands separators; both formats have Indonesian column names and, given the app's
address, a link back to each source document.  Text never becomes a formula
(`archive.spreadsheet`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from archive.spreadsheet import csv_safe, xlsx_as_text
from search.records import IndicatorHit

FIELDS = ("instansi", "tahun", "sasaran", "indikator", "satuan", "target", "realisasi", "capaian",
          "target_text", "realisasi_text", "doc_type", "judul", "doc_id", "version_id", "halaman",
          "tautan")
HEADERS = {"instansi": "Instansi", "tahun": "Tahun", "sasaran": "Sasaran",
           "indikator": "Indikator", "satuan": "Satuan", "target": "Target",
           "realisasi": "Realisasi", "capaian": "Capaian (%)", "target_text": "Target tertulis",
           "realisasi_text": "Realisasi tertulis", "doc_type": "Jenis dokumen",
           "judul": "Judul dokumen", "doc_id": "Nomor arsip", "version_id": "Id versi",
           "halaman": "Halaman", "tautan": "Tautan dokumen"}
COLUMNS = tuple(HEADERS[f] for f in FIELDS)  # the header row of both files
CSV_SEPARATOR = ";"
BOM = "\ufeff"


def indicator_rows(hits: Iterable[IndicatorHit], base_url: str | None = None) -> list[dict[str, Any]]:
    """One flat dict per hit, keys in `FIELDS` order; `tautan` needs the app's `base_url`."""
    out = []
    for h in hits:
        r = h.row
        out.append({
            "instansi": h.instansi, "tahun": h.tahun, "sasaran": r.sasaran, "indikator": r.indikator,
            "satuan": r.satuan, "target": r.target, "realisasi": r.realisasi, "capaian": r.capaian,
            "target_text": r.target_text, "realisasi_text": r.realisasi_text, "doc_type": h.doc_type,
            "judul": h.title, "doc_id": h.doc_id, "version_id": h.version_id, "halaman": r.page,
            "tautan": document_link(base_url, h.doc_id),
        })
    return out


def document_link(base_url: str | None, doc_id: int) -> str | None:
    """The absolute address of a document's page in the web app (None without an address)."""
    if not base_url:
        return None
    return f"{base_url.rstrip('/')}/dokumen/{doc_id}"


def decimal_comma(value: Any) -> Any:
    """`95.5` -> `95,5` (Indonesian Excel reads it as a number); other values unchanged."""
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")
    return value


def write_csv(hits: Iterable[IndicatorHit], out: TextIO, base_url: str | None = None, *,
              bom: bool = True) -> int:
    """Write the rows as Excel-ready CSV (BOM, `;`, decimal commas, header first); the row count."""
    rows = indicator_rows(hits, base_url)
    if bom:
        out.write(BOM)
    writer = csv.writer(out, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([decimal_comma(csv_safe(row[f])) for f in FIELDS] for row in rows)
    return len(rows)


def write_xlsx(hits: Iterable[IndicatorHit], path: Path, base_url: str | None = None) -> int:
    """Write the rows to an XLSX workbook (numbers as numbers, links); returns the number of rows."""
    from openpyxl import Workbook

    rows = indicator_rows(hits, base_url)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "indikator"
    ws.append(list(COLUMNS))
    link_column = FIELDS.index("tautan")
    for row in rows:
        ws.append([row[f] for f in FIELDS])
        xlsx_as_text(ws[ws.max_row])
        cell = ws[ws.max_row][link_column]
        if cell.value:
            cell.hyperlink = cell.value
    ws.freeze_panes = "A2"
    wb.save(path)
    return len(rows)
