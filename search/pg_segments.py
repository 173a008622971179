"""The PostgreSQL engine's own inverted index: segments of postings and facets, ranked with numpy.

A segment is written once, by the transaction that adds its entries, and never changed: one row
of facets (per entry: id, kind, document, version, the filter values and the two field lengths)
and one row per (kind, term, field) with the ids of the entries holding the term there and how
often (`tfs`).  Deleting entries records their ids as deleted; merging segments (see
`pg_engine`) drops them for good.  This module has no SQL: it builds segments, decodes them into
a `View` of every live entry, and ranks entries over a view from their postings (`search.bm25`).

Ranking scores every match exactly, like `search.whoosh_rank`, but over arrays as long as the
view (an entry's row in the view is its array index), so each query word costs a few vector
operations over its posting lists instead of one index step per match.
"""

from __future__ import annotations

import io
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from search.analysis import lexemes
from search.bm25 import HEAD_BOOST, bm25, idf, ordered_chunks
from search.records import SearchQuery, VersionRecord

KINDS = ("p", "i")  # pages, indicator rows
FIELDS = ("h", "b")  # head (title, nomor, indicator names; boosted), body
NO_YEAR = -1
NO_DAY = np.iinfo(np.int32).min
MAX_ID = np.iinfo(np.uint32).max  # entry ids are stored as uint32 in posting lists
EPOCH = date(1970, 1, 1).toordinal()
LOOKUP_SLACK = 8  # an id -> row table is used while ids stay below 8x the live entries + 1M
LOOKUP_MIN = 1_000_000
NUMBERS = ("id", "kind", "doc_id", "version_id", "in_force", "tahun", "tanggal", "doc_type", "status",
           "instansi", "head_len", "body_len")
DTYPES = {"id": np.int64, "kind": np.uint8, "doc_id": np.int64, "version_id": np.int64, "in_force": np.bool_,
          "tahun": np.int32, "tanggal": np.int32, "doc_type": np.int32, "status": np.int32,
          "instansi": np.int32, "head_len": np.float32, "body_len": np.float32}
STRINGS = ("doc_type", "status", "instansi")  # stored as codes into per-segment string tables

Terms = dict[str, int]  # lexeme -> term frequency in one field of one entry
PostingList = tuple[np.ndarray, np.ndarray]  # entry ids, term frequencies


@dataclass
class Facets:
    """Per-entry values of a set of entries, as aligned arrays, with their string tables."""

    arrays: dict[str, np.ndarray]
    tables: dict[str, list[str]]

    def __len__(self) -> int:
        return len(self.arrays["id"])

    @classmethod
    def empty(cls) -> Facets:
        """No entries."""
        return cls({k: np.zeros(0, dtype=t) for k, t in DTYPES.items()}, {k: [] for k in STRINGS})

    def encode(self) -> bytes:
        """The bytes stored in a segment row (an uncompressed .npz)."""
        buf = io.BytesIO()
        tables = {f"table_{k}": np.array(v, dtype=np.str_) for k, v in self.tables.items()}
        np.savez(buf, **self.arrays, **tables)  # type: ignore[arg-type]  # numpy's stub misreads **kwargs
        return buf.getvalue()

    @classmethod
    def decode(cls, data: bytes) -> Facets:
        """The facets of one segment row."""
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return cls({k: z[k] for k in NUMBERS}, {k: z[f"table_{k}"].tolist() for k in STRINGS})

    @classmethod
    def concat(cls, parts: list[Facets]) -> Facets:
        """One set of facets from several (string codes renumbered into one table each)."""
        if not parts:
            return cls.empty()
        tables: dict[str, list[str]] = {k: [] for k in STRINGS}
        index: dict[str, dict[str, int]] = {k: {} for k in STRINGS}
        arrays: dict[str, list[np.ndarray]] = {k: [] for k in NUMBERS}
        for p in parts:
            for k in NUMBERS:
                a = p.arrays[k]
                if k in STRINGS:
                    remap = np.array([_code(index[k], tables[k], s) for s in p.tables[k]] + [-1], dtype=np.int32)
                    a = remap[a]  # code -1 (no value) picks the trailing -1
                arrays[k].append(a)
        return cls({k: np.concatenate(v).astype(DTYPES[k], copy=False) for k, v in arrays.items()}, tables)

    def take(self, keep: np.ndarray) -> Facets:
        """The entries selected by a boolean mask or an index array."""
        return Facets({k: v[keep] for k, v in self.arrays.items()}, self.tables)


def _code(index: dict[str, int], table: list[str], value: str) -> int:
    if value not in index:
        index[value] = len(table)
        table.append(value)
    return index[value]


