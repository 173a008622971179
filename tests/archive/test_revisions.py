"""Corrections of a reading: typed values checked, each save a revision, audited, kept on re-read."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from archive import audit, fields
from archive.documents import add_version, get_document
from archive.errors import BadInputError
from archive.models import IndicatorRow, StepRow, Version
from archive.revisions import correct, history, machine_reading, marks, queue, review
from archive.store import StoredFile
from tests.archive.fixtures import new_archive

pytestmark = pytest.mark.archive_db

OFFICE = "Dinas Komunikasi dan Informatika Kota Samarinda"
ME = audit.Actor("arsip1", "127.0.0.1")


def _stored(tag: str) -> StoredFile:
    sha = hashlib.sha256(tag.encode()).hexdigest()
    return StoredFile(sha, len(tag), f"{sha[:2]}/{sha}", created=True)


def _scan(**kw: Any) -> dict[str, Any]:
    """An OCR'd SOP with a misread number (G7 for 67) flagged by low confidence."""
    return {"doc_type": "sop", "scanned": True, "instansi": OFFICE, "nomor": "G7/DISKOMINF0/2024",
            "title": "Pengelolaan Aduan", "tanggal_efektif": "2024-02-01",
            "disahkan_oleh": {"jabatan": "Kepala Dinas", "nama": "Budi", "nip": None,
                              "pangkat": None},
            "steps": [{"no": 1, "kegiatan": "Menerima aduan", "page": 2},
                      {"no": 2, "kegiatan": "Memverifkasi aduan", "page": 2}],
            "indicators": [{"indikator": "Aduan selesai", "target": 90.0, "target_text": "90 %"}],
            "warnings": ["tanggal_pembuatan: '1 Feb' tidak terbaca sebagai tanggal lengkap"],
            "confidence": {"nomor": 0.52, "title": 0.97, "steps[1].kegiatan": 0.71}, **kw}


def _ingest(session_factory: Any, extraction: dict[str, Any], tag: str = "a") -> int:
    with session_factory.begin() as session:
        return add_version(session, extraction, _stored(tag)).version_id


def test_values_are_checked_by_type() -> None:
    assert fields.coerce("tanggal_efektif", "2024-03-15") == "2024-03-15"
    assert fields.coerce("indicators[0].target", "1.234,5") == 1234.5
    assert fields.coerce("indicators[0].target", "82.7") == 82.7
    assert fields.coerce("disahkan_oleh.nip", "19820425 200902 2 002") == "198204252009022002"
    assert fields.coerce("steps[0].waktu", "15 menit") == {"text": "15 menit", "value": 15.0,
                                                            "unit": "menit"}
    assert fields.coerce("nomor", "  ") is None  # clearing a field
    for path, typed, says in [("tanggal_efektif", "15-03-2024", "TTTT-BB-HH"),
                              ("tanggal_efektif", "2024-02-30", "tanggal yang ada"),
                              ("indicators[0].target", "sembilan", "bukan angka"),
                              ("disahkan_oleh.nip", "198204252009022009x", "18 angka"),
                              ("disahkan_oleh.nip", "198213252009022002", "tanggal lahir"),
                              ("tahun", "24", "empat angka"),
                              ("steps[0].kegiatan", "", "tidak boleh kosong"),
                              ("versions", "x", "tidak dikenal")]:
        with pytest.raises(BadInputError, match=says):
            fields.coerce(path, typed)


def test_a_correction_is_a_revision_with_who_why_and_the_machine_reading_kept(tmp_path: Path) -> None:
    sessions, _ = new_archive(tmp_path)
    vid = _ingest(sessions, _scan())
    with sessions.begin() as session:
        correct(session, vid, [("nomor", "067/DISKOMINFO/2024"), ("steps[1].kegiatan",
                                                                  "Memverifikasi aduan"),
                               ("indicators[0].target", "95"), ("tanggal_efektif", "2024-03-01")],
                "dibaca dari cetakan: 67 terbaca G7", ME)
    with sessions() as session:
        version = session.get(Version, vid)
        assert version is not None
        assert version.extraction["nomor"] == "067/DISKOMINFO/2024"
        assert version.tanggal_efektif is not None and version.tanggal_efektif.isoformat() == "2024-03-01"
        assert get_document(session, version.document_id).nomor == "067/DISKOMINFO/2024"
        step = session.scalars(select(StepRow).where(StepRow.position == 2)).one()
        assert step.kegiatan == "Memverifikasi aduan"
        row = session.scalars(select(IndicatorRow)).one()
        assert (row.target, row.target_text) == (95.0, None)  # the number replaces "90 %"
        assert machine_reading(session, version)["nomor"] == "G7/DISKOMINF0/2024"
        [rev] = history(session, vid)
        assert (rev.revision_no, rev.actor, rev.reason) == (1, "arsip1",
                                                            "dibaca dari cetakan: 67 terbaca G7")
        by_field = {c["field"]: (c["old"], c["new"]) for c in rev.changes}
        assert by_field["nomor"] == ("G7/DISKOMINF0/2024", "067/DISKOMINFO/2024")
        assert by_field["indicators[0].target_text"] == ("90 %", None)
        trail = [audit.as_dict(r) for r in audit.rows(session)]
        assert trail[-1]["action"] == "koreksi" and trail[-1]["actor"] == "arsip1"
        assert trail[-1]["before"]["nomor"] == "G7/DISKOMINF0/2024"
        assert trail[-1]["after"]["alasan"].startswith("dibaca dari cetakan")
        assert audit.verify(session).ok


