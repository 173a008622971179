"""The version timeline: order, periods in force, the version in force on a date, diffs."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from archive.documents import add_version, revoke_version
from archive.models import Version
from archive.store import StoredFile
from archive.timeline import diff_versions, format_diff, in_force_on, in_force_summary, timeline
from tests.archive.fixtures import new_archive

pytestmark = pytest.mark.archive_db  # runs again on PostgreSQL (tests/backend.py)

OFFICE = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Pontianak"


def _step(no: int, kegiatan: str, **kw: Any) -> dict[str, Any]:
    return {"no": no, "kegiatan": kegiatan, "pelaksana": "Subbag Program", **kw}


STEPS = [_step(1, "Menginstruksikan penyusunan", waktu={"value": 15, "unit": "menit"}),
         _step(2, "Menyiapkan draft perjanjian kinerja"),
         _step(3, "Membahas target kinerja bersama kepala bidang"),
         _step(4, "Menandatangani perjanjian kinerja", pelaksana="Kepala Badan")]


def _sop(revisi: str, efektif: str, steps: list[dict[str, Any]] | None = None,
         **kw: Any) -> dict[str, Any]:
    return {"doc_type": "sop", "instansi": OFFICE, "nomor": "800.1.11/148/973.05/2021",
            "title": "Penyusunan Perjanjian Kinerja", "tanggal_pembuatan": "2021-03-02",
            "tanggal_revisi": revisi, "tanggal_efektif": efektif,
            "steps": STEPS if steps is None else steps, **kw}


def _stored(tag: str) -> StoredFile:
    sha = hashlib.sha256(tag.encode()).hexdigest()
    return StoredFile(sha, len(tag), f"{sha[:2]}/{sha}", created=True)


@pytest.fixture
def db(tmp_path: Path) -> sessionmaker[Session]:
    return new_archive(tmp_path)[0]


def _three_versions(db: sessionmaker[Session]) -> tuple[int, list[int]]:
    """Uploaded out of order: the 2022 revision first, then the original, then 2024."""
    changed = [STEPS[0], _step(2, "Menyusun draft perjanjian kinerja berdasarkan Renstra"),
               *STEPS[2:]]
    with db.begin() as session:
        v2022 = add_version(session, _sop("2022-08-07", "2022-08-18", changed), _stored("b"))
        v2021 = add_version(session, _sop("2021-04-09", "2021-04-25"), _stored("a"))
        v2024 = add_version(session, _sop("2024-01-05", "2024-01-15", changed[:3]), _stored("c"))
    return v2022.document_id, [v2021.version_id, v2022.version_id, v2024.version_id]


def test_timeline_is_ordered_by_effective_date_with_periods(db: sessionmaker[Session]) -> None:
    doc, ids = _three_versions(db)
    with db() as session:
        entries = timeline(session, doc)
        assert [e.version.id for e in entries] == ids
        assert [(str(e.start), str(e.end)) for e in entries] == [
            ("2021-04-25", "2022-08-18"), ("2022-08-18", "2024-01-15"), ("2024-01-15", "None")]
        assert [e.version.status for e in entries] == ["digantikan", "digantikan", "berlaku"]
        # numbered by date, the upload order kept beside it (the 2021 original came second)
        assert [(e.version.version_no, e.upload_no) for e in entries] == [(1, 2), (2, 1), (3, 3)]
        data = entries[0].as_json()
        assert data["version_no"] == 1 and data["upload_no"] == 2
        assert data["tanggal_revisi"] == "2021-04-09"
        assert data["files"][0]["role"] == "original"


def test_standings_never_contradict_what_is_in_force(db: sessionmaker[Session]) -> None:
    doc, ids = _three_versions(db)
    with db() as session:
        today = date(2023, 1, 1)
        entries = timeline(session, doc, today)
        in_force = in_force_on(session, doc, today)
        assert [e.standing.key for e in entries if e.standing] == ["digantikan", "berlaku", "belum"]
        assert entries[0].standing and entries[0].standing.text == (
            "digantikan oleh versi 2 sejak 18 Agustus 2022")
        assert in_force_summary(entries, in_force, today).startswith(
            "versi 2 (berlaku sejak 18 Agustus 2022")


def test_an_undated_version_says_it_is_undated_not_berlaku(db: sessionmaker[Session]) -> None:
    undated = {"doc_type": "sop", "instansi": OFFICE, "nomor": "800/1/2020", "title": "Tanpa tanggal"}
    with db.begin() as session:
        doc = add_version(session, undated, _stored("undated")).document_id
    with db() as session:
        today = date(2026, 1, 1)
        [entry] = timeline(session, doc, today)
        assert entry.version.status == "berlaku"  # the newest upload, as the index has it
        assert entry.standing and entry.standing.key == "tanpa-tanggal"
        assert entry.standing.label == "terbaru, tanpa tanggal"
        summary = in_force_summary([entry], in_force_on(session, doc, today), today)
        assert summary.startswith("tidak dapat ditentukan") and "berlaku" not in entry.standing.label


def test_an_older_version_uploaded_later_takes_its_place_by_date(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        late = add_version(session, _sop("2024-01-05", "2024-01-15"), _stored("late"))
        early = add_version(session, _sop("2021-04-09", "2021-04-25"), _stored("early"))
    with db() as session:
        entries = timeline(session, late.document_id)
        assert [(e.version.id, e.version.version_no, e.upload_no) for e in entries] == [
            (early.version_id, 1, 2), (late.version_id, 2, 1)]


@pytest.mark.parametrize(("on", "expected"), [
    (date(2021, 4, 24), None),  # before the first version came into force
    (date(2021, 4, 25), 0), (date(2022, 8, 17), 0),
    (date(2022, 8, 18), 1), (date(2023, 12, 31), 1),
    (date(2024, 1, 15), 2), (date(2030, 1, 1), 2),
])
def test_in_force_on_a_date(db: sessionmaker[Session], on: date, expected: int | None) -> None:
    doc, ids = _three_versions(db)
    with db() as session:
        version = in_force_on(session, doc, on)
    assert (version.id if version else None) == (ids[expected] if expected is not None else None)


def test_a_revoked_version_is_in_force_only_until_its_revocation(
    db: sessionmaker[Session],
) -> None:
    doc, ids = _three_versions(db)
    with db.begin() as session:
        revoke_version(session, ids[2], date(2024, 6, 1), reason="digabung ke SOP lain")
    with db() as session:
        assert in_force_on(session, doc, date(2024, 5, 31)).id == ids[2]  # type: ignore[union-attr]
        # As the statuses say: with the newest revoked, the one before it applies again.
        assert in_force_on(session, doc, date(2024, 6, 1)).id == ids[1]  # type: ignore[union-attr]
        entries = timeline(session, doc)
        assert [e.version.status for e in entries] == ["digantikan", "berlaku", "dicabut"]
        assert str(entries[2].end) == "2024-06-01"
        assert any("mencabut versi 3" in r for r in entries[2].reasons)


def test_diff_names_changed_fields_and_changed_added_removed_steps(
    db: sessionmaker[Session],
) -> None:
    doc, ids = _three_versions(db)
    with db() as session:
        v2021, v2022, v2024 = (session.get_one(Version, i) for i in ids)
        first = diff_versions(v2021, v2022)
        second = diff_versions(v2022, v2024)
    assert {(c.kind, c.action, c.name) for c in first} == {
        ("field", "changed", "tanggal_revisi"), ("field", "changed", "tanggal_efektif"),
        ("step", "changed", "langkah 2")}
    [step] = [c for c in first if c.kind == "step"]
    assert step.details == (("kegiatan", "Menyiapkan draft perjanjian kinerja",
                             "Menyusun draft perjanjian kinerja berdasarkan Renstra"),)
    assert [(c.action, c.name) for c in second if c.kind == "step"] == [("removed", "langkah 4")]
    lines = format_diff(first)
    assert 'tanggal_efektif: "2022-08-18" -> "2024-01-15"' not in lines  # that is `second`
    assert 'tanggal_efektif: "2021-04-25" -> "2022-08-18"' in lines
    assert "langkah 2 berubah:" in lines
    assert format_diff(diff_versions(v2021, v2021)) == [
        "tidak ada perbedaan pada isian, langkah, atau indikator yang terbaca"]


def test_an_inserted_step_is_added_not_every_later_step_changed(db: sessionmaker[Session]) -> None:
    inserted = [STEPS[0], _step(2, "Mengumpulkan data capaian"),
                *(_step(s["no"] + 1, s["kegiatan"], pelaksana=s["pelaksana"]) for s in STEPS[1:])]
    with db.begin() as session:
        a = add_version(session, _sop("2021-04-09", "2021-04-25"), _stored("a"))
        b = add_version(session, _sop("2022-01-01", "2022-01-10", inserted), _stored("b"))
    with db() as session:
        changes = diff_versions(session.get_one(Version, a.version_id),
                                session.get_one(Version, b.version_id))
    steps = [(c.action, c.name) for c in changes if c.kind == "step"]
    assert steps == [("added", "langkah 2")], steps
    assert "langkah 2 ditambahkan: \"Mengumpulkan data capaian\"" in format_diff(changes)


def test_indicator_and_list_changes(db: sessionmaker[Session]) -> None:
    base = {"doc_type": "lkjip", "instansi": OFFICE, "tahun": 2023,
            "tanggal_pengesahan": "2024-02-13", "peralatan": ["Komputer"],
            "indicators": [{"indikator": "Indeks kepuasan", "target": 80, "realisasi": 82.5},
                           {"indikator": "Jumlah temuan", "target": 5, "realisasi": 3}]}
    revised = {**base, "tanggal_pengesahan": "2024-03-01", "peralatan": ["Komputer", "Scanner"],
               "indicators": [{"indikator": "Indeks kepuasan", "target": 80, "realisasi": 85.0}]}
    with db.begin() as session:
        a = add_version(session, base, _stored("a"))
        b = add_version(session, revised, _stored("b"))
    with db() as session:
        changes = diff_versions(session.get_one(Version, a.version_id),
                                session.get_one(Version, b.version_id))
    got = {(c.kind, c.action, c.name) for c in changes}
    assert got == {("field", "changed", "tanggal_pengesahan"), ("field", "added", "peralatan"),
                   ("indicator", "changed", "indikator 1"),
                   ("indicator", "removed", "indikator 2")}
    [changed] = [c for c in changes if c.action == "changed" and c.kind == "indicator"]
    assert changed.details == (("realisasi", 82.5, 85.0),)
    lines = format_diff(changes)
    assert 'peralatan: ditambahkan: "Scanner"' in lines
    assert 'indikator 2 dihapus: "Jumlah temuan"' in lines
    assert "indikator 1 berubah:" in lines and "    realisasi: 82.5 -> 85.0" in lines


def test_the_migration_renumbers_existing_versions_by_date(tmp_path: Path) -> None:
    """0006: an archive numbered by upload order is renumbered by date once, each change logged
    (so the search index's catch-up re-reads the document)."""
    from sqlalchemy import text

    from archive.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'arsip.db'}")
    upgrade(engine, "0005_revisions")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO documents (id, doc_type, created_at) VALUES (1, 'sop', "
                          "'2024-01-01')"))
        for vid, no, efektif, status in [(1, 1, "2024-01-15", "berlaku"),
                                         (2, 2, "2021-04-25", "digantikan"),
                                         (3, 3, None, "digantikan")]:
            conn.execute(text("INSERT INTO versions (id, document_id, version_no, status, "
                              "uploaded_at, tanggal_efektif, extraction) VALUES (:i, 1, :n, :s, "
                              "'2024-01-01', :e, '{}')"),
                         {"i": vid, "n": no, "s": status, "e": efektif})
    upgrade(engine)
    with engine.connect() as conn:
        numbers = conn.execute(text("SELECT id, version_no FROM versions ORDER BY id")).all()
        logged = conn.execute(text("SELECT version_id, message FROM jobs WHERE kind = 'renumber' "
                                   "ORDER BY version_id")).all()
    assert [tuple(r) for r in numbers] == [(1, 2), (2, 1), (3, 3)]
    assert [r[0] for r in logged] == [1, 2]
    assert "dulu versi 1 (urutan unggah), kini versi 2 dari #1" in logged[0][1]
    engine.dispose()
