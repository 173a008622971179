"""The index as derived data: built from archive rows, kept current by ingest, checked, exported."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from archive.documents import add_version
from archive.store import FileStore
from search.engine import Engine
from search.export import write_csv, write_xlsx
from search.records import SearchQuery
from search.service import SearchService
from tests.archive.fixtures import new_archive

pytestmark = pytest.mark.archive_db  # runs again on PostgreSQL (tests/backend.py)


def extraction(**kw: Any) -> dict[str, Any]:
    """A schema-shaped extraction with page texts."""
    base: dict[str, Any] = {"doc_type": "lkjip", "pages": 2, "instansi": "Dinas Kesehatan", "tahun": 2023,
                            "title": "Laporan Kinerja Dinas Kesehatan 2023", "indicators": [],
                            "page_texts": ["Kata pengantar.", "Dinas mengukur capaian pelayanan."]}
    base.update(kw)
    return base


def add(sessions: sessionmaker[Session], store: FileStore, ex: dict[str, Any]) -> int:
    """Record one version (as the ingest pipeline does); returns its document id."""
    stored = store.put_bytes(repr(ex).encode())
    with sessions() as session, session.begin():
        return add_version(session, ex, stored).document_id


@pytest.fixture()
def archive(tmp_path: Path) -> tuple[sessionmaker[Session], FileStore]:
    """An empty SQLite archive with its file store."""
    return new_archive(tmp_path / "arsip")


def hits(service: SearchService, text: str, **kw: Any) -> list[tuple[int, int, int]]:
    """(doc, version no, page) of each hit."""
    return [(h.doc_id, h.version_no, h.page) for h in service.search(SearchQuery(text, **kw)).hits]


def test_first_build_is_info_outdated_schema_a_warning(engine: Engine, archive: Any,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    sessions, _ = archive
    service = SearchService(engine, sessions)
    with caplog.at_level("INFO", logger="search.service"):
        assert service.ensure_current()  # a fresh archive: nothing indexed yet, nothing wrong
    assert [r.levelname for r in caplog.records if r.name == "search.service"] == ["INFO"]
    caplog.clear()
    engine.needs_rebuild = engine.outdated = True  # as opened over an index of another schema
    with caplog.at_level("INFO", logger="search.service"):
        assert service.ensure_current()
    assert [r.levelname for r in caplog.records if r.name == "search.service"] == ["WARNING"]
    assert not engine.needs_rebuild and not engine.outdated


def test_ingest_updates_match_a_rebuild(engine: Engine, archive: Any) -> None:
    sessions, store = archive
    service = SearchService(engine, sessions)
    service.ensure_current()
    rows = [{"indikator": "Indeks Kepuasan Masyarakat", "satuan": "indeks", "target": 80.0,
             "realisasi": 85.0, "capaian": 106.25, "page": 2}]
    first = add(sessions, store, extraction(indicators=rows))
    service.update_after_ingest(first)
    second = add(sessions, store, extraction(doc_type="sop", nomor="000.8.3.3/1/2023", title="SOP Arsip",
                                             page_texts=["Penyimpanan arsip vital."]))
    service.update_after_ingest(second)
    queries = ["pengukuran", "arsip", "kepuasan", "000.8.3.3/1/2023", ""]
    incremental = [hits(service, q) for q in queries]
    assert incremental[0] == [(first, 1, 2)]
    service.reindex()
    assert [hits(service, q) for q in queries] == incremental
    found = service.search_indicators(SearchQuery("kepuasan masyarakat")).hits
    assert [(h.doc_id, h.row.realisasi, h.row.page) for h in found] == [(first, 85.0, 2)]


def test_new_version_replaces_the_old_in_results(engine: Engine, archive: Any) -> None:
    sessions, store = archive
    service = SearchService(engine, sessions)
    ex = extraction(doc_type="sop", nomor="000.8.3.3/7/2022", title="SOP Pelayanan",
                    tanggal_efektif="2022-01-03", page_texts=["Berkas disimpan di gudang."])
    doc = add(sessions, store, ex)
    service.update_after_ingest(doc)
    ex2 = {**ex, "tanggal_efektif": "2023-01-03", "page_texts": ["Berkas disimpan di server."]}
    assert add(sessions, store, ex2) == doc
    service.update_after_ingest(doc)
    assert hits(service, "gudang", fuzzy="never") == []
    assert hits(service, "gudang", history=True) == [(doc, 1, 1)]
    assert hits(service, "server") == [(doc, 2, 1)]


def test_check_finds_disagreements(engine: Engine, archive: Any) -> None:
    sessions, store = archive
    service = SearchService(engine, sessions)
    service.ensure_current()
    doc = add(sessions, store, extraction())
    report = service.check(store.iter_hashes(), store.exists)
    assert report.versions_not_indexed and not report.ok  # added without the hook
    service.update_after_ingest(doc)
    assert service.check(store.iter_hashes(), store.exists).ok
    stray = store.put_bytes(b"a file without a row")
    report = service.check(store.iter_hashes(), store.exists)
    assert report.files_without_row == [stray.sha256]


def test_indicators_export_as_csv_and_xlsx(engine: Engine, archive: Any, tmp_path: Path) -> None:
    sessions, store = archive
    service = SearchService(engine, sessions)
    rows = [{"indikator": "Persentase Realisasi Anggaran", "sasaran": "Akuntabilitas keuangan",
             "satuan": "persen", "target": 95.0, "realisasi": 97.5, "capaian": 102.63, "page": 3}]
    service.update_after_ingest(add(sessions, store, extraction(indicators=rows)))
    found = service.search_indicators(SearchQuery("anggaran")).hits
    out = io.StringIO()
    assert write_csv(found, out, "https://arsip.dinas.go.id/") == 1
    text = out.getvalue()
    assert text.startswith("\ufeffInstansi;Tahun;Sasaran;Indikator;")  # Excel: UTF-8, `;`
    table = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert table[0]["Indikator"] == "Persentase Realisasi Anggaran"
    assert (table[0]["Realisasi"], table[0]["Capaian (%)"], table[0]["Target"]) == (
        "97,5", "102,63", "95")  # decimal commas
    assert table[0]["Halaman"] == "3" and table[0]["Instansi"] == "Dinas Kesehatan"
    assert table[0]["Tautan dokumen"] == f"https://arsip.dinas.go.id/dokumen/{found[0].doc_id}"
    write_xlsx(found, tmp_path / "ind.xlsx")
    ws = load_workbook(tmp_path / "ind.xlsx").active
    assert ws is not None
    assert ws["D1"].value == "Indikator" and ws["G2"].value == 97.5


def test_cli_search_reindex_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.cli import cli

    monkeypatch.setenv("ARSIP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ARSIP_DATABASE_URL", raising=False)
    monkeypatch.delenv("ARSIP_SEARCH_ENGINE", raising=False)
    sessions, store = new_archive(tmp_path / "data")
    add(sessions, store, extraction())
    runner = CliRunner()
    # the index does not exist yet: the first search builds it from the archive
    res = runner.invoke(cli, ["search", "pengukuran", "--json"])
    assert res.exit_code == 0, res.output
    assert '"page": 2' in res.output and "[mengukur]" in res.output
    assert runner.invoke(cli, ["search", '"tidak ditutup']).exit_code == 2
    assert runner.invoke(cli, ["reindex"]).exit_code == 0
    assert runner.invoke(cli, ["check"]).exit_code == 0
    res = runner.invoke(cli, ["search", "pengukuran", "--tahun", "2022"])
    assert "Tidak ada hasil" in res.output


def test_cli_corrections_update_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.cli import cli

    monkeypatch.setenv("ARSIP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ARSIP_DATABASE_URL", raising=False)
    monkeypatch.delenv("ARSIP_SEARCH_ENGINE", raising=False)
    sessions, store = new_archive(tmp_path / "data")
    doc = add(sessions, store, extraction())
    runner = CliRunner()
    assert f'"doc_id": {doc}' in runner.invoke(cli, ["search", "pengukuran", "--json"]).output
    res = runner.invoke(cli, ["revoke", f"{doc}:1", "--on", "2024-01-01", "--reason", "uji"])
    assert res.exit_code == 0, res.output
    assert "Tidak ada hasil" in runner.invoke(cli, ["search", "pengukuran"]).output
    assert "[dicabut]" in runner.invoke(cli, ["search", "pengukuran", "--riwayat"]).output
    trail = runner.invoke(cli, ["audit", "list", "--json"]).output
    assert '"action": "version.revoke"' in trail and '"reason": "uji"' in trail