@dataclass
class SegmentBuilder:
    """Collects the entries of one new segment: their facets and each (kind, term, field)'s postings."""

    postings: dict[tuple[str, str, str], tuple[array[int], array[int]]] = field(default_factory=dict)
    values: dict[str, list[int | float | bool]] = field(default_factory=lambda: {k: [] for k in NUMBERS})
    tables: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in STRINGS})
    index: dict[str, dict[str, int]] = field(default_factory=lambda: {k: {} for k in STRINGS})
    n_postings: int = 0

    def __len__(self) -> int:
        return len(self.values["id"])

    def add(self, entry_id: int, kind: str, doc_id: int, v: VersionRecord, head: Terms, body: Terms) -> None:
        """One entry: its terms per field (term frequencies) and the version's filter values."""
        if entry_id > MAX_ID:
            raise OverflowError("search entry ids ran past 2^32: run `arsip reindex` to renumber them")
        for fld, terms in (("h", head), ("b", body)):
            for term, tf in terms.items():
                lists = self.postings.get((kind, term, fld))
                if lists is None:
                    lists = self.postings[(kind, term, fld)] = (array("I"), array("H"))
                lists[0].append(entry_id)
                lists[1].append(min(tf, 65535))
            self.n_postings += len(terms)
        row: dict[str, int | float | bool] = {
            "id": entry_id, "kind": KINDS.index(kind), "doc_id": doc_id, "version_id": v.version_id,
            "in_force": v.in_force, "tahun": NO_YEAR if v.tahun is None else v.tahun,
            "tanggal": NO_DAY if v.tanggal is None else v.tanggal.toordinal() - EPOCH,
            "head_len": sum(head.values()), "body_len": sum(body.values()),
        }
        for k, value in (("doc_type", v.doc_type), ("status", v.status), ("instansi", v.instansi)):
            row[k] = -1 if value is None else _code(self.index[k], self.tables[k], value)
        for k in NUMBERS:
            self.values[k].append(row[k])

    def facets(self) -> Facets:
        """The facets of the entries added so far."""
        return Facets({k: np.array(v, dtype=DTYPES[k]) for k, v in self.values.items()}, self.tables)

    def posting_rows(self) -> Iterator[tuple[str, str, str, bytes, bytes]]:
        """(kind, term, field, ids, tfs) of every posting list, ids ascending as added."""
        for (kind, term, fld), (ids, tfs) in self.postings.items():
            yield kind, term, fld, encode_ids(np.frombuffer(ids, dtype=np.uint32)), encode_tfs(tfs)


def encode_ids(ids: np.ndarray) -> bytes:
    """Entry ids as little-endian uint32."""
    return ids.astype("<u4", copy=False).tobytes()


def encode_tfs(tfs: array[int] | np.ndarray) -> bytes:
    """Term frequencies as little-endian uint16."""
    return np.asarray(tfs, dtype="<u2").tobytes()


def decode_postings(ids: bytes, tfs: bytes) -> PostingList:
    """A stored posting list."""
    return np.frombuffer(ids, dtype="<u4").astype(np.int64), np.frombuffer(tfs, dtype="<u2").astype(np.float64)


def level_of(entries: int, factor: int) -> int:
    """A segment's merge level: 0 below `factor` entries, 1 below factor^2, ..."""
    level, size = 0, factor
    while entries >= size:
        level, size = level + 1, size * factor
    return level


class View:
    """Every live entry of the index at one generation: facets as arrays, rows ordered by id."""

    def __init__(self, generation: int, segments: list[Facets], deleted: np.ndarray,
                 segment_ids: tuple[int, ...] = ()) -> None:
        self.generation = generation
        self.segment_ids = segment_ids  # where these entries' postings are (for the engine's reads)
        f = Facets.concat(segments)
        if len(deleted):
            f = f.take(~np.isin(f.arrays["id"], deleted))
        f = f.take(np.argsort(f.arrays["id"], kind="stable"))
        self.facets = f
        self.ids = f.arrays["id"]
        self.n = len(self.ids)
        top = int(self.ids[-1]) if self.n else 0
        # id -> row: a table while ids stay dense enough, else a binary search per id
        self._lookup: np.ndarray | None = None
        if top < LOOKUP_SLACK * self.n + LOOKUP_MIN:
            self._lookup = np.full(top + 1, -1, dtype=np.int64)
            self._lookup[self.ids] = np.arange(self.n)
        self.stats: dict[str, tuple[int, float, float]] = {}  # kind -> entries, average head, body length
        for k, kind in enumerate(KINDS):
            sel = f.arrays["kind"] == k
            count = int(sel.sum())
            heads, bodies = f.arrays["head_len"][sel], f.arrays["body_len"][sel]
            self.stats[kind] = (count, float(heads.mean()) if count else 1.0, float(bodies.mean()) if count else 1.0)
        self._instansi_words: list[set[str]] | None = None

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Rows of these entry ids; -1 for ids not (or no longer) in the view."""
        if self._lookup is not None:
            inside = ids < len(self._lookup)
            rows = np.full(len(ids), -1, dtype=np.int64)
            rows[inside] = self._lookup[ids[inside]]
            return rows
        if not self.n:
            return np.full(len(ids), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.ids, ids), self.n - 1)
        return np.where(self.ids[pos] == ids, pos, -1)

    def mask(self, kind: str, q: SearchQuery) -> np.ndarray:
        """Rows of `kind` that pass the query's filters (and "in force" unless history is asked)."""
        a = self.facets.arrays
        keep = a["kind"] == KINDS.index(kind)
        if not q.history:
            keep &= a["in_force"]
        for name, value in (("doc_type", q.doc_type), ("status", q.status)):
            if value:
                table = self.facets.tables[name]
                keep &= a[name] == (table.index(value) if value in table else -2)
        if q.tahun is not None:
            keep &= a["tahun"] == q.tahun
        if q.date_from is not None:
            keep &= (a["tanggal"] != NO_DAY) & (a["tanggal"] >= q.date_from.toordinal() - EPOCH)
        if q.date_to is not None:
            keep &= (a["tanggal"] != NO_DAY) & (a["tanggal"] <= q.date_to.toordinal() - EPOCH)
        if q.instansi:
            words = set(lexemes(q.instansi, index=False))
            if words:
                if self._instansi_words is None:
                    self._instansi_words = [set(lexemes(s)) for s in self.facets.tables["instansi"]]
                codes = [c for c, have in enumerate(self._instansi_words) if words <= have]
                keep &= np.isin(a["instansi"], np.array(codes, dtype=np.int32))
        return keep


