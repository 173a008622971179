"""Shared indicator-table helpers: header roles, value splitting, carry-down, items within a row."""

from __future__ import annotations

import pytest

from ingest.layout import Box, Cell, PageContent, Table, Word
from ingest.parsers.indicators import (
    body_rows,
    carry_down,
    find_office,
    header_role,
    is_column_number_row,
    is_summary_label,
    parse_rupiah,
    pemerintah_of,
    read_header,
    row_items,
    split_value,
)
from ingest.parsers.signatory import read_signature


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("No", "no"), ("NO.", "no"), ("Sasaran Strategis", "sasaran"), ("Tujuan/Sasaran", "sasaran"),
        ("Indikator Kinerja", "indikator"), ("Satuan", "satuan"), ("Target\n2022", "target"),
        ("TARGET\nTAHUNAN", "target"), ("TARGET\nTW 1", "tw1"), ("Triwulan III", "tw3"),
        ("Realisasi", "realisasi"), ("Capaian\n(%)", "capaian"), ("% Capaian", "capaian"),
        ("Program", "program"), ("Anggaran (Rp)", "anggaran"), ("Keterangan", "keterangan"),
        ("Kriteria", None), ("", None),
    ],
)
def test_header_role(text: str, role: str | None) -> None:
    assert header_role(text) == role


@pytest.mark.parametrize(
    ("cell", "number", "unit", "text"),
    [
        ("1.234,56", 1234.56, None, None),
        ("95,00", 95.0, None, None),
        ("82.7", 82.7, None, None),
        ("94,24%", 94.24, "%", None),
        ("10,90 %", 10.9, "%", None),
        ("12.317.066 ton", 12317066.0, "ton", None),
        ("3 Dokumen", 3.0, "Dokumen", None),
        ("140 Kelompok\n(1400 orang)", 140.0, "Kelompok", "140 Kelompok (1400 orang)"),
        ("Nilai A\n(83)", 83.0, None, "Nilai A (83)"),
        ("Level 3 (3,35)", 3.35, None, "Level 3 (3,35)"),
        ("Level 3", None, None, "Level 3"),
        ("WTP", None, None, "WTP"),
        ("27 Kab/Kota\n1 Provinsi\n49 OPD", None, None, "27 Kab/Kota 1 Provinsi 49 OPD"),
        ("100 dari 110\nOrganisasi", None, None, "100 dari 110 Organisasi"),
        ("", None, None, None),
        ("-", None, None, None),
    ],
)
def test_split_value(cell: str, number: float | None, unit: str | None, text: str | None) -> None:
    v = split_value(cell)
    assert (v.number, v.unit, v.text) == (number, unit, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("Rp. 18.972.674.100,-", 18972674100), ("Rp 6.006.780.000,00", 6006780000),
     ("4.522.741.241", 4522741241), ("Rp.", None)],
)
def test_parse_rupiah(text: str, value: float | None) -> None:
    assert parse_rupiah(text) == value


def _table(rows: list[list[str | None]], page: int = 1) -> Table:
    cells = tuple(
        tuple(None if t is None else Cell(t, Box(60 * j, 20 * i, 60 * j + 60, 20 * i + 20))
              for j, t in enumerate(row))
        for i, row in enumerate(rows)
    )
    return Table(page=page, box=Box(0, 0, 60 * len(rows[0]), 20 * len(rows)), rows=cells)


def test_header_with_column_numbers_and_year_subheader() -> None:
    table = _table([
        ["No", "Sasaran", "Indikator", "Target", "Realisasi", None, "Capaian"],
        [None, None, None, None, "2022", "2021", None],
        ["1", "2", "3", "4", "5", "6", "7"],
        ["1", "S1", "I1", "10", "9", "8", "90"],
    ])
    layout = read_header(table)
    assert layout is not None
    assert layout.header_rows == 3
    assert layout.columns("realisasi") == [4, 5]
    rows = body_rows(table, layout, year=2021)
    assert rows == [{"no": "1", "sasaran": "S1", "indikator": "I1", "target": "10",
                     "realisasi": "8", "capaian": "90"}]


def test_carry_down_fills_blank_and_merged_sasaran() -> None:
    rows = [{"sasaran": "A", "indikator": "1"}, {"sasaran": None, "indikator": "2"},
            {"sasaran": "", "indikator": "3"}, {"sasaran": "B", "indikator": "4"}]
    assert [r["sasaran"] for r in carry_down(rows)] == ["A", "A", "A", "B"]


def test_row_items_without_word_boxes_pairs_lines_in_order() -> None:
    """OCR-like input: cells with text but no page words still give one indicator per item."""
    table = _table([
        ["No", "Sasaran", "Indikator", "Target"],
        ["1", "Sasaran X", "1. Indikator satu\n2. Indikator dua", "100%\n3 Dokumen"],
    ])
    layout = read_header(table)
    assert layout is not None
    page = PageContent(number=1, width=600, height=800, text="")
    items = row_items(page, table.rows[1], layout)
    assert [(i.indikator, i.values.get("target")) for i in items] == [
        ("Indikator satu", "100%"), ("Indikator dua", "3 Dokumen")]
    assert {i.sasaran for i in items} == {"Sasaran X"}


