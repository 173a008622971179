"""The version timeline of a document: order by effective date, the version in force on a date, diffs.

A version is in force from its start date (efektif, else pengesahan, revisi, pembuatan) until the
next version starts or it is revoked (`tanggal_dicabut`); as `refresh_statuses` has it, revoking
the newest version puts the newest remaining one back in force.  An undated version cannot be
placed on the calendar: it is listed last and never answers "in force on D".
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.documents import get_document
from archive.identity import normalise_text
from archive.localtime import today as local_today
from archive.models import Document, Job, Version
from archive.standings import date_order, start_date, upload_rank

log = logging.getLogger(__name__)

DATE_LABELS = ("tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif", "tanggal_pengesahan")
# Scalar fields of the extraction compared by the diff, in reading order.
DIFF_FIELDS = ("title", "nomor", "instansi", "tahun", *DATE_LABELS, "disahkan_oleh")
LIST_FIELDS = ("dasar_hukum", "kualifikasi_pelaksana", "keterkaitan", "peralatan", "peringatan",
               "pencatatan", "pelaksana")
STEP_FIELDS = ("kegiatan", "pelaksana", "kelengkapan", "waktu", "output", "keterangan")
INDICATOR_FIELDS = ("sasaran", "indikator", "satuan", "target", "realisasi", "capaian",
                    "target_triwulan")


@dataclass(frozen=True)
class TimelineEntry:
    """One version on the timeline, with its period in force and why it is where it is."""

    version: Version
    start: date | None
    end: date | None  # the first day it is no longer in force; None: still (or never dated)
    reasons: tuple[str, ...] = ()
    upload_no: int = 0  # 1 for the document's first upload, 2 for the next (kept beside the number)
    standing: Standing | None = None  # where it stands today, in words

    def as_json(self) -> dict[str, Any]:
        """Plain JSON for the CLI and the API."""
        v = self.version
        return {
            "id": v.id, "version_no": v.version_no, "status": v.status,
            "start": _iso(self.start), "end": _iso(self.end),
            **{name: _iso(getattr(v, name)) for name in (*DATE_LABELS, "tanggal_dicabut")},
            "uploader": v.uploader, "uploaded_at": _iso(v.uploaded_at),
            "source_filename": v.source_filename, "upload_no": self.upload_no,
            "standing": self.standing.key if self.standing else None,
            "standing_text": self.standing.text if self.standing else None,
            "files": [{"id": f.id, "role": f.role, "sha256": f.sha256, "scanned": f.scanned,
                       "pages": f.pages} for f in v.files],
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Standing:
    """Where a version stands on a day, derived from the same dates as "in force on D", so the
    badge of a version and the document's "berlaku hari ini" can never disagree."""

    key: str  # berlaku, digantikan, dicabut, belum, tanpa-tanggal (also the badge's CSS class)
    label: str  # the badge
    text: str  # the sentence beside it


def timeline(session: Session, document_id: int, today: date | None = None) -> list[TimelineEntry]:
    """The versions of a document ordered (and numbered) by start date, undated last, each with
    its period, upload order and standing on `today`."""
    document = get_document(session, document_id)
    ordered = sorted(document.versions, key=date_order)
    uploads = {v.id: n for n, v in enumerate(sorted(ordered, key=upload_rank), start=1)}
    reasons = _reasons(session, [v.id for v in ordered])
    entries = [TimelineEntry(v, start_date(v), end_of_force(v, ordered),
                             tuple(reasons.get(v.id, ())), uploads[v.id]) for v in ordered]
    day = today or local_today()  # the office's date
    in_force = version_in_force(document, day)
    return [replace(e, standing=standing_of(e, entries, in_force, day)) for e in entries]


def standing_of(entry: TimelineEntry, entries: Sequence[TimelineEntry], in_force: Version | None,
                today: date) -> Standing:
    """A version's standing on `today`: berlaku, belum berlaku, digantikan, dicabut, tanpa tanggal."""
    v = entry.version
    if v.status == "dicabut" and (v.tanggal_dicabut is None or v.tanggal_dicabut <= today):
        since = f" sejak {_id_date(v.tanggal_dicabut)}" if v.tanggal_dicabut else ""
        return Standing("dicabut", "dicabut", f"dicabut{since}")
    if entry.start is None:
        newest = v.status == "berlaku"
        return Standing("tanpa-tanggal", "terbaru, tanpa tanggal" if newest else "tanpa tanggal",
                        ("versi terbaru, tetapi " if newest else "")
                        + "tanggal berlakunya tidak terbaca (tanggal efektif, pengesahan, revisi "
                        "dan pembuatan kosong), jadi tidak dapat dinyatakan berlaku; isi tanggalnya "
                        "lewat koreksi hasil baca")
    if in_force is v:
        until = f" sampai {_id_date(entry.end)}" if entry.end else ""
        return Standing("berlaku", "berlaku", f"berlaku sejak {_id_date(entry.start)}{until}")
    if entry.start > today:
        return Standing("belum", "belum berlaku", f"mulai berlaku {_id_date(entry.start)}")
    after = next((e for e in entries if e.start is not None and e.start == entry.end
                  and e.version.status != "dicabut"), None)
    by = f" oleh versi {after.version.version_no}" if after else ""
    return Standing("digantikan", "digantikan",
                    f"digantikan{by} sejak {_id_date(entry.end)}" if entry.end else "digantikan")