@dataclass(frozen=True)
class Ranked:
    """Entries in rank order: ids and scores (the best page per version, for pages)."""

    ids: list[int]
    scores: list[float]
    partial: bool = False


Fetch = Callable[[list[str]], dict[tuple[str, str], PostingList]]  # terms -> (term, field) -> postings
Verify = Callable[[list[int]], set[int]]  # entry ids -> those that truly match (phrases, exclusions)


def rank(view: View, kind: str, q: SearchQuery, groups: list[tuple[str, ...]], excluded: list[tuple[str, ...]],
         fetch: Fetch, verify: Verify | None, deadline: float, clock: Callable[[], float]) -> Ranked:
    """The top `q.limit` matches of every group (each group: alternatives of one required word).

    Each alternative scores BM25F in each field it occurs in and a group's score is the sum of
    its alternatives' (so OCR variants add up); an entry must hold every group and no excluded
    word.  With `verify` (phrases, excluded phrases) candidates are checked down the order in
    growing batches, only as far as the top needs.  Past `deadline`, what was found so far is
    returned, marked partial.
    """
    keep = view.mask(kind, q)
    if not groups:  # filters only: in id order
        cand = np.flatnonzero(keep)
        return _select(view, kind, cand, np.zeros(len(cand)), q.limit, None, deadline, clock)
    postings = fetch(sorted({t for g in groups + excluded for t in g}))
    if clock() > deadline:  # reading the posting lists took the time there was
        return Ranked([], [], partial=True)
    n_kind, avg_head, avg_body = view.stats[kind]
    total = np.zeros(view.n, dtype=np.float64)
    found = np.zeros(view.n, dtype=np.uint16)
    for group in groups:
        member = np.zeros(view.n, dtype=bool)
        for term in group:
            for fld, boost, avg, lengths in (("h", HEAD_BOOST, avg_head, "head_len"),
                                             ("b", 1.0, avg_body, "body_len")):
                rows, tfs = _live(view, postings.get((term, fld)))
                if not len(rows):
                    continue
                total[rows] += bm25(tfs * boost, view.facets.arrays[lengths][rows], avg, idf(n_kind, len(rows)))
                member[rows] = True
        found += member
    keep &= found == len(groups)
    for group in excluded:
        for term in group:
            for fld in FIELDS:
                keep[_live(view, postings.get((term, fld)))[0]] = False
    cand = np.flatnonzero(keep)
    return _select(view, kind, cand, total[cand], q.limit, verify, deadline, clock)


def _live(view: View, p: PostingList | None) -> tuple[np.ndarray, np.ndarray]:
    """Rows and term frequencies of the postings whose entries are in the view."""
    if p is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    rows = view.rows_of(p[0])
    alive = rows >= 0
    return rows[alive], p[1][alive]


def _select(view: View, kind: str, rows: np.ndarray, scores: np.ndarray, limit: int, verify: Verify | None,
            deadline: float, clock: Callable[[], float]) -> Ranked:
    """Walk `rows` best first: one entry per version for pages, checked by `verify` if given."""
    ids = view.ids[rows]
    versions = view.facets.arrays["version_id"][rows]
    per_version = kind == "p"
    taken: set[int] = set()
    out_ids: list[int] = []
    out_scores: list[float] = []
    batch = 64
    for chunk in ordered_chunks(ids, scores, first=limit * 4):
        start = 0
        while start < len(chunk):
            if verify is not None and clock() > deadline:
                return Ranked(out_ids, out_scores, partial=True)
            part = chunk[start:start + (batch if verify is not None else len(chunk))]
            start += len(part)
            if per_version:
                part = part[[int(versions[i]) not in taken for i in part]] if taken else part
            ok = verify([int(ids[i]) for i in part]) if verify is not None and len(part) else None
            batch *= 2
            for i in part:
                v = int(versions[i])
                if (per_version and v in taken) or (ok is not None and int(ids[i]) not in ok):
                    continue
                taken.add(v)
                out_ids.append(int(ids[i]))
                out_scores.append(float(scores[i]))
                if len(out_ids) >= limit:
                    return Ranked(out_ids, out_scores)
    return Ranked(out_ids, out_scores)
