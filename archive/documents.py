"""Documents and their versions: which document an upload belongs to, adding a version, reading back.

Everything here takes the extraction as its schema JSON (`Extraction.to_json()`), the one shape
shared by the database, the index and the API, so `archive` does not depend on `ingest`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from difflib import SequenceMatcher
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, object_session, selectinload

from archive.errors import ConflictError, NotFoundError
from archive.models import Document, IndicatorRow, Job, StepRow, StoredFileRow, Version
from archive.store import StoredFile
from archive.titles import title_of, year_of

log = logging.getLogger(__name__)

Extraction = Mapping[str, Any]  # the schema's JSON object


DecisionKind = Literal["new_document", "new_version", "new_file", "duplicate"]
DATE_FIELDS = ("tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif", "tanggal_pengesahan")
_REGION_WORDS = {"kota", "kabupaten", "kab", "provinsi", "prov"}
_SAME_TEXT = 0.85  # similarity above which two readings of a title or step are the same text


@dataclass(frozen=True)
class Placement:
    """Where a newly recorded upload went, and why (`outcome` 'new_file': another file of a version)."""

    document_id: int
    version_id: int
    version_no: int
    new_document: bool
    outcome: DecisionKind = "new_version"
    reason: str = ""


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
    for version in sorted(document.versions, key=_recency, reverse=True):
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


# --- writing -------------------------------------------------------------------------------------
def find_version_by_sha256(session: Session, sha256: str) -> Version | None:
    """The version holding a file with these bytes, if any."""
    stmt = select(Version).join(StoredFileRow).where(StoredFileRow.sha256 == sha256)
    return session.scalars(stmt).first()


def add_version(
    session: Session,
    extraction: Extraction,
    stored: StoredFile,
    *,
    source_filename: str | None = None,
    uploader: str | None = None,
    into: int | None = None,
) -> Placement:
    """Add the rows of one upload (document if new, version, original file, steps, indicators).

    `into`: make it a new version of that document whatever the identity rules would say (a
    letter printed again for its signing date: letters are otherwise always new documents).
    Only adds and flushes; the caller commits, so everything lands in one transaction.
    """
    if into is not None:
        target = session.get(Document, into)
        if target is None:
            raise NotFoundError(f"Dokumen #{into} tidak ada.")
        decision = Decision("new_version", f"versi baru dokumen #{into} yang diminta", target)
    else:
        decision = decide(session, extraction)
    if decision.kind == "new_file" and decision.version is not None:
        return _add_file(session, decision.version, extraction, stored, decision.reason)
    document = decision.document
    if document is None:
        document = Document(doc_type=str(extraction.get("doc_type") or "other"),
                            identity_key=identity_key(extraction))
        session.add(document)
        session.flush()
    elif document.identity_key is None:
        document.identity_key = identity_key(extraction)  # found by title, now with a number
    version = _new_version(session, document, extraction, source_filename, uploader)
    version.files.append(_file_row(stored, extraction, role="original"))
    version.steps.extend(step_rows(extraction.get("steps") or ()))
    version.indicators.extend(indicator_rows(extraction.get("indicators") or ()))
    session.flush()
    refresh_statuses(document)
    session.flush()
    log.info("document %d: version %d (%s): %s", document.id, version.version_no,
             version.status, decision.reason)
    return Placement(document.id, version.id, version.version_no, decision.kind == "new_document",
                     decision.kind, decision.reason)


def attach_file(session: Session, version_id: int, stored: StoredFile, *, role: str,
                pages: int | None = None, scanned: bool = False) -> None:
    """Add a derived file (the searchable copy of a scan) to a version; once per stored file."""
    if session.scalar(select(StoredFileRow.id).where(StoredFileRow.sha256 == stored.sha256)):
        return
    session.add(StoredFileRow(version_id=version_id, sha256=stored.sha256, size=stored.size,
                              pages=pages, mime="application/pdf",
                              storage_path=stored.relative_path, scanned=scanned, role=role))
    session.flush()


def _add_file(
    session: Session, version: Version, extraction: Extraction, stored: StoredFile, reason: str
) -> Placement:
    """Another file of an existing version; a born-digital twin's reading replaces an OCR one."""
    role = "scan" if extraction.get("scanned") else "original"
    only_scans = all(f.scanned for f in version.files)
    version.files.append(_file_row(stored, extraction, role=role))
    if only_scans and not extraction.get("scanned"):
        _replace_reading(session, version, extraction)
    session.flush()
    log.info("version %d: another file (%s): %s", version.id, role, reason)
    return Placement(version.document_id, version.id, version.version_no, False, "new_file",
                     reason)


def _replace_reading(session: Session, version: Version, extraction: Extraction) -> None:
    """The text layer of the digital twin is exact where OCR guesses: keep its fields and rows,
    except what a person corrected (`revisions.reread`); the version's dates stay."""
    from archive.revisions import reread

    merged = dict(extraction)
    for name in DATE_FIELDS:
        if getattr(version, name) is not None:
            merged[name] = getattr(version, name).isoformat()
    reread(session, version, merged)


