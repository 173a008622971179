"""A document's versions in calendar order: their numbers ("versi 2"), when each came into force,
and which one is in force now (berlaku / digantikan / dicabut).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import object_session

from archive.models import Document, Version
from archive.titles import title_of, year_of

Extraction = Mapping[str, Any]  # the schema's JSON object
DATE_FIELDS = ("tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif", "tanggal_pengesahan")
log = logging.getLogger(__name__)


# --- standings --------------------------------------------------------------------------------------
def refresh_statuses(document: Document) -> None:
    """Number the versions by date (`renumber`); the newest version in force is 'berlaku', older
    ones 'digantikan'; 'dicabut' stays.

    Newest means the latest effective date (else approval, revision, creation date); undated
    versions rank below dated ones, and ties go to the later upload.
    """
    renumber(document)
    live = [v for v in document.versions if v.status != "dicabut"]
    if not live:
        return
    ranked = sorted(live, key=recency)
    for version in ranked[:-1]:
        version.status = "digantikan"
    current = ranked[-1]
    current.status = "berlaku"
    _copy_metadata(document, current.extraction)


def recency(version: Version) -> tuple[date, int]:
    """How recent a version is: its start date, then its upload."""
    return start_date(version) or date.min, upload_rank(version)


def upload_rank(version: Version) -> int:
    """Upload order: row ids only grow, and a moved version keeps its id (a new one sorts last)."""
    return version.id if version.id is not None else 2**62


def date_order(version: Version) -> tuple[bool, date, int]:
    """How versions are ordered and numbered: by start date, undated last, ties by upload."""
    start = start_date(version)
    return start is None, start or date.min, upload_rank(version)


def renumber(document: Document) -> bool:
    """Number a document's versions 1..n in date order (`date_order`); True when any changed.

    Version numbers are what people quote ("versi 2"), so they follow the calendar, not the
    order files happened to be uploaded in (which `upload_rank` keeps).  Two flushes, the first
    to numbers no row holds, so the unique (document_id, version_no) never sees a collision.
    """
    session = object_session(document)
    ordered = sorted(document.versions, key=date_order)
    if [v.version_no for v in ordered] == list(range(1, len(ordered) + 1)):
        return False
    if session is not None:
        session.flush()  # new versions get their ids (their upload rank)
        ordered = sorted(document.versions, key=date_order)
        for v in ordered:
            v.version_no = -v.id
        session.flush()
    for number, v in enumerate(ordered, start=1):
        v.version_no = number
    if session is not None:
        session.flush()
    return True


def start_date(version: Version) -> date | None:
    """When a version came into force: efektif, else pengesahan, revisi, pembuatan."""
    return (version.tanggal_efektif or version.tanggal_pengesahan or version.tanggal_revisi
            or version.tanggal_pembuatan)


def _copy_metadata(document: Document, extraction: Extraction) -> None:
    """The document shows what its version in force says."""
    document.nomor = extraction.get("nomor")
    document.title = title_of(extraction)
    document.instansi = extraction.get("instansi")
    document.tahun = year_of(extraction)

def parse_iso_date(value: Any) -> date | None:
    """An ISO date string from an extraction as a `date`; None (logged) when unreadable."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        log.warning("ignoring unreadable date %r", value)
        return None
