"""Documents and their versions: adding a version, an archivist's corrections, the ingest log, reading back.

Which document an upload belongs to is `archive.identity`; how versions are numbered and which one
is in force is `archive.standings`.

Everything here takes the extraction as its schema JSON (`Extraction.to_json()`), the one shape
shared by the database, the index and the API, so `archive` does not depend on `ingest`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from archive.errors import ConflictError, NotFoundError
from archive.identity import Decision, DecisionKind, decide, identity_key
from archive.models import Document, IndicatorRow, Job, StepRow, StoredFileRow, Version
from archive.standings import DATE_FIELDS, parse_iso_date, refresh_statuses
from archive.store import StoredFile

log = logging.getLogger(__name__)

Extraction = Mapping[str, Any]  # the schema's JSON object




@dataclass(frozen=True)
class Placement:
    """Where a newly recorded upload went, and why (`outcome` 'new_file': another file of a version)."""

    document_id: int
    version_id: int
    version_no: int
    new_document: bool
    outcome: DecisionKind = "new_version"
    reason: str = ""


# --- writing -------------------------------------------------------------------------------------
def find_version_by_sha256(session: Session, sha256: str) -> Version | None:
    """The version holding a file with these bytes, if any."""
    stmt = select(Version).join(StoredFileRow).where(StoredFileRow.sha256 == sha256)
    return session.scalars(stmt).first()


def add_version(
    session: Session,
    extraction: Extraction,
    stored: StoredFile,
    *,
    source_filename: str | None = None,
    uploader: str | None = None,
    into: int | None = None,
) -> Placement:
    """Add the rows of one upload (document if new, version, original file, steps, indicators).

    `into`: make it a new version of that document whatever the identity rules would say (a
    letter printed again for its signing date: letters are otherwise always new documents).
    Only adds and flushes; the caller commits, so everything lands in one transaction.
    """
    if into is not None:
        target = session.get(Document, into)
        if target is None:
            raise NotFoundError(f"Dokumen #{into} tidak ada.")
        decision = Decision("new_version", f"versi baru dokumen #{into} yang diminta", target)
    else:
        decision = decide(session, extraction)
    if decision.kind == "new_file" and decision.version is not None:
        return _add_file(session, decision.version, extraction, stored, decision.reason)
    document = decision.document
    if document is None:
        document = Document(doc_type=str(extraction.get("doc_type") or "other"),
                            identity_key=identity_key(extraction))
        session.add(document)
        session.flush()
    elif document.identity_key is None:
        document.identity_key = identity_key(extraction)  # found by title, now with a number
    version = _new_version(session, document, extraction, source_filename, uploader)
    version.files.append(_file_row(stored, extraction, role="original"))
    version.steps.extend(step_rows(extraction.get("steps") or ()))
    version.indicators.extend(indicator_rows(extraction.get("indicators") or ()))
    session.flush()
    refresh_statuses(document)
    session.flush()
    log.info("document %d: version %d (%s): %s", document.id, version.version_no,
             version.status, decision.reason)
    return Placement(document.id, version.id, version.version_no, decision.kind == "new_document",
                     decision.kind, decision.reason)


def attach_file(session: Session, version_id: int, stored: StoredFile, *, role: str,
                pages: int | None = None, scanned: bool = False) -> None:
    """Add a derived file (the searchable copy of a scan) to a version; once per stored file."""
    if session.scalar(select(StoredFileRow.id).where(StoredFileRow.sha256 == stored.sha256)):
        return
    session.add(StoredFileRow(version_id=version_id, sha256=stored.sha256, size=stored.size,
                              pages=pages, mime="application/pdf",
                              storage_path=stored.relative_path, scanned=scanned, role=role))
    session.flush()


def _add_file(
    session: Session, version: Version, extraction: Extraction, stored: StoredFile, reason: str
) -> Placement:
    """Another file of an existing version; a born-digital twin's reading replaces an OCR one."""
    role = "scan" if extraction.get("scanned") else "original"
    only_scans = all(f.scanned for f in version.files)
    version.files.append(_file_row(stored, extraction, role=role))
    if only_scans and not extraction.get("scanned"):
        _replace_reading(session, version, extraction)
    session.flush()
    log.info("version %d: another file (%s): %s", version.id, role, reason)
    return Placement(version.document_id, version.id, version.version_no, False, "new_file",
                     reason)


def _replace_reading(session: Session, version: Version, extraction: Extraction) -> None:
    """The text layer of the digital twin is exact where OCR guesses: keep its fields and rows,
    except what a person corrected (`revisions.reread`); the version's dates stay."""
    from archive.revisions import reread

    merged = dict(extraction)
    for name in DATE_FIELDS:
        if getattr(version, name) is not None:
            merged[name] = getattr(version, name).isoformat()
    reread(session, version, merged)


