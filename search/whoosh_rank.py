"""Exact BM25F ranking of word queries over a whoosh index, a block of postings at a time.

Whoosh's matchers score one posting at a time in Python (about 10 us per matching page) and its
block-quality skipping seldom skips when pages look alike, so two common words matching a third
of 30,000 pages took 150-300 ms.  Here each term's postings are read a block at a time into numpy
arrays and scored with the formula whoosh's `BM25F` uses (same idf, average field length and
quantised field lengths; field boosts are already in the indexed weights), so the order is the
one whoosh would give.  Filters and exclusions only select (they add no score).  Phrases stay
with whoosh's own matchers (they need positions).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.collectors import TimeLimit
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

log = logging.getLogger(__name__)

LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
Postings = tuple[np.ndarray, np.ndarray]  # global document numbers, weights
_EMPTY: Postings = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


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


def leaf_postings(reader: Any, field: str, term: str) -> Postings:
    """Local document numbers and weights of a term in one segment, deleted documents left out."""
    if (field, term) not in reader:
        return _EMPTY
    m = reader.postings(field, term)
    if isinstance(m, FilterMatcher):  # the segment's deletions: applied below
        m = m.child
    if not isinstance(m, W3LeafMatcher):  # another codec: one posting at a time
        pairs = []
        while m.is_active():
            pairs.append((m.id(), m.weight()))
            m.next()
        return _drop_deleted(reader, _arrays(pairs))
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    while m.is_active():
        m.block_min_id(), m.weight()  # loads the block's ids and weights
        ids.append(np.asarray(m._ids, dtype=np.int64))
        weights.append(np.asarray(m._weights, dtype=np.float64))
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

    def scored(self, field: str, term: str) -> Postings:
        """Global document numbers with the term and the term's BM25F score in each."""
        ids, scores = [], []
        for s, off in self.leaves:
            reader = s.reader()
            local, tf = leaf_postings(reader, field, term)
            if not len(local):
                continue
            # (whoosh's idf fails on an empty index: only asked once the term is found)
            idf = self.searcher.idf(field, term)
            avg = self.searcher.avg_field_length(field) or 1
            fl = self.lengths.get(reader, field)[local]
            ids.append(local + off)
            scores.append(idf * (tf * (self.K1 + 1)) / (tf + self.K1 * ((1 - self.B) + self.B * fl / avg)))
        if not ids:
            return _EMPTY
        return np.concatenate(ids), np.concatenate(scores)

    def group(self, pairs: Iterable[tuple[str, str]]) -> Postings:
        """Documents holding any (field, term) of the group, each with the sum of its term scores."""
        parts = [self.scored(f, t) for f, t in pairs]
        ids = np.concatenate([p[0] for p in parts])
        scores = np.concatenate([p[1] for p in parts])
        uniq, inverse = np.unique(ids, return_inverse=True)
        return uniq, np.bincount(inverse, weights=scores, minlength=len(uniq))

    def rank(self, groups: list[list[tuple[str, str]]], required: list[np.ndarray],
             excluded: list[np.ndarray], deadline: float) -> Postings:
        """Documents in every group and every `required` set, none of `excluded`, best first.

        Raises whoosh's `TimeLimit` when `deadline` (a `time.monotonic()` value) passes between steps.
        """
        _check(deadline)
        ids, scores = self.group(groups[0])
        for g in groups[1:]:
            _check(deadline)
            more_ids, more_scores = self.group(g)
            ids, a, b = np.intersect1d(ids, more_ids, assume_unique=True, return_indices=True)
            scores = scores[a] + more_scores[b]
        keep = np.ones(len(ids), dtype=bool)
        for docs in required:
            keep &= np.isin(ids, docs)
        for docs in excluded:
            keep &= ~np.isin(ids, docs)
        ids, scores = ids[keep], scores[keep]
        order = np.lexsort((ids, -scores))  # best first; ties by document number, as whoosh
        return ids[order], scores[order]


def _check(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise TimeLimit
