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

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response
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
    """The limit of a request body on `path` and, in words, what it limits."""
    if path in ("/verifikasi", "/api/v1/verifikasi"):
        return max_file_mb, "untuk berkas yang diperiksa"
    if path in ("/unggah", "/api/v1/unggahan"):
        return max_upload_mb, "untuk sekali unggah"
    return FORM_LIMIT_MB, "untuk formulir"


def too_large_message(size_mb: float, limit_mb: float, what: str) -> str:
    """The 413 message in Indonesian, saying what to do (never a setting's name)."""
    limit = f"{limit_mb:g}".replace(".", ",")
    return (f"Kiriman {size_mb:.0f} MB melebihi batas {limit} MB {what}: kirim berkasnya dalam "
            f"beberapa kali (masing-masing ≤ {limit} MB), perkecil berkasnya, atau hubungi admin "
            "untuk menaikkan batasnya.")


class Guard:
    """Pure ASGI (no task groups, so a body stopped mid-stream is answered 413 by the app): the
    declared size, the streamed size, the Origin check, the CSRF seed, the headers."""

    def __init__(self, app: ASGIApp, secret: bytes, max_file_mb: float, max_upload_mb: float,
                 error_response: Any) -> None:
        self.app = app
        self.secret = secret
        self.max_file_mb = max_file_mb
        self.max_upload_mb = max_upload_mb
        self.error_response = error_response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then run the app with a counted body and headers added."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        limit_mb, setting = body_limit_mb(request.url.path, self.max_file_mb, self.max_upload_mb)
        refusal = self._refusal(request, limit_mb, setting)
        if refusal is not None:
            await _with_headers(refusal)(scope, receive, send)
            return
        seed = request.cookies.get(CSRF_COOKIE)
        fresh = not seed or len(seed) > 100
        state = scope.setdefault("state", {})
        state["csrf_seed"] = secrets.token_urlsafe(24) if fresh else seed
        state["csrf"] = csrf_token(self.secret, state["csrf_seed"])
        set_seed = fresh and not is_api(request.url.path)
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

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                response = Response(status_code=message["status"])
                response.raw_headers = list(message.get("headers", []))
                if set_seed or state.get("csrf_renewed"):
                    response.set_cookie(CSRF_COOKIE, state["csrf_seed"], httponly=True,
                                        samesite="lax", secure=is_https(request), path="/")
                _headers(response)
                message = {**message, "headers": response.raw_headers}
            await send(message)

        await self.app(scope, counted, sending)

    def _refusal(self, request: Request, limit_mb: float, setting: str) -> Response | None:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit_mb * 1024 * 1024:
            return self.error_response(request, 413, "too_large", too_large_message(
                int(declared) / 1024 / 1024, limit_mb, setting))
        bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
        if request.method in UNSAFE and not (is_api(request.url.path) and bearer):
            other = foreign_origin(request)
            if other is not None:
                return self.error_response(
                    request, 403, "forbidden", f"Permintaan dari situs lain ({other}) ditolak: "
                    "kirim formulir dari halaman aplikasi ini sendiri.")
        return None


def install(app: FastAPI, secret: bytes, max_file_mb: float, max_upload_mb: float,
            error_response: Any) -> None:
    """Add the guard around the whole app (outermost)."""
    app.add_middleware(Guard, secret=secret, max_file_mb=max_file_mb,
                       max_upload_mb=max_upload_mb, error_response=error_response)


def _with_headers(response: Response) -> Response:
    return _headers(response)


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        if name.lower() not in response.headers:
            response.headers[name] = value
    content_type = response.headers.get("content-type", "")
    if content_type.startswith("text/html") and "content-security-policy" not in response.headers:
        response.headers["Content-Security-Policy"] = CSP
    return response
