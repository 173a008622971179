"""The array ranking of word and phrase queries gives whoosh's own exhaustive BM25F order (whoosh only)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import Any

import pytest
from whoosh import collectors

from search.query import parse
from search.records import DocumentRecord, IndicatorRecord, SearchQuery
from search.whoosh_engine import WhooshEngine, _build
from tests.search.corpus import version

WORDS = ["laporan", "kinerja", "anggaran", "capaian", "sasaran", "arsip", "pelayanan", "evaluasi",
         "program", "kegiatan", "dinas", "bidang", "data", "survei", "koordinasi"]


def random_docs(n: int, seed: int) -> list[DocumentRecord]:
    """`n` documents of 1-3 pages of random words; every fifth not in force, titles with words too."""
    rng = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        pages = tuple(" ".join(rng.choices(WORDS, k=rng.randint(5, 60))) for _ in range(rng.randint(1, 3)))
        rows = tuple(IndicatorRecord(" ".join(rng.choices(WORDS, k=3)), " ".join(rng.choices(WORDS, k=6)),
                                     page=rng.randint(1, len(pages))) for _ in range(rng.randint(0, 3)))
        v = version(i * 10, pages=pages, title=" ".join(rng.choices(WORDS, k=3)), in_force=i % 5 != 0,
                    doc_type=rng.choice(["sop", "lkjip"]), tahun=rng.choice([2022, 2023]), indicators=rows)
        out.append(DocumentRecord(i, (v,)))
    return out


SEED = 5


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhooshEngine]:
    """300 random documents in two segments, with deletions in both (read-only for the tests)."""
    engine = WhooshEngine(tmp_path_factory.mktemp("rank") / "index")
    docs = random_docs(300, SEED)
    engine.rebuild(docs[:200])
    engine.replace_documents(docs[200:])  # a second segment: document numbers offset
    engine.delete_documents([3, 201])  # deletions inside both segments
    yield engine
    engine.close()


def exhaustive(engine: WhooshEngine, q: SearchQuery, kind: str) -> list[Any]:
    """Whoosh's own hits best first, every match scored (no pruning)."""
    c = collectors.TopCollector(10_000, usequality=False)
    c.replace = 0  # whoosh's matcher replacement can drop matches that belong in the top
    engine._shared_searcher().search_with_collector(_build(q, parse(q.text), {}, kind), c)
    return list(c.results())


def whoosh_exhaustive(engine: WhooshEngine, q: SearchQuery) -> list[tuple[int, int]]:
    """(version, page) best first per whoosh itself, every match scored (no pruning)."""
    best: dict[int, tuple[int, int]] = {}
    for hit in exhaustive(engine, q, "page"):
        best.setdefault(int(hit["version_id"]), (int(hit["version_id"]), hit["page"]))
    return list(best.values())[: q.limit]


@pytest.mark.parametrize("query", [
    SearchQuery("kinerja", limit=15), SearchQuery("laporan anggaran", limit=15),
    SearchQuery("capaian sasaran arsip", limit=15, history=True),
    SearchQuery("evaluasi -survei", limit=15), SearchQuery("program", doc_type="lkjip", tahun=2023, limit=15),
    SearchQuery('"laporan kinerja"', limit=15), SearchQuery('"data survei" dinas -"arsip bidang"', limit=15),
    SearchQuery('"kinerja anggaran" "program kegiatan"', limit=10, history=True),
])
def test_ranked_pages_match_whoosh_exhaustive_order(indexed: WhooshEngine, query: SearchQuery) -> None:
    parsed = parse(query.text)
    ranked = indexed._ranked_pages(query, parsed, {}, time.monotonic() + 30)
    assert [(r.hit.version_id, r.hit.page) for r in ranked] == whoosh_exhaustive(indexed, query)
    assert len(ranked) == query.limit and not {r.hit.doc_id for r in ranked} & {3, 201}


@pytest.mark.parametrize("query", [
    SearchQuery("kinerja", limit=12), SearchQuery("capaian data", limit=12, history=True),
    SearchQuery('"program kegiatan"', limit=8), SearchQuery("capaian -arsip", limit=8),
    SearchQuery("dinas", doc_type="sop", limit=12),
])
def test_ranked_indicators_match_whoosh_exhaustive_order(indexed: WhooshEngine, query: SearchQuery) -> None:
    rows = indexed._ranked_indicators(query, parse(query.text), {}, time.monotonic() + 30)
    want = [h["key"] for h in exhaustive(indexed, query, "indicator")][: query.limit]
    got = [f"i:{r.version_id}:{_row_index(random_docs(300, SEED), r)}" for r in rows]
    assert got == want and len(got) >= 4


def _row_index(docs: list[DocumentRecord], hit: Any) -> int:
    """Where the hit's row sits among its version's indicator rows (the entry key uses it)."""
    version = next(v for d in docs for v in d.versions if v.version_id == hit.version_id)
    return version.indicators.index(hit.row)


def test_phrase_with_exclusion_leaves_out_rows_with_the_word(indexed: WhooshEngine) -> None:
    # whoosh's own AndNot(Or(Phrase, Phrase), Or(Term, Term)) kept such a row in this corpus
    query = SearchQuery('"program kegiatan" -arsip', limit=50)
    rows = [r.row for r in indexed._ranked_indicators(query, parse(query.text), {}, time.monotonic() + 30)]
    assert rows and not [r for r in rows if "arsip" in f"{r.indikator} {r.sasaran} {r.satuan}"]
    every = SearchQuery('"program kegiatan"', limit=50)
    with_word = [r.row for r in indexed._ranked_indicators(every, parse(every.text), {}, time.monotonic() + 30)]
    assert any("arsip" in f"{r.indikator} {r.sasaran}" for r in with_word)  # there was one to leave out
