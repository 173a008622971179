"""The search front: pick the engine, keep the index derived from the archive, check agreement.

`open_search()` opens the configured engine and, when its stored schema version differs from the
code's, rebuilds it from the database before answering anything.  The ingest pipeline calls
`SearchService.update_documents()` after a commit (new document, new version, status changes)
and `remove_documents()` after a deletion, so search never shows what the archive no longer has.

The index also keeps a high-water mark of the archive (the newest version and ingest-log row it
holds).  A process killed between its commit and its index update leaves the index behind the
mark; `catch_up()` (run by `open_search` and after every ingest) re-reads the documents changed
since, so the next command or the web worker brings the index level without `arsip reindex`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.errors import BadInputError
from archive.models import Document, Job, StoredFileRow, Version
from search.engine import Engine
from search.records import IndicatorResults, SearchQuery, SearchResults
from search.source import iter_documents

log = logging.getLogger(__name__)

EngineName = Literal["whoosh", "postgres"]
SessionFactory = Callable[[], Session]


@dataclass(frozen=True)
class SearchOptions:
    """Which engine and where: the whoosh index directory, or the archive's PostgreSQL URL."""

    engine: EngineName = "whoosh"
    index_dir: Path = Path("data/index")
    database_url: str = ""
    procs: int = 1  # whoosh rebuild writer processes


def open_engine(options: SearchOptions) -> Engine:
    """The configured engine (without rebuilding); PostgreSQL only on a PostgreSQL archive."""
    if options.engine == "postgres":
        if not options.database_url.startswith("postgresql"):
            raise BadInputError(
                "ARSIP_SEARCH_ENGINE=postgres needs the archive on PostgreSQL "
                "(ARSIP_DATABASE_URL=postgresql+psycopg://...); use whoosh otherwise."
            )
        from search.pg_engine import PostgresEngine

        return PostgresEngine(options.database_url)
    from search.whoosh_engine import WhooshEngine

    return WhooshEngine(options.index_dir, procs=options.procs)


@dataclass
class CheckReport:
    """Where files, rows and index entries disagree."""

    rows_without_file: list[str] = field(default_factory=list)  # sha256 of rows whose file is gone
    files_without_row: list[str] = field(default_factory=list)  # sha256 in the store, no row
    versions_not_indexed: list[int] = field(default_factory=list)
    entries_without_version: list[int] = field(default_factory=list)  # version ids in the index only
    index_schema_outdated: bool = False

    @property
    def ok(self) -> bool:
        """True when everything agrees."""
        return not (self.rows_without_file or self.files_without_row or self.versions_not_indexed
                    or self.entries_without_version or self.index_schema_outdated)


