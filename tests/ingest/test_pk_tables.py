"""Perjanjian Kinerja target and program tables in the shapes offices print them, drawn here
ruled, as filled rectangles and borderless: target tables with Satuan and triwulan columns or a
year in the header, program tables with 'Anggaran (Rp)' / 'Sumber Dana', amounts written the
English way, multi-line program names and a Jumlah row."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from ingest.parsers import pk
from ingest.textlayer import read_text_layer
from tests.ingest.table_pdfs import Grid, draw_table, text

STYLES = ["ruled", "filled", "borderless"]

TARGETS: dict[str, tuple[Grid, list[float], list[tuple]]] = {
    "satuan-triwulan": (
        [["No", "Sasaran Strategis", "Indikator Kinerja", "Satuan", "Target\n2023", "TW I", "TW II",
          "TW III", "TW IV"],
         ["1", "Meningkatnya layanan\ninformasi publik", "Persentase layanan\ntepat waktu", "%", "95",
          "90", "92", "94", "95"],
         ["2", "Meningkatnya keamanan\ninformasi", "Jumlah sistem yang\ndiaudit", "sistem", "12",
          "3", "6", "9", "12"]],
        [22, 110, 110, 40, 40, 34, 34, 38, 38],
        [("Meningkatnya layanan informasi publik", "Persentase layanan tepat waktu", "%", 95.0),
         ("Meningkatnya keamanan informasi", "Jumlah sistem yang diaudit", "sistem", 12.0)]),
    "iku-target-year": (
        [["No", "Sasaran", "Indikator Kinerja Utama (IKU)", "Target Tahun 2023"],
         ["1", "Meningkatnya layanan\ninformasi publik", "Persentase layanan\ntepat waktu", "95 %"],
         ["2", "Meningkatnya keamanan\ninformasi", "Indeks keamanan\ninformasi", "B (75)"]],
        [22, 150, 180, 90],
        [("Meningkatnya layanan informasi publik", "Persentase layanan tepat waktu", "%", 95.0),
         ("Meningkatnya keamanan informasi", "Indeks keamanan informasi", None, 75.0)]),
    # sasaran rows numbered 1, 2 across the table, their indicators 1.1, 1.2 below
    "numbered-subrows": (
        [["No", "Sasaran / Indikator Kinerja", "Satuan", "Target"],
         ["1", "Meningkatnya layanan informasi publik", None, None],
         ["1.1", "Persentase layanan tepat waktu", "%", "95"],
         ["1.2", "Jumlah layanan daring", "layanan", "12"],
         ["2", "Meningkatnya keamanan informasi", None, None],
         ["2.1", "Jumlah sistem yang diaudit", "sistem", "12"]],
        [30, 260, 60, 60],
        [("Meningkatnya layanan informasi publik", "Persentase layanan tepat waktu", "%", 95.0),
         ("Meningkatnya layanan informasi publik", "Jumlah layanan daring", "layanan", 12.0),
         ("Meningkatnya keamanan informasi", "Jumlah sistem yang diaudit", "sistem", 12.0)]),
}

PROGRAMS: dict[str, tuple[Grid, list[float], list[tuple]]] = {
    "sumber-dana-english": (
        [["No", "Program", "Anggaran (Rp)", "Sumber Dana"],
         ["1", "Program Penunjang Urusan\nPemerintahan Daerah", "23,665,554,229.00", "APBD"],
         ["2", "Program Pengelolaan\nInformasi Publik", "1,250,000,000.00", "APBD"],
         ["", "Jumlah", "24,915,554,229.00", ""]],
        [22, 200, 110, 70],
        [("Program Penunjang Urusan Pemerintahan Daerah", 23665554229.0, "APBD"),
         ("Program Pengelolaan Informasi Publik", 1250000000.0, "APBD")]),
    "rp-column": (
        [["NO", "PROGRAM", "ANGGARAN", "KETERANGAN"],
         ["1.", "Program Penunjang Urusan Pemerintahan", "Rp. 7.838.434.333,-", "APBD"],
         ["2.", "Program Pengelolaan Informasi Publik", "Rp. 9.985.639.757,-", "DAK"],
         ["", "JUMLAH", "Rp. 17.824.074.090,-", ""]],
        [26, 220, 110, 70],
        [("Program Penunjang Urusan Pemerintahan", 7838434333.0, "APBD"),
         ("Program Pengelolaan Informasi Publik", 9985639757.0, "DAK")]),
    # 'Rp' in a cell of its own under the spanning Anggaran header
    "rp-split": (
        [["No", "Program", "Anggaran", None, "Ket."],
         ["1", "Program Penunjang Urusan Pemerintahan", "Rp", "7.838.434.333", "APBD"],
         ["2", "Program Pengelolaan Informasi Publik", "Rp", "9.985.639.757", "APBD"],
         ["", "JUMLAH", "Rp", "17.824.074.090", ""]],
        [22, 220, 24, 90, 50],
        [("Program Penunjang Urusan Pemerintahan", 7838434333.0, "APBD"),
         ("Program Pengelolaan Informasi Publik", 9985639757.0, "APBD")]),
}

_SPANS = {"numbered-subrows": [(1, 1, 1, 3), (4, 1, 1, 3)], "rp-split": [(0, 2, 1, 2)]}


def _pk(path: Path, target: str, program: str, style: str) -> Path:
    c = Canvas(str(path), pagesize=A4)
    text(c, 200, 60, "PERJANJIAN KINERJA TAHUN 2023", 12)
    text(c, 180, 80, "DINAS KOMUNIKASI DAN INFORMATIKA KABUPATEN CONTOH", 10)
    rows, widths, _ = TARGETS[target]
    bottom = draw_table(c, 40, 110, widths, rows, spans=_SPANS.get(target, []), style=style)
    prog, pwidths, _ = PROGRAMS[program]
    draw_table(c, 40, bottom + 40, pwidths, prog, spans=_SPANS.get(program, []), style=style)
    c.showPage()
    c.save()
    return path


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(("target", "program"), [("satuan-triwulan", "sumber-dana-english"),
                                                 ("iku-target-year", "rp-column"),
                                                 ("numbered-subrows", "rp-split")])
def test_pk_table_shapes(tmp_path: Path, target: str, program: str, style: str) -> None:
    got = pk.parse(read_text_layer(_pk(tmp_path / "pk.pdf", target, program, style)))
    assert [(i.sasaran, i.indikator, i.satuan, i.target) for i in got.indicators] == TARGETS[target][2]
    assert [(p.program, p.anggaran, p.keterangan) for p in got.programs] == PROGRAMS[program][2]
    assert not any("jumlah anggaran" in w for w in got.warnings)


@pytest.mark.tesseract
@pytest.mark.slow
@pytest.mark.parametrize(("style", "target", "program"), [
    ("ruled", "iku-target-year", "rp-column"), ("filled", "iku-target-year", "rp-column"),
    ("borderless", "iku-target-year", "rp-column"),
    ("ruled", "satuan-triwulan", "sumber-dana-english"),
    ("borderless", "satuan-triwulan", "sumber-dana-english")])
def test_scanned_pk_tables(tmp_path: Path, style: str, target: str, program: str) -> None:
    """The same page printed and scanned: the grid from the image, the words from OCR."""
    from ingest.extract import ocr_image_pages
    from ingest.ocr import OcrOptions
    from ingest.raster import render_page
    from tests.ingest.scan_images import scan_pdf

    pdf = _pk(tmp_path / "pk.pdf", target, program, style)
    rgb, _ = render_page(pdf, 0, 200)
    scan = scan_pdf(tmp_path / "scan.pdf", rgb)
    doc = ocr_image_pages(scan, read_text_layer(scan), OcrOptions(jobs=1, second=""))
    got = pk.parse(doc)
    assert [(i.indikator, i.target) for i in got.indicators] == [
        (e[1], e[3]) for e in TARGETS[target][2]]
    assert [(p.program, p.anggaran) for p in got.programs] == [
        (e[0], e[1]) for e in PROGRAMS[program][2]]
