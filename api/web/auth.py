"""Who is asking: the login session (pages) or the bearer token (API), the role check of every
route (`access.POLICY`), the CSRF token check of unsafe page requests, and login rate limits.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from api.web.access import PUBLIC, UNSAFE, is_api, may, rule_for
from api.web.security import CSRF_FIELD, CSRF_HEADER
from archive import accounts
from archive.audit import Actor
from archive.errors import (
    ForbiddenError,
    NotAuthenticatedError,
    TooManyAttemptsError,
)
from archive.models_accounts import User

SESSION_COOKIE = "arsip_sesi"
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "::1"})


class LoginRequired(NotAuthenticatedError):
    """A page asked for without a login: answered by the login page (a redirect)."""


@dataclass(frozen=True)
class Principal:
    """The account behind a request (a detached copy of its row's fields)."""

    id: int
    name: str
    role: str
    jabatan: str | None
    nama: str | None
    nip: str | None
    pangkat: str | None
    kantor: str | None

    @classmethod
    def of(cls, user: User) -> Principal:
        """From the table row."""
        return cls(user.id, user.name, user.role, user.jabatan, user.nama, user.nip,
                   user.pangkat, user.kantor)

    @property
    def can_certify(self) -> bool:
        """True when the profile names an official with a checked NIP."""
        return bool(self.jabatan and self.nama and self.nip)


def address_of(request: Request) -> str:
    """The client's address (uvicorn applies X-Forwarded-For from proxies it trusts)."""
    return request.client.host if request.client else "tidak-dikenal"


def actor_of(request: Request) -> Actor:
    """The audit trail's `who` and `from where` for a request."""
    user: Principal | None = getattr(request.state, "user", None)
    return Actor(user.name if user else "anonim", address_of(request))


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _lookup(request: Request) -> Principal | None:
    """The account of the request: bearer token on the API (cookies ignored there), else the session."""
    sessions = request.app.state.arsip.sessions
    token = _bearer(request)
    path = request.url.path
    with sessions() as session:
        if token is not None:
            user = accounts.user_for_token(session, token)
        elif is_api(path) and path not in ("/api/v1/docs", "/api/v1/openapi.json"):
            return None  # the API carries no cookies' authority
        else:
            cookie = request.cookies.get(SESSION_COOKIE)
            user = accounts.user_for_session(session, cookie) if cookie else None
        return Principal.of(user) if user is not None else None


async def guard(request: Request) -> None:
    """Every route's check: login, role (`access.POLICY`), and the CSRF token of unsafe pages."""
    route = request.scope.get("route")
    roles = rule_for(request.method, getattr(route, "path", ""))
    if roles is None:  # create_app refuses such an app; this is the belt to those braces
        raise ForbiddenError("Halaman ini belum diberi aturan akses; laporkan ke pengelola.")
    request.state.user = user = await run_in_threadpool(_lookup, request)
    if not may(roles, user.role if user else None):
        if user is None:
            if is_api(request.url.path):
                raise NotAuthenticatedError("Perlu masuk: kirim token API sebagai "
                                            "`Authorization: Bearer TOKEN` (`arsip user token NAMA`).")
            raise LoginRequired("Silakan masuk dulu.")
        raise ForbiddenError(f"Akun {user.name} (peran {user.role}) tidak berwenang untuk ini; "
                             "minta admin bila Anda memerlukannya.")
    if request.method in UNSAFE and not is_api(request.url.path):
        await check_csrf(request)  # the API takes no cookie's word, so there is nothing to forge


async def check_csrf(request: Request) -> None:
    """The form's (or X-CSRF-Token header's) token must match this browser's seed cookie."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = getattr(request.state, "csrf", "")
    if not (sent and expected and hmac.compare_digest(sent, expected)):
        raise ForbiddenError("Formulir ini kedaluwarsa atau tidak dikirim dari halaman aplikasi "
                             "ini (token CSRF tidak cocok): muat ulang halamannya lalu kirim lagi.")


def current_user(request: Request) -> Principal:
    """The logged-in account (routes that need one; `guard` has already refused anonymous ones)."""
    user: Principal | None = getattr(request.state, "user", None)
    if user is None:
        raise NotAuthenticatedError("Perlu masuk dulu.")
    return user


CurrentUser = Annotated[Principal, Depends(current_user)]


@dataclass
class LoginLimiter:
    """At most `attempts` failed logins per account and per address within `window` seconds."""

    attempts: int = 5
    window: float = 900.0
    per_address_factor: int = 4  # an office behind one NAT address has several people
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] < now - self.window:
            times.popleft()
        return times

    def check(self, name: str, address: str) -> None:
        """Refuse (429) while the account or the address has used up its attempts."""
        now = time.monotonic()
        with self._lock:
            by_name = self._recent(f"akun:{name.lower()}", now)
            by_address = self._recent(f"alamat:{address}", now)
            over = (len(by_name) >= self.attempts or
                    len(by_address) >= self.attempts * self.per_address_factor)
            wait = max([self.window - (now - t[0]) for t in (by_name, by_address) if t] or [0])
        if over:
            raise TooManyAttemptsError(f"Terlalu banyak percobaan masuk yang gagal; coba lagi "
                                       f"dalam {max(1, round(wait / 60))} menit, atau minta admin "
                                       "mengganti kata sandi Anda.")

    def failed(self, name: str, address: str) -> None:
        """Count a failed attempt for both keys."""
        now = time.monotonic()
        with self._lock:
            self._recent(f"akun:{name.lower()}", now).append(now)
            self._recent(f"alamat:{address}", now).append(now)

    def succeeded(self, name: str) -> None:
        """A good login clears the account's failures (not the address's)."""
        with self._lock:
            self._failures.pop(f"akun:{name.lower()}", None)


def role_may(user: Any, method: str, path: str) -> bool:
    """For templates: may this account use that route (hides links it could not follow)?"""
    roles = rule_for(method, path)
    return roles is not None and (roles is PUBLIC or (user is not None and user.role in roles))