def _new_version(
    session: Session,
    document: Document,
    extraction: Extraction,
    source_filename: str | None,
    uploader: str | None,
) -> Version:
    last = session.scalar(
        select(func.max(Version.version_no)).where(Version.document_id == document.id)
    )
    version = Version(
        version_no=(last or 0) + 1,
        tanggal_pembuatan=parse_iso_date(extraction.get("tanggal_pembuatan")),
        tanggal_revisi=parse_iso_date(extraction.get("tanggal_revisi")),
        tanggal_efektif=parse_iso_date(extraction.get("tanggal_efektif")),
        tanggal_pengesahan=parse_iso_date(extraction.get("tanggal_pengesahan")),
        status="berlaku",
        uploader=uploader,
        source_filename=source_filename,
        extraction=dict(extraction),
    )
    document.versions.append(version)
    return version


def _file_row(stored: StoredFile, extraction: Extraction, role: str) -> StoredFileRow:
    return StoredFileRow(
        sha256=stored.sha256,
        size=stored.size,
        pages=extraction.get("pages") or None,
        mime="application/pdf",
        storage_path=stored.relative_path,
        scanned=bool(extraction.get("scanned")),
        role=role,
    )


def step_rows(steps: Sequence[Mapping[str, Any]]) -> list[StepRow]:
    rows = []
    for position, s in enumerate(steps, start=1):
        waktu = s.get("waktu") or {}
        rows.append(StepRow(
            position=position, no=s.get("no"), kegiatan=s.get("kegiatan") or "",
            pelaksana=s.get("pelaksana"), kelengkapan=s.get("kelengkapan"),
            waktu_text=waktu.get("text"), waktu_value=waktu.get("value"),
            waktu_unit=waktu.get("unit"), output=s.get("output"),
            keterangan=s.get("keterangan"), page=s.get("page"),
        ))
    return rows


def indicator_rows(indicators: Sequence[Mapping[str, Any]]) -> list[IndicatorRow]:
    rows = []
    for position, i in enumerate(indicators, start=1):
        rows.append(IndicatorRow(
            position=position, sasaran=i.get("sasaran"), indikator=i.get("indikator") or "",
            satuan=i.get("satuan"), target=i.get("target"), realisasi=i.get("realisasi"),
            capaian=i.get("capaian"), target_triwulan=list(i.get("target_triwulan") or []),
            target_text=i.get("target_text"), realisasi_text=i.get("realisasi_text"),
            page=i.get("page"),
        ))
    return rows



# --- corrections by an archivist -----------------------------------------------------------------
def move_version(
    session: Session, version_id: int, document_id: int, *, reason: str, by: str | None = None
) -> Placement:
    """Move a version (with its files and rows) to another document, numbered last there."""
    version = get_version(session, version_id)
    target = get_document(session, document_id)
    source = version.document
    if source.id == target.id:
        raise ConflictError(f"Versi {version_id} sudah termasuk dokumen #{document_id}; "
                            "tidak ada yang perlu dipindahkan.")
    if source.doc_type != target.doc_type:
        raise ConflictError(f"Versi {version_id} berjenis {source.doc_type}, sedangkan dokumen "
                            f"#{document_id} berjenis {target.doc_type}: keduanya tidak dapat "
                            "menjadi versi dari satu dokumen. Pilih dokumen yang sejenis.")
    return _rehome(session, version, target, reason, by)


def split_version(
    session: Session, version_id: int, *, reason: str, by: str | None = None
) -> Placement:
    """Split a version off into a new document of its own (when the rule guessed wrong)."""
    version = get_version(session, version_id)
    source = version.document
    if len(source.versions) < 2:
        raise ConflictError(f"Versi {version_id} adalah satu-satunya versi dokumen "
                            f"#{source.id}: versi itu sudah menjadi dokumen tersendiri.")
    target = Document(doc_type=source.doc_type, identity_key=None)
    session.add(target)
    session.flush()
    return _rehome(session, version, target, reason, by)


def _rehome(
    session: Session, version: Version, target: Document, reason: str, by: str | None
) -> Placement:
    source = version.document
    old = f"versi {version.version_no} dari #{source.id}"
    last = max((v.version_no for v in target.versions), default=0)
    # Number and parent change in one UPDATE, so (document_id, version_no) never collides.
    version.version_no = last + 1
    version.document = target
    session.flush()
    session.refresh(source, ["versions"])
    for document in (source, target):
        if document.versions:
            refresh_statuses(document)
    if not source.versions:
        session.delete(source)
    message = (f"{by or 'arsiparis'} memindahkan {old} menjadi versi {version.version_no} "
               f"dari #{target.id}: {reason}")
    log_job(session, "done", kind="move", version_id=version.id, message=message)
    session.flush()
    log.info(message)
    return Placement(target.id, version.id, version.version_no, False, "new_version", message)


