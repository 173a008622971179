"""What a document is called and which year it belongs to, when its reading does not say so.

A Perjanjian Kinerja prints no title of its own beyond "PERJANJIAN KINERJA TAHUN N": it is named
by its year and the jabatan of its PIHAK PERTAMA (the office head who promises).  A decision or a
letter is named by what it is about (tentang / perihal).  An SOP belongs to the year of its
effective date, else of the date it was made.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def title_of(extraction: Mapping[str, Any]) -> str | None:
    """The title to show: the read (or corrected) title, else one made from the document's parts."""
    title = _clean(extraction.get("title"))
    if title:
        return title
    doc_type = extraction.get("doc_type")
    if doc_type == "perjanjian_kinerja":
        first = extraction.get("pihak_pertama") or {}
        parts = ["Perjanjian Kinerja", str(year_of(extraction) or ""), _clean(first.get("jabatan"))]
        return " ".join(p for p in parts if p)
    if doc_type in ("keputusan", "surat"):
        return _clean(extraction.get("perihal"))
    return None


def year_of(extraction: Mapping[str, Any]) -> int | None:
    """The document's year: as read, else (an SOP) the year of its effective or made date."""
    tahun = extraction.get("tahun")
    if isinstance(tahun, int | float) and not isinstance(tahun, bool) and tahun:
        return int(tahun)
    if extraction.get("doc_type") == "sop":
        for name in ("tanggal_efektif", "tanggal_pembuatan"):
            m = re.match(r"((?:19|20)\d\d)-\d\d-\d\d", str(extraction.get(name) or ""))
            if m:
                return int(m[1])
    return None


def _clean(text: Any) -> str | None:
    out = re.sub(r"\s+", " ", str(text or "")).strip()
    return out or None