def _find_document(session: Session, key: str | None) -> Document | None:
    if key is None:
        return None
    return session.scalars(select(Document).where(Document.identity_key == key)).first()


def _new_version(
    session: Session,
    document: Document,
    extraction: Extraction,
    source_filename: str | None,
    uploader: str | None,
) -> Version:
    last = session.scalar(
        select(func.max(Version.version_no)).where(Version.document_id == document.id)
    )
    version = Version(
        version_no=(last or 0) + 1,
        tanggal_pembuatan=parse_iso_date(extraction.get("tanggal_pembuatan")),
        tanggal_revisi=parse_iso_date(extraction.get("tanggal_revisi")),
        tanggal_efektif=parse_iso_date(extraction.get("tanggal_efektif")),
        tanggal_pengesahan=parse_iso_date(extraction.get("tanggal_pengesahan")),
        status="berlaku",
        uploader=uploader,
        source_filename=source_filename,
        extraction=dict(extraction),
    )
    document.versions.append(version)
    return version


def _file_row(stored: StoredFile, extraction: Extraction, role: str) -> StoredFileRow:
    return StoredFileRow(
        sha256=stored.sha256,
        size=stored.size,
        pages=extraction.get("pages") or None,
        mime="application/pdf",
        storage_path=stored.relative_path,
        scanned=bool(extraction.get("scanned")),
        role=role,
    )


def step_rows(steps: Sequence[Mapping[str, Any]]) -> list[StepRow]:
    rows = []
    for position, s in enumerate(steps, start=1):
        waktu = s.get("waktu") or {}
        rows.append(StepRow(
            position=position, no=s.get("no"), kegiatan=s.get("kegiatan") or "",
            pelaksana=s.get("pelaksana"), kelengkapan=s.get("kelengkapan"),
            waktu_text=waktu.get("text"), waktu_value=waktu.get("value"),
            waktu_unit=waktu.get("unit"), output=s.get("output"),
            keterangan=s.get("keterangan"), page=s.get("page"),
        ))
    return rows


def indicator_rows(indicators: Sequence[Mapping[str, Any]]) -> list[IndicatorRow]:
    rows = []
    for position, i in enumerate(indicators, start=1):
        rows.append(IndicatorRow(
            position=position, sasaran=i.get("sasaran"), indikator=i.get("indikator") or "",
            satuan=i.get("satuan"), target=i.get("target"), realisasi=i.get("realisasi"),
            capaian=i.get("capaian"), target_triwulan=list(i.get("target_triwulan") or []),
            target_text=i.get("target_text"), realisasi_text=i.get("realisasi_text"),
            page=i.get("page"),
        ))
    return rows


