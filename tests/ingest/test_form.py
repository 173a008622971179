"""Data-collection form parser on a form generated here with reportlab, plus a shared corpus form."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from ingest.parsers import form
from ingest.textlayer import read_text_layer

SHARED = Path("/work/shared")

ROWS = [
    ["NO", "SASARAN", "INDIKATOR KINERJA", "SATUAN", "TARGET\nTAHUNAN", "TARGET\nTW 1",
     "TARGET\nTW 2", "TARGET\nTW 3", "TARGET\nTW 4", "KET"],
    ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
    ["1", "Meningkatnya kualitas\npengelolaan keuangan", "Jumlah temuan", "temuan", "5", "1", "2",
     "4", "5", ""],
    ["2", "", "Persentase realisasi anggaran", "%", "95,00", "38,00", "57,00", "76,00", "95,00", ""],
    ["3", "Meningkatnya kualitas\npelayanan publik", "Rata-rata waktu layanan", "menit",
     "1.250", "312,5", "625", "937,5", "1.250", ""],
]


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("form") / "form.pdf"
    normal = getSampleStyleSheet()["Normal"]
    style = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("SPAN", (1, 2), (1, 3))])
    story = [Paragraph("PEMERINTAH KABUPATEN SLEMAN", normal),
             Paragraph("DINAS KESEHATAN KABUPATEN SLEMAN", normal),
             Paragraph("FORMAT PENGUMPULAN DATA KINERJA TAHUN 2023", normal),
             Table(ROWS, style=style)]
    SimpleDocTemplate(str(path), pagesize=landscape(A4)).build(story)
    return form.parse(read_text_layer(path))


def test_heading(result) -> None:
    assert result.title == "Format Pengumpulan Data Kinerja Tahun 2023"
    assert result.tahun == 2023
    assert result.instansi == "Dinas Kesehatan Kabupaten Sleman"
    assert result.pemerintah == "Pemerintah Kabupaten Sleman"


def test_quarterly_targets_and_carried_sasaran(result) -> None:
    got = [(i.indikator, i.satuan, i.target, i.target_triwulan) for i in result.indicators]
    assert got == [
        ("Jumlah temuan", "temuan", 5.0, (1.0, 2.0, 4.0, 5.0)),
        ("Persentase realisasi anggaran", "%", 95.0, (38.0, 57.0, 76.0, 95.0)),
        ("Rata-rata waktu layanan", "menit", 1250.0, (312.5, 625.0, 937.5, 1250.0)),
    ]
    assert result.indicators[1].sasaran == "Meningkatnya kualitas pengelolaan keuangan"


@pytest.mark.skipif(not (SHARED / "corpus").exists(), reason="shared corpus not present")
def test_corpus_form() -> None:
    got = form.parse(read_text_layer(SHARED / "corpus/form-disdikbud-2025-02.pdf"))
    assert got.instansi == "Dinas Pendidikan dan Kebudayaan Kabupaten Sleman"
    assert got.indicators[0].target_triwulan == (0.0, 0.0, 1.0, 1.0)


def test_borderless_form_with_target_spanning_the_quarters(tmp_path: Path) -> None:
    """No rules at all: 'TARGET' spans TW 1..TW 4 beside 'TARGET TAHUNAN'; a 'Jumlah' row closes it."""
    from tests.ingest.table_pdfs import canvas, draw_table, text

    path = tmp_path / "borderless.pdf"
    c = canvas(path, sideways=True)
    text(c, 40, 40, "PEMERINTAH KABUPATEN SLEMAN")
    text(c, 40, 54, "DINAS KESEHATAN KABUPATEN SLEMAN")
    text(c, 40, 68, "FORMAT PENGUMPULAN DATA KINERJA TAHUN 2023")
    rows = [["NO", "INDIKATOR KINERJA", "SATUAN", "TARGET\nTAHUNAN", "TARGET", None, None, None],
            [None, None, None, None, "TW 1", "TW 2", "TW 3", "TW 4"],
            ["1", "Jumlah temuan", "temuan", "5", "1", "2", "4", "5"],
            ["2", "Persentase realisasi\nanggaran", "%", "95,00", "38,00", "57,00", "76,00", "95,00"],
            ["Jumlah", None, None, "100", "39", "59", "80", "100"]]
    spans = [(0, 0, 2, 1), (0, 1, 2, 1), (0, 2, 2, 1), (0, 3, 2, 1), (0, 4, 1, 4), (4, 0, 1, 3)]
    draw_table(c, 40, 90, [30, 200, 60, 70, 50, 50, 50, 50], rows, spans=spans, style="borderless",
               header_rows=2)
    c.showPage()
    c.save()
    result = form.parse(read_text_layer(path))
    got = [(i.indikator, i.satuan, i.target, i.target_triwulan) for i in result.indicators]
    assert got == [
        ("Jumlah temuan", "temuan", 5.0, (1.0, 2.0, 4.0, 5.0)),
        ("Persentase realisasi anggaran", "%", 95.0, (38.0, 57.0, 76.0, 95.0)),
    ]
