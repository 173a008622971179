"""The one adapter from archive rows to the search engines' records (`search.records`).

Page texts come from the version's stored extraction (`page_texts`); a version stored without
them is indexed from what the extraction holds (title, lists, steps and indicators placed on
their pages), so it is still found, only by fewer words.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.models import Document, IndicatorRow, Version
from archive.titles import title_of, year_of
from search.records import DocumentRecord, IndicatorRecord, VersionRecord

BATCH = 200


def iter_documents(session: Session, doc_ids: Iterable[int] | None = None) -> Iterator[DocumentRecord]:
    """Records of every document (or of `doc_ids`), loaded in batches."""
    stmt = select(Document.id).order_by(Document.id)
    if doc_ids is not None:
        stmt = stmt.where(Document.id.in_(list(doc_ids)))
    ids = list(session.scalars(stmt))
    for start in range(0, len(ids), BATCH):
        batch = session.scalars(
            select(Document).where(Document.id.in_(ids[start:start + BATCH])).order_by(Document.id)
            .options(selectinload(Document.versions).selectinload(Version.indicators))
        )
        for doc in batch:
            yield document_record(doc)
        session.expunge_all()


def document_record(doc: Document) -> DocumentRecord:
    """A document and all its versions as a record."""
    return DocumentRecord(doc.id, tuple(version_record(doc, v) for v in doc.versions))


def version_record(doc: Document, v: Version) -> VersionRecord:
    """One version: metadata from its own extraction (a revision may retitle), rows, page texts."""
    ex: dict[str, Any] = v.extraction or {}
    tahun = year_of({"doc_type": doc.doc_type, **ex})
    return VersionRecord(
        version_id=v.id, version_no=v.version_no, in_force=v.status == "berlaku", status=v.status,
        doc_type=doc.doc_type, title=title_of({"doc_type": doc.doc_type, **ex}) or doc.title,
        nomor=ex.get("nomor") or doc.nomor, instansi=ex.get("instansi") or doc.instansi,
        tahun=tahun if tahun is not None else doc.tahun,
        tanggal=v.tanggal_efektif or v.tanggal_pengesahan or _iso(ex.get("tanggal")),
        pages=page_texts(ex),
        indicators=tuple(indicator_record(r) for r in v.indicators),
    )


def indicator_record(r: IndicatorRow) -> IndicatorRecord:
    """One stored indicator row."""
    return IndicatorRecord(
        indikator=r.indikator, sasaran=r.sasaran, satuan=r.satuan, target=r.target,
        realisasi=r.realisasi, capaian=r.capaian, target_text=r.target_text,
        realisasi_text=r.realisasi_text, page=r.page,
    )


def page_texts(ex: dict[str, Any]) -> tuple[str, ...]:
    """The extraction's page texts, or a stand-in text per page built from its fields."""
    texts = ex.get("page_texts")
    if texts:
        return tuple(str(t or "") for t in texts)
    pages: dict[int, list[str]] = {1: []}
    for key in ("pemerintah", "instansi", "title", "nomor", "perihal", "kepada"):
        if ex.get(key):
            pages[1].append(str(ex[key]))
    for key in ("dasar_hukum", "kualifikasi_pelaksana", "keterkaitan", "peralatan", "peringatan",
                "pencatatan", "pelaksana"):
        pages[1] += [str(x) for x in ex.get(key) or ()]
    for item in [*(ex.get("steps") or ()), *(ex.get("indicators") or ())]:
        words = [str(v) for k, v in item.items() if isinstance(v, str) and k != "page"]
        pages.setdefault(int(item.get("page") or 1), []).extend(words)
    return tuple("\n".join(pages.get(n, [])) for n in range(1, max(pages) + 1))


def _iso(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
