"""SOP templates other than the grid the first parser was written for: identity pages without
rules (`Label : value` lines, labels in one row with values below), a ruled grid whose labels
stand in one row, a flowchart with one Pelaksana column of names, stacked step numbers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ingest.layout import Box, Cell, DocumentContent, PageContent, Table, Word
from ingest.model import Extraction, Official, Waktu
from ingest.nip import problem as nip_problem
from ingest.ocr import TesseractEngine
from ingest.parsers._sop_flow import stacked_numbers
from ingest.parsers._sop_identity import (
    clean_nomor,
    labelled_segments,
    match_list_label,
    nomor_doubts,
    parse_official,
)
from ingest.parsers._sop_signature import complete_official, signature_texts
from ingest.parsers._sop_table import is_column_number_row, leaf_role
from ingest.parsers._sop_waktu import parse_waktu
from ingest.parsers.sop import doubts, parse, self_checks, sop_year
from ingest.raster import render_page, straighten
from ingest.scan import read_page_image
from ingest.scan_second import _nip_verdict
from ingest.textlayer import read_text_layer
from tests.ingest.sop_fixtures import ACTORS, STEPS, FlowSpec, write_sop_pdf
from tests.ingest.sop_layout_fixtures import NAME_STEPS, label_lines, labels_in_a_row

SIGNED = Official(jabatan="Kepala Badan Pendapatan Daerah Kabupaten Sukamaju", nama="Ir. Budi Hartono, M.M.",
                  nip="197503122000031002", pangkat="Pembina Tingkat I (IV/b)")


@pytest.fixture(scope="module", params=[label_lines, labels_in_a_row], ids=["label-lines", "labels-in-a-row"])
def sop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Extraction:
    path = request.param(tmp_path_factory.mktemp("sop") / "sop.pdf")
    return parse(read_text_layer(path))


def test_identity_without_a_grid(sop: Extraction) -> None:
    assert sop.nomor == "973/12/BAPENDA/2023"
    assert (sop.tanggal_pembuatan, sop.tanggal_revisi, sop.tanggal_efektif) == ("2023-05-02", None, "2023-05-15")
    assert sop.title == "Pelayanan Keberatan Pajak Daerah"
    assert sop.disahkan_oleh == SIGNED  # the block under its value, over the signature's blank line
    assert sop.pemerintah == "Pemerintah Kabupaten Sukamaju"
    assert sop.instansi == "Badan Pendapatan Daerah Kabupaten Sukamaju"


def test_lists_as_label_lines_with_items_under_them(sop: Extraction) -> None:
    assert sop.dasar_hukum == ("Undang-Undang Nomor 28 Tahun 2009 tentang Pajak Daerah",
                               "Peraturan Daerah Nomor 3 Tahun 2020 tentang Pajak Daerah")
    assert sop.kualifikasi_pelaksana == ("Memahami peraturan pajak daerah", "Mampu mengoperasikan komputer")
    assert sop.keterkaitan == ("SOP Penagihan Pajak Daerah",)
    assert sop.peralatan == ("Komputer", "Printer")
    assert sop.peringatan == ("Jika berkas tidak lengkap, permohonan dikembalikan",)
    assert sop.pencatatan == ("Buku register permohonan",)


def test_flow_with_aktivitas_and_one_pelaksana_column_of_names(sop: Extraction) -> None:
    # the column-number row (1 2 3 ... 7) under the header is not a step
    assert [s.no for s in sop.steps] == [1, 2, 3, 4]
    assert [s.pelaksana for s in sop.steps] == [step[2] for step in NAME_STEPS]
    assert sop.pelaksana == ("Petugas Loket", "Kepala Sub Bidang", "Kepala Badan")
    assert sop.steps[1].kegiatan == "Memeriksa kelengkapan berkas"
    assert sop.steps[1].kelengkapan == "Berkas"  # under 'Persyaratan'
    assert sop.steps[2].waktu == Waktu("2 jam", 2, "jam")
    assert not [w for w in sop.warnings if "pelaksana" in w]


def _cell(text: str, x0: float, top: float, x1: float, bottom: float) -> Cell:
    return Cell(text, Box(x0, top, x1, bottom))


def test_ruled_grid_with_labels_in_one_row_and_values_below() -> None:
    labels = ("Nomor SOP", "Tanggal Pembuatan", "Tanggal Revisi", "Tanggal Efektif")
    values = ("12/SOP/2022", "4 Juli 2022", "", "1 Agustus 2022")
    xs = (40.0, 200.0, 360.0, 520.0, 680.0)
    rows = (
        tuple(_cell(t, xs[i], 100, xs[i + 1], 120) for i, t in enumerate(labels)),
        tuple(_cell(t, xs[i], 120, xs[i + 1], 140) for i, t in enumerate(values)),
        (_cell("Nama SOP", 40, 140, 200, 160), _cell("PENGELOLAAN ARSIP AKTIF", 200, 140, 680, 160), None, None),
    )
    page = PageContent(number=1, width=842, height=595, text="PEMERINTAH KOTA CONTOH\nDINAS KEARSIPAN",
                       tables=(Table(page=1, box=Box(40, 100, 680, 160), rows=rows),))
    got = parse(DocumentContent(pages=(page,)))
    assert (got.nomor, got.tanggal_pembuatan, got.tanggal_revisi, got.tanggal_efektif) == (
        "12/SOP/2022", "2022-07-04", None, "2022-08-01")
    assert got.title == "Pengelolaan Arsip Aktif"


def test_step_numbers_stacked_in_one_no_cell() -> None:
    assert stacked_numbers("3\n4") == [3, 4]
    assert stacked_numbers("3") == []
    assert stacked_numbers("3\n5") == []
    xs = (20.0, 40.0, 200.0, 260.0, 320.0)
    head = (_cell("No", 20, 40, 40, 60), _cell("Kegiatan", 40, 40, 200, 60),
            _cell("Pelaksana", 200, 40, 260, 60), _cell("Output", 260, 40, 320, 60))
    rows = [head]
    for i, (no, keg, who) in enumerate([("1", "Menerima", "Petugas"), ("2\n3", "Memeriksa", "Kasi"),
                                        (None, "Menyetujui", "Kepala"), ("4", "Mengirim", "Petugas")]):
        top = 60.0 + 30 * i
        no_cell = None if no is None else _cell(no, 20, top, 40, top + (60 if "\n" in no else 30))
        rows.append((no_cell, _cell(keg, 40, top, 200, top + 30), _cell(who, 200, top, 260, top + 30),
                     _cell("Berkas", 260, top, 320, top + 30)))
    table = Table(page=1, box=Box(xs[0], 40, xs[-1], 180), rows=tuple(rows))
    page = PageContent(number=1, width=842, height=595, text="SOP", tables=(table,))
    got = parse(DocumentContent(pages=(page,)))
    assert [(s.no, s.kegiatan, s.pelaksana) for s in got.steps] == [
        (1, "Menerima", "Petugas"), (2, "Memeriksa", "Kasi"), (3, "Menyetujui", "Kepala"), (4, "Mengirim", "Petugas")]


def test_signatory_printed_as_an_office_only() -> None:
    assert parse_official("KEPALA DPUPR") == Official(jabatan="Kepala Dpupr")
    assert parse_official("Plt. Sekretaris Dinas") == Official(jabatan="Plt. Sekretaris Dinas")


def test_waktu_with_the_number_spelled_out() -> None:
    got = parse_waktu("Pada hari dan jam kerja, maksimal 7 (tujuh) harikerja, sejak permohonan")
    assert got is not None and (got.value, got.unit) == (7, "hari")
    got = parse_waktu("paling lambat 14 (empat belas) hari kerja")
    assert got is not None and (got.value, got.unit) == (14, "hari")


# --- self-checks -----------------------------------------------------------------------------

def test_nip_structure() -> None:
    assert nip_problem("197503122000031002") is None
    assert nip_problem("197513122000031002") == "tanggal lahir 19751312 tidak ada"
    assert "TMT" in (nip_problem("197503121980031002") or "")  # CPNS at five
    assert "jenis kelamin" in (nip_problem("197503122000033002") or "")
    assert nip_problem("19750312200003100") == "bukan 18 angka"


def test_self_checks_warn_and_never_change_a_value() -> None:
    values: dict[str, str | None] = {"tanggal_pembuatan": "2024-02-01", "tanggal_revisi": None,
                                     "tanggal_efektif": "2024-01-08"}
    bad_nip = Official(jabatan="Kepala", nama="A", nip="197513122000031002")
    got = self_checks(values, bad_nip)
    assert got[0].startswith("tanggal_efektif: 2024-01-08 lebih awal dari tanggal_pembuatan 2024-02-01")
    assert got[1].startswith("disahkan_oleh.nip: 197513122000031002 tidak sesuai susunan NIP")
    assert [name for name, _ in doubts(values, bad_nip)] == ["tanggal_efektif", "disahkan_oleh.nip"]
    assert self_checks({"tanggal_pembuatan": "2024-01-05", "tanggal_efektif": "2024-01-08"}, SIGNED) == []
    assert sop_year(values) == 2024 and sop_year({"tanggal_pembuatan": "2019-02-03"}) == 2019
    assert sop_year({}) is None


def test_second_reading_of_a_nip_chosen_by_its_structure() -> None:
    assert _nip_verdict("196613081993031009", "196604081993031009") is True  # month 13: take the second
    assert _nip_verdict("196604081993031009", "196604081993033009") is False  # sex digit 3: keep the first
    assert _nip_verdict("196604081993031009", "196604091993031009") is None  # both hold: confidence decides


def test_jabatan_under_a_stamp_as_ocr_reads_it() -> None:
    got = parse_official("KEPALA-DINAS-KOMUNIKASI DAN INFORMATIKA\n5 PROVINSI KALIMANTAN BARAT\nKoi SP\n"
                         "SAMUEL, SE, M.Si\nNIP.19660408 199303 1 009")
    assert got is not None
    assert got.jabatan == "Kepala Dinas Komunikasi dan Informatika Provinsi Kalimantan Barat"
    assert (got.nama, got.nip) == ("SAMUEL, SE, M.Si", "196604081993031009")


def test_list_and_date_label_variants() -> None:
    assert match_list_label("KETERIKATAN : SOP Pelayanan Informasi") == ("keterkaitan", "SOP Pelayanan Informasi")
    assert labelled_segments("Tanggal Penetapan : 3 Maret 2021") == [("tanggal_efektif", "3 Maret 2021")]


def test_nomor_digit_lookalikes_and_doubts() -> None:
    assert clean_nomor("I4/SOP/2O24") == "14/SOP/2024"
    assert clean_nomor("44/SOP/DISKOMINFO.IP/2024") == "44/SOP/DISKOMINFO.IP/2024"
    assert clean_nomor("000.8.3.3/ I4C /SATPOLPP-A") == "000.8.3.3/I4C/SATPOLPP-A"  # 'C' is no digit: kept
    assert nomor_doubts("000.8.3.3/I4C/SATPOLPP-A") == ["I4C"]
    assert nomor_doubts("445.1/Kep.112-Huk/2015") == []


def test_unreadable_handwritten_date_is_null_with_a_warning() -> None:
    rows = ((_cell("Nomor SOP", 40, 100, 200, 120), _cell("12/SOP/2022", 200, 100, 680, 120)),
            (_cell("Tanggal Pembuatan", 40, 120, 200, 140), _cell("SANUAEI 2024", 200, 120, 680, 140)))
    page = PageContent(number=1, width=842, height=595, text="",
                       tables=(Table(page=1, box=Box(40, 100, 680, 140), rows=rows),))
    got = parse(DocumentContent(pages=(page,)))
    assert got.tanggal_pembuatan is None
    assert any(w.startswith("tanggal_pembuatan: 'SANUAEI 2024' tidak terbaca") for w in got.warnings)


@pytest.mark.tesseract
def test_scanned_flowchart_with_solid_symbols_and_a_column_number_row(tmp_path: Path) -> None:
    """A flowchart printed with black squares for symbols, `Uraian Kegiatan` and `Pendukung`
    headers and a column-number row, rendered to an image and read by Tesseract as a scan."""
    steps = tuple(replace(s, shape="solid") for s in STEPS[:4])
    flow = FlowSpec(ACTORS, steps, kegiatan_header="Uraian Kegiatan", group_header="Pendukung",
                    column_numbers=True)
    path = write_sop_pdf(tmp_path / "solid.pdf", flow, None)
    rgb, dpi = render_page(path, 0, 200)
    page = read_page_image(straighten(rgb, dpi, 1), TesseractEngine())
    got = parse(DocumentContent(pages=(page,), scanned=True))
    assert got.pelaksana == ACTORS
    assert [(s.no, s.pelaksana) for s in got.steps] == [(s.no, ACTORS[s.actor]) for s in steps]


def test_column_number_row_with_one_number_misread() -> None:
    row = tuple(_cell(t, 40.0 * i, 0, 40.0 * (i + 1), 10) for i, t in enumerate(
        ["4", "2", "3", "4", "5", "6", "7", "8", "9", "10"]))
    assert is_column_number_row(row)
    assert not is_column_number_row(row[:4])  # too few to outvote a misread


@pytest.mark.tesseract
def test_scanned_label_value_lines(tmp_path: Path) -> None:
    """The `Label : value` page rendered to an image and read by Tesseract: no grid at all, the
    colon standing apart (OCR reads it as '1' or '|'), the signature block under its value."""
    path = label_lines(tmp_path / "sop.pdf")
    pages = []
    for i in range(2):
        rgb, dpi = render_page(path, i, 200)
        pages.append(read_page_image(straighten(rgb, dpi, i + 1), TesseractEngine()))
    got = parse(DocumentContent(pages=tuple(pages), scanned=True))
    assert (got.nomor, got.title) == ("973/12/BAPENDA/2023", "Pelayanan Keberatan Pajak Daerah")
    assert (got.tanggal_pembuatan, got.tanggal_efektif) == ("2023-05-02", "2023-05-15")
    assert got.disahkan_oleh == SIGNED
    assert [s.pelaksana for s in got.steps] == [step[2] for step in NAME_STEPS]


@pytest.mark.parametrize(("text", "role"), [
    ("Persyaratan/ Kelengkapan", "kelengkapan"), ("Output/Hasil", "output"), ("Waktu/Output", None),
    ("Langkah-langkah Kegiatan", "kegiatan"), ("Tahapan", "kegiatan"), ("Durasi", "waktu"),
    ("Pelaksana", "pelaksana"), ("Penanggung Jawab", "pelaksana"),
])
def test_header_name_variants(text: str, role: str | None) -> None:
    assert leaf_role(text) == role


def test_four_column_identity_table() -> None:
    rows = (
        (_cell("Nomor SOP", 40, 100, 160, 120), _cell("12/SOP/2022", 160, 100, 360, 120),
         _cell("Tanggal Pembuatan", 360, 100, 500, 120), _cell("4 Juli 2022", 500, 100, 680, 120)),
        (_cell("Nama SOP", 40, 120, 160, 140), _cell("Pengelolaan Arsip Aktif", 160, 120, 360, 140),
         _cell("Tanggal Efektif", 360, 120, 500, 140), _cell("1 Agustus 2022", 500, 120, 680, 140)),
    )
    page = PageContent(number=1, width=842, height=595, text="",
                       tables=(Table(page=1, box=Box(40, 100, 680, 140), rows=rows),))
    got = parse(DocumentContent(pages=(page,)))
    assert (got.nomor, got.title, got.tanggal_pembuatan, got.tanggal_efektif) == (
        "12/SOP/2022", "Pengelolaan Arsip Aktif", "2022-07-04", "2022-08-01")


def test_flowchart_without_a_no_column() -> None:
    head = (_cell("Kegiatan", 40, 40, 200, 60), _cell("Pelaksana", 200, 40, 260, 60),
            _cell("Output", 260, 40, 320, 60))
    rows = [head]
    for i, (keg, who) in enumerate([("1. Menerima berkas", "Petugas"), ("2. Memeriksa berkas", "Kasi")]):
        top = 60.0 + 30 * i
        rows.append((_cell(keg, 40, top, 200, top + 30), _cell(who, 200, top, 260, top + 30),
                     _cell("Berkas", 260, top, 320, top + 30)))
    page = PageContent(number=1, width=842, height=595, text="SOP",
                       tables=(Table(page=1, box=Box(40, 40, 320, 120), rows=tuple(rows)),))
    got = parse(DocumentContent(pages=(page,)))
    assert [(s.no, s.kegiatan, s.pelaksana) for s in got.steps] == [
        (1, "Menerima berkas", "Petugas"), (2, "Memeriksa berkas", "Kasi")]


def _words(lines: list[tuple[float, float, str]]) -> tuple[Word, ...]:
    """Words of text lines at (x, top), 6 pt per character, 9 pt high."""
    out = []
    for x, top, text in lines:
        for w in text.split():
            out.append(Word(w, Box(x, top, x + 6 * len(w), top + 9)))
            x += 6 * len(w) + 3
    return tuple(out)


def test_signatory_under_a_stamp_completed_from_the_signature_block_elsewhere() -> None:
    rows = ((_cell("Nomor SOP", 40, 100, 200, 120), _cell("12/SOP/2022", 200, 100, 680, 120)),
            (_cell("Disahkan Oleh", 40, 120, 200, 200), _cell("KEPALA DINAS KEARSIPAN\n@ %% &", 200, 120, 680, 200)))
    ident = PageContent(number=1, width=842, height=595, text="",
                        tables=(Table(page=1, box=Box(40, 100, 680, 200), rows=rows),))
    block = _words([(500, 400, "Ditetapkan di Kota Contoh"), (500, 412, "KEPALA DINAS KEARSIPAN,"),
                    (500, 460, "Dra. Sri Wahyuni, M.Si."), (500, 472, "NIP. 19700101 199503 2 004")])
    last = PageContent(number=2, width=842, height=595, text="", words=block)
    got = parse(DocumentContent(pages=(ident, last)))
    assert got.disahkan_oleh == Official(jabatan="Kepala Dinas Kearsipan", nama="Dra. Sri Wahyuni, M.Si.",
                                         nip="197001011995032004")


def test_a_signature_block_of_another_person_is_not_taken() -> None:
    mine = Official(jabatan="Kepala Dinas", nama="Budi Santoso", nip=None)
    other = "Sekretaris Dinas\nAni Lestari, S.E.\nNIP. 19800101 200501 2 001"
    assert complete_official(mine, signature_texts([other])) == mine
    same = "Kepala Dinas\nBudi Santoso\nNIP. 19750312 200003 1 002"
    assert complete_official(mine, signature_texts([same])) == replace(mine, nip="197503122000031002")


@pytest.mark.parametrize(("text", "field"), [
    ("No. Dokumen : 800/12/2021", "nomor"), ("Tgl. Terbit : 2 Mei 2021", "tanggal_pembuatan"),
    ("Tgl Perubahan : 3 Mei 2021", "tanggal_revisi"), ("Tanggal Diberlakukan : 4 Mei 2021", "tanggal_efektif"),
    ("Mengesahkan : Kepala Dinas", "disahkan_oleh"),
])
def test_identity_label_variants(text: str, field: str) -> None:
    assert labelled_segments(text)[0][0] == field
