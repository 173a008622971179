"""The LKjIP measurement table in the layouts offices export, on PDFs drawn here (`table_pdfs`).

Every fixture holds the same four indicators: two sasaran merged over two rows each, a text
target (`B (75)`), a lower-is-better indicator, and a `Rata-rata` row that is not an indicator.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.model import Indicator
from ingest.parsers import lkjip
from ingest.parsers.measurement import capaian_agrees, expected_capaian
from ingest.textlayer import read_text_layer
from tests.ingest.table_pdfs import canvas, cover, draw_table, sideways, text

SAS1 = "Meningkatnya kualitas\nlayanan transportasi"
SAS2 = "Menurunnya angka\nkecelakaan lalu lintas"
BODY = [
    ["1", SAS1, "Persentase angkutan umum\nyang laik jalan", "85", "88,40", "104,00"],
    [None, None, "Jumlah terminal yang\nmemenuhi standar", "4", "3", "75,00"],
    ["2", SAS2, "Angka kecelakaan lalu lintas\nper 10.000 kendaraan", "12", "10", "116,67"],
    [None, None, "Indeks kepuasan masyarakat", "B (75)", "B (78,2)", "104,27"],
]
BODY_SPANS = [(0, 1, 2, 1), (2, 1, 2, 1)]
WIDTHS = [28, 110, 140, 60, 60, 60]
EXPECTED = [
    ("Meningkatnya kualitas layanan transportasi", "Persentase angkutan umum yang laik jalan",
     85.0, 88.4, 104.0),
    ("Meningkatnya kualitas layanan transportasi", "Jumlah terminal yang memenuhi standar",
     4.0, 3.0, 75.0),
    ("Menurunnya angka kecelakaan lalu lintas", "Angka kecelakaan lalu lintas per 10.000 kendaraan",
     12.0, 10.0, 116.67),
    ("Menurunnya angka kecelakaan lalu lintas", "Indeks kepuasan masyarakat", 75.0, 78.2, 104.27),
]

SPANNING_HEADER = [
    ["NO", "SASARAN", "INDIKATOR KINERJA", "INDIKATOR KINERJA\nTAHUN 2016", None, "CAPAIAN\n(%)"],
    [None, None, None, "TARGET", "REALISASI", None],
]
HEADER_SPANS = [(0, 0, 2, 1), (0, 1, 2, 1), (0, 2, 2, 1), (0, 3, 1, 2), (0, 5, 2, 1)]
COLUMN_NUMBERS = ["1", "2", "3", "4", "5", "6=5/4"]
RATA = ["Rata-rata capaian", None, None, None, None, "99,99"]


def _spanning_grid(*, numbers: bool = True, rata: bool = True):
    rows = [*SPANNING_HEADER]
    body_at = 2
    if numbers:
        rows.append(COLUMN_NUMBERS)
        body_at = 3
    rows += BODY
    spans = [*HEADER_SPANS] + [(r + body_at, c, rs, cs) for r, c, rs, cs in BODY_SPANS]
    if rata:
        spans.append((len(rows), 0, 1, 5))
        rows.append(RATA)
    return rows, spans


def _got(result) -> list[tuple]:
    return [(i.sasaran, i.indikator, i.target, i.realisasi, i.capaian) for i in result.indicators]


def _report(path: Path, style: str, **kw) -> Path:
    c = canvas(path)
    cover(c, 2016)
    text(c, 72, 80, "BAB III AKUNTABILITAS KINERJA", 12)
    text(c, 72, 110, "Tabel 3.1 Capaian Kinerja Sasaran Tahun 2016")
    rows, spans = _spanning_grid(**kw)
    draw_table(c, 60, 130, WIDTHS, rows, spans=spans, style=style, header_rows=2)
    c.showPage()
    c.save()
    return path


@pytest.mark.parametrize("style", ["filled", "filled-spaced", "ruled", "borderless", "header-ruled",
                                   "hrules", "vrules"])
def test_spanning_header_in_every_drawing_style(tmp_path: Path, style: str) -> None:
    """'INDIKATOR KINERJA TAHUN 2016' over TARGET | REALISASI, merged sasaran, a column-number
    row and a Rata-rata row: as filled rectangles, ruled, borderless and partly ruled."""
    result = lkjip.parse(read_text_layer(_report(tmp_path / f"{style}.pdf", style)))
    assert _got(result) == EXPECTED
    assert result.tahun == 2016
    assert result.indicators[3].target_text == "B (75)"
    assert not [w for w in result.warnings if "capaian" in w]


def test_filled_grid_is_read_as_a_ruled_table(tmp_path: Path) -> None:
    doc = read_text_layer(_report(tmp_path / "f.pdf", "filled"))
    assert doc.pages[2].tables, "cells drawn as filled rectangles must give a table"


def test_borderless_without_column_numbers_or_summary(tmp_path: Path) -> None:
    path = _report(tmp_path / "b.pdf", "borderless", numbers=False, rata=False)
    assert _got(lkjip.parse(read_text_layer(path))) == EXPECTED


def test_header_word_variants(tmp_path: Path) -> None:
    """'Indikator Kinerja Utama', 'Rencana', 'Real.', 'Persentase Capaian' on one header row."""
    path = tmp_path / "v.pdf"
    c = canvas(path)
    cover(c, 2016)
    text(c, 72, 110, "Tabel 3.2 Pengukuran Kinerja Tahun 2016")
    header = ["No.", "Sasaran Strategis", "Indikator Kinerja\nUtama", "Rencana\n2016", "Real.\n2016",
              "Persentase\nCapaian"]
    draw_table(c, 60, 130, WIDTHS, [header, *BODY], spans=[(r + 1, col, rs, cs) for r, col, rs, cs in BODY_SPANS])
    c.showPage()
    c.save()
    assert _got(lkjip.parse(read_text_layer(path))) == EXPECTED


def _decoy_report(path: Path, *, heading: bool) -> Path:
    """An executive summary table, a comparison with earlier years, the measurement table, and
    a reviewer's statement page with a table, in that order."""
    c = canvas(path)
    cover(c, 2016)
    text(c, 72, 80, "IKHTISAR EKSEKUTIF", 12)
    summary = [["No", "Indikator Kinerja", "Target", "Realisasi", "Capaian"],
               ["1", "Persentase angkutan umum yang laik jalan", "85", "80", "94,12"],
               ["2", "Indeks kepuasan masyarakat", "75", "70", "93,33"]]
    draw_table(c, 60, 110, [28, 220, 60, 60, 60], summary)
    c.showPage()
    # the summary runs on: a full table of another year's figures, without a heading
    last_year = [["No", "Sasaran", "Indikator Kinerja", "Target", "Realisasi", "Capaian"],
                 ["1", "Meningkatnya kualitas layanan", "Persentase angkutan umum laik jalan",
                  "80", "84", "105,00"],
                 ["2", "Menurunnya kecelakaan", "Indeks kepuasan masyarakat", "70", "77", "110,00"]]
    draw_table(c, 60, 110, WIDTHS, last_year)
    c.showPage()
    text(c, 72, 80, "BAB III AKUNTABILITAS KINERJA", 12)
    text(c, 72, 110, "Tabel 3.1 Perbandingan realisasi dengan tahun sebelumnya")
    compare = [["No", "Indikator Kinerja", "Target 2016", "Realisasi", None, "Capaian"],
               [None, None, None, "2015", "2016", None],
               ["1", "Persentase angkutan umum yang laik jalan", "85", "70,00", "88,40", "104,00"]]
    draw_table(c, 60, 130, [28, 200, 60, 60, 60, 60], compare, spans=[(0, 3, 1, 2)])
    title = "Tabel 3.2 Capaian Kinerja Sasaran Tahun 2016" if heading else "Tabel 3.2"
    text(c, 72, 260, title)
    rows, spans = _spanning_grid()
    draw_table(c, 60, 280, WIDTHS, rows, spans=spans, style="filled", header_rows=2)
    c.showPage()
    text(c, 72, 80, "PERNYATAAN TELAH DIREVIU", 12)
    review = [["No", "Indikator", "Target", "Realisasi", "Capaian"],
              ["1", "Persentase angkutan umum yang laik jalan", "85", "88,40", "104,00"]]
    draw_table(c, 60, 110, [28, 220, 60, 60, 60], review)
    c.showPage()
    c.save()
    return path


