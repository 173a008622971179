"""Table models of outgoing letters: number formats per office, yearly counters, the register.

The register (buku agenda surat keluar) is `letters`: one row per number ever handed out, including
reserved, void and insert numbers, so the register never has a silent gap.  The unique constraint
`(counter_id, urut, sisipan)` is what allocation is checked against.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base
from archive.models import JsonType, utcnow

SCOPES = ("unit", "kka", "office")
"""What a counter counts per year: per unit code (the default), per classification code, or one per office."""

STATUSES = ("reserved", "confirmed", "void")


class LetterFormat(Base):
    """How one office numbers its letters: the pattern, the counter scope, defaults and its kop."""

    __tablename__ = "letter_formats"

    id: Mapped[int] = mapped_column(primary_key=True)
    office: Mapped[str] = mapped_column(String(64), unique=True)
    pattern: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(16), default="unit")
    unit: Mapped[str] = mapped_column(String(64), default="")
    default_kka: Mapped[str] = mapped_column(String(32), default="")
    sisipan_style: Mapped[str] = mapped_column(String(8), default="dot")
    profile: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=None)

    __table_args__ = (
        CheckConstraint("scope IN ('unit', 'kka', 'office')", name="scope"),
        CheckConstraint("sisipan_style IN ('dot', 'letter')", name="sisipan_style"),
    )


class LetterCounter(Base):
    """The running number of one scope in one year; `last_value` is the last number handed out."""

    __tablename__ = "letter_counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    office: Mapped[str] = mapped_column(String(64))
    scope_key: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    last_value: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("office", "scope_key", "year"),)


class Letter(Base):
    """One line of the register: a number with its date, recipient, subject and status."""

    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("letter_counters.id"))
    urut: Mapped[int] = mapped_column(Integer)
    sisipan: Mapped[int] = mapped_column(Integer, default=0)
    number: Mapped[str] = mapped_column(String(200))
    number_norm: Mapped[str] = mapped_column(String(200), index=True)
    office: Mapped[str] = mapped_column(String(64))
    kka: Mapped[str] = mapped_column(String(32), default="")
    unit: Mapped[str] = mapped_column(String(64), default="")
    year: Mapped[int] = mapped_column(Integer)
    tanggal: Mapped[date] = mapped_column(Date)
    recipient: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    void_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    content: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=None)
    # the archived PDF of this letter (a document of type `surat`), once it has been stored
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), default=None, index=True)

    items: Mapped[list[LetterItem]] = relationship(
        back_populates="letter", order_by="LetterItem.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("counter_id", "urut", "sisipan"),
        CheckConstraint("status IN ('reserved', 'confirmed', 'void')", name="status"),
        CheckConstraint("urut > 0 AND sisipan >= 0", name="urut_positive"),
    )


class LetterItem(Base):
    """One row of the letter's table: what was sent, how many, and the archived version if any."""

    __tablename__ = "letter_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit: Mapped[str] = mapped_column(String(32), default="berkas")
    keterangan: Mapped[str] = mapped_column(Text, default="")
    # the archived version this row sends, when it was picked from the archive
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"), default=None)

    letter: Mapped[Letter] = relationship(back_populates="items")

    __table_args__ = (UniqueConstraint("letter_id", "position"),)
