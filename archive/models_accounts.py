"""Table models of people and trust: accounts (with an official's profile), API tokens, web
sessions, and the hash-chained audit trail.

Secrets are never stored: passwords as argon2 hashes, API tokens and session ids as SHA-256 of the
random value handed out.  The audit rows are plain rows (text, no foreign keys) so a backup copies
them as they are and `arsip audit verify` can recompute every hash from the row alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base
from archive.models import utcnow

ROLES = ("admin", "arsiparis", "auditor", "staf")


class User(Base):
    """One account: a login name, a role, and (for those who certify copies) an official's profile."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'arsiparis', 'auditor', 'staf')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The official behind the account (certifies stamped copies); all empty until filled in.
    jabatan: Mapped[str | None] = mapped_column(String(255))
    nama: Mapped[str | None] = mapped_column(String(255))
    nip: Mapped[str | None] = mapped_column(String(18))
    pangkat: Mapped[str | None] = mapped_column(String(128))
    kantor: Mapped[str | None] = mapped_column(String(255))

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", order_by="ApiToken.id")


class ApiToken(Base):
    """An API token of an account: only its SHA-256 is kept; revoked tokens stay listed."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="tokens")


class WebSession(Base):
    """A logged-in browser: the SHA-256 of its cookie value, its account, when it ends."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    address: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()


class AuditRow(Base):
    """One change to the archive: who, when, from where, what, before/after; hash-chained."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(40), index=True)  # ISO 8601 UTC, hashed as written
    actor: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(255))
    before: Mapped[str | None] = mapped_column(Text)  # canonical JSON
    after: Mapped[str | None] = mapped_column(Text)
    # Unique: two writers can never both chain onto the same row (a fork is refused).
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
