"""The web app's one error-to-response mapping: an Indonesian error page, or JSON when asked.

Every `ArchiveError` carries its HTTP status (404 not found, 400 bad input, 409 conflict, 413/422
refused file, 503 missing program or index); a file that is not a PDF at all answers 415.  Routing
and validation errors of FastAPI, and anything unexpected (500, logged), get the same page.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from api.web.access import is_api
from api.web.auth import LoginRequired
from api.web.render import page
from api.web.security import BodyTooLarge
from archive.accounts import has_users
from archive.errors import ArchiveError, NotAPdfError

log = logging.getLogger(__name__)

TITLES = {400: "Permintaan tidak dapat diproses", 401: "Perlu masuk", 403: "Tidak berwenang",
          404: "Tidak ditemukan", 429: "Terlalu banyak percobaan",
          405: "Cara akses tidak didukung", 409: "Bertentangan dengan isi arsip",
          413: "Berkas terlalu besar", 415: "Bukan berkas PDF", 422: "Berkas ditolak",
          500: "Terjadi kesalahan", 503: "Layanan belum siap"}
_RANGE_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})
HTTP_MESSAGES = {404: "Halaman ini tidak ada; periksa alamatnya atau mulai dari Beranda.",
                 405: "Halaman ini tidak menerima cara akses itu; buka lewat menu."}


def status_of(error: ArchiveError) -> int:
    """The HTTP status of one of our errors (its own, except 415 for a file that is no PDF)."""
    return 415 if isinstance(error, NotAPdfError) else error.status


def error_response(request: Request, status: int, code: str, message: str) -> Response:
    """The error as JSON `{"error": {"code", "message"}}` for API clients, else as a page."""
    accept = request.headers.get("accept", "")
    if is_api(request.url.path) or ("application/json" in accept and "text/html" not in accept):
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    title = TITLES.get(status, "Terjadi kesalahan")
    return page(request, "galat.html", {"status": status, "title": title, "code": code,
                                        "message": message}, status_code=status)


async def _archive_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ArchiveError)
    if isinstance(exc, LoginRequired) and not is_api(request.url.path):
        return _to_login(request)
    status = status_of(exc)
    if status >= 500:
        log.error("%s %s: %s (%s)", request.method, request.url.path, exc.message, exc.code)
    return error_response(request, status, exc.code, exc.message)


def _to_login(request: Request) -> Response:
    """Anonymous page requests go to the login page (or the one-time set-up of a new archive)."""
    state = request.app.state.arsip
    if not state.accounts_exist:
        with state.sessions() as session:
            state.accounts_exist = has_users(session)
    if not state.accounts_exist:
        return RedirectResponse("/siapkan", status_code=303)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = here if request.method == "GET" else "/"
    return RedirectResponse(f"/masuk?{urlencode({'lanjut': target})}", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if isinstance(exc, BodyTooLarge):
        return error_response(request, 413, "too_large", str(exc.detail))
    message = HTTP_MESSAGES.get(exc.status_code, "Permintaan tidak dapat diproses.")
    return error_response(request, exc.status_code, "http_error", message)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if any(e.get("loc", ("",))[0] == "path" and e.get("type") in _RANGE_ERRORS
           for e in exc.errors()):  # an id no row can have: nothing there
        return error_response(request, 404, "not_found", HTTP_MESSAGES[404])
    fields = ", ".join(str(e["loc"][-1]) for e in exc.errors() if e.get("loc"))
    message = (f"Isian tidak sah: {fields}; periksa alamat atau formulirnya." if fields
               else "Isian tidak sah; periksa alamat atau formulirnya.")
    return error_response(request, 400, "bad_input", message)


async def _unexpected(request: Request, exc: Exception) -> Response:
    from archive.faults import storage_fault

    fault = storage_fault(exc, request.app.state.arsip.settings.data_dir)
    if fault is not None:
        log.error("%s %s: %s", request.method, request.url.path, fault.message)
        return error_response(request, fault.status, fault.code, fault.message)
    log.exception("%s %s: unexpected error", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "internal_error",
                          f"Kesalahan program ({exc.__class__.__name__}); catatan server "
                          "memuat rinciannya. Coba lagi, atau laporkan bila berulang.")


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""
    app.add_exception_handler(ArchiveError, _archive_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
