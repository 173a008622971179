"""Surat: the register (buku agenda surat keluar, filterable by year and status), the form for a
new surat pengantar (items picked from archived versions as you type, or typed), the letter's own
page after issuing (post/redirect/get: its number and PDF; a reload never takes a number), and
confirming a reserved number or voiding one with a reason, with the code `arsip letter` runs."""

from __future__ import annotations

import io
import secrets
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select

from api import letters
from api.web.auth import actor_of
from api.web.deps import MAX_ID, DbId, DbSession, State, Year
from api.web.pages import XLSX
from api.web.render import doc_type_label, page
from api.wiring import archive_new_letter, audit_letter_issued, confirm_letter, void_letter
from archive.errors import BadInputError, NotFoundError
from archive.letters import STATUS_LABELS, export_xlsx, register_rows
from archive.localtime import today as local_today
from archive.models import Document, Version
from archive.models_letters import Letter, LetterFormat
from archive.numbering import FORM_KEY, AlreadyIssued
from search.records import SearchQuery

router = APIRouter()

ITEM_ROWS = 5  # item rows the form offers (blank ones are ignored)
PICKS = 8  # archived versions offered as you type
Text = Annotated[str, Form(max_length=2000)]
Rows = Annotated[list[str], Form(max_length=2000)]


def _status(value: str | None) -> str | None:
    if value and value not in STATUS_LABELS:
        raise BadInputError("Status buku agenda: dipesan (reserved), terkirim (confirmed) atau "
                            "batal (void).")
    return value or None


@router.get("/surat", response_class=HTMLResponse)
def surat(request: Request, session: DbSession, tahun: Year = None,
          status: Annotated[str | None, Query(max_length=16)] = None) -> HTMLResponse:
    """The register of outgoing letters (by year and status) and the form for a new letter."""
    rows = register_rows(session, year=tahun, status=_status(status))
    offices = session.scalars(select(LetterFormat.office).order_by(LetterFormat.office)).all()
    years = sorted({y for (y,) in session.execute(select(Letter.year).distinct())}, reverse=True)
    return page(request, "surat.html", {
        "rows": rows, "offices": offices, "tahun": tahun, "status": status or "",
        "years": years, "statuses": STATUS_LABELS, "today": local_today().isoformat(),
        "token": secrets.token_urlsafe(16), "item_rows": range(ITEM_ROWS)})


