"""Behaviour both engines must share (each test runs on whoosh and on PostgreSQL)."""

from __future__ import annotations

import math
import os
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

from search.engine import Engine
from search.errors import BadQueryError
from search.query import parse
from search.records import DocumentRecord, IndicatorRecord, SearchQuery
from tests.search.corpus import DOCS, version


@pytest.fixture()
def filled(engine: Engine) -> Engine:
    """The engine holding the small test corpus."""
    engine.rebuild(DOCS)
    return engine


def doc_ids(engine: Engine, text: str, **kw: object) -> list[int]:
    """The document ids the query finds, in rank order."""
    return [h.doc_id for h in engine.search(SearchQuery(text, **kw)).hits]  # type: ignore[arg-type]


def test_stemming_finds_inflected_forms(filled: Engine) -> None:
    # document 1 says only "mengukur" and "diukur"
    assert doc_ids(filled, "pengukuran", fuzzy="never") == [1]


def test_kinerja_does_not_match_kerja(filled: Engine) -> None:
    found = doc_ids(filled, "kinerja", fuzzy="never")
    assert 2 not in found  # "kerja" only
    assert found == [3]  # in the title
    assert 3 not in doc_ids(filled, "kerja", fuzzy="never")


def test_fuzzy_fallback_finds_ocr_slips(engine: Engine) -> None:
    engine.rebuild([DocumentRecord(9, (version(91, title="Scan", pages=("hasil kincrja dinas",)),))])
    assert engine.search(SearchQuery("kinerja", fuzzy="never")).hits == ()
    result = engine.search(SearchQuery("kinerja"))
    assert result.fuzzy and [h.doc_id for h in result.hits] == [9]
    assert "kincrja" in result.expansions["kinerja"]
    marked = [h.text[s:e] for h in result.hits[0].highlights for s, e in h.marks]
    assert marked == ["kincrja"]


def test_fuzzy_fallback_compares_written_words_not_stems(engine: Engine) -> None:
    """An OCR slip inside an affix changes the stem (pelayarian -> layari, angaran -> angar)."""
    engine.rebuild([DocumentRecord(9, (version(91, title="Scan", pages=("mutu pelayarian dan realisasi angaran",)),)),
                    DocumentRecord(8, (version(81, title="Lain", pages=("penilaian kapal",)),))])
    for word in ("pelayanan", "anggaran"):
        assert engine.search(SearchQuery(word, fuzzy="never")).hits == ()
        result = engine.search(SearchQuery(word))
        assert result.fuzzy and [h.doc_id for h in result.hits] == [9], word
        assert any(m for h in result.hits for hl in h.highlights for m in hl.marks)


def test_fuzzy_always_without_near_spellings_still_finds_the_word(engine: Engine) -> None:
    engine.rebuild([DocumentRecord(9, (version(91, pages=("koordinasi antar bidang",),
                                               indicators=(IndicatorRecord("Indeks Koordinasi"),)),))])
    assert [h.doc_id for h in engine.search(SearchQuery("koordinasi", fuzzy="always")).hits] == [9]
    rows = engine.search_indicators(SearchQuery("koordinasi", fuzzy="always")).hits
    assert [r.row.indikator for r in rows] == ["Indeks Koordinasi"]


def test_exact_hits_rank_before_fuzzy_ones(engine: Engine) -> None:
    engine.rebuild([
        DocumentRecord(1, (version(11, pages=("laporan kincrja",)),)),
        DocumentRecord(2, (version(21, pages=("laporan kinerja",)),)),
    ])
    result = engine.search(SearchQuery("kinerja"))
    assert result.fuzzy and [h.doc_id for h in result.hits] == [2, 1]


def test_filters(filled: Engine) -> None:
    assert doc_ids(filled, "pelayanan", fuzzy="never") == [4, 3] or set(doc_ids(filled, "pelayanan")) == {3, 4}
    assert doc_ids(filled, "pelayanan", doc_type="lkjip") == [3]
    assert doc_ids(filled, "pelayanan", instansi="pendidikan") == [3]
    assert doc_ids(filled, "pelayanan", instansi="Dinas Kesehatan") == [4]
    assert set(doc_ids(filled, "", tahun=2022)) == {2}
    assert doc_ids(filled, "pelayanan", status="berlaku", tahun=2023, doc_type="sop") == [4]
    got = set(doc_ids(filled, "", date_from=date(2023, 1, 1), date_to=date(2023, 6, 30)))
    assert got == {1, 4}