def test_nothing_is_saved_when_one_value_is_wrong_or_no_reason(tmp_path: Path) -> None:
    sessions, _ = new_archive(tmp_path)
    vid = _ingest(sessions, _scan())
    with pytest.raises(BadInputError, match="TTTT-BB-HH"), sessions.begin() as session:
        correct(session, vid, [("nomor", "067/X/2024"), ("tanggal_efektif", "1 Maret")], "x", ME)
    with pytest.raises(BadInputError, match="alasan"), sessions.begin() as session:
        correct(session, vid, [("nomor", "067/X/2024")], "  ", ME)
    with pytest.raises(BadInputError, match="baris ke-5 tidak ada"), sessions.begin() as session:
        correct(session, vid, [("steps[5].kegiatan", "x")], "baris salah", ME)
    with sessions() as session:
        version = session.get(Version, vid)
        assert version is not None and version.extraction["nomor"] == "G7/DISKOMINF0/2024"
        assert history(session, vid) == []


def test_marks_the_queue_and_diperiksa(tmp_path: Path) -> None:
    sessions, _ = new_archive(tmp_path)
    vid = _ingest(sessions, _scan())
    clean = _ingest(sessions, {"doc_type": "sop", "instansi": "Dinas Lain", "nomor": "1/SOP/2024",
                               "title": "Bersih", "tanggal_efektif": "2024-01-01"}, "b")
    assert set(marks(_scan())) == {"nomor", "steps[1].kegiatan", "tanggal_pembuatan"}
    with sessions() as session:
        assert [i.version.id for i in queue(session)] == [vid]
        assert queue(session, "Dinas Lain") == []
        assert clean not in [i.version.id for i in queue(session)]
    with sessions.begin() as session:
        correct(session, vid, [("nomor", "067/DISKOMINFO/2024")], "salah baca", ME)
    with sessions() as session:
        version = session.get(Version, vid)
        assert version is not None
        state = review(session, version)
        assert state.open == ["steps[1].kegiatan", "tanggal_pembuatan"] and not state.diperiksa
    with sessions.begin() as session:
        correct(session, vid, [], "sudah dicocokkan dengan cetakan", ME,
                confirm=["steps[1].kegiatan", "tanggal_pembuatan"])
    with sessions() as session:
        version = session.get(Version, vid)
        assert version is not None and review(session, version).diperiksa
        assert queue(session) == []
        assert version.extraction["steps"][1]["kegiatan"] == "Memverifkasi aduan"  # confirmed as is


def test_a_new_reading_keeps_every_human_value(tmp_path: Path) -> None:
    """A born-digital twin of a corrected scan replaces the machine's reading, not the person's."""
    sessions, _ = new_archive(tmp_path)
    vid = _ingest(sessions, _scan())
    with sessions.begin() as session:
        correct(session, vid, [("nomor", "067/DISKOMINFO/2024"), ("title", "Pengelolaan Aduan Warga"),
                               ("disahkan_oleh.nip", "198204252009022002"),
                               ("steps[1].kegiatan", "Memverifikasi aduan masuk")], "cetakan", ME)
    twin = _scan(scanned=False, nomor="067/DISKOMINFO/2024", title="Pengelolaan Aduan", confidence={}, warnings=[],
                 steps=[{"no": 1, "kegiatan": "Menerima aduan warga", "page": 2},
                        {"no": 2, "kegiatan": "Memverifikasi aduan", "page": 2}])
    with sessions.begin() as session:
        placed = add_version(session, twin, _stored("twin"))
    assert placed.outcome == "new_file" and placed.version_id == vid
    with sessions() as session:
        version = session.get(Version, vid)
        assert version is not None
        ex = version.extraction
        assert ex["nomor"] == "067/DISKOMINFO/2024"
        assert ex["title"] == "Pengelolaan Aduan Warga"
        assert ex["disahkan_oleh"]["nip"] == "198204252009022002"
        assert ex["steps"][1]["kegiatan"] == "Memverifikasi aduan masuk"
        assert ex["steps"][0]["kegiatan"] == "Menerima aduan warga"  # the new machine value
        assert machine_reading(session, version)["title"] == "Pengelolaan Aduan"
        kegiatan = [s.kegiatan for s in session.scalars(select(StepRow).order_by(StepRow.position))]
        assert kegiatan == ["Menerima aduan warga", "Memverifikasi aduan masuk"]


