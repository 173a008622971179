"""SOP layouts no fixture had before session 4: a column-number row OCR read only in part, an
identity grid with the colon in a column of its own, labels OCR slipped on."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.layout import Box, Cell, DocumentContent, PageContent, Shape, Table, Word
from ingest.model import FAILED_CHECK, Extraction
from ingest.ocr import TesseractEngine
from ingest.parsers._sop_table import column_role, is_column_number_row
from ingest.parsers.sop import parse
from ingest.raster import render_page, straighten
from ingest.scan import read_page_image
from ingest.textlayer import read_text_layer
from tests.ingest.scan_images import skewed, stamped
from tests.ingest.sop_layout_fixtures import NAME_STEPS, colon_column_grid
from tests.ingest.test_sop_layouts import SIGNED


def _cell(text: str, x0: float, top: float, x1: float, bottom: float) -> Cell:
    return Cell(text, Box(x0, top, x1, bottom))


XS = (20.0, 45.0, 240.0, 300.0, 360.0, 420.0, 480.0, 540.0, 600.0)
HEAD = ("No", "Uraian Kegiatan", "Kepala", "Staf", "Persyaratan", "Waktu", "Output", "Keterangan")


def _flow(numbers: tuple[str, ...]) -> DocumentContent:
    """A ruled flowchart read by OCR: a Pelaksana group over two actors, a column-number row as
    given (blank where OCR read nothing), three steps with their symbols."""
    group = (_cell("No", XS[0], 40, XS[1], 80), _cell("Uraian Kegiatan", XS[1], 40, XS[2], 80),
             _cell("Pelaksana", XS[2], 40, XS[4], 60), None,
             _cell("Mutu Baku", XS[4], 40, XS[7], 60), None, None, _cell("Keterangan", XS[7], 40, XS[8], 80))
    leaves = (None, None, _cell("Kepala", XS[2], 60, XS[3], 80), _cell("Staf", XS[3], 60, XS[4], 80),
              _cell("Persyaratan", XS[4], 60, XS[5], 80), _cell("Waktu", XS[5], 60, XS[6], 80),
              _cell("Output", XS[6], 60, XS[7], 80), None)
    nums = tuple(_cell(t, XS[i], 80, XS[i + 1], 92) for i, t in enumerate(numbers))
    rows = [group, leaves, nums]
    shapes = []
    for k, (keg, actor) in enumerate((("Menerima surat", 1), ("Memeriksa surat", 0), ("Mengarsipkan", 1))):
        top = 92.0 + 40 * k
        rows.append(tuple(_cell(t, XS[i], top, XS[i + 1], top + 40) for i, t in enumerate(
            (f"{k + 1}.", keg, "", "", "Surat", "10 menit", "Surat", ""))))
        x = XS[2 + actor]
        shapes.append(Shape("rect", Box(x + 10, top + 10, x + 50, top + 30)))
    table = Table(page=1, box=Box(XS[0], 40, XS[-1], 212), rows=tuple(rows))
    page = PageContent(number=1, width=842, height=595, text="SOP", tables=(table,), shapes=tuple(shapes),
                       ocr=True)
    return DocumentContent(pages=(page,), scanned=True)


@pytest.mark.parametrize("numbers", [
    ("1", "2", "3", "4", "5", "6", "7", "8"),
    ("1", "", "3", "", "5", "6", "", "8"),  # small digits in wide cells not read
    ("1", "2", "", "", "", "", "", ""),  # only the No and activity numbers read
    ("1", "2", "3", "4", "Ss", "6", "7", "8"),  # one misread
    ("(1)", "(2)", "", "(4)", "(5)", "(6)", "(7)", ""),
])
def test_column_number_row_read_in_part_is_no_step(numbers: tuple[str, ...]) -> None:
    got = parse(_flow(numbers))
    assert [(s.no, s.kegiatan, s.pelaksana) for s in got.steps] == [
        (1, "Menerima surat", "Staf"), (2, "Memeriksa surat", "Kepala"), (3, "Mengarsipkan", "Staf")]
    assert got.pelaksana == ("Kepala", "Staf")


def test_a_step_row_is_not_a_column_number_row() -> None:
    def row(*texts: str) -> tuple[Cell, ...]:
        return tuple(_cell(t, 40.0 * i, 0, 40.0 * (i + 1), 10) for i, t in enumerate(texts))
    assert not is_column_number_row(row("1.", "Menerima", "", "", "15"))
    assert not is_column_number_row(row("1", "", "", "", "15"))  # a step number and a time
    assert not is_column_number_row(row("2", "3", "", "", "15"))  # not at the start of a run
    assert is_column_number_row(row("1", "2", "", "", ""))


def _colon_grid_checks(got: Extraction) -> None:
    assert got.nomor == "660/27/SOP-DLH/2023"
    assert (got.tanggal_pembuatan, got.tanggal_revisi, got.tanggal_efektif) == ("2023-03-06", None, "2023-03-20")
    assert got.title == "Pengawasan Pengelolaan Limbah B3"
    assert got.instansi == "Badan Pendapatan Daerah Kabupaten Sukamaju"


def test_identity_grid_with_the_colon_in_its_own_column(tmp_path: Path) -> None:
    got = parse(read_text_layer(colon_column_grid(tmp_path / "sop.pdf")))
    _colon_grid_checks(got)
    assert got.disahkan_oleh == SIGNED
    assert [s.pelaksana for s in got.steps] == [step[2] for step in NAME_STEPS]


@pytest.mark.tesseract
def test_scanned_colon_grid_with_a_stamp_over_the_signatory(tmp_path: Path) -> None:
    """The same page printed, stamped in purple over the signatory, scanned a little skewed."""
    path = colon_column_grid(tmp_path / "sop.pdf")
    rgb, dpi = render_page(path, 0, 200)
    rgb = stamped(skewed(rgb, 0.6), (1150, 390), 120)
    page = read_page_image(straighten(rgb, dpi, 1), TesseractEngine())
    got = parse(DocumentContent(pages=(page,), scanned=True))
    _colon_grid_checks(got)
    assert got.disahkan_oleh is not None
    assert (got.disahkan_oleh.jabatan, got.disahkan_oleh.nip) == (SIGNED.jabatan, SIGNED.nip)


def test_title_from_the_title_line_when_the_label_is_unreadable() -> None:
    rows = ((_cell("Nomor SOP", 40, 100, 200, 120), _cell("12/SOP/2022", 200, 100, 680, 120)),
            (_cell("N@m# 5 0P", 40, 120, 200, 140), _cell("", 200, 120, 680, 140)))
    ident = PageContent(number=1, width=842, height=595, text="PEMERINTAH KOTA CONTOH",
                        tables=(Table(page=1, box=Box(40, 100, 680, 140), rows=rows),))
    flow = PageContent(number=2, width=842, height=595, text="SOP PELAYANAN PEMINJAMAN ARSIP\nNo Kegiatan")
    got = parse(DocumentContent(pages=(ident, flow)))
    assert got.title == "Pelayanan Peminjaman Arsip"
    assert any(w.startswith("title: label Nama SOP tidak terbaca") for w in got.warnings)
    assert got.confidence.get("title") == FAILED_CHECK
    assert parse(DocumentContent(pages=(ident,))).title is None  # nothing to take it from


@pytest.mark.parametrize("line", ["SOP Nomor : 12/SOP/2022", "SOP (Standar Operasional Prosedur)", "SOP 2022"])
def test_lines_that_are_no_title(line: str) -> None:
    page = PageContent(number=1, width=842, height=595, text=line)
    assert parse(DocumentContent(pages=(page,))).title is None


def test_quality_columns_in_another_order_and_a_names_column() -> None:
    xs = (20.0, 45.0, 240.0, 330.0, 400.0, 480.0, 560.0, 620.0)
    head = tuple(_cell(t, xs[i], 40, xs[i + 1], 60) for i, t in enumerate(
        ("No", "Aktivitas", "Pelaksana", "Waktu", "Output", "Persyaratan", "Ket")))
    rows = [head]
    for k, (keg, who, waktu, out, syarat) in enumerate((
            ("Menerima berkas", "Petugas", "1 hari", "Tanda terima", "KTP"),
            ("Memverifikasi berkas", "Kasubbag", "2 jam", "Berkas", "Tanda terima"))):
        top = 60.0 + 30 * k
        rows.append(tuple(_cell(t, xs[i], top, xs[i + 1], top + 30) for i, t in enumerate(
            (f"{k + 1}", keg, who, waktu, out, syarat, ""))))
    page = PageContent(number=1, width=842, height=595, text="SOP",
                       tables=(Table(page=1, box=Box(xs[0], 40, xs[-1], 120), rows=tuple(rows)),))
    got = parse(DocumentContent(pages=(page,)))
    assert [(s.no, s.pelaksana, s.kelengkapan, s.output, s.waktu and s.waktu.unit) for s in got.steps] == [
        (1, "Petugas", "KTP", "Tanda terima", "hari"), (2, "Kasubbag", "Tanda terima", "Berkas", "jam")]


@pytest.mark.parametrize("group", ["PELAKSANA KEGIATAN", "Unit Kerja", "Pelaku", "Penanggung Jawab"])
def test_actor_group_header_variants(group: str) -> None:
    # an actor named like a column ('Penanggung Jawab') stays an actor under its group header
    assert column_role([group, "Penanggung Jawab"]) == "actor"
    assert column_role([group, "Kepala Dinas"]) == "actor"
    assert column_role(["Mutu Baku", "Penanggung Jawab"]) == "pelaksana"


def test_signatory_ruled_into_rows_beside_one_label() -> None:
    """`Disahkan Oleh` spanning four rows of the value column: jabatan, signature, name, NIP."""
    value_rows = ("KEPALA DINAS KEARSIPAN\nKOTA CONTOH,", "", "Dra. Sri Wahyuni, M.Si.", "NIP. 19700101 199503 2 004")
    rows: list[tuple[Cell | None, Cell]] = [(_cell("Nomor SOP", 40, 80, 200, 100), _cell("12/SOP/2022", 200, 80, 680, 100))]
    rows.append((_cell("Disahkan Oleh", 40, 100, 200, 200), _cell(value_rows[0], 200, 100, 680, 130)))
    for k, text in enumerate(value_rows[1:]):
        top = 130.0 + [0, 40, 55][k]
        rows.append((None, _cell(text, 200, top, 680, [170, 185, 200][k])))
    rows.append((_cell("Nama SOP", 40, 200, 200, 220), _cell("PENGELOLAAN ARSIP", 200, 200, 680, 220)))
    page = PageContent(number=1, width=842, height=595, text="",
                       tables=(Table(page=1, box=Box(40, 80, 680, 220), rows=tuple(rows)),))
    got = parse(DocumentContent(pages=(page,)))
    assert got.disahkan_oleh is not None
    assert (got.disahkan_oleh.jabatan, got.disahkan_oleh.nama, got.disahkan_oleh.nip) == (
        "Kepala Dinas Kearsipan Kota Contoh", "Dra. Sri Wahyuni, M.Si.", "197001011995032004")
    assert (got.nomor, got.title) == ("12/SOP/2022", "Pengelolaan Arsip")


@pytest.mark.parametrize("printed", ["800/    /SOP/2023", "/SOP/DISKOMINFO/2024", "045.2/17/"])
def test_number_with_its_handwritten_part_unread_is_null_with_a_warning(printed: str) -> None:
    rows = ((_cell("Nomor SOP", 40, 100, 200, 120), _cell(printed, 200, 100, 680, 120)),)
    page = PageContent(number=1, width=842, height=595, text="",
                       tables=(Table(page=1, box=Box(40, 100, 680, 120), rows=rows),))
    got = parse(DocumentContent(pages=(page,)))
    assert got.nomor is None
    assert any(w.startswith("nomor: hanya bagian cetaknya terbaca") for w in got.warnings)


def _words_at(x: float, top: float, text: str) -> list[Word]:
    out = []
    for token in text.split():
        out.append(Word(token, Box(x, top, x + 5 * len(token), top + 9)))
        x += 5 * len(token) + 4
    return out


def test_labels_in_a_row_inside_one_cell_with_values_in_the_cell_below() -> None:
    """No rules between the labels: one cell holds the row of labels, one cell the row of values."""
    labels = ((60, "Nomor SOP"), (230, "Tanggal Pembuatan"), (400, "Tanggal Revisi"), (570, "Tanggal Efektif"))
    values = ((60, "045/12/SOP/2023"), (235, "2 Mei 2023"), (415, "-"), (575, "15 Mei 2023"))
    words = [w for x, t in labels for w in _words_at(x, 104, t)] + [w for x, t in values for w in _words_at(x, 124, t)]
    rows = ((_cell("Nomor SOP Tanggal Pembuatan Tanggal Revisi Tanggal Efektif", 40, 100, 700, 118),),
            (_cell("045/12/SOP/2023 2 Mei 2023 - 15 Mei 2023", 40, 118, 700, 136),),
            (_cell("Nama SOP: PELAYANAN PERIZINAN", 40, 136, 700, 154),))
    page = PageContent(number=1, width=842, height=595, text="", words=tuple(words),
                       tables=(Table(page=1, box=Box(40, 100, 700, 154), rows=rows),))
    got = parse(DocumentContent(pages=(page,)))
    assert (got.nomor, got.tanggal_pembuatan, got.tanggal_revisi, got.tanggal_efektif) == (
        "045/12/SOP/2023", "2023-05-02", None, "2023-05-15")
    assert got.title == "Pelayanan Perizinan"


def test_a_sentence_with_nomor_and_tanggal_is_no_row_of_labels() -> None:
    text = "1. Peraturan Daerah Nomor 3 Tahun 2020 tanggal 5 Mei 2020"
    words = _words_at(60, 104, text)
    rows = ((_cell("Dasar Hukum:\n" + text, 40, 95, 700, 118),),)
    page = PageContent(number=1, width=842, height=595, text="", words=tuple(words),
                       tables=(Table(page=1, box=Box(40, 95, 700, 118), rows=rows),))
    got = parse(DocumentContent(pages=(page,)))
    assert got.dasar_hukum == ("Peraturan Daerah Nomor 3 Tahun 2020 tanggal 5 Mei 2020",)
    assert got.nomor is None


def test_a_colon_cell_narrower_than_its_tolerance_ends_the_search() -> None:
    # OCR gave the colon column a cell 2 pt wide: it once counted as right of itself, for ever
    cells = ((_cell("Nomor SOP", 300, 30, 400, 50), _cell(":", 402, 30, 404, 50),
              _cell("800/12/DLH/2023", 410, 30, 700, 50)),)
    table = Table(page=1, box=Box(300, 30, 700, 50), rows=cells)
    page = PageContent(number=1, width=842, height=595, text="", tables=(table,))
    got = parse(DocumentContent(pages=(page,)))
    assert got.nomor == "800/12/DLH/2023"
