"""Retention (Jadwal Retensi Arsip): classification code and periods per document type, and what is due.

The schedule is data in `retention_rules`, seeded with the defaults below (from the regional
schedules quoted in DOMAIN.md) the first time it is read, and editable afterwards (`arsip
retention --set`), since each region publishes its own.  A version's clock starts when it stops
being in force (an SOP superseded or revoked; one in force stays active), or, for reports and
forms, at the end of the year they report on.  After the active period it is due for review
(move to the inactive archive); after the inactive period its final fate applies: destroy
(`musnah`) or hand over to the regional archive for permanent keeping (`permanen`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.errors import BadInputError
from archive.models import FATES, Document, RetentionRule, Version
from archive.timeline import end_of_force, start_date

log = logging.getLogger(__name__)

Stage = Literal["aktif", "inaktif", "musnah", "permanen", "tanpa_aturan"]
DUE_STAGES: tuple[Stage, ...] = ("inaktif", "musnah", "permanen")
CLOCK_AT_END_OF_FORCE = ("sop",)  # regulations: the clock starts when they stop applying


@dataclass(frozen=True)
class Rule:
    """One line of the schedule: KKA, active + inactive years, final fate."""

    doc_type: str
    kka: str
    description: str
    active_years: int
    inactive_years: int
    final_fate: str


DEFAULT_RULES = (
    Rule("sop", "000.8.3.3", "Standar Operasional Prosedur", 2, 3, "permanen"),
    Rule("lkjip", "000.8.6.3", "Laporan Kinerja Instansi Pemerintah (akuntabilitas kinerja)",
         2, 3, "musnah"),
    Rule("perjanjian_kinerja", "000.7.2.7", "Perjanjian Kinerja", 3, 4, "musnah"),
    # Not in the quoted schedules: filed with the LKjIP they feed until a region says otherwise.
    Rule("form_data_kinerja", "000.8.6.3", "Data pendukung pengukuran kinerja (seperti LKjIP)",
         2, 3, "musnah"),
)


@dataclass(frozen=True)
class RetentionItem:
    """Where one archived version stands in the schedule on a given day."""

    document_id: int
    version_id: int
    version_no: int
    doc_type: str
    title: str | None
    kka: str | None
    clock_start: date | None  # None: still in force (active), or no date to count from
    active_until: date | None
    inactive_until: date | None
    stage: Stage

    @property
    def due(self) -> bool:
        """Whether an archivist has to act: review, destroy or hand over."""
        return self.stage in DUE_STAGES


def rules(session: Session) -> list[RetentionRule]:
    """The schedule, seeding the defaults for document types that have no rule yet."""
    have = set(session.scalars(select(RetentionRule.doc_type)))
    for rule in DEFAULT_RULES:
        if rule.doc_type not in have:
            session.add(RetentionRule(doc_type=rule.doc_type, kka=rule.kka,
                                      description=rule.description,
                                      active_years=rule.active_years,
                                      inactive_years=rule.inactive_years,
                                      final_fate=rule.final_fate))
    session.flush()
    return list(session.scalars(select(RetentionRule).order_by(RetentionRule.kka,
                                                               RetentionRule.doc_type)))


def set_rule(
    session: Session, doc_type: str, *, kka: str | None = None, active_years: int | None = None,
    inactive_years: int | None = None, final_fate: str | None = None,
    description: str | None = None,
) -> RetentionRule:
    """Change (or add) the rule of a document type; parts not given stay as they are."""
    existing = {r.doc_type: r for r in rules(session)}
    rule = existing.get(doc_type)
    if rule is None:
        if kka is None or active_years is None or inactive_years is None or final_fate is None:
            raise BadInputError(f"Belum ada aturan retensi untuk {doc_type!r}: berikan KKA "
                                "(--kka), kedua masa retensi (--active, --inactive), dan nasib "
                                "akhirnya (--fate).")
        rule = RetentionRule(doc_type=doc_type)
        session.add(rule)
    _apply(rule, kka, active_years, inactive_years, final_fate, description)
    session.flush()
    log.info("retention rule %s: %s %d+%d %s", doc_type, rule.kka, rule.active_years,
             rule.inactive_years, rule.final_fate)
    return rule


def _apply(rule: RetentionRule, kka: str | None, active: int | None, inactive: int | None,
           fate: str | None, description: str | None) -> None:
    if fate is not None and fate not in FATES:
        raise BadInputError(f"Nasib akhir {fate!r} tidak dikenal: pilih {', '.join(FATES)}.")
    if any(y is not None and y < 0 for y in (active, inactive)):
        raise BadInputError("Masa retensi ditulis dalam tahun penuh: nol atau lebih.")
    rule.kka = kka if kka is not None else rule.kka
    rule.active_years = active if active is not None else rule.active_years
    rule.inactive_years = inactive if inactive is not None else rule.inactive_years
    rule.final_fate = fate if fate is not None else rule.final_fate
    rule.description = description if description is not None else rule.description


def schedule(session: Session, on: date) -> list[RetentionItem]:
    """Every archived version with its retention stage on date `on`."""
    by_type = {r.doc_type: r for r in rules(session)}
    stmt = select(Document).options(selectinload(Document.versions)).order_by(Document.id)
    items = []
    for document in session.scalars(stmt):
        for version in document.versions:
            items.append(_item(document, version, by_type.get(document.doc_type), on))
    return items


def due(items: Iterable[RetentionItem]) -> list[RetentionItem]:
    """The items an archivist has to act on, the longest overdue first."""
    return sorted((i for i in items if i.due), key=lambda i: (i.active_until or date.max))


def _item(document: Document, version: Version, rule: RetentionRule | None,
          on: date) -> RetentionItem:
    start = clock_start(document, version)
    active = _add_years(start, rule.active_years) if rule and start else None
    inactive = _add_years(active, rule.inactive_years) if rule and active else None
    return RetentionItem(document.id, version.id, version.version_no, document.doc_type,
                         document.title, rule.kka if rule else None, start, active, inactive,
                         _stage(rule, active, inactive, on))


def _stage(rule: RetentionRule | None, active: date | None, inactive: date | None,
           on: date) -> Stage:
    if rule is None:
        return "tanpa_aturan"
    if active is None or inactive is None or on < active:
        return "aktif"
    if on < inactive:
        return "inaktif"
    return "permanen" if rule.final_fate == "permanen" else "musnah"


def clock_start(document: Document, version: Version) -> date | None:
    """The day a version's retention starts counting (None: not yet, or nothing to count from)."""
    if document.doc_type in CLOCK_AT_END_OF_FORCE:
        ordered = sorted(document.versions, key=lambda v: (start_date(v) or date.min,
                                                           v.version_no))
        if version.status == "berlaku":
            return None
        return end_of_force(version, ordered) or version.tanggal_dicabut
    tahun = (version.extraction or {}).get("tahun") or document.tahun
    if isinstance(tahun, int | float) and tahun:
        return date(int(tahun), 12, 31)
    return start_date(version) or version.uploaded_at.date()


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