def test_rows_are_added_and_removed_as_one_revision(tmp_path: Path) -> None:
    sessions, _ = new_archive(tmp_path)
    vid = _ingest(sessions, _scan())
    with sessions.begin() as session:
        rev = correct(session, vid, [("steps[1].kegiatan", "Mencatat aduan"),
                                     ("steps[1].pelaksana", "Petugas"),
                                     ("indicators[0].indikator", "Aduan ditindaklanjuti")],
                      "baris terlewat; baris kop terbaca sebagai indikator", ME,
                      add=["steps[1]", "indicators[0]"], remove=["indicators[0]"])
        assert [(c["field"], c["kind"]) for c in rev.changes][:3] == [
            ("indicators[0]", "hapus"), ("indicators[0]", "tambah"), ("steps[1]", "tambah")]
        added = rev.changes[2]["new"]
        assert added["kegiatan"] == "Mencatat aduan" and added["no"] == 2
    with sessions() as session:
        version = session.get(Version, vid)
        assert version is not None
        assert [s["kegiatan"] for s in version.extraction["steps"]] == [
            "Menerima aduan", "Mencatat aduan", "Memverifkasi aduan"]
        rows = session.scalars(select(IndicatorRow).where(IndicatorRow.version_id == vid))
        assert [r.indikator for r in rows] == ["Aduan ditindaklanjuti"]
        assert [s.kegiatan for s in session.scalars(
            select(StepRow).where(StepRow.version_id == vid).order_by(StepRow.position))][1] == \
            "Mencatat aduan"
        assert len(machine_reading(session, version)["steps"]) == 2
        last = audit.as_dict(list(audit.rows(session))[-1])
        assert last["after"]["baris_ditambah"] == ["indicators[0]", "steps[1]"]


def test_a_new_row_needs_its_required_field_and_a_place(tmp_path: Path) -> None:
    sessions, _ = new_archive(tmp_path)
    vid = _ingest(sessions, _scan())
    for add, sets, words in ((["steps[1]"], [], "steps[1].kegiatan"),
                             (["steps[5]"], [], "posisi 0 sampai 2"),
                             (["dasar_hukum[0]"], [], "dasar_hukum[0]"),
                             (["steps"], [], "bukan baris")):
        with pytest.raises(BadInputError, match=re.escape(words)), sessions.begin() as session:
            correct(session, vid, sets, "x", ME, add=add)
    with pytest.raises(BadInputError, match="tidak ada"), sessions.begin() as session:
        correct(session, vid, [], "x", ME, remove=["steps[7]"])
    with sessions() as session:
        assert history(session, vid) == []


def test_a_new_reading_keeps_rows_added_and_removed(tmp_path: Path) -> None:
    """Re-extraction replays the person's rows: an added row stays, a removed row goes even when
    the new reading has it at another place; a removed row the new reading lacks is named."""
    from archive.revisions import reread

    sessions, _ = new_archive(tmp_path)
    vid = _ingest(sessions, _scan(dasar_hukum=["UU 25/2009", "kop surat", "PP 96/2012"]))
    with sessions.begin() as session:
        correct(session, vid, [("steps[2].kegiatan", "Menutup aduan")], "langkah terakhir terlewat",
                ME, add=["steps[2]"])
        correct(session, vid, [], "bukan dasar hukum", ME, remove=["dasar_hukum[1]"])
        correct(session, vid, [], "baris ganda", ME, remove=["indicators[0]"])
    again = _scan(dasar_hukum=["kop surat", "UU 25/2009", "PP 96/2012"], indicators=[])
    with sessions.begin() as session:
        version = session.get(Version, vid)
        assert version is not None
        lost = reread(session, version, again)
        ex = version.extraction
        assert [s["kegiatan"] for s in ex["steps"]] == [
            "Menerima aduan", "Memverifkasi aduan", "Menutup aduan"]
        assert ex["dasar_hukum"] == ["UU 25/2009", "PP 96/2012"]
        assert lost == ["indicators[0]"] and "indicators[0]" in ex["warnings"][-1]
