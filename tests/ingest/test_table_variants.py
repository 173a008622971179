"""LKjIP measurement tables in layouts the readers were not written against, drawn here.

Each family changes one thing offices change: the column order and extra columns (Satuan,
Kondisi Awal, Target Renstra, Realisasi/Capaian of the year before, Kategori), years written in
the header cells, values written '85,5 %', with thousand dots or as 'Rp' amounts, numbered
sub-rows ('1.1'), two tables on one page, a landscape page, a table continued with its header
repeated.  Every family is drawn ruled, as filled rectangles and borderless.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from ingest.parsers import lkjip
from ingest.textlayer import read_text_layer
from tests.ingest.table_pdfs import Grid, Span, cover, draw_table, text

STYLES = ["ruled", "filled", "borderless"]


@dataclass
class Family:
    """One layout: its header rows, body rows, spans and widths, and what must be read."""

    header: Grid
    body: Grid
    widths: Sequence[float]
    expected: list[tuple]  # (sasaran, indikator, satuan, target, realisasi, capaian)
    header_spans: Sequence[Span] = ()
    body_spans: Sequence[Span] = ()
    wide: bool = False  # a landscape page
    texts: dict[int, str | None] = field(default_factory=dict)  # index -> target_text


SAS1 = "Meningkatnya kualitas\nlayanan kesehatan"
SAS2 = "Menurunnya angka\nkesakitan"
S1, S2 = "Meningkatnya kualitas layanan kesehatan", "Menurunnya angka kesakitan"

FAMILIES: dict[str, Family] = {
    # extra columns around the year's target and realisasi; capaian headed '%'
    "extra-columns": Family(
        header=[["No", "Sasaran Strategis", "Indikator Kinerja", "Satuan", "Kondisi\nAwal",
                 "Target\nRenstra", "Target\n2021", "Realisasi\n2021", "%", "Kategori"]],
        body=[["1", SAS1, "Persentase puskesmas\nterakreditasi", "%", "60", "100", "80", "84",
               "105,00", "Sangat Baik"],
              [None, None, "Jumlah dokter per\n10.000 penduduk", "orang", "2", "5", "4", "3",
               "75,00", "Baik"],
              ["2", SAS2, "Angka kesakitan DBD per\n100.000 penduduk", "kasus", "60", "40", "50", "45",
               "110,00", "Sangat Baik"]],
        body_spans=[(0, 1, 2, 1)],
        widths=[22, 95, 120, 40, 42, 42, 42, 48, 40, 56],
        expected=[(S1, "Persentase puskesmas terakreditasi", "%", 80.0, 84.0, 105.0),
                  (S1, "Jumlah dokter per 10.000 penduduk", "orang", 4.0, 3.0, 75.0),
                  (S2, "Angka kesakitan DBD per 100.000 penduduk", "kasus", 50.0, 45.0, 110.0)]),
    # the year before and the reporting year side by side under spanning year cells
    "two-years-spanned": Family(
        header=[["No", "Sasaran", "Indikator Kinerja", "TAHUN 2020", None, "TAHUN 2021", None, None],
                [None, None, None, "Realisasi", "Capaian", "Target", "Realisasi", "Capaian"]],
        header_spans=[(0, 0, 2, 1), (0, 1, 2, 1), (0, 2, 2, 1), (0, 3, 1, 2), (0, 5, 1, 3)],
        body=[["1", SAS1, "Persentase puskesmas\nterakreditasi", "70", "93,33", "80", "84", "105,00"],
              ["2", SAS2, "Indeks kepuasan\nmasyarakat", "76", "101,33", "78", "80,5", "103,21"]],
        widths=[22, 110, 130, 52, 52, 52, 52, 52],
        expected=[(S1, "Persentase puskesmas terakreditasi", None, 80.0, 84.0, 105.0),
                  (S2, "Indeks kepuasan masyarakat", None, 78.0, 80.5, 103.21)]),
    # years in every value header cell; the year before stands right of the reporting year
    "years-in-cells": Family(
        header=[["No", "Indikator Sasaran", "Tgt\n2021", "Real.\n2021", "Capaian\n2021 (%)",
                 "Real.\n2020", "Capaian\n2020 (%)"]],
        body=[["1", "Persentase puskesmas\nterakreditasi", "80", "84", "105,00", "70", "93,33"],
              ["2", "Indeks kepuasan\nmasyarakat", "78", "80,5", "103,21", "76", "101,33"]],
        widths=[22, 170, 52, 52, 60, 52, 60],
        expected=[(None, "Persentase puskesmas terakreditasi", None, 80.0, 84.0, 105.0),
                  (None, "Indeks kepuasan masyarakat", None, 78.0, 80.5, 103.21)]),
    # values with a spaced '%', thousand dots and rupiah amounts
    "value-formats": Family(
        header=[["No", "Sasaran", "IKU", "Target", "Realisasi", "Persentase\nCapaian"]],
        body=[["1", SAS1, "Cakupan pelayanan\nkesehatan", "85,5 %", "90,25 %", "105,56 %"],
              [None, None, "Jumlah kunjungan\npasien", "1.200.000", "1.260.000", "105,00"],
              ["2", SAS2, "Nilai klaim yang\ndibayar", "Rp 2.500.000.000", "Rp 2.250.000.000",
               "90,00"]],
        body_spans=[(0, 1, 2, 1)],
        widths=[22, 110, 120, 88, 88, 60],
        expected=[(S1, "Cakupan pelayanan kesehatan", "%", 85.5, 90.25, 105.56),
                  (S1, "Jumlah kunjungan pasien", None, 1200000.0, 1260000.0, 105.0),
                  (S2, "Nilai klaim yang dibayar", "Rp", 2500000000.0, 2250000000.0, 90.0)]),
    # a sasaran row numbered '1', its indicators numbered '1.1', '1.2' below it
    "numbered-subrows": Family(
        header=[["No", "Sasaran / Indikator Kinerja", "Satuan", "Target", "Realisasi", "Capaian (%)"]],
        body=[["1", "Meningkatnya kualitas layanan kesehatan", None, None, None, None],
              ["1.1", "Persentase puskesmas terakreditasi", "%", "80", "84", "105,00"],
              ["1.2", "Jumlah dokter per 10.000 penduduk", "orang", "4", "3", "75,00"],
              ["2", "Menurunnya angka kesakitan", None, None, None, None],
              ["2.1", "Angka kesakitan DBD per 100.000 penduduk", "kasus", "50", "45", "110,00"]],
        body_spans=[(0, 1, 1, 5), (3, 1, 1, 5)],
        widths=[30, 230, 50, 50, 55, 60],
        expected=[(S1, "Persentase puskesmas terakreditasi", "%", 80.0, 84.0, 105.0),
                  (S1, "Jumlah dokter per 10.000 penduduk", "orang", 4.0, 3.0, 75.0),
                  (S2, "Angka kesakitan DBD per 100.000 penduduk", "kasus", 50.0, 45.0, 110.0)]),
    # a landscape page, indicator before the sasaran-free target columns, Kriteria at the end
    "landscape": Family(
        header=[["NO", "SASARAN STRATEGIS", "INDIKATOR KINERJA UTAMA", "SATUAN", "TARGET",
                 "REALISASI", "CAPAIAN", "KRITERIA"]],
        body=[["1", SAS1.replace("\n", " "), "Persentase puskesmas terakreditasi", "%", "80", "84",
               "105,00", "Sangat Baik"],
              ["2", SAS2.replace("\n", " "), "Angka kesakitan DBD per 100.000 penduduk", "kasus",
               "50", "45", "110,00", "Sangat Baik"]],
        widths=[28, 200, 220, 50, 50, 60, 60, 70],
        wide=True,
        expected=[(S1, "Persentase puskesmas terakreditasi", "%", 80.0, 84.0, 105.0),
                  (S2, "Angka kesakitan DBD per 100.000 penduduk", "kasus", 50.0, 45.0, 110.0)]),
    # one row per sasaran: its indicators numbered inside one cell, one value line each
    "stacked-items": Family(
        header=[["No", "Sasaran Strategis", "Indikator Kinerja", "Target", "Realisasi", "Capaian (%)"]],
        body=[["1", SAS1, "1. Persentase puskesmas\n    terakreditasi\n2. Jumlah dokter per\n    10.000 penduduk",
               "80\n\n4", "84\n\n3", "105,00\n\n75,00"],
              ["2", SAS2, "1. Angka kesakitan DBD", "50", "45", "110,00"]],
        widths=[22, 120, 150, 55, 55, 60],
        expected=[(S1, "Persentase puskesmas terakreditasi", None, 80.0, 84.0, 105.0),
                  (S1, "Jumlah dokter per 10.000 penduduk", None, 4.0, 3.0, 75.0),
                  (S2, "Angka kesakitan DBD", None, 50.0, 45.0, 110.0)]),
    # sasaran rows numbered with roman numerals, their value cells left empty
    "roman-sasaran-rows": Family(
        header=[["No", "Indikator Kinerja", "Satuan", "Target", "Realisasi", "Capaian"]],
        body=[["I", "Meningkatnya kualitas layanan kesehatan", "", "", "", ""],
              ["1", "Persentase puskesmas terakreditasi", "%", "80", "84", "105,00"],
              ["2", "Jumlah dokter per 10.000 penduduk", "orang", "4", "3", "75,00"],
              ["II", "Menurunnya angka kesakitan", "", "", "", ""],
              ["3", "Angka kesakitan DBD per 100.000 penduduk", "kasus", "50", "45", "110,00"]],
        widths=[26, 230, 50, 50, 55, 55],
        expected=[(S1, "Persentase puskesmas terakreditasi", "%", 80.0, 84.0, 105.0),
                  (S1, "Jumlah dokter per 10.000 penduduk", "orang", 4.0, 3.0, 75.0),
                  (S2, "Angka kesakitan DBD per 100.000 penduduk", "kasus", 50.0, 45.0, 110.0)]),
    # 'Capaian' heads the realised figure and '%' the ratio
    "capaian-as-realisasi": Family(
        header=[["No", "Sasaran", "Indikator Kinerja", "Target", "Capaian", "%"]],
        body=[["1", SAS1, "Persentase puskesmas\nterakreditasi", "80", "84", "105,00"],
              ["2", SAS2, "Angka kesakitan DBD", "50", "45", "110,00"]],
        widths=[22, 120, 150, 55, 55, 60],
        expected=[(S1, "Persentase puskesmas terakreditasi", None, 80.0, 84.0, 105.0),
                  (S2, "Angka kesakitan DBD", None, 50.0, 45.0, 110.0)]),
}


def _report(path: Path, fam: Family, style: str, *, second: bool = False) -> Path:
    size = landscape(A4) if fam.wide else A4
    c = Canvas(str(path), pagesize=A4)
    cover(c, 2021)
    c.setPageSize(size)
    text(c, 60, 60, "BAB III AKUNTABILITAS KINERJA", 12, page_height=size[1])
    text(c, 60, 90, "Tabel 3.1 Capaian Kinerja Sasaran Tahun 2021", page_height=size[1])
    rows = [*fam.header, *fam.body]
    h = len(fam.header)
    spans = [*fam.header_spans, *[(r + h, col, rs, cs) for r, col, rs, cs in fam.body_spans]]
    bottom = draw_table(c, 40, 110, fam.widths, rows, spans=spans, style=style, header_rows=h,
                        page_height=size[1])
    if second:  # a budget table below it on the same page
        text(c, 60, bottom + 30, "Tabel 3.2 Realisasi Anggaran Tahun 2021", page_height=size[1])
        budget = [["No", "Program", "Anggaran", "Realisasi", "%"],
                  ["1", "Program Pelayanan Kesehatan", "1.000.000.000", "950.000.000", "95,00"],
                  ["2", "Program Pencegahan Penyakit", "500.000.000", "480.000.000", "96,00"]]
        draw_table(c, 40, bottom + 50, [22, 200, 90, 90, 40], budget, style=style,
                   page_height=size[1])
    c.showPage()
    c.save()
    return path


def _got(result) -> list[tuple]:
    return [(i.sasaran, i.indikator, i.satuan, i.target, i.realisasi, i.capaian)
            for i in result.indicators]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", list(FAMILIES))
def test_layout_family(tmp_path: Path, name: str, style: str) -> None:
    fam = FAMILIES[name]
    result = lkjip.parse(read_text_layer(_report(tmp_path / f"{name}-{style}.pdf", fam, style)))
    assert _got(result) == fam.expected
    assert not [w for w in result.warnings if "capaian" in w or "tahun" in w]


@pytest.mark.parametrize("style", STYLES)
def test_two_tables_on_one_page(tmp_path: Path, style: str) -> None:
    """A budget table with Realisasi and '%' below the measurement table is not taken, nor
    merged into it."""
    fam = FAMILIES["extra-columns"]
    result = lkjip.parse(read_text_layer(_report(tmp_path / "two.pdf", fam, style, second=True)))
    assert _got(result) == fam.expected


def _scanned(pdf: Path, out: Path, page: int) -> Path:
    """Page `page` (0-based) of `pdf` printed and scanned: rendered at 200 DPI, no text layer."""
    from ingest.raster import render_page
    from tests.ingest.scan_images import scan_pdf

    rgb, _dpi = render_page(pdf, page, 200)
    return scan_pdf(out, rgb)


@pytest.mark.tesseract
@pytest.mark.slow
@pytest.mark.parametrize(("name", "style"), [("two-years-spanned", "filled"),
                                             ("numbered-subrows", "ruled"),
                                             ("value-formats", "borderless"),
                                             ("extra-columns", "ruled"),
                                             ("years-in-cells", "borderless"),
                                             ("landscape", "filled")])
def test_scanned_layout_family(tmp_path: Path, name: str, style: str) -> None:
    """The same families printed and scanned: the grid (rules or filled rectangles) from the
    image, the words from OCR, read by the same header and row readers."""
    from ingest.extract import ocr_image_pages
    from ingest.ocr import OcrOptions

    fam = FAMILIES[name]
    scan = _scanned(_report(tmp_path / "d.pdf", fam, style), tmp_path / "s.pdf", 2)
    doc = ocr_image_pages(scan, read_text_layer(scan), OcrOptions(jobs=1, second=""))
    result = lkjip.parse(doc)
    got = _got(result)
    assert [g[1] for g in got] == [e[1] for e in fam.expected]
    assert [g[3:] for g in got] == [e[3:] for e in fam.expected]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("repeat", [True, False])
@pytest.mark.parametrize("name", ["extra-columns", "two-years-spanned"])
def test_continued_on_the_next_page(tmp_path: Path, name: str, repeat: bool, style: str) -> None:
    """The table breaks after its first row; the next page goes on with or without the header."""
    _continued(tmp_path, FAMILIES[name], repeat, style)


@pytest.mark.parametrize("style", STYLES)
def test_header_alone_at_the_foot_of_a_page(tmp_path: Path, style: str) -> None:
    """Only the header fits on the first page; every row is on the next one."""
    _continued(tmp_path, FAMILIES["extra-columns"], False, style, first=0)


def _continued(tmp_path: Path, fam: Family, repeat: bool, style: str, first: int = 1) -> None:
    path = tmp_path / "c.pdf"
    c = Canvas(str(path), pagesize=A4)
    cover(c, 2021)
    text(c, 60, 600, "Tabel 3.1 Capaian Kinerja Sasaran Tahun 2021")
    h = len(fam.header)
    rows = [*fam.header, *fam.body[:first]]
    spans = [*fam.header_spans, *[(h, col, 1, cs) for r, col, rs, cs in fam.body_spans
                                  if r == 0 and first]]
    draw_table(c, 40, 620, fam.widths, rows, spans=spans, style=style, header_rows=h)
    c.showPage()
    rest = [list(r) for r in fam.body[first:]]
    for r, col, rs, _cs in fam.body_spans:  # the merged sasaran starts again on the new page
        if r == 0 and rs > 1 and first:
            rest[0][col] = fam.body[0][col]
    spans = ([(r - 1, col, rs - 1, cs) for r, col, rs, cs in fam.body_spans if r == 0 and rs > 2]
             if first else list(fam.body_spans))
    if repeat:
        spans = [*fam.header_spans, *[(r + h, col, rs, cs) for r, col, rs, cs in spans]]
        rest = [*fam.header, *rest]
    draw_table(c, 40, 60, fam.widths, rest, spans=spans, style=style, header_rows=h if repeat else 0)
    c.showPage()
    c.save()
    result = lkjip.parse(read_text_layer(path))
    assert _got(result) == fam.expected
    assert [i.page for i in result.indicators] == [3] * first + [4] * (len(fam.expected) - first)


@pytest.mark.parametrize("style", ["ruled", "filled"])
@pytest.mark.parametrize("name", ["extra-columns", "two-years-spanned"])
def test_header_drawn_apart_from_its_body(tmp_path: Path, name: str, style: str) -> None:
    """Word draws the header rows and the body as two grids a few points apart: the header
    grid alone holds no row and the body grid no header."""
    fam = FAMILIES[name]
    path = tmp_path / "apart.pdf"
    c = Canvas(str(path), pagesize=A4)
    cover(c, 2021)
    text(c, 60, 90, "Tabel 3.1 Capaian Kinerja Sasaran Tahun 2021")
    h = len(fam.header)
    y = draw_table(c, 40, 110, fam.widths, fam.header, spans=fam.header_spans, style=style,
                   header_rows=h)
    draw_table(c, 40, y + 5, fam.widths, fam.body, spans=fam.body_spans, style=style, header_rows=0)
    c.showPage()
    c.save()
    doc = read_text_layer(path)
    assert len(doc.pages[2].tables) == 2
    assert _got(lkjip.parse(doc)) == fam.expected
