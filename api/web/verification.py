"""Verification: the page a stamped copy's QR code opens, and checking a code or a file by hand."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web.deps import DbSession
from api.web.jobs import safe_name
from api.web.render import page
from archive.verify import verify_code, verify_file

router = APIRouter()


@router.get("/verifikasi", response_class=HTMLResponse)
def verifikasi_form(request: Request, kode: str = "") -> Response:
    """The form: type a code (from a copy) or upload a file to check."""
    if kode.strip():
        return RedirectResponse(f"/verifikasi/{quote(kode.strip(), safe='')}", status_code=303)
    return page(request, "verifikasi.html", {"verdict": None, "asked": None})


@router.get("/verifikasi/{code}", response_class=HTMLResponse)
def verifikasi_kode(request: Request, session: DbSession, code: str) -> HTMLResponse:
    """What a verification code stands for: a valid copy (200), or an unknown code (404)."""
    verdict = verify_code(session, code)
    return page(request, "verifikasi.html", {"verdict": verdict, "asked": code},
                status_code=200 if verdict.ok else 404)


@router.post("/verifikasi", response_class=HTMLResponse)
def verifikasi_berkas(request: Request, session: DbSession,
                      berkas: Annotated[UploadFile, File()]) -> HTMLResponse:
    """Whether an uploaded file is an unaltered original or copy of this archive."""
    name = safe_name(berkas.filename)
    with tempfile.TemporaryDirectory(prefix="arsip-verifikasi-") as tmp:
        path = Path(tmp) / name
        with path.open("wb") as out:
            while chunk := berkas.file.read(1 << 20):
                out.write(chunk)
        verdict = verify_file(session, path)
    return page(request, "verifikasi.html", {"verdict": verdict, "asked": name})
