"""LKjIP parser on reports generated here with reportlab, plus checks on the shared corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ingest.parsers import lkjip
from ingest.textlayer import read_text_layer

SHARED = Path("/work/shared")
_STYLES = getSampleStyleSheet()


def _p(text: str) -> Paragraph:
    return Paragraph(text, _STYLES["Normal"])


def _grid(rows: list[list[str]], spans: list[tuple[int, int, int, int]] = (), repeat: int = 1,
          ) -> Table:
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    style += [("SPAN", (c0, r0), (c1, r1)) for c0, r0, c1, r1 in spans]
    return Table(rows, repeatRows=repeat, style=TableStyle(style))


MAIN = [
    ["No", "Sasaran Strategis", "Indikator Kinerja", "Satuan", "Target", "Realisasi", "Capaian (%)"],
    ["1", "Meningkatnya akuntabilitas", "Nilai SAKIP", "nilai", "70,00", "76,45", "109,21"],
    ["2", "", "Nilai evaluasi AKIP", "", "Nilai A (83)", "Nilai A (81,59)", "98,30"],
    ["3", "", "Kapabilitas APIP", "level", "Level 3", "Level 3", "100"],
    ["4", "Meningkatnya kualitas pelayanan", "Jumlah pengaduan selesai", "kasus", "1.234",
     "1.300,50", "105,39"],
    ["5", "", "Indeks kepuasan masyarakat", "indeks", "82.7", "80,00", "96,74"],
]


def _build(path: Path, *, filler: float = 0.0, repeat: int = 1) -> Path:
    """Cover, foreword with signature, a decoy comparison table, then the measurement table."""
    story = [
        _p("LAPORAN KINERJA INSTANSI PEMERINTAH"), _p("(LKjIP) TAHUN 2024"),
        _p("DINAS KOMUNIKASI DAN INFORMATIKA KOTA PONTIANAK"), _p("PEMERINTAH KOTA PONTIANAK"),
        PageBreak(),
        _p("KATA PENGANTAR"), _p("Laporan ini disusun sebagai pertanggungjawaban kinerja."),
        Spacer(1, 20), _p("Pontianak, 14 Maret 2025"), _p("Kepala Dinas,"), Spacer(1, 30),
        _p("Dr. Hendra Saputra, S.Kom., M.T."), _p("Pembina Utama Muda (IV/c)"),
        _p("NIP. 19730711 200108 1 008"), PageBreak(),
        _p("Tabel 3.4 Perbandingan realisasi dengan tahun sebelumnya"),
        _grid([["No", "Indikator Kinerja", "Target 2024", "Realisasi", "", ""],
               ["", "", "", "2024", "2023", "2022"],
               ["1", "Nilai SAKIP", "70", "76,45", "71,00", "65,00"]],
              spans=[(3, 0, 5, 0)]),
        Spacer(1, filler), _p("Tabel 3.1 Pengukuran Kinerja Tahun 2024"),
        _grid(MAIN, spans=[(1, 1, 1, 3)], repeat=repeat),
    ]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):
    return lkjip.parse(read_text_layer(_build(tmp_path_factory.mktemp("lkjip") / "r.pdf")))


def test_metadata(report) -> None:
    assert report.title == "Laporan Kinerja Instansi Pemerintah Tahun 2024"
    assert report.tahun == 2024
    assert report.instansi == "Dinas Komunikasi dan Informatika Kota Pontianak"
    assert report.pemerintah == "Pemerintah Kota Pontianak"
    assert report.tanggal_pengesahan == "2025-03-14"
    assert report.disahkan_oleh.nama == "Dr. Hendra Saputra, S.Kom., M.T."
    assert report.disahkan_oleh.jabatan == "Kepala Dinas"
    assert report.disahkan_oleh.nip == "197307112001081008"
    assert report.disahkan_oleh.pangkat == "Pembina Utama Muda (IV/c)"


def test_only_the_main_table_with_merged_and_blank_sasaran(report) -> None:
    got = [(i.sasaran, i.indikator) for i in report.indicators]
    assert got == [
        ("Meningkatnya akuntabilitas", "Nilai SAKIP"),
        ("Meningkatnya akuntabilitas", "Nilai evaluasi AKIP"),
        ("Meningkatnya akuntabilitas", "Kapabilitas APIP"),
        ("Meningkatnya kualitas pelayanan", "Jumlah pengaduan selesai"),
        ("Meningkatnya kualitas pelayanan", "Indeks kepuasan masyarakat"),
    ]


def test_numbers_grades_and_texts(report) -> None:
    ind = {i.indikator: i for i in report.indicators}
    assert (ind["Nilai SAKIP"].target, ind["Nilai SAKIP"].realisasi) == (70.0, 76.45)
    assert ind["Nilai SAKIP"].target_text is None
    grade = ind["Nilai evaluasi AKIP"]
    assert (grade.target, grade.realisasi, grade.capaian) == (83.0, 81.59, 98.3)
    assert (grade.target_text, grade.realisasi_text) == ("Nilai A (83)", "Nilai A (81,59)")
    level = ind["Kapabilitas APIP"]
    assert (level.target, level.target_text, level.capaian) == (None, "Level 3", 100.0)
    assert ind["Jumlah pengaduan selesai"].target == 1234.0
    assert ind["Jumlah pengaduan selesai"].realisasi == 1300.5
    assert ind["Indeks kepuasan masyarakat"].target == 82.7


@pytest.mark.parametrize("repeat", [1, 0])
def test_table_continued_on_next_page(tmp_path: Path, repeat: int) -> None:
    """The table starts at the foot of a page and runs on, with or without a repeated header."""
    result = lkjip.parse(read_text_layer(_build(tmp_path / "c.pdf", filler=520, repeat=repeat)))
    pages = {i.page for i in result.indicators}
    assert len(pages) == 2, "the fixture must split the table over two pages"
    assert [i.indikator for i in result.indicators] == [row[2] for row in MAIN[1:]]
    assert result.indicators[-1].sasaran == "Meningkatnya kualitas pelayanan"


def test_cover_without_text_gives_a_warning(tmp_path: Path) -> None:
    story = [PageBreak(), _p("KATA PENGANTAR"), _p("Jombang, 30 Januari 2023"), _p("INSPEKTUR"),
             _p("Nama Pejabat"), _p("NIP. 19670105 199212 1 001"), PageBreak(),
             _grid(MAIN)]
    path = tmp_path / "nocover.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    result = lkjip.parse(read_text_layer(path))
    assert result.title is None
    assert "judul tidak ditemukan: halaman sampul tidak berisi teks yang terbaca" in result.warnings
    assert len(result.indicators) == 5


@pytest.mark.skipif(not (SHARED / "real").exists(), reason="shared real documents not present")
def test_real_jombang_reads_the_reporting_year_table() -> None:
    result = lkjip.parse(read_text_layer(SHARED / "real/lkjip-jombang-1.pdf"))
    assert [i.indikator for i in result.indicators] == [
        "Maturitas SPIP", "Kapabilitas APIP", "Nilai Evaluasi AKIP PD"]
    assert result.indicators[2].realisasi == 81.59  # Tabel 3.3, not 3.2 (82,92)
    assert result.tanggal_pengesahan == "2023-01-30"
    assert result.disahkan_oleh is not None and result.disahkan_oleh.nip == "196701051992121001"


@pytest.mark.skipif(not (SHARED / "corpus").exists(), reason="shared corpus not present")
def test_corpus_report() -> None:
    result = lkjip.parse(read_text_layer(SHARED / "corpus/lkjip-diskominfo-2021-04.pdf"))
    assert result.instansi == "Dinas Komunikasi dan Informatika Kota Pontianak"
    assert len(result.indicators) == 8
    assert result.indicators[1].sasaran == result.indicators[0].sasaran


def test_cover_with_office_between_title_and_year() -> None:
    """A cover read by OCR (text only): title lines, the office, then the year."""
    from ingest.layout import DocumentContent, PageContent

    cover = ("LAPORAN KINERJA INTERNAL PEMERINTAH (LKjIP)\nINSPEKTORAT KABUPATEN JOMBANG\n"
             "TAHUN 2022\n")
    doc = DocumentContent(pages=(PageContent(number=1, width=595, height=842, text=cover, ocr=True),))
    result = lkjip.parse(doc)
    assert result.title == "Laporan Kinerja Internal Pemerintah Tahun 2022"
    assert result.instansi == "Inspektorat Kabupaten Jombang"
    assert result.pemerintah == "Pemerintah Kabupaten Jombang"
    assert result.tahun == 2022


@pytest.mark.parametrize(
    ("title", "ok"),
    [("Laporan Kinerja Instansi Pemerintah Tahun 2023", True),
     ("Laporan Akuntabilitas Kinerja Instansi Pemerintah (LAKIP) Tahun 2023", True),
     ("LAPORAN KINERJA lg RJ INTERNAL Ta 3 tah |» IKI II N | 11 TAHUN 2022", False)],
)
def test_plausible_title_rejects_garbled_ocr(title: str, ok: bool) -> None:
    assert lkjip.plausible_title(title) is ok
