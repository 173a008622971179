"""The embedded engine: a whoosh-reloaded index in a directory, nothing to install or run.

One entry per page (so a hit names its page) and one per indicator row.  What keeps it fast
(measured on synthetic pages): queries with words are ranked over postings read into arrays
(`search.whoosh_rank`: whoosh's own BM25F, exact, 2-4x faster than its collectors, which score a
posting at a time and whose pruning can drop true top hits); one `Searcher` reused and
refreshed; for the filter-only queries whoosh still answers, filters as `And` clauses rather than
`filter=` and "in force" as NOT in_force=0; no `terms=True` (highlights come from
`search.highlight`, fuzzy variants are expanded up front); a multi-segment writer for rebuilds.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from whoosh import collectors, fields, index
from whoosh import query as wq
from whoosh.analysis import Token as WToken
from whoosh.analysis import Tokenizer
from whoosh.collectors import TimeLimit

from archive.crashpoints import crash_point
from search.analysis import ANALYSIS_VERSION, lexemes, max_edits, surface_words, tokens
from search.bm25 import HEAD_BOOST
from search.engine import Engine, Expansions, RawPageHit
from search.errors import IndexUnavailableError
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
from search.whoosh_rank import LengthCache, PhraseSpec, Ranker

log = logging.getLogger(__name__)

LAYOUT_VERSION = 3  # 3: the written words, for OCR-slip matching
SCHEMA_VERSION = f"whoosh-{LAYOUT_VERSION}.{ANALYSIS_VERSION}.{RECORDS_VERSION}"
VERSION_FILE = "arsip-search.json"
MARK_FILE = "arsip-mark.json"  # the archive's high-water mark this index has caught up to


class IndonesianTokenizer(Tokenizer):
    """Whoosh face of `search.analysis.tokens` (lexemes with positions and spans)."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kw: Any) -> Iterator[WToken]:
        """Yield one reused whoosh Token per lexeme."""
        t = WToken(positions, chars, removestops=removestops, mode=mode, **kw)
        for tok in tokens(value, index=mode != "query"):
            t.text = tok.text
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + tok.pos
            if chars:
                t.startchar, t.endchar = start_char + tok.start, start_char + tok.end
            yield t


class _Deadline(collectors.WrappingCollector):
    """Stops collecting (raising `TimeLimit`) once `deadline` passes; inside any collapsing."""

    def __init__(self, child: Any, deadline: float) -> None:
        super().__init__(child)
        self.deadline = deadline

    def matches(self) -> Iterator[int]:
        """The child's matches, checking the clock every 256 documents."""
        for n, docnum in enumerate(self.child.matches(), 1):
            if not n & 255 and time.monotonic() > self.deadline:
                raise TimeLimit
            yield docnum


def make_schema() -> fields.Schema:
    """The whoosh schema: ids and filters as ID fields, text in `head` (boosted) and `body`."""
    ana = IndonesianTokenizer()
    return fields.Schema(
        key=fields.ID(unique=True, stored=True),
        kind=fields.ID,
        doc_id=fields.ID(stored=True),
        version_id=fields.ID(stored=True, sortable=True),
        version_no=fields.STORED,
        page=fields.STORED,
        doc_type=fields.ID(stored=True),
        status=fields.ID(stored=True),
        in_force=fields.ID(stored=True),
        tahun=fields.ID(stored=True),
        tanggal=fields.NUMERIC(int, bits=32),
        instansi=fields.TEXT(analyzer=ana, stored=True, phrase=False),
        title=fields.STORED,
        nomor=fields.STORED,
        head=fields.TEXT(analyzer=ana, field_boost=HEAD_BOOST),
        body=fields.TEXT(analyzer=ana, stored=True),
        # indicator rows in fields of their own: a word query then needs no `kind` clause
        ihead=fields.TEXT(analyzer=ana, field_boost=HEAD_BOOST),
        ibody=fields.TEXT(analyzer=ana),
        words=fields.KEYWORD(scorable=False),  # written words (analysis.surface_words), for fuzzy matching
        row=fields.STORED,
    )


