"""Exact BM25F ranking of word queries over a whoosh index, a block of postings at a time.

Whoosh's matchers score one posting at a time in Python (about 10 us per matching page) and its
block-quality skipping seldom skips when pages look alike, so two common words matching a third
of 30,000 pages took 150-300 ms.  Here each term's postings are read a block at a time into numpy
arrays and scored with the formula whoosh's `BM25F` uses (same idf, average field length and
quantised field lengths; field boosts are already in the indexed weights), so the order is the
one whoosh would give.  Filters and exclusions only select (they add no score).  Phrases are
checked against positions only down the order, as far as the top needs.
"""

from __future__ import annotations

import heapq
import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.collectors import TimeLimit
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from search.bm25 import EMPTY, TIE_DIGITS, Postings, bm25, intersect, sum_by_doc

log = logging.getLogger(__name__)

LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
Group = list[tuple[str, str]]  # (field, term) alternatives of one query word: scores add up
PhraseSpec = tuple[tuple[str, ...], tuple[str, ...]]  # the words in a row, the fields to look in
# (leaf, field, term) -> the term's document numbers there and their encoded positions
Positions = dict[tuple[int, str, str], tuple[np.ndarray, list[Any]]]
PhraseCheck = tuple[list[PhraseSpec], list[dict[str, Postings]], Positions]
CHECK_BATCH = 64  # phrase candidates checked at first (doubling)
_EMPTY = EMPTY


class LengthCache:
    """Field lengths of each segment as arrays, kept while the segment is in the index."""

    def __init__(self) -> None:
        self._arrays: dict[tuple[str, str], np.ndarray] = {}

    def get(self, reader: Any, field: str) -> np.ndarray:
        """Field lengths of every document of one segment reader (quantised as whoosh stores them)."""
        key = (_segment_id(reader), field)
        if key[0] and key in self._arrays:
            return self._arrays[key]
        arr = _read_lengths(reader, field)
        if key[0]:
            self._arrays[key] = arr
        return arr

    def keep_only(self, segment_ids: Iterable[str]) -> None:
        """Forget segments no longer in the index (merged or deleted)."""
        keep = set(segment_ids)
        self._arrays = {k: v for k, v in self._arrays.items() if k[0] in keep}


def _segment_id(reader: Any) -> str:
    try:
        return str(reader.segment().segment_id())
    except (AttributeError, TypeError):
        return ""


def _read_lengths(reader: Any, field: str) -> np.ndarray:
    n = reader.doc_count_all()
    try:
        col = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    except AttributeError:  # another codec: the public, slower way
        col = None
    if col is None:
        return np.array([reader.doc_field_length(d, field) for d in range(n)], dtype=np.float64)
    return LENGTHS[np.fromiter(col, dtype=np.uint8, count=n)]


def leaf_postings(reader: Any, field: str, term: str, values: list[Any] | None = None) -> Postings:
    """Local document numbers and weights of a term in one segment, deleted documents left out.

    With `values`, (document numbers, encoded posting values) are appended to it a block at a
    time, deleted documents included (phrases read their positions from them).
    """
    if (field, term) not in reader:
        return _EMPTY
    m = _unfiltered(reader.postings(field, term))  # the segment's deletions: applied below
    if not isinstance(m, W3LeafMatcher):  # another codec: one posting at a time
        pairs = []
        while m.is_active():
            pairs.append((m.id(), m.weight()))
            if values is not None:
                values.append((np.array([m.id()], dtype=np.int64), [m.value()]))
            m.next()
        return _drop_deleted(reader, _arrays(pairs))
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    while m.is_active():
        m.block_min_id(), m.weight()  # loads the block's ids and weights
        ids.append(np.asarray(m._ids, dtype=np.int64))
        weights.append(np.asarray(m._weights, dtype=np.float64))
        if values is not None:
            m.value()
            values.append((ids[-1], m._values))
        m._next_block()
    if not ids:
        return _EMPTY
    return _drop_deleted(reader, (np.concatenate(ids), np.concatenate(weights)))


