"""Accounts: passwords (argon2), roles, an official's profile, API tokens and web sessions.

Secrets handed out (API tokens, session cookies) are random; only their SHA-256 is stored, so a
copy of the database logs no one in.  Every change goes through here and leaves an audit row
(`archive.audit.record`) in the same transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.audit import Actor, record
from archive.errors import BadInputError, ConflictError, NotFoundError
from archive.models_accounts import ROLES, ApiToken, User, WebSession
from archive.officials import check_nip

ROLE_LABELS = {"admin": "admin (akun, jejak audit, pengaturan)",
               "arsiparis": "arsiparis (unggah, koreksi, susun versi, cabut)",
               "auditor": "auditor (baca, cari, ekspor, jejak audit)",
               "staf": "staf (surat, salinan bercap)"}
MIN_PASSWORD = 10
TOKEN_PREFIX = "arsip_"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("bukan-kata-sandi-siapa-pun")


def sha256_hex(secret: str) -> str:
    """How a handed-out secret (token, session id) is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def check_password(password: str) -> None:
    """Refuse a password too short to withstand guessing."""
    if len(password) < MIN_PASSWORD:
        raise BadInputError(f"Kata sandi terlalu pendek: paling sedikit {MIN_PASSWORD} karakter.")


def check_role(role: str) -> str:
    """A known role, or a message listing them."""
    if role not in ROLES:
        raise BadInputError(f"Peran {role!r} tidak dikenal: pilih {', '.join(ROLES)}.")
    return role


def has_users(session: Session) -> bool:
    """True once any account exists (the set-up page closes for good)."""
    return bool(session.scalar(select(func.count(User.id))))


def get_user(session: Session, name: str) -> User:
    """The account called `name`."""
    user = session.scalars(select(User).where(User.name == name.strip().lower())).first()
    if user is None:
        raise NotFoundError(f"Akun {name!r} tidak ada; `arsip user list` menampilkan semua akun.")
    return user


def add_user(session: Session, actor: Actor, name: str, role: str, password: str) -> User:
    """Create an account (the caller commits)."""
    name = name.strip().lower()
    if not _NAME.fullmatch(name):
        raise BadInputError(f"Nama akun {name!r} tidak sah: 2-64 huruf kecil, angka, titik, "
                            "garis bawah atau tanda hubung, diawali huruf atau angka.")
    check_role(role)
    check_password(password)
    if session.scalars(select(User).where(User.name == name)).first() is not None:
        raise ConflictError(f"Akun {name!r} sudah ada; pilih nama lain.")
    user = User(name=name, role=role, password_hash=_HASHER.hash(password), disabled=False)
    session.add(user)
    session.flush()
    record(session, actor, "user.add", f"user:{name}", None, {"role": role})
    return user


def set_password(session: Session, actor: Actor, user: User, password: str) -> None:
    """Give an account a new password; its web sessions end."""
    check_password(password)
    user.password_hash = _HASHER.hash(password)
    end_sessions(session, user)
    record(session, actor, "user.password", f"user:{user.name}", None, None)


def set_role(session: Session, actor: Actor, user: User, role: str) -> None:
    """Change an account's role."""
    before = user.role
    user.role = check_role(role)
    record(session, actor, "user.role", f"user:{user.name}", {"role": before}, {"role": role})


def set_disabled(session: Session, actor: Actor, user: User, disabled: bool = True) -> None:
    """Disable (or enable again) an account; a disabled one's sessions and tokens stop working."""
    before = user.disabled
    user.disabled = disabled
    if disabled:
        end_sessions(session, user)
    record(session, actor, "user.disable" if disabled else "user.enable", f"user:{user.name}",
           {"disabled": before}, {"disabled": disabled})


PROFILE_FIELDS = ("jabatan", "nama", "nip", "pangkat", "kantor")


def set_profile(session: Session, actor: Actor, user: User, **fields: str | None) -> None:
    """Set the official's profile (jabatan, nama, NIP checked, pangkat, kantor) of an account."""
    before = profile_of(user)
    for key, value in fields.items():
        if key not in PROFILE_FIELDS:
            raise BadInputError(f"Isian profil {key!r} tidak dikenal.")
        value = (value or "").strip() or None
        if key == "nip" and value:
            value = check_nip(value).nip
        setattr(user, key, value)
    record(session, actor, "user.profile", f"user:{user.name}", before, profile_of(user))


def profile_of(user: User) -> dict[str, Any]:
    """The official's profile as a dict."""
    return {k: getattr(user, k) for k in PROFILE_FIELDS}


def can_certify(user: User) -> bool:
    """True when the account's profile names an official with a checked NIP."""
    return bool(user.jabatan and user.nama and user.nip)


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The account when the name and password match (and it is enabled); None otherwise."""
    user = session.scalars(select(User).where(User.name == name.strip().lower())).first()
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return user


# --- API tokens --------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewToken:
    """A token just made: the secret (shown once) and its row."""

    secret: str
    row: ApiToken


def new_token(session: Session, actor: Actor, user: User) -> NewToken:
    """A new API token for an account; the secret is returned once and stored only as a hash."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=sha256_hex(secret), prefix=secret[:12])
    session.add(row)
    session.flush()
    record(session, actor, "token.add", f"user:{user.name}", None, {"token": row.prefix})
    return NewToken(secret, row)


def revoke_tokens(session: Session, actor: Actor, user: User, prefix: str | None = None) -> int:
    """Revoke an account's tokens (all, or those starting with `prefix`); how many."""
    now = datetime.now(UTC)
    done = 0
    for token in user.tokens:
        if token.revoked_at is None and (prefix is None or token.prefix.startswith(prefix)):
            token.revoked_at = now
            done += 1
            record(session, actor, "token.revoke", f"user:{user.name}", None,
                   {"token": token.prefix})
    return done


def user_for_token(session: Session, secret: str) -> User | None:
    """The enabled account an unrevoked API token belongs to."""
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == sha256_hex(secret))).first()
    if row is None or row.revoked_at is not None or row.user.disabled:
        return None
    return row.user


# --- web sessions -------------------------------------------------------------------------------
def new_session(session: Session, user: User, address: str | None, hours: float) -> str:
    """Start a web session; the cookie value (random, stored as a hash)."""
    secret = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    for old in session.scalars(select(WebSession).where(WebSession.user_id == user.id)):
        expires = old.expires_at if old.expires_at.tzinfo else old.expires_at.replace(tzinfo=UTC)
        if expires <= now:  # ended sessions leave no rows behind
            session.delete(old)
    session.add(WebSession(token_hash=sha256_hex(secret), user_id=user.id, address=address,
                           expires_at=datetime.now(UTC) + timedelta(hours=hours)))
    return secret


def user_for_session(session: Session, secret: str) -> User | None:
    """The enabled account of a live session cookie."""
    row = session.scalars(select(WebSession)
                          .where(WebSession.token_hash == sha256_hex(secret))).first()
    if row is None or row.user.disabled:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    return row.user if expires > datetime.now(UTC) else None


def end_session(session: Session, secret: str) -> None:
    """Log a session out (its row is deleted)."""
    row = session.scalars(select(WebSession)
                          .where(WebSession.token_hash == sha256_hex(secret))).first()
    if row is not None:
        session.delete(row)


def end_sessions(session: Session, user: User) -> None:
    """End every web session of an account."""
    for row in session.scalars(select(WebSession).where(WebSession.user_id == user.id)):
        session.delete(row)
