"""The PostgreSQL engine: full-text search in the archive's own PostgreSQL database.

Tables (`search_meta`, `search_entries`, `search_terms`) are created and, when the schema version
changes, dropped and recreated by this engine itself rather than by Alembic: the index is derived
data that `arsip reindex` can always rebuild, so its layout moves with the analysis code, not with
the archive's migrations, and a rebuild never needs a migration step.

Lexemes come from `search.analysis` (the Snowball Indonesian stemmer, the same algorithm as
PostgreSQL's `indonesian` configuration, plus protected domain words and whole codes) and are
stored as a tsvector literal, so both engines see identical terms.  Using the `indonesian`
configuration inside the server instead would need a synonym file in the server's share
directory for the protected words, and its parser splits `800.1.11/121/767.07/2023` differently.
`pg_trgm` indexes the vocabulary (`search_terms`) to find OCR-slipped variants of a word.

Ranking.  When the `rum` extension can be created (Debian: postgresql-NN-rum), the entries get a
RUM index, which keeps each lexeme's positions and weights in the index and returns matches best
first (`ORDER BY tsv <=> query LIMIT n`): exact top hits over every match, with no cap and no
heap reads for scoring (RUM still scores every match, from the index: the cost grows with the
number of matches, about 1 microsecond each).  Its order is RUM's cover-density score (the
`ts_rank_cd` family, not BM25): each cover (a shortest span holding all query words) adds the
harmonic mean of its positions' weights (A = title, number, indicator names: 1.0; D = body: 0.1)
times the number of query words, divided by 1 + the other words inside the span; the n-th repeat
of the same cover adds 1/n^2 of that, so term frequency saturates as in BM25 (the tenth
"kinerja" on a page adds little).  There is no document-length normalisation and no IDF (all
query words are required, so IDF would only reweigh words that every hit contains anyway).
Ties keep the index's order.  Without RUM (a server without the package)
a GIN index finds the matches and `ts_rank` scores at most `RANK_CANDIDATES` of them: results
over that cap are marked partial, and a warning says once that installing RUM makes them exact.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from archive.db import make_engine
from search.analysis import ANALYSIS_VERSION, lexemes, max_edits, positions
from search.engine import Engine, Expansions, RawPageHit
from search.errors import IndexUnavailableError
from search.query import ParsedQuery
from search.records import (
    DocumentRecord,
    IndicatorHit,
    IndicatorRecord,
    PageHit,
    SearchQuery,
    VersionRecord,
)

log = logging.getLogger(__name__)

LAYOUT_VERSION = 4  # 3: GIN index on the office words; 4: RUM index when available
SCHEMA_VERSION = f"pg-{LAYOUT_VERSION}.{ANALYSIS_VERSION}"
RUM_SUFFIX = "+rum"  # stored after SCHEMA_VERSION when the text index is RUM
MAX_POS = 16383  # PostgreSQL's largest tsvector position
# Ranking reads every candidate's tsvector; beyond this many matching entries only the first
# ones (in storage order) are ranked and the result is marked partial.  GIN cannot return
# matches best-first, and ranking 100,000 matches of a common word takes seconds.
RANK_CANDIDATES = 5000
BUILD_MEMORY = "512MB"  # maintenance_work_mem while the rebuild creates the indexes
QUERY_MEMORY = "32MB"  # work_mem of a search query
RANK_WEIGHTS = "{0.1, 0.1, 0.2, 0.3}"  # D (body), C, B, A (title, nomor, indicator names)
USE_RUM = True  # tests switch it off to exercise the GIN fallback
_warned_no_rum: list[bool] = []  # the missing-RUM warning is logged once per process
COLUMNS = ("kind", "doc_id", "version_id", "version_no", "page", "doc_type", "status", "in_force",
           "tahun", "tanggal", "instansi", "title", "nomor", "body", "row", "tsv", "instansi_tsv")
HIT_COLUMNS = tuple(c for c in COLUMNS if not c.endswith("tsv"))

DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE search_entries (
        id bigserial PRIMARY KEY, kind char(1) NOT NULL, doc_id integer NOT NULL,
        version_id integer NOT NULL, version_no integer NOT NULL, page integer,
        doc_type text NOT NULL, status text NOT NULL, in_force boolean NOT NULL, tahun integer,
        tanggal date, instansi text, title text, nomor text, body text, row jsonb,
        tsv tsvector NOT NULL, instansi_tsv tsvector)""",
    "CREATE TABLE search_terms (term text PRIMARY KEY)",
]
GIN_TEXT_INDEX = "CREATE INDEX IF NOT EXISTS ix_search_entries_tsv ON search_entries USING gin (tsv)"
# one RUM index per kind (partial), so page queries never walk indicator rows and vice versa
RUM_TEXT_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS ix_search_entries_rum_{k} ON search_entries "
    f"USING rum (tsv rum_tsvector_ops) WHERE kind = '{k}'" for k in ("p", "i")
]
# RUM with filters: scoring a filtered row from the table (bitmap scan, detoast, rank) costs
# about 12 us, walking one match of the words in the index 0.5-0.9 us (measured at 100k), so
# the table path is taken when the planner estimates this many times fewer filtered rows than
# word matches (its estimates are rough: a bad guess costs tens of ms, both paths are exact)
ROW_VS_INDEX_COST = 12
FIRST_FETCH = 4  # RUM: rows fetched per wanted hit at first (a version has several pages)
INDEXES = [
    "CREATE INDEX IF NOT EXISTS ix_search_entries_doc ON search_entries (doc_id)",
    # office words: without it a rare office and a common word scan the table (100k: 600 ms)
    "CREATE INDEX IF NOT EXISTS ix_search_entries_instansi ON search_entries USING gin (instansi_tsv)",
    # facets: lets the planner AND these with the text index instead of filtering heap rows
    "CREATE INDEX IF NOT EXISTS ix_search_entries_facets ON search_entries (tahun, doc_type)",
    "CREATE INDEX IF NOT EXISTS ix_search_entries_type ON search_entries (doc_type)",
    "CREATE INDEX IF NOT EXISTS ix_search_terms_trgm ON search_terms USING gin (term gin_trgm_ops)",
]