def test_only_versions_in_force_unless_history(filled: Engine) -> None:
    hits = filled.search(SearchQuery("penyimpanan arsip")).hits
    assert [(h.doc_id, h.version_no, h.in_force) for h in hits] == [(4, 2, True)]
    assert doc_ids(filled, "gudang", fuzzy="never") == []
    old = filled.search(SearchQuery("gudang", history=True)).hits
    assert [(h.version_id, h.status) for h in old] == [(41, "digantikan")]


def test_highlights_name_the_right_page(filled: Engine) -> None:
    hit = filled.search(SearchQuery("pengukuran")).hits[0]
    assert hit.page == 2
    assert [h.page for h in hit.highlights] == [2]
    marked = [hl.text[s:e] for hl in hit.highlights for s, e in hl.marks]
    assert marked == ["mengukur", "diukur"]
    assert "<mark>mengukur</mark>" in hit.highlights[0].markup()


def test_phrases_need_adjacent_words(filled: Engine) -> None:
    assert doc_ids(filled, '"mengukur capaian"') == [1]
    assert doc_ids(filled, '"capaian mengukur"', fuzzy="never") == []


def test_codes_and_years_are_searchable(filled: Engine) -> None:
    assert doc_ids(filled, "000.8.3.3/12/2023") == [1]
    assert doc_ids(filled, "800.1.11/121/767.07/2023") == [4]
    assert doc_ids(filled, "767.07", history=True) == [4, 4]  # both versions
    assert set(doc_ids(filled, "2023")) == {1, 4}


def test_exclusion(filled: Engine) -> None:
    assert doc_ids(filled, "arsip -elektronik", history=True) == [4]
    hits = filled.search(SearchQuery("arsip -elektronik", history=True)).hits
    assert [h.version_id for h in hits] == [41]


def test_bad_syntax_is_a_clear_error(filled: Engine) -> None:
    with pytest.raises(BadQueryError):
        filled.search(SearchQuery('"capaian kinerja'))


def test_deletion_disappears_from_results(filled: Engine) -> None:
    assert doc_ids(filled, "pengukuran") == [1]
    filled.delete_documents([1])
    assert doc_ids(filled, "pengukuran") == []
    assert 1 not in filled.indexed_versions()


def test_replace_updates_a_document(filled: Engine) -> None:
    filled.replace_documents([DocumentRecord(1, (version(11, pages=("sekarang tentang anggaran",)),))])
    assert doc_ids(filled, "pengukuran", fuzzy="never") == []
    assert doc_ids(filled, "anggaran") == [1]


def test_incremental_equals_rebuild(engine: Engine) -> None:
    for doc in DOCS:
        engine.replace_documents([doc])
    queries = ["pengukuran", "pelayanan", "kinerja", '"penyimpanan arsip"', "2023", ""]
    incremental = [[(h.version_id, h.page) for h in engine.search(SearchQuery(q, history=True)).hits]
                   for q in queries]
    engine.rebuild(DOCS)
    rebuilt = [[(h.version_id, h.page) for h in engine.search(SearchQuery(q, history=True)).hits]
               for q in queries]
    assert incremental == rebuilt
    assert all(incremental[:-1])


def test_failed_write_changes_nothing(filled: Engine) -> None:
    def broken() -> object:
        yield DocumentRecord(1, (version(11, pages=("ganti total",)),))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        filled.replace_documents(broken())  # type: ignore[arg-type]
    assert doc_ids(filled, "pengukuran") == [1]
    assert doc_ids(filled, "ganti total", fuzzy="never") == []


