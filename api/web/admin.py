"""Admin: accounts (add, role, disable, an official's profile, API tokens) and the audit trail."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from api.web.auth import actor_of
from api.web.deps import DbSession
from api.web.render import page
from api.wiring import is_local_address, verify_base
from archive import accounts
from archive import audit as trail
from archive.errors import ArchiveError, BadInputError
from archive.models_accounts import ROLES, User

router = APIRouter()

AUDIT_PAGE = 200


def _admin_page(request: Request, session: DbSession, *, error: str | None = None,
                token: tuple[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    users = session.scalars(select(User).order_by(User.name)).all()
    recent = list(trail.rows(session, limit=10))
    return page(request, "admin.html", {
        "users": users, "roles": ROLES, "role_labels": accounts.ROLE_LABELS, "error": error,
        "token": token, "recent": recent, "verify_base": _local_verify_base(request)},
        status_code=status_code)


def _local_verify_base(request: Request) -> str | None:
    """The address copies' QR codes point to, when it only opens on the server itself."""
    base = verify_base(request.app.state.arsip.settings, str(request.base_url))
    return base if is_local_address(base) else None


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, session: DbSession) -> HTMLResponse:
    """Accounts and the latest audit rows."""
    return _admin_page(request, session)


@router.post("/admin/pengguna", response_class=HTMLResponse)
def tambah_pengguna(request: Request, session: DbSession, nama: Annotated[str, Form()],
                    peran: Annotated[str, Form()], sandi: Annotated[str, Form()]) -> Response:
    """Add an account."""
    try:
        accounts.add_user(session, actor_of(request), nama, peran, sandi)
        session.commit()
    except ArchiveError as e:
        session.rollback()
        return _admin_page(request, session, error=e.message, status_code=e.status)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/pengguna/{name}", response_class=HTMLResponse)
def ubah_pengguna(request: Request, session: DbSession, name: str,
                  peran: Annotated[str, Form()], aktif: Annotated[str, Form()] = "",
                  jabatan: Annotated[str, Form()] = "", nama: Annotated[str, Form()] = "",
                  nip: Annotated[str, Form()] = "", pangkat: Annotated[str, Form()] = "",
                  kantor: Annotated[str, Form()] = "") -> Response:
    """Change an account's role, whether it is enabled, and its official's profile."""
    actor = actor_of(request)
    try:
        user = accounts.get_user(session, name)
        if user.name == actor.name and (peran != "admin" or not aktif):
            raise BadInputError("Anda tidak dapat menurunkan peran atau menonaktifkan akun Anda "
                                "sendiri; minta admin lain.")
        if peran != user.role:
            accounts.set_role(session, actor, user, peran)
        if bool(aktif) == user.disabled:
            accounts.set_disabled(session, actor, user, not aktif)
        fields = {"jabatan": jabatan, "nama": nama, "nip": nip, "pangkat": pangkat,
                  "kantor": kantor}
        if fields != {k: v or "" for k, v in accounts.profile_of(user).items()}:
            accounts.set_profile(session, actor, user, **fields)
        session.commit()
    except ArchiveError as e:
        session.rollback()
        return _admin_page(request, session, error=e.message, status_code=e.status)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/pengguna/{name}/token", response_class=HTMLResponse)
def token_pengguna(request: Request, session: DbSession, name: str,
                   cabut: Annotated[str, Form()] = "") -> HTMLResponse:
    """Make a new API token for an account (shown once on this page), or revoke all of its tokens."""
    actor = actor_of(request)
    user = accounts.get_user(session, name)
    if cabut:
        accounts.revoke_tokens(session, actor, user)
        session.commit()
        return _admin_page(request, session)
    made = accounts.new_token(session, actor, user)
    session.commit()
    return _admin_page(request, session, token=(user.name, made.secret))


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: DbSession, sejak: date | None = None,
               akun: str = "") -> HTMLResponse:
    """The audit trail (newest first, up to 200 rows) and whether its chain is whole."""
    since = datetime(sejak.year, sejak.month, sejak.day, tzinfo=UTC) if sejak else None
    rows = list(trail.rows(session, since=since, actor=akun.strip() or None, limit=AUDIT_PAGE))
    rows.reverse()
    return page(request, "admin_audit.html", {
        "rows": [trail.as_dict(r) for r in rows], "check": trail.verify(session),
        "sejak": sejak.isoformat() if sejak else "", "akun": akun, "limit": AUDIT_PAGE})
