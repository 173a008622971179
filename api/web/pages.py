"""Beranda (counts, latest documents), Cari (search) and Indikator (measurement rows, CSV/XLSX)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from api.web.deps import DbSession, State
from api.web.render import page
from api.wiring import verify_base
from archive.errors import BadInputError
from archive.models import Document, StoredFileRow, Version
from archive.models_letters import Letter
from search.export import write_csv, write_xlsx
from search.records import SearchQuery

router = APIRouter()

PAGE_LIMIT = 20
MAX_LIMIT = 200
EXPORT_LIMIT = 5000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/", response_class=HTMLResponse)
def beranda(request: Request, session: DbSession) -> HTMLResponse:
    """The home page: the search box, what the archive holds, the latest documents."""
    by_type = dict(session.execute(select(Document.doc_type, func.count())
                                   .group_by(Document.doc_type)).all())
    counts = {"dokumen": sum(by_type.values()),
              "versi": session.scalar(select(func.count(Version.id))) or 0,
              "berkas": session.scalar(select(func.count(StoredFileRow.id))) or 0,
              "surat": session.scalar(select(func.count(Letter.id))) or 0}
    latest = session.scalars(select(Document).order_by(Document.id.desc()).limit(10)).all()
    return page(request, "beranda.html", {"counts": counts, "by_type": by_type,
                                          "latest": latest})


@dataclass(frozen=True)
class Filters:
    """The search form as given: words plus filters (jenis, instansi, tahun, riwayat)."""

    q: str = ""
    jenis: str = ""
    instansi: str = ""
    tahun: str = ""
    riwayat: bool = False
    limit: int = PAGE_LIMIT

    @property
    def asked(self) -> bool:
        """True when there is something to search for (words or a filter)."""
        return bool(self.q.strip() or self.jenis or self.instansi.strip() or self.tahun.strip())

    def query(self, limit: int | None = None) -> SearchQuery:
        """The engine's query; a year that is not a number is refused in Indonesian."""
        tahun = self.tahun.strip()
        if tahun and not (tahun.isdigit() and len(tahun) == 4):
            raise BadInputError(f"Tahun {tahun!r} tidak sah: tulis empat angka, mis. 2024.")
        return SearchQuery(self.q, doc_type=self.jenis or None,
                           instansi=self.instansi.strip() or None,
                           tahun=int(tahun) if tahun else None, history=self.riwayat,
                           limit=limit or self.limit)

    def url(self, path: str, **changes: Any) -> str:
        """This search's address (for links: more results, downloads)."""
        params = {"q": self.q, "jenis": self.jenis, "instansi": self.instansi,
                  "tahun": self.tahun, "riwayat": "1" if self.riwayat else "",
                  "limit": str(self.limit) if self.limit != PAGE_LIMIT else "", **changes}
        return f"{path}?{urlencode({k: v for k, v in params.items() if v})}"


def filters(q: str = "", jenis: str = "", instansi: str = "", tahun: str = "",
            riwayat: str = "", limit: int = PAGE_LIMIT) -> Filters:
    """The search form's fields from the query string."""
    return Filters(q, jenis, instansi, tahun, riwayat not in ("", "0"),
                   max(1, min(limit, MAX_LIMIT)))


@router.get("/cari", response_class=HTMLResponse)
def cari(request: Request, state: State, q: str = "", jenis: str = "", instansi: str = "",
         tahun: str = "", riwayat: str = "", limit: int = PAGE_LIMIT) -> HTMLResponse:
    """Search: one result per version, with highlights and page numbers."""
    return _results_page(request, "cari.html", filters(q, jenis, instansi, tahun, riwayat, limit),
                         state.search.search)


@router.get("/indikator", response_class=HTMLResponse)
def indikator(request: Request, state: State, q: str = "", jenis: str = "", instansi: str = "",
              tahun: str = "", riwayat: str = "", limit: int = PAGE_LIMIT * 5) -> HTMLResponse:
    """Measurement rows (sasaran, indikator, satuan, target, realisasi, capaian) with downloads."""
    return _results_page(request, "indikator.html", filters(q, jenis, instansi, tahun, riwayat, limit),
                         state.search.search_indicators)


def _results_page(request: Request, template: str, f: Filters, run: Callable[[SearchQuery], Any]) -> HTMLResponse:
    """The form, and its results once something is asked; a bad query: 400 with the engine's message."""
    context: dict[str, Any] = {"f": f, "results": None, "error": None}
    if not f.asked:
        return page(request, template, context)
    try:
        context["results"] = run(f.query())
    except BadInputError as e:  # BadQueryError too: the engine says what to change
        context["error"] = e.message
        return page(request, template, context, status_code=400)
    return page(request, template, context)


@router.get("/indikator.csv")
def indikator_csv(request: Request, state: State, q: str = "", jenis: str = "",
                  instansi: str = "", tahun: str = "", riwayat: str = "") -> Response:
    """The measurement rows of a search as CSV (`search.export`, as `arsip indikator --csv`)."""
    hits = state.search.search_indicators(
        filters(q, jenis, instansi, tahun, riwayat).query(EXPORT_LIMIT)).hits
    out = io.StringIO()
    write_csv(hits, out, verify_base(state.settings, str(request.base_url)))
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="indikator.csv"'})


@router.get("/indikator.xlsx")
def indikator_xlsx(request: Request, state: State, q: str = "", jenis: str = "",
                   instansi: str = "", tahun: str = "", riwayat: str = "") -> Response:
    """The measurement rows of a search as XLSX (`search.export`, as `arsip indikator --xlsx`)."""
    hits = state.search.search_indicators(
        filters(q, jenis, instansi, tahun, riwayat).query(EXPORT_LIMIT)).hits
    with tempfile.TemporaryDirectory(prefix="arsip-xlsx-") as tmp:
        path = Path(tmp) / "indikator.xlsx"
        write_xlsx(hits, path, verify_base(state.settings, str(request.base_url)))
        data = path.read_bytes()
    return Response(data, media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="indikator.xlsx"'})
