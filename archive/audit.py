"""The audit trail: one row per change, each holding the hash of the row before it.

`record` appends in the caller's transaction (so the change and its row commit together);
`verify` recomputes the chain and names the first row that was edited, deleted or inserted by
hand.  The hash covers every column but `id` and `hash`, written as canonical JSON, so a row
can be checked from itself and its predecessor alone (a backup copies the rows as they are).
A writer who also rewrites every later hash is not detectable from the table alone: keep the
head hash `arsip audit verify` prints somewhere else to compare.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from archive.models_accounts import AuditRow

GENESIS = "0" * 64
AUDIT_LOCK = 0x4155_4454  # pg_advisory_xact_lock key: one writer extends the chain at a time


@dataclass(frozen=True)
class Actor:
    """Who does something and from where (an account and its address, or the command line)."""

    name: str
    address: str = "lokal"


def canonical(value: Any) -> str | None:
    """Before/after values as canonical JSON (sorted keys, no spaces); None stays None."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)


def row_hash(prev_hash: str, at: str, actor: str, address: str, action: str, target: str,
             before: str | None, after: str | None) -> str:
    """The hash of one row from its fields and the previous row's hash."""
    fields = [prev_hash, at, actor, address, action, target, before, after]
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def record(session: Session, actor: Actor, action: str, target: str,
           before: Any = None, after: Any = None) -> AuditRow:
    """Append one row (the caller commits); `before`/`after` are JSON-able values."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK})
    elif dialect == "sqlite":  # a write statement takes the write lock before the last row is read
        session.execute(text("UPDATE audit_log SET id = id WHERE 0"))
    last = session.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(1)).first()
    prev = last.hash if last else GENESIS
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    b, a = canonical(before), canonical(after)
    row = AuditRow(at=at, actor=actor.name[:64], address=actor.address[:64], action=action,
                   target=target[:255], before=b, after=a, prev_hash=prev)
    row.hash = row_hash(prev, at, row.actor, row.address, action, row.target, b, a)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of `verify`: how many rows are sound, and the first bad one with the reason."""

    rows: int
    head: str
    bad_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when every row is where and as it was written."""
        return self.bad_id is None


def verify(session: Session) -> ChainCheck:
    """Walk the chain from the first row; stop at the first that does not fit."""
    prev, count, last_id = GENESIS, 0, 0
    for row in session.scalars(select(AuditRow).order_by(AuditRow.id)).yield_per(1000):
        if row.prev_hash != prev:
            what = ("baris sebelumnya dihapus, atau baris ini disisipkan"
                    if row.id == last_id + 1 or last_id == 0 else
                    f"baris {last_id + 1}-{row.id - 1} dihapus, atau baris ini disisipkan")
            return ChainCheck(count, prev, row.id, f"rantai putus di baris {row.id}: {what}")
        expected = row_hash(row.prev_hash, row.at, row.actor, row.address, row.action,
                            row.target, row.before, row.after)
        if row.hash != expected:
            return ChainCheck(count, prev, row.id, f"baris {row.id} diubah setelah dicatat "
                              "(isinya tidak cocok dengan hash-nya), atau disisipkan dengan "
                              "hash palsu")
        prev, count, last_id = row.hash, count + 1, row.id
    return ChainCheck(count, prev)


def rows(session: Session, *, since: datetime | None = None, actor: str | None = None,
         limit: int | None = None) -> Iterator[AuditRow]:
    """Rows oldest first, from `since` (UTC) and of one actor when given."""
    stmt = select(AuditRow).order_by(AuditRow.id)
    if since is not None:
        stmt = stmt.where(AuditRow.at >= since.astimezone(UTC).isoformat())
    if actor:
        stmt = stmt.where(AuditRow.actor == actor)
    if limit:
        stmt = select(AuditRow).where(AuditRow.id.in_(
            stmt.with_only_columns(AuditRow.id).order_by(AuditRow.id.desc()).limit(limit)
        )).order_by(AuditRow.id)
    yield from session.scalars(stmt)


def as_dict(row: AuditRow) -> dict[str, Any]:
    """A row as JSON-able data (before/after decoded)."""
    return {"id": row.id, "at": row.at, "actor": row.actor, "address": row.address,
            "action": row.action, "target": row.target,
            "before": json.loads(row.before) if row.before else None,
            "after": json.loads(row.after) if row.after else None, "hash": row.hash}
