"""What both front doors (the `arsip` command line and the web app) do with the settings.

Opening the archive (data dir, newest schema), the search service, ingesting one file into an
outcome, issuing a stamped copy, archiving a new letter: one function each, so `arsip ingest`
and the upload page, `arsip copy` and the copy button, `arsip letter new` and the letter form
run the same code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.errors import ArchiveError, BadInputError, NotFoundError
from archive.localtime import today as local_today

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from api.letters import IssuedLetter, LetterRequest
    from api.settings import Settings
    from archive.audit import Actor
    from archive.copies import IssuedCopy
    from archive.models import Version
    from archive.store import FileStore
    from ingest.pipeline import IngestOptions, IngestResult
    from search.service import SearchOptions, SearchService

log = logging.getLogger(__name__)

VERSION_HELP = ("VERSION adalah id versi (seperti yang ditampilkan `arsip versions`) atau "
                "DOC:NO, misalnya 3:2 (dokumen 3, versi 2).")


# --- the archive and its search --------------------------------------------------------------
def open_database(settings: Settings) -> Engine:
    """Create the data dir, bring the database to the newest schema, return its engine."""
    from archive import scratch
    from archive.db import make_engine, upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    scratch.start(settings.data_dir)  # temp files of stopped processes go; ours live there too
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    return engine


def open_archive(settings: Settings) -> sessionmaker[Session]:
    """Create the data dir, bring the database to the newest schema, return a session factory."""
    from archive.db import make_sessionmaker

    return make_sessionmaker(open_database(settings))


def search_options(settings: Settings) -> SearchOptions:
    """The engine choice from settings (ARSIP_SEARCH_ENGINE; whoosh in `<data dir>/index`)."""
    from search.service import SearchOptions

    return SearchOptions(engine=settings.search_engine, index_dir=settings.data_dir / "index",
                         database_url=settings.resolved_database_url)


def open_search_service(settings: Settings, session_factory: Any, *,
                        rebuild: bool = True) -> SearchService:
    """The archive's search service (rebuilding an outdated index first unless told not to)."""
    from search.service import open_search

    return open_search(search_options(settings), session_factory, rebuild=rebuild)


def index_updater(settings: Settings, session_factory: Any) -> Callable[[int], str | None]:
    """The hook after a commit: update the search index for a document (engine opened on first
    use); returns a warning in words when the index could not follow, None when it did."""
    opened: list[SearchService] = []

    def update(doc_id: int) -> str | None:
        if not opened:
            from search.service import index_warning

            try:
                # not caught up here: update_after_ingest does it, with this document
                opened.append(open_search_service(settings, session_factory, rebuild=False))
            except Exception as e:  # noqa: BLE001 - the archive's outcome stands; say it as a warning
                log.warning("search index not opened after document #%d: %s", doc_id, e)
                return index_warning(e)
        return opened[0].update_after_ingest(doc_id)

    return update


# --- ingesting -------------------------------------------------------------------------------
def ingest_options(settings: Settings, *, uploader: str | None,
                   on_recorded: Callable[[int], str | None] | None,
                   source_filename: str | None = None,
                   progress: Callable[[int, int], None] | None = None) -> IngestOptions:
    """The pipeline's options from settings: file limits, OCR, who uploads, the index hook,
    and a progress hook (pages read, pages of the file) for the queue's page counter."""
    from ingest.extract import ExtractOptions
    from ingest.pipeline import IngestOptions

    return IngestOptions(ExtractOptions(limits=settings.limits(), ocr=settings.ocr_options(),
                                        progress=progress),
                         uploader=uploader, on_recorded=on_recorded,
                         source_filename=source_filename)


# What each outcome is called where people read it (the CLI's count line, the upload page).
OUTCOME_LABELS = {"new_document": "dokumen baru", "new_version": "versi baru",
                  "new_file": "berkas tambahan", "duplicate": "sudah diarsipkan",
                  "refused": "ditolak", "failed": "gagal"}


@dataclass(frozen=True)
class FileOutcome:
    """How one file went: an outcome key (`OUTCOME_LABELS`), the line for people, the exit code."""

    outcome: str
    message: str
    exit_code: int = 0
    result: IngestResult | None = None

    @property
    def document_id(self) -> int | None:
        """The document the file went to (None when refused or failed)."""
        return self.result.document_id if self.result else None


