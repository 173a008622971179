"""BM25F over numpy arrays: the ranking both engines use, and the array helpers they share.

Each query word scores in each field it occurs in (`head`: title, number and indicator names,
its term frequencies multiplied by `HEAD_BOOST`; `body`: the page text), with whoosh's `BM25F`
formula and idf; a document's score is the sum over the query's words and fields.  The whoosh
engine reads its postings from whoosh segments (`search.whoosh_rank`), the PostgreSQL engine
from its own segments (`search.pg_segments`); both hand arrays to these functions.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

HEAD_BOOST = 3.0  # head words count this many times a body word
K1 = 1.2  # whoosh's BM25F defaults
B = 0.75
# Scores equal to this many decimals are ties (ordered by document number, as whoosh orders its
# ties): sums taken in another order may differ in the last bits.
TIE_DIGITS = 9

Postings = tuple[np.ndarray, np.ndarray]  # document numbers (or rows), weights or scores
EMPTY: Postings = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


def idf(n_docs: int, doc_freq: int) -> float:
    """whoosh's idf: log(N / (df + 1)) + 1."""
    return float(np.log(n_docs / (doc_freq + 1)) + 1)


def bm25(tf: np.ndarray, lengths: np.ndarray, avg_length: float, term_idf: float,
         k1: float = K1, b: float = B) -> np.ndarray:
    """BM25 of one term in one field: `tf` (boosted) and the field `lengths` of the same documents."""
    avg = avg_length or 1.0
    return term_idf * (tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * lengths / avg))


def sum_by_doc(parts: list[Postings]) -> Postings:
    """One entry per document with the sum of its scores over `parts`."""
    if not parts:
        return EMPTY
    ids = np.concatenate([p[0] for p in parts])
    scores = np.concatenate([p[1] for p in parts])
    uniq, inverse = np.unique(ids, return_inverse=True)
    return uniq, np.bincount(inverse, weights=scores, minlength=len(uniq))


def intersect(a: Postings, b: Postings) -> Postings:
    """Documents in both, with the sum of their scores (ids unique in each)."""
    ids, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    return ids, a[1][ia] + b[1][ib]


def ordered_chunks(ids: np.ndarray, scores: np.ndarray, first: int = 64) -> Iterator[np.ndarray]:
    """Yield positions in best-first order a chunk at a time (each chunk 4x the one before).

    Each chunk continues the total order (score descending, then id): everything scoring at
    least the k-th best is a prefix of that order, so sorting only that part is exact.
    """
    rounded = np.round(scores, TIE_DIGITS)
    done, k = 0, max(1, first)
    while done < len(ids):
        if k >= len(ids):
            sel = np.arange(len(ids))
        else:
            kth = -np.partition(-rounded, k - 1)[k - 1]
            sel = np.nonzero(rounded >= kth)[0]
        order = sel[np.lexsort((ids[sel], -rounded[sel]))]
        yield order[done:]
        done = len(order)
        k *= 4