def parse_iso_date(value: Any) -> date | None:
    """An ISO date string from an extraction as a `date`; None (logged) when unreadable."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        log.warning("ignoring unreadable date %r", value)
        return None


# --- status --------------------------------------------------------------------------------------
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
    ranked = sorted(live, key=_recency)
    for version in ranked[:-1]:
        version.status = "digantikan"
    current = ranked[-1]
    current.status = "berlaku"
    _copy_metadata(document, current.extraction)


def _recency(version: Version) -> tuple[date, int]:
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


# --- corrections by an archivist -----------------------------------------------------------------
def move_version(
    session: Session, version_id: int, document_id: int, *, reason: str, by: str | None = None
) -> Placement:
    """Move a version (with its files and rows) to another document, numbered last there."""
    version = get_version(session, version_id)
    target = get_document(session, document_id)
    source = version.document
    if source.id == target.id:
        raise ConflictError(f"Versi {version_id} sudah termasuk dokumen #{document_id}; "
                            "tidak ada yang perlu dipindahkan.")
    if source.doc_type != target.doc_type:
        raise ConflictError(f"Versi {version_id} berjenis {source.doc_type}, sedangkan dokumen "
                            f"#{document_id} berjenis {target.doc_type}: keduanya tidak dapat "
                            "menjadi versi dari satu dokumen. Pilih dokumen yang sejenis.")
    return _rehome(session, version, target, reason, by)


def split_version(
    session: Session, version_id: int, *, reason: str, by: str | None = None
) -> Placement:
    """Split a version off into a new document of its own (when the rule guessed wrong)."""
    version = get_version(session, version_id)
    source = version.document
    if len(source.versions) < 2:
        raise ConflictError(f"Versi {version_id} adalah satu-satunya versi dokumen "
                            f"#{source.id}: versi itu sudah menjadi dokumen tersendiri.")
    target = Document(doc_type=source.doc_type, identity_key=None)
    session.add(target)
    session.flush()
    return _rehome(session, version, target, reason, by)


def _rehome(
    session: Session, version: Version, target: Document, reason: str, by: str | None
) -> Placement:
    source = version.document
    old = f"versi {version.version_no} dari #{source.id}"
    last = max((v.version_no for v in target.versions), default=0)
    # Number and parent change in one UPDATE, so (document_id, version_no) never collides.
    version.version_no = last + 1
    version.document = target
    session.flush()
    session.refresh(source, ["versions"])
    for document in (source, target):
        if document.versions:
            refresh_statuses(document)
    if not source.versions:
        session.delete(source)
    message = (f"{by or 'arsiparis'} memindahkan {old} menjadi versi {version.version_no} "
               f"dari #{target.id}: {reason}")
    log_job(session, "done", kind="move", version_id=version.id, message=message)
    session.flush()
    log.info(message)
    return Placement(target.id, version.id, version.version_no, False, "new_version", message)


def revoke_version(
    session: Session, version_id: int, on: date, *, reason: str, by: str | None = None
) -> Version:
    """Mark a version 'dicabut' from date `on`; the newest remaining version is in force."""
    version = get_version(session, version_id)
    version.status = "dicabut"
    version.tanggal_dicabut = on
    refresh_statuses(version.document)
    log_job(session, "done", kind="revoke", version_id=version.id,
            message=f"{by or 'arsiparis'} mencabut versi {version.version_no} dari "
                    f"#{version.document_id} mulai {on.isoformat()}: {reason}")
    session.flush()
    return version


def get_version(session: Session, version_id: int) -> Version:
    version = session.get(Version, version_id)
    if version is None:
        raise NotFoundError(f"Versi {version_id} tidak ada; lihat nomor versi di halaman dokumen "
                            "atau dengan `arsip versions DOKUMEN`.")
    return version


# --- the ingest log ------------------------------------------------------------------------------
def log_job(
    session: Session,
    status: str,
    *,
    source_filename: str | None = None,
    sha256: str | None = None,
    version_id: int | None = None,
    error: Exception | None = None,
    message: str | None = None,
    kind: str = "ingest",
) -> Job:
    """Add one finished row to the log (the caller commits); `message`: why, for a success."""
    job = Job(
        kind=kind,
        status=status,
        source_filename=source_filename,
        sha256=sha256,
        version_id=version_id,
        error_code=getattr(error, "code", type(error).__name__) if error else None,
        message=str(getattr(error, "message", error)) if error else message,
        finished_at=datetime.now(UTC),
    )
    session.add(job)
    return job


# --- reading -------------------------------------------------------------------------------------
def get_document(session: Session, document_id: int) -> Document:
    """A document with its versions and files; `NotFoundError` if there is none."""
    stmt = (
        select(Document)
        .where(Document.id == document_id)
        .options(selectinload(Document.versions).selectinload(Version.files))
    )
    document = session.scalars(stmt).first()
    if document is None:
        raise NotFoundError(f"Dokumen #{document_id} tidak ada; cari dokumennya lewat kotak "
                            "pencarian (baris perintah: `arsip search`), atau unggah dokumennya.")
    return document


def document_to_json(session: Session, document: Document) -> dict[str, Any]:
    """A document with its versions and files as plain JSON (for `arsip show --json`, the API)."""
    counts = _row_counts(session, [v.id for v in document.versions])
    return {
        "id": document.id,
        "doc_type": document.doc_type,
        "identity_key": document.identity_key,
        "nomor": document.nomor,
        "title": document.title,
        "instansi": document.instansi,
        "tahun": document.tahun,
        "created_at": _iso(document.created_at),
        "versions": [_version_json(v, counts.get(v.id, (0, 0))) for v in document.versions],
    }


def _version_json(version: Version, counts: tuple[int, int]) -> dict[str, Any]:
    return {
        "id": version.id,
        "version_no": version.version_no,
        "status": version.status,
        "tanggal_pembuatan": _iso(version.tanggal_pembuatan),
        "tanggal_revisi": _iso(version.tanggal_revisi),
        "tanggal_efektif": _iso(version.tanggal_efektif),
        "tanggal_pengesahan": _iso(version.tanggal_pengesahan),
        "uploaded_at": _iso(version.uploaded_at),
        "uploader": version.uploader,
        "source_filename": version.source_filename,
        "steps": counts[0],
        "indicators": counts[1],
        "files": [
            {"sha256": f.sha256, "size": f.size, "pages": f.pages, "mime": f.mime,
             "role": f.role, "scanned": f.scanned, "storage_path": f.storage_path}
            for f in version.files
        ],
    }


def _row_counts(session: Session, version_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(steps, indicators) per version, in two grouped queries."""
    steps = _count_by_version(session, StepRow.version_id, version_ids)
    indicators = _count_by_version(session, IndicatorRow.version_id, version_ids)
    return {v: (steps.get(v, 0), indicators.get(v, 0)) for v in version_ids}


def _count_by_version(
    session: Session, column: InstrumentedAttribute[int], version_ids: list[int]
) -> dict[int, int]:
    stmt = select(column, func.count()).where(column.in_(version_ids)).group_by(column)
    return {version_id: count for version_id, count in session.execute(stmt)}


def _iso(value: date | datetime | None) -> str | None:
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # SQLite drops the zone; we only ever write UTC
    return value.isoformat() if value else None
