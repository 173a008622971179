"""The register of outgoing letters (buku agenda surat keluar): its rows and its XLSX export.

Every number ever handed out is a row, reserved and void ones included, in number order within
each office, year and counter, insert numbers (sisipan) right after the number they extend.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.errors import StorageError
from archive.models_letters import Letter
from archive.spreadsheet import xlsx_as_text

log = logging.getLogger(__name__)

STATUS_LABELS = {"reserved": "dipesan", "confirmed": "terkirim", "void": "batal"}
HEADERS = ("No", "Nomor Surat", "Tanggal", "Kepada", "Perihal", "Status", "Keterangan")


@dataclass(frozen=True)
class RegisterRow:
    """One line of the buku agenda surat keluar."""

    number: str
    tanggal: date
    recipient: str
    subject: str
    status: str
    office: str
    year: int
    void_reason: str | None = None
    document_id: int | None = None
    letter_id: int | None = None

    @property
    def status_label(self) -> str:
        """The status as the register prints it (dipesan, terkirim, batal)."""
        return STATUS_LABELS.get(self.status, self.status)


def register_rows(session: Session, *, office: str | None = None, year: int | None = None,
                  status: str | None = None) -> list[RegisterRow]:
    """The register in number order, optionally for one office, year or status."""
    q = select(Letter).order_by(Letter.office, Letter.year, Letter.counter_id, Letter.urut,
                                Letter.sisipan)
    if office:
        q = q.where(Letter.office == office)
    if year:
        q = q.where(Letter.year == year)
    if status:
        q = q.where(Letter.status == status)
    return [
        RegisterRow(r.number, r.tanggal, r.recipient, r.subject, r.status, r.office, r.year,
                    r.void_reason, r.document_id, r.id)
        for r in session.scalars(q)
    ]


def export_xlsx(rows: list[RegisterRow], path: Path, *, title: str = "BUKU AGENDA SURAT KELUAR") -> Path:
    """Write the register to an XLSX workbook at `path` (a title row, then one line per number)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Surat Keluar"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(list(HEADERS))
    thin = Side(style="thin")
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for i, row in enumerate(rows, start=1):
        ws.append([i, row.number, row.tanggal, row.recipient, row.subject, row.status_label,
                   row.void_reason or ""])
        xlsx_as_text(ws[ws.max_row])  # a perihal like `=HYPERLINK(...)` stays text
        ws.cell(row=i + 2, column=3).number_format = "DD/MM/YYYY"
    for col, width in zip("ABCDEFG", (5, 34, 12, 36, 48, 10, 30), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    try:
        wb.save(path)
    except OSError as e:
        raise StorageError(f"Buku agenda tidak dapat ditulis ke {path}: {e}.") from e
    log.info("register of %d letters written to %s", len(rows), path)
    return path
