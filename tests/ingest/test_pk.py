"""Perjanjian Kinerja parser on an agreement generated here with reportlab, plus the real pk-jabar-5."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

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
