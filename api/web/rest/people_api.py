"""API: the calling account, accounts (admin), the audit trail (admin, auditor)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from sqlalchemy import select

from api.web.auth import CurrentUser, actor_of
from api.web.deps import MAX_ID, DbSession
from api.web.rest.models import AuditOut, AuditRowOut, ProfileOut, UserIn, UserOut
from archive import accounts
from archive import audit as trail
from archive.models_accounts import User

router = APIRouter(prefix="/api/v1")


def user_out(user: User) -> UserOut:
    """An account as the API shows it."""
    return UserOut(name=user.name, role=user.role, disabled=user.disabled,
                   profile=ProfileOut.model_validate(accounts.profile_of(user)),
                   can_certify=accounts.can_certify(user))


@router.get("/saya", response_model=UserOut, summary="Akun pemanggil")
def me(session: DbSession, user: CurrentUser) -> UserOut:
    """The account the token belongs to."""
    return user_out(accounts.get_user(session, user.name))


@router.get("/pengguna", response_model=list[UserOut], summary="Daftar akun")
def list_users(session: DbSession) -> list[UserOut]:
    """Every account."""
    return [user_out(u) for u in session.scalars(select(User).order_by(User.name))]


@router.post("/pengguna", response_model=UserOut, status_code=201, summary="Tambah akun")
def add_user(request: Request, session: DbSession, body: UserIn) -> UserOut:
    """A new account, with an official's profile when given."""
    actor = actor_of(request)
    user = accounts.add_user(session, actor, body.name, body.role, body.password)
    if body.profile is not None:
        accounts.set_profile(session, actor, user, **body.profile.model_dump())
    session.commit()
    return user_out(user)


@router.post("/pengguna/{name}/nonaktif", response_model=UserOut, summary="Nonaktifkan akun")
def disable_user(request: Request, session: DbSession,
                 name: Annotated[str, PathParam(max_length=64)]) -> UserOut:
    """Disable an account: its sessions end and its tokens stop working."""
    user = accounts.get_user(session, name)
    accounts.set_disabled(session, actor_of(request), user, True)
    session.commit()
    return user_out(user)


@router.get("/audit", response_model=AuditOut, summary="Jejak audit")
def audit_rows(session: DbSession, sejak: date | None = None,
               akun: Annotated[str, Query(max_length=64)] = "",
               limit: Annotated[int, Query(ge=1, le=MAX_ID)] = 500) -> AuditOut:
    """The newest rows (oldest first within them) and whether the chain is whole."""
    since = datetime(sejak.year, sejak.month, sejak.day, tzinfo=UTC) if sejak else None
    check = trail.verify(session)
    rows = [AuditRowOut.model_validate(trail.as_dict(r)) for r in
            trail.rows(session, since=since, actor=akun or None, limit=min(limit, 5000))]
    return AuditOut(chain_ok=check.ok, chain_rows=check.rows, first_bad_row=check.bad_id,
                    reason=check.reason, rows=rows)
