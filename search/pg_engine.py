"""The PostgreSQL engine: full-text search stored in the archive's own PostgreSQL database.

Tables (`search_meta`, `search_entries`, `search_segments`, `search_postings`, `search_deleted`,
`search_terms`) are created and, when the schema version changes, dropped and recreated by this
engine itself rather than by Alembic: the index is derived data that `arsip reindex` can always
rebuild, so its layout moves with the analysis code, not with the archive's migrations.

Matching.  Each entry (a page, or an indicator row) keeps its text as a `tsvector` built from
`search.analysis` lexemes (the Snowball Indonesian stemmer, the same algorithm as PostgreSQL's
`indonesian` configuration, plus protected domain words and whole codes), so phrases and excluded
phrases are checked by PostgreSQL's own `tsv @@ tsquery`.  Using the `indonesian` configuration
inside the server instead would need a synonym file in the server's share directory for the
protected words, and its parser splits `800.1.11/121/767.07/2023` differently.  `pg_trgm` indexes
the vocabulary (`search_terms`) to find OCR-slipped variants of a word.

Ranking.  PostgreSQL's own ranking cannot return the best matches of a common word without
scoring every match (`ts_rank` reads each matching row; a RUM index still scores every match in
the index: at 100,000 documents two common words took 160-270 ms, phrases 210-400 ms).  So the
engine keeps, next to the entries, an inverted index of its own in immutable segments
(`search.pg_segments`): per (kind, term, field) the ids of the entries holding the term and its
frequency, stored as bytea arrays, and per segment the entries' filter values.  A query reads the
posting lists of its words, and numpy scores every match with BM25F (`search.bm25`, the formula
the whoosh engine uses: title, number and indicator names weigh `HEAD_BOOST` times body text),
applies the filters as array masks and keeps the best page per version: exact over every match,
with no candidate cap.  Phrases and excluded phrases are then checked with `tsv @@ tsquery`
down that order, in growing batches, only as far as the top needs.

Writes.  Every write (`replace_documents`, `delete_documents`, `rebuild`) is one transaction
holding an advisory lock, so writers queue and a failure changes nothing.  New entries go into a
new segment; deleted entries are listed in `search_deleted` until their segment is merged; when
`MERGE_FACTOR` segments share a size level they are merged into one.  Each write bumps a
generation number; a reader (one REPEATABLE READ snapshot per query) reloads its in-memory view
of the segments' facets when the generation moved.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from archive.db import make_engine
from search.analysis import ANALYSIS_VERSION, max_edits, positions, surface_words
from search.engine import Engine, Expansions, RawPageHit
from search.errors import IndexUnavailableError
from search.pg_segments import (
    Facets,
    PostingList,
    Ranked,
    SegmentBuilder,
    Terms,
    Verify,
    View,
    decode_postings,
    encode_ids,
    encode_tfs,
    level_of,
    rank,
)
from search.query import ParsedQuery
from search.records import (
    RECORDS_VERSION,
    DocumentRecord,
    IndicatorHit,
    IndicatorRecord,
    PageHit,
    SearchQuery,
    VersionRecord,
)

log = logging.getLogger(__name__)

LAYOUT_VERSION = 6  # 5: own segments of postings ranked with BM25F (was RUM / GIN + ts_rank); 6: written words
SCHEMA_VERSION = f"pg-{LAYOUT_VERSION}.{ANALYSIS_VERSION}.{RECORDS_VERSION}"
MAX_POS = 16383  # PostgreSQL's largest tsvector position
MERGE_FACTOR = 8  # this many segments of one size level are merged into one
SEGMENT_POSTINGS = 16_000_000  # a rebuild starts a new segment after this many postings (~100 MB)
WRITE_BATCH = 200  # documents analysed, numbered and copied at a time
WRITE_LOCK = 0x4152_5349  # pg_advisory_xact_lock key: one writer at a time
BUILD_MEMORY = "512MB"  # maintenance_work_mem while the rebuild creates the indexes
COLUMNS = ("id", "kind", "doc_id", "version_id", "version_no", "page", "doc_type", "status", "in_force",
           "tahun", "tanggal", "instansi", "title", "nomor", "body", "row", "tsv")
HIT_COLUMNS = tuple(c for c in COLUMNS if c != "tsv")

DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE search_entries (
        id bigint PRIMARY KEY, kind char(1) NOT NULL, doc_id integer NOT NULL,
        version_id integer NOT NULL, version_no integer NOT NULL, page integer,
        doc_type text NOT NULL, status text NOT NULL, in_force boolean NOT NULL, tahun integer,
        tanggal date, instansi text, title text, nomor text, body text, row jsonb, tsv tsvector NOT NULL)""",
    "CREATE SEQUENCE search_entry_ids",
    # never dropped, so a segment id is never reused: readers keep decoded segments by id
    "CREATE SEQUENCE IF NOT EXISTS search_segment_ids",
    """CREATE TABLE search_segments (id integer PRIMARY KEY, level smallint NOT NULL,
        entries integer NOT NULL, facets bytea NOT NULL)""",
    """CREATE TABLE search_postings (kind text NOT NULL, term text NOT NULL, field text NOT NULL,
        segment integer NOT NULL REFERENCES search_segments ON DELETE CASCADE,
        ids bytea NOT NULL, tfs bytea NOT NULL, PRIMARY KEY (kind, term, field, segment))""",
    # posting lists are read whole and hardly compress: store them without pglz
    "ALTER TABLE search_postings ALTER ids SET STORAGE EXTERNAL, ALTER tfs SET STORAGE EXTERNAL",
    "ALTER TABLE search_segments ALTER facets SET STORAGE EXTERNAL",
    "CREATE TABLE search_deleted (id bigint PRIMARY KEY)",
    "CREATE TABLE search_terms (term text PRIMARY KEY)",
    "CREATE TABLE search_words (word text PRIMARY KEY)",  # written words, for OCR-slip matching
]
INDEXES = [
    "CREATE INDEX IF NOT EXISTS ix_search_entries_doc ON search_entries (doc_id)",
    "CREATE INDEX IF NOT EXISTS ix_search_postings_segment ON search_postings (segment)",
    "CREATE INDEX IF NOT EXISTS ix_search_terms_trgm ON search_terms USING gin (term gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_search_words_trgm ON search_words USING gin (word gin_trgm_ops)",
]
OLD_TABLES = "search_entries, search_terms, search_words, search_segments, search_postings, search_deleted"


