"""API: documents, versions, files, search, indicators, uploads and their progress."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from sqlalchemy import func, select

from api.web.auth import CurrentUser
from api.web.deps import MAX_ID, DbId, DbSession, State, Year
from api.web.documents import _file_row, download_name
from api.web.jobs import Batch
from api.web.pages import MAX_LIMIT, filters
from api.web.rest.models import (
    ChangeOut,
    CorrectionIn,
    DocumentList,
    DocumentOut,
    DocumentSummary,
    FileOut,
    HighlightOut,
    HitOut,
    IndicatorHitOut,
    IndicatorOut,
    IndicatorsOut,
    ReviewOut,
    RevisionOut,
    SearchOut,
    StepOut,
    UploadFileOut,
    UploadOut,
    VersionOut,
    VersionSummary,
)
from archive.documents import get_document
from archive.errors import BadInputError, NotFoundError
from archive.localtime import today as local_today
from archive.models import Document, StoredFileRow, Version
from archive.timeline import version_in_force

router = APIRouter(prefix="/api/v1")

Text = Annotated[str, Query(max_length=500)]


def utc(value: datetime) -> datetime:
    """A stored time as UTC with its offset (SQLite hands them back naive)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def file_out(row: StoredFileRow) -> FileOut:
    """A file row as the API shows it."""
    return FileOut(sha256=row.sha256, role=row.role, size=row.size, pages=row.pages,
                   scanned=row.scanned, url=f"/api/v1/berkas/{row.sha256}")


def version_summary(v: Version) -> dict[str, object]:
    """The fields of a version shared by summaries and details."""
    upload_no = sorted(other.id for other in v.document.versions).index(v.id) + 1
    return {"id": v.id, "version_no": v.version_no, "upload_no": upload_no, "status": v.status,
            "tanggal_pembuatan": v.tanggal_pembuatan, "tanggal_revisi": v.tanggal_revisi,
            "tanggal_efektif": v.tanggal_efektif, "tanggal_pengesahan": v.tanggal_pengesahan,
            "tanggal_dicabut": v.tanggal_dicabut, "uploaded_at": utc(v.uploaded_at),
            "uploader": v.uploader, "source_filename": v.source_filename,
            "files": [file_out(f) for f in v.files]}


def document_summary(d: Document) -> dict[str, object]:
    """The fields of a document shared by the list and the detail."""
    return {"id": d.id, "doc_type": d.doc_type, "nomor": d.nomor, "title": d.title,
            "instansi": d.instansi, "tahun": d.tahun, "created_at": utc(d.created_at)}


@router.get("/dokumen", response_model=DocumentList, summary="Daftar dokumen (terbaru dulu)")
def list_documents(session: DbSession, jenis: Text = "",
                   limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
                   offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> DocumentList:
    """Documents, newest first, optionally of one type."""
    stmt = select(Document)
    if jenis:
        stmt = stmt.where(Document.doc_type == jenis)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Document.id.desc()).limit(limit).offset(offset)).all()
    return DocumentList(total=total, items=[DocumentSummary.model_validate(document_summary(d))
                                            for d in rows])


@router.get("/dokumen/{doc_id}", response_model=DocumentOut, summary="Satu dokumen dan versinya")
def document(session: DbSession, doc_id: DbId) -> DocumentOut:
    """A document, its versions (oldest first) and the version in force today."""
    d = get_document(session, doc_id)
    in_force = version_in_force(d, local_today())
    return DocumentOut.model_validate({
        **document_summary(d), "in_force_version_id": in_force.id if in_force else None,
        "versions": [VersionSummary.model_validate(version_summary(v)) for v in d.versions]})


@router.get("/versi/{version_id}", response_model=VersionOut, summary="Satu versi dan hasil bacaannya")
def version(session: DbSession, version_id: DbId) -> VersionOut:
    """A version with its steps, indicator rows and the full extraction JSON."""
    v = session.get(Version, version_id)
    if v is None:
        raise NotFoundError(f"Versi {version_id} tidak ada.")
    steps = [StepOut(no=s.no, kegiatan=s.kegiatan, pelaksana=s.pelaksana,
                     kelengkapan=s.kelengkapan, waktu_text=s.waktu_text, output=s.output,
                     keterangan=s.keterangan, page=s.page) for s in v.steps]
    rows = [IndicatorOut(sasaran=r.sasaran, indikator=r.indikator, satuan=r.satuan,
                         target=r.target, realisasi=r.realisasi, capaian=r.capaian,
                         target_text=r.target_text, realisasi_text=r.realisasi_text, page=r.page)
            for r in v.indicators]
    return VersionOut.model_validate({**version_summary(v), "document_id": v.document_id,
                                      "steps": steps, "indicators": rows,
                                      "extraction": v.extraction or {}})


@router.get("/berkas/{sha256}", summary="Unduh berkas apa adanya",
            response_class=FileResponse,
            responses={200: {"content": {"application/pdf": {}}, "description": "Berkasnya."}})
def file(session: DbSession, state: State,
         sha256: Annotated[str, PathParam(max_length=64)]) -> FileResponse:
    """A stored file exactly as kept."""
    row = _file_row(session, sha256)
    path = state.store.path(row.sha256)
    if not path.is_file():
        raise NotFoundError(f"Berkas {row.sha256[:12]}… tercatat tetapi tidak ada di penyimpanan.")
    return FileResponse(path, media_type=row.mime, filename=download_name(row))


SearchLimit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


