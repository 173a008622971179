"""Surat pengantar: words for quantities, request validation, rendering, and the issued PDF read back."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from api import letters
from archive import numbering as nb
from archive.db import make_engine, upgrade
from archive.errors import BadInputError
from archive.models_letters import Letter
from tests.backend import database_url

pytestmark = pytest.mark.archive_db  # runs again on PostgreSQL (tests/backend.py)

DATA = Path(__file__).resolve().parent.parent / "data"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.mark.parametrize("n,words", [
    (0, "nol"), (1, "satu"), (10, "sepuluh"), (11, "sebelas"), (15, "lima belas"), (20, "dua puluh"),
    (99, "sembilan puluh sembilan"), (100, "seratus"), (115, "seratus lima belas"),
    (250, "dua ratus lima puluh"), (1000, "seribu"), (1100, "seribu seratus"),
    (2024, "dua ribu dua puluh empat"), (1_000_000, "satu juta"),
    (3_150_000, "tiga juta seratus lima puluh ribu"),
])
def test_terbilang(n: int, words: str) -> None:
    assert letters.terbilang(n) == words


def test_quantity_and_nip() -> None:
    assert letters.quantity_text(1) == "1 (satu) berkas"
    assert letters.quantity_text(12, "eksemplar") == "12 (dua belas) eksemplar"
    assert letters.format_nip("198204252009022002") == "19820425 200902 2 002"


def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "letter-lkjip.json").read_text(encoding="utf-8"))
    return data


def test_missing_field_is_refused_with_its_name() -> None:
    data = _data()
    del data["pengirim"]["nip"]
    with pytest.raises(BadInputError, match="pengirim.nip: wajib diisi"):
        letters.parse_request(data)
    data = _data()
    data["pengirim"]["nip"] = "1972"
    data["items"] = []
    data["lampiran"] = "2 berkas"
    with pytest.raises(BadInputError) as refused:
        letters.parse_request(data)
    assert refused.value.message == (
        "Data surat tidak lengkap atau salah: items: harus berisi sedikitnya 1 butir; "
        "pengirim.nip: NIP harus 18 angka; lampiran: isian tidak dikenal; hapus atau periksa "
        "ejaannya.")


def test_profile_fills_kop_and_sender() -> None:
    data = _data()
    profile = {"kop": data.pop("kop"), "pengirim": data.pop("pengirim"), "tempat": "Samarinda"}
    del data["tempat"]
    req = letters.parse_request(data, profile)
    assert req.kop.instansi == "Badan Perencanaan Pembangunan Daerah" and req.tempat == "Samarinda"


def test_html_is_escaped_and_strict() -> None:
    data = _data()
    data["items"][0]["uraian"] = "<script>alert(1)</script> & lampiran"
    html = letters.render_html(letters.parse_request(data), nb.DRAFT_BLANK)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; lampiran" in html
    env = letters.letter_environment()
    assert env.autoescape and env is letters.letter_environment()
    with pytest.raises(Exception, match="undefined"):
        env.from_string("{{ missing }}").render()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(database_url(tmp_path / "arsip.db"))
    upgrade(eng)
    nb.set_format(eng, "bappeda-smd", nb.NumberFormat(unit="35.73.411", default_kka="000.5.3.1"))
    yield eng
    eng.dispose()


def test_issued_letter_reads_back(engine: Engine, tmp_path: Path) -> None:
    nb.allocate(engine, "bappeda-smd", nb.LetterEntry(tanggal=_req().tanggal))
    issued = letters.issue_letter(engine, _req())
    assert issued.allocated.number == "000.8.6.3/002/35.73.411/2026"
    pdf = tmp_path / "surat.pdf"
    pdf.write_bytes(issued.pdf)
    with pdfplumber.open(pdf) as doc:
        assert len(doc.pages) == 1
        page = doc.pages[0]
        assert (round(page.width), round(page.height)) == (595, 842)  # A4 in points
        flat = re.sub(r"\s+", " ", page.extract_text())
    assert "Nomor: 000.8.6.3/002/35.73.411/2026" in flat
    assert "Yth. Inspektur Kota Samarinda" in flat and "21 November 2026" in flat
    for phrase in ("Laporan Kinerja Instansi", "Pemerintah (LKjIP) Tahun 2025", "1 (satu) berkas",
                   "Perjanjian Kinerja Tahun 2026", "2 (dua) eksemplar", "Format Pengumpulan Data",
                   "15 (lima belas)"):
        assert phrase in flat, phrase
    assert "NIP 19720415 199803 2 004" in flat
    _assert_fonts_embedded(pdf)
    _save_png(pdf, "surat_pengantar_p1.png")


def _req() -> letters.LetterRequest:
    return letters.parse_request(_data())


def _assert_fonts_embedded(pdf: Path) -> None:
    fonts = PdfReader(pdf).pages[0]["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        desc = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        fd = desc["/FontDescriptor"].get_object()
        assert any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]


def _save_png(pdf: Path, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    doc = pdfium.PdfDocument(pdf)
    try:
        doc[0].render(scale=150 / 72).to_pil().save(ARTIFACTS / name)
    finally:
        doc.close()
    assert (ARTIFACTS / name).stat().st_size > 10_000


def test_reserved_letter_and_draft_blank(engine: Engine) -> None:
    issued = letters.issue_letter(engine, _req(), reserve=True)
    assert issued.allocated.status == "reserved"
    html = letters.render_html(_req(), nb.DRAFT_BLANK)
    assert f"Nomor: <span class=\"nomor-isi\">{nb.DRAFT_BLANK}</span>" in html


def test_sisipan_letter(engine: Engine) -> None:
    letters.issue_letter(engine, _req())
    issued = letters.issue_letter(engine, _req(), sisipan_after=1)
    assert issued.allocated.number == "000.8.6.3/001.01/35.73.411/2026"


def test_render_failure_voids_the_number(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_req: Any, _nomor: str) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr(letters, "render_letter", broken)
    with pytest.raises(OSError):
        letters.issue_letter(engine, _req())
    with Session(engine) as s:
        row = s.scalars(select(Letter)).one()
        assert row.status == "void" and row.void_reason is not None and "disk full" in row.void_reason
        assert [i.description for i in row.items][0].startswith("Laporan Kinerja")


def test_cli_new_list_void_and_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner
    from openpyxl import load_workbook

    from api.cli import cli
    from archive.models import Document

    monkeypatch.setenv("ARSIP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ARSIP_DATABASE_URL", raising=False)
    run = CliRunner().invoke
    profile = tmp_path / "profile.json"
    data = _data()
    profile.write_text(json.dumps({"kop": data["kop"], "pengirim": data["pengirim"],
                                   "tempat": "Samarinda"}), encoding="utf-8")
    r = run(cli, ["letter", "format", "bappeda-smd", "--unit", "35.73.411", "--kka", "000.5.3.1",
                  "--profile", str(profile)])
    assert r.exit_code == 0, r.output
    assert run(cli, ["reindex"]).exit_code == 0  # an index exists: the letter must be added to it
    r = run(cli, ["letter", "new", "--from", str(DATA / "letter-lkjip.json"), "--out", str(tmp_path / "a.pdf")])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("000.8.6.3/001/35.73.411/2026\tterkirim\n"), r.stdout
    assert re.search(r"^diarsipkan sebagai dokumen #\d+$", r.stdout, re.M), r.stdout
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    r = run(cli, ["search", "000.8.6.3/001/35.73.411/2026", "--json"])  # indexed when archived
    assert r.exit_code == 0, r.output
    assert [h["doc_type"] for h in json.loads(r.stdout)["hits"]] == ["surat"]
    r = run(cli, ["letter", "new", "--office", "bappeda-smd", "--date", "2026-12-01", "--to", "Kepala BPKAD",
                  "--di", "Samarinda", "--item", "LKjIP 2025|3|eksemplar|Untuk arsip", "--reserve"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("000.5.3.1/002/35.73.411/2026\tdipesan\n"), r.stdout
    r = run(cli, ["search", "000.5.3.1/002/35.73.411/2026", "--json"])
    assert [h["status"] for h in json.loads(r.stdout)["hits"]] == ["berlaku"]  # the reserved letter, archived
    r = run(cli, ["letter", "void", "000.5.3.1 / 002 / 35.73.411 / 2026", "--reason", "Draf batal"])
    assert r.exit_code == 0, r.output
    assert re.match(r"000\.5\.3\.1/002/35\.73\.411/2026\tbatal\tdokumen #\d+ dicabut$", r.stdout), r.stdout
    # the voided letter leaves the search results (it is no longer in force), history still has it
    r = run(cli, ["search", "000.5.3.1/002/35.73.411/2026", "--json"])
    assert json.loads(r.stdout)["hits"] == []
    r = run(cli, ["search", "000.5.3.1/002/35.73.411/2026", "--riwayat", "--json"])
    assert [h["status"] for h in json.loads(r.stdout)["hits"]] == ["dicabut"]
    r = run(cli, ["letter", "void", "000.5.3.1/002/35.73.411/2026", "--reason", "lagi"])
    assert r.exit_code == 4 and "sudah batal" in r.stderr
    r = run(cli, ["letter", "confirm", "000.5.3.1/002/35.73.411/2026"])
    assert r.exit_code == 4 and "berstatus batal, bukan dipesan" in r.stderr, r.output
    xlsx = tmp_path / "agenda.xlsx"
    r = run(cli, ["letter", "list", "--year", "2026", "--xlsx", str(xlsx)])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[1].split("\t")[2:3] == ["batal"]
    ws = load_workbook(xlsx).active
    assert ws is not None
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert [v[1] for v in values] == ["000.8.6.3/001/35.73.411/2026", "000.5.3.1/002/35.73.411/2026"]
    assert values[1][5:] == ["batal", "Draf batal"]
    eng = make_engine(database_url(tmp_path / "data" / "arsip.db"))
    with Session(eng) as s:
        letter = s.scalars(select(Letter).where(Letter.urut == 1)).one()
        doc = s.get(Document, letter.document_id)
        assert doc is not None and doc.doc_type == "surat" and doc.nomor == letter.number
        version = doc.versions[0]
        assert "Inspektur Kota Samarinda" in "\n".join(version.extraction["page_texts"])
    # a letter that sends an archived version links to it; an unknown version is refused
    data = _data()
    data["items"] = [{"uraian": "Surat pengantar terdahulu", "version_id": version.id}]
    sent = letters.issue_letter(eng, letters.parse_request(data))
    with Session(eng) as s:
        row = s.get(Letter, sent.allocated.letter_id)
        assert row is not None and row.items[0].version_id == version.id
    data["items"][0]["version_id"] = 9999
    with pytest.raises(BadInputError, match="#9999"):
        letters.issue_letter(eng, letters.parse_request(data))
    eng.dispose()


def test_confirming_on_another_date_prints_the_letter_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reserved on 1 December, signed on 3 December: the archive's in-force letter carries the 3rd."""
    from click.testing import CliRunner

    from api.cli import cli
    from archive.models import Document

    monkeypatch.setenv("ARSIP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ARSIP_DATABASE_URL", raising=False)
    run = CliRunner().invoke
    data = _data()
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"kop": data["kop"], "pengirim": data["pengirim"], "tempat": "Samarinda"}),
                       encoding="utf-8")
    assert run(cli, ["letter", "format", "bappeda-smd", "--unit", "35.73.411", "--kka", "000.5.3.1",
                     "--profile", str(profile)]).exit_code == 0
    new = ["letter", "new", "--office", "bappeda-smd", "--to", "Kepala BPKAD", "--di", "Samarinda",
           "--item", "LKjIP 2025|3|eksemplar|Untuk arsip", "--reserve"]
    assert run(cli, [*new, "--date", "2026-12-01"]).exit_code == 0
    assert run(cli, [*new, "--date", "2026-12-02"]).exit_code == 0
    r = run(cli, ["letter", "confirm", "000.5.3.1/001/35.73.411/2026", "--date", "2026-12-03"])
    assert r.exit_code == 0, r.output
    assert re.match(r"000\.5\.3\.1/001/35\.73\.411/2026\tterkirim\tdicetak ulang bertanggal 2026-12-03: "
                    r"versi baru dokumen #\d+$", r.stdout), r.stdout
    r = run(cli, ["letter", "confirm", "000.5.3.1/002/35.73.411/2026"])  # signed on its own date
    assert r.stdout == "000.5.3.1/002/35.73.411/2026\tterkirim\n", r.stdout
    eng = make_engine(database_url(tmp_path / "data" / "arsip.db"))
    with Session(eng) as s:
        first, second = (s.scalars(select(Letter).where(Letter.urut == n)).one() for n in (1, 2))
        assert first.tanggal.isoformat() == first.content["tanggal"] == "2026-12-03"
        doc = s.get(Document, first.document_id)
        assert doc is not None and len(doc.versions) == 2
        in_force = [v for v in doc.versions if v.status == "berlaku"]
        assert len(in_force) == 1 and "3 Desember 2026" in "\n".join(in_force[0].extraction["page_texts"])
        assert len(s.get(Document, second.document_id).versions) == 1  # type: ignore[union-attr]
    eng.dispose()
    r = run(cli, ["search", "000.5.3.1/001/35.73.411/2026", "--json"])
    assert len(json.loads(r.stdout)["hits"]) == 1  # the reprint only: the first printing is history