def test_indicator_rows_are_searchable(filled: Engine) -> None:
    res = filled.search_indicators(SearchQuery("kepuasan"))
    assert [(h.doc_id, h.row.indikator, h.row.realisasi, h.row.page) for h in res.hits] == [
        (3, "Indeks Kepuasan Masyarakat", 82.5, 2)]
    by_sasaran = filled.search_indicators(SearchQuery("pendidikan", tahun=2023))
    assert [h.row.indikator for h in by_sasaran.hits] == ["Angka Partisipasi Sekolah"]
    assert filled.search_indicators(SearchQuery("kepuasan", tahun=2022)).hits == ()


def test_title_outranks_body(engine: Engine) -> None:
    engine.rebuild([
        DocumentRecord(1, (version(11, title="Catatan", pages=("evaluasi evaluasi program tahunan",)),)),
        DocumentRecord(2, (version(21, title="Evaluasi Program", pages=("catatan singkat tahunan",)),)),
    ])
    assert doc_ids(engine, "evaluasi") == [2, 1]


def test_schema_version_mismatch_asks_for_rebuild(engine_kind: str, tmp_path, request) -> None:
    from tests.search.conftest import make_engine

    first = make_engine(engine_kind, tmp_path, request)
    assert first.needs_rebuild and not first.outdated  # nothing stored yet: missing, not outdated
    first.rebuild(DOCS)
    first.close()
    again = make_engine(engine_kind, tmp_path, request)
    assert not again.needs_rebuild and doc_ids(again, "pengukuran") == [1]
    again.close()
    module = __import__(f"search.{'whoosh' if engine_kind == 'whoosh' else 'pg'}_engine", fromlist=["x"])
    request.getfixturevalue("monkeypatch").setattr(module, "SCHEMA_VERSION", "changed")
    stale = make_engine(engine_kind, tmp_path, request)
    assert stale.needs_rebuild and stale.outdated
    assert doc_ids(stale, "pengukuran") == []  # recreated empty until rebuilt
    stale.close()