class WhooshEngine(Engine):
    """Search over a whoosh index stored in `directory`."""

    name = "whoosh"

    def __init__(self, directory: Path, *, procs: int = 1) -> None:
        self.dir = Path(directory)
        self.procs = procs
        self._lock = threading.RLock()  # _index() may close the searcher while it is held
        self._searcher: Any = None
        self._ranker_cache: Ranker | None = None
        self._lengths = LengthCache()
        self._ix: Any = None
        self._inode = 0
        with self._swap_lock(exclusive=False):
            stored = self._stored_version()
            self.needs_rebuild = stored != SCHEMA_VERSION or not index.exists_in(str(self.dir))
            self.outdated = stored is not None and stored != SCHEMA_VERSION
            if not self.needs_rebuild:
                self._open()
        if self.needs_rebuild:
            self._create_empty()

    def _create_empty(self) -> None:
        """An empty index to write to until `rebuild` fills one beside it (an index of another
        schema is dropped); unless another process finished a build meanwhile."""
        with self._swap_lock(exclusive=True):
            if self._stored_version() == SCHEMA_VERSION and index.exists_in(str(self.dir)):
                self.needs_rebuild = self.outdated = False
                self._open()
                return
            self._ix = self._create()
            self._inode = self.dir.stat().st_ino

    # --- index files ---------------------------------------------------------------------------
    def _open(self) -> None:
        self._ix = index.open_dir(str(self.dir))
        self._inode = self.dir.stat().st_ino

    def _index(self) -> Any:
        """The open index; reopened when a rebuild (maybe another process's) swapped it."""
        try:
            swapped = self._ix is not None and self.dir.stat().st_ino != self._inode
        except FileNotFoundError:
            swapped = True
        if swapped:
            self.close()
            self._ix = None
            if index.exists_in(str(self.dir)) and self._stored_version() == SCHEMA_VERSION:
                self._open()
        if self._ix is None:
            raise IndexUnavailableError(
                f"Indeks pencarian {self.dir} belum dibangun; jalankan `arsip reindex`.")
        return self._ix

    @contextlib.contextmanager
    def _swap_lock(self, *, exclusive: bool) -> Iterator[None]:
        """`<index>.lock` beside the index: shared to read or write it, exclusive to swap it.

        Two rebuilds (or a rebuild and a first build) at once then take turns instead of racing on
        one `index.new`, and no writer writes into an index that is being swapped out.
        """
        self.dir.parent.mkdir(parents=True, exist_ok=True)
        with self.dir.with_name(self.dir.name + ".lock").open("a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _stored_version(self) -> str | None:
        """The schema version a finished build left, None when there is none (never built)."""
        try:
            stored = json.loads((self.dir / VERSION_FILE).read_text())
        except (OSError, ValueError):
            return None
        version = stored.get("schema_version") if isinstance(stored, dict) else None
        return str(version) if version else None

    def _create(self) -> Any:
        if self.dir.exists():
            log.info("search index %s: missing or old schema, recreating", self.dir)
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        ix = index.create_in(str(self.dir), make_schema())
        return ix

    def _mark_version(self) -> None:
        (self.dir / VERSION_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}))
        self.needs_rebuild = self.outdated = False

    def stored_mark(self) -> dict[str, int] | None:
        """The archive's high-water mark this index was last caught up to (None: unknown)."""
        try:
            mark = json.loads((self.dir / MARK_FILE).read_text())
        except (OSError, ValueError):
            return None
        return {str(k): int(v) for k, v in mark.items()} if isinstance(mark, dict) else None

    def store_mark(self, mark: dict[str, int]) -> None:
        """Record the high-water mark (temp file + rename: never half written)."""
        with self._swap_lock(exclusive=False):
            self._index()  # the current index, not one swapped out meanwhile
            _write_json(self.dir / MARK_FILE, mark)

    def size_bytes(self) -> int:
        """Bytes of all files in the index directory."""
        return sum(p.stat().st_size for p in self.dir.iterdir() if p.is_file())

    def close(self) -> None:
        """Close the shared searcher and the index."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
        if self._ix is not None:
            self._ix.close()

    # --- writing -------------------------------------------------------------------------------
    def _write(self, docs: Iterable[DocumentRecord], delete: bool, bulk: bool) -> int:
        """Commit on success, cancel and re-raise on any error."""
        opts: dict[str, Any] = {"timeout": 30.0, "limitmb": 256 if bulk else 64}
        if bulk and self.procs > 1:
            opts.update(procs=self.procs, multisegment=True)
        try:
            writer = self._index().writer(**opts)
        except IndexUnavailableError:
            raise
        except Exception as e:
            raise IndexUnavailableError(f"Indeks pencarian {self.dir} sedang dikunci atau rusak: {e}") from e
        n = 0
        try:
            for doc in docs:
                if delete:
                    writer.delete_by_term("doc_id", str(doc.doc_id))
                for entry in _entries(doc):
                    writer.add_document(**entry)
                    n += 1
        except BaseException:
            writer.cancel()
            raise
        crash_point("index")
        writer.commit()
        return n

    def replace_documents(self, docs: Iterable[DocumentRecord]) -> int:
        """Replace every entry of these documents."""
        with self._swap_lock(exclusive=False):
            return self._write(docs, delete=True, bulk=False)

    def delete_documents(self, doc_ids: Iterable[int]) -> None:
        """Remove every entry of these documents."""
        with self._swap_lock(exclusive=False):
            self._write((DocumentRecord(d) for d in doc_ids), delete=True, bulk=False)

    def rebuild(self, docs: Iterable[DocumentRecord], mark: dict[str, int] | None = None) -> int:
        """Build a new index beside the old one and swap it in; a failure keeps the old index.

        Under the exclusive lock: what a killed rebuild left (`index.new`, `index.old`) is removed
        first, and a second rebuild at once waits for this one instead of sharing its folder.
        """
        with self._swap_lock(exclusive=True):
            self._clean_leftovers()
            fresh = WhooshEngine.__new__(WhooshEngine)
            fresh.dir, fresh.procs = self._beside(".new"), self.procs
            fresh._lock, fresh._searcher = threading.RLock(), None
            fresh._ix = fresh._create()
            fresh._inode = fresh.dir.stat().st_ino
            try:
                n = fresh._write(docs, delete=False, bulk=True)
                fresh._mark_version()
                if mark is not None:
                    _write_json(fresh.dir / MARK_FILE, mark)
            except BaseException:
                fresh._ix.close()
                shutil.rmtree(fresh.dir, ignore_errors=True)
                raise
            fresh._ix.close()
            self.close()
            old = self._beside(".old")
            if self.dir.exists():
                self.dir.rename(old)
            fresh.dir.rename(self.dir)
            shutil.rmtree(old, ignore_errors=True)
            self._open()
        self.needs_rebuild = self.outdated = False
        return n

    def _beside(self, suffix: str) -> Path:
        return self.dir.with_name(self.dir.name + suffix)

    def _clean_leftovers(self) -> None:
        """Remove the swap folders a killed rebuild left (caller holds the exclusive lock)."""
        for leftover in (self._beside(".new"), self._beside(".old")):
            if leftover.exists():
                log.info("search index: removing %s left by an interrupted rebuild", leftover)
                shutil.rmtree(leftover)

    def indexed_versions(self) -> dict[int, set[int]]:
        """doc_id -> version ids with entries."""
        out: dict[int, set[int]] = {}
        if self.needs_rebuild:
            return out
        with self._swap_lock(exclusive=False), self._index().searcher() as s:
            for stored in s.all_stored_fields():
                out.setdefault(int(stored["doc_id"]), set()).add(int(stored["version_id"]))
        return out

    # --- reading -------------------------------------------------------------------------------
    def _shared_searcher(self) -> Any:
        with self._lock:
            ix = self._index()  # a swapped index closes the old searcher
            if self._searcher is not None and not self._searcher.up_to_date():
                # a new searcher, not refresh(): whoosh's reader reuse misses deletions in a
                # segment it already had open (and fails on an empty index)
                self._searcher.close()
                self._searcher = None
            if self._searcher is None:
                self._searcher = ix.searcher()
            return self._searcher

    def _run(self, q: wq.Query, limit: int, deadline: float) -> tuple[list[Any], bool]:
        """The top `limit` entries, and whether the time limit cut the collection short."""
        s = self._shared_searcher()
        c = _Deadline(collectors.TopCollector(limit, usequality=True), deadline)
        partial = False
        try:
            s.search_with_collector(q, c)
        except TimeLimit:
            partial = True
            log.info("search cut short by the time limit: %s", q)
        results = c.results()  # not len(results): that counts every match
        return [results[i] for i in range(results.scored_length())], partial

    def _ranker(self) -> Ranker:
        searcher = self._shared_searcher()
        ranker = self._ranker_cache
        if ranker is None or ranker.searcher is not searcher:
            ranker = self._ranker_cache = Ranker(searcher, self._lengths)
        return ranker

    def _pages(self, q: SearchQuery, parsed: ParsedQuery, exp: Expansions,
               deadline: float) -> tuple[list[RawPageHit], bool]:
        """Best page per version, ranked over arrays (`search.whoosh_rank`); filters alone by whoosh."""
        if not parsed.empty:
            try:
                return self._ranked_pages(q, parsed, exp, deadline), False
            except TimeLimit:  # out of time: whoosh's collector returns what the first matches give
                log.info("search ranking cut short by the time limit: %s", q.text)
        return self._whoosh_pages(q, parsed, exp, deadline)

    def _ranked_pages(self, q: SearchQuery, parsed: ParsedQuery, exp: Expansions,
                      deadline: float) -> list[RawPageHit]:
        """Exact: every matching page scored, then the best page of each version in score order."""
        ranker = self._ranker()
        groups = [[(f, v) for v in exp.get(t, (t,)) for f in FIELDS["page"]] for t in parsed.terms]
        phrases: list[PhraseSpec] = [(words, FIELDS["page"]) for words in parsed.phrases]
        required, excluded = _filter_sets(q, parsed, ranker, "page")
        best: dict[str, RawPageHit] = {}
        for docnum, score in ranker.ranked(groups, phrases, required, excluded, deadline):
            stored = ranker.searcher.stored_fields(docnum)
            if stored["version_id"] not in best:
                best[stored["version_id"]] = RawPageHit(_page_hit(stored, score), stored.get("body") or "")
                if len(best) >= q.limit:
                    break
        return list(best.values())

    def _whoosh_pages(self, q: SearchQuery, parsed: ParsedQuery, exp: Expansions,
                      deadline: float) -> tuple[list[RawPageHit], bool]:
        """Best page per version: the top pages, widened until `limit` versions are among them.

        Exact (the best page of each version among the top N is its best page overall) and much
        faster than whoosh's collapsing collector, which scores every match without skipping.
        """
        wquery = _build(q, parsed, exp, "page")
        n = q.limit * 4
        while True:
            hits, partial = self._run(wquery, n, deadline)
            best: dict[str, Any] = {}
            for h in hits:
                best.setdefault(h["version_id"], h)
            if len(best) >= q.limit or len(hits) < n or partial:
                break
            n *= 4
        out = [RawPageHit(_page_hit(h.fields(), h.score), h["body"] or "") for h in best.values()]
        return out[: q.limit], partial

    def _indicators(self, q: SearchQuery, parsed: ParsedQuery, exp: Expansions,
                    deadline: float) -> tuple[list[IndicatorHit], bool]:
        """Indicator rows best first: ranked over arrays like pages; filters alone by whoosh."""
        if not parsed.empty:
            try:
                return self._ranked_indicators(q, parsed, exp, deadline), False
            except TimeLimit:
                log.info("indicator ranking cut short by the time limit: %s", q.text)
        hits, partial = self._run(_build(q, parsed, exp, "indicator"), q.limit, deadline)
        return [_indicator_hit(h.fields(), h.score) for h in hits], partial

    def _ranked_indicators(self, q: SearchQuery, parsed: ParsedQuery, exp: Expansions,
                           deadline: float) -> list[IndicatorHit]:
        ranker = self._ranker()
        groups = [[(f, v) for v in exp.get(t, (t,)) for f in FIELDS["indicator"]] for t in parsed.terms]
        phrases: list[PhraseSpec] = [(words, FIELDS["indicator"]) for words in parsed.phrases]
        required, excluded = _filter_sets(q, parsed, ranker, "indicator")
        ranked = itertools.islice(ranker.ranked(groups, phrases, required, excluded, deadline), q.limit)
        return [_indicator_hit(ranker.searcher.stored_fields(d), score) for d, score in ranked]

    def _vocabulary_near(self, term: str) -> list[str]:
        reader = self._shared_searcher().reader()
        near: set[str] = set()
        for field in ("body", "head", "ihead", "ibody"):
            near.update(reader.terms_within(field, term, max_edits(term), prefix=1))
        return sorted(near)

    def _words_near(self, word: str) -> list[str]:
        reader = self._shared_searcher().reader()
        return sorted(reader.terms_within("words", word, max_edits(word), prefix=1))


# --- entries ---------------------------------------------------------------------------------
def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)


def _common(doc_id: int, v: VersionRecord) -> dict[str, Any]:
    out: dict[str, Any] = {
        "doc_id": str(doc_id), "version_id": str(v.version_id), "version_no": v.version_no,
        "doc_type": v.doc_type, "status": v.status, "in_force": "1" if v.in_force else "0",
        "title": v.title, "nomor": v.nomor, "instansi": v.instansi or "",
    }
    if v.tahun is not None:
        out["tahun"] = str(v.tahun)
    if v.tanggal is not None:
        out["tanggal"] = _day(v.tanggal)
    return out


def _entries(doc: DocumentRecord) -> Iterator[dict[str, Any]]:
    """Whoosh documents of one DocumentRecord: its pages and its indicator rows."""
    for v in doc.versions:
        common = _common(doc.doc_id, v)
        names_by_page: dict[int, list[str]] = {}
        for row in v.indicators:
            names_by_page.setdefault(row.page or 1, []).append(row.indikator)
        for no, text in enumerate(v.pages or ("",), start=1):
            if no > 1 and not text.strip():
                continue
            head = " ".join(filter(None, [v.title, v.nomor, *names_by_page.get(no, [])]))
            yield {**common, "key": f"p:{v.version_id}:{no}", "kind": "page", "page": no,
                   "head": head, "body": text, "words": " ".join(sorted(surface_words(f"{head} {text}")))}
        for i, row in enumerate(v.indicators):
            ibody = " ".join(filter(None, [row.sasaran, row.satuan]))
            yield {**common, "key": f"i:{v.version_id}:{i}", "kind": "indicator", "page": row.page,
                   "ihead": row.indikator, "ibody": ibody, "row": _row_dict(row),
                   "words": " ".join(sorted(surface_words(f"{row.indikator} {ibody}")))}


def _row_dict(row: IndicatorRecord) -> dict[str, Any]:
    return {k: getattr(row, k) for k in IndicatorRecord.__dataclass_fields__}


def _day(d: date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


# --- queries ---------------------------------------------------------------------------------
FIELDS = {"page": ("head", "body"), "indicator": ("ihead", "ibody")}


def _word(term: str, exp: Expansions, kind: str) -> wq.Query:
    variants = exp.get(term, (term,))
    clauses = [wq.Term(f, v) for v in variants for f in FIELDS[kind]]
    return clauses[0] if len(clauses) == 1 else wq.Or(clauses)


def _phrase(words: tuple[str, ...], kind: str) -> wq.Query:
    return wq.Or([wq.Phrase(f, list(words)) for f in FIELDS[kind]])


def _build(q: SearchQuery, parsed: ParsedQuery, exp: Expansions, kind: str) -> wq.Query:
    """The whoosh query: every word and phrase required, filters as And clauses."""
    clauses: list[wq.Query] = [wq.Term("kind", kind)] if parsed.empty else []
    clauses += [_word(t, exp, kind) for t in parsed.terms]
    clauses += [_phrase(p, kind) for p in parsed.phrases]
    clauses += _filters(q)
    positive: wq.Query = wq.And(clauses) if clauses else wq.Every()
    if not q.history:
        # NOT in_force=0 rather than AND in_force=1: the same entries without scoring a term that
        # every page has (a third of a two-word query's time)
        positive = wq.AndNot(positive, wq.Term("in_force", "0"))
    for words in parsed.excluded:
        positive = wq.AndNot(positive, _word(words[0], {}, kind) if len(words) == 1 else _phrase(words, kind))
    return positive


def _filter_sets(q: SearchQuery, parsed: ParsedQuery, ranker: Ranker,
                 kind: str) -> tuple[list[Any], list[Any]]:
    """The filters as document sets: (required, excluded); the same filters as `_filters`."""
    required = [ranker.docs(field, value) for field, value in _filter_terms(q)]
    if q.date_from or q.date_to:
        required.append(ranker.query_docs(_date_range(q)))
    excluded = [] if q.history else [ranker.docs("in_force", "0")]
    for words in parsed.excluded:
        if len(words) == 1:
            excluded += [ranker.docs(f, words[0]) for f in FIELDS[kind]]
        else:
            excluded.append(ranker.query_docs(_phrase(words, kind)))
    return required, excluded


def _filter_terms(q: SearchQuery) -> list[tuple[str, str]]:
    out = [(field, value) for field, value in (("doc_type", q.doc_type), ("status", q.status)) if value]
    if q.tahun is not None:
        out.append(("tahun", str(q.tahun)))
    if q.instansi:
        out += [("instansi", w) for w in lexemes(q.instansi, index=False)]
    return out


def _date_range(q: SearchQuery) -> wq.Query:
    lo = _day(q.date_from) if q.date_from else None
    hi = _day(q.date_to) if q.date_to else None
    return wq.NumericRange("tanggal", lo, hi)


def _filters(q: SearchQuery) -> list[wq.Query]:
    """Filters as And clauses (versions in force are handled in `_build`: a NOT of the few others)."""
    out: list[wq.Query] = [wq.Term(field, value) for field, value in _filter_terms(q)]
    if q.date_from or q.date_to:
        out.append(_date_range(q))
    return out


def _page_hit(f: dict[str, Any], score: float) -> PageHit:
    return PageHit(
        doc_id=int(f["doc_id"]), version_id=int(f["version_id"]), version_no=f["version_no"],
        page=f["page"], score=float(score), doc_type=f["doc_type"], title=f.get("title"),
        nomor=f.get("nomor"), instansi=f.get("instansi") or None,
        tahun=int(f["tahun"]) if f.get("tahun") else None, status=f["status"],
        in_force=f["in_force"] == "1",
    )


def _indicator_hit(f: dict[str, Any], score: float) -> IndicatorHit:
    return IndicatorHit(
        doc_id=int(f["doc_id"]), version_id=int(f["version_id"]), doc_type=f["doc_type"],
        title=f.get("title"), instansi=f.get("instansi") or None,
        tahun=int(f["tahun"]) if f.get("tahun") else None, in_force=f["in_force"] == "1",
        row=IndicatorRecord(**f["row"]), score=float(score),
    )
