"""Titles and years everywhere: PK, decisions and letters named from their parts, an SOP's year
from its dates; the 0005 migration fills them in for documents archived before."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from archive.db import make_engine, upgrade
from archive.documents import add_version, get_document
from archive.store import StoredFile
from archive.titles import title_of, year_of
from tests.archive.fixtures import new_archive

PK = {"doc_type": "perjanjian_kinerja", "tahun": 2024, "instansi": "Dinas Kesehatan",
      "pihak_pertama": {"jabatan": "Kepala Dinas Kesehatan", "nama": "A", "nip": None,
                        "pangkat": None}}


def test_title_of_each_kind() -> None:
    assert title_of(PK) == "Perjanjian Kinerja 2024 Kepala Dinas Kesehatan"
    assert title_of({**PK, "pihak_pertama": None}) == "Perjanjian Kinerja 2024"
    assert title_of({"doc_type": "keputusan", "perihal": "Penetapan  Indikator Kinerja Utama"}) == \
        "Penetapan Indikator Kinerja Utama"
    assert title_of({"doc_type": "surat", "perihal": "Pengiriman LKjIP"}) == "Pengiriman LKjIP"
    assert title_of({"doc_type": "sop", "title": "Pelayanan Aduan"}) == "Pelayanan Aduan"
    assert title_of({"doc_type": "sop"}) is None


def test_year_of_an_sop_from_its_dates() -> None:
    assert year_of({"doc_type": "sop", "tanggal_efektif": "2023-04-25",
                    "tanggal_pembuatan": "2022-12-01"}) == 2023
    assert year_of({"doc_type": "sop", "tanggal_pembuatan": "2022-12-01"}) == 2022
    assert year_of({"doc_type": "sop"}) is None
    assert year_of({"doc_type": "lkjip", "tanggal_efektif": "2023-04-25"}) is None
    assert year_of({"doc_type": "lkjip", "tahun": 2021}) == 2021


@pytest.mark.archive_db
def test_archived_documents_carry_the_title_and_year(tmp_path: Path) -> None:
    sessions, _ = new_archive(tmp_path)
    sha = hashlib.sha256(b"pk").hexdigest()
    with sessions.begin() as session:
        pk = add_version(session, PK, StoredFile(sha, 1, f"{sha[:2]}/{sha}", created=True))
        sha2 = hashlib.sha256(b"sop").hexdigest()
        sop = add_version(session, {"doc_type": "sop", "nomor": "1/SOP/2023", "instansi": "X",
                                    "title": "T", "tanggal_efektif": "2023-04-25"},
                          StoredFile(sha2, 1, f"{sha2[:2]}/{sha2}", created=True))
    with sessions() as session:
        assert get_document(session, pk.document_id).title == \
            "Perjanjian Kinerja 2024 Kepala Dinas Kesehatan"
        assert get_document(session, sop.document_id).tahun == 2023


def test_the_migration_fills_empty_titles_and_years(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'arsip.db'}")
    upgrade(engine, "0004_accounts")
    with engine.begin() as conn:
        for doc_id, doc_type, extraction in [(1, "perjanjian_kinerja", PK),
                                             (2, "sop", {"doc_type": "sop", "title": "T",
                                                         "tanggal_efektif": "2022-05-02"})]:
            conn.execute(text("INSERT INTO documents (id, doc_type, created_at) "
                              "VALUES (:i, :t, '2024-01-01')"), {"i": doc_id, "t": doc_type})
            conn.execute(text("INSERT INTO versions (document_id, version_no, status, uploaded_at, "
                              "extraction) VALUES (:i, 1, 'berlaku', '2024-01-01', :e)"),
                         {"i": doc_id, "e": json.dumps(extraction)})
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, title, tahun FROM documents ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, "Perjanjian Kinerja 2024 Kepala Dinas Kesehatan", 2024),
                                        (2, "T", 2022)]
    engine.dispose()
