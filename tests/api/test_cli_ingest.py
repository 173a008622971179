"""`arsip ingest` and `arsip show` in-process, with the data dir under tmp_path."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.cli import cli
from archive.db import make_engine, make_sessionmaker
from archive.models import Document, Job, StoredFileRow, Version
from archive.store import FileStore
from ingest import pipeline
from ingest.model import Extraction
from ingest.pipeline import IngestOptions
from tests.archive.fixtures import count_rows, stored_files
from tests.backend import database_url

pytestmark = pytest.mark.archive_db  # runs again on PostgreSQL (tests/backend.py)

# Each bad file and the words its refusal must contain.
REFUSALS = {
    "empty.pdf": "Berkas kosong (0 bita); unggah ulang berkasnya.",
    "truncated.pdf": "terpotong",
    "not-a-pdf.pdf": "gambar PNG",
    "html-renamed.pdf": "HTML",
    "encrypted.pdf": "kata sandi",
    "3000-blank-pages.pdf": "3000 halaman",
    "inflate-bomb.pdf": "bom dekompresi",
}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"  # does not exist yet: `arsip ingest` creates it
    monkeypatch.setenv("ARSIP_DATA_DIR", str(data))
    monkeypatch.delenv("ARSIP_DATABASE_URL", raising=False)
    return data


def _archive(data: Path) -> tuple[sessionmaker[Session], FileStore]:
    return make_sessionmaker(make_engine(database_url(data / "arsip.db"))), FileStore(data / "files")


def _fake_extract(monkeypatch: pytest.MonkeyPatch, by_name: dict[str, Extraction]) -> None:
    def extract(path: Path, options: IngestOptions) -> Extraction:
        return by_name[path.name]

    monkeypatch.setattr(pipeline, "extract", extract)


def test_bad_files_are_refused_one_by_one(corpus_dir: Path, data_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["ingest", str(corpus_dir / "bad")])
    assert result.exit_code == 5, result.output
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines()[:-1])
    for name, words in REFUSALS.items():
        line = lines[str(corpus_dir / "bad" / name)]
        assert line.startswith("ditolak: ") and words in line, (name, line)
    accepted = lines[str(corpus_dir / "bad" / "encrypted-no-user-password.pdf")]
    assert accepted.startswith("dokumen baru #"), accepted
    assert result.stdout.splitlines()[-1] == (
        "8 berkas: 1 dokumen baru, 0 versi baru, 0 sudah diarsipkan, 7 ditolak, 0 gagal")
    session_factory, store = _archive(data_dir)
    assert count_rows(session_factory, Document) == 1  # the accepted one only
    with session_factory() as session:  # its original, and the searchable copy OCR made of it
        roles = sorted(session.scalars(select(StoredFileRow.role)))
    assert roles.count("original") == 1 and set(roles) <= {"original", "searchable"}, roles
    assert len(stored_files(store)) == len(roles)  # no file of a refused upload was kept
    assert count_rows(session_factory, Job) == 8  # seven refusals and one success, all logged


def test_folders_are_searched_and_each_file_gets_a_line(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in" / "sub"
    folder.mkdir(parents=True)
    office = "Dinas Kesehatan Kota Samarinda"
    sop = Extraction(doc_type="sop", instansi=office, nomor="440/7/SOP/2022",
                     tanggal_efektif="2022-01-03", title="Rujukan")
    (folder / "sop.pdf").write_bytes(b"%PDF-1.4 one")
    (folder / "SOP-REV1.PDF").write_bytes(b"%PDF-1.4 two")
    (folder / "copy.pdf").write_bytes(b"%PDF-1.4 one")
    (folder / "notes.txt").write_text("not ingested")
    _fake_extract(monkeypatch, {"sop.pdf": sop, "copy.pdf": sop,
                                "SOP-REV1.PDF": sop.replace(tanggal_efektif="2023-06-01")})
    result = CliRunner().invoke(cli, ["ingest", "--uploader", "tata usaha", str(tmp_path / "in")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{folder / 'SOP-REV1.PDF'}: dokumen baru #1",
        # older by date, so it takes number 1 (versions are numbered by their dates)
        f"{folder / 'copy.pdf'}: versi baru 1 dari #1",
        f"{folder / 'sop.pdf'}: sudah diarsipkan sebagai versi 1 dari #1",
        "3 berkas: 1 dokumen baru, 1 versi baru, 1 sudah diarsipkan, 0 ditolak, 0 gagal",
    ]
    assert "\x1b" not in result.stdout  # no progress bar when stdout is not a terminal

    shown = CliRunner().invoke(cli, ["show", "1"])
    assert shown.exit_code == 0, shown.output
    assert "440/7/SOP/2022" in shown.stdout and "oleh tata usaha" in shown.stdout
    assert re.search(r"versi 1 \[digantikan\] copy\.pdf", shown.stdout)
    assert re.search(r"versi 2 \[berlaku\] SOP-REV1\.PDF", shown.stdout)

    as_json = json.loads(CliRunner().invoke(cli, ["show", "1", "--json"]).stdout)
    assert [(v["version_no"], v["status"]) for v in as_json["versions"]] == [
        (1, "digantikan"), (2, "berlaku")]
    assert as_json["nomor"] == "440/7/SOP/2022" and len(as_json["versions"][1]["files"]) == 1


def test_show_unknown_document(data_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["show", "7"])
    assert result.exit_code == 3, result.output
    assert result.stderr == ("galat (not_found): Dokumen #7 tidak ada; cari dokumennya lewat kotak "
                             "pencarian (baris perintah: `arsip search`), atau unggah dokumennya.\n")


def test_a_crashing_parser_fails_one_file_not_the_batch(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4 a")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4 b")

    def extract(path: Path, options: IngestOptions) -> Extraction:
        if path.name == "a.pdf":
            raise ValueError("parser bug")
        return Extraction(doc_type="other")

    monkeypatch.setattr(pipeline, "extract", extract)
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "a.pdf"), str(tmp_path / "b.pdf")])
    assert result.exit_code == 1
    assert "a.pdf: gagal: kesalahan program (ValueError: parser bug)" in result.stdout
    assert "b.pdf: dokumen baru #1" in result.stdout


def _parser_ready(module: str) -> bool:
    return importlib.util.find_spec(f"ingest.parsers.{module}") is not None


@pytest.mark.skipif(not _parser_ready("sop"), reason="the SOP parser has not landed yet")
def test_end_to_end_sop_and_its_revision(corpus_dir: Path, data_dir: Path) -> None:
    files = [corpus_dir / "sop-bkpsdm-10.pdf", corpus_dir / "sop-bkpsdm-10-rev1.pdf",
             corpus_dir / "sop-bkpsdm-10.pdf"]
    runner = CliRunner()
    first = runner.invoke(cli, ["ingest", *map(str, files[:2])])
    again = runner.invoke(cli, ["ingest", str(files[2])])
    assert first.exit_code == 0 and again.exit_code == 0, first.output + again.output
    assert first.stdout.splitlines()[:2] == [f"{files[0]}: dokumen baru #1",
                                             f"{files[1]}: versi baru 2 dari #1"]
    assert again.stdout.splitlines()[0] == f"{files[2]}: sudah diarsipkan sebagai versi 1 dari #1"
    shown = json.loads(runner.invoke(cli, ["show", "1", "--json"]).stdout)
    truth = json.loads((corpus_dir / "sop-bkpsdm-10-rev1.json").read_text())
    assert shown["nomor"] == truth["nomor"]
    assert [(v["status"], v["tanggal_efektif"]) for v in shown["versions"]] == [
        ("digantikan", json.loads((corpus_dir / "sop-bkpsdm-10.json").read_text())["tanggal_efektif"]),
        ("berlaku", truth["tanggal_efektif"])]
    assert all(v["steps"] > 0 for v in shown["versions"])
    session_factory, _ = _archive(data_dir)
    assert count_rows(session_factory, Version) == 2


@pytest.mark.skipif(not (_parser_ready("lkjip") and _parser_ready("form")),
                    reason="the LKjIP and form parsers have not landed yet")
def test_end_to_end_reports_and_forms_keep_their_indicators(
    corpus_dir: Path, data_dir: Path
) -> None:
    names = ["lkjip-bakesbangpol-2023-02", "lkjip-bakesbangpol-2024-01", "form-dinkes-2022-01"]
    runner = CliRunner()
    result = runner.invoke(cli, ["ingest", *(str(corpus_dir / f"{n}.pdf") for n in names)])
    assert result.exit_code == 0, result.output
    # Same office, two years: two documents; a form is a document of its own.
    assert [line.split(": ", 1)[1] for line in result.stdout.splitlines()[:3]] == [
        "dokumen baru #1", "dokumen baru #2", "dokumen baru #3"]
    for number, name in enumerate(names, start=1):
        shown = json.loads(runner.invoke(cli, ["show", str(number), "--json"]).stdout)
        truth = json.loads((corpus_dir / f"{name}.json").read_text())
        assert (shown["doc_type"], shown["tahun"]) == (truth["doc_type"], truth["tahun"])
        assert shown["versions"][0]["indicators"] > 0
