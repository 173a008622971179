"""Core tables: documents, versions, files, steps, indicators, jobs.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_core"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Create the archive's core tables."""
    _documents()
    _versions()
    _files()
    _steps()
    _indicators()
    _jobs()


def _documents() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=32), nullable=False),
        sa.Column("identity_key", sa.String(length=512), nullable=True),
        sa.Column("nomor", sa.String(length=255), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("instansi", sa.String(length=512), nullable=True),
        sa.Column("tahun", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("identity_key", name=op.f("uq_documents_identity_key")),
    )
    op.create_index(op.f("ix_documents_doc_type"), "documents", ["doc_type"])
    op.create_index(op.f("ix_documents_instansi"), "documents", ["instansi"])
    op.create_index(op.f("ix_documents_tahun"), "documents", ["tahun"])


def _versions() -> None:
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("tanggal_pembuatan", sa.Date(), nullable=True),
        sa.Column("tanggal_revisi", sa.Date(), nullable=True),
        sa.Column("tanggal_efektif", sa.Date(), nullable=True),
        sa.Column("tanggal_pengesahan", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploader", sa.String(length=255), nullable=True),
        sa.Column("source_filename", sa.String(length=1024), nullable=True),
        sa.Column("extraction", JSON, nullable=False),
        sa.CheckConstraint(
            "status IN ('berlaku', 'digantikan', 'dicabut')", name=op.f("ck_versions_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"],
            name=op.f("fk_versions_document_id_documents"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_versions")),
        sa.UniqueConstraint(
            "document_id", "version_no", name=op.f("uq_versions_document_id_version_no")
        ),
    )
    op.create_index(op.f("ix_versions_document_id"), "versions", ["document_id"])


def _files() -> None:
    op.create_table(
        "files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("mime", sa.String(length=128), nullable=False),
        sa.Column("storage_path", sa.String(length=255), nullable=False),
        sa.Column("scanned", sa.Boolean(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "role IN ('original', 'searchable', 'scan', 'stamped')", name=op.f("ck_files_role_known")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"],
            name=op.f("fk_files_version_id_versions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_files_sha256")),
    )
    op.create_index(op.f("ix_files_version_id"), "files", ["version_id"])


def _steps() -> None:
    op.create_table(
        "steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("no", sa.Integer(), nullable=True),
        sa.Column("kegiatan", sa.Text(), nullable=False),
        sa.Column("pelaksana", sa.String(length=255), nullable=True),
        sa.Column("kelengkapan", sa.Text(), nullable=True),
        sa.Column("waktu_text", sa.String(length=255), nullable=True),
        sa.Column("waktu_value", sa.Float(), nullable=True),
        sa.Column("waktu_unit", sa.String(length=16), nullable=True),
        sa.Column("output", sa.Text(), nullable=True),
        sa.Column("keterangan", sa.Text(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"],
            name=op.f("fk_steps_version_id_versions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_steps")),
        sa.UniqueConstraint("version_id", "position", name=op.f("uq_steps_version_id_position")),
    )
    op.create_index(op.f("ix_steps_version_id"), "steps", ["version_id"])


def _indicators() -> None:
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sasaran", sa.Text(), nullable=True),
        sa.Column("indikator", sa.Text(), nullable=False),
        sa.Column("satuan", sa.String(length=255), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("realisasi", sa.Float(), nullable=True),
        sa.Column("capaian", sa.Float(), nullable=True),
        sa.Column("target_triwulan", JSON, nullable=False),
        sa.Column("target_text", sa.String(length=255), nullable=True),
        sa.Column("realisasi_text", sa.String(length=255), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"],
            name=op.f("fk_indicators_version_id_versions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
        sa.UniqueConstraint(
            "version_id", "position", name=op.f("uq_indicators_version_id_position")
        ),
    )
    op.create_index(op.f("ix_indicators_version_id"), "indicators", ["version_id"])


def _jobs() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source_filename", sa.String(length=1024), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'done', 'duplicate', 'refused', 'failed')",
            name=op.f("ck_jobs_status_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index(op.f("ix_jobs_sha256"), "jobs", ["sha256"])
    op.create_index(op.f("ix_jobs_status"), "jobs", ["status"])


def downgrade() -> None:
    """Drop the core tables (children first)."""
    for table in ("jobs", "indicators", "steps", "files", "versions", "documents"):
        op.drop_table(table)