def ingest_one(path: Path, session_factory: Any, store: FileStore,
               options: IngestOptions, actor: Actor | None = None) -> FileOutcome:
    """Ingest one file; a refusal or failure becomes an outcome, never ends a batch.

    What was archived (a new document, version or file) leaves an audit row by `actor`.
    """
    from ingest.pipeline import ingest_file

    try:
        result = ingest_file(path, session_factory, store, options)
    except ArchiveError as e:
        refused = e.status < 500
        return FileOutcome("refused" if refused else "failed",
                           f"{'ditolak' if refused else 'gagal'}: {e.message}", e.exit_code)
    except Exception as e:  # a bug in one parser must not end a batch of hundreds
        from archive.faults import storage_fault

        fault = storage_fault(e, store.root.parent)
        if fault is not None:
            return FileOutcome("failed", f"gagal: {fault.message}", fault.exit_code)
        log.exception("%s: unexpected error", path)
        return FileOutcome("failed", f"gagal: kesalahan program ({e.__class__.__name__}: {e}); "
                           "jalankan ulang dengan `arsip -v ingest` untuk rinciannya", 1)
    if result.outcome != "duplicate":
        audit_event(session_factory, actor, f"upload.{result.outcome}",
                    f"document:{result.document_id}", None,
                    {"version_id": result.version_id, "version_no": result.version_no,
                     "sha256": result.sha256, "file": options.source_filename or path.name})
    return FileOutcome(result.outcome, result.summary(), 0, result)


# --- stamped copies --------------------------------------------------------------------------
def resolve_version(session: Session, ref: str) -> Version:
    """A version from `17` (its id) or `3:2` (document 3, version 2)."""
    from sqlalchemy import select

    from archive.models import Version

    doc, sep, number = ref.partition(":")
    if not (doc.strip().isdigit() and (not sep or number.strip().isdigit())):
        raise BadInputError(f"{ref!r} bukan rujukan versi. {VERSION_HELP}")
    if sep:
        stmt = select(Version).where(Version.document_id == int(doc),
                                     Version.version_no == int(number))
        version = session.scalars(stmt).first()
    else:
        version = session.get(Version, int(doc))
    if version is None:
        raise NotFoundError(f"Versi {ref} tidak ada; `arsip versions DOC` menampilkan versi-versi "
                            "sebuah dokumen beserta id-nya.")
    return version


@dataclass(frozen=True)
class CopyOrder:
    """Who asks for a stamped copy of which version; empty certifier fields: the settings'."""

    version_ref: str
    issued_by: str | None = None
    issued_for: str | None = None
    purpose: str | None = None
    file_sha256: str | None = None
    jabatan: str | None = None
    nama: str | None = None
    nip: str | None = None
    account: str | None = None  # the account whose official profile certifies (web, API)


@dataclass(frozen=True)
class CopyMade:
    """A stamped copy issued, with the version it copies."""

    issued: IssuedCopy
    document_id: int
    version_no: int


CLI_VERIFY_BASE = "http://localhost:8000"
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "[::1]")


def verify_base(settings: Settings, request_base: str | None = None) -> str:
    """Where copies' QR codes point: the setting, else the request's own address, else localhost."""
    return (settings.verify_base_url or request_base or CLI_VERIFY_BASE).rstrip("/")


def is_local_address(url: str) -> bool:
    """Whether `url` only opens on the server itself (localhost, 127.0.0.1, ::1)."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host in _LOCAL_HOSTS or host.endswith(".localhost") or host.startswith("127.")


def issue_stamped_copy(settings: Settings, session_factory: Any, store: FileStore,
                       order: CopyOrder, actor: Actor | None = None,
                       request_base: str | None = None) -> CopyMade:
    """Stamp, store, record and audit a copy of a version in one transaction (`arsip copy`, the web).

    `request_base`: the address the web request came in on (the QR points there unless
    ARSIP_VERIFY_BASE_URL says otherwise)."""
    from archive.audit import record
    from archive.copies import Certifier, CopyRequest, issue_copy

    if order.account:  # an account's profile, never the settings' defaults
        certifier = Certifier(order.jabatan or "", order.nama or "", order.nip, order.account)
    else:  # the server's operator names the official: the NIP must still be a real one
        from archive.officials import check_nip

        certifier = Certifier(order.jabatan or settings.certifier_jabatan,
                              order.nama or settings.certifier_nama,
                              order.nip or settings.certifier_nip)
        if certifier.nip:
            check_nip(certifier.nip)
    with session_factory.begin() as session:
        version = resolve_version(session, order.version_ref)
        request = CopyRequest(version.id, certifier, verify_base(settings, request_base),
                              order.issued_by,
                              order.issued_for, order.purpose, order.file_sha256)
        issued = issue_copy(session, store, request)
        record(session, actor or cli_actor(), "copy.issue", f"version:{version.id}", None,
               {"code": issued.code, "for": order.issued_for, "purpose": order.purpose,
                "certifier": certifier.nama, "nip": certifier.nip, "account": order.account})
        return CopyMade(issued, version.document_id, version.version_no)


# --- letters ---------------------------------------------------------------------------------
def parse_item(text: str) -> dict[str, Any]:
    """One item of a letter from `uraian|banyaknya|satuan|keterangan` (later parts optional)."""
    parts = [p.strip() for p in text.split("|")]
    item: dict[str, Any] = {"uraian": parts[0]}
    for key, value in zip(("banyaknya", "satuan", "keterangan"), parts[1:], strict=False):
        if value:
            item[key] = value
    return item


def audit_letter_issued(engine: Engine, actor: Actor | None, issued: IssuedLetter,
                        request: LetterRequest) -> None:
    """The audit row of a number handed out (issued, or reserved for a draft)."""
    from archive.db import make_sessionmaker

    allocated = issued.allocated
    action = "letter.reserve" if allocated.status == "reserved" else "letter.issue"
    audit_event(make_sessionmaker(engine), actor, action, f"letter:{allocated.number}", None,
                {"office": request.office, "perihal": getattr(request, "perihal", None),
                 "status": allocated.status})


def archive_new_letter(settings: Settings, engine: Engine, issued: IssuedLetter,
                       request: LetterRequest,
                       on_recorded: Callable[[int], str | None] | None = None) -> int:
    """Archive a letter's PDF as a `surat` document and make it searchable at once; its id."""
    from api import letters
    from archive.db import make_sessionmaker
    from archive.store import FileStore

    sessions = make_sessionmaker(engine)
    doc_id = letters.archive_letter(sessions, FileStore(settings.files_dir), issued, request)
    (on_recorded or index_updater(settings, sessions))(doc_id)
    return doc_id


