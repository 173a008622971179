"""Table models of the archive: documents, their versions, files, steps, indicators, ingest jobs.

A document is one SOP, report or form over time; each upload of a new edition is a version
(append-only, numbered 1, 2, ... per document); a version owns its files (the original and, later,
derived copies) and the rows read from it (SOP steps, performance indicators) so they can be
queried without opening the extraction JSON.  Portable types only: the same models run on SQLite
and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base

VERSION_STATUSES = ("berlaku", "digantikan", "dicabut")
FILE_ROLES = ("original", "searchable", "scan", "stamped")
JOB_STATUSES = ("running", "done", "duplicate", "refused", "failed")

# JSON everywhere; JSONB on PostgreSQL so auditors can query inside it.
JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (column default)."""
    return datetime.now(UTC)


class Document(Base):
    """One document over time (an SOP with its revisions, an office's LKjIP of one year, ...)."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(32), index=True)
    # The rule that says "this upload is a new edition of that document" (see identity_key());
    # NULL when the extraction is too thin to tell, and then every upload is its own document.
    identity_key: Mapped[str | None] = mapped_column(String(512), unique=True)
    nomor: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(Text)
    instansi: Mapped[str | None] = mapped_column(String(512), index=True)
    tahun: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    versions: Mapped[list[Version]] = relationship(
        back_populates="document", order_by="Version.version_no", cascade="all, delete-orphan"
    )


class Version(Base):
    """One edition of a document as uploaded; append-only, numbered per document."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("document_id", "version_no"),
        CheckConstraint(
            "status IN ('berlaku', 'digantikan', 'dicabut')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    version_no: Mapped[int] = mapped_column(Integer)
    tanggal_pembuatan: Mapped[date | None] = mapped_column(Date)
    tanggal_revisi: Mapped[date | None] = mapped_column(Date)
    tanggal_efektif: Mapped[date | None] = mapped_column(Date)
    tanggal_pengesahan: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="berlaku")
    # When a 'dicabut' version stopped being in force (0003_archive); NULL: not revoked, or unknown.
    tanggal_dicabut: Mapped[date | None] = mapped_column(Date)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    uploader: Mapped[str | None] = mapped_column(String(255))
    source_filename: Mapped[str | None] = mapped_column(String(1024))
    extraction: Mapped[dict[str, Any]] = mapped_column(JsonType)

    document: Mapped[Document] = relationship(back_populates="versions")
    files: Mapped[list[StoredFileRow]] = relationship(
        back_populates="version", order_by="StoredFileRow.id", cascade="all, delete-orphan"
    )
    steps: Mapped[list[StepRow]] = relationship(
        order_by="StepRow.position", cascade="all, delete-orphan"
    )
    indicators: Mapped[list[IndicatorRow]] = relationship(
        order_by="IndicatorRow.position", cascade="all, delete-orphan"
    )


class StoredFileRow(Base):
    """A file in the content-addressed store that belongs to a version (original, searchable, ...)."""

    __tablename__ = "files"
    __table_args__ = (
        CheckConstraint(
            "role IN ('original', 'searchable', 'scan', 'stamped')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    pages: Mapped[int | None] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(128), default="application/pdf")
    storage_path: Mapped[str] = mapped_column(String(255))  # relative to the store's root
    scanned: Mapped[bool] = mapped_column(default=False)
    role: Mapped[str] = mapped_column(String(16), default="original")

    version: Mapped[Version] = relationship(back_populates="files")


class StepRow(Base):
    """One row of an SOP flowchart, as read from a version."""

    __tablename__ = "steps"
    __table_args__ = (UniqueConstraint("version_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # order in the document, from 1
    no: Mapped[int | None] = mapped_column(Integer)  # as printed
    kegiatan: Mapped[str] = mapped_column(Text)
    pelaksana: Mapped[str | None] = mapped_column(String(255))
    kelengkapan: Mapped[str | None] = mapped_column(Text)
    waktu_text: Mapped[str | None] = mapped_column(String(255))
    waktu_value: Mapped[float | None] = mapped_column(Float)
    waktu_unit: Mapped[str | None] = mapped_column(String(16))
    output: Mapped[str | None] = mapped_column(Text)
    keterangan: Mapped[str | None] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)


class IndicatorRow(Base):
    """One performance-measurement row (LKjIP, form, Perjanjian Kinerja) of a version."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("version_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    sasaran: Mapped[str | None] = mapped_column(Text)
    indikator: Mapped[str] = mapped_column(Text)
    satuan: Mapped[str | None] = mapped_column(String(255))
    target: Mapped[float | None] = mapped_column(Float)
    realisasi: Mapped[float | None] = mapped_column(Float)
    capaian: Mapped[float | None] = mapped_column(Float)
    target_triwulan: Mapped[list[float | None]] = mapped_column(JsonType, default=list)
    target_text: Mapped[str | None] = mapped_column(String(255))
    realisasi_text: Mapped[str | None] = mapped_column(String(255))
    page: Mapped[int | None] = mapped_column(Integer)


class Job(Base):
    """The ingest log: one row per file handed to the pipeline, with how it ended."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'done', 'duplicate', 'refused', 'failed')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), default="ingest")
    status: Mapped[str] = mapped_column(String(16), index=True)
    source_filename: Mapped[str | None] = mapped_column(String(1024))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    # No foreign key: a job outlives what it points at, and a failed job points at nothing.
    version_id: Mapped[int | None] = mapped_column(Integer)
    error_code: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# --- stamped copies and retention (0003_archive) --------------------------------------------------
FATES = ("permanen", "musnah")


class CopyRow(Base):
    """One stamped copy (salinan) handed out: the file, its verification code, who, for whom, why."""

    __tablename__ = "copies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # in the QR code's URL
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("files.id"))  # the original copied
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), unique=True)  # the stamped PDF
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    issued_by: Mapped[str | None] = mapped_column(String(255))
    issued_for: Mapped[str | None] = mapped_column(String(512))
    purpose: Mapped[str | None] = mapped_column(Text)
    certifier_jabatan: Mapped[str] = mapped_column(String(255))
    certifier_nama: Mapped[str] = mapped_column(String(255))
    certifier_nip: Mapped[str | None] = mapped_column(String(32))
    # The account whose official profile certified the copy (0004_accounts); NULL for older copies.
    certifier_account: Mapped[str | None] = mapped_column(String(64))

    version: Mapped[Version] = relationship()
    source_file: Mapped[StoredFileRow] = relationship(foreign_keys=[source_file_id])
    file: Mapped[StoredFileRow] = relationship(foreign_keys=[file_id])


class RetentionRule(Base):
    """The retention schedule (Jadwal Retensi Arsip) of one document type: editable data."""

    __tablename__ = "retention_rules"
    __table_args__ = (
        CheckConstraint("final_fate IN ('permanen', 'musnah')", name="fate_known"),
        CheckConstraint("active_years >= 0 AND inactive_years >= 0", name="years_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(32), unique=True)
    kka: Mapped[str] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    active_years: Mapped[int] = mapped_column(Integer)
    inactive_years: Mapped[int] = mapped_column(Integer)
    final_fate: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)
