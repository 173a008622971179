"""Versions numbered by their dates: existing documents renumbered once (no schema change).

Until now `version_no` was the upload order, so an older edition uploaded later sat above the
newer one ("versi 2 digantikan" over "versi 1 berlaku").  From here on `archive.standings.renumber`
keeps each document's versions numbered 1..n by start date (efektif, else pengesahan, revisi,
pembuatan; undated last; ties by upload, i.e. row id); this revision does the same once for what
is already archived.  The upload order needs no column: row ids only grow and a moved version
keeps its id (`archive.standings.upload_rank`).

Each renumbered version gets a finished `jobs` row saying what its number was, so its history
shows it and the search index's catch-up re-reads the document (the index stores the numbers).

Revision ID: 0006_version_dates
Revises: 0005_revisions
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006_version_dates"
down_revision: str | None = "0005_revisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_START = ("tanggal_efektif", "tanggal_pengesahan", "tanggal_revisi", "tanggal_pembuatan")
_VERSIONS = sa.table("versions", sa.column("id", sa.Integer), sa.column("document_id", sa.Integer),
                     sa.column("version_no", sa.Integer),
                     *(sa.column(name, sa.Date) for name in _START))
_JOBS = sa.table("jobs", sa.column("kind", sa.String), sa.column("status", sa.String),
                 sa.column("version_id", sa.Integer), sa.column("message", sa.Text),
                 sa.column("started_at", sa.DateTime(timezone=True)),
                 sa.column("finished_at", sa.DateTime(timezone=True)))


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # SQLite hands back text


def _order(row: Any) -> tuple[bool, date, int]:
    start = next((d for name in _START if (d := _as_date(getattr(row, name))) is not None), None)
    return start is None, start or date.min, row.id


def upgrade() -> None:
    """Renumber every document's versions by date, logging each changed number."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(_VERSIONS).order_by(_VERSIONS.c.document_id)).all()
    by_document: dict[int, list[Any]] = {}
    for row in rows:
        by_document.setdefault(row.document_id, []).append(row)
    now = datetime.now(UTC)
    for document_id, versions in by_document.items():
        ordered = sorted(versions, key=_order)
        changed = [(row, n) for n, row in enumerate(ordered, start=1) if row.version_no != n]
        if not changed:
            continue
        for row, _ in changed:  # first out of the way of the unique (document_id, version_no)
            bind.execute(_VERSIONS.update().where(_VERSIONS.c.id == row.id)
                         .values(version_no=-row.id))
        for row, number in changed:
            bind.execute(_VERSIONS.update().where(_VERSIONS.c.id == row.id)
                         .values(version_no=number))
            bind.execute(_JOBS.insert().values(
                kind="renumber", status="done", version_id=row.id, started_at=now,
                finished_at=now,
                message=(f"nomor versi menurut tanggal berlakunya: dulu versi {row.version_no} "
                         f"(urutan unggah), kini versi {number} dari #{document_id}")))


def downgrade() -> None:
    """Nothing to undo in the schema; the numbers stay in date order (still unique)."""
