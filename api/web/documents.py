"""A document's page (metadata, versions, files, steps, indicators), file downloads, stamped copies."""

from __future__ import annotations

import logging
import re
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from api.pages import VersionPages, version_pages
from api.web.auth import CurrentUser, Principal, actor_of
from api.web.deps import MAX_ID, DbId, DbSession, State
from api.web.pageview import page_count
from api.web.render import page
from api.web.review import desk_context
from api.web.state import WebState
from api.wiring import CopyOrder, issue_stamped_copy
from archive.documents import get_document
from archive.errors import ArchiveError, BadInputError, NotFoundError
from archive.localtime import today as local_today
from archive.models import StoredFileRow, Version
from archive.models_letters import Letter, LetterItem
from archive.timeline import TimelineEntry, in_force_summary, timeline, version_in_force
from ingest.pipeline import page_cache

log = logging.getLogger(__name__)
router = APIRouter()

_SHA256 = re.compile(r"[0-9a-f]{64}")


@router.get("/dokumen/{doc_id}", response_class=HTMLResponse)
def dokumen(request: Request, session: DbSession, state: State, doc_id: DbId,
            versi: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> HTMLResponse:
    """A document: metadata, its versions (which is in force), files, steps and indicators."""
    document = get_document(session, doc_id)
    today = local_today()  # the office's date
    entries = timeline(session, doc_id, today)
    in_force = version_in_force(document, today)
    shown = _shown_version(entries, versi, in_force)
    return page(request, "dokumen.html", {
        "doc": document, "entries": entries, "in_force": in_force, "shown": shown,
        "in_force_text": in_force_summary(entries, in_force, today),
        "sent": letters_sending(session, [e.version.id for e in entries]),
        "today": today, "page_count": page_count(shown),
        **desk_context(session, shown, lambda: _word_boxes(state, shown))})


def letters_sending(session: DbSession, version_ids: list[int]) -> dict[int, list[Letter]]:
    """The letters (register rows) that sent each version, by version id."""
    rows = session.execute(select(LetterItem.version_id, Letter)
                           .join(Letter, LetterItem.letter_id == Letter.id)
                           .where(LetterItem.version_id.in_(version_ids)).order_by(Letter.id))
    out: dict[int, list[Letter]] = {}
    for version_id, letter in rows:
        if version_id is None:
            continue
        listed = out.setdefault(version_id, [])
        if letter not in listed:
            listed.append(letter)
    return out


def _word_boxes(state: WebState, version: Version) -> VersionPages | None:
    """The word boxes of a version's file (rebuilt once when they were never kept)."""
    try:
        return version_pages(version, state.store, page_cache(state.store))
    except (OSError, ArchiveError) as e:  # a missing or damaged file: the page shows without crops
        log.warning("version %d: word boxes not available (%s)", version.id, e)
        return None


def _shown_version(entries: list[TimelineEntry], versi: int | None,
                   in_force: Version | None) -> Version:
    """The version whose steps and indicators are shown: asked for, else in force, else newest."""
    by_no = {e.version.version_no: e.version for e in entries}
    if versi is not None:
        if versi not in by_no:
            raise NotFoundError(f"Dokumen ini tidak punya versi {versi}; pilih salah satu versi "
                                "di tabel riwayat versi.")
        return by_no[versi]
    return in_force or by_no[max(by_no)]


def _file_row(session: DbSession, sha256: str) -> StoredFileRow:
    row = None
    if _SHA256.fullmatch(sha256):
        row = session.scalars(select(StoredFileRow).where(StoredFileRow.sha256 == sha256)).first()
    if row is None:
        raise NotFoundError(f"Berkas {sha256[:16]!r} tidak ada di arsip ini; buka dokumennya "
                            "untuk melihat berkas-berkasnya.")
    return row


def download_name(row: StoredFileRow) -> str:
    """The name a file downloads under: the uploaded name, with its role for derived files."""
    source = row.version.source_filename or f"dokumen-{row.version.document_id}.pdf"
    stem = re.sub(r"\.pdf$", "", source, flags=re.I)
    suffix = {"original": "", "scan": "", "searchable": "-dapat-dicari", "stamped": "-salinan"}
    return f"{stem}{suffix.get(row.role, '-' + row.role)}.pdf"


@router.get("/berkas/{sha256}")
def berkas(session: DbSession, state: State, sha256: str, lihat: str = "") -> FileResponse:
    """A stored file exactly as kept (the untouched original); `lihat=1` opens it in the browser."""
    row = _file_row(session, sha256)
    path = state.store.path(row.sha256)
    if not path.is_file():
        raise NotFoundError(f"Berkas {row.sha256[:12]}… tercatat tetapi tidak ada di penyimpanan; "
                            "hubungi admin agar berkasnya dipulihkan dari cadangan.")
    return FileResponse(path, media_type=row.mime, filename=download_name(row),
                        content_disposition_type="inline" if lihat else "attachment")


@router.get("/versi/{version_id}/asli")
def versi_asli(session: DbSession, version_id: DbId) -> RedirectResponse:
    """Open a version's original in the browser (a search hit's `#page=N` link)."""
    version = session.get(Version, version_id)
    files = [f for f in version.files if f.role != "stamped"] if version else []
    if not files:
        raise NotFoundError(f"Versi {version_id} tidak ada atau tidak punya berkas.")
    return RedirectResponse(f"/berkas/{files[0].sha256}?lihat=1", status_code=307)


def copy_order(user: Principal, version_ref: str, untuk: str, keperluan: str) -> CopyOrder:
    """A copy certified by the logged-in official's profile (never by typed-in names)."""
    if not user.can_certify:
        raise BadInputError(f"Profil pejabat akun {user.name} belum lengkap (jabatan, nama, NIP): "
                            "minta admin mengisinya di halaman Admin, lalu terbitkan lagi.")
    return CopyOrder(version_ref, user.name, untuk.strip() or None, keperluan.strip() or None,
                     None, user.jabatan, user.nama, user.nip, account=user.name)


@router.post("/dokumen/{doc_id}/salinan")
def salinan(request: Request, state: State, user: CurrentUser, doc_id: DbId,
            versi: Annotated[int, Form(ge=1, le=MAX_ID)],
            untuk: Annotated[str, Form(max_length=512)] = "",
            keperluan: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Issue a stamped copy (SALINAN, certification by the account's official, QR); the PDF downloads."""
    order = copy_order(user, f"{doc_id}:{versi}", untuk, keperluan)
    made = issue_stamped_copy(state.settings, state.sessions, state.store, order,
                              actor_of(request), str(request.base_url))
    name = f"salinan-{made.issued.code}.pdf"
    return Response(state.store.read(made.issued.sha256), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Kode-Verifikasi": made.issued.code})