class PostgresEngine(Engine):
    """Search stored in PostgreSQL tables next to the archive."""

    name = "postgres"

    def __init__(self, url: str) -> None:
        self._view: View | None = None
        self._facets: dict[int, Facets] = {}  # segment id -> its decoded facets
        self._view_lock = threading.Lock()
        try:
            self.db = make_engine(url, pool_pre_ping=True)
            with self.db.begin() as conn:
                stored = _stored_version(conn)
                self.needs_rebuild = stored != SCHEMA_VERSION
                # None: never created; 'empty': created, but no rebuild finished
                self.outdated = stored not in (None, "empty", SCHEMA_VERSION)
                if self.needs_rebuild:
                    _lock(conn)
                    _recreate(conn)
        except (OperationalError, DBAPIError) as e:
            raise IndexUnavailableError(f"Indeks pencarian PostgreSQL tidak dapat dibuka: {e}") from e

    def close(self) -> None:
        """Close the connection pool."""
        self.db.dispose()

    # --- writing -------------------------------------------------------------------------------
    def replace_documents(self, docs: Iterable[DocumentRecord]) -> int:
        """Delete and rewrite these documents in one transaction."""
        docs = list(docs)
        with self.db.begin() as conn:
            _lock(conn)
            _delete(conn, [d.doc_id for d in docs])
            n = _write(conn, docs)
            _merge_segments(conn)
            _bump(conn)
            return n

    def delete_documents(self, doc_ids: Iterable[int]) -> None:
        """Delete every entry of these documents."""
        with self.db.begin() as conn:
            _lock(conn)
            _delete(conn, list(doc_ids))
            _bump(conn)

    def rebuild(self, docs: Iterable[DocumentRecord], mark: dict[str, int] | None = None) -> int:
        """Recreate the tables, load everything, then build the indexes (one transaction)."""
        with self.db.begin() as conn:
            t0 = time.monotonic()
            _lock(conn)
            _recreate(conn, with_indexes=False)
            n = _write(conn, docs)
            t1 = time.monotonic()
            conn.execute(text(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'"))
            for ddl in INDEXES:
                conn.execute(text(ddl))
            for table in ("search_entries", "search_postings", "search_terms", "search_words"):
                conn.execute(text(f"ANALYZE {table}"))
            log.info("search rebuild: %d entries loaded in %.0f s, indexed in %.0f s", n, t1 - t0,
                     time.monotonic() - t1)
            conn.execute(text("UPDATE search_meta SET value = :v WHERE key = 'schema_version'"),
                         {"v": SCHEMA_VERSION})
            if mark is not None:
                _set_mark(conn, mark)
            _bump(conn)
        self.needs_rebuild = self.outdated = False
        return n

    def stored_mark(self) -> dict[str, int] | None:
        """The archive's high-water mark these tables last caught up to (None: unknown)."""
        with self.db.connect() as conn:
            value = conn.execute(text("SELECT value FROM search_meta WHERE key = 'mark'")).scalar()
        try:
            mark = json.loads(value) if value else None
        except ValueError:
            return None
        return {str(k): int(v) for k, v in mark.items()} if isinstance(mark, dict) else None

    def store_mark(self, mark: dict[str, int]) -> None:
        """Record the high-water mark."""
        with self.db.begin() as conn:
            _set_mark(conn, mark)

    def indexed_versions(self) -> dict[int, set[int]]:
        """doc_id -> version ids with entries."""
        out: dict[int, set[int]] = {}
        with self.db.connect() as conn:
            for doc_id, version_id in conn.execute(
                text("SELECT DISTINCT doc_id, version_id FROM search_entries")
            ):
                out.setdefault(doc_id, set()).add(version_id)
        return out

    def size_bytes(self) -> int:
        """Bytes of the search tables with their indexes and TOAST."""
        tables = ("search_entries", "search_terms", "search_words", "search_segments", "search_postings",
                  "search_deleted")
        sql = "SELECT " + " + ".join(f"pg_total_relation_size('{t}')" for t in tables)
        with self.db.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())

    def segment_count(self) -> int:
        """How many segments the index has (merging keeps this small)."""
        with self.db.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM search_segments")).scalar_one())

    # --- reading -------------------------------------------------------------------------------
    def _pages(self, q: SearchQuery, parsed: ParsedQuery, exp: Expansions,
               deadline: float) -> tuple[list[RawPageHit], bool]:
        with self._reading(deadline) as (conn, view):
            ranked = self._rank(conn, view, "p", q, parsed, exp, deadline)
            rows = _rows_by_id(conn, ranked)
        return [RawPageHit(_page_hit(r), r["body"] or "") for r in rows], ranked.partial

    def _indicators(self, q: SearchQuery, parsed: ParsedQuery, exp: Expansions,
                    deadline: float) -> tuple[list[IndicatorHit], bool]:
        with self._reading(deadline) as (conn, view):
            ranked = self._rank(conn, view, "i", q, parsed, exp, deadline)
            rows = _rows_by_id(conn, ranked)
        return [_indicator_hit(r) for r in rows], ranked.partial

    def _rank(self, conn: Connection, view: View, kind: str, q: SearchQuery, parsed: ParsedQuery,
              exp: Expansions, deadline: float) -> Ranked:
        groups = [exp.get(t, (t,)) for t in parsed.terms] + [(w,) for p in parsed.phrases for w in p]
        excluded = [exp.get(p[0], (p[0],)) for p in parsed.excluded if len(p) == 1]
        segments = list(view.segment_ids)

        def fetch(terms: list[str]) -> dict[tuple[str, str], PostingList]:
            return _postings(conn, kind, terms, segments)

        verify = None
        if parsed.phrases or any(len(p) > 1 for p in parsed.excluded):
            verify = _verifier(conn, tsquery(parsed, exp))
        try:
            return rank(view, kind, q, groups, excluded, fetch, verify, deadline, time.monotonic)
        except OperationalError as e:
            if "statement timeout" not in str(e):
                raise
            log.info("search cut short by the time limit")
            return Ranked([], [], partial=True)

    @contextmanager
    def _reading(self, deadline: float) -> Iterator[tuple[Connection, View]]:
        """One snapshot for the whole query, and the view of the segments at its generation."""
        with self.db.connect() as c:
            conn = c.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                left_ms = max(200, int((deadline - time.monotonic()) * 1000))
                generation = conn.execute(
                    text("SELECT set_config('statement_timeout', :t, true), "
                         "(SELECT value FROM search_meta WHERE key = 'generation')"), {"t": str(left_ms)}
                ).one()[1]
                yield conn, self._view_at(conn, int(generation or 0))

    def _view_at(self, conn: Connection, generation: int) -> View:
        with self._view_lock:
            if self._view is None or self._view.generation != generation:
                t0 = time.monotonic()
                ids = _segment_ids(conn)
                # segments never change: decode only the ones this process has not seen
                new = [i for i in ids if i not in self._facets]
                if new:
                    for seg, data in conn.execute(
                            text("SELECT id, facets FROM search_segments WHERE id = ANY(:s)"), {"s": new}):
                        self._facets[seg] = Facets.decode(bytes(data))
                self._facets = {i: self._facets[i] for i in ids if i in self._facets}
                segs = [self._facets[i] for i in sorted(self._facets)]
                deleted = np.array([r[0] for r in conn.execute(text("SELECT id FROM search_deleted"))],
                                   dtype=np.int64)
                self._view = View(generation, segs, deleted, tuple(sorted(self._facets)))
                log.debug("search view %d: %d entries in %.3f s", generation, self._view.n, time.monotonic() - t0)
            return self._view

    def _vocabulary_near(self, term: str) -> list[str]:
        return self._near("search_terms", "term", term)

    def _words_near(self, word: str) -> list[str]:
        return self._near("search_words", "word", word)

    def _near(self, table: str, column: str, value: str) -> list[str]:
        """Strings of a trigram-indexed vocabulary that may lie within `max_edits` of `value`."""
        sql = f"""SELECT {column} FROM {table} WHERE {column} % :t AND left({column}, 1) = left(:t, 1)
                  AND length({column}) BETWEEN :lo AND :hi"""
        n = max_edits(value)
        with self.db.begin() as conn:
            conn.execute(text("SET LOCAL pg_trgm.similarity_threshold = 0.2"))
            rows = conn.execute(text(sql), {"t": value, "lo": len(value) - n, "hi": len(value) + n})
            return [r[0] for r in rows]


# --- schema ----------------------------------------------------------------------------------
def _stored_version(conn: Connection) -> str | None:
    conn.execute(text("CREATE TABLE IF NOT EXISTS search_meta (key text PRIMARY KEY, value text NOT NULL)"))
    return conn.execute(text("SELECT value FROM search_meta WHERE key = 'schema_version'")).scalar()


def _lock(conn: Connection) -> None:
    """Wait for other writers (held until the transaction ends)."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})


def _set_mark(conn: Connection, mark: dict[str, int]) -> None:
    conn.execute(text("INSERT INTO search_meta VALUES ('mark', :v) "
                      "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"), {"v": json.dumps(mark)})


def _bump(conn: Connection) -> None:
    conn.execute(text("UPDATE search_meta SET value = (value::bigint + 1)::text WHERE key = 'generation'"))


def _recreate(conn: Connection, with_indexes: bool = True) -> None:
    """Drop and create the search tables; the version says "empty" until a rebuild finishes."""
    log.info("creating PostgreSQL search tables (schema %s)", SCHEMA_VERSION)
    conn.execute(text(f"DROP TABLE IF EXISTS {OLD_TABLES} CASCADE"))
    conn.execute(text("DROP SEQUENCE IF EXISTS search_entry_ids"))
    for ddl in DDL + (INDEXES if with_indexes else []):
        conn.execute(text(ddl))
    generation = conn.execute(text("SELECT value FROM search_meta WHERE key = 'generation'")).scalar()
    conn.execute(text("DELETE FROM search_meta"))
    conn.execute(text("INSERT INTO search_meta VALUES ('schema_version', 'empty'), ('generation', :g)"),
                 {"g": str(int(generation or 0) + 1)})


def _delete(conn: Connection, doc_ids: list[int]) -> None:
    """Delete the entries; their ids stay listed as deleted until their segment is merged."""
    if doc_ids:
        conn.execute(text("""WITH gone AS (DELETE FROM search_entries WHERE doc_id = ANY(:ids) RETURNING id)
                             INSERT INTO search_deleted SELECT id FROM gone"""), {"ids": doc_ids})


def _write(conn: Connection, docs: Iterable[DocumentRecord]) -> int:
    """COPY the entries of `docs` into new segments; add their fuzzable lexemes to the vocabulary."""
    raw = conn.connection.driver_connection
    assert raw is not None
    vocabulary: set[str] = set()
    words: set[str] = set()
    builder = SegmentBuilder()
    n = 0
    for batch in _batches(docs, WRITE_BATCH):
        entries = [(doc.doc_id, e) for doc in batch for e in _entries(doc)]
        words.update(w for doc in batch for v in doc.versions for w in _written(v))
        ids = [r[0] for r in conn.execute(text("SELECT nextval('search_entry_ids') FROM generate_series(1, :n)"),
                                          {"n": len(entries)})]
        with raw.cursor() as cur, cur.copy(f"COPY search_entries ({', '.join(COLUMNS)}) FROM STDIN") as cp:
            for entry_id, (doc_id, (kind, v, row, head, body)) in zip(sorted(ids), entries, strict=True):
                cp.write_row((entry_id, *row))
                builder.add(entry_id, kind, doc_id, v, head, body)
                vocabulary.update(w for terms in (head, body) for w in terms if max_edits(w))
        n += len(entries)
        if builder.n_postings >= SEGMENT_POSTINGS:
            _write_segment(conn, builder.facets(), builder.posting_rows())
            builder = SegmentBuilder()
    if len(builder):
        _write_segment(conn, builder.facets(), builder.posting_rows())
    for table, values in (("search_terms", vocabulary), ("search_words", words)):
        if values:
            conn.execute(text(f"INSERT INTO {table} SELECT unnest(CAST(:t AS text[])) ON CONFLICT DO NOTHING"),
                         {"t": sorted(values)})
    return n


def _written(v: VersionRecord) -> set[str]:
    """The written words of a version (pages, title, number, indicator rows) for OCR-slip matching."""
    texts = [*v.pages, v.title or "", v.nomor or ""]
    texts += [" ".join(filter(None, (i.indikator, i.sasaran, i.satuan))) for i in v.indicators]
    return {w for t in texts for w in surface_words(t)}


def _batches(items: Iterable[DocumentRecord], size: int) -> Iterator[tuple[DocumentRecord, ...]]:
    """`items` in tuples of `size` (itertools.batched arrives with Python 3.12)."""
    it = iter(items)
    while batch := tuple(itertools.islice(it, size)):
        yield batch


def _write_segment(conn: Connection, facets: Facets, postings: Iterable[tuple[str, str, str, bytes, bytes]]) -> int:
    """Store one segment: its facets row and its posting lists (binary COPY)."""
    seg = int(conn.execute(text("SELECT nextval('search_segment_ids')")).scalar_one())
    conn.execute(text("INSERT INTO search_segments VALUES (:id, :level, :n, :facets)"),
                 {"id": seg, "level": level_of(len(facets), MERGE_FACTOR), "n": len(facets),
                  "facets": facets.encode()})
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(
        "COPY search_postings (kind, term, field, segment, ids, tfs) FROM STDIN (FORMAT BINARY)"
    ) as cp:
        cp.set_types(["text", "text", "text", "int4", "bytea", "bytea"])
        for kind, term, fld, ids, tfs in postings:
            cp.write_row((kind, term, fld, seg, ids, tfs))
    return seg


def _merge_segments(conn: Connection) -> None:
    """Merge the segments of any size level that has `MERGE_FACTOR` of them (repeatedly)."""
    while True:
        full = conn.execute(text("""SELECT array_agg(id ORDER BY id) FROM search_segments GROUP BY level
                                    HAVING count(*) >= :f ORDER BY level LIMIT 1"""),
                            {"f": MERGE_FACTOR}).scalar()
        if not full:
            return
        _merge(conn, list(full))


def _merge(conn: Connection, segments: list[int]) -> None:
    """Rewrite `segments` as one, without the entries deleted since they were written."""
    parts = [Facets.decode(bytes(r[0])) for r in conn.execute(
        text("SELECT facets FROM search_segments WHERE id = ANY(:s) ORDER BY id"), {"s": segments})]
    facets = Facets.concat(parts)
    dead = np.array([r[0] for r in conn.execute(
        text("SELECT id FROM search_deleted WHERE id = ANY(:ids)"), {"ids": facets.arrays["id"].tolist()})],
        dtype=np.int64)
    facets = facets.take(~np.isin(facets.arrays["id"], dead))

    def postings() -> Iterator[tuple[str, str, str, bytes, bytes]]:
        key: tuple[str, str, str] | None = None
        ids: list[np.ndarray] = []
        tfs: list[np.ndarray] = []
        rows = conn.execute(text("""SELECT kind, term, field, ids, tfs FROM search_postings
                                    WHERE segment = ANY(:s) ORDER BY kind, term, field, segment"""),
                            {"s": segments})
        for kind, term, fld, raw_ids, raw_tfs in [*rows, (None, None, None, b"", b"")]:
            if (kind, term, fld) != key:
                if key is not None and ids:
                    all_ids, all_tfs = np.concatenate(ids), np.concatenate(tfs)
                    alive = ~np.isin(all_ids, dead)
                    if alive.any():
                        yield (*key, encode_ids(all_ids[alive]), encode_tfs(all_tfs[alive]))
                key, ids, tfs = (kind, term, fld), [], []
            if kind is not None:  # kept as stored (uint32, uint16): merges move many postings
                ids.append(np.frombuffer(bytes(raw_ids), dtype="<u4"))
                tfs.append(np.frombuffer(bytes(raw_tfs), dtype="<u2"))

    merged = list(postings())  # read before the old segments go
    if len(facets):
        _write_segment(conn, facets, merged)
    conn.execute(text("DELETE FROM search_segments WHERE id = ANY(:s)"), {"s": segments})
    conn.execute(text("DELETE FROM search_deleted WHERE id = ANY(:ids)"), {"ids": dead.tolist()})
    log.debug("search: merged segments %s (%d entries)", segments, len(facets))


# --- reading helpers ---------------------------------------------------------------------------
def _segment_ids(conn: Connection) -> list[int]:
    return [r[0] for r in conn.execute(text("SELECT id FROM search_segments"))]


def _postings(conn: Connection, kind: str, terms: list[str], segments: list[int]) -> dict[tuple[str, str], PostingList]:
    """(term, field) -> the posting list over every segment of the snapshot."""
    parts: dict[tuple[str, str], list[PostingList]] = {}
    rows = conn.execute(text("""SELECT term, field, ids, tfs FROM search_postings
                                WHERE kind = :k AND term = ANY(:t) AND segment = ANY(:s)"""),
                        {"k": kind, "t": terms, "s": segments})
    for term, fld, ids, tfs in rows:
        parts.setdefault((term, fld), []).append(decode_postings(bytes(ids), bytes(tfs)))
    return {k: (np.concatenate([p[0] for p in v]), np.concatenate([p[1] for p in v])) if len(v) > 1 else v[0]
            for k, v in parts.items()}


def _verifier(conn: Connection, tsq: str) -> Verify:
    """Which of some entry ids match the whole query (phrases, excluded phrases) in their tsvector."""
    sql = text("SELECT id FROM search_entries WHERE id = ANY(:ids) AND tsv @@ CAST(:q AS tsquery)")

    def verify(ids: list[int]) -> set[int]:
        return {r[0] for r in conn.execute(sql, {"ids": ids, "q": tsq})}

    return verify


def _rows_by_id(conn: Connection, ranked: Ranked) -> list[dict[str, Any]]:
    """The stored entries of a ranking, in its order, each with its score."""
    if not ranked.ids:
        return []
    sql = f"SELECT {', '.join(HIT_COLUMNS)} FROM search_entries WHERE id = ANY(:ids)"
    by_id = {r.id: dict(r._mapping) for r in conn.execute(text(sql), {"ids": ranked.ids})}
    out = []
    for entry_id, score in zip(ranked.ids, ranked.scores, strict=True):
        if entry_id in by_id:
            out.append(by_id[entry_id] | {"score": score})
    return out


# --- rows ------------------------------------------------------------------------------------
def _entries(doc: DocumentRecord) -> Iterator[tuple[str, VersionRecord, tuple[Any, ...], Terms, Terms]]:
    """(kind, version, COPY row without its id, head terms, body terms) of one document."""
    for v in doc.versions:
        names: dict[int, list[str]] = {}
        for ind in v.indicators:
            names.setdefault(ind.page or 1, []).append(ind.indikator)
        for no, body in enumerate(v.pages or ("",), start=1):
            if no > 1 and not body.strip():
                continue
            head = " ".join(filter(None, [v.title, v.nomor, *names.get(no, [])]))
            tsv, (h, b) = analyse([(head, "A"), (body, "D")])
            yield "p", v, _row(doc.doc_id, v, "p", no, body, None, tsv), h, b
        for ind in v.indicators:
            tsv, (h, b) = analyse([(ind.indikator, "A"), (" ".join(filter(None, [ind.sasaran, ind.satuan])), "D")])
            row = {k: getattr(ind, k) for k in IndicatorRecord.__dataclass_fields__}
            yield "i", v, _row(doc.doc_id, v, "i", ind.page, None, json.dumps(row), tsv), h, b


def _row(doc_id: int, v: VersionRecord, kind: str, page: int | None, body: str | None,
         row: str | None, tsv: str) -> tuple[Any, ...]:
    return (kind, doc_id, v.version_id, v.version_no, page, v.doc_type, v.status, v.in_force,
            v.tahun, v.tanggal, v.instansi, v.title, v.nomor, body, row, tsv)


@lru_cache(maxsize=200_000)
def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def analyse(parts: list[tuple[str, str]]) -> tuple[str, list[Terms]]:
    """A tsvector literal of weighted texts (positions continue across parts, with a gap) and each
    part's term frequencies (the positions kept in the literal)."""
    entries: dict[str, list[str]] = {}
    counts: list[Terms] = []
    offset = 1
    for value, weight in parts:
        found, last = positions(value)
        room = MAX_POS - offset  # positions past PostgreSQL's limit are dropped
        tf: Terms = {}
        for lexeme, ps in found.items():
            if len(lexeme) < 200 and ps[0] <= room:
                kept = [p for p in ps if p <= room]
                entries.setdefault(lexeme, []).extend(f"{offset + p}{weight}" for p in kept)
                tf[lexeme] = len(kept)
        counts.append(tf)
        offset += max(min(last, room), -1) + 2
    literal = " ".join(f"{_quote(w)}:{','.join(ps)}" for w, ps in entries.items())
    return literal, counts


def tsvector(parts: list[tuple[str, str]]) -> tuple[str, set[str]]:
    """A tsvector literal of weighted texts and its lexemes."""
    literal, counts = analyse(parts)
    return literal, {w for c in counts for w in c}


# --- queries ---------------------------------------------------------------------------------
def tsquery(parsed: ParsedQuery, exp: Expansions) -> str:
    """A tsquery literal: every term (or its fuzzy variants) and phrase required, exclusions negated."""
    def word(t: str) -> str:
        variants = exp.get(t, (t,))
        return _quote(variants[0]) if len(variants) == 1 else "(" + " | ".join(map(_quote, variants)) + ")"

    def phrase(ws: tuple[str, ...]) -> str:
        return "(" + " <-> ".join(map(_quote, ws)) + ")"

    parts = [word(t) for t in parsed.terms] + [phrase(p) for p in parsed.phrases]
    parts += ["!" + (word(p[0]) if len(p) == 1 else phrase(p)) for p in parsed.excluded]
    return " & ".join(parts)


def _page_hit(r: dict[str, Any]) -> PageHit:
    return PageHit(
        doc_id=r["doc_id"], version_id=r["version_id"], version_no=r["version_no"], page=r["page"],
        score=float(r["score"]), doc_type=r["doc_type"], title=r["title"], nomor=r["nomor"],
        instansi=r["instansi"], tahun=r["tahun"], status=r["status"], in_force=r["in_force"],
    )


def _indicator_hit(r: dict[str, Any]) -> IndicatorHit:
    row = r["row"] if isinstance(r["row"], dict) else json.loads(r["row"])
    return IndicatorHit(
        doc_id=r["doc_id"], version_id=r["version_id"], doc_type=r["doc_type"], title=r["title"],
        instansi=r["instansi"], tahun=r["tahun"], in_force=r["in_force"],
        row=IndicatorRecord(**row), score=float(r["score"]),
    )