def revoke_version(
    session: Session, version_id: int, on: date, *, reason: str, by: str | None = None
) -> Version:
    """Mark a version 'dicabut' from date `on`; the newest remaining version is in force."""
    version = get_version(session, version_id)
    version.status = "dicabut"
    version.tanggal_dicabut = on
    refresh_statuses(version.document)
    log_job(session, "done", kind="revoke", version_id=version.id,
            message=f"{by or 'arsiparis'} mencabut versi {version.version_no} dari "
                    f"#{version.document_id} mulai {on.isoformat()}: {reason}")
    session.flush()
    return version


def get_version(session: Session, version_id: int) -> Version:
    version = session.get(Version, version_id)
    if version is None:
        raise NotFoundError(f"Versi {version_id} tidak ada; lihat nomor versi di halaman dokumen "
                            "atau dengan `arsip versions DOKUMEN`.")
    return version


# --- the ingest log ------------------------------------------------------------------------------
def log_job(
    session: Session,
    status: str,
    *,
    source_filename: str | None = None,
    sha256: str | None = None,
    version_id: int | None = None,
    error: Exception | None = None,
    message: str | None = None,
    kind: str = "ingest",
) -> Job:
    """Add one finished row to the log (the caller commits); `message`: why, for a success."""
    job = Job(
        kind=kind,
        status=status,
        source_filename=source_filename,
        sha256=sha256,
        version_id=version_id,
        error_code=getattr(error, "code", type(error).__name__) if error else None,
        message=str(getattr(error, "message", error)) if error else message,
        finished_at=datetime.now(UTC),
    )
    session.add(job)
    return job


# --- reading -------------------------------------------------------------------------------------
def get_document(session: Session, document_id: int) -> Document:
    """A document with its versions and files; `NotFoundError` if there is none."""
    stmt = (
        select(Document)
        .where(Document.id == document_id)
        .options(selectinload(Document.versions).selectinload(Version.files))
    )
    document = session.scalars(stmt).first()
    if document is None:
        raise NotFoundError(f"Dokumen #{document_id} tidak ada; cari dokumennya lewat kotak "
                            "pencarian (baris perintah: `arsip search`), atau unggah dokumennya.")
    return document


def document_to_json(session: Session, document: Document) -> dict[str, Any]:
    """A document with its versions and files as plain JSON (for `arsip show --json`, the API)."""
    counts = _row_counts(session, [v.id for v in document.versions])
    return {
        "id": document.id,
        "doc_type": document.doc_type,
        "identity_key": document.identity_key,
        "nomor": document.nomor,
        "title": document.title,
        "instansi": document.instansi,
        "tahun": document.tahun,
        "created_at": _iso(document.created_at),
        "versions": [_version_json(v, counts.get(v.id, (0, 0))) for v in document.versions],
    }


def _version_json(version: Version, counts: tuple[int, int]) -> dict[str, Any]:
    return {
        "id": version.id,
        "version_no": version.version_no,
        "status": version.status,
        "tanggal_pembuatan": _iso(version.tanggal_pembuatan),
        "tanggal_revisi": _iso(version.tanggal_revisi),
        "tanggal_efektif": _iso(version.tanggal_efektif),
        "tanggal_pengesahan": _iso(version.tanggal_pengesahan),
        "uploaded_at": _iso(version.uploaded_at),
        "uploader": version.uploader,
        "source_filename": version.source_filename,
        "steps": counts[0],
        "indicators": counts[1],
        "files": [
            {"sha256": f.sha256, "size": f.size, "pages": f.pages, "mime": f.mime,
             "role": f.role, "scanned": f.scanned, "storage_path": f.storage_path}
            for f in version.files
        ],
    }


def _row_counts(session: Session, version_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(steps, indicators) per version, in two grouped queries."""
    steps = _count_by_version(session, StepRow.version_id, version_ids)
    indicators = _count_by_version(session, IndicatorRow.version_id, version_ids)
    return {v: (steps.get(v, 0), indicators.get(v, 0)) for v in version_ids}


def _count_by_version(
    session: Session, column: InstrumentedAttribute[int], version_ids: list[int]
) -> dict[int, int]:
    stmt = select(column, func.count()).where(column.in_(version_ids)).group_by(column)
    return {version_id: count for version_id, count in session.execute(stmt)}


def _iso(value: date | datetime | None) -> str | None:
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # SQLite drops the zone; we only ever write UTC
    return value.isoformat() if value else None
