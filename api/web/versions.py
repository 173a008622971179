"""A document's versions on the web: the diff of any two, and moving, splitting off or revoking a
version with a reason (arsiparis, admin), with the code `arsip move-version`, `split-version` and
`revoke` run (`api.wiring.regroup_version`: the archive's functions, an audit row, the index)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.web.auth import actor_of
from api.web.deps import MAX_ID, DbId, DbSession, State
from api.web.render import page
from api.wiring import regroup_version
from archive.documents import get_document
from archive.errors import BadInputError, NotFoundError
from archive.localtime import today as local_today
from archive.timeline import diff_rows, diff_versions, timeline

router = APIRouter()

VersionNo = Annotated[int, Query(ge=1, le=MAX_ID)]
Reason = Annotated[str, Form(max_length=2000)]


@router.get("/dokumen/{doc_id}/beda", response_class=HTMLResponse)
def beda(request: Request, session: DbSession, doc_id: DbId, a: VersionNo,
         b: VersionNo) -> HTMLResponse:
    """What changed from version number `a` to `b` of a document (as `arsip versions --diff A B`)."""
    document = get_document(session, doc_id)
    entries = timeline(session, doc_id)
    by_no = {e.version.version_no: e for e in entries}
    for n in (a, b):
        if n not in by_no:
            raise NotFoundError(f"Dokumen #{doc_id} tidak punya versi {n}; pilih versi dari "
                                "tabel riwayat versi di halaman dokumennya.")
    rows = diff_rows(diff_versions(by_no[a].version, by_no[b].version))
    return page(request, "beda.html", {"doc": document, "old": by_no[a], "new": by_no[b],
                                       "rows": rows, "entries": entries})


def _back(doc_id: int, version_no: int) -> RedirectResponse:
    return RedirectResponse(f"/dokumen/{doc_id}?versi={version_no}#riwayat-versi", status_code=303)


@router.post("/versi/{version_id}/pindah")
def pindah(request: Request, state: State, version_id: DbId,
           dokumen: Annotated[int, Form(ge=1, le=MAX_ID)], alasan: Reason = "") -> RedirectResponse:
    """Move a version to another document of the same type (the identity rule guessed wrong)."""
    done = regroup_version(state.sessions, "move", str(version_id), alasan, actor_of(request),
                           state.index_document, document_id=dokumen)
    return _back(done.document_id, done.version_no)


@router.post("/versi/{version_id}/pisah")
def pisah(request: Request, state: State, version_id: DbId, alasan: Reason = "") -> RedirectResponse:
    """Split a version off into a new document of its own."""
    done = regroup_version(state.sessions, "split", str(version_id), alasan, actor_of(request),
                           state.index_document)
    return _back(done.document_id, done.version_no)


@router.post("/versi/{version_id}/cabut")
def cabut(request: Request, state: State, version_id: DbId,
          tanggal: Annotated[str, Form(max_length=10)] = "", alasan: Reason = "") -> RedirectResponse:
    """Revoke a version from a date (the first day it no longer applies)."""
    try:
        on = date.fromisoformat(tanggal) if tanggal else local_today()
    except ValueError as e:
        raise BadInputError(f"Tanggal {tanggal!r} tidak terbaca: tulis TTTT-BB-HH, "
                            "mis. 2024-06-01.") from e
    done = regroup_version(state.sessions, "revoke", str(version_id), alasan, actor_of(request),
                           state.index_document, on=on)
    return _back(done.document_id, done.version_no)
