"""Retention: defaults from DOMAIN.md, editable rules, stages and what is due."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from archive.documents import add_version
from archive.errors import BadInputError
from archive.retention import due, rules, schedule, set_rule
from archive.store import StoredFile
from tests.archive.fixtures import new_archive

pytestmark = pytest.mark.archive_db  # runs again on PostgreSQL (tests/backend.py)

OFFICE = "Dinas Kesehatan Kota Pontianak"


def _stored(tag: str) -> StoredFile:
    sha = hashlib.sha256(tag.encode()).hexdigest()
    return StoredFile(sha, len(tag), f"{sha[:2]}/{sha}", created=True)


@pytest.fixture
def db(tmp_path: Path) -> sessionmaker[Session]:
    session_factory, _ = new_archive(tmp_path)
    with session_factory.begin() as session:
        sop = {"doc_type": "sop", "instansi": OFFICE, "nomor": "400.7/017/165.06/2023",
               "title": "Penyusunan Perjanjian Kinerja"}
        add_version(session, {**sop, "tanggal_efektif": "2020-03-01"}, _stored("sop1"))
        add_version(session, {**sop, "tanggal_efektif": "2021-06-01"}, _stored("sop2"))
        add_version(session, {"doc_type": "lkjip", "instansi": OFFICE, "tahun": 2020,
                              "tanggal_pengesahan": "2021-02-01"}, _stored("lkjip"))
        add_version(session, {"doc_type": "surat", "instansi": OFFICE}, _stored("surat"))
    return session_factory


def test_defaults_come_from_the_domain_schedule(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        got = {r.doc_type: (r.kka, r.active_years, r.inactive_years, r.final_fate)
               for r in rules(session)}
    assert got["sop"] == ("000.8.3.3", 2, 3, "permanen")
    assert got["lkjip"] == ("000.8.6.3", 2, 3, "musnah")
    assert got["perjanjian_kinerja"] == ("000.7.2.7", 3, 4, "musnah")


@pytest.mark.parametrize(("on", "stages"), [
    # sop v1 (superseded 2021-06-01), sop v2 (in force), lkjip 2020 (clock 2020-12-31), surat
    (date(2022, 1, 1), ["aktif", "aktif", "aktif", "tanpa_aturan"]),
    (date(2023, 6, 1), ["inaktif", "aktif", "inaktif", "tanpa_aturan"]),
    (date(2026, 1, 1), ["inaktif", "aktif", "musnah", "tanpa_aturan"]),
    (date(2026, 6, 1), ["permanen", "aktif", "musnah", "tanpa_aturan"]),
])
def test_stages_over_time(db: sessionmaker[Session], on: date, stages: list[str]) -> None:
    with db.begin() as session:
        items = schedule(session, on)
    assert [i.stage for i in items] == stages
    assert sorted(i.stage for i in due(items)) == sorted(
        s for s in stages if s in ("inaktif", "musnah", "permanen"))


def test_the_periods_are_editable_data(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        set_rule(session, "lkjip", active_years=5)
        set_rule(session, "surat", kka="000.5.3.1", active_years=1, inactive_years=1,
                 final_fate="musnah")
    with db.begin() as session:
        stages = [i.stage for i in schedule(session, date(2023, 6, 1))]
        lkjip = next(i for i in schedule(session, date(2023, 6, 1)) if i.doc_type == "lkjip")
    assert stages[2:] == ["aktif", "aktif"]  # lkjip now 5 years active; surat: its clock is upload
    assert lkjip.active_until == date(2025, 12, 31)
    with db.begin() as session, pytest.raises(BadInputError, match="Nasib akhir"):
        set_rule(session, "sop", final_fate="dibakar")
    with db.begin() as session, pytest.raises(BadInputError,
                                              match="Belum ada aturan retensi untuk 'keputusan'"):
        set_rule(session, "keputusan", active_years=2)
