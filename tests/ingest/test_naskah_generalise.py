"""Decisions and letters of offices no fixture had before session 4: a regional head's decision
(its kop is only `BUPATI X`), the number set on the line under `NOMOR`, and the slips OCR makes
in the heading and the number."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.layout import Box, DocumentContent, PageContent, Word
from ingest.parsers.naskah import parse
from ingest.textlayer import read_text_layer
from tests.ingest.naskah_pdfs import Decision, decision_pdf

HEAD_TITLE = ("", "TENTANG", "PEMBENTUKAN TIM PENYUSUN LAPORAN KINERJA", "TAHUN 2023", "")


@pytest.mark.parametrize(("head", "pemerintah"), [
    ("BUPATI SUKAMAJU", "Pemerintah Kabupaten Sukamaju"),
    ("WALIKOTA TANJUNG HARAPAN", "Pemerintah Kota Tanjung Harapan"),
    ("WALI KOTA TANJUNG HARAPAN", "Pemerintah Kota Tanjung Harapan"),
    ("GUBERNUR KALIMANTAN TENGAH", "Pemerintah Provinsi Kalimantan Tengah"),
])
def test_decision_of_a_regional_head(tmp_path: Path, head: str, pemerintah: str) -> None:
    spec = Decision(kop=(head, (), ""), heading=(f"KEPUTUSAN {head}", "NOMOR : 188.45/ 123 /2023",
                                                 *HEAD_TITLE, f"{head},"))
    got = parse(read_text_layer(decision_pdf(tmp_path / "kep.pdf", spec)))
    assert got.doc_type == "keputusan"
    assert got.nomor == "188.45/123/2023"
    assert (got.pemerintah, got.instansi) == (pemerintah, pemerintah)
    assert got.perihal == "Pembentukan Tim Penyusun Laporan Kinerja Tahun 2023"


def test_number_on_the_line_under_nomor(tmp_path: Path) -> None:
    spec = Decision(heading=("KEPUTUSAN KEPALA DINAS KESEHATAN KABUPATEN KUTAI TIMUR", "NOMOR :",
                             "800/ 41 /DINKES/II/2024", *HEAD_TITLE))
    got = parse(read_text_layer(decision_pdf(tmp_path / "kep.pdf", spec)))
    assert got.nomor == "800/41/DINKES/II/2024"
    assert got.instansi == "Dinas Kesehatan Kabupaten Kutai Timur"


def _ocr_page(*lines: str, conf: float = 92.0) -> DocumentContent:
    """A decision's first page as OCR words (centred lines, 12 pt apart), all read confidently."""
    words = []
    for k, line in enumerate(lines):
        x = 300 - 3 * len(line)
        for token in line.split():
            words.append(Word(token, Box(x, 60 + 16 * k, x + 6 * len(token), 70 + 16 * k), conf))
            x += 6 * len(token) + 5
    page = PageContent(number=1, width=600, height=900, text="\n".join(lines), words=tuple(words), ocr=True)
    return DocumentContent(pages=(page,), scanned=True)


@pytest.mark.parametrize(("nomor_line", "want"), [
    ("N0MOR : 188.45/l23/2O23", "188.45/123/2023"),
    ("NOMQR: 188.45/123/2023", "188.45/123/2023"),
    ("Nomer 445.1/Kep.l12-Huk/2015", "445.1/Kep.112-Huk/2015"),
    ("NOMOR : 800/41/II.15/DINKES/2024", "800/41/II.15/DINKES/2024"),  # letters that are letters stay
])
def test_heading_number_with_ocr_slips(nomor_line: str, want: str) -> None:
    doc = _ocr_page("BUPATI SUKAMAJU", "KEPUTUSAN BUPATI SUKAMAJU", nomor_line, "TENTANG",
                    "PEMBENTUKAN TIM", "BUPATI SUKAMAJU,", "Menimbang : bahwa", "MEMUTUSKAN :")
    got = parse(doc)
    assert got.doc_type == "keputusan"
    assert got.nomor == want
    assert got.instansi == "Pemerintah Kabupaten Sukamaju"


def test_letter_labels_with_ocr_slips() -> None:
    lines = [("PEMERINTAH KABUPATEN SUKAMAJU", 200, 30), ("DINAS PERHUBUNGAN", 220, 45),
             ("Sukamaju, 3 Maret 2025", 330, 120), ("N0mor ; 551.2/ l4 /DISHUB/2025", 50, 140),
             ("Perlhal : Undangan Rapat", 50, 156), ("Kepada", 330, 140), ("Yth. Kepala Bappeda", 330, 156),
             ("di -", 330, 172), ("Tempat", 340, 188)]
    words = []
    for text, x, top in lines:
        for token in text.split():
            words.append(Word(token, Box(x, top, x + 6 * len(token), top + 10), 93.0))
            x += 6 * len(token) + 4
    page = PageContent(number=1, width=600, height=900, text="\n".join(t for t, _, _ in lines) + "\nYth.",
                       words=tuple(words), ocr=True)
    got = parse(DocumentContent(pages=(page,), scanned=True))
    assert got.doc_type == "surat"
    assert (got.nomor, got.perihal, got.kepada) == ("551.2/14/DISHUB/2025", "Undangan Rapat", "Kepala Bappeda")
    assert got.instansi == "Dinas Perhubungan Kabupaten Sukamaju"
