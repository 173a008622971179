"""What every response and every unsafe request goes through: security headers, the Origin check,
body-size limits while the body streams in, and the CSRF seed cookie.

CSRF: every browser gets a random seed cookie (`arsip_csrf`, HttpOnly, SameSite=Lax); a form's
token is HMAC(server secret, seed), so a page on another site can neither read nor compute it.
`auth.guard` checks the token on every unsafe page request; the Origin (else Referer) of an unsafe
request must be this site's own, checked here before anything else.  API requests with a bearer
token carry no cookies' authority, so they need neither.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web.access import UNSAFE, is_api

CSRF_COOKIE = "arsip_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
FORM_LIMIT_MB = 2.0  # forms and JSON bodies that carry no file

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def load_secret(path: Path) -> bytes:
    """The server's secret (CSRF tokens): made once beside the archive, readable by its owner only."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(secrets.token_bytes(32))
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_bytes()


def csrf_token(secret: bytes, seed: str) -> str:
    """The form token for one browser's seed cookie."""
    return hmac.new(secret, f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


def own_origin(request: Request) -> str:
    """This site as the browser sees it: scheme://host[:port] (proxy headers applied by uvicorn)."""
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"


def foreign_origin(request: Request) -> str | None:
    """The other site an unsafe request came from (Origin, else Referer); None when it is ours or unsaid."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        referer = request.headers.get("referer")
        if origin is None and not referer:
            return None
        parts = urlsplit(referer or "")
        origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else "null"
    return None if origin.lower() == own_origin(request).lower() else origin


def is_https(request: Request) -> bool:
    """True when the browser talks HTTPS to us (directly or through a proxy uvicorn trusts)."""
    return request.url.scheme == "https"


class BodyTooLarge(HTTPException):
    """A request body over its route's limit (raised while it streams in; answered 413)."""

    def __init__(self, message: str) -> None:
        super().__init__(413, message)


def body_limit_mb(path: str, max_file_mb: float, max_upload_mb: float) -> tuple[float, str]:
    """The limit of a request body on `path` and the setting that sets it."""
    if path in ("/verifikasi", "/api/v1/verifikasi"):
        return max_file_mb, "ARSIP_MAX_FILE_MB"
    if path in ("/unggah", "/api/v1/unggahan"):
        return max_upload_mb, "ARSIP_MAX_UPLOAD_MB"
    return FORM_LIMIT_MB, "batas formulir"


def too_large_message(size_mb: float, limit_mb: float, setting: str) -> str:
    """The 413 message in Indonesian."""
    limit = f"{limit_mb:g}".replace(".", ",")
    return (f"Kiriman {size_mb:.0f} MB melebihi batas {limit} MB ({setting}): "
            "kirim berkasnya dalam beberapa kali, atau perkecil berkasnya.")


class BodyLimit:
    """Counts a request body as it arrives and stops it past the route's limit (chunked too)."""

    def __init__(self, app: ASGIApp, max_file_mb: float, max_upload_mb: float) -> None:
        self.app = app
        self.max_file_mb = max_file_mb
        self.max_upload_mb = max_upload_mb

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Wrap `receive` with a byte counter for HTTP requests."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit_mb, setting = body_limit_mb(scope["path"], self.max_file_mb, self.max_upload_mb)
        limit = int(limit_mb * 1024 * 1024)
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(too_large_message(seen / 1024 / 1024, limit_mb, setting))
            return message

        await self.app(scope, counted, send)


def install(app: FastAPI, secret: bytes, max_file_mb: float, max_upload_mb: float,
            error_response: Any) -> None:
    """Add the middlewares: declared size, Origin check, CSRF seed, headers; then the body counter."""

    @app.middleware("http")
    async def _security(request: Request, call_next: Any) -> Response:
        limit_mb, setting = body_limit_mb(request.url.path, max_file_mb, max_upload_mb)
        declared = request.headers.get("content-length", "")
        response: Response
        if declared.isdigit() and int(declared) > limit_mb * 1024 * 1024:
            response = error_response(request, 413, "too_large", too_large_message(
                int(declared) / 1024 / 1024, limit_mb, setting))
            return _headers(response)
        bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
        if request.method in UNSAFE and not (is_api(request.url.path) and bearer):
            other = foreign_origin(request)
            if other is not None:
                response = error_response(
                    request, 403, "forbidden", f"Permintaan dari situs lain ({other}) ditolak: "
                    "kirim formulir dari halaman aplikasi ini sendiri.")
                return _headers(response)
        seed = request.cookies.get(CSRF_COOKIE)
        fresh = not seed or len(seed) > 100
        request.state.csrf_seed = secrets.token_urlsafe(24) if fresh else seed
        request.state.csrf = csrf_token(secret, request.state.csrf_seed)
        response = await call_next(request)
        if fresh and not is_api(request.url.path) or getattr(request.state, "csrf_renewed", False):
            response.set_cookie(CSRF_COOKIE, request.state.csrf_seed, httponly=True,
                                samesite="lax", secure=is_https(request), path="/")
        return _headers(response)

    app.add_middleware(BodyLimit, max_file_mb=max_file_mb, max_upload_mb=max_upload_mb)


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.headers.get("content-type", "").startswith("text/html"):
        response.headers.setdefault("Content-Security-Policy", CSP)
    return response