def void_letter(settings: Settings, engine: Engine, number: str, reason: str, *,
                office: str | None = None, year: int | None = None,
                on_recorded: Callable[[int], str | None] | None = None,
                actor: Actor | None = None) -> tuple[Any, int | None]:
    """Void a number; its archived letter (if any) is revoked from today and leaves the search results.

    Returns the register entry and the archived document's id.  The revocation is a second
    transaction: should it fail, the number stays void and `arsip revoke` can finish the job.
    """

    from archive.db import make_sessionmaker
    from archive.documents import revoke_version
    from archive.models import Document
    from archive.models_letters import Letter
    from archive.numbering import void

    done = void(engine, number, reason, office=office, year=year)
    sessions = make_sessionmaker(engine)
    audit_event(sessions, actor, "letter.void", f"letter:{done.number}", None, {"reason": reason})
    with sessions() as session, session.begin():
        letter = session.get(Letter, done.letter_id)
        doc = session.get(Document, letter.document_id) if letter and letter.document_id else None
        for v in doc.versions if doc else []:
            if v.status != "dicabut":
                revoke_version(session, v.id, local_today(), reason=f"nomor surat {done.number} dibatalkan: {reason}")
    if doc is not None:
        (on_recorded or index_updater(settings, sessions))(doc.id)
    return done, doc.id if doc is not None else None


def confirm_letter(settings: Settings, engine: Engine, number: str, *, tanggal: Any = None,
                   office: str | None = None, year: int | None = None,
                   on_recorded: Callable[[int], str | None] | None = None,
                   actor: Actor | None = None) -> tuple[Any, int | None]:
    """Confirm a reserved number; signed on another date, its letter is printed again with that date.

    The new PDF is archived with the same number, so it becomes the document's newest version
    (the reserved printing stays in the history).  Returns the register entry and the id of the
    document that received a new version, if any.
    """
    from api import letters
    from archive.db import make_sessionmaker
    from archive.models_letters import Letter
    from archive.numbering import confirm
    from archive.store import FileStore

    done = confirm(engine, number, office=office, year=year, tanggal=tanggal)
    sessions = make_sessionmaker(engine)
    audit_event(sessions, actor, "letter.confirm", f"letter:{done.number}", None,
                {"tanggal": str(tanggal) if tanggal else None})
    with sessions() as session, session.begin():
        letter = session.get(Letter, done.letter_id)
        content = dict(letter.content or {}) if letter else {}
        if not (letter and letter.document_id and content) or content.get("tanggal") == letter.tanggal.isoformat():
            return done, None
        content["tanggal"] = letter.tanggal.isoformat()
        letter.content = content
        into = letter.document_id
    request = letters.LetterRequest.model_validate(content)
    issued = letters.IssuedLetter(done, letters.render_letter(request, done.number))
    doc_id = letters.archive_letter(sessions, FileStore(settings.files_dir), issued, request, into=into)
    (on_recorded or index_updater(settings, sessions))(doc_id)
    return done, doc_id


