"""`arsip correct`: a misread field corrected from the command line reaches search, the indicator
export and `arsip show --json` at once; the machine's reading stays in the history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from archive import audit
from archive.db import make_engine, make_sessionmaker
from archive.models import Version
from archive.revisions import history, machine_reading
from ingest import pipeline
from ingest.model import Extraction, Indicator
from ingest.pipeline import IngestOptions
from tests.backend import database_url

pytestmark = pytest.mark.archive_db

READ = Extraction(doc_type="lkjip", scanned=True, instansi="Dinas Kominfo Kota Samarinda",
                  title="Laporan Kinerja 2024", tahun=2024,
                  indicators=(Indicator(indikator="Persentase aduan terselesaikan", target=9.0,
                                        realisasi=85.0, page=3),),
                  page_texts=("Laporan Kinerja", "", "Persentase aduan terselesaikan 9 85"),
                  confidence={"indicators[0].target": 0.41})


@pytest.fixture
def ingested(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("ARSIP_DATA_DIR", str(data))
    monkeypatch.delenv("ARSIP_DATABASE_URL", raising=False)

    def extract(path: Path, options: IngestOptions) -> Extraction:
        return READ

    monkeypatch.setattr(pipeline, "extract", extract)
    (tmp_path / "lkjip.pdf").write_bytes(b"%PDF-1.4 scan")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "lkjip.pdf")])
    assert result.exit_code == 0, result.output
    return data


def _indicator_json(runner: CliRunner) -> list[dict[str, object]]:
    out = runner.invoke(cli, ["indikator", "aduan terselesaikan", "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)["rows"]


def test_correct_reaches_search_export_and_json(ingested: Path) -> None:
    runner = CliRunner()
    assert [r["target"] for r in _indicator_json(runner)] == [9.0]
    result = runner.invoke(cli, ["correct", "1", "--set", "indicators[0].target=90",
                                 "--set", "title=Laporan Kinerja Instansi Pemerintah 2024",
                                 "--reason", "angka 90 tercetak, terbaca 9"])
    assert result.exit_code == 0, result.output
    assert "revisi 1" in result.stdout and "indicators[0].target: 9.0 -> 90.0" in result.stdout
    assert [r["target"] for r in _indicator_json(runner)] == [90.0]  # the index, at once
    csv = runner.invoke(cli, ["indikator", "aduan terselesaikan", "--csv", "-"]).stdout
    assert "90" in csv.splitlines()[1]
    shown = json.loads(runner.invoke(cli, ["show", "1", "--json"]).stdout)
    assert shown["title"] == "Laporan Kinerja Instansi Pemerintah 2024"
    found = json.loads(runner.invoke(cli, ["search", "aduan", "--json"]).stdout)
    assert found["hits"][0]["title"] == "Laporan Kinerja Instansi Pemerintah 2024"
    sessions = make_sessionmaker(make_engine(database_url(ingested / "arsip.db")))
    with sessions() as session:
        version = session.get(Version, 1)
        assert version is not None
        assert machine_reading(session, version)["indicators"][0]["target"] == 9.0
        assert history(session, 1)[0].reason == "angka 90 tercetak, terbaca 9"
        last = audit.as_dict(list(audit.rows(session))[-1])
        assert last["action"] == "koreksi" and last["actor"].startswith("cli:")


def test_correct_refuses_wrong_values_in_indonesian(ingested: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(cli, ["correct", "1", "--set", "indicators[0].target=sembilan puluh",
                              "--reason", "x"])
    assert bad.exit_code == 2 and "bukan angka" in bad.output
    no_eq = runner.invoke(cli, ["correct", "1", "--set", "title", "--reason", "x"])
    assert no_eq.exit_code == 2 and "KOLOM=NILAI" in no_eq.output
    unknown = runner.invoke(cli, ["correct", "1", "--set", "judul=x", "--reason", "x"])
    assert unknown.exit_code == 2 and "tidak dikenal" in unknown.output
    nothing = runner.invoke(cli, ["correct", "1", "--reason", "x"])
    assert nothing.exit_code == 2 and "--set" in nothing.output


def test_reading_again_keeps_every_human_value(ingested: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`arsip reextract` (a new OCR engine run) takes the new machine reading, never over a
    person's value; `arsip reindex` afterwards still finds the corrected value."""
    runner = CliRunner()
    fixed = runner.invoke(cli, ["correct", "1", "--set", "indicators[0].target=90",
                                "--set", "indicators[0].realisasi=86,5",
                                "--set", "title=Laporan Kinerja Instansi Pemerintah 2024",
                                "--reason", "dicocokkan dengan cetakan"])
    assert fixed.exit_code == 0, fixed.output
    better = READ.replace(title="LAPORAN KINERJA 2024", instansi="Dinas Komunikasi dan Informatika",
                          indicators=(Indicator(indikator="Persentase aduan yang terselesaikan",
                                                target=80.0, realisasi=85.0, page=3),),
                          confidence={})
    monkeypatch.setattr(pipeline, "extract", lambda path, options: better)
    again = runner.invoke(cli, ["reextract", "1"])
    assert again.exit_code == 0, again.output
    assert "nilai koreksi tetap" in again.stdout
    shown = json.loads(runner.invoke(cli, ["show", "1", "--json"]).stdout)
    assert shown["title"] == "Laporan Kinerja Instansi Pemerintah 2024"
    assert shown["instansi"] == "Dinas Komunikasi dan Informatika"  # the new machine value
    assert runner.invoke(cli, ["reindex"]).exit_code == 0
    [row] = _indicator_json(runner)
    assert (row["target"], row["realisasi"], row["indikator"]) == (
        90.0, 86.5, "Persentase aduan yang terselesaikan")
    sessions = make_sessionmaker(make_engine(database_url(ingested / "arsip.db")))
    with sessions() as session:
        version = session.get(Version, 1)
        assert version is not None
        assert machine_reading(session, version)["indicators"][0]["target"] == 80.0
        assert [a["action"] for a in map(audit.as_dict, audit.rows(session))][-2:] == [
            "koreksi", "version.reextract"]


def test_rows_are_added_and_removed_from_the_command_line(ingested: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(cli, ["correct", "1", "--add", "indicators[1]",
                                "--set", "indicators[1].indikator=Persentase aduan terselesaikan "
                                "tepat waktu", "--set", "indicators[1].target=75",
                                "--reason", "baris kedua tabel terlewat"])
    assert added.exit_code == 0, added.output
    assert "indicators[1]: baris ditambah" in added.stdout
    assert [r["target"] for r in _indicator_json(runner)] == [9.0, 75.0]
    removed = runner.invoke(cli, ["correct", "1", "--remove", "indicators[0]",
                                  "--reason", "baris ganda", "--json"])
    assert removed.exit_code == 0, removed.output
    assert json.loads(removed.stdout)["changes"][0]["kind"] == "hapus"
    assert [r["target"] for r in _indicator_json(runner)] == [75.0]
    empty = runner.invoke(cli, ["correct", "1", "--add", "indicators[0]", "--reason", "x"])
    assert empty.exit_code == 2 and "indicators[0].indikator" in empty.output