def test_time_limit_returns_partial_results(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    engine.rebuild([DocumentRecord(i, (version(i * 10, pages=("laporan kinerja dinas",)),))
                    for i in range(1, 1201)])
    if engine.name == "postgres":  # make the phrase checks slow for real: the deadline must stop them
        from search import pg_engine

        checker = pg_engine._verifier

        def sleepy(conn: object, tsq: str) -> object:
            check = checker(conn, tsq)  # type: ignore[arg-type]
            return lambda ids: (time.sleep(0.05), check(ids))[1]

        monkeypatch.setattr(pg_engine, "_verifier", sleepy)
        slow = engine.search(SearchQuery('"laporan kinerja"', time_limit=0.12, fuzzy="never", limit=1000))
        assert slow.partial and 0 < len(slow.hits) < 1000  # what it had checked when time ran out
    slow = engine.search(SearchQuery("kinerja", time_limit=0.0, fuzzy="never"))
    assert slow.partial
    assert len(slow.hits) <= 20
    monkeypatch.undo()
    full = engine.search(SearchQuery("kinerja", time_limit=30, fuzzy="never", limit=5))
    assert not full.partial and len(full.hits) == 5


def test_failed_rebuild_keeps_the_old_index(filled: Engine) -> None:
    def broken() -> object:
        yield DOCS[0]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        filled.rebuild(broken())  # type: ignore[arg-type]
    assert doc_ids(filled, "pelayanan", doc_type="lkjip") == [3]


def _common_word_docs(n: int) -> list[DocumentRecord]:
    """`n` documents that all say "kinerja" once in the body; every 97th also has it in the title.

    The last 500 are of 2024, the others of 2023."""
    return [DocumentRecord(i, (version(i * 10, title="Laporan Kinerja Dinas" if i % 97 == 0 else f"Dokumen {i}",
                                       tahun=2024 if i > n - 500 else 2023,
                                       pages=(f"catatan {i} tentang kinerja dinas", "lampiran kinerja")),))
            for i in range(1, n + 1)]


def test_postgres_ranks_every_match_exactly(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    if engine.name != "postgres":
        pytest.skip("the segment layout is PostgreSQL's")
    from search import pg_engine

    monkeypatch.setattr(pg_engine, "SEGMENT_POSTINGS", 5000)  # the rebuild writes several segments
    engine.rebuild(_common_word_docs(6000))
    assert engine.segment_count() > 3  # type: ignore[attr-defined]
    res = engine.search(SearchQuery("kinerja", fuzzy="never", limit=100))
    assert not res.partial
    # the title hits come first, wherever they lie in the index
    assert {h.doc_id for h in res.hits[:61]} == set(range(97, 6001, 97))
    assert all(h.doc_id % 97 for h in res.hits[61:])
    assert [h.score for h in res.hits] == sorted((h.score for h in res.hits), reverse=True)
    phrase = engine.search(SearchQuery('"kinerja dinas"', fuzzy="never", limit=70))
    assert not phrase.partial
    assert {h.doc_id for h in phrase.hits[:61]} == set(range(97, 6001, 97))
    assert [h.score for h in phrase.hits] == sorted((h.score for h in phrase.hits), reverse=True)
    # the filter applies before the limit: the 2024 title hits, not the first ones of 2023
    filtered = engine.search(SearchQuery("kinerja", fuzzy="never", tahun=2024, limit=5))
    assert not filtered.partial
    assert sorted(h.doc_id for h in filtered.hits) == [5529, 5626, 5723, 5820, 5917]
    phrase = engine.search(SearchQuery('"kinerja dinas"', fuzzy="never", tahun=2024, limit=6))
    assert [h.doc_id % 97 == 0 for h in phrase.hits] == [True] * 5 + [False]


def test_postgres_scores_are_bm25f(engine: Engine) -> None:
    """The scores are BM25F as written out here (whoosh's formula, head words boosted)."""
    if engine.name != "postgres":
        pytest.skip("whoosh quantises field lengths; its own tests cover its scores")
    docs = [DocumentRecord(1, (version(11, title="Evaluasi", pages=("evaluasi program evaluasi tahunan",)),)),
            DocumentRecord(2, (version(21, title="Catatan", pages=("program evaluasi",)),)),
            DocumentRecord(3, (version(31, title="Catatan", pages=("program kerja",)),))]
    engine.rebuild(docs)
    heads, bodies = [1 + 0, 1, 1], [4, 2, 2]  # "Evaluasi"/"Catatan" (no nomor), body words
    avg_h, avg_b, n = sum(heads) / 3, sum(bodies) / 3, 3

    def bm25(tf: float, length: float, avg: float, df: int) -> float:
        idf = math.log(n / (df + 1)) + 1
        return idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / avg))

    want = {1: bm25(3.0, heads[0], avg_h, 1) + bm25(2, bodies[0], avg_b, 2), 2: bm25(1, bodies[1], avg_b, 2)}
    got = {h.doc_id: h.score for h in engine.search(SearchQuery("evaluasi", fuzzy="never")).hits}
    assert got.keys() == want.keys()
    for doc_id, score in want.items():
        assert got[doc_id] == pytest.approx(score, rel=1e-6)