def _words(lines: list[tuple[float, float, str]]) -> tuple[Word, ...]:
    out = []
    for x, y, text in lines:
        for k, token in enumerate(text.split()):
            out.append(Word(token, Box(x + 40 * k, y, x + 40 * k + 35, y + 10)))
    return tuple(out)


def test_row_items_sub_items_take_parent_name_and_aligned_targets() -> None:
    words = _words([
        (70, 100, "Sasaran Produksi"),
        (200, 100, "Jumlah Produksi :"), (200, 112, "a. Padi"), (400, 112, "12.317.066 ton"),
        (200, 124, "b. Jagung"), (400, 124, "1.190.793 ton"),
        (200, 150, "Persentase kehilangan"), (400, 150, "10,90 %"),
    ])
    page = PageContent(number=1, width=600, height=800, text="", words=words)
    header = (Cell("Sasaran", Box(60, 80, 190, 95)), Cell("Indikator", Box(190, 80, 390, 95)),
              Cell("Target", Box(390, 80, 560, 95)))
    row = (Cell("", Box(60, 95, 190, 170)), Cell("", Box(190, 95, 390, 170)),
           Cell("", Box(390, 95, 560, 170)))
    table = Table(page=1, box=Box(60, 80, 560, 170), rows=(header, row))
    layout = read_header(table)
    assert layout is not None
    row = (Cell("Sasaran Produksi", row[0].box), Cell("x", row[1].box), Cell("x", row[2].box))
    items = row_items(page, row, layout)
    assert [(i.indikator, i.values.get("target")) for i in items] == [
        ("Jumlah Produksi : Padi", "12.317.066 ton"),
        ("Jumlah Produksi : Jagung", "1.190.793 ton"),
        ("Persentase kehilangan", "10,90 %"),
    ]


def test_read_signature_block() -> None:
    official = read_signature([
        "Jombang, 30 Januari 2023", "INSPEKTUR KABUPATEN JOMBANG,",
        "ABDUL MADJID NINDYAGUNG, SH., MSi.", "Pembina Tingkat I", "NIP. 19670105 199212 1 001",
    ])
    assert official is not None
    assert official.jabatan == "Inspektur Kabupaten Jombang"
    assert official.nama == "ABDUL MADJID NINDYAGUNG, SH., MSi."
    assert official.pangkat == "Pembina Tingkat I"
    assert official.nip == "196701051992121001"


def test_office_and_pemerintah_from_heading() -> None:
    lines = ["LAPORAN KINERJA", "BADAN KESATUAN BANGSA DAN POLITIK KOTA", "PONTIANAK",
             "PEMERINTAH KOTA PONTIANAK"]
    office = find_office(lines)
    assert office == "Badan Kesatuan Bangsa dan Politik Kota Pontianak"
    assert pemerintah_of(office) == "Pemerintah Kota Pontianak"


def test_row_items_sub_items_whose_letter_ocr_lost() -> None:
    """A scan: 'f Ubi Kayu' (no full stop), '9g. Ubi Jalar', and 'Buah-buahan' without its
    letter; each lines up with its own target, so each is a sub-item.  A wrapped sub-item
    ('b. Jagung manis' / 'hibrida') stays one."""
    words = _words([
        (70, 100, "Sasaran Produksi"),
        (200, 100, "Jumlah Produksi :"), (200, 112, "a. Padi"), (400, 112, "12.317.066 ton"),
        (200, 124, "b. Jagung manis"), (400, 124, "1.190.793 ton"), (200, 136, "hibrida"),
        (200, 148, "f Ubi Kayu"), (400, 148, "2.261.565 ton"),
        (200, 160, "9g. Ubi Jalar"), (400, 160, "463.299 ton"),
        (200, 172, "Buah-buahan"), (400, 172, "2.884.752 ton"),
    ])
    page = PageContent(number=1, width=600, height=800, text="", words=words)
    header = (Cell("Sasaran", Box(60, 80, 190, 95)), Cell("Indikator", Box(190, 80, 390, 95)),
              Cell("Target", Box(390, 80, 560, 95)))
    boxes = (Box(60, 95, 190, 190), Box(190, 95, 390, 190), Box(390, 95, 560, 190))
    table = Table(page=1, box=Box(60, 80, 560, 190), rows=(header, tuple(Cell("", b) for b in boxes)))
    layout = read_header(table)
    assert layout is not None
    row = (Cell("Sasaran Produksi", boxes[0]), Cell("x", boxes[1]), Cell("x", boxes[2]))
    assert [(i.indikator, i.values.get("target")) for i in row_items(page, row, layout)] == [
        ("Jumlah Produksi : Padi", "12.317.066 ton"),
        ("Jumlah Produksi : Jagung manis hibrida", "1.190.793 ton"),
        ("Jumlah Produksi : Ubi Kayu", "2.261.565 ton"),
        ("Jumlah Produksi : Ubi Jalar", "463.299 ton"),
        ("Jumlah Produksi : Buah-buahan", "2.884.752 ton"),
    ]