# --- the audit trail -------------------------------------------------------------------------
def cli_actor() -> Actor:
    """Who acts from the command line: the operating-system user, on this machine."""
    import getpass

    from archive.audit import Actor

    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "tidak-dikenal"
    return Actor(f"cli:{name}", "lokal")


def audit_event(session_factory: Any, actor: Actor | None, action: str, target: str,
                before: Any = None, after: Any = None) -> None:
    """One audit row in a transaction of its own (for changes committed by code that cannot take it)."""
    from sqlalchemy.exc import IntegrityError

    from archive.audit import record

    for attempt in range(5):
        try:
            with session_factory.begin() as session:
                record(session, actor or cli_actor(), action, target, before, after)
            return
        except IntegrityError:  # another writer chained onto the same row first: read it again
            if attempt == 4:
                raise


# --- corrections of a reading ----------------------------------------------------------------
@dataclass(frozen=True)
class Corrected:
    """A saved correction: which version, its revision number, each field's change."""

    document_id: int
    version_id: int
    version_no: int
    revision_no: int
    changes: list[dict[str, Any]]
    index_warning: str | None = None


def correct_version(session_factory: Any, version_ref: str, assignments: list[tuple[str, str]],
                    reason: str, actor: Actor, index: Callable[[int], str | None], *,
                    confirm: Sequence[str] = (), add: Sequence[str] = (),
                    remove: Sequence[str] = ()) -> Corrected:
    """Save corrections, rows added and removed (and fields confirmed as read) as one audited
    revision, then update the search index at once (`index`: the document id -> a warning when
    the index could not follow)."""
    from archive.revisions import correct

    with session_factory.begin() as session:
        version = resolve_version(session, version_ref)
        revision = correct(session, version.id, assignments, reason, actor, confirm=confirm,
                           add=add, remove=remove)
        done = Corrected(version.document_id, version.id, version.version_no,
                         revision.revision_no, list(revision.changes))
    warning = index(done.document_id)
    return done if warning is None else replace(done, index_warning=warning)


# --- regrouping versions (move, split, revoke) -------------------------------------------------
@dataclass(frozen=True)
class Regrouped:
    """A version moved, split off or revoked: where it is now and the log's sentence."""

    document_id: int
    version_id: int
    version_no: int
    message: str
    touched: tuple[int, ...]  # documents whose versions changed (their index entries follow)
    index_warning: str | None = None


def _reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise BadInputError("Tulis alasannya (mis. 'nomornya salah terbaca, ini SOP lain'): "
                            "alasan dicatat di riwayat versi dan jejak audit.")
    return reason.strip()


def regroup_version(session_factory: Any, action: str, version_ref: str, reason: str,
                    actor: Actor, index: Callable[[int], str | None], *,
                    document_id: int | None = None, on: Any = None) -> Regrouped:
    """Move a version to another document (`action` "move", with `document_id`), split it off into
    a document of its own ("split") or revoke it from date `on` ("revoke"); audited in the same
    transaction, then the search index of every document touched."""
    from archive import documents
    from archive.audit import record

    why = _reason(reason)
    with session_factory.begin() as session:
        version = resolve_version(session, version_ref)
        before = version.document_id
        if action == "move":
            if document_id is None:
                raise BadInputError("Sebutkan nomor dokumen tujuan (#N di halaman dokumennya).")
            placed = documents.move_version(session, version.id, document_id, reason=why,
                                            by=actor.name)
        elif action == "split":
            placed = documents.split_version(session, version.id, reason=why, by=actor.name)
        elif action == "revoke":
            if on is None:
                raise BadInputError("Isi tanggal pertama versi itu tidak berlaku lagi (TTTT-BB-HH).")
            revoked = documents.revoke_version(session, version.id, on, reason=why, by=actor.name)
            placed = documents.Placement(revoked.document_id, revoked.id, revoked.version_no,
                                         False, "new_version",
                                         f"versi {revoked.version_no} dari #{revoked.document_id} "
                                         f"dicabut mulai {on.isoformat()}")
        else:
            raise BadInputError(f"Tindakan {action!r} tidak dikenal: pindah, pisah, atau cabut.")
        after: dict[str, Any] = {"reason": why}
        if action == "revoke":
            after["from"] = on.isoformat()
            record(session, actor, "version.revoke", f"version:{version.id}", None, after)
        else:
            after["document_id"] = placed.document_id
            record(session, actor, f"version.{action}", f"version:{version.id}",
                   {"document_id": before}, after)
    touched = tuple(dict.fromkeys((before, placed.document_id)))
    warnings = [w for doc in touched if (w := index(doc))]
    return Regrouped(placed.document_id, placed.version_id, placed.version_no, placed.reason,
                     touched, warnings[0] if warnings else None)