@router.get("/surat/agenda.xlsx")
def agenda_xlsx(session: DbSession, tahun: Year = None,
                status: Annotated[str | None, Query(max_length=16)] = None) -> Response:
    """The register as XLSX (as `arsip letter list --xlsx`), with the page's filters."""
    rows = register_rows(session, year=tahun, status=_status(status))
    with tempfile.TemporaryDirectory(prefix="arsip-agenda-") as tmp:
        data = export_xlsx(rows, Path(tmp) / "agenda.xlsx").read_bytes()
    return Response(data, media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="buku-agenda.xlsx"'})


@router.get("/surat/pilih-versi")
def pilih_versi(session: DbSession, state: State,
                q: Annotated[str, Query(max_length=200)] = "") -> JSONResponse:
    """Archived versions matching what is typed (the search module, every version with its
    status), for the item picker of the letter form."""
    text = q.strip()
    if len(text) < 2:
        return JSONResponse({"versi": []})
    hits = _search(state, text)
    if not hits and " " in text:  # the last word may still be half typed
        hits = _search(state, text.rsplit(" ", 1)[0])
    ids = [h.version_id for h in hits]
    versions = {v.id: v for v in session.scalars(select(Version).where(Version.id.in_(ids)))}
    found = [_pick(versions[h.version_id]) for h in hits
             if h.version_id in versions and h.doc_type != "surat"]
    return JSONResponse({"versi": found[:PICKS]})


def _search(state: Any, text: str) -> list[Any]:
    try:
        return list(state.search.search(SearchQuery(text=text, history=True,
                                                     limit=PICKS * 2)).hits)
    except BadInputError:
        return []  # an unfinished query ("-", a lone quote) while typing: nothing yet


def _pick(version: Version) -> dict[str, Any]:
    """One archived version as the picker offers it, with the item text it fills in."""
    document: Document = version.document
    title = document.title or "(tanpa judul)"
    uraian = f"{doc_type_label(document.doc_type)} {title}"
    if document.nomor and document.nomor not in title:
        uraian += f" Nomor {document.nomor}"
    return {"version_id": version.id, "document_id": document.id,
            "version_no": version.version_no, "status": version.status, "uraian": uraian,
            "label": f"{uraian} · versi {version.version_no} ({version.status})"
                     + (f" · {document.instansi}" if document.instansi else "")}


def form_items(uraian: list[str], banyaknya: list[str], satuan: list[str],
               keterangan: list[str], versi: list[str]) -> list[dict[str, Any]]:
    """The item rows of the form (blank rows left out), each linked to its archived version."""
    items = []
    for i, text in enumerate(uraian):
        if not text.strip():
            continue
        item: dict[str, Any] = {"uraian": text.strip()}
        for key, values in (("banyaknya", banyaknya), ("satuan", satuan),
                            ("keterangan", keterangan)):
            if i < len(values) and values[i].strip():
                item[key] = values[i].strip()
        ref = versi[i].strip().lstrip("#") if i < len(versi) else ""
        if ref:
            if not ref.isdigit() or not 0 < int(ref) <= MAX_ID:
                raise BadInputError(f"Butir {i + 1}: {ref!r} bukan id versi arsip; pilih "
                                    "dokumennya dari daftar saat mengetik uraian, atau kosongkan.")
            item["version_id"] = int(ref)
        items.append(item)
    if not items:
        raise BadInputError("Isi sedikitnya satu butir yang dikirim (uraian).")
    return items


@router.post("/surat")
def surat_baru(request: Request, state: State, office: Annotated[str, Form(max_length=64)],
               kepada: Text, di: Text, uraian: Rows, token: Annotated[str, Form(max_length=64)],
               banyaknya: Rows = [], satuan: Rows = [], keterangan: Rows = [],  # noqa: B006
               versi: Rows = [], tanggal: Text = "", kka: Text = "", perihal: Text = "",  # noqa: B006
               tempat: Text = "", pesan: Text = "") -> RedirectResponse:
    """Number, render and archive a surat pengantar (as `arsip letter new`), then go to its page.

    The form's one-time token makes a second sending of the same form (a double click, the back
    button) land on the letter it already numbered instead of taking the next number."""
    if not office.strip():
        raise BadInputError("Pilih kantor pengirim; kantor baru diatur di halaman Kantor.")
    data: dict[str, Any] = {
        "office": office.strip(), "tanggal": tanggal or local_today().isoformat(),
        "kepada": {"nama": kepada.strip(), "di": di.strip()},
        "items": form_items(uraian, banyaknya, satuan, keterangan, versi), FORM_KEY: token}
    data.update({k: v.strip() for k, v in (("kka", kka), ("perihal", perihal),
                                           ("tempat", tempat)) if v.strip()})
    letter = letters.load_request(state.engine, data)
    try:
        issued = letters.issue_letter(state.engine, letter, reserve=bool(pesan))
    except AlreadyIssued as e:
        return RedirectResponse(f"/surat/{e.letter_id}?ulang=1", status_code=303)
    audit_letter_issued(state.engine, actor_of(request), issued, letter)
    archive_new_letter(state.settings, state.engine, issued, letter,
                       on_recorded=state.index_document)
    return RedirectResponse(f"/surat/{issued.allocated.letter_id}?baru=1", status_code=303)


def _letter(session: DbSession, letter_id: int) -> Letter:
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise NotFoundError(f"Surat {letter_id} tidak ada di buku agenda; buka Buku agenda di "
                            "halaman Surat.")
    return letter


def _pdf_of(session: DbSession, letter: Letter) -> Any:
    """The archived PDF of the letter (its newest printing), None when it was not archived."""
    document = session.get(Document, letter.document_id) if letter.document_id else None
    if document is None or not document.versions:
        return None
    newest = max(document.versions, key=lambda v: v.id)
    return next((f for f in newest.files if f.role == "original"), None)


@router.get("/surat/{letter_id}", response_class=HTMLResponse)
def surat_lihat(request: Request, session: DbSession, letter_id: DbId,
                baru: str = "", ulang: str = "") -> HTMLResponse:
    """One letter: its number, status, PDF, what it sent (linked to the archived versions), and
    confirming or voiding it.  Only reads: reloading it never takes a number."""
    letter = _letter(session, letter_id)
    items = []
    for item in letter.items:
        version = session.get(Version, item.version_id) if item.version_id else None
        items.append({"item": item, "version": version})
    return page(request, "surat_lihat.html", {
        "letter": letter, "items": items, "pdf": _pdf_of(session, letter), "baru": bool(baru),
        "ulang": bool(ulang), "status_label": STATUS_LABELS.get(letter.status, letter.status),
        "today": local_today().isoformat()})


@router.get("/surat/{letter_id}/pratinjau.png")
def pratinjau(session: DbSession, state: State, letter_id: DbId) -> Response:
    """The first page of the letter's PDF as a picture (shown on its page)."""
    from PIL import Image

    from ingest.raster import render_page

    pdf = _pdf_of(session, _letter(session, letter_id))
    if pdf is None:
        raise NotFoundError("Surat ini belum punya PDF di arsip.")
    pixels, _ = render_page(state.store.path(pdf.sha256), 0, dpi=80)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG", optimize=True)
    return Response(out.getvalue(), media_type="image/png",
                    headers={"Cache-Control": "private, max-age=300"})


@router.post("/surat/{letter_id}/konfirmasi")
def konfirmasi(request: Request, session: DbSession, state: State, letter_id: DbId,
               tanggal: Text = "") -> RedirectResponse:
    """Confirm a reserved number at signing (reprinted when signed on another date)."""
    letter = _letter(session, letter_id)
    number, office, year = letter.number, letter.office, letter.year
    session.close()  # confirm runs in transactions of its own
    try:
        on = date.fromisoformat(tanggal) if tanggal else None
    except ValueError as e:
        raise BadInputError(f"Tanggal {tanggal!r} tidak terbaca: tulis TTTT-BB-HH.") from e
    confirm_letter(state.settings, state.engine, number, office=office, year=year, tanggal=on,
                   on_recorded=state.index_document, actor=actor_of(request))
    return RedirectResponse(f"/surat/{letter_id}", status_code=303)


@router.post("/surat/{letter_id}/batal")
def batal(request: Request, session: DbSession, state: State, letter_id: DbId,
          alasan: Text = "") -> RedirectResponse:
    """Void a number with a reason; it stays in the register and its archived letter is revoked."""
    letter = _letter(session, letter_id)
    number, office, year = letter.number, letter.office, letter.year
    session.close()
    void_letter(state.settings, state.engine, number, alasan, office=office, year=year,
                on_recorded=state.index_document, actor=actor_of(request))
    return RedirectResponse(f"/surat/{letter_id}", status_code=303)
