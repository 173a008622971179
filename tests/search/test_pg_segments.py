"""The PostgreSQL engine's segments and ranking arrays, without a database."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from search import pg_segments
from search.bm25 import TIE_DIGITS, ordered_chunks
from search.pg_segments import Facets, SegmentBuilder, View, decode_postings, level_of
from search.records import SearchQuery
from tests.search.corpus import version


def _segment(first_id: int, n: int, doc_type: str, instansi: str | None, tahun: int | None = 2023) -> Facets:
    b = SegmentBuilder()
    for i in range(first_id, first_id + n):
        v = version(i, doc_type=doc_type, instansi=instansi, tahun=tahun, tanggal=date(2023, 1, 1 + i % 28))
        b.add(i, "p" if i % 2 else "i", i // 2, v, {"kinerja": 1}, {"kinerja": i % 3 + 1, "dinas": 1})
    return b.facets()


def test_facets_survive_encoding_and_concat_renumbers_strings() -> None:
    a = _segment(1, 4, "sop", "Dinas Kesehatan")
    b = _segment(5, 3, "lkjip", None, tahun=None)
    both = Facets.concat([Facets.decode(a.encode()), Facets.decode(b.encode())])
    assert both.arrays["id"].tolist() == list(range(1, 8))
    types = [both.tables["doc_type"][c] for c in both.arrays["doc_type"]]
    assert types == ["sop"] * 4 + ["lkjip"] * 3
    assert both.arrays["instansi"].tolist()[4:] == [-1, -1, -1]  # no office
    assert both.arrays["tahun"].tolist()[4:] == [pg_segments.NO_YEAR] * 3
    assert both.arrays["head_len"].tolist() == [1.0] * 7
    assert both.arrays["body_len"].tolist() == [i % 3 + 2 for i in range(1, 8)]


def test_posting_lists_round_trip() -> None:
    b = SegmentBuilder()
    for i in (3, 9, 70000):
        b.add(i, "p", 1, version(1), {}, {"kinerja": i % 5 + 1})
    rows = {(k, t, f): decode_postings(ids, tfs) for k, t, f, ids, tfs in b.posting_rows()}
    ids, tfs = rows[("p", "kinerja", "b")]
    assert ids.tolist() == [3, 9, 70000] and tfs.tolist() == [4.0, 5.0, 1.0]
    assert b.n_postings == 3


def test_ids_past_uint32_ask_for_a_reindex() -> None:
    with pytest.raises(OverflowError, match="reindex"):
        SegmentBuilder().add(2**32, "p", 1, version(1), {}, {"x": 1})


@pytest.mark.parametrize(("entries", "level"), [(0, 0), (1, 0), (7, 0), (8, 1), (63, 1), (64, 2), (512, 3)])
def test_levels(entries: int, level: int) -> None:
    assert level_of(entries, 8) == level


@pytest.mark.parametrize("dense", [True, False])
def test_view_drops_deleted_and_maps_ids(dense: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not dense:
        monkeypatch.setattr(pg_segments, "LOOKUP_SLACK", 0)
        monkeypatch.setattr(pg_segments, "LOOKUP_MIN", 0)
    view = View(1, [_segment(5, 3, "lkjip", None), _segment(1, 4, "sop", "Dinas Kesehatan")],
                np.array([2, 6]))
    assert (view._lookup is not None) == dense
    assert view.ids.tolist() == [1, 3, 4, 5, 7]
    assert view.rows_of(np.array([7, 2, 1, 99, 5])).tolist() == [4, -1, 0, -1, 3]
    assert view.stats["p"][0] == 4 and view.stats["i"][0] == 1  # odd ids are pages


def test_view_filters() -> None:
    view = View(1, [_segment(1, 6, "sop", "Dinas Kesehatan Kota"), _segment(7, 4, "lkjip", "Badan Keuangan")],
                np.zeros(0, dtype=np.int64))
    ids = view.ids

    def matching(**kw: object) -> list[int]:
        return ids[view.mask("p", SearchQuery(**kw))].tolist()  # type: ignore[arg-type]

    assert matching() == [1, 3, 5, 7, 9]
    assert matching(doc_type="lkjip") == [7, 9]
    assert matching(doc_type="surat") == []
    assert matching(instansi="kesehatan") == [1, 3, 5]
    assert matching(instansi="dinas keuangan") == []
    assert matching(date_from=date(2023, 1, 5), date_to=date(2023, 1, 8)) == [5, 7]
    assert matching(tahun=2022) == []


def test_ordered_chunks_give_the_total_order_with_ties() -> None:
    rng = np.random.default_rng(1)
    ids = rng.permutation(5000).astype(np.int64)
    scores = rng.integers(0, 40, 5000) / 7  # many ties
    scores[::3] += 1e-12  # differences below TIE_DIGITS are ties too
    chunks = list(ordered_chunks(ids, scores, first=10))
    order = np.concatenate(chunks)
    rounded = np.round(scores, TIE_DIGITS)
    assert order.tolist() == np.lexsort((ids, -rounded)).tolist()
    assert len(chunks) > 1 and len(chunks[0]) < 5000  # the top first, not everything sorted at once
