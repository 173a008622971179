"""A version's pages on the web: thumbnails, the page view (the page image with its words as
invisible, findable text), and the crop of the page a field was read from."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.pages import VersionPages, crop_png, field_region, page_png, source_file, version_pages
from api.web.deps import DbId, DbSession, State
from api.web.render import page
from api.web.state import WebState
from archive.errors import NotFoundError
from archive.models import Version
from ingest.confidence import norm
from ingest.pipeline import page_cache

router = APIRouter()

PNG_HEADERS = {"Cache-Control": "private, max-age=86400"}
Kolom = Annotated[str, Query(max_length=200, pattern=r"^[a-z_]+(\[\d{1,5}\])?(\.[a-z_]+)?$")]


def _version(session: Session, version_id: int) -> Version:
    version = session.get(Version, version_id)
    if version is None:
        raise NotFoundError(f"Versi {version_id} tidak ada; buka dokumennya dari pencarian.")
    return version


def _pages(state: WebState, version: Version) -> VersionPages:
    pages = version_pages(version, state.store, page_cache(state.store))
    if pages is None:
        raise NotFoundError(f"Versi {version.id} tidak punya berkas untuk ditampilkan.")
    return pages


@router.get("/versi/{version_id}/halaman/{nomor}", response_class=HTMLResponse)
def halaman(request: Request, session: DbSession, state: State, version_id: DbId, nomor: DbId,
            q: Annotated[str, Query(max_length=500)] = "") -> HTMLResponse:
    """One page: its image with the words read from it laid over as invisible text, so the
    browser's find (Ctrl+F) and copying work on a scan; the words of `q` highlighted."""
    version = _version(session, version_id)
    pages = _pages(state, version)
    shown = pages.page(nomor)
    wanted = {norm(t) for t in re.findall(r"[\w./-]+", q)} - {""}
    words = [{"text": text, "x": round(b.x0, 1), "y": round(b.bottom - 0.22 * b.height, 1),
              "top": round(b.top, 1), "w": round(b.width, 1), "h": round(b.height, 1),
              "size": round(0.9 * b.height, 1),
              "kena": any(norm(t) in wanted for t in text.split())}
             for text, b in shown.words if b.width > 0 and b.height > 0]
    return page(request, "halaman.html", {
        "version": version, "doc": version.document, "shown": shown, "count": len(pages.pages),
        "words": words, "q": q, "hits": sum(w["kena"] for w in words)})


@router.get("/versi/{version_id}/halaman/{nomor}/gambar")
def gambar(session: DbSession, state: State, version_id: DbId, nomor: DbId,
           kecil: Annotated[bool, Query()] = False) -> Response:
    """A page as PNG (`kecil=1`: its thumbnail), rendered once and then kept."""
    pages = _pages(state, _version(session, version_id))
    pages.page(nomor)
    session.close()  # rendering takes a while: no connection held meanwhile
    data = page_png(pages, nomor, state.store, page_cache(state.store), thumbnail=kecil)
    return Response(data, media_type="image/png", headers=PNG_HEADERS)


@router.get("/versi/{version_id}/potongan")
def potongan(session: DbSession, state: State, version_id: DbId, kolom: Kolom) -> Response:
    """The part of the page the machine read field `kolom` from, as PNG."""
    from archive.revisions import machine_reading

    version = _version(session, version_id)
    pages = _pages(state, version)
    region = field_region(pages, kolom, machine_reading(session, version))
    if region is None:
        raise NotFoundError(f"Letak kolom {kolom} di halaman tidak ditemukan; buka halamannya "
                            "dari gambar kecil halaman di dokumen ini.")
    session.close()
    data = crop_png(pages, region, state.store, page_cache(state.store))
    return Response(data, media_type="image/png", headers=PNG_HEADERS)


def page_count(version: Version) -> int:
    """How many pages the version's file has (0 when unknown)."""
    source = source_file(version)
    return int(source.pages or 0) if source is not None else 0
