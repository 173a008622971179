"""API: letters (register, new), stamped copies, verification."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi import Path as PathParam
from sqlalchemy import select

from api import letters
from api.web.auth import CurrentUser, actor_of
from api.web.deps import DbSession, State, Year
from api.web.documents import copy_order
from api.web.jobs import safe_name
from api.web.rest.models import CopyIn, CopyOut, LetterIn, LetterOut, RegisterEntryOut, VerdictOut
from api.wiring import archive_new_letter, audit_letter_issued, issue_stamped_copy
from archive.letters import register_rows
from archive.localtime import today as local_today
from archive.models import Version
from archive.verify import Verdict, verify_code, verify_file

router = APIRouter(prefix="/api/v1")


@router.get("/surat", response_model=list[RegisterEntryOut], summary="Buku agenda surat keluar")
def register(session: DbSession, tahun: Year = None) -> list[RegisterEntryOut]:
    """Every number handed out (issued, reserved, void), in number order."""
    return [RegisterEntryOut(number=r.number, tanggal=r.tanggal, recipient=r.recipient,
                             subject=r.subject, status=r.status, office=r.office, year=r.year,
                             void_reason=r.void_reason, document_id=r.document_id)
            for r in register_rows(session, year=tahun)]


@router.post("/surat", response_model=LetterOut, status_code=201, summary="Surat pengantar baru")
def new_letter(request: Request, state: State, session: DbSession, body: LetterIn) -> LetterOut:
    """Number, render and archive a surat pengantar (kop and sender from the office's profile)."""
    data = body.model_dump(exclude_none=True, exclude={"reserve"})
    data["tanggal"] = (body.tanggal or local_today()).isoformat()
    letter = letters.load_request(state.engine, data)
    issued = letters.issue_letter(state.engine, letter, reserve=body.reserve)
    audit_letter_issued(state.engine, actor_of(request), issued, letter)
    doc_id = archive_new_letter(state.settings, state.engine, issued, letter,
                                on_recorded=state.index_document)
    newest = session.scalars(select(Version).where(Version.document_id == doc_id)
                             .order_by(Version.version_no.desc())).first()
    sha = newest.files[0].sha256 if newest and newest.files else ""
    return LetterOut(number=issued.allocated.number, status=issued.allocated.status,
                     document_id=doc_id, pdf_url=f"/api/v1/berkas/{sha}")


@router.post("/salinan", response_model=CopyOut, status_code=201, summary="Terbitkan salinan bercap")
def new_copy(request: Request, state: State, user: CurrentUser, body: CopyIn) -> CopyOut:
    """A stamped copy of a version, certified by the calling account's official profile."""
    order = copy_order(user, str(body.version_id), body.untuk or "", body.keperluan or "")
    made = issue_stamped_copy(state.settings, state.sessions, state.store, order,
                              actor_of(request), str(request.base_url))
    issued = made.issued
    return CopyOut(code=issued.code, verify_url=issued.url, sha256=issued.sha256,
                   pdf_url=f"/api/v1/berkas/{issued.sha256}", document_id=made.document_id,
                   version_no=made.version_no, pages=issued.pages)


def verdict_out(v: Verdict) -> VerdictOut:
    """A verdict as the API shows it."""
    return VerdictOut(ok=v.ok, kind=v.kind, message=v.message, sha256=v.sha256,
                      document_id=v.document_id, version_id=v.version_id,
                      version_no=v.version_no, code=v.code, superseded=v.superseded)


@router.get("/verifikasi/{code}", response_model=VerdictOut, summary="Periksa kode salinan")
def verify_by_code(session: DbSession,
                   code: Annotated[str, PathParam(max_length=64)]) -> VerdictOut:
    """What a copy's verification code stands for (no login needed)."""
    return verdict_out(verify_code(session, code))


@router.post("/verifikasi", response_model=VerdictOut, summary="Periksa sebuah berkas")
def verify_upload(session: DbSession, berkas: Annotated[UploadFile, File()]) -> VerdictOut:
    """Whether a file is an unaltered original or copy of this archive (no login needed)."""
    name = safe_name(berkas.filename)
    with tempfile.TemporaryDirectory(prefix="arsip-verifikasi-") as tmp:
        path = Path(tmp) / name
        with path.open("wb") as out:
            while chunk := berkas.file.read(1 << 20):
                out.write(chunk)
        return verdict_out(verify_file(session, path))
