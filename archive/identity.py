"""Which document an upload belongs to: the identity key, and whether a reading is a new document,
a new version of one, or another file of a version already archived.

Takes the extraction as its schema JSON, like `archive.documents`, which calls `decide` when it adds
a version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import Document, Version
from archive.standings import DATE_FIELDS, parse_iso_date, recency

Extraction = Mapping[str, Any]  # the schema's JSON object

DecisionKind = Literal["new_document", "new_version", "new_file", "duplicate"]
_REGION_WORDS = {"kota", "kabupaten", "kab", "provinsi", "prov"}
_SAME_TEXT = 0.85  # similarity above which two readings of a title or step are the same text


@dataclass(frozen=True)
class Decision:
    """What the identity rules make of an extraction: new document, new version or another file."""

    kind: DecisionKind
    reason: str
    document: Document | None = None
    version: Version | None = None


# --- identity ------------------------------------------------------------------------------------
def identity_key(extraction: Extraction) -> str | None:
    """The key that makes two uploads versions of one document; None: always a new document.

    SOP: normalised number + office.  LKjIP: office + year.  Form: office + year + title.
    Anything else, or an extraction missing a part of its key, is a document of its own.
    """
    doc_type = extraction.get("doc_type")
    office = normalise_text(extraction.get("instansi"))
    parts: Sequence[str | None]
    if doc_type == "sop":
        parts = (office, normalise_nomor(extraction.get("nomor")))
    elif doc_type == "lkjip":
        parts = (office, _year(extraction))
    elif doc_type == "form_data_kinerja":
        parts = (office, _year(extraction), normalise_text(extraction.get("title")))
    else:
        return None
    if not all(parts):
        return None
    return "|".join([str(doc_type), *(p for p in parts if p)])


def normalise_nomor(nomor: str | None) -> str | None:
    """A document number for matching: no spaces, upper case (`800 / 1.11 /121` = `800/1.11/121`)."""
    if not nomor:
        return None
    out = re.sub(r"\s+", "", nomor).upper().strip("./-")
    return out or None


def normalise_text(text: str | None) -> str | None:
    """Office names and titles for matching: case, punctuation and spacing ignored."""
    if not text:
        return None
    out = re.sub(r"[^\w]+", " ", text.casefold()).strip()
    return re.sub(r"\s+", " ", out) or None


def _year(extraction: Extraction) -> str | None:
    tahun = extraction.get("tahun")
    return str(int(tahun)) if isinstance(tahun, int | float) and tahun else None


def decide(session: Session, extraction: Extraction) -> Decision:
    """Apply the identity rules: which document (if any) and which version (if any) this is.

    The document: same identity key, else (an SOP missing its number on one side) same title and
    office.  The version: an existing version with the same dates and fields gets the file as
    another file (a scan of the signed original beside its digital twin); otherwise a new version.
    """
    key = identity_key(extraction)
    document = _find_document(session, key)
    how = f"{_describe_key(extraction)} sama dengan dokumen #"
    if document is None:
        document, how = _find_by_title(session, extraction)
    if document is None:
        return Decision("new_document", how or _why_new(extraction, key))
    how = f"{how}{document.id}" if how.endswith("#") else how
    version, why = match_version(document, extraction)
    if version is not None:
        return Decision("new_file", f"{how}; {why}", document, version)
    return Decision("new_version", f"{how}; {why}", document)


def _describe_key(extraction: Extraction) -> str:
    doc_type = extraction.get("doc_type")
    if doc_type == "sop":
        return f"nomor {extraction.get('nomor')} dan instansi"
    if doc_type == "lkjip":
        return f"instansi dan tahun {_year(extraction)}"
    return f"instansi, tahun {_year(extraction)}, dan judul"


def _why_new(extraction: Extraction, key: str | None) -> str:
    if key is not None:
        return f"belum ada dokumen arsip dengan {_describe_key(extraction)} yang sama"
    doc_type = extraction.get("doc_type") or "other"
    needs = {"sop": "nomor (atau judul) dan instansi", "lkjip": "instansi dan tahun",
             "form_data_kinerja": "instansi, tahun, dan judul"}.get(str(doc_type))
    if needs is None:
        return f"dokumen jenis {doc_type} selalu menjadi dokumen tersendiri"
    return (f"hasil pembacaan tidak memuat {needs}, sehingga tidak dapat dicocokkan dengan "
            "dokumen arsip")


def _find_by_title(session: Session, extraction: Extraction) -> tuple[Document | None, str]:
    """No exact key match: the one document that matches loosely (OCR slips), with the reason.

    SOP: the number read loosely (dots, dashes and O/0, I/1 ignored: OCR drops and confuses
    them) and a similar office; or, with a number missing on one side, the same title and a
    similar office.  LKjIP: similar office, same year; form: also a similar title.  Documents
    whose key equals this one are left to the exact lookup.
    """
    doc_type = extraction.get("doc_type")
    if doc_type not in ("sop", "lkjip", "form_data_kinerja") or not extraction.get("instansi"):
        return None, ""
    key = identity_key(extraction)
    stmt = select(Document).where(Document.doc_type == doc_type)
    if doc_type != "sop":
        stmt = stmt.where(Document.tahun == int(_year(extraction) or 0))
    found = [(d, why) for d in session.scalars(stmt)
             if (key is None or d.identity_key != key) and (why := _loose_match(d, extraction))]
    if len(found) > 1:
        ids = ", ".join(f"#{d.id}" for d, _ in found)
        return None, (f"beberapa dokumen mirip ({ids}) dan tidak ada yang membedakannya: "
                      "dicatat sebagai dokumen baru")
    if not found:
        return None, ""
    document, why = found[0]
    return document, f"{why} dengan dokumen #{document.id}"


def _loose_match(document: Document, extraction: Extraction) -> str | None:
    if not similar_office(document.instansi, extraction.get("instansi")):
        return None
    if document.doc_type == "lkjip":
        return "instansi mirip dan tahun sama"
    if document.doc_type == "form_data_kinerja":
        return "instansi dan judul mirip, tahun sama" if similar(
            document.title, extraction.get("title")) else None
    mine, theirs = loose_nomor(extraction.get("nomor")), loose_nomor(document.nomor)
    if mine and theirs:
        return ("nomor sama bila dibaca longgar (tanda baca, O/0, I/1 diabaikan) dan instansi "
                "mirip") if mine == theirs else None
    if normalise_text(document.title) == normalise_text(extraction.get("title")) is not None:
        return "judul sama dan instansi mirip (salah satunya tanpa nomor)"
    return None


def similar_office(a: str | None, b: str | None) -> bool:
    """Similar office names, also when one reading ran on into the address line below it."""
    na, nb = sorted((normalise_text(a) or "", normalise_text(b) or ""), key=len)
    kinds = [set(x.split()) & _REGION_WORDS for x in (na, nb[:len(na) + 12])]
    if all(kinds) and kinds[0] != kinds[1]:
        return False  # Dinas Kesehatan Kota X is not Dinas Kesehatan Kabupaten X
    if len(na) < 12:
        return bool(na) and na == nb
    return similar(na, nb) or similar(na, nb[:len(na)])


def loose_nomor(nomor: str | None) -> str | None:
    """A number as OCR may read it: letters and digits only, O as 0, I and L as 1."""
    out = re.sub(r"[^0-9A-Z]", "", (nomor or "").upper()).translate(str.maketrans("OIL", "011"))
    return out or None


def match_version(document: Document, extraction: Extraction) -> tuple[Version | None, str]:
    """The version of `document` this extraction is another file of, else None; with the reason."""
    reasons = []
    for version in sorted(document.versions, key=recency, reverse=True):
        same, why = _same_version(version, extraction)
        if same:
            return version, (f"{why} dengan versi {version.version_no}: berkas tambahan untuk "
                             "versi itu (misalnya pindaian asli bertanda tangan di samping berkas "
                             "digitalnya)")
        reasons.append(f"versi {version.version_no}: {why}")
    return None, "versi baru (" + "; ".join(reasons) + ")" if reasons else "versi baru"


def _same_version(version: Version, extraction: Extraction) -> tuple[bool, str]:
    """Same dates (none conflicting, at least one shared) and same fields; else same content."""
    theirs = version.extraction or {}
    agree: list[str] = []
    conflicts: list[str] = []
    for name in DATE_FIELDS:
        mine, other = parse_iso_date(extraction.get(name)), getattr(version, name)
        if mine and other:
            label = name.removeprefix("tanggal_")
            if mine == other:
                agree.append(f"{label} {mine}")
            else:
                conflicts.append(f"{label} {mine} dibanding {other}")
    if conflicts:
        return False, "tanggal berbeda (" + ", ".join(conflicts) + ")"
    differing = _differing_fields(theirs, extraction)
    if differing:
        return False, ", ".join(differing) + " berbeda"
    if agree:
        return True, "tanggal (" + ", ".join(agree) + ") dan isian lainnya sama"
    return _same_content(theirs, extraction)


def _differing_fields(a: Extraction, b: Extraction) -> list[str]:
    out = []
    if loose_nomor(a.get("nomor")) and loose_nomor(b.get("nomor")) and (
            loose_nomor(a.get("nomor")) != loose_nomor(b.get("nomor"))):
        out.append("nomor")
    if _year(a) and _year(b) and _year(a) != _year(b):
        out.append("tahun")
    if not similar(a.get("title"), b.get("title"), default=True):
        out.append("judul")
    return out


def _same_content(a: Extraction, b: Extraction) -> tuple[bool, str]:
    """No dates to compare: the same steps (or indicators) read in the same order."""
    for name, label, word in (("steps", "kegiatan", "langkah"),
                              ("indicators", "indikator", "indikator")):
        mine = [str(x.get(label) or "") for x in (b.get(name) or ())]
        other = [str(x.get(label) or "") for x in (a.get(name) or ())]
        if mine and other:
            same = len(mine) == len(other) and all(map(similar, mine, other))
            return same, (f"tidak ada tanggal untuk dibandingkan; {len(mine)} {word} sama" if same
                          else f"tidak ada tanggal untuk dibandingkan, dan {word}nya berbeda")
    return False, "tidak ada tanggal maupun isi untuk dibandingkan"


def similar(a: str | None, b: str | None, default: bool = False) -> bool:
    """Whether two readings are the same text (case, punctuation and small OCR slips ignored)."""
    na, nb = normalise_text(a), normalise_text(b)
    if not (na and nb):
        return default
    return na == nb or SequenceMatcher(None, na, nb).ratio() >= _SAME_TEXT


def _find_document(session: Session, key: str | None) -> Document | None:
    if key is None:
        return None
    return session.scalars(select(Document).where(Document.identity_key == key)).first()