def _arrays(pairs: list[tuple[int, float]]) -> Postings:
    if not pairs:
        return _EMPTY
    ids, weights = zip(*pairs, strict=True)
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


def _drop_deleted(reader: Any, p: Postings) -> Postings:
    deleted = getattr(reader, "deleted_docs_set", None)
    if not deleted:
        return p
    keep = ~np.isin(p[0], np.fromiter(deleted, dtype=np.int64))
    return p[0][keep], p[1][keep]


class Ranker:
    """Scores word queries against one whoosh `Searcher` (recreate it with the searcher)."""

    def __init__(self, searcher: Any, lengths: LengthCache) -> None:
        self.searcher = searcher
        self.leaves = searcher.leaf_searchers()
        self.lengths = lengths
        lengths.keep_only(_segment_id(s.reader()) for s, _ in self.leaves)
        w = searcher.weighting
        self.B: float = w.B if isinstance(w, BM25F) else 0.75
        self.K1: float = w.K1 if isinstance(w, BM25F) else 1.2

    def docs(self, field: str, term: str) -> np.ndarray:
        """Global document numbers holding the term (unsorted across segments is fine)."""
        parts = [leaf_postings(s.reader(), field, term)[0] + off for s, off in self.leaves]
        return np.concatenate(parts) if parts else _EMPTY[0]

    def query_docs(self, q: wq.Query) -> np.ndarray:
        """Global document numbers matching any whoosh query (phrases, ranges)."""
        return np.fromiter(q.docs(self.searcher), dtype=np.int64)

    def scored(self, field: str, term: str, positions: Positions | None = None) -> Postings:
        """Global document numbers with the term and the term's BM25F score in each.

        With `positions`, the term's encoded positions are kept there for `with_phrase`.
        """
        ids, scores = [], []
        for leaf, (s, off) in enumerate(self.leaves):
            reader = s.reader()
            values: list[Any] | None = [] if positions is not None else None
            local, tf = leaf_postings(reader, field, term, values)
            if values and positions is not None:
                positions[(leaf, field, term)] = (np.concatenate([b[0] for b in values]),
                                                  [v for b in values for v in b[1]])
            if not len(local):
                continue
            # (whoosh's idf fails on an empty index: only asked once the term is found)
            idf = self.searcher.idf(field, term)
            avg = self.searcher.avg_field_length(field) or 1
            fl = self.lengths.get(reader, field)[local]
            ids.append(local + off)
            scores.append(bm25(tf, fl, avg, idf, self.K1, self.B))
        if not ids:
            return _EMPTY
        return np.concatenate(ids), np.concatenate(scores)

    def group(self, pairs: Iterable[tuple[str, str]]) -> Postings:
        """Documents holding any (field, term) of the group, each with the sum of its term scores."""
        return sum_by_doc([self.scored(f, t) for f, t in pairs])

    def all_words(self, field: str, words: tuple[str, ...], positions: Positions) -> Postings:
        """Documents holding every word in `field`, with the sum of the words' scores there."""
        acc = self.scored(field, words[0], positions)
        for w in words[1:]:
            acc = intersect(acc, self.scored(field, w, positions))
        return acc

    def ranked(self, groups: list[Group], phrases: list[PhraseSpec], required: list[np.ndarray],
               excluded: list[np.ndarray], deadline: float) -> Iterator[tuple[int, float]]:
        """(document number, score) of every match, best first (ties by document number, as whoosh).

        A phrase scores as whoosh's: the sum of its words' scores in each field where it occurs.
        Documents holding the words get that sum as an upper bound and are ordered by it; phrase
        positions are checked in growing batches down that order, and a document is yielded once
        no unchecked bound can beat it, so only the top of the order is ever checked.
        Raises whoosh's `TimeLimit` when `deadline` (a `time.monotonic()` value) passes.
        """
        _check(deadline)
        positions: Positions = {}  # of this query's phrase words (a Ranker serves many threads)
        parts = [{f: self.all_words(f, words, positions) for f in fields} for words, fields in phrases]
        acc: Postings | None = None
        for g in [self.group(g) for g in groups] + [sum_by_doc(list(p.values())) for p in parts]:
            acc = g if acc is None else intersect(acc, g)
            _check(deadline)
        ids, bounds = _select(acc or _EMPTY, required, excluded)
        order = np.lexsort((ids, -np.round(bounds, TIE_DIGITS)))
        ids, bounds = ids[order], bounds[order]
        if not phrases:
            yield from zip(ids.tolist(), bounds.tolist(), strict=True)
            return
        yield from self._checked(ids, bounds, (phrases, parts, positions), deadline)

    def _checked(self, ids: np.ndarray, bounds: np.ndarray, spec: PhraseCheck,
                 deadline: float) -> Iterator[tuple[int, float]]:
        heap: list[tuple[float, int, float]] = []
        start, size = 0, CHECK_BATCH
        while start < len(ids) or heap:
            if start < len(ids):
                _check(deadline)
                end = start + size
                for doc, score in self._phrase_scores(ids[start:end], bounds[start:end], spec):
                    heapq.heappush(heap, (-round(score, TIE_DIGITS), doc, score))
                start, size = end, size * 2
            nxt = round(float(bounds[start]), TIE_DIGITS) if start < len(ids) else -np.inf
            while heap and -heap[0][0] > nxt:
                _, doc, score = heapq.heappop(heap)
                yield doc, score

    def _phrase_scores(self, ids: np.ndarray, bounds: np.ndarray, spec: PhraseCheck) -> list[tuple[int, float]]:
        """The true scores of a batch: bounds less each field whose phrase is not there."""
        phrases, parts, positions = spec
        scores = dict(zip(ids.tolist(), bounds.tolist(), strict=True))
        for (words, _), fields in zip(phrases, parts, strict=True):
            found: set[int] = set()
            for field, (fids, fscores) in fields.items():
                inside = np.isin(fids, ids)
                there = self.with_phrase(field, words, fids[inside], positions)
                for doc, s in zip(fids[inside].tolist(), fscores[inside].tolist(), strict=True):
                    if doc in there:
                        found.add(doc)
                    elif doc in scores:
                        scores[doc] -= s
            scores = {d: s for d, s in scores.items() if d in found}
        return list(scores.items())

    def with_phrase(self, field: str, words: tuple[str, ...], docs: np.ndarray, positions: Positions) -> set[int]:
        """Which of `docs` (all holding every word in `field`) have the words in a row there."""
        found: set[int] = set()
        for leaf, (s, off) in enumerate(self.leaves):
            reader = s.reader()
            local = docs[(docs >= off) & (docs < off + reader.doc_count_all())] - off
            if not len(local):
                continue
            decode = reader.schema[field].format.decoder("positions")
            per_word = []
            for w in words:
                raw, values = positions[(leaf, field, w)]
                per_word.append([values[i] for i in np.searchsorted(raw, local).tolist()])
            for d, encoded in zip(local.tolist(), zip(*per_word, strict=True), strict=True):
                if _in_a_row([set(decode(v)) for v in encoded]):
                    found.add(d + off)
        return found


def _select(p: Postings, required: list[np.ndarray], excluded: list[np.ndarray]) -> Postings:
    keep = np.ones(len(p[0]), dtype=bool)
    for docs in required:
        keep &= np.isin(p[0], docs)
    for docs in excluded:
        keep &= ~np.isin(p[0], docs)
    return p[0][keep], p[1][keep]


def _unfiltered(m: Any) -> Any:
    return m.child if isinstance(m, FilterMatcher) else m


def _in_a_row(positions: list[set[int]]) -> bool:
    return any(all(p + k in later for k, later in enumerate(positions[1:], 1)) for p in positions[0])


def _check(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise TimeLimit
