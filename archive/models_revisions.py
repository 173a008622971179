"""Table models of corrections (0005_revisions): each save of a reading is a revision.

`versions.extraction` always holds the reading in use (the machine's, with every human value
applied), so search, the indicator rows, exports and the API read corrected values without
knowing about corrections.  `machine_readings` keeps what the machine read (the last reading
before the first correction, replaced when the file is read again) and `extraction_revisions`
who changed which field, when, why, from what to what.  A revision's entries of kind
'diperiksa' say that a person looked at a marked field and found it right.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base
from archive.models import JsonType, utcnow


class MachineReading(Base):
    """The machine's reading of a version, kept when a person first corrects it."""

    __tablename__ = "machine_readings"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True
    )
    extraction: Mapped[dict[str, Any]] = mapped_column(JsonType)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExtractionRevision(Base):
    """One save of corrections to a version's reading: who, when, why, and each field's change."""

    __tablename__ = "extraction_revisions"
    __table_args__ = (UniqueConstraint("version_id", "revision_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), index=True
    )
    revision_no: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per version
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    # [{"field": "steps[2].kegiatan", "old": ..., "new": ..., "kind": "koreksi" | "diperiksa"}]
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