def in_force_summary(entries: Sequence[TimelineEntry], in_force: Version | None,
                     today: date) -> str:
    """The document's "berlaku hari ini" line, in the same words as the versions' standings."""
    if in_force is not None:
        entry = next(e for e in entries if e.version is in_force)
        return f"versi {in_force.version_no} ({entry.standing.text if entry.standing else ''})"
    keys = {e.standing.key for e in entries if e.standing}
    day = _id_date(today)
    if "belum" in keys:
        first = min((e for e in entries if e.standing and e.standing.key == "belum"),
                    key=lambda e: e.start or date.max)
        return (f"belum ada pada {day}: versi {first.version.version_no} mulai berlaku "
                f"{_id_date(first.start)}")
    if keys == {"dicabut"}:
        return f"tidak ada pada {day}: semua versi dicabut"
    if "tanpa-tanggal" in keys:
        return (f"tidak dapat ditentukan pada {day}: versi yang tersisa tidak bertanggal "
                "(koreksi tanggal efektifnya di hasil baca)")
    return f"tidak ada versi yang berlaku pada {day}"


_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember")


def _id_date(value: date | None) -> str:
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}" if value else "-"


def end_of_force(version: Version, ordered: Sequence[Version]) -> date | None:
    """The next later start among versions not revoked before it, or the revocation date."""
    start = start_date(version)
    if start is None:
        return None
    later = [s for v in ordered if v is not version and v.status != "dicabut"
             and (s := start_date(v)) is not None and s > start]
    ends = [d for d in (min(later, default=None), version.tanggal_dicabut) if d is not None]
    return min(ends, default=None)


def successor(session: Session, version: Version) -> tuple[Version, date | None] | None:
    """The version that replaced `version` and since when; None unless it is `digantikan`.

    The next later start among the versions not revoked; an undated version was replaced by
    the version in force (its start, if it has one).
    """
    if version.status != "digantikan":
        return None
    document = get_document(session, version.document_id)
    live = [v for v in document.versions if v is not version and v.status != "dicabut"]
    start = start_date(version)
    later = [(s, v.version_no, v) for v in live
             if (s := start_date(v)) is not None and (start is None or s > start)]
    if start is not None and later:
        since, _, nxt = min(later, key=lambda t: (t[0], t[1]))
        return nxt, since
    current = next((v for v in live if v.status == "berlaku"), None)
    return (current, start_date(current)) if current is not None else None


def _reasons(session: Session, version_ids: list[int]) -> dict[int, list[str]]:
    """What the log says about each version: the identity decisions and corrections."""
    stmt = (select(Job.version_id, Job.source_filename, Job.message)
            .where(Job.version_id.in_(version_ids), Job.status.in_(("done", "duplicate")),
                   Job.message.is_not(None))
            .order_by(Job.id))
    out: dict[int, list[str]] = {}
    for version_id, name, message in session.execute(stmt):
        if version_id is None or message is None:
            continue
        out.setdefault(version_id, []).append(f"{name}: {message}" if name else message)
    return out


def in_force_on(session: Session, document_id: int, on: date) -> Version | None:
    """The version of a document in force on date `on` (None before the first or when revoked)."""
    document = get_document(session, document_id)
    return version_in_force(document, on)


def version_in_force(document: Document, on: date) -> Version | None:
    """Among the document's dated versions: the latest start on or before `on`, if not revoked."""
    entries = [(start_date(v), v) for v in document.versions if _not_revoked_by(v, on)]
    dated = [(s, v) for s, v in entries if s is not None and s <= on]
    if not dated:
        return None
    return max(dated, key=lambda sv: (sv[0], upload_rank(sv[1])))[1]


def _not_revoked_by(version: Version, on: date) -> bool:
    if version.status != "dicabut":
        return True
    return version.tanggal_dicabut is not None and version.tanggal_dicabut > on


# --- diff ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One difference: a field of the document, or of step / indicator number `item`."""

    kind: str  # "field", "step", "indicator"
    action: str  # "changed", "added", "removed"
    name: str  # field name, or the item's label
    old: Any = None
    new: Any = None
    details: tuple[tuple[str, Any, Any], ...] = field(default=())


def diff_versions(old: Version, new: Version) -> list[Change]:
    """What changed from `old` to `new`: fields, list items, steps and indicators."""
    a, b = old.extraction or {}, new.extraction or {}
    changes = list(_field_changes(a, b))
    changes += _row_changes("step", a.get("steps") or [], b.get("steps") or [], "kegiatan",
                            STEP_FIELDS)
    changes += _row_changes("indicator", a.get("indicators") or [], b.get("indicators") or [],
                            "indikator", INDICATOR_FIELDS)
    return changes