@pytest.mark.parametrize("heading", [True, False])
def test_main_table_chosen_among_decoys(tmp_path: Path, heading: bool) -> None:
    result = lkjip.parse(read_text_layer(_decoy_report(tmp_path / "d.pdf", heading=heading)))
    assert _got(result) == EXPECTED
    assert {i.page for i in result.indicators} == {5}


def test_summary_table_loses_on_its_own_arithmetic(tmp_path: Path) -> None:
    """Two tables of the same shape and no heading: the one whose capaian agrees wins."""
    path = tmp_path / "a.pdf"
    c = canvas(path)
    cover(c, 2016)
    wrong = [[*r] for r in BODY]
    wrong[0][4], wrong[2][4] = "80", "14"  # realisasi that do not give the printed capaian
    header = ["No", "Sasaran", "Indikator Kinerja", "Target", "Realisasi", "Capaian"]
    spans = [(r + 1, col, rs, cs) for r, col, rs, cs in BODY_SPANS]
    draw_table(c, 60, 100, WIDTHS, [header, *wrong], spans=spans)
    draw_table(c, 60, 420, WIDTHS, [header, *BODY], spans=spans)
    c.showPage()
    c.save()
    assert _got(lkjip.parse(read_text_layer(path))) == EXPECTED


@pytest.mark.parametrize("style", ["filled", "borderless", "ruled"])
def test_table_continued_without_repeated_header(tmp_path: Path, style: str) -> None:
    path = tmp_path / "c.pdf"
    c = canvas(path)
    cover(c, 2016)
    text(c, 72, 560, "Tabel 3.1 Capaian Kinerja Sasaran Tahun 2016")
    rows, spans = _spanning_grid(rata=False)
    first = rows[:5]  # header, column numbers, first sasaran
    draw_table(c, 60, 580, WIDTHS, first, spans=[s for s in spans if s[0] < 5], style=style,
               header_rows=2)
    c.showPage()
    draw_table(c, 60, 60, WIDTHS, BODY[2:], spans=[(0, 1, 2, 1)], style=style, header_rows=0)
    c.showPage()
    c.save()
    result = lkjip.parse(read_text_layer(path))
    assert _got(result) == EXPECTED
    assert {i.page for i in result.indicators} == {3, 4}