class PostgresEngine(Engine):
    """Search stored in PostgreSQL tables next to the archive."""

    name = "postgres"

    def __init__(self, url: str) -> None:
        try:
            self.db = make_engine(url, pool_pre_ping=True)
            with self.db.begin() as conn:
                self.rum = USE_RUM and _create_rum(conn)
                # a RUM index appearing (or going) changes the layout: rebuild
                self.version = SCHEMA_VERSION + (RUM_SUFFIX if self.rum else "")
                stored = _stored_version(conn)
                self.needs_rebuild = stored != self.version
                # None: never created; 'empty': created, but no rebuild finished
                self.outdated = stored not in (None, "empty", self.version)
                if self.needs_rebuild:
                    _recreate(conn, self.rum)
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
            _delete(conn, [d.doc_id for d in docs])
            return _copy(conn, docs)

    def delete_documents(self, doc_ids: Iterable[int]) -> None:
        """Delete every entry of these documents."""
        with self.db.begin() as conn:
            _delete(conn, list(doc_ids))

    def rebuild(self, docs: Iterable[DocumentRecord]) -> int:
        """Recreate the tables, load everything, then build the indexes (one transaction)."""
        with self.db.begin() as conn:
            t0 = time.monotonic()
            _recreate(conn, self.rum, with_indexes=False)
            n = _copy(conn, docs)
            t1 = time.monotonic()
            # GIN builds much faster when its work fits in memory (PostgreSQL's default is 64 MB)
            conn.execute(text(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'"))
            for ddl in _indexes(self.rum):
                conn.execute(text(ddl))
            conn.execute(text("ANALYZE search_entries"))
            conn.execute(text("ANALYZE search_terms"))
            log.info("search rebuild: %d entries loaded in %.0f s, indexed in %.0f s", n, t1 - t0,
                     time.monotonic() - t1)
            conn.execute(text("UPDATE search_meta SET value = :v WHERE key = 'schema_version'"),
                         {"v": self.version})
        self.needs_rebuild = self.outdated = False
        return n

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
        sql = "SELECT pg_total_relation_size('search_entries') + pg_total_relation_size('search_terms')"
        with self.db.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())

    # --- reading -------------------------------------------------------------------------------
    def _pages(self, q: SearchQuery, parsed: ParsedQuery, exp: Expansions,
               deadline: float) -> tuple[list[RawPageHit], bool]:
        if self.rum and not parsed.empty:
            return self._pages_rum(q, parsed, exp, deadline)
        where, params = _where(q, parsed, exp, "p")
        ranked = f"""
            WITH m AS MATERIALIZED (SELECT id, version_id, {_score(parsed)} AS score
                                    FROM search_entries WHERE {where} LIMIT :cap),
                 best AS (SELECT DISTINCT ON (version_id) id, score FROM m
                          ORDER BY version_id, score DESC, id),
                 top AS (SELECT id, score FROM best ORDER BY score DESC, id LIMIT :limit)
            SELECT e.*, top.score, (SELECT count(*) FROM m) AS candidates
            FROM top JOIN search_entries e USING (id) ORDER BY top.score DESC, e.id"""
        quick = f"SELECT e.*, 0.0 AS score FROM search_entries e WHERE {where} LIMIT :limit"
        rows, partial = self._timed(ranked, quick, params | {"limit": q.limit, "cap": RANK_CANDIDATES},
                                    deadline)
        partial = partial or _capped(rows)
        return [RawPageHit(_page_hit(r), r["body"] or "") for r in _distinct_versions(rows)], partial

    def _indicators(self, q: SearchQuery, parsed: ParsedQuery, exp: Expansions,
                    deadline: float) -> tuple[list[IndicatorHit], bool]:
        if self.rum and not parsed.empty:
            rows, partial = self._ranked_rum(q, parsed, exp, deadline, "i", q.limit)
            return [_indicator_hit(r) for r in rows], partial
        where, params = _where(q, parsed, exp, "i")
        ranked = f"""
            WITH m AS MATERIALIZED (SELECT id, {_score(parsed)} AS score
                                    FROM search_entries WHERE {where} LIMIT :cap),
                 top AS (SELECT id, score FROM m ORDER BY score DESC, id LIMIT :limit)
            SELECT e.*, top.score, (SELECT count(*) FROM m) AS candidates
            FROM top JOIN search_entries e USING (id) ORDER BY top.score DESC, e.id"""
        quick = f"SELECT e.*, 0.0 AS score FROM search_entries e WHERE {where} LIMIT :limit"
        rows, partial = self._timed(ranked, quick, params | {"limit": q.limit, "cap": RANK_CANDIDATES},
                                    deadline)
        return [_indicator_hit(r) for r in rows], partial or _capped(rows)

    def _pages_rum(self, q: SearchQuery, parsed: ParsedQuery, exp: Expansions,
                   deadline: float) -> tuple[list[RawPageHit], bool]:
        """Best page per version from RUM's best-first order, fetching more rows until `limit` versions."""
        n = q.limit * FIRST_FETCH
        while True:
            rows, partial = self._ranked_rum(q, parsed, exp, deadline, "p", n)
            best = _distinct_versions(rows)
            if partial or len(best) >= q.limit or len(rows) < n:
                break
            n *= 4  # many pages of the same versions: look further down the order
        return [RawPageHit(_page_hit(r), r["body"] or "") for r in best[: q.limit]], partial

    def _ranked_rum(self, q: SearchQuery, parsed: ParsedQuery, exp: Expansions, deadline: float,
                    kind: str, n: int) -> tuple[list[dict[str, Any]], bool]:
        """The first `n` matching entries in RUM's rank order (exact: every match is considered)."""
        where, params = _where(q, parsed, exp, kind)
        params["rank_tsq"] = rank_tsquery(parsed, exp)
        if _has_filters(q) and self._filter_is_selective(where, parsed, exp, kind, params):
            # a selective filter: score the few rows it leaves rather than every match of the words
            ranked = f"""WITH m AS MATERIALIZED (SELECT id, {_distance()} AS dist
                                                FROM search_entries WHERE {where})
                         SELECT id, {', '.join(HIT_COLUMNS)}, m.dist FROM m JOIN search_entries USING (id)
                         ORDER BY m.dist, id LIMIT :n"""
        else:
            ranked = f"""SELECT id, {', '.join(HIT_COLUMNS)}, {_distance()} AS dist
                         FROM search_entries WHERE {where} ORDER BY {_distance()} LIMIT :n"""
        quick = f"SELECT id, {', '.join(HIT_COLUMNS)}, 'Infinity'::float4 AS dist FROM search_entries WHERE {where} LIMIT :n"
        rows, partial = self._timed(ranked, quick, params | {"n": n}, deadline)
        for r in rows:  # RUM's distance is 1 / score
            r["score"] = 1.0 / r["dist"] if r["dist"] else 0.0
        return rows, partial

    def _filter_is_selective(self, where: str, parsed: ParsedQuery, exp: Expansions, kind: str,
                             params: dict[str, Any]) -> bool:
        """Whether scoring the filtered rows from the table beats walking every match in the index."""
        words_where, words_params = _where(SearchQuery("", history=True), parsed, exp, kind)  # words only
        filtered = self._estimated_rows(where, params)
        return filtered * ROW_VS_INDEX_COST < self._estimated_rows(words_where, words_params)

    def _estimated_rows(self, where: str, params: dict[str, Any]) -> float:
        """The planner's estimate of the rows matching `where` (text and filters together)."""
        with self.db.connect() as conn:
            plan = conn.execute(text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_entries WHERE {where}"),
                                params).scalar_one()
        return float((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])

    def _timed(self, ranked: str, quick: str, params: dict[str, Any],
               deadline: float) -> tuple[list[dict[str, Any]], bool]:
        """Run the ranked query within the time left; on timeout, unranked matches, marked partial."""
        left_ms = max(10, int((deadline - time.monotonic()) * 1000))
        try:
            return self._fetch(ranked, params, left_ms), False
        except OperationalError as e:
            if "statement timeout" not in str(e):
                raise
        log.info("ranked search cut short by the time limit; returning unranked matches")
        try:
            return self._fetch(quick, params, max(left_ms // 2, 200)), True
        except OperationalError as e:
            if "statement timeout" not in str(e):
                raise
            return [], True

    def _fetch(self, sql: str, params: dict[str, Any], timeout_ms: int) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            # work_mem: exact bitmaps for common words (at 4 MB they turn lossy, rows get rechecked)
            conn.execute(text("SELECT set_config('statement_timeout', :t, true), set_config('work_mem', :m, true)"),
                         {"t": str(int(timeout_ms)), "m": QUERY_MEMORY})
            return [dict(r._mapping) for r in conn.execute(text(sql), params)]

    def _vocabulary_near(self, term: str) -> list[str]:
        sql = """SELECT term FROM search_terms WHERE term % :t AND left(term, 1) = left(:t, 1)
                 AND length(term) BETWEEN :lo AND :hi"""
        n = max_edits(term)
        with self.db.begin() as conn:
            conn.execute(text("SET LOCAL pg_trgm.similarity_threshold = 0.2"))
            rows = conn.execute(text(sql), {"t": term, "lo": len(term) - n, "hi": len(term) + n})
            return [r[0] for r in rows]


# --- schema ----------------------------------------------------------------------------------
def _stored_version(conn: Connection) -> str | None:
    conn.execute(text("CREATE TABLE IF NOT EXISTS search_meta (key text PRIMARY KEY, value text NOT NULL)"))
    return conn.execute(text("SELECT value FROM search_meta WHERE key = 'schema_version'")).scalar()


def _create_rum(conn: Connection) -> bool:
    """Create the `rum` extension if the server has it; False (and a warning, once) when it has not."""
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS rum"))
        return True
    except DBAPIError as e:
        if not _warned_no_rum:
            _warned_no_rum.append(True)
            log.warning("PostgreSQL search ranks at most %d matches per query (results beyond are marked "
                        "partial): install the server's postgresql-NN-rum package (and, without superuser "
                        "rights, have an administrator run CREATE EXTENSION rum) for exact ranking (%s)",
                        RANK_CANDIDATES, str(e.orig).strip().splitlines()[0])
        return False


def _indexes(rum: bool) -> list[str]:
    return (RUM_TEXT_INDEXES if rum else [GIN_TEXT_INDEX]) + INDEXES


def _recreate(conn: Connection, rum: bool, with_indexes: bool = True) -> None:
    """Drop and create the search tables; the version says "empty" until a rebuild finishes."""
    log.info("creating PostgreSQL search tables (schema %s%s)", SCHEMA_VERSION, RUM_SUFFIX if rum else "")
    conn.execute(text("DROP TABLE IF EXISTS search_entries, search_terms"))
    for ddl in DDL + (_indexes(rum) if with_indexes else []):
        conn.execute(text(ddl))
    conn.execute(text("DELETE FROM search_meta"))
    conn.execute(text("INSERT INTO search_meta VALUES ('schema_version', 'empty')"))


def _delete(conn: Connection, doc_ids: list[int]) -> None:
    if doc_ids:
        conn.execute(text("DELETE FROM search_entries WHERE doc_id = ANY(:ids)"), {"ids": doc_ids})


def _copy(conn: Connection, docs: Iterable[DocumentRecord]) -> int:
    """COPY the entries of `docs` and add their fuzzable lexemes to the vocabulary."""
    raw = conn.connection.driver_connection
    assert raw is not None
    vocabulary: set[str] = set()
    n = 0
    with raw.cursor() as cur, cur.copy(f"COPY search_entries ({', '.join(COLUMNS)}) FROM STDIN") as cp:
        for doc in docs:
            for row, lex in _rows(doc):
                cp.write_row(row)
                vocabulary.update(w for w in lex if max_edits(w))
                n += 1
    if vocabulary:
        conn.execute(text("INSERT INTO search_terms SELECT unnest(CAST(:t AS text[])) ON CONFLICT DO NOTHING"),
                     {"t": sorted(vocabulary)})
    return n


# --- rows ------------------------------------------------------------------------------------
def _rows(doc: DocumentRecord) -> Iterator[tuple[tuple[Any, ...], set[str]]]:
    """COPY rows of one document (pages, then indicator rows) with their lexemes."""
    for v in doc.versions:
        names: dict[int, list[str]] = {}
        for ind in v.indicators:
            names.setdefault(ind.page or 1, []).append(ind.indikator)
        for no, body in enumerate(v.pages or ("",), start=1):
            if no > 1 and not body.strip():
                continue
            head = " ".join(filter(None, [v.title, v.nomor, *names.get(no, [])]))
            tsv, lex = tsvector([(head, "A"), (body, "D")])
            yield _row(doc.doc_id, v, "p", no, body, None, tsv), lex
        for ind in v.indicators:
            tsv, lex = tsvector([(ind.indikator, "A"), (" ".join(filter(None, [ind.sasaran, ind.satuan])), "D")])
            row = {k: getattr(ind, k) for k in IndicatorRecord.__dataclass_fields__}
            yield _row(doc.doc_id, v, "i", ind.page, None, json.dumps(row), tsv), lex


def _row(doc_id: int, v: VersionRecord, kind: str, page: int | None, body: str | None,
         row: str | None, tsv: str) -> tuple[Any, ...]:
    inst_tsv, _ = tsvector([(v.instansi or "", "D")])
    return (kind, doc_id, v.version_id, v.version_no, page, v.doc_type, v.status, v.in_force,
            v.tahun, v.tanggal, v.instansi, v.title, v.nomor, body, row, tsv, inst_tsv)


@lru_cache(maxsize=200_000)
def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(parts: list[tuple[str, str]]) -> tuple[str, set[str]]:
    """A tsvector literal of weighted texts (positions continue across parts, with a gap)."""
    entries: dict[str, list[str]] = {}
    offset = 1
    for value, weight in parts:
        found, last = positions(value)
        room = MAX_POS - offset  # positions past PostgreSQL's limit are dropped
        for lexeme, ps in found.items():
            if len(lexeme) < 200 and ps[0] <= room:
                entries.setdefault(lexeme, []).extend(f"{offset + p}{weight}" for p in ps if p <= room)
        offset += max(min(last, room), -1) + 2
    literal = " ".join(f"{_quote(w)}:{','.join(ps)}" for w, ps in entries.items())
    return literal, set(entries)


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


def _score(parsed: ParsedQuery) -> str:
    if parsed.empty:
        return "0.0"
    return f"ts_rank('{RANK_WEIGHTS}', tsv, CAST(:tsq AS tsquery), 1)"


def rank_tsquery(parsed: ParsedQuery, exp: Expansions) -> str:
    """The tsquery RUM orders by: every positive word, phrases as plain AND, no exclusions.

    RUM 1.3 returns phrase (`<->`) queries in storage order rather than by rank, and its
    score of a phrase differs between index and heap; the WHERE clause still demands the
    phrase, so ranking by the phrase's words together loses nothing.
    """
    return tsquery(ParsedQuery(parsed.terms + tuple(w for p in parsed.phrases for w in p)), exp)


def _has_filters(q: SearchQuery) -> bool:
    """True when the query narrows by a facet (in force alone narrows little)."""
    return any(v not in (None, "") for v in (q.doc_type, q.status, q.tahun, q.instansi, q.date_from, q.date_to))


def _distance() -> str:
    """RUM's rank distance (1 / cover-density score), which its index returns in ascending order."""
    return "tsv <=> CAST(:rank_tsq AS tsquery)"


def _where(q: SearchQuery, parsed: ParsedQuery, exp: Expansions, kind: str) -> tuple[str, dict[str, Any]]:
    """The WHERE clause and its parameters for a query and its filters."""
    conds: list[str] = [f"kind = '{kind}'"]
    params: dict[str, Any] = {}  # kind is one of two literals, never user text
    if not parsed.empty:
        conds.append("tsv @@ CAST(:tsq AS tsquery)")
        params["tsq"] = tsquery(parsed, exp)
    if not q.history:
        conds.append("in_force")
    for col, value in (("doc_type", q.doc_type), ("status", q.status), ("tahun", q.tahun)):
        if value is not None and value != "":
            conds.append(f"{col} = :{col}")
            params[col] = value
    if q.instansi:
        words = lexemes(q.instansi, index=False)
        if words:
            conds.append("instansi_tsv @@ CAST(:inst AS tsquery)")
            params["inst"] = " & ".join(map(_quote, words))
    if q.date_from:
        conds.append("tanggal >= :dfrom")
        params["dfrom"] = q.date_from
    if q.date_to:
        conds.append("tanggal <= :dto")
        params["dto"] = q.date_to
    return " AND ".join(conds), params


def _capped(rows: list[dict[str, Any]]) -> bool:
    return bool(rows) and int(rows[0].get("candidates") or 0) >= RANK_CANDIDATES


def _distinct_versions(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[int] = set()
    out = []
    for r in rows:
        if r["version_id"] not in seen:
            seen.add(r["version_id"])
            out.append(r)
    return out


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