def test_postgres_segments_merge_and_stay_exact(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """One document at a time: segments are merged, deleted entries dropped, results as a rebuild's."""
    if engine.name != "postgres":
        pytest.skip("the segment layout is PostgreSQL's")
    from sqlalchemy import text

    from search import pg_engine, pg_segments

    monkeypatch.setattr(pg_engine, "MERGE_FACTOR", 3)
    docs = _common_word_docs(200)
    for doc in docs:
        engine.replace_documents([doc])
    for doc in docs[::7]:  # new versions of some: old entries deleted, new ones in new segments
        engine.replace_documents([DocumentRecord(doc.doc_id, (version(doc.doc_id * 10 + 1, title="Revisi kinerja",
                                                                      pages=("kinerja baru dinas",)),))])
    engine.delete_documents([d.doc_id for d in docs[3::11]])
    # levels 0..4 with 3 segments of 200+ entries merged upward: never 3 of one level left
    assert engine.segment_count() <= 2 * 6  # type: ignore[attr-defined]
    with engine.db.connect() as conn:  # type: ignore[attr-defined]
        deleted = {r[0] for r in conn.execute(text("SELECT id FROM search_deleted"))}
        live = {r[0] for r in conn.execute(text("SELECT id FROM search_entries"))}
        in_segments = [int(i) for r in conn.execute(text("SELECT facets FROM search_segments"))
                       for i in pg_segments.Facets.decode(bytes(r[0])).arrays["id"]]
    # every entry a segment holds is live or listed as deleted; merged-away deletions are forgotten
    assert sorted(in_segments) == sorted(live | deleted) and not live & deleted
    assert len(deleted) < 29 * 2 + 19 * 2  # some deletions were merged away
    queries = [SearchQuery("kinerja", limit=300, history=True), SearchQuery('"kinerja dinas"', limit=50),
               SearchQuery("revisi", limit=50), SearchQuery("catatan -lampiran", limit=50),
               SearchQuery("", tahun=2024, limit=40)]
    incremental = [[(h.version_id, h.page, round(h.score, 9)) for h in engine.search(q).hits] for q in queries]
    survivors = [d for d in docs if d.doc_id not in {x.doc_id for x in docs[3::11]}]
    engine.rebuild(survivors)  # the same documents, as they are now, in one segment
    for doc in docs[::7]:
        if doc.doc_id in {d.doc_id for d in survivors}:
            engine.replace_documents([DocumentRecord(doc.doc_id, (version(
                doc.doc_id * 10 + 1, title="Revisi kinerja", pages=("kinerja baru dinas",)),))])
    rebuilt = [[(h.version_id, h.page, round(h.score, 9)) for h in engine.search(q).hits] for q in queries]
    assert incremental == rebuilt
    assert all(incremental)


def test_postgres_writers_queue_and_readers_see_their_commits(engine: Engine, engine_kind: str, tmp_path: Path,
                                                             request: pytest.FixtureRequest) -> None:
    if engine_kind != "postgres":
        pytest.skip("whoosh's writer lock is tested with its engine")
    from tests.search.conftest import make_engine

    engine.rebuild([])
    reader = make_engine(engine_kind, tmp_path, request)  # another process's view of the same index
    assert doc_ids(reader, "kinerja") == []
    errors: list[BaseException] = []

    def write(start: int) -> None:
        try:
            for i in range(start, start + 20):
                engine.replace_documents([DocumentRecord(i, (version(i * 10, pages=(f"kinerja dinas {i}",)),))])
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(s,)) for s in (1, 101, 201)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(doc_ids(reader, "kinerja", limit=100)) == [*range(1, 21), *range(101, 121), *range(201, 221)]
    engine.delete_documents(range(1, 21))
    assert len(doc_ids(reader, "kinerja", limit=100)) == 40
    reader.close()


def test_postgres_search_user_needs_no_superuser(engine_kind: str, request: pytest.FixtureRequest) -> None:
    """An owner of the database without superuser rights can build and search (pg_trgm is trusted)."""
    if engine_kind != "postgres":
        pytest.skip("PostgreSQL roles")
    from sqlalchemy import create_engine, make_url, text

    from search import pg_engine

    admin_url = os.environ.get("ARSIP_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.skip("ARSIP_TEST_POSTGRES_URL not set (scripts/test.sh starts a server)")
    role = f"arsip_plain_{uuid.uuid4().hex[:8]}"

    def drop_role() -> None:  # after the database (which the role owns) is dropped
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()

    request.addfinalizer(drop_role)
    url = request.getfixturevalue("pg_url")
    db = create_engine(url, isolation_level="AUTOCOMMIT")
    with db.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'ALTER DATABASE "{make_url(url).database}" OWNER TO "{role}"'))
        conn.execute(text(f'ALTER SCHEMA public OWNER TO "{role}"'))
    db.dispose()
    engine = pg_engine.PostgresEngine(make_url(url).set(username=role).render_as_string(hide_password=False))
    try:
        engine.rebuild(DOCS)
        assert doc_ids(engine, "pengukuran") == [1]
        assert "kincrja" in engine.expansions(parse("kinerja"))["kinerja"]  # the trigram vocabulary works too
    finally:
        engine.close()