def test_landscape_table_printed_sideways(tmp_path: Path) -> None:
    """A landscape table printed across a portrait page: the page is read after turning it."""
    path = tmp_path / "s.pdf"
    c = canvas(path)
    cover(c, 2016)
    height = sideways(c)
    text(c, 72, 60, "Tabel 3.1 Capaian Kinerja Sasaran Tahun 2016", page_height=height)
    rows, spans = _spanning_grid()
    draw_table(c, 60, 80, [40, 170, 220, 90, 90, 90], rows, spans=spans, header_rows=2,
               page_height=height)
    c.showPage()
    c.save()
    doc = read_text_layer(path)
    assert doc.pages[2].width > doc.pages[2].height
    assert _got(lkjip.parse(doc)) == EXPECTED


def test_capaian_checks_follow_the_direction() -> None:
    up = Indicator("Persentase jalan mantap", target=80.0, realisasi=88.0, capaian=110.0)
    down = Indicator("Angka kematian ibu", target=100.0, realisasi=80.0, capaian=120.0)
    wrong = Indicator("Persentase jalan mantap", target=80.0, realisasi=88.0, capaian=95.0)
    assert capaian_agrees(up) and capaian_agrees(down)
    assert capaian_agrees(wrong) is False
    assert capaian_agrees(Indicator("x", target_text="WTP")) is None
    assert capaian_agrees(Indicator("Jumlah investasi", target=100.0, realisasi=180.0, capaian=120.0))
    assert expected_capaian(down) == pytest.approx(120.0)
    assert expected_capaian(up) == pytest.approx(110.0)


