"""The index catches itself up: a high-water mark of indexed changes, an atomic reindex that is
safe to run twice at once, and index failures after a commit reported as warnings."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from archive.models import Job
from search.records import SearchQuery
from search.service import SearchOptions, SearchService, archive_mark, open_search
from search.whoosh_engine import WhooshEngine
from tests.archive.fixtures import new_archive
from tests.search.test_service import add, extraction


def _options(root: Path) -> SearchOptions:
    return SearchOptions(engine="whoosh", index_dir=root / "index")


def _docs(service: SearchService, text: str) -> list[int]:
    return sorted({h.doc_id for h in service.search(SearchQuery(text)).hits})


def test_a_lagging_index_is_caught_up_by_the_next_opening(tmp_path: Path) -> None:
    sessions, store = new_archive(tmp_path)
    first = add(sessions, store, extraction(title="Laporan Kinerja Dinas Pertanian"))
    service = open_search(_options(tmp_path), sessions)
    assert _docs(service, "pertanian") == [first]
    service.close()
    # committed, then the process died before its index update: the index lags behind
    lagging = add(sessions, store, extraction(title="Laporan Kinerja Dinas Perikanan",
                                              instansi="Dinas Perikanan"))
    reopened = open_search(_options(tmp_path), sessions)
    assert _docs(reopened, "perikanan") == [lagging]
    with sessions() as session:
        assert reopened.engine.stored_mark() == archive_mark(session)
    assert reopened.catch_up() == 0  # nothing behind any more
    reopened.close()


def test_reindex_cleans_what_a_killed_reindex_left(tmp_path: Path) -> None:
    sessions, store = new_archive(tmp_path)
    doc = add(sessions, store, extraction())
    service = open_search(_options(tmp_path), sessions)
    for leftover in ("index.old", "index.new"):  # as a kill between the renames leaves them
        (tmp_path / leftover).mkdir()
        (tmp_path / leftover / "_MAIN_1.toc").write_bytes(b"half")
    assert service.reindex() > 0
    assert not (tmp_path / "index.old").exists() and not (tmp_path / "index.new").exists()
    assert _docs(service, "pelayanan") == [doc]
    service.close()


def test_an_index_swapped_by_another_process_is_reopened(tmp_path: Path) -> None:
    sessions, store = new_archive(tmp_path)
    doc = add(sessions, store, extraction())
    one = open_search(_options(tmp_path), sessions)
    two = open_search(_options(tmp_path), sessions)
    two.reindex()  # swaps the folder `one` has open
    other = add(sessions, store, extraction(title="Laporan Kinerja Dinas Perikanan",
                                            instansi="Dinas Perikanan"))
    assert one.update_after_ingest(other) is None
    assert _docs(two, "perikanan") == [other] and _docs(one, "pelayanan") == sorted([doc, other])
    one.close()
    two.close()


def _reindex_in_a_process(root: str) -> str:
    from archive.db import make_engine, make_sessionmaker

    sessions = make_sessionmaker(make_engine(f"sqlite:///{Path(root) / 'arsip.db'}"))
    service = SearchService(WhooshEngine(Path(root) / "index"), sessions)
    try:
        return str(service.reindex())
    except Exception as e:  # noqa: BLE001 - the parent reports it
        return f"{type(e).__name__}: {e}"
    finally:
        service.close()


@pytest.mark.parametrize("built", [False, True], ids=["first_build", "rebuild"])
def test_reindexes_at_once_all_succeed(tmp_path: Path, built: bool) -> None:
    sessions, store = new_archive(tmp_path)
    for i in range(3):
        add(sessions, store, extraction(title=f"Laporan Kinerja {i}", tahun=2020 + i))
    if built:
        open_search(_options(tmp_path), sessions).close()
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_reindex_in_a_process, [str(tmp_path)] * 6)
    assert len(set(results)) == 1 and results[0].isdigit(), results
    service = open_search(_options(tmp_path), sessions)
    assert len(_docs(service, "laporan")) == 3
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("index")) == [
        "index", "index.lock"]
    service.close()


def test_an_index_failure_after_the_commit_is_a_warning_not_a_failure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.settings import Settings
    from api.wiring import index_updater, ingest_one, ingest_options

    settings = Settings(data_dir=tmp_path, ocr_jobs=1)
    sessions, store = new_archive(tmp_path)
    open_search(_options(tmp_path), sessions).close()  # an index exists: the update, not a build

    def broken(self: Any, docs: Any) -> int:
        raise RuntimeError("disk controller on fire")

    monkeypatch.setattr(WhooshEngine, "replace_documents", broken)
    options = ingest_options(settings, uploader=None, on_recorded=index_updater(settings, sessions))
    done = ingest_one(Path(__file__).resolve().parents[2] / "samples" / "form-bpkad-2023-03.pdf",
                      sessions, store, options)
    assert done.outcome == "new_document" and done.exit_code == 0
    assert "gagal" not in done.message and "peringatan: indeks pencarian belum diperbarui" in done.message
    with sessions() as session:
        assert [j.status for j in session.scalars(select(Job))] == ["done"]
    monkeypatch.undo()
    service = open_search(_options(tmp_path), sessions)  # the next command catches it up
    assert _docs(service, "kinerja") == [done.document_id]
    service.close()
