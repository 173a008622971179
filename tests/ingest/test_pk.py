"""Perjanjian Kinerja parser on an agreement generated here with reportlab, plus the real pk-jabar-5."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ingest.layout import Box, DocumentContent, PageContent, Word
from ingest.parsers import pk
from ingest.textlayer import read_text_layer

SHARED = Path("/work/shared")
_N = getSampleStyleSheet()["Normal"]
_GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "TOP")])

TARGETS = [
    ["No", "Sasaran Strategis", "Indikator Kinerja", "Target"],
    ["1", "2", "3", "4"],
    ["1", "Meningkatnya produksi\npertanian",
     "Jumlah Produksi Tanaman Pangan :\na. Padi\nb. Jagung", "\n12.317.066 ton\n1.190.793 ton"],
    ["2", "Meningkatnya kualitas\nlaporan keuangan",
     "1. Prosentase SP2D yang\ntepat waktu\n2. Jumlah laporan keuangan:\n- DAU\n- Belanja pegawai",
     "100%\n\n\n2 Dokumen\n3 Dokumen"],
    ["3", "", "Jumlah pengelola keuangan\nyang tertata", "27 Kab/Kota\n1 Provinsi"],
]
PROGRAMS = [
    ["No", "Program", "Anggaran (Rp)", "Keterangan"],
    ["1", "Program pelayanan administrasi\nperkantoran", "Rp. 18.972.674.100,-", "APBD"],
    ["2", "Program peningkatan sarana", "Rp 6.006.780.000,00", "APBN\n(Tugas Pembantuan)"],
]


def _p(text: str) -> Paragraph:
    return Paragraph(text, _N)


def _build(path: Path) -> Path:
    signatures = Table(
        [["PIHAK KEDUA,", "PIHAK PERTAMA,"], ["GUBERNUR JAWA BARAT", "KEPALA DINAS PERTANIAN"],
         ["", ""], ["AHMAD HERYAWAN", "Ir. DIDEN TRISNADI, MP."], ["", "Pembina Utama Madya"],
         ["", "NIP. 19560622 198503 1 011"]], colWidths=[240, 240])
    story = [
        _p("PERJANJIAN KINERJA TAHUN 2016"), _p("DINAS PERTANIAN PROVINSI JAWA BARAT"),
        Spacer(1, 12), _p("Nama : Ir. DIDEN TRISNADI, MP."),
        _p("Jabatan : KEPALA DINAS PERTANIAN"), _p("PROVINSI JAWA BARAT"),
        _p("Selanjutnya disebut PIHAK PERTAMA"), _p("Nama : AHMAD HERYAWAN"),
        _p("Jabatan : GUBERNUR JAWA BARAT"), _p("Selanjutnya disebut PIHAK KEDUA"),
        Spacer(1, 12), _p("Bandung, 22 April 2016"), signatures, PageBreak(),
        _p("PERJANJIAN KINERJA TAHUN 2016"), Table(TARGETS, style=_GRID), PageBreak(),
        Table(PROGRAMS, style=_GRID),
    ]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    return pk.parse(read_text_layer(_build(tmp_path_factory.mktemp("pk") / "pk.pdf")))


def test_parties(result) -> None:
    first, second = result.pihak_pertama, result.pihak_kedua
    assert first.nama == "Ir. DIDEN TRISNADI, MP."
    assert first.jabatan == "Kepala Dinas Pertanian Provinsi Jawa Barat"
    assert first.nip == "195606221985031011"
    assert first.pangkat == "Pembina Utama Madya"
    assert (second.nama, second.jabatan, second.nip) == ("AHMAD HERYAWAN", "Gubernur Jawa Barat", None)


def test_metadata(result) -> None:
    assert result.tahun == 2016
    assert result.instansi == "Dinas Pertanian Provinsi Jawa Barat"
    assert result.pemerintah == "Pemerintah Provinsi Jawa Barat"
    assert result.tanggal == "2016-04-22"


def test_items_and_sub_items_become_indicators(result) -> None:
    got = [(i.indikator, i.target, i.satuan) for i in result.indicators]
    assert got == [
        ("Jumlah Produksi Tanaman Pangan : Padi", 12317066.0, "ton"),
        ("Jumlah Produksi Tanaman Pangan : Jagung", 1190793.0, "ton"),
        ("Prosentase SP2D yang tepat waktu", 100.0, "%"),
        ("Jumlah laporan keuangan: DAU", 2.0, "Dokumen"),
        ("Jumlah laporan keuangan: Belanja pegawai", 3.0, "Dokumen"),
        ("Jumlah pengelola keuangan yang tertata", None, None),
    ]
    assert result.indicators[-1].target_text == "27 Kab/Kota 1 Provinsi"
    assert result.indicators[0].sasaran == "Meningkatnya produksi pertanian"
    assert result.indicators[-1].sasaran == "Meningkatnya kualitas laporan keuangan"


def test_programs(result) -> None:
    got = [(p.program, p.anggaran, p.keterangan) for p in result.programs]
    assert got == [
        ("Program pelayanan administrasi perkantoran", 18972674100.0, "APBD"),
        ("Program peningkatan sarana", 6006780000.0, "APBN (Tugas Pembantuan)"),
    ]


@pytest.mark.skipif(not (SHARED / "real").exists(), reason="shared real documents not present")
def test_real_pk_with_unruled_program_table() -> None:
    got = pk.parse(read_text_layer(SHARED / "real/pk-jabar-5.pdf"))
    assert got.pihak_pertama is not None and got.pihak_pertama.nip == "196303121989011002"
    assert got.pihak_kedua is not None and got.pihak_kedua.nama == "AHMAD HERYAWAN"
    assert [i.target for i in got.indicators] == [None, 140.0, 6.0, 2.0, 36.6]
    assert len(got.programs) == 10
    assert got.programs[-1].keterangan == "APBN (Dekonsentrasi)"
    assert sum(p.anggaran or 0 for p in got.programs) == 296480451935.0  # the sum of the transcribed amounts


def _ocr_page(number: int, lines: list[tuple[float, float, str]]) -> PageContent:
    words = []
    for x, y, text in lines:
        for k, token in enumerate(text.split()):
            words.append(Word(token, Box(x + 30 * k, y, x + 30 * k + 28, y + 9)))
    text = "\n".join(t for _, _, t in lines)
    return PageContent(number=number, width=612, height=936, text=text, words=tuple(words), ocr=True)


def test_parties_as_ocr_reads_the_statement_page() -> None:
    """A colon OCR dropped ('Nama Ir. ...'), and the superior's closing line that names the
    first party before it names the second ('selaku atasan PIHAK KESATU, ... disebut PIHAK KEDUA')."""
    page = _ocr_page(1, [
        (50, 50, "PERJANJIAN KINERJA TAHUN 2016"),
        (50, 80, "Nama Ir. DIDEN TRISNADI, MP."),
        (50, 92, "Jabatan : KEPALA DINAS PERTANIAN"),
        (50, 104, "selanjutnya disebut PIHAK KESATU"),
        (50, 116, "Nama :AHMAD HERYAWAN"),
        (50, 128, "Jabatan : GUBERNUR JAWA BARAT"),
        (50, 140, "selaku atasan PIHAK KESATU, selanjutnya disebut PIHAK KEDUA"),
    ])
    got = pk.parse(DocumentContent(pages=(page,), scanned=True))
    assert got.pihak_pertama is not None and got.pihak_kedua is not None
    assert (got.pihak_pertama.nama, got.pihak_pertama.jabatan) == (
        "Ir. DIDEN TRISNADI, MP.", "Kepala Dinas Pertanian")
    assert (got.pihak_kedua.nama, got.pihak_kedua.jabatan) == ("AHMAD HERYAWAN", "Gubernur Jawa Barat")


def test_unruled_program_rows_as_ocr_reads_them() -> None:
    """Amounts on the first line of each program; numbers misread ('.', 'us .', '10.Program')."""
    page = _ocr_page(3, [
        (60, 50, "Program Anggaran Keterangan"),
        (60, 70, "1. Program Peningkatan Produksi"), (330, 70, "Rp. 18.972.674.100,-"), (480, 70, "APBD"),
        (60, 80, "Pertanian Daerah"),
        (60, 90, "us . Program Pemberdayaan Sumber Daya"), (330, 90, "Rp. 6.589.645.000,-"), (480, 90, "APBN"),
        (60, 100, "Pertanian"), (480, 100, "(Dekonsentrasi)"),
        (60, 110, "10.Program Penyediaan Prasarana"), (330, 110, "Rp.315.403.800.000,-"), (480, 110, "APBD"),
    ])
    got = pk.program_rows_from_words(page)
    assert [(p.program, p.anggaran, p.keterangan) for p in got] == [
        ("Program Peningkatan Produksi Pertanian Daerah", 18972674100.0, "APBD"),
        ("Program Pemberdayaan Sumber Daya Pertanian", 6589645000.0, "APBN (Dekonsentrasi)"),
        ("Program Penyediaan Prasarana", 315403800000.0, "APBD"),
    ]
