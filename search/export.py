"""Indicator rows out of the archive: CSV and XLSX tables of a measurement search.

Text never becomes a formula (`archive.spreadsheet`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from archive.spreadsheet import csv_safe, xlsx_as_text
from search.records import IndicatorHit

COLUMNS = ("instansi", "tahun", "sasaran", "indikator", "satuan", "target", "realisasi", "capaian",
           "target_text", "realisasi_text", "doc_type", "judul", "doc_id", "version_id", "halaman")


def indicator_rows(hits: Iterable[IndicatorHit]) -> list[dict[str, Any]]:
    """One flat dict per hit, keys in `COLUMNS` order."""
    out = []
    for h in hits:
        r = h.row
        out.append({
            "instansi": h.instansi, "tahun": h.tahun, "sasaran": r.sasaran, "indikator": r.indikator,
            "satuan": r.satuan, "target": r.target, "realisasi": r.realisasi, "capaian": r.capaian,
            "target_text": r.target_text, "realisasi_text": r.realisasi_text, "doc_type": h.doc_type,
            "judul": h.title, "doc_id": h.doc_id, "version_id": h.version_id, "halaman": r.page,
        })
    return out


def write_csv(hits: Iterable[IndicatorHit], out: TextIO) -> int:
    """Write the rows as CSV (header first); returns the number of rows."""
    rows = indicator_rows(hits)
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({k: csv_safe(v) for k, v in row.items()} for row in rows)
    return len(rows)


def write_xlsx(hits: Iterable[IndicatorHit], path: Path) -> int:
    """Write the rows to an XLSX workbook (numbers as numbers); returns the number of rows."""
    from openpyxl import Workbook

    rows = indicator_rows(hits)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "indikator"
    ws.append(list(COLUMNS))
    for row in rows:
        ws.append([row[c] for c in COLUMNS])
        xlsx_as_text(ws[ws.max_row])
    ws.freeze_panes = "A2"
    wb.save(path)
    return len(rows)