def _field_changes(a: Mapping[str, Any], b: Mapping[str, Any]) -> Iterator[Change]:
    for name in DIFF_FIELDS:
        if _norm(a.get(name)) != _norm(b.get(name)):
            yield Change("field", "changed", name, a.get(name), b.get(name))
    for name in LIST_FIELDS:
        old = {normalise_text(str(x)): x for x in a.get(name) or []}
        new = {normalise_text(str(x)): x for x in b.get(name) or []}
        for key in old.keys() - new.keys():
            yield Change("field", "removed", name, old=old[key])
        for key in new.keys() - old.keys():
            yield Change("field", "added", name, new=new[key])


def _row_changes(kind: str, old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]],
                 key: str, fields: Sequence[str]) -> list[Change]:
    """Align rows by their main text (as `diff` aligns lines), then compare the aligned pairs."""
    keys_a = [normalise_text(str(r.get(key) or "")) for r in old]
    keys_b = [normalise_text(str(r.get(key) or "")) for r in new]
    out: list[Change] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes():
        pairs = list(zip(range(i1, i2), range(j1, j2), strict=False))
        if op in ("equal", "replace"):
            out += [c for i, j in pairs if (c := _pair_change(kind, old[i], new[j], fields, j))]
        out += [Change(kind, "removed", _label(kind, old[i], i), old=old[i])
                for i in range(i1 + len(pairs), i2)]
        out += [Change(kind, "added", _label(kind, new[j], j), new=new[j])
                for j in range(j1 + len(pairs), j2)]
    return out


def _pair_change(kind: str, a: Mapping[str, Any], b: Mapping[str, Any], fields: Sequence[str],
                 index: int) -> Change | None:
    details = tuple((f, a.get(f), b.get(f)) for f in fields if _norm(a.get(f)) != _norm(b.get(f)))
    if not details:
        return None
    return Change(kind, "changed", _label(kind, b, index), a, b, details)


def _label(kind: str, row: Mapping[str, Any], index: int) -> str:
    if kind == "step":
        return f"langkah {row.get('no') or index + 1}"
    return f"indikator {index + 1}"


def _norm(value: Any) -> Any:
    """Compare text without case, punctuation or spacing; waktu by value and unit when read."""
    if isinstance(value, str):
        return normalise_text(value)
    if isinstance(value, Mapping):
        if "value" in value or "unit" in value:
            return value.get("value"), value.get("unit"), None if value.get("value") else (
                normalise_text(value.get("text")))
        return tuple(sorted((k, _norm(v)) for k, v in value.items() if v is not None))
    if isinstance(value, list):
        return tuple(_norm(v) for v in value)
    return value


# How field names and actions read in the diff shown to people (the schema's names elsewhere).
FIELD_LABELS = {"title": "judul"}
ACTION_LABELS = {"changed": "berubah", "added": "ditambahkan", "removed": "dihapus"}


def format_diff(changes: Sequence[Change]) -> list[str]:
    """The diff as lines for people (in Indonesian, as the command line speaks)."""
    if not changes:
        return ["tidak ada perbedaan pada isian, langkah, atau indikator yang terbaca"]
    lines = []
    for c in changes:
        name, action = FIELD_LABELS.get(c.name, c.name), ACTION_LABELS[c.action]
        if c.action == "changed" and c.kind == "field":
            lines.append(f"{name}: {_show(c.old)} -> {_show(c.new)}")
        elif c.action == "changed":
            lines.append(f"{name} {action}:")
            lines += [f"    {f}: {_show(o)} -> {_show(n)}" for f, o, n in c.details]
        else:
            row = c.new if c.action == "added" else c.old
            text = row.get("kegiatan") or row.get("indikator") if isinstance(row, Mapping) else row
            where = f"{name} {action}" if c.kind != "field" else f"{name}: {action}"
            lines.append(f"{where}: {_show(text)}")
    return lines


@dataclass(frozen=True)
class DiffRow:
    """One line of the diff as a table row: what, how it changed, the old and the new value."""

    what: str
    action: str
    old: str
    new: str


def diff_rows(changes: Sequence[Change]) -> list[DiffRow]:
    """The diff as table rows for the web page (the same changes `format_diff` prints)."""
    rows = []
    for c in changes:
        name, action = FIELD_LABELS.get(c.name, c.name), ACTION_LABELS[c.action]
        if c.action == "changed" and c.kind != "field":
            rows += [DiffRow(f"{name} · {f}", action, _plain(o), _plain(n)) for f, o, n in c.details]
            continue
        old, new = c.old, c.new
        if c.kind != "field":
            old = (old or {}).get("kegiatan") or (old or {}).get("indikator") if old else None
            new = (new or {}).get("kegiatan") or (new or {}).get("indikator") if new else None
        rows.append(DiffRow(name, action, _plain(old), _plain(new)))
    return rows


def _plain(value: Any) -> str:
    shown = _show(value)
    return shown[1:-1] if isinstance(value, str) and value else shown


def _show(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, Mapping):
        if "text" in value or "value" in value:
            return str(value.get("text") or f"{value.get('value')} {value.get('unit') or ''}".strip())
        return ", ".join(f"{k} {v}" for k, v in value.items() if v)
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None