class SearchService:
    """Queries plus index upkeep over one engine and the archive's sessions."""

    def __init__(self, engine: Engine, session_factory: SessionFactory) -> None:
        self.engine = engine
        self.sessions = session_factory

    def ensure_current(self) -> bool:
        """Rebuild from the archive when the index is missing or of another schema version."""
        if not self.engine.needs_rebuild:
            return False
        if self.engine.outdated:
            log.warning("search index (%s) has an outdated schema version: rebuilding from the archive",
                        self.engine.name)
        else:  # a fresh archive, or a rebuild that never finished
            log.info("search index (%s) not built yet: building it from the archive", self.engine.name)
        self.reindex()
        return True

    def reindex(self) -> int:
        """Rebuild the whole index from the archive (with its high-water mark); entries written."""
        with self.sessions() as session:
            mark = archive_mark(session)  # read first: what commits later is caught up later
            return self.engine.rebuild(iter_documents(session), mark)

    def catch_up(self, also: Iterable[int] = ()) -> int:
        """Update the documents changed since the index's high-water mark (and `also`).

        Returns how many documents were re-read.  An index without a mark (built before marks
        existed) is rebuilt once.
        """
        stored = self.engine.stored_mark()
        if stored is None:
            log.info("search index (%s) has no high-water mark: rebuilding it once", self.engine.name)
            self.reindex()
            return 0
        with self.sessions() as session:
            now = archive_mark(session)
            changed = changed_since(session, stored) | set(also)
        if changed - set(also):
            log.warning("search index (%s) was behind the archive by %d document(s): updating them",
                        self.engine.name, len(changed - set(also)))
        if changed:
            self.update_documents(changed)
        if now != stored:
            self.engine.store_mark({k: max(now[k], stored.get(k, 0)) for k in now})
        return len(changed)

    def update_documents(self, doc_ids: Iterable[int]) -> None:
        """Re-read these documents from the archive; ones that no longer exist are removed."""
        wanted = set(doc_ids)
        with self.sessions() as session:
            records = list(iter_documents(session, wanted))
        self.engine.replace_documents(records)
        gone = wanted - {r.doc_id for r in records}
        if gone:
            self.engine.delete_documents(gone)

    def update_after_ingest(self, doc_id: int) -> str | None:
        """The hook after a commit: update the document (and anything behind the mark).

        A failure never undoes the archive: it is logged and returned as a warning in words
        (None when the index is up to date); the next command catches the index up.
        """
        try:
            if not self.ensure_current():
                self.catch_up(also=[doc_id])
        except Exception as e:  # noqa: BLE001 - the archive's outcome stands whatever the index does
            log.warning("search index not updated for document #%d: %s", doc_id, e)
            log.debug("index update failure", exc_info=True)
            return index_warning(e)
        return None

    def remove_documents(self, doc_ids: Iterable[int]) -> None:
        """Drop deleted documents from the index."""
        self.engine.delete_documents(doc_ids)

    def search(self, q: SearchQuery) -> SearchResults:
        """Pages matching the query (see `Engine.search`)."""
        return self.engine.search(q)

    def search_indicators(self, q: SearchQuery) -> IndicatorResults:
        """Indicator rows matching the query."""
        return self.engine.search_indicators(q)

    def check(self, store_hashes: Iterable[str], file_exists: Callable[[str], bool]) -> CheckReport:
        """Compare the file store, the archive rows and the index."""
        report = CheckReport(index_schema_outdated=self.engine.needs_rebuild)
        with self.sessions() as session:
            hashes = set(session.scalars(select(StoredFileRow.sha256)))
            versions = {vid: did for vid, did in session.execute(select(Version.id, Version.document_id))}
            docs = set(session.scalars(select(Document.id)))
        report.rows_without_file = sorted(h for h in hashes if not file_exists(h))
        report.files_without_row = sorted(set(store_hashes) - hashes)
        indexed = {vid for vids in self.engine.indexed_versions().values() for vid in vids}
        report.versions_not_indexed = sorted(set(versions) - indexed)
        report.entries_without_version = sorted(indexed - set(versions))
        log.info("check: %d documents, %d versions, %d indexed versions", len(docs), len(versions), len(indexed))
        return report

    def close(self) -> None:
        """Close the engine."""
        self.engine.close()


def open_search(options: SearchOptions, session_factory: SessionFactory, *, rebuild: bool = True) -> SearchService:
    """Open the engine and, unless told not to, rebuild it when its schema version is stale and
    catch it up with the archive's changes since its high-water mark."""
    service = SearchService(open_engine(options), session_factory)
    if rebuild and not service.ensure_current():
        service.catch_up()
    return service


def archive_mark(session: Session) -> dict[str, int]:
    """The archive's high-water mark: its newest version id and ingest-log (jobs) row id."""
    return {"versions": int(session.scalar(select(func.max(Version.id))) or 0),
            "jobs": int(session.scalar(select(func.max(Job.id))) or 0)}


def changed_since(session: Session, mark: dict[str, int]) -> set[int]:
    """Documents with a version, or a successful ingest-log row, newer than `mark`."""
    new_versions = select(Version.document_id).where(Version.id > mark.get("versions", 0))
    new_jobs = (select(Version.document_id).join(Job, Job.version_id == Version.id)
                .where(Job.id > mark.get("jobs", 0), Job.status == "done"))
    return set(session.scalars(new_versions)) | set(session.scalars(new_jobs))


def index_warning(error: Exception) -> str:
    """What the user reads when the index could not follow a commit."""
    what = getattr(error, "message", None) or f"{error.__class__.__name__}: {error}"
    return (f"indeks pencarian belum diperbarui ({what}); perintah `arsip` berikutnya atau "
            "aplikasi web memperbaruinya sendiri, atau jalankan `arsip reindex`")
