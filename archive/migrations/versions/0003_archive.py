"""Archive: revocation date of a version, stamped copies, the retention schedule.

Revision ID: 0003_archive
Revises: 0002_letters
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_archive"
down_revision: str | None = "0002_letters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add versions.tanggal_dicabut, the copies register and the retention rules."""
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("tanggal_dicabut", sa.Date(), nullable=True))
    _copies()
    _retention_rules()


def _copies() -> None:
    op.create_table(
        "copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("source_file_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=255), nullable=True),
        sa.Column("issued_for", sa.String(length=512), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("certifier_jabatan", sa.String(length=255), nullable=False),
        sa.Column("certifier_nama", sa.String(length=255), nullable=False),
        sa.Column("certifier_nip", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"],
                                name=op.f("fk_copies_version_id_versions")),
        sa.ForeignKeyConstraint(["source_file_id"], ["files.id"],
                                name=op.f("fk_copies_source_file_id_files")),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_copies_file_id_files")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_copies")),
        sa.UniqueConstraint("code", name=op.f("uq_copies_code")),
        sa.UniqueConstraint("file_id", name=op.f("uq_copies_file_id")),
    )
    op.create_index(op.f("ix_copies_version_id"), "copies", ["version_id"])


def _retention_rules() -> None:
    op.create_table(
        "retention_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=32), nullable=False),
        sa.Column("kka", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active_years", sa.Integer(), nullable=False),
        sa.Column("inactive_years", sa.Integer(), nullable=False),
        sa.Column("final_fate", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("final_fate IN ('permanen', 'musnah')",
                           name=op.f("ck_retention_rules_fate_known")),
        sa.CheckConstraint("active_years >= 0 AND inactive_years >= 0",
                           name=op.f("ck_retention_rules_years_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_rules")),
        sa.UniqueConstraint("doc_type", name=op.f("uq_retention_rules_doc_type")),
    )


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_table("retention_rules")
    op.drop_index(op.f("ix_copies_version_id"), table_name="copies")
    op.drop_table("copies")
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("tanggal_dicabut")
