"""Corrections: the machine's reading kept, and each save of corrections as a revision.

Only new tables: `versions` and `documents` are not rebuilt (the SQLite migration runs with
foreign keys off, one transaction per revision; CREATE TABLE needs no rebuild).

Revision ID: 0005_revisions
Revises: 0004_accounts
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_revisions"
down_revision: str | None = "0004_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Create machine_readings and extraction_revisions."""
    op.create_table(
        "machine_readings",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("extraction", JSON, nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], ondelete="CASCADE",
                                name=op.f("fk_machine_readings_version_id_versions")),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_machine_readings")),
    )
    op.create_table(
        "extraction_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("revision_no", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", JSON, nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], ondelete="CASCADE",
                                name=op.f("fk_extraction_revisions_version_id_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extraction_revisions")),
        sa.UniqueConstraint("version_id", "revision_no",
                            name=op.f("uq_extraction_revisions_version_id")),
    )
    op.create_index(op.f("ix_extraction_revisions_version_id"), "extraction_revisions",
                    ["version_id"])
    _fill_titles_and_years()


def _fill_titles_and_years() -> None:
    """Documents without a title or year get them from their version in force (archive.titles):
    a PK's "Perjanjian Kinerja <tahun> <jabatan>", a decision's tentang, an SOP's year from its
    dates.  Only empty values are filled; the search index rebuilds itself (RECORDS_VERSION)."""
    from archive.titles import title_of, year_of

    documents = sa.table("documents", sa.column("id", sa.Integer), sa.column("doc_type", sa.String),
                         sa.column("title", sa.Text), sa.column("tahun", sa.Integer))
    versions = sa.table("versions", sa.column("id", sa.Integer),
                        sa.column("document_id", sa.Integer), sa.column("status", sa.String),
                        sa.column("extraction", JSON))
    bind = op.get_bind()
    empty = bind.execute(sa.select(documents).where(
        sa.or_(documents.c.title.is_(None), documents.c.tahun.is_(None)))).all()
    for doc in empty:
        extraction = bind.execute(
            sa.select(versions.c.extraction).where(versions.c.document_id == doc.id)
            .order_by((versions.c.status == "berlaku").desc(), versions.c.id.desc()).limit(1)
        ).scalar()
        if not isinstance(extraction, dict):
            continue
        reading = {**extraction, "doc_type": doc.doc_type}
        title = doc.title or title_of(reading)
        tahun = doc.tahun or year_of(reading)
        if (title, tahun) != (doc.title, doc.tahun):
            bind.execute(documents.update().where(documents.c.id == doc.id)
                         .values(title=title, tahun=tahun))


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_index(op.f("ix_extraction_revisions_version_id"), table_name="extraction_revisions")
    op.drop_table("extraction_revisions")
    op.drop_table("machine_readings")