@router.get("/cari", response_model=SearchOut, summary="Cari dokumen")
def search(state: State, q: Text = "", jenis: Text = "", instansi: Text = "", tahun: Year = None,
           riwayat: bool = False, limit: SearchLimit = 20) -> SearchOut:
    """Words, "phrases" and -exclusions, with filters; one hit per version."""
    f = filters(q, jenis, instansi, str(tahun or ""), "1" if riwayat else "", limit)
    if not f.asked:
        return SearchOut(hits=[], partial=False, fuzzy=False)
    found = state.search.search(f.query())
    return SearchOut(partial=found.partial, fuzzy=found.fuzzy, hits=[HitOut(
        doc_id=h.doc_id, version_id=h.version_id, version_no=h.version_no, page=h.page,
        score=h.score, doc_type=h.doc_type, title=h.title, nomor=h.nomor, instansi=h.instansi,
        tahun=h.tahun, status=h.status, in_force=h.in_force,
        highlights=[HighlightOut(page=x.page, text=x.text, marks=[list(m) for m in x.marks])
                    for x in h.highlights]) for h in found.hits])


@router.get("/indikator", response_model=IndicatorsOut, summary="Cari baris indikator kinerja")
def indicators(state: State, q: Text = "", jenis: Text = "", instansi: Text = "",
               tahun: Year = None, riwayat: bool = False,
               limit: SearchLimit = 100) -> IndicatorsOut:
    """Measurement rows (sasaran, indikator, target, realisasi, capaian) that match."""
    f = filters(q, jenis, instansi, str(tahun or ""), "1" if riwayat else "", limit)
    if not f.asked:
        return IndicatorsOut(hits=[], partial=False, fuzzy=False)
    found = state.search.search_indicators(f.query())
    return IndicatorsOut(partial=found.partial, fuzzy=found.fuzzy, hits=[IndicatorHitOut(
        doc_id=h.doc_id, version_id=h.version_id, doc_type=h.doc_type, title=h.title,
        instansi=h.instansi, tahun=h.tahun, in_force=h.in_force, sasaran=h.row.sasaran,
        indikator=h.row.indikator, satuan=h.row.satuan, target=h.row.target,
        realisasi=h.row.realisasi, capaian=h.row.capaian, target_text=h.row.target_text,
        realisasi_text=h.row.realisasi_text, page=h.row.page) for h in found.hits])


def upload_out(batch: Batch) -> UploadOut:
    """An upload's progress."""
    return UploadOut(id=batch.id, created=batch.created, uploader=batch.uploader,
                     pending=batch.pending, files=[UploadFileOut(
                         name=f.name, state=f.state, outcome=f.outcome, message=f.message,
                         document_id=f.document_id, pages=f.pages, attempt=f.attempt,
                         worker=f.worker, stage=f.stage, pages_done=f.pages_done)
                         for f in batch.files])


@router.post("/unggahan", response_model=UploadOut, status_code=202, summary="Unggah PDF")
def upload(state: State, user: CurrentUser,
           berkas: Annotated[list[UploadFile], File()]) -> UploadOut:
    """Queue PDFs for reading (as the calling account); poll `GET /unggahan/{id}` for progress."""
    chosen = [f for f in berkas if f.filename]
    return upload_out(state.uploads.submit(((f.filename, f.file) for f in chosen), user.name))


@router.get("/unggahan/{batch_id}", response_model=UploadOut, summary="Kemajuan sebuah unggahan")
def upload_progress(state: State, batch_id: Annotated[str, PathParam(max_length=64)]) -> UploadOut:
    """Each file's state and outcome."""
    return upload_out(state.uploads.batch(batch_id))


def review_out(session: DbSession, v: Version, index_warning: str | None = None) -> ReviewOut:
    """A version's review state, revisions and both readings."""
    from archive.revisions import history, machine_reading, review

    state = review(session, v)
    revisions = [RevisionOut(revision_no=r.revision_no, at=utc(r.at), actor=r.actor,
                             reason=r.reason, changes=[ChangeOut(**c) for c in r.changes])
                 for r in history(session, v.id)]
    return ReviewOut(version_id=v.id, document_id=v.document_id, diperiksa=state.diperiksa,
                     marked=state.marked, open=state.open, revisions=revisions,
                     machine_reading=machine_reading(session, v), extraction=v.extraction or {},
                     index_warning=index_warning)


@router.get("/versi/{version_id}/koreksi", response_model=ReviewOut,
            summary="Kolom bertanda, riwayat koreksi, dan hasil baca mesin sebuah versi")
def version_review(session: DbSession, version_id: DbId) -> ReviewOut:
    """Marked fields, which are still open, every revision, the machine's and the current reading."""
    v = session.get(Version, version_id)
    if v is None:
        raise NotFoundError(f"Versi {version_id} tidak ada.")
    return review_out(session, v)


@router.post("/versi/{version_id}/koreksi", response_model=ReviewOut, status_code=201,
             summary="Koreksi hasil baca sebuah versi (satu revisi, tercatat di jejak audit)")
def correct_version_api(request: Request, session: DbSession, state: State, version_id: DbId,
                        body: CorrectionIn) -> ReviewOut:
    """Save corrections (and confirmations) as one revision; the search index follows at once."""
    from api.web.auth import actor_of
    from api.wiring import correct_version

    if not (body.set or body.confirm or body.add or body.remove):
        raise BadInputError("Isi sedikitnya satu kolom di 'set', 'confirm', 'add' atau 'remove'.")
    done = correct_version(state.sessions, str(version_id),
                           [(f.field, f.value or "") for f in body.set], body.reason,
                           actor_of(request), state.index_document, confirm=body.confirm,
                           add=body.add, remove=body.remove)
    session.expire_all()
    v = session.get(Version, version_id)
    assert v is not None
    return review_out(session, v, done.index_warning)
