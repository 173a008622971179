"""Identity rules: new document, new version, another file of a version; moving and splitting."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from archive.documents import add_version, get_document, move_version, split_version
from archive.errors import ConflictError
from archive.identity import decide
from archive.models import Document, Job, StepRow, Version
from archive.store import StoredFile
from tests.archive.fixtures import count_rows, new_archive

pytestmark = pytest.mark.archive_db  # runs again on PostgreSQL (tests/backend.py)

OFFICE = "Dinas Kesehatan Kota Pontianak"
STEPS = [{"no": 1, "kegiatan": "Menginstruksikan penyusunan perjanjian kinerja"},
         {"no": 2, "kegiatan": "Menyiapkan draft perjanjian kinerja berdasarkan Renstra"}]


def _sop(**kw: Any) -> dict[str, Any]:
    base = {"doc_type": "sop", "instansi": OFFICE, "nomor": "400.7/017/165.06/2023",
            "title": "Penyusunan Perjanjian Kinerja", "tanggal_pembuatan": "2023-08-13",
            "tanggal_revisi": "2023-09-07", "tanggal_efektif": "2023-09-20", "steps": STEPS}
    return {**base, **kw}


def _stored(tag: str) -> StoredFile:
    sha = hashlib.sha256(tag.encode()).hexdigest()
    return StoredFile(sha, len(tag), f"{sha[:2]}/{sha}", created=True)


@pytest.fixture
def db(tmp_path: Path) -> sessionmaker[Session]:
    return new_archive(tmp_path)[0]


def test_the_scan_twin_is_another_file_of_the_same_version(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        first = add_version(session, _sop(), _stored("digital"))
        twin = add_version(session, _sop(scanned=True), _stored("scan"))
    assert first.outcome == "new_document" and twin.outcome == "new_file"
    assert (twin.document_id, twin.version_id) == (first.document_id, first.version_id)
    assert "nomor 400.7/017/165.06/2023 dan instansi sama dengan dokumen #1" in twin.reason
    assert "tanggal (pembuatan 2023-08-13, revisi 2023-09-07, efektif 2023-09-20) dan isian lainnya sama" in (
        twin.reason)
    with db() as session:
        [version] = get_document(session, first.document_id).versions
        assert [(f.role, f.scanned) for f in version.files] == [("original", False), ("scan", True)]
    assert count_rows(db, StepRow) == 2  # the twin's rows are not added twice


def test_an_ocr_reading_with_slips_and_gaps_is_still_the_twin(db: sessionmaker[Session]) -> None:
    """OCR misses a date and misreads a letter of the title: nothing conflicts, so same version."""
    ocr = _sop(scanned=True, title="Penyusunan Perjanjian Kinerla", tanggal_pembuatan=None,
               tanggal_revisi=None, steps=[])
    with db.begin() as session:
        add_version(session, _sop(), _stored("digital"))
        decision = decide(session, ocr)
    assert decision.kind == "new_file", decision.reason


def test_a_revision_is_a_new_version_and_says_which_dates_differ(
    db: sessionmaker[Session],
) -> None:
    with db.begin() as session:
        add_version(session, _sop(), _stored("v1"))
        rev = add_version(session, _sop(tanggal_revisi="2024-08-17", tanggal_efektif="2024-08-25"),
                          _stored("v2"))
    assert rev.outcome == "new_version" and rev.version_no == 2
    assert "revisi 2024-08-17 dibanding 2023-09-07" in rev.reason
    assert "efektif 2024-08-25 dibanding 2023-09-20" in rev.reason


def test_same_dates_but_another_title_is_not_the_same_version(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        add_version(session, _sop(), _stored("v1"))
        decision = decide(session, _sop(title="Pengukuran Kinerja Triwulanan"))
    assert decision.kind == "new_version" and "judul berbeda" in decision.reason


def test_a_twin_without_a_number_is_found_by_title_and_office(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        first = add_version(session, _sop(), _stored("digital"))
        twin = add_version(session, _sop(nomor=None, scanned=True), _stored("scan"))
    assert twin.outcome == "new_file" and twin.document_id == first.document_id
    assert "judul sama dan instansi mirip" in twin.reason


def test_an_ocr_number_without_dots_and_an_office_with_a_slip_still_match(
    db: sessionmaker[Session],
) -> None:
    """OCR drops the dots of a number and misreads a letter of the office: same document."""
    ocr = _sop(scanned=True, nomor="400 7/O17/16506/2023", instansi="Dinas Kesehatan Kota Pontlanak")
    other = _sop(nomor="400.7/018/165.06/2023", instansi="Dinas Kesehatan Kota Pontlanak")
    with db.begin() as session:
        first = add_version(session, _sop(), _stored("digital"))
        twin = decide(session, ocr)
        different = decide(session, other)
    assert twin.kind == "new_file" and twin.document is not None
    assert twin.document.id == first.document_id
    assert "nomor sama bila dibaca longgar" in twin.reason
    assert different.kind == "new_document"  # 018 is another SOP, however close


def test_an_office_run_on_into_its_address_still_matches(db: sessionmaker[Session]) -> None:
    """OCR layout can glue the address line to the office name."""
    ocr = _sop(scanned=True, instansi=f"{OFFICE} Ji. Rahadi Usman No. 3 Pontianak 78111")
    with db.begin() as session:
        first = add_version(session, _sop(), _stored("digital"))
        twin = decide(session, ocr)
        elsewhere = decide(session, _sop(instansi="Dinas Kesehatan Kota Singkawang"))
        regency = decide(session, _sop(instansi="Dinas Kesehatan Kabupaten Pontianak"))
    assert regency.kind == "new_document"
    assert twin.kind == "new_file" and twin.document is not None
    assert twin.document.id == first.document_id
    assert elsewhere.kind == "new_document"


def test_two_sops_with_one_title_make_a_numberless_upload_a_new_document(
    db: sessionmaker[Session],
) -> None:
    """A number-less upload must not be guessed into one of two same-titled SOPs."""
    with db.begin() as session:
        add_version(session, _sop(nomor=None), _stored("a"))
        add_version(session, _sop(nomor=None, tanggal_efektif="2020-01-01"), _stored("b"))
    with db.begin() as session:
        session.add(Document(doc_type="sop", instansi=OFFICE, title="Penyusunan Perjanjian Kinerja"))
    with db.begin() as session:
        decision = decide(session, _sop(nomor=None, tanggal_efektif="2021-01-01"))
    assert decision.kind == "new_document" and "beberapa dokumen mirip" in decision.reason


def test_undated_forms_are_matched_by_their_indicators(db: sessionmaker[Session]) -> None:
    form = {"doc_type": "form_data_kinerja", "instansi": OFFICE, "tahun": 2023,
            "title": "Format Pengumpulan Data Kinerja Tahun 2023",
            "indicators": [{"indikator": "Persentase capaian SPM"}, {"indikator": "Angka stunting"}]}
    changed = {**form, "indicators": [{"indikator": "Persentase capaian SPM"}]}
    with db.begin() as session:
        add_version(session, form, _stored("form"))
        same = decide(session, {**form, "scanned": True})
        other = decide(session, changed)
    assert same.kind == "new_file" and "2 indikator sama" in same.reason
    assert other.kind == "new_version" and "indikatornya berbeda" in other.reason


def test_the_digital_twin_arriving_after_the_scan_replaces_the_ocr_reading(
    db: sessionmaker[Session],
) -> None:
    ocr_steps = [{"no": 1, "kegiatan": "Menginstruksikan penyusunan perjanjian kinerja"}]
    with db.begin() as session:
        scan = add_version(session, _sop(scanned=True, steps=ocr_steps, tanggal_pembuatan=None),
                           _stored("scan"))
        digital = add_version(session, _sop(), _stored("digital"))
    assert digital.outcome == "new_file" and digital.version_id == scan.version_id
    with db() as session:
        version = session.get_one(Version, scan.version_id)
        assert [s.kegiatan for s in version.steps] == [s["kegiatan"] for s in STEPS]
        assert str(version.tanggal_pembuatan) == "2023-08-13"
        assert not version.extraction.get("scanned")


def test_move_a_version_to_another_document_and_split_it_off(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        a1 = add_version(session, _sop(), _stored("a1"))
        wrong = add_version(session, _sop(tanggal_revisi="2024-01-02", tanggal_efektif="2024-01-10"),
                            _stored("a2"))
        b1 = add_version(session, _sop(nomor="400.7/099/165.06/2023"), _stored("b1"))
    with db.begin() as session:
        moved = move_version(session, wrong.version_id, b1.document_id, reason="nomor salah baca",
                             by="arsiparis")
    assert (moved.document_id, moved.version_no) == (b1.document_id, 2)
    with db() as session:
        statuses = [(v.version_no, v.status) for v in get_document(session, b1.document_id).versions]
        assert statuses == [(1, "digantikan"), (2, "berlaku")]
        assert [v.status for v in get_document(session, a1.document_id).versions] == ["berlaku"]
        job = session.scalars(select(Job).where(Job.kind == "move")).one()
        assert "arsiparis memindahkan versi 2 dari #1" in (job.message or "")
    with db.begin() as session:
        split = split_version(session, wrong.version_id, reason="SOP lain")
    assert split.document_id not in (a1.document_id, b1.document_id) and split.version_no == 1
    with db.begin() as session, pytest.raises(ConflictError, match="satu-satunya versi"):
        split_version(session, wrong.version_id, reason="again")


def test_moving_the_last_version_removes_the_empty_document(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        a = add_version(session, _sop(), _stored("a"))
        b = add_version(session, _sop(nomor="400.7/099/165.06/2023"), _stored("b"))
        move_version(session, b.version_id, a.document_id, reason="satu SOP")
    with db() as session:
        assert session.get(Document, b.document_id) is None
        assert len(get_document(session, a.document_id).versions) == 2
    with db.begin() as session, pytest.raises(ConflictError, match="berjenis sop, sedangkan dokumen"):
        lkjip = add_version(session, {"doc_type": "lkjip", "instansi": OFFICE, "tahun": 2023},
                            _stored("l"))
        move_version(session, a.version_id, lkjip.document_id, reason="x")
