"""Documents and their versions: which document an upload belongs to, adding a version, reading back.

Everything here takes the extraction as its schema JSON (`Extraction.to_json()`), the one shape
shared by the database, the index and the API, so `archive` does not depend on `ingest`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from archive.errors import NotFoundError
from archive.models import Document, IndicatorRow, Job, StepRow, StoredFileRow, Version
from archive.store import StoredFile

log = logging.getLogger(__name__)

Extraction = Mapping[str, Any]  # the schema's JSON object


@dataclass(frozen=True)
class Placement:
    """Where a newly recorded version went."""

    document_id: int
    version_id: int
    version_no: int
    new_document: bool


# --- identity ------------------------------------------------------------------------------------
def identity_key(extraction: Extraction) -> str | None:
    """The key that makes two uploads versions of one document; None: always a new document.

    SOP: normalised number + office.  LKjIP: office + year.  Form: office + year + title.
    Anything else, or an extraction missing a part of its key, is a document of its own.
    """
    doc_type = extraction.get("doc_type")
    office = normalise_text(extraction.get("instansi"))
    parts: Sequence[str | None]
    if doc_type == "sop":
        parts = (office, normalise_nomor(extraction.get("nomor")))
    elif doc_type == "lkjip":
        parts = (office, _year(extraction))
    elif doc_type == "form_data_kinerja":
        parts = (office, _year(extraction), normalise_text(extraction.get("title")))
    else:
        return None
    if not all(parts):
        return None
    return "|".join([str(doc_type), *(p for p in parts if p)])


def normalise_nomor(nomor: str | None) -> str | None:
    """A document number for matching: no spaces, upper case (`800 / 1.11 /121` = `800/1.11/121`)."""
    if not nomor:
        return None
    out = re.sub(r"\s+", "", nomor).upper().strip("./-")
    return out or None


def normalise_text(text: str | None) -> str | None:
    """Office names and titles for matching: case, punctuation and spacing ignored."""
    if not text:
        return None
    out = re.sub(r"[^\w]+", " ", text.casefold()).strip()
    return re.sub(r"\s+", " ", out) or None


def _year(extraction: Extraction) -> str | None:
    tahun = extraction.get("tahun")
    return str(int(tahun)) if isinstance(tahun, int | float) and tahun else None


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
) -> Placement:
    """Add the rows of one upload (document if new, version, original file, steps, indicators).

    Only adds and flushes; the caller commits, so everything lands in one transaction.
    """
    key = identity_key(extraction)
    document = _find_document(session, key)
    new_document = document is None
    if document is None:
        document = Document(doc_type=str(extraction.get("doc_type") or "other"), identity_key=key)
        session.add(document)
        session.flush()
    version = _new_version(session, document, extraction, source_filename, uploader)
    version.files.append(_file_row(stored, extraction, role="original"))
    version.steps.extend(_step_rows(extraction.get("steps") or ()))
    version.indicators.extend(_indicator_rows(extraction.get("indicators") or ()))
    session.flush()
    refresh_statuses(document)
    session.flush()
    log.info("document %d: version %d (%s)", document.id, version.version_no, version.status)
    return Placement(document.id, version.id, version.version_no, new_document)


def _find_document(session: Session, key: str | None) -> Document | None:
    if key is None:
        return None
    return session.scalars(select(Document).where(Document.identity_key == key)).first()


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


def _step_rows(steps: Sequence[Mapping[str, Any]]) -> list[StepRow]:
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


def _indicator_rows(indicators: Sequence[Mapping[str, Any]]) -> list[IndicatorRow]:
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


def parse_iso_date(value: Any) -> date | None:
    """An ISO date string from an extraction as a `date`; None (logged) when unreadable."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        log.warning("ignoring unreadable date %r", value)
        return None


# --- status --------------------------------------------------------------------------------------
def refresh_statuses(document: Document) -> None:
    """The newest version in force is 'berlaku', older ones 'digantikan'; 'dicabut' stays.

    Newest means the latest effective date (else revision, approval, creation date); undated
    versions rank below dated ones, and ties go to the later upload.
    """
    live = [v for v in document.versions if v.status != "dicabut"]
    if not live:
        return
    ranked = sorted(live, key=_recency)
    for version in ranked[:-1]:
        version.status = "digantikan"
    current = ranked[-1]
    current.status = "berlaku"
    _copy_metadata(document, current.extraction)


def _recency(version: Version) -> tuple[date, int]:
    when = (
        version.tanggal_efektif
        or version.tanggal_revisi
        or version.tanggal_pengesahan
        or version.tanggal_pembuatan
        or date.min
    )
    return when, version.version_no


def _copy_metadata(document: Document, extraction: Extraction) -> None:
    """The document shows what its version in force says."""
    document.nomor = extraction.get("nomor")
    document.title = extraction.get("title")
    document.instansi = extraction.get("instansi")
    tahun = extraction.get("tahun")
    document.tahun = int(tahun) if isinstance(tahun, int | float) else None


# --- the ingest log ------------------------------------------------------------------------------
def log_job(
    session: Session,
    status: str,
    *,
    source_filename: str | None = None,
    sha256: str | None = None,
    version_id: int | None = None,
    error: Exception | None = None,
) -> Job:
    """Add one finished row to the ingest log (the caller commits)."""
    job = Job(
        kind="ingest",
        status=status,
        source_filename=source_filename,
        sha256=sha256,
        version_id=version_id,
        error_code=getattr(error, "code", type(error).__name__) if error else None,
        message=str(getattr(error, "message", error)) if error else None,
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
        raise NotFoundError(f"document #{document_id} does not exist; `arsip ingest` adds one.")
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