def test_split_value_with_percent_as_ocr_reads_it() -> None:
    assert split_value("10,90 Yo") == split_value("10,90 %")


def test_read_signature_with_pangkat_as_ocr_reads_it() -> None:
    got = read_signature(["KEPALA BADAN,", "H. Fitri Lubis, S.T., M.T.", "Pembina Utama Magya (IV/d",
                          "NIP. 19730711 200108 1 008"])
    assert got is not None
    assert (got.jabatan, got.nama, got.pangkat) == (
        "Kepala Badan", "H. Fitri Lubis, S.T., M.T.", "Pembina Utama Magya (IV/d")
    name = read_signature(["KEPALA DINAS,", "Pendi Saputra, S.E.", "NIP. 19730711 200108 1 008"])
    assert name is not None and (name.nama, name.pangkat) == ("Pendi Saputra, S.E.", None)


def test_office_heading_with_ocr_quotes_and_rules() -> None:
    assert find_office(["LAPORAN KINERJA", "| INSPEKTORAT KABUPATEN JOMBANG”"]) == (
        "Inspektorat Kabupaten Jombang")


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Indikator Kinerja Utama", "indikator"), ("IKU", "indikator"), ("Indikator Sasaran", "indikator"),
        ("lndikator Kinerja", "indikator"), ("INDlKATOR", "indikator"), ("Rencana", "target"),
        ("Tgt", "target"), ("Targ et 2016", "target"), ("Real.", "realisasi"), ("Reallsasi", "realisasi"),
        ("Persentase Capaian", "capaian"), ("Capalan", "capaian"), ("(%)", "capaian"),
        ("Target Akhir Renstra", None), ("Realisasi s.d. Triwulan IV", "realisasi"),
        ("Realisasi Anggaran", "anggaran"), ("TW IV", "tw4"),
    ],
)
def test_header_role_variants_and_ocr_slips(text: str, role: str | None) -> None:
    assert header_role(text) == role


@pytest.mark.parametrize(
    ("label", "summary"),
    [("Rata-rata", True), ("Rata-rata Capaian", True), ("JUMLAH", True), ("Total", True),
     ("Capaian Sasaran Strategis 1", True), ("Rata - rata capaian kinerja", True),
     ("Rata-rala", True), ("Jumiah", True),
     ("Jumlah pengaduan yang diselesaikan", False), ("Total nilai ekspor daerah", False),
     ("Persentase capaian SPM", False)],
)
def test_summary_labels(label: str, summary: bool) -> None:
    assert is_summary_label(label) is summary


def test_column_number_rows_with_formulas() -> None:
    assert is_column_number_row(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)=(5)/(4)x100%"])
    assert is_column_number_row(["1", "2", "3", "4", "5", "6 = 5/4"])
    assert not is_column_number_row(["1", "Nilai SAKIP", "70", "76,45"])
    assert not is_column_number_row(["1", "70", "80", "90"])


def test_spanning_header_cell_gives_its_year_to_the_columns_below() -> None:
    """'INDIKATOR KINERJA TAHUN 2016' over TARGET | REALISASI, by the cells' boxes; a short
    heading row across the table under the header is a body row, not a header row."""
    def cell(text: str, x0: float, x1: float, row: int, rows: int = 1) -> Cell:
        return Cell(text, Box(x0, 20 * row, x1, 20 * (row + rows)))

    table = Table(page=1, box=Box(0, 0, 360, 100), rows=(
        (cell("NO", 0, 60, 0, 2), cell("SASARAN", 60, 120, 0, 2), cell("INDIKATOR KINERJA", 120, 180, 0, 2),
         cell("INDIKATOR KINERJA TAHUN 2016", 180, 300, 0), None, cell("CAPAIAN (%)", 300, 360, 0, 2)),
        (None, None, None, cell("TARGET", 180, 240, 1), cell("REALISASI", 240, 300, 1), None),
        (cell("Tujuan: Pelayanan prima", 0, 360, 2), None, None, None, None, None),
        tuple(cell(t, 60 * k, 60 * k + 60, 3) for k, t in enumerate(["1", "S", "I", "10", "9", "90"])),
    ))
    layout = read_header(table)
    assert layout is not None
    assert layout.roles == ("no", "sasaran", "indikator", "target", "realisasi", "capaian")
    assert layout.years[3:5] == (2016, 2016)
    assert layout.header_rows == 2
