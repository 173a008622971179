"""The document-type classifier: every born-digital sample file, and the look-alikes that are hard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.classify import classify, score_types
from ingest.layout import DocumentContent, PageContent
from ingest.textlayer import read_text_layer
from tests.ingest.naskah_pdfs import Decision, Letter, decision_pdf, letter_pdf


def _doc(*pages: str) -> DocumentContent:
    return DocumentContent(
        pages=tuple(
            PageContent(number=i + 1, width=595, height=842, text=t) for i, t in enumerate(pages)
        )
    )


def _born_digital(folder: Path) -> list[Path]:
    out = []
    for pdf in sorted(folder.glob("*.pdf")):
        truth = pdf.with_suffix(".json")
        if truth.exists() and not json.loads(truth.read_text()).get("scanned"):
            out.append(pdf)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("folder", ["corpus", "real"])
def test_every_born_digital_sample(shared_dir: Path, folder: str) -> None:
    wrong = []
    files = _born_digital(shared_dir / folder)
    assert files
    for pdf in files:
        expected = json.loads(pdf.with_suffix(".json").read_text())["doc_type"]
        got = classify(read_text_layer(pdf))
        if got != expected:
            wrong.append(f"{pdf.name}: {got} (expected {expected})")
    assert not wrong


def test_generated_letter_and_decision(tmp_path: Path) -> None:
    assert classify(read_text_layer(letter_pdf(tmp_path / "s.pdf"))) == "surat"
    assert classify(read_text_layer(decision_pdf(tmp_path / "k.pdf", Decision()))) == "keputusan"


def test_letter_single_column_with_hal(tmp_path: Path) -> None:
    spec = Letter(single_column=True, hal_label="Hal", extra_labels=())
    assert classify(read_text_layer(letter_pdf(tmp_path / "s.pdf", spec))) == "surat"


COVER_LETTER = """PEMERINTAH KOTA SAMARINDA
BADAN KESATUAN BANGSA DAN POLITIK
Samarinda, 12 Februari 2024
Yth. Inspektur Kota Samarinda
di
Samarinda
SURAT PENGANTAR
Nomor: 000.5.3.1/017/BKBP/2024
No Naskah Dinas/Barang yang Dikirimkan Banyaknya Keterangan
1 Laporan Kinerja Instansi Pemerintah (LKjIP) Tahun 2023 1 (satu) berkas Disampaikan dengan hormat
Diterima tanggal Pengirim
"""

LETTER_ABOUT_LKJIP = """PEMERINTAH KABUPATEN JOMBANG
INSPEKTORAT
Jombang, 3 Maret 2023
Nomor : 700/123/415.15/2023 Kepada
Lampiran : 1 (satu) berkas Yth. Bupati Jombang
Perihal : Penyampaian Laporan Kinerja
Instansi Pemerintah (LKjIP) Tahun 2022
Bersama ini kami sampaikan Laporan Kinerja Instansi Pemerintah (LKjIP) Inspektorat
Tahun 2022 sebagai wujud akuntabilitas kinerja.
"""

DECISION_ABOUT_LKJIP = """KEPUTUSAN INSPEKTUR KABUPATEN JOMBANG
NOMOR : 188/ 9 /415.15/2023
TENTANG
TIM PENYUSUN LAPORAN KINERJA INSTANSI PEMERINTAH (LKjIP)
INSPEKTORAT KABUPATEN JOMBANG TAHUN 2022
INSPEKTUR KABUPATEN JOMBANG,
Menimbang : bahwa untuk menyusun Laporan Kinerja Instansi Pemerintah perlu dibentuk tim;
"""


def test_cover_letter_for_an_lkjip_is_a_letter() -> None:
    assert classify(_doc(COVER_LETTER)) == "surat"
    assert classify(_doc(LETTER_ABOUT_LKJIP)) == "surat"


def test_decision_about_an_lkjip_is_a_decision() -> None:
    assert classify(_doc(DECISION_ABOUT_LKJIP)) == "keputusan"


def test_lkjip_cover_still_wins_over_its_mentions() -> None:
    cover = "LAPORAN KINERJA INSTANSI PEMERINTAH\n(LKjIP) TAHUN 2023\nKATA PENGANTAR\n"
    assert classify(_doc(cover, "Akuntabilitas kinerja ...")) == "lkjip"


def test_unrelated_text_is_other() -> None:
    assert classify(_doc("Daftar hadir rapat koordinasi\nNama Jabatan Tanda tangan")) == "other"
    assert score_types("")["surat"] == 0


def test_the_archives_own_cover_letter_reads_back_as_a_letter(tmp_path: Path) -> None:
    """A surat pengantar rendered by `api.letters` (it lists an LKjIP, a PK and a form)."""
    pytest.importorskip("weasyprint")
    from api import letters
    from ingest.parsers.naskah import parse

    data = json.loads((Path(__file__).parents[1] / "data" / "letter-lkjip.json").read_text())
    pdf = tmp_path / "pengantar.pdf"
    pdf.write_bytes(
        letters.render_letter(letters.parse_request(data), "000.8.6.3/002/35.73.411/2026")
    )
    doc = read_text_layer(pdf)
    assert classify(doc) == "surat"
    got = parse(doc)
    assert (got.nomor, got.tanggal, got.kepada) == (
        "000.8.6.3/002/35.73.411/2026",
        "2026-11-21",
        "Inspektur Kota Samarinda",
    )
    assert got.instansi == "Badan Perencanaan Pembangunan Daerah Kota Samarinda"


def test_sop_identity_page_with_clipped_labels_from_ocr() -> None:
    """A low-resolution scan clips first letters of the labels; the page is still an SOP."""
    page = ("Sm agak |\n'Yomor Urut SOP | 60 / NS COMO / 2014\n\"anggal Pembuatan IK. farukU\n"
            "»sahkan Oleh i kepala U,77 komunikasi dan Informatika\nlama SOP Pengumpulan Informasi\n"
            "Dasar Hukum (ualifikasi Pelaksana\n1. Undang - Undang No. 14 Tahun 2008")
    assert classify(_doc(page)) == "sop"
    assert score_types("Nomor surat 5 dan nama sopir")["sop"] == 0


SURAT_KETERANGAN = """PEMERINTAH KOTA SURAKARTA
DINAS KOMUNIKASI DAN INFORMATIKA
Jl. Jenderal Sudirman No. 2
SURAT KETERANGAN
NOMOR : 480/112/2024
Yang bertanda tangan di bawah ini menerangkan bahwa tidak terdapat informasi yang dikecualikan.
Demikian Surat Keterangan ini disampaikan untuk dapat digunakan seperlunya.
Surakarta, 16 Agustus 2024
"""

PERATURAN = """SALINAN
BUPATI MANDAILING NATAL
PROVINSI SUMATERA UTARA
PERATURAN BUPATI MANDAILING NATAL
NOMOR 7 TAHUN 2025
TENTANG
PEDOMAN PENGGUNAAN DANA DESA
DENGAN RAHMAT TUHAN YANG MAHA ESA
Menimbang bahwa ketentuan penggunaan dana desa telah diatur
Mengingat Undang-Undang Nomor 6 Tahun 2014 tentang Desa
MEMUTUSKAN :
Menetapkan PERATURAN BUPATI TENTANG PEDOMAN PENGGUNAAN DANA DESA.
"""


def test_letter_titled_surat_keterangan_without_label_block() -> None:
    assert classify(_doc(SURAT_KETERANGAN)) == "surat"


def test_regulation_is_not_a_decision() -> None:
    assert classify(_doc(PERATURAN)) == "other"
    # the same preamble under a KEPUTUSAN heading is a decision
    assert classify(_doc(PERATURAN.replace("PERATURAN BUPATI MANDAILING NATAL\n",
                                           "KEPUTUSAN BUPATI MANDAILING NATAL\n"))) == "keputusan"


def test_a_flowchart_page_without_an_identity_page_is_an_sop() -> None:
    page = "SOP PELAYANAN PEMINJAMAN ARSIP\nNo Uraian Kegiatan Pelaksana Mutu Baku Keterangan\n1. Menerima berkas"
    assert classify(_doc(page)) == "sop"
    letter = ("PEMERINTAH KOTA CONTOH\nNomor : 000.8.3.3/12/2024\nHal : Penyampaian SOP\nKepada Yth. Kepala Dinas\n"
              "SOP pelayanan informasi kami sampaikan untuk diketahui.")
    assert classify(_doc(letter)) == "surat"