def test_wrong_capaian_gives_a_warning_but_keeps_the_printed_value(tmp_path: Path) -> None:
    path = tmp_path / "w.pdf"
    c = canvas(path)
    cover(c, 2016)
    body = [[*r] for r in BODY]
    body[1][5] = "57,00"
    header = ["No", "Sasaran", "Indikator Kinerja", "Target", "Realisasi", "Capaian"]
    draw_table(c, 60, 100, WIDTHS, [header, *body], spans=[(r + 1, col, rs, cs) for r, col, rs, cs in BODY_SPANS])
    c.showPage()
    c.save()
    result = lkjip.parse(read_text_layer(path))
    assert result.indicators[1].capaian == 57.0
    assert any("tertulis 57" in w and "memberi 75" in w for w in result.warnings)
    # the parser caps the confidence of the doubted values (applied where OCR read them)
    assert result.confidence == {f"indicators[1].{f}": 0.5 for f in ("target", "realisasi", "capaian")}


@pytest.mark.parametrize("merged", [True, False])
def test_misi_and_sasaran_rows_inside_the_table(tmp_path: Path, merged: bool) -> None:
    """No sasaran column: 'Misi 1' and 'Sasaran 1: ...' rows head the indicators below them
    (merged across the table, or in the indicator column with the other cells empty); a
    footnote mark after a value is not a unit."""
    path = tmp_path / "m.pdf"
    c = canvas(path)
    cover(c, 2016)
    text(c, 72, 110, "Tabel 3.4 Pengukuran Kinerja Tahun 2016")
    rows = [["No", "Indikator Kinerja", "Target", "Realisasi", "Capaian (%)"],
            ["", "Misi 1: Mewujudkan transportasi yang aman", "", "", ""],
            ["", "Sasaran 1: Meningkatnya kualitas layanan transportasi", "", "", ""],
            ["1", "Persentase angkutan umum yang laik jalan", "85", "88,40*", "104,00"],
            ["", "Sasaran 2: Menurunnya angka kecelakaan lalu lintas", "", "", ""],
            ["2", "Indeks kepuasan masyarakat", "B (75)", "B (78,2)", "104,27"]]
    spans = [(r, 1, 1, 4) for r in (1, 2, 4)] if merged else []
    if merged:
        for r in (1, 2, 4):
            rows[r][2:] = [None, None, None]
    draw_table(c, 60, 130, [28, 260, 60, 60, 60], rows, spans=spans)
    c.showPage()
    c.save()
    result = lkjip.parse(read_text_layer(path))
    assert [(i.sasaran, i.indikator, i.realisasi, i.satuan) for i in result.indicators] == [
        ("Meningkatnya kualitas layanan transportasi", "Persentase angkutan umum yang laik jalan", 88.4, None),
        ("Menurunnya angka kecelakaan lalu lintas", "Indeks kepuasan masyarakat", 78.2, None),
    ]


def test_rows_of_a_tight_table_ruled_only_between_rows(tmp_path: Path) -> None:
    """Rows set as tight as the lines inside a cell, a text value in the target column: only the
    rules between the rows say where one indicator ends."""
    path = tmp_path / "h.pdf"
    c = canvas(path)
    cover(c, 2016)
    text(c, 72, 110, "Tabel 3.1 Capaian Kinerja Sasaran Tahun 2016")
    header = ["No", "Sasaran", "Indikator Kinerja", "Target", "Realisasi", "Capaian"]
    body = [[*r] for r in BODY]
    body[1][3:5] = ["Empat\nTerminal", "Tiga\nTerminal"]
    spans = [(r + 1, col, rs, cs) for r, col, rs, cs in BODY_SPANS]
    draw_table(c, 60, 130, WIDTHS, [header, *body], spans=spans, style="hrules", pad=0.5)
    c.showPage()
    c.save()
    result = lkjip.parse(read_text_layer(path))
    assert [(i.indikator, i.target_text) for i in result.indicators] == [
        (e[1], t) for e, t in zip(EXPECTED, [None, "Empat Terminal", None, "B (75)"], strict=True)]
