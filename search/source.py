"""The one adapter from archive rows to the search engines' records (`search.records`).

Page texts come from the version's stored extraction (`page_texts`); a version stored without
them is indexed from what the extraction holds (title, lists, steps and indicators placed on
their pages), so it is still found, only by fewer words.  A value a person corrected (it differs
from the machine's reading kept in `machine_readings`) is added to the text of its page, so the
corrected words are found at once, beside the OCR text the page was read as.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.models import Document, IndicatorRow, Version
from archive.models_revisions import MachineReading
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
        docs = list(batch)
        machine = {m.version_id: m.extraction for m in session.scalars(
            select(MachineReading).where(
                MachineReading.version_id.in_([v.id for d in docs for v in d.versions])))}
        for doc in docs:
            yield document_record(doc, machine)
        session.expunge_all()


def document_record(doc: Document,
                    machine: Mapping[int, dict[str, Any]] | None = None) -> DocumentRecord:
    """A document and all its versions as a record (`machine`: the machine's readings of its
    corrected versions, by version id)."""
    machine = machine or {}
    return DocumentRecord(doc.id, tuple(version_record(doc, v, machine.get(v.id))
                                        for v in doc.versions))


def version_record(doc: Document, v: Version,
                   machine: dict[str, Any] | None = None) -> VersionRecord:
    """One version: metadata from its own extraction (a revision may retitle), rows, page texts
    (with the values a person corrected added to their pages)."""
    ex: dict[str, Any] = v.extraction or {}
    tahun = year_of({"doc_type": doc.doc_type, **ex})
    return VersionRecord(
        version_id=v.id, version_no=v.version_no, in_force=v.status == "berlaku", status=v.status,
        doc_type=doc.doc_type, title=title_of({"doc_type": doc.doc_type, **ex}) or doc.title,
        nomor=ex.get("nomor") or doc.nomor, instansi=ex.get("instansi") or doc.instansi,
        tahun=tahun if tahun is not None else doc.tahun,
        tanggal=v.tanggal_efektif or v.tanggal_pengesahan or _iso(ex.get("tanggal")),
        pages=with_corrections(page_texts(ex), ex, machine),
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


def with_corrections(pages: tuple[str, ...], ex: dict[str, Any],
                     machine: dict[str, Any] | None) -> tuple[str, ...]:
    """Page texts with every text a person corrected or added (not in the machine's reading)
    appended to its page (a row's own page, else the first)."""
    if not machine or not ex.get("page_texts"):
        return pages  # uncorrected, or indexed from the fields themselves already
    extra: dict[int, list[str]] = {}
    for key, value in ex.items():
        if key in ("page_texts", "confidence", "warnings") or value == machine.get(key):
            continue
        was = machine.get(key)
        items = value if isinstance(value, list) else [value]
        olds = was if isinstance(was, list) else [was]
        for i, item in enumerate(items):
            if i < len(olds) and item == olds[i]:
                continue
            page = item.get("page") if isinstance(item, dict) else None
            extra.setdefault(page if isinstance(page, int) and page > 0 else 1, []).extend(
                _texts(item))
    out = list(pages)
    for page, texts in sorted(extra.items()):
        while len(out) < page:
            out.append("")
        out[page - 1] = "\n".join([out[page - 1], *texts]) if texts else out[page - 1]
    return tuple(out)


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items() if k != "page" for t in _texts(v)]
    return [str(value)] if isinstance(value, str | int | float) and value != "" else []


def _iso(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
