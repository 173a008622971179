"""Documents and versions: the identity rule, version numbers, status by effective date."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from archive.documents import add_version, document_to_json, get_document
from archive.errors import NotFoundError
from archive.identity import identity_key, normalise_nomor
from archive.models import IndicatorRow, StepRow, Version
from archive.store import StoredFile
from tests.archive.fixtures import new_archive

pytestmark = pytest.mark.archive_db  # runs again on PostgreSQL (tests/backend.py)

OFFICE = "Dinas Kesehatan Kota Samarinda"


def _sop(nomor: str | None = "440/12/SOP/2023", efektif: str | None = "2023-04-25", **kw: Any) -> dict[str, Any]:
    return {"doc_type": "sop", "instansi": OFFICE, "nomor": nomor, "title": "Pelayanan Imunisasi",
            "tanggal_efektif": efektif, **kw}


def _stored(tag: str) -> StoredFile:
    sha = hashlib.sha256(tag.encode()).hexdigest()
    return StoredFile(sha, len(tag), f"{sha[:2]}/{sha}", created=True)


@pytest.mark.parametrize(("a", "b", "same"), [
    (_sop("440/12/SOP/2023"), _sop("440 / 12 / sop / 2023"), True),
    (_sop(), _sop(instansi="DINAS KESEHATAN, Kota Samarinda"), True),
    (_sop(), _sop(instansi="Dinas Kesehatan Kota Balikpapan"), False),
    (_sop("440/12/SOP/2023"), _sop("440/13/SOP/2023"), False),
    ({"doc_type": "lkjip", "instansi": OFFICE, "tahun": 2023},
     {"doc_type": "lkjip", "instansi": OFFICE, "tahun": 2023, "title": "other title"}, True),
    ({"doc_type": "lkjip", "instansi": OFFICE, "tahun": 2023},
     {"doc_type": "lkjip", "instansi": OFFICE, "tahun": 2024}, False),
    ({"doc_type": "form_data_kinerja", "instansi": OFFICE, "tahun": 2023, "title": "Form TW I"},
     {"doc_type": "form_data_kinerja", "instansi": OFFICE, "tahun": 2023, "title": "Form TW II"},
     False),
    ({"doc_type": "form_data_kinerja", "instansi": OFFICE, "tahun": 2023, "title": "Form TW I"},
     {"doc_type": "form_data_kinerja", "instansi": OFFICE, "tahun": 2023, "title": "form tw i"},
     True),
])
def test_identity_key(a: dict[str, Any], b: dict[str, Any], same: bool) -> None:
    assert identity_key(a) is not None
    assert (identity_key(a) == identity_key(b)) is same


@pytest.mark.parametrize("extraction", [
    _sop(nomor=None),
    _sop(instansi=None),
    {"doc_type": "lkjip", "instansi": OFFICE},
    {"doc_type": "form_data_kinerja", "instansi": OFFICE, "tahun": 2023},
    {"doc_type": "perjanjian_kinerja", "instansi": OFFICE, "tahun": 2023},
    {"doc_type": "other"},
])
def test_no_key_means_a_document_of_its_own(extraction: dict[str, Any]) -> None:
    assert identity_key(extraction) is None


def test_key_separates_document_types() -> None:
    lkjip = {"doc_type": "lkjip", "instansi": OFFICE, "tahun": 2023}
    assert identity_key(lkjip) != identity_key({**lkjip, "doc_type": "form_data_kinerja",
                                                 "title": "2023"})


def test_normalise_nomor() -> None:
    assert normalise_nomor(" 900 / UR. F / V.03. WA / 2022 ") == "900/UR.F/V.03.WA/2022"
    assert normalise_nomor("  ") is None


def test_versions_of_one_document_and_their_status(tmp_path: Path) -> None:
    session_factory, _ = new_archive(tmp_path)
    steps = [{"no": 1, "kegiatan": "Menerima berkas", "waktu": {"text": "15 menit", "value": 15,
                                                               "unit": "menit"}}]
    with session_factory.begin() as session:
        first = add_version(session, _sop(efektif="2023-04-25", steps=steps), _stored("a"))
        second = add_version(session, _sop(efektif="2024-04-07", title="Imunisasi Dasar"),
                             _stored("b"))
        other = add_version(session, _sop(nomor="440/99/SOP/2023"), _stored("c"))
    assert first.new_document and not second.new_document and other.new_document
    assert second.document_id == first.document_id != other.document_id
    assert (first.version_no, second.version_no) == (1, 2)
    with session_factory() as session:
        doc = get_document(session, first.document_id)
        assert [(v.version_no, v.status) for v in doc.versions] == [(1, "digantikan"),
                                                                     (2, "berlaku")]
        assert doc.title == "Imunisasi Dasar"  # the document shows its version in force
        step = session.scalars(select(StepRow)).one()
        assert (step.version_id, step.kegiatan, step.waktu_value, step.waktu_unit) == (
            first.version_id, "Menerima berkas", 15, "menit")


def test_an_older_edition_arriving_late_is_superseded(tmp_path: Path) -> None:
    session_factory, _ = new_archive(tmp_path)
    with session_factory.begin() as session:
        newer = add_version(session, _sop(efektif="2024-04-07"), _stored("new"))
        older = add_version(session, _sop(efektif="2023-04-25"), _stored("old"))
    with session_factory() as session:
        status = {v.id: v.status for v in session.scalars(select(Version))}
        numbers = {v.id: v.version_no for v in session.scalars(select(Version))}
    # numbered by date: the older edition is versi 1 even though it came second
    assert (older.version_no, numbers[newer.version_id]) == (1, 2)
    assert status == {newer.version_id: "berlaku", older.version_id: "digantikan"}


def test_revoked_versions_stay_revoked(tmp_path: Path) -> None:
    session_factory, _ = new_archive(tmp_path)
    with session_factory.begin() as session:
        first = add_version(session, _sop(efektif="2023-01-01"), _stored("1"))
        session.get_one(Version, first.version_id).status = "dicabut"
        second = add_version(session, _sop(efektif="2022-01-01"), _stored("2"))
    with session_factory() as session:
        assert session.get_one(Version, first.version_id).status == "dicabut"
        assert session.get_one(Version, second.version_id).status == "berlaku"


def test_indicator_rows_and_json(tmp_path: Path) -> None:
    session_factory, _ = new_archive(tmp_path)
    indicators = [
        {"sasaran": "Meningkatnya kualitas layanan", "indikator": "Indeks kepuasan", "satuan": "%",
         "target": 80.0, "realisasi": 82.5, "capaian": 103.13, "target_triwulan": [20, 40, None, 80],
         "page": 12},
        {"indikator": "Jumlah temuan", "target": 5, "realisasi": 3},
    ]
    extraction = {"doc_type": "lkjip", "instansi": OFFICE, "tahun": 2023, "pages": 30,
                  "indicators": indicators, "scanned": True}
    with session_factory.begin() as session:
        placed = add_version(session, extraction, _stored("lkjip"), source_filename="x.pdf",
                             uploader="auditor")
    with session_factory() as session:
        rows = session.scalars(select(IndicatorRow).order_by(IndicatorRow.position)).all()
        assert [(r.position, r.indikator, r.capaian) for r in rows] == [
            (1, "Indeks kepuasan", 103.13), (2, "Jumlah temuan", None)]
        assert rows[0].target_triwulan == [20, 40, None, 80] and rows[1].target_triwulan == []
        data = document_to_json(session, get_document(session, placed.document_id))
    [version] = data["versions"]
    assert (data["tahun"], version["indicators"], version["steps"]) == (2023, 2, 0)
    assert version["uploader"] == "auditor" and version["source_filename"] == "x.pdf"
    assert version["files"][0]["scanned"] is True and version["files"][0]["pages"] == 30


def test_unknown_document(tmp_path: Path) -> None:
    session_factory, _ = new_archive(tmp_path)
    with session_factory() as session, pytest.raises(NotFoundError, match="#42"):
        get_document(session, 42)
