"""The ingest pipeline: one PDF into the archive.

Order matters (originals are sacred): hash, duplicate check, extract (triage refuses bad files
before anything is written), store the original (temp file, fsync, rename), and only then commit
every row in one transaction.  A crash between the file write and the commit leaves the file in
the store and no row; every refusal or failure is written to the ingest log (`jobs`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from archive.crashpoints import crash_point
from archive.documents import (
    Placement,
    add_version,
    attach_file,
    find_version_by_sha256,
    log_job,
)
from archive.errors import NotAPdfError, NotFoundError, RejectedFileError, StorageError
from archive.faults import storage_fault
from archive.pagecache import WORDS, PageCache
from archive.scratch import scratch_dir
from archive.store import FileStore, StoredFile, sha256_file
from ingest.extract import ExtractOptions, extract_file
from ingest.model import Extraction

log = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]
Outcome = Literal["new_document", "new_version", "new_file", "duplicate"]
_RETRIES = 3  # a concurrent upload can take the version number or identity key first


@dataclass(frozen=True)
class IngestOptions:
    """What the caller decides: extraction options (file limits), who uploads, the file's name.

    `source_filename` is the name the user gave the file (an upload arrives in a temp file);
    by default the path's own name.
    """

    extract: ExtractOptions = ExtractOptions()
    uploader: str | None = None
    # called with the document id after its rows are committed (the search index update);
    # a returned text (or an exception) is a warning on the result, never a failure
    on_recorded: Callable[[int], str | None] | None = None
    source_filename: str | None = None


@dataclass(frozen=True)
class IngestResult:
    """What happened to one file; `extraction` is None for a duplicate (nothing was read).

    `new_file`: another file (a scan of the signed original) of an existing version;
    `reason` says in words why the identity rules decided what they did.
    """

    outcome: Outcome
    path: Path
    sha256: str
    document_id: int
    version_id: int
    version_no: int
    extraction: Extraction | None = None
    reason: str = ""
    index_warning: str | None = None  # archived, but the search index did not follow (yet)

    def summary(self) -> str:
        """One line for people: what the archive did with the file (and an index warning)."""
        line = self._outcome_words()
        return f"{line}; peringatan: {self.index_warning}" if self.index_warning else line

    def _outcome_words(self) -> str:
        if self.outcome == "new_document":
            return f"dokumen baru #{self.document_id}"
        if self.outcome == "new_version":
            return f"versi baru {self.version_no} dari #{self.document_id}"
        if self.outcome == "new_file":
            return f"berkas tambahan untuk versi {self.version_no} dari #{self.document_id}"
        return f"sudah diarsipkan sebagai versi {self.version_no} dari #{self.document_id}"


def ingest_file(
    path: Path,
    session_factory: SessionFactory,
    store: FileStore,
    options: IngestOptions | None = None,
) -> IngestResult:
    """Archive one PDF; raises `RejectedFileError` (nothing stored) or `StorageError` (logged)."""
    options = options or IngestOptions()
    result = archive_file(path, session_factory, store, options)
    if result.outcome == "duplicate":
        return result
    crash_point("committed")
    return update_index(result, options)


def archive_file(path: Path, session_factory: SessionFactory, store: FileStore,
                 options: IngestOptions) -> IngestResult:
    """Hash, duplicate check, extract, store, commit: everything a failure is logged for."""
    with _failures_logged(session_factory, options.source_filename or path.name) as attempt:
        attempt.sha256 = hash_file(path)
        duplicate = find_duplicate(session_factory, path, attempt.sha256, options)
        if duplicate is not None:
            return duplicate
        with scratch_dir(store.root.parent) as tmp:
            copy, words = tmp / "searchable.pdf", tmp / "kata.json.gz"
            extraction = extract(path, with_searchable_copy(options, copy, words))
            stored = store_original(store, path, attempt.sha256)
            searchable = store_searchable(store, copy)
            keep_word_boxes(store, stored.sha256, words)
        crash_point("stored")
        return record(session_factory, path, extraction, stored, options, searchable)
    raise AssertionError("unreachable")  # mypy: the context manager re-raises


def update_index(result: IngestResult, options: IngestOptions) -> IngestResult:
    """After the commit, the search index; its failure is a warning on the result, not "gagal"."""
    if options.on_recorded is None:
        return result
    try:
        warning = options.on_recorded(result.document_id)
    except Exception as e:  # noqa: BLE001 - the file is archived whatever the index does
        log.warning("%s: search index not updated: %s", result.path.name, e)
        log.debug("index update failure", exc_info=True)
        warning = (f"indeks pencarian belum diperbarui ({e.__class__.__name__}: {e}); perintah "
                   "`arsip` berikutnya memperbaruinya sendiri, atau jalankan `arsip reindex`")
    return dataclasses.replace(result, index_warning=warning) if warning else result


# --- the steps -----------------------------------------------------------------------------------
def hash_file(path: Path) -> str:
    """The SHA-256 of the upload (its name in the store, and the duplicate check)."""
    try:
        return sha256_file(path)
    except OSError as e:
        raise NotAPdfError(f"{path.name}: Berkas tidak dapat dibaca ({e.strerror or e}); periksa "
                           "berkas dan izin aksesnya, lalu coba lagi.") from e


def find_duplicate(
    session_factory: SessionFactory, path: Path, sha256: str, options: IngestOptions
) -> IngestResult | None:
    """The existing version when these exact bytes are already archived (logged as a job)."""
    name = options.source_filename or path.name
    with session_factory() as session, session.begin():
        version = find_version_by_sha256(session, sha256)
        if version is None:
            return None
        reason = (f"isi berkas yang persis sama (SHA-256 {sha256[:12]}…) sudah diarsipkan "
                  f"sebagai versi {version.version_no} dari #{version.document_id}")
        log_job(session, "duplicate", source_filename=name, sha256=sha256,
                version_id=version.id, message=reason)
        log.info("%s: %s", name, reason)
        return IngestResult("duplicate", path, sha256, version.document_id, version.id,
                            version.version_no, reason=reason)


def extract(path: Path, options: IngestOptions) -> Extraction:
    """Triage and read the PDF (`ingest.extract`); refusals raise before anything is stored."""
    return extract_file(path, options.extract)


def with_searchable_copy(options: IngestOptions, target: Path | None,
                         words: Path | None = None) -> IngestOptions:
    """`options` asking the extraction to write the searchable copy of a scan to `target`
    (and the pages' word boxes to `words`)."""
    return dataclasses.replace(options, extract=dataclasses.replace(
        options.extract, searchable_copy=target, word_boxes=words))


def page_cache(store: FileStore) -> PageCache:
    """The derived files (word boxes, page images) beside `store`: `<data dir>/halaman`."""
    return PageCache(store.root.parent / "halaman")


def keep_word_boxes(store: FileStore, sha256: str, words: Path) -> None:
    """Keep the word boxes the extraction wrote, under the hash of the file they were read
    from (derived data: losing them costs a rebuild, never the upload)."""
    if not words.is_file():
        return
    try:
        page_cache(store).write(sha256, WORDS, words.read_bytes())
    except OSError as e:
        log.warning("%s: word boxes not kept (%s); they are rebuilt when a crop is asked for",
                    sha256[:12], e)


def store_searchable(store: FileStore, copy: Path) -> StoredFile | None:
    """Store the searchable copy of a scan, if the extraction wrote one (beside the original)."""
    if not copy.is_file():
        return None
    crash_point("searchable")
    return store.put(copy)


def store_original(store: FileStore, path: Path, sha256: str) -> StoredFile:
    """Copy the original into the content-addressed store (fsynced before any row exists)."""
    return store.put(path, expected_sha256=sha256)


def record(
    session_factory: SessionFactory,
    path: Path,
    extraction: Extraction,
    stored: StoredFile,
    options: IngestOptions,
    searchable: StoredFile | None = None,
) -> IngestResult:
    """Commit document, version, files, steps, indicators and the job row in one transaction."""
    for attempt in range(1, _RETRIES + 1):
        try:
            placement = _commit_rows(session_factory, path, extraction, stored, options,
                                     searchable)
        except IntegrityError as e:
            duplicate = find_duplicate(session_factory, path, stored.sha256, options)
            if duplicate is not None:
                return duplicate
            if attempt == _RETRIES:
                raise _storage_error(path, stored, e) from e
            log.info("%s: concurrent upload, retrying (%s)", path.name, e.orig)
        except SQLAlchemyError as e:
            raise _storage_error(path, stored, e) from e
        else:
            return IngestResult(placement.outcome, path, stored.sha256, placement.document_id,
                                placement.version_id, placement.version_no, extraction,
                                placement.reason)
    raise AssertionError("unreachable")


def _commit_rows(
    session_factory: SessionFactory,
    path: Path,
    extraction: Extraction,
    stored: StoredFile,
    options: IngestOptions,
    searchable: StoredFile | None = None,
) -> Placement:
    name = options.source_filename or path.name
    with session_factory() as session, session.begin():
        placement = add_version(session, extraction.to_json(with_page_texts=True), stored,
                                source_filename=name, uploader=options.uploader)
        if searchable is not None:
            attach_file(session, placement.version_id, searchable, role="searchable",
                        pages=extraction.pages or None, scanned=True)
        log_job(session, "done", source_filename=name, sha256=stored.sha256,
                version_id=placement.version_id, message=placement.reason)
        session.flush()
        crash_point("before_commit")
        return placement


def _storage_error(path: Path, stored: StoredFile, error: Exception) -> StorageError:
    fault = storage_fault(error)
    why = fault.message.rstrip(".") if fault else error.__class__.__name__
    return StorageError(
        f"{path.name}: Penulisan ke basis data gagal ({why}); berkas asli "
        f"tetap tersimpan sebagai {stored.sha256[:12]}…, tetapi belum ada yang dicatat: arsipkan "
        "ulang berkas ini."
    )


# --- the ingest log of failures ------------------------------------------------------------------
@dataclass
class _Attempt:
    sha256: str | None = None


@contextlib.contextmanager
def _failures_logged(session_factory: SessionFactory, name: str) -> Iterator[_Attempt]:
    """Write a 'refused' or 'failed' job row for any error, in its own transaction, and re-raise."""
    attempt = _Attempt()
    try:
        yield attempt
    except Exception as error:
        status = "refused" if isinstance(error, RejectedFileError) else "failed"
        log.log(logging.INFO if status == "refused" else logging.ERROR,
                "%s: %s: %s", name, status, error)
        try:
            with session_factory() as session, session.begin():
                log_job(session, status, source_filename=name, sha256=attempt.sha256,
                        error=error)
        except SQLAlchemyError as e:  # the database is the trouble (full disk): said above
            log.error("%s: catatan ingest tidak dapat disimpan di basis data (%s)", name,
                      e.__class__.__name__)
            log.debug("%s: job row not written", name, exc_info=True)
        raise


@dataclass(frozen=True)
class Reread:
    """A version read again: its document, and corrected fields that no longer fit a row."""

    document_id: int
    version_id: int
    lost: tuple[str, ...]


def reextract_version(version_id: int, session_factory: SessionFactory, store: FileStore,
                      options: IngestOptions) -> Reread:
    """Read a version's file again (a new OCR engine, better parsers) and take the new reading;
    every value a person corrected stays (`archive.revisions.reread`).  The born-digital file
    is read when the version has one, else its scan."""
    from archive.models import Version
    from archive.revisions import reread

    with session_factory() as session:
        version = session.get(Version, version_id)
        if version is None:
            raise NotFoundError(f"Versi {version_id} tidak ada; `arsip versions DOKUMEN` "
                                "menampilkan id versi.")
        files = sorted((f for f in version.files if f.role in ("original", "scan")),
                       key=lambda f: (f.scanned, f.id))
        if not files:
            raise NotFoundError(f"Versi {version_id} tidak punya berkas asli untuk dibaca ulang.")
        sha256 = files[0].sha256
    with scratch_dir(store.root.parent) as tmp:
        words = tmp / "kata.json.gz"
        extraction = extract(store.path(sha256), with_searchable_copy(options, None, words))
        keep_word_boxes(store, sha256, words)
    with session_factory() as session, session.begin():
        version = session.get(Version, version_id)
        assert version is not None
        lost = reread(session, version, extraction.to_json(with_page_texts=True))
        return Reread(version.document_id, version.id, tuple(lost))
