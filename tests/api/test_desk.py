"""The archivist's desk on the web: the reading grouped and marked, a correction in place with a
reason (arsiparis), refused for an auditor, the history, the queue "perlu diperiksa"."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.settings import Settings
from api.web import create_app
from archive import audit
from archive.documents import add_version
from archive.store import StoredFile
from tests.api.webutil import csrf_of, login_as, make_user, state_of

pytestmark = pytest.mark.archive_db

OFFICE = "Dinas Komunikasi dan Informatika Kota Samarinda"


def _scan(nomor: str, office: str = OFFICE, **kw: Any) -> dict[str, Any]:
    return {"doc_type": "sop", "scanned": True, "instansi": office, "nomor": nomor,
            "title": "Pengelolaan Aduan", "tanggal_efektif": "2024-02-01", "tahun": 2024,
            "disahkan_oleh": {"jabatan": "Kepala Dinas", "nama": "Budi", "nip": "19820425200902200",
                              "pangkat": None},
            "dasar_hukum": ["UU 25/2009 tentang Pelayanan Publik"],
            "steps": [{"no": 1, "kegiatan": "Menerima aduan", "page": 2}],
            "page_texts": [f"SOP {nomor} Pengelolaan Aduan", "Menerima aduan"],
            "warnings": ["disahkan_oleh.nip: 17 angka, periksa pada dokumen"],
            "confidence": {"nomor": 0.52, "title": 0.97}, **kw}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", database_url=None, search_engine="whoosh",
                        verify_base_url="http://arsip.test")
    with TestClient(create_app(settings)) as c:
        state = state_of(c)
        for n, (nomor, office) in enumerate([("G7/DISKOMINF0/2024", OFFICE),
                                             ("12/DISKES/2024", "Dinas Kesehatan")]):
            with state.sessions.begin() as session:
                sha = hashlib.sha256(nomor.encode()).hexdigest()
                placed = add_version(session, _scan(nomor, office),
                                     StoredFile(sha, 1, f"{sha[:2]}/{sha}", created=True))
            state.index_document(placed.document_id)
            assert placed.document_id == n + 1
        for role in ("arsiparis", "auditor"):
            make_user(c, role, role)
        yield c


def test_the_reading_is_shown_grouped_and_marked(app: TestClient) -> None:
    login_as(app, "auditor")
    html = app.get("/dokumen/1").text
    for shown in ("Identitas", "Disahkan oleh", "Dasar hukum", "Langkah 1", "G7/DISKOMINF0/2024",
                  "UU 25/2009", "keyakinan baca 52 %", "17 angka, periksa pada dokumen",
                  "perlu diperiksa"):
        assert shown in html, shown
    assert 'id="kolom-nomor" class="ditandai"' in html
    assert 'id="kolom-title" class=""' in html  # read with confidence: not marked
    assert "/dokumen/1/koreksi" not in html  # an auditor sees, but has nothing to edit with


def test_an_arsiparis_corrects_in_place_and_everything_follows(app: TestClient) -> None:
    csrf = login_as(app, "arsiparis")
    assert "Simpan koreksi" in app.get("/dokumen/1").text
    r = app.post("/dokumen/1/koreksi", data={"csrf": csrf, "versi": "1", "kolom": "nomor",
                                             "nilai": "067/DISKOMINFO/2024",
                                             "alasan": "tercetak 067, terbaca G7"},
                 follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dokumen/1?versi=1#kolom-nomor"
    html = app.get(r.headers["location"]).text
    assert "067/DISKOMINFO/2024" in html and "hasil baca mesin: G7/DISKOMINF0/2024" in html
    assert "tercetak 067, terbaca G7" in html and "arsiparis" in html  # the history
    found = app.get("/cari", params={"q": "Pengelolaan Aduan"}).text
    assert "067/DISKOMINFO/2024" in found
    version = app.get("/api/v1/versi/1")  # no bearer token: the JSON is checked below via state
    assert version.status_code == 401
    with state_of(app).sessions() as session:
        row = audit.as_dict(list(audit.rows(session))[-1])
    assert (row["action"], row["actor"], row["before"]) == ("koreksi", "arsiparis",
                                                            {"nomor": "G7/DISKOMINF0/2024"})


def test_a_wrong_value_or_missing_reason_is_refused_in_words(app: TestClient) -> None:
    csrf = login_as(app, "arsiparis")
    bad = app.post("/dokumen/1/koreksi", data={"csrf": csrf, "versi": "1",
                                               "kolom": "disahkan_oleh.nip", "nilai": "1982",
                                               "alasan": "x"})
    assert bad.status_code == 400 and "18 angka" in bad.text
    no_reason = app.post("/dokumen/1/koreksi", data={"csrf": csrf, "versi": "1", "kolom": "nomor",
                                                     "nilai": "067/X/2024"})
    assert no_reason.status_code == 400 and "alasan" in no_reason.text
    assert "G7/DISKOMINF0/2024" in app.get("/dokumen/1").text


def test_an_auditor_cannot_correct(app: TestClient) -> None:
    csrf = login_as(app, "auditor")
    r = app.post("/dokumen/1/koreksi", data={"csrf": csrf, "versi": "1", "kolom": "nomor",
                                             "nilai": "1/X/2024", "alasan": "coba"})
    assert r.status_code == 403
    assert "G7/DISKOMINF0/2024" in app.get("/dokumen/1").text


def test_without_the_csrf_token_nothing_changes(app: TestClient) -> None:
    login_as(app, "arsiparis")
    r = app.post("/dokumen/1/koreksi", data={"versi": "1", "kolom": "nomor", "nilai": "1/X/2024",
                                             "alasan": "coba"})
    assert r.status_code == 403
    assert "G7/DISKOMINF0/2024" in app.get("/dokumen/1").text


def test_the_queue_oldest_first_by_office_until_diperiksa(app: TestClient) -> None:
    csrf = login_as(app, "arsiparis")
    queue = app.get("/periksa").text
    assert "2 versi perlu diperiksa" in queue
    assert queue.index("G7/DISKOMINF0/2024") < queue.index("12/DISKES/2024")  # oldest first
    only = app.get("/periksa", params={"instansi": "Dinas Kesehatan"}).text
    assert "12/DISKES/2024" in only and "G7/DISKOMINF0/2024" not in only
    page = app.get("/dokumen/1").text
    assert "2 kolom bertanda belum diperiksa" in page
    assert 'href="#kolom-nomor">Nomor</a>' in page  # each named in words, linked to its row
    app.post("/dokumen/1/koreksi", data={"csrf": csrf, "versi": "1", "kolom": "nomor",
                                         "nilai": "067/DISKOMINFO/2024", "alasan": "cetakan"})
    assert "1 kolom bertanda belum diperiksa" in app.get("/dokumen/1").text
    r = app.post("/dokumen/1/koreksi", data={"csrf": csrf, "versi": "1", "aksi": "benar",
                                             "kolom": "disahkan_oleh.nip", "alasan": ""},
                 follow_redirects=False)
    assert r.status_code == 303
    page = app.get("/dokumen/1").text
    assert '<span class="status berlaku">diperiksa</span>' in page
    queue = app.get("/periksa").text
    assert "1 versi perlu diperiksa" in queue and "067/DISKOMINFO/2024" not in queue
    assert csrf_of(page)


def _token(client: TestClient, name: str) -> dict[str, str]:
    from archive import accounts

    with state_of(client).sessions.begin() as session:
        user = accounts.get_user(session, name)
        return {"authorization": f"Bearer {accounts.new_token(session, audit.Actor('uji'), user).secret}"}


def test_the_api_corrects_with_pydantic_models_and_audits(app: TestClient) -> None:
    app.cookies.clear()
    arsiparis, auditor = _token(app, "arsiparis"), _token(app, "auditor")
    before = app.get("/api/v1/versi/1/koreksi", headers=auditor).json()
    assert sorted(before["open"]) == ["disahkan_oleh.nip", "nomor"] and not before["diperiksa"]
    body = {"set": [{"field": "nomor", "value": "067/DISKOMINFO/2024"},
                    {"field": "disahkan_oleh.nip", "value": "198204252009022002"}],
            "reason": "dicocokkan dengan cetakan"}
    assert app.post("/api/v1/versi/1/koreksi", json=body, headers=auditor).status_code == 403
    r = app.post("/api/v1/versi/1/koreksi", json=body, headers=arsiparis)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["diperiksa"] and out["open"] == []
    assert out["extraction"]["nomor"] == "067/DISKOMINFO/2024"
    assert out["machine_reading"]["nomor"] == "G7/DISKOMINF0/2024"
    assert out["revisions"][0]["changes"][0] == {"field": "nomor", "old": "G7/DISKOMINF0/2024",
                                                 "new": "067/DISKOMINFO/2024", "kind": "koreksi"}
    assert app.get("/api/v1/versi/1", headers=auditor).json()["extraction"]["nomor"] == \
        "067/DISKOMINFO/2024"
    assert app.get("/api/v1/dokumen/1", headers=auditor).json()["nomor"] == "067/DISKOMINFO/2024"
    hits = app.get("/api/v1/cari", params={"q": "067/DISKOMINFO/2024"}, headers=auditor).json()
    assert [h["nomor"] for h in hits["hits"]][:1] == ["067/DISKOMINFO/2024"]
    audited = app.get("/api/v1/audit", headers=_token(app, "auditor")).json()
    assert any(row["action"] == "koreksi" and row["actor"] == "arsiparis"
               for row in audited["rows"])
    wrong = app.post("/api/v1/versi/1/koreksi", headers=arsiparis,
                     json={"set": [{"field": "tanggal_efektif", "value": "1 Maret 2024"}],
                           "reason": "x"})
    assert wrong.status_code == 400 and "TTTT-BB-HH" in wrong.json()["error"]["message"]
    extra = app.post("/api/v1/versi/1/koreksi", headers=arsiparis,
                     json={"set": [], "reason": "x", "oops": 1})
    assert extra.status_code in (400, 422)


def test_the_tahun_filter_finds_an_sop_by_its_dates_and_a_pk_has_a_title(app: TestClient) -> None:
    state = state_of(app)
    for tag, reading in [("sop", {"doc_type": "sop", "instansi": "Bappeda", "nomor": "5/SOP/2023",
                                  "title": "Penyusunan Renja", "tanggal_efektif": "2023-06-05",
                                  "page_texts": ["Penyusunan Renja"]}),
                         ("pk", {"doc_type": "perjanjian_kinerja", "tahun": 2023,
                                 "instansi": "Bappeda", "page_texts": ["Perjanjian kinerja Renja"],
                                 "pihak_pertama": {"jabatan": "Kepala Bappeda", "nama": "C",
                                                   "nip": None, "pangkat": None}})]:
        sha = hashlib.sha256(tag.encode()).hexdigest()
        with state.sessions.begin() as session:
            placed = add_version(session, reading, StoredFile(sha, 1, f"{sha[:2]}/{sha}",
                                                              created=True))
        state.index_document(placed.document_id)
    login_as(app, "auditor")
    found = app.get("/cari", params={"q": "Renja", "tahun": "2023"}).text
    assert "Penyusunan Renja" in found and "Perjanjian Kinerja 2023 Kepala Bappeda" in found
    assert "Penyusunan Renja" not in app.get("/cari", params={"q": "Renja", "tahun": "2024"}).text
