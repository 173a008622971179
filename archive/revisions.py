"""Corrections of a reading: each save a revision (who, when, why, each field's old and new value).

`correct` applies typed values to a version's reading in use (`versions.extraction`) and its
rows (steps, indicators, dates, the document's metadata), keeps the machine's reading the first
time, and audits the save.  `reread` is how a new reading of the same version (a born-digital
twin, a re-extraction) comes in: the machine's part is replaced, every human value stays.
`marks` names the fields a person should look at (low confidence, failed self-checks,
warnings); a version is "diperiksa" when each of them was corrected or confirmed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive import fields
from archive.audit import Actor, record
from archive.documents import get_version
from archive.errors import BadInputError
from archive.models import Document, Version
from archive.models_revisions import ExtractionRevision, MachineReading

log = logging.getLogger(__name__)

EDITS = ("koreksi", "tambah", "hapus")  # the kinds of change that alter the reading
LOW_CONFIDENCE = 0.8  # under this a field read by OCR is marked for review
_WARNING_ALIASES = {"judul": "title", "langkah": "steps"}


@dataclass(frozen=True)
class Change:
    """One field of a save: its path, the value before and after, and the kind of entry."""

    field: str
    old: Any
    new: Any
    kind: str = "koreksi"  # "diperiksa": looked at and found right; "tambah"/"hapus": a row

    def as_dict(self) -> dict[str, Any]:
        """The JSON stored in `extraction_revisions.changes`."""
        return {"field": self.field, "old": self.old, "new": self.new, "kind": self.kind}


def parse_assignments(items: Iterable[str]) -> list[tuple[str, str]]:
    """`FIELD=VALUE` texts (the command line's --set) as pairs."""
    out = []
    for item in items:
        path, sep, value = item.partition("=")
        if not sep or not path.strip():
            raise BadInputError(f"--set {item!r}: tulis KOLOM=NILAI, mis. --set nomor=067/SOP/2024.")
        out.append((path.strip(), value))
    return out


def correct(session: Session, version_id: int, assignments: Sequence[tuple[str, str]],
            reason: str, actor: Actor, *, confirm: Iterable[str] = (),
            add: Sequence[str] = (), remove: Sequence[str] = ()) -> ExtractionRevision:
    """Save typed values, rows added and removed (and fields confirmed as read) as one revision;
    the caller commits.

    Rows named in `remove` are counted in the reading before this save and go first; rows of
    `add` (`steps[3]`: a new fourth step) are counted after the removals and start empty; the
    `assignments` then fill them (`steps[3].kegiatan=...`).  Values are checked by the field's
    type first, and a new row needs its required field: nothing is saved when one is wrong.
    """
    reason = (reason or "").strip()
    if not reason:
        raise BadInputError("Tulis alasan koreksi (mis. 'nomor tercetak 067, terbaca G7'); "
                            "alasan wajib dicatat.")
    version = get_version(session, version_id)
    updated = dict(version.extraction or {})
    changes: list[Change] = []
    for path in sorted(set(remove), key=lambda p: fields.row_path(p), reverse=True):
        updated, row = fields.remove_row(updated, path)
        changes.append(Change(path.strip(), row, None, "hapus"))
    added = []
    for path in sorted(set(add), key=lambda p: fields.row_path(p)):
        root, index = fields.row_path(path)
        updated = fields.insert_row(updated, path, fields.blank_row(root, index))
        added.append((path.strip(), len(changes)))
        changes.append(Change(path.strip(), None, None, "tambah"))
    for path, typed in assignments:
        new = fields.coerce(path, typed)
        old = fields.get_value(updated, path)
        if new != old:
            updated = fields.set_value(updated, path, new)
            changes.append(Change(path.strip(), old, new))
            updated = _text_twin(updated, path.strip(), new, changes)
    for path, at in added:
        empty = fields.missing_required(updated, path)
        if empty is not None:
            raise BadInputError(f"Baris baru {path}: isi {empty} (wajib), mis. --set {empty}=...")
        changes[at] = Change(path, None, fields.get_value(updated, path), "tambah")
    seen = {c.field for c in changes}
    for path in confirm:
        fields.kind_of(path)
        if path not in seen:
            changes.append(Change(path, fields.get_value(updated, path),
                                  fields.get_value(updated, path), "diperiksa"))
    if not changes:
        raise BadInputError("Tidak ada yang berubah: nilai yang diketik sama dengan yang tersimpan. "
                            "Ubah nilainya, atau tandai kolom sebagai sudah diperiksa.")
    if any(c.kind in EDITS for c in changes):
        _keep_machine_reading(session, version)
        _apply(session, version, updated)
    revision = ExtractionRevision(
        version_id=version.id, revision_no=_next_no(session, version.id), actor=actor.name[:64],
        reason=reason, changes=[c.as_dict() for c in changes])
    session.add(revision)
    session.flush()
    record(session, actor, "koreksi", f"versi {version.id}",
           before={c.field: c.old for c in changes if c.kind in EDITS},
           after={"alasan": reason, "revisi": revision.revision_no,
                  "nilai": {c.field: c.new for c in changes if c.kind in EDITS},
                  "baris_ditambah": [c.field for c in changes if c.kind == "tambah"],
                  "baris_dihapus": [c.field for c in changes if c.kind == "hapus"],
                  "diperiksa": [c.field for c in changes if c.kind == "diperiksa"]})
    return revision


def _text_twin(extraction: dict[str, Any], path: str, new: Any,
               changes: list[Change]) -> dict[str, Any]:
    """A number typed for `target`/`realisasi` replaces the text form shown instead of it."""
    root, index, leaf = fields.split(path)
    twin = fields.TEXT_TWIN.get(leaf or "") if root == "indicators" else None
    if twin is None or new is None:
        return extraction
    twin_path = f"{root}[{index}].{twin}"
    old = fields.get_value(extraction, twin_path)
    if old is None:
        return extraction
    changes.append(Change(twin_path, old, None))
    return fields.set_value(extraction, twin_path, None)


def _next_no(session: Session, version_id: int) -> int:
    last = session.scalar(select(func.max(ExtractionRevision.revision_no))
                          .where(ExtractionRevision.version_id == version_id))
    return (last or 0) + 1


def _keep_machine_reading(session: Session, version: Version) -> None:
    if session.get(MachineReading, version.id) is None:
        session.add(MachineReading(version_id=version.id, extraction=dict(version.extraction)))
        session.flush()


def _apply(session: Session, version: Version, extraction: Mapping[str, Any]) -> None:
    """The reading in use and everything derived from it: dates, rows, the document's metadata."""
    from archive.documents import indicator_rows, step_rows
    from archive.standings import DATE_FIELDS, parse_iso_date, refresh_statuses

    version.extraction = dict(extraction)
    for name in DATE_FIELDS:
        setattr(version, name, parse_iso_date(extraction.get(name)))
    version.steps.clear()
    version.indicators.clear()
    session.flush()
    version.steps.extend(step_rows(extraction.get("steps") or ()))
    version.indicators.extend(indicator_rows(extraction.get("indicators") or ()))
    session.flush()
    refresh_statuses(version.document)
    _rekey(session, version)
    session.flush()


def _rekey(session: Session, version: Version) -> None:
    """A corrected number or office of the version in force is the document's identity now
    (so the next upload of it finds it), unless another document already holds that key."""
    from archive.identity import identity_key

    document = version.document
    if version.status != "berlaku":
        return
    key = identity_key(version.extraction)
    if key and key != document.identity_key and session.scalar(
            select(func.count()).select_from(Document).where(Document.identity_key == key)) == 0:
        document.identity_key = key


# --- a new reading of a corrected version ------------------------------------------------------
def human_values(session: Session, version_id: int) -> dict[str, Any]:
    """Every field a person corrected, with the last value they gave it."""
    out: dict[str, Any] = {}
    for change in human_changes(session, version_id):
        if change.get("kind", "koreksi") == "koreksi":
            out[change["field"]] = change.get("new")
    return out


def human_changes(session: Session, version_id: int) -> list[dict[str, Any]]:
    """Every change a person made to the reading (values, rows added and removed), in order."""
    return [c for r in history(session, version_id) for c in r.changes
            if c.get("kind", "koreksi") in EDITS]


def reread(session: Session, version: Version, machine: Mapping[str, Any]) -> list[str]:
    """Take a new machine reading of `version`, keeping every human value on top of it.

    The person's changes are replayed in order on the new reading: values set, rows added,
    rows removed (the row with the removed row's text, where it is now).  Returns the changes
    that no longer fit (a row the new reading does not have): they are kept in the history and
    named in the reading's warnings, never silently dropped.
    """
    changes = human_changes(session, version.id)
    if not changes:
        _apply(session, version, machine)
        return []
    kept = session.get(MachineReading, version.id)
    if kept is None:
        session.add(MachineReading(version_id=version.id, extraction=dict(machine)))
    else:
        kept.extraction = dict(machine)
    updated, lost = dict(machine), []
    for change in changes:
        updated, fits = _replay(updated, change)
        if not fits and change["field"] not in lost:
            lost.append(change["field"])
    if lost:
        note = (f"koreksi {', '.join(lost)} tidak dapat diterapkan pada pembacaan baru (barisnya "
                "tidak ada lagi); lihat riwayat koreksi dan koreksi lagi bila perlu")
        updated["warnings"] = [*(updated.get("warnings") or ()), note]
    _apply(session, version, updated)
    log.info("version %d read again: %d human change(s) kept", version.id,
             len(changes) - len(lost))
    return lost


def _replay(extraction: dict[str, Any], change: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """One person's change applied to a new reading; False when it no longer fits."""
    path, kind = change["field"], change.get("kind", "koreksi")
    if kind == "tambah":
        root, index = fields.row_path(path)
        at = f"{root}[{min(index, len(extraction.get(root) or ()))}]"
        return fields.insert_row(extraction, at, change.get("new")), True
    if kind == "hapus":
        where = _same_row(extraction, path, change.get("old"))
        return (fields.remove_row(extraction, where)[0], True) if where else (extraction, False)
    if not fields.exists(extraction, path):
        return extraction, False
    return fields.set_value(extraction, path, change.get("new")), True


def _same_row(extraction: Mapping[str, Any], path: str, old: Any) -> str | None:
    """Where the row a person removed is in a new reading: at its place when its text is the
    same there, else the first row with that text; None when no row has it."""
    root, index = fields.row_path(path)
    rows = list(extraction.get(root) or ())

    def text(row: Any) -> str:
        if isinstance(row, Mapping):
            return str(row.get("kegiatan") or row.get("indikator") or row.get("program") or "")
        return str(row or "")

    want = text(old)
    order = [index, *range(len(rows))] if index < len(rows) else list(range(len(rows)))
    for i in order:
        if text(rows[i]) == want:
            return f"{root}[{i}]"
    return None


# --- reading back --------------------------------------------------------------------------------
def history(session: Session, version_id: int) -> list[ExtractionRevision]:
    """The revisions of a version, oldest first."""
    return list(session.scalars(select(ExtractionRevision)
                                .where(ExtractionRevision.version_id == version_id)
                                .order_by(ExtractionRevision.revision_no)))


def machine_reading(session: Session, version: Version) -> dict[str, Any]:
    """What the machine read (the reading in use when nobody corrected it)."""
    kept = session.get(MachineReading, version.id)
    return dict(kept.extraction if kept is not None else version.extraction or {})


def marks(extraction: Mapping[str, Any]) -> dict[str, list[str]]:
    """Fields to look at, each with why: low OCR confidence, a failed self-check, a warning."""
    out: dict[str, list[str]] = {}
    for path, conf in sorted((extraction.get("confidence") or {}).items()):
        if float(conf) < LOW_CONFIDENCE and _correctable(path):
            out.setdefault(path, []).append(f"keyakinan baca {round(float(conf) * 100)} %")
    for warning in extraction.get("warnings") or ():
        path = warning_field(extraction, str(warning))
        if path is not None:
            out.setdefault(path, []).append(str(warning))
    return out


def warning_field(extraction: Mapping[str, Any], warning: str) -> str | None:
    """The field a warning is about (`nomor: ...`, `tanggal_pembuatan ...`, `langkah 3: ...`)."""
    m = re.match(r"([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+)?)(?:\s+(\d+))?[:\s]", warning)
    if not m:
        return None
    head = _WARNING_ALIASES.get(m[1], m[1])
    if head == "steps" and m[2]:
        for i, step in enumerate(extraction.get("steps") or ()):
            if str(step.get("no")) == m[2]:
                return f"steps[{i}].kegiatan"
        return None
    if head in fields.OFFICIALS:
        return f"{head}.nama"
    return head if _correctable(head) else None


def _correctable(path: str) -> bool:
    try:
        fields.kind_of(path)
    except BadInputError:
        return False
    return True


@dataclass(frozen=True)
class Review:
    """A version's marked fields and which of them a person has corrected or confirmed."""

    marked: dict[str, list[str]]
    seen: dict[str, str]  # field -> "koreksi" | "diperiksa" | "hapus" (the last entry)

    @property
    def open(self) -> list[str]:
        """Marked fields nobody has looked at yet."""
        return [f for f in self.marked if f not in self.seen]

    @property
    def diperiksa(self) -> bool:
        """True when every marked field was corrected or confirmed."""
        return not self.open


def review(session: Session, version: Version) -> Review:
    """The review state of a version (marks from the machine's reading, entries from revisions)."""
    seen: dict[str, str] = {}
    removed: list[str] = []
    for revision in history(session, version.id):
        for change in revision.changes:
            seen[change["field"]] = change.get("kind", "koreksi")
            if change.get("kind") == "hapus":
                removed.append(change["field"])
    marked = marks(machine_reading(session, version))
    for path in marked:  # a marked field of a row a person removed was looked at
        if path not in seen and any(path == r or path.startswith(r + ".") for r in removed):
            seen[path] = "hapus"
    return Review(marked, seen)


@dataclass(frozen=True)
class QueueItem:
    """A version waiting for review."""

    version: Version
    document: Document
    open: list[str]
    uploaded_at: datetime


def queue(session: Session, instansi: str | None = None) -> list[QueueItem]:
    """Versions with marked fields nobody looked at, oldest upload first, of one office if given."""
    stmt = select(Version, Document).join(Document).order_by(Version.uploaded_at, Version.id)
    if instansi:
        stmt = stmt.where(Document.instansi == instansi)
    out = []
    for version, document in session.execute(stmt):
        state = review(session, version)
        if state.open:
            out.append(QueueItem(version, document, state.open, version.uploaded_at))
    return out


def offices(session: Session) -> list[str]:
    """The offices of the archive (the queue's filter)."""
    return [o for o in session.scalars(select(Document.instansi).distinct()
                                       .order_by(Document.instansi)) if o]
