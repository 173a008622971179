"""Unggah: upload PDFs; they are read in the background and each upload has a status page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from api.web.auth import CurrentUser
from api.web.deps import State
from api.web.render import page

router = APIRouter()

REFRESH_SECONDS = 3


@router.get("/unggah", response_class=HTMLResponse)
def unggah_form(request: Request, state: State) -> HTMLResponse:
    """The upload form and the latest uploads."""
    return page(request, "unggah.html", {"batches": state.uploads.batches()[:20]})


@router.post("/unggah")
def unggah(state: State, user: CurrentUser,
           berkas: Annotated[list[UploadFile], File()]) -> RedirectResponse:
    """Save the files, queue them for reading (as the account's upload), go to the status page."""
    chosen = [f for f in berkas if f.filename]  # a form sent without a file has one empty part
    batch = state.uploads.submit(((f.filename, f.file) for f in chosen), user.name)
    return RedirectResponse(f"/unggah/{batch.id}", status_code=303)


@router.get("/unggah/{batch_id}", response_class=HTMLResponse)
def unggahan(request: Request, state: State, batch_id: str) -> HTMLResponse:
    """Each file's outcome; the page refreshes itself while files are still waiting or read."""
    batch = state.uploads.batch(batch_id)
    return page(request, "unggahan.html", {"batch": batch, "refresh": REFRESH_SECONDS
                                           if batch.pending else None})
