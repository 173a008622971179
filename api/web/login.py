"""Masuk, keluar, the one-time set-up of the first admin (127.0.0.1 only), and one's own profile."""

from __future__ import annotations

import logging
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web.auth import (
    LOCAL_ADDRESSES,
    SESSION_COOKIE,
    CurrentUser,
    actor_of,
    address_of,
)
from api.web.deps import DbSession, State
from api.web.render import page
from api.web.security import is_https
from archive import accounts
from archive.audit import Actor
from archive.errors import ArchiveError, BadInputError, NotFoundError, TooManyAttemptsError

log = logging.getLogger(__name__)
router = APIRouter()


def safe_next(target: str) -> str:
    """Where to go after logging in: a path of this site only (never `//other.site`)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def start_session(request: Request, state: State, session: DbSession,
                  user: accounts.User, target: str) -> Response:
    """Log `user` in: a new session id (the old one ends) and a new CSRF seed; go to `target`."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        accounts.end_session(session, old)
    secret = accounts.new_session(session, user, address_of(request), state.settings.session_hours)
    session.commit()
    response = RedirectResponse(safe_next(target), status_code=303)
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax",
                        secure=is_https(request), path="/",
                        max_age=int(state.settings.session_hours * 3600))
    request.state.csrf_seed = secrets.token_urlsafe(24)  # the seed is renewed with the session
    request.state.csrf_renewed = True
    return response


@router.get("/masuk", response_class=HTMLResponse)
def masuk_form(request: Request, lanjut: str = "/") -> HTMLResponse:
    """The login page."""
    return page(request, "masuk.html", {"lanjut": safe_next(lanjut), "error": None, "nama": ""})


@router.post("/masuk", response_class=HTMLResponse)
def masuk(request: Request, state: State, session: DbSession, nama: Annotated[str, Form()],
          sandi: Annotated[str, Form()], lanjut: Annotated[str, Form()] = "/") -> Response:
    """Check the name and password (rate-limited per account and address), then log in."""
    address = address_of(request)
    context = {"lanjut": safe_next(lanjut), "nama": nama}
    try:
        state.login_limiter.check(nama, address)
    except TooManyAttemptsError as e:
        return page(request, "masuk.html", {**context, "error": e.message}, status_code=429)
    user = accounts.authenticate(session, nama, sandi)
    if user is None:
        log.warning("failed login for %r from %s", nama[:64], address)
        state.login_limiter.failed(nama, address)
        known = session.query(accounts.User).filter_by(name=nama.strip().lower()).first()
        message = ("Akun ini dinonaktifkan; hubungi admin." if known is not None and known.disabled
                   else "Nama akun atau kata sandi salah.")
        return page(request, "masuk.html", {**context, "error": message}, status_code=401)
    state.login_limiter.succeeded(nama)
    return start_session(request, state, session, user, lanjut)


@router.post("/keluar")
def keluar(request: Request, session: DbSession) -> Response:
    """Log out: the session ends on the server and its cookie is removed."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.end_session(session, cookie)
        session.commit()
    response = RedirectResponse("/masuk", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _setup_open(request: Request, session: DbSession) -> None:
    if accounts.has_users(session):
        raise NotFoundError("Admin pertama sudah dibuat; silakan masuk.")


@router.get("/siapkan", response_class=HTMLResponse)
def siapkan_form(request: Request, session: DbSession) -> HTMLResponse:
    """The one-time set-up: create the first admin (only while there is no account, from this machine)."""
    _setup_open(request, session)
    local = address_of(request) in LOCAL_ADDRESSES
    return page(request, "siapkan.html", {"local": local, "error": None, "nama": "admin"},
                status_code=200 if local else 403)


@router.post("/siapkan", response_class=HTMLResponse)
def siapkan(request: Request, state: State, session: DbSession, nama: Annotated[str, Form()],
            sandi: Annotated[str, Form()], sandi2: Annotated[str, Form()]) -> Response:
    """Create the first admin and log in as it."""
    _setup_open(request, session)
    address = address_of(request)
    if address not in LOCAL_ADDRESSES:
        return page(request, "siapkan.html", {"local": False, "error": None, "nama": nama},
                    status_code=403)
    try:
        if sandi != sandi2:
            raise BadInputError("Kedua kata sandi tidak sama; ketik ulang.")
        user = accounts.add_user(session, Actor("siapkan", address), nama, "admin", sandi)
        session.flush()
    except ArchiveError as e:
        session.rollback()
        return page(request, "siapkan.html", {"local": True, "error": e.message, "nama": nama},
                    status_code=400)
    state.accounts_exist = True
    return start_session(request, state, session, user, "/admin")


@router.get("/profil", response_class=HTMLResponse)
def profil(request: Request, user: CurrentUser) -> HTMLResponse:
    """One's own account: role, the official's profile (set by an admin), password change."""
    return page(request, "profil.html", {"me": user, "message": None, "error": None})


@router.post("/profil/sandi", response_class=HTMLResponse)
def ganti_sandi(request: Request, session: DbSession, user: CurrentUser,
                lama: Annotated[str, Form()], baru: Annotated[str, Form()],
                baru2: Annotated[str, Form()]) -> Response:
    """Change one's own password (the old one is asked); other sessions end."""
    try:
        if accounts.authenticate(session, user.name, lama) is None:
            raise BadInputError("Kata sandi lama salah.")
        if baru != baru2:
            raise BadInputError("Kedua kata sandi baru tidak sama; ketik ulang.")
        accounts.set_password(session, actor_of(request), accounts.get_user(session, user.name), baru)
        session.commit()
    except ArchiveError as e:
        session.rollback()
        return page(request, "profil.html", {"me": user, "message": None, "error": e.message},
                    status_code=400)
    response = RedirectResponse("/masuk", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
