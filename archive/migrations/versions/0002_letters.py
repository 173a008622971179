"""Outgoing letters: number formats per office, yearly counters, the register and its items.

Revision ID: 0002_letters
Revises: 0001_core
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_letters"
down_revision: str | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Create the letter tables."""
    _formats()
    _counters()
    _letters()
    _items()


def _formats() -> None:
    op.create_table(
        "letter_formats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=64), nullable=False),
        sa.Column("pattern", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("default_kka", sa.String(length=32), nullable=False),
        sa.Column("sisipan_style", sa.String(length=8), nullable=False),
        sa.Column("profile", JSON, nullable=True),
        sa.CheckConstraint("scope IN ('unit', 'kka', 'office')", name=op.f("ck_letter_formats_scope")),
        sa.CheckConstraint("sisipan_style IN ('dot', 'letter')",
                           name=op.f("ck_letter_formats_sisipan_style")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_formats")),
        sa.UniqueConstraint("office", name=op.f("uq_letter_formats_office")),
    )


def _counters() -> None:
    op.create_table(
        "letter_counters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=64), nullable=False),
        sa.Column("scope_key", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_counters")),
        sa.UniqueConstraint("office", "scope_key", "year",
                            name=op.f("uq_letter_counters_office_scope_key_year")),
    )


def _letters() -> None:
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("urut", sa.Integer(), nullable=False),
        sa.Column("sisipan", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=200), nullable=False),
        sa.Column("number_norm", sa.String(length=200), nullable=False),
        sa.Column("office", sa.String(length=64), nullable=False),
        sa.Column("kka", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("tanggal", sa.Date(), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content", JSON, nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('reserved', 'confirmed', 'void')", name=op.f("ck_letters_status")),
        sa.CheckConstraint("urut > 0 AND sisipan >= 0", name=op.f("ck_letters_urut_positive")),
        sa.ForeignKeyConstraint(["counter_id"], ["letter_counters.id"],
                                name=op.f("fk_letters_counter_id_letter_counters")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="SET NULL",
                                name=op.f("fk_letters_document_id_documents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letters")),
        sa.UniqueConstraint("counter_id", "urut", "sisipan",
                            name=op.f("uq_letters_counter_id_urut_sisipan")),
    )
    op.create_index(op.f("ix_letters_number_norm"), "letters", ["number_norm"])
    op.create_index(op.f("ix_letters_document_id"), "letters", ["document_id"])


def _items() -> None:
    op.create_table(
        "letter_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("keterangan", sa.Text(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["letter_id"], ["letters.id"], ondelete="CASCADE",
                                name=op.f("fk_letter_items_letter_id_letters")),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"],
                                name=op.f("fk_letter_items_version_id_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_items")),
        sa.UniqueConstraint("letter_id", "position", name=op.f("uq_letter_items_letter_id_position")),
    )
    op.create_index(op.f("ix_letter_items_letter_id"), "letter_items", ["letter_id"])


def downgrade() -> None:
    """Drop the letter tables."""
    op.drop_index(op.f("ix_letter_items_letter_id"), table_name="letter_items")
    op.drop_table("letter_items")
    op.drop_index(op.f("ix_letters_document_id"), table_name="letters")
    op.drop_index(op.f("ix_letters_number_norm"), table_name="letters")
    op.drop_table("letters")
    op.drop_table("letter_counters")
    op.drop_table("letter_formats")
