"""Surat: the register (buku agenda surat keluar) and the cover-letter form that returns the PDF."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from api import letters
from api.web.auth import actor_of
from api.web.deps import DbSession, State, Year
from api.web.pages import XLSX
from api.web.render import page
from api.wiring import archive_new_letter, audit_letter_issued, parse_item
from archive.errors import BadInputError
from archive.letters import export_xlsx, register_rows
from archive.localtime import today as local_today
from archive.models_letters import LetterFormat

router = APIRouter()


@router.get("/surat", response_class=HTMLResponse)
def surat(request: Request, session: DbSession, tahun: Year = None) -> HTMLResponse:
    """The register of outgoing letters and the form for a new surat pengantar."""
    rows = register_rows(session, year=tahun)
    offices = session.scalars(select(LetterFormat.office).order_by(LetterFormat.office)).all()
    return page(request, "surat.html", {"rows": rows, "offices": offices, "tahun": tahun,
                                        "today": local_today().isoformat()})


@router.get("/surat/agenda.xlsx")
def agenda_xlsx(session: DbSession, tahun: Year = None) -> Response:
    """The register as XLSX (as `arsip letter list --xlsx`)."""
    rows = register_rows(session, year=tahun)
    with tempfile.TemporaryDirectory(prefix="arsip-agenda-") as tmp:
        data = export_xlsx(rows, Path(tmp) / "agenda.xlsx").read_bytes()
    return Response(data, media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="buku-agenda.xlsx"'})


def letter_data(office: str, tanggal: str, kka: str, perihal: str, kepada: str, di: str,
                tempat: str, butir: str) -> dict[str, Any]:
    """The letter request from the form, shaped like `arsip letter new --from FILE.json`."""
    items = [parse_item(line) for line in butir.splitlines() if line.strip()]
    data: dict[str, Any] = {"office": office.strip(), "tanggal": tanggal or local_today().isoformat(),
                            "kepada": {"nama": kepada.strip(), "di": di.strip()}, "items": items}
    extra = {"kka": kka.strip(), "perihal": perihal.strip(), "tempat": tempat.strip()}
    data.update({k: v for k, v in extra.items() if v})
    if not data["office"]:
        raise BadInputError("Pilih kantor pengirim; kantor baru diatur dengan "
                            "`arsip letter format KANTOR --pattern ... --profile PROFIL.json`.")
    return data


@router.post("/surat")
def surat_baru(request: Request, state: State, office: Annotated[str, Form()], kepada: Annotated[str, Form()],
               di: Annotated[str, Form()], butir: Annotated[str, Form()],
               tanggal: Annotated[str, Form()] = "", kka: Annotated[str, Form()] = "",
               perihal: Annotated[str, Form()] = "", tempat: Annotated[str, Form()] = "",
               pesan: Annotated[str, Form()] = "") -> Response:
    """Number, render and archive a surat pengantar (as `arsip letter new`); its PDF downloads."""
    data = letter_data(office, tanggal, kka, perihal, kepada, di, tempat, butir)
    letter = letters.load_request(state.engine, data)
    issued = letters.issue_letter(state.engine, letter, reserve=bool(pesan))
    audit_letter_issued(state.engine, actor_of(request), issued, letter)
    doc_id = archive_new_letter(state.settings, state.engine, issued, letter,
                                on_recorded=state.index_document)
    number = issued.allocated.number
    name = "surat-pengantar-" + re.sub(r"[^A-Za-z0-9.-]+", "_", number) + ".pdf"  # ASCII header
    return Response(issued.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Nomor-Surat": quote(number, safe="/.-"), "X-Dokumen": str(doc_id)})
