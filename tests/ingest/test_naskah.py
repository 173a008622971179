"""The letter and decision parser on generated PDFs and on the real published ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.layout import Box, DocumentContent, PageContent, Word
from ingest.model import Extraction
from ingest.parsers.naskah import Line, page_lines, parse
from ingest.textlayer import read_text_layer
from tests.ingest.naskah_pdfs import Decision, Letter, decision_pdf, letter_pdf


def _parse(path: Path) -> Extraction:
    return parse(read_text_layer(path))


def test_two_column_letter(tmp_path: Path) -> None:
    got = _parse(letter_pdf(tmp_path / "a.pdf"))
    assert got.doc_type == "surat"
    assert got.nomor == "000.8.6.3/36/BKPSDM/2025"
    assert got.tanggal == "2025-03-03"
    assert got.perihal == "Penyampaian Laporan Kinerja Instansi Pemerintah Tahun 2024"
    assert got.kepada == "Kepala Badan Perencanaan Pembangunan Daerah Kota Samarinda"
    assert got.instansi == "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Samarinda"
    assert got.pemerintah == "Pemerintah Kota Samarinda"
    assert got.warnings == ()


def test_addressee_below_labels_drops_street_and_place(tmp_path: Path) -> None:
    spec = Letter(
        single_column=True,
        hal_label="Hal",
        perihal=("Undangan Rapat Evaluasi",),
        kepada_lines=(
            "Kepada Yth.",
            "Bapak Kepala Dinas Kesehatan",
            "Kota Samarinda",
            "Jl. Milono No. 1",
        ),
        after_kepada=("di", "SAMARINDA"),
    )
    got = _parse(letter_pdf(tmp_path / "b.pdf", spec))
    assert got.perihal == "Undangan Rapat Evaluasi"
    assert got.kepada == "Bapak Kepala Dinas Kesehatan Kota Samarinda"


def test_long_subject_runs_across_the_date_column(tmp_path: Path) -> None:
    long = "Penyampaian Laporan Kinerja Instansi Pemerintah Tahun 2024 dan Perjanjian Kinerja"
    spec = Letter(single_column=True, perihal=(long, "Tahun 2025"))
    got = _parse(letter_pdf(tmp_path / "long.pdf", spec))
    assert got.perihal == long + " Tahun 2025"
    assert got.kepada == "Kepala Badan Perencanaan Pembangunan Daerah Kota Samarinda"


def test_addressee_list_keeps_di_lingkungan(tmp_path: Path) -> None:
    spec = Letter(
        kepada_lines=(
            "Yth. 1. Kepala Perangkat Daerah",
            "di Lingkungan Pemerintah",
            "Kota Samarinda;",
            "2. Camat se-Kota Samarinda",
        ),
        after_kepada=("di -", "Tempat"),
        extra_labels=(),
    )
    got = _parse(letter_pdf(tmp_path / "c.pdf", spec))
    assert got.kepada == (
        "1. Kepala Perangkat Daerah di Lingkungan Pemerintah Kota Samarinda; 2. Camat se-Kota Samarinda"
    )
    assert got.nomor == "000.8.6.3/36/BKPSDM/2025"


def test_kop_office_line_with_region_is_not_doubled(tmp_path: Path) -> None:
    spec = Letter(
        pemerintah="PEMERINTAH PROVINSI KALIMANTAN BARAT",
        office=("DINAS KOMUNIKASI DAN INFORMATIKA PROVINSI KALIMANTAN BARAT",),
    )
    got = _parse(letter_pdf(tmp_path / "d.pdf", spec))
    assert got.instansi == "Dinas Komunikasi dan Informatika Provinsi Kalimantan Barat"


def test_decision_date_from_lampiran_when_day_blank(tmp_path: Path) -> None:
    got = _parse(decision_pdf(tmp_path / "k.pdf"))
    assert got.doc_type == "keputusan"
    assert got.nomor == "800/41/DINKES/II/2024"
    assert got.tanggal == "2024-02-05"
    assert got.perihal == (
        "Penetapan Rencana Kinerja Tahunan Dinas Kesehatan Kabupaten Kutai Timur Tahun 2024"
    )
    assert got.tahun == 2024
    assert got.instansi == "Dinas Kesehatan Kabupaten Kutai Timur"


def test_lampiran_sasaran_level_indicators(tmp_path: Path) -> None:
    """Merged, centred sasaran cells; program columns ignored; a continued row without top rule."""
    got = _parse(decision_pdf(tmp_path / "k.pdf"))
    rows = [(i.sasaran, i.indikator, i.satuan, i.target, i.target_text) for i in got.indicators]
    first, second = (
        "Meningkatnya kualitas pelayanan kesehatan",
        "Meningkatnya akuntabilitas kinerja",
    )
    assert rows == [
        (first, "Indeks Kepuasan Masyarakat", "Indeks", 82.5, None),
        (first, "Persentase puskesmas terakreditasi", "Persen", 95.0, None),
        (first, "Tingkat kematangan manajemen risiko", "Level", None, "Level 3"),
        (second, "Nilai SAKIP", "Nilai", 72.0, "BB (72)"),
    ]


def test_decision_signed_date_wins_and_blank_stays_null(tmp_path: Path) -> None:
    full = _parse(
        decision_pdf(tmp_path / "k1.pdf", Decision(signed_date="Pada tanggal 9 Februari 2024"))
    )
    assert full.tanggal == "2024-02-09"
    blank = _parse(decision_pdf(tmp_path / "k2.pdf", Decision(lampiran_date=None)))
    assert blank.tanggal is None
    assert "tanggal: tidak ditemukan" in blank.warnings


def _word(text: str, x0: float, top: float, x1: float | None = None) -> Word:
    return Word(text, Box(x0, top, x1 if x1 is not None else x0 + 6 * len(text), top + 10))


def test_letter_spaced_heading_is_rejoined() -> None:
    letters = [_word(ch, 200 + 12 * i, 50, 207 + 12 * i) for i, ch in enumerate("INSPEKTORAT")]
    assert Line(tuple(letters)).text == "INSPEKTORAT"
    two = [
        _word(ch, 100 + 12 * i + (20 if i >= 5 else 0), 50, 107 + 12 * i + (20 if i >= 5 else 0))
        for i, ch in enumerate("DINASSOSIAL")
    ]
    assert Line(tuple(two)).text == "DINAS SOSIAL"


def test_lines_group_words_by_row_not_by_column() -> None:
    words = (
        _word("Hal", 20, 232.0),
        _word(":", 74, 232.0),
        _word("Undangan", 80, 232.0),
        _word("1.", 332, 224.4),
        _word("Kabupaten", 345, 224.4),
        _word("Perihal", 20, 300.0),
        _word("Mega", 339, 300.6),
    )
    page = PageContent(number=1, width=600, height=900, text="", words=words)
    texts = [ln.text for ln in page_lines(page)]
    assert texts == ["1. Kabupaten", "Hal : Undangan", "Perihal Mega"]


def test_attached_colons_are_read() -> None:
    rows = [
        ("Nomor:046/1177", 20, 100),
        ("Kepada", 300, 100),
        ("Hal:", 20, 115),
        ("Undangan", 60, 115),
        ("Yth.", 300, 115),
        ("Bupati", 330, 115),
        ("Semarang,", 300, 80),
        ("1", 360, 80),
        ("Juni", 370, 80),
        ("2022", 400, 80),
    ]
    words = tuple(_word(t, x, y) for t, x, y in rows)
    doc = DocumentContent(
        pages=(PageContent(number=1, width=600, height=900, text="Yth.", words=words),)
    )
    got = parse(doc)
    assert (got.nomor, got.perihal, got.kepada, got.tanggal) == (
        "046/1177",
        "Undangan",
        "Bupati",
        "2022-06-01",
    )


def _page(*rows: tuple[str, float, float]) -> DocumentContent:
    """A page from (text, x, top) runs; each run's words are laid out left to right."""
    words = []
    for text, x, top in rows:
        for token in text.split():
            words.append(_word(token, x, top))
            x += 6 * len(token) + 4
    text = "\n".join(r[0] for r in rows)
    return DocumentContent(
        pages=(PageContent(number=1, width=600, height=900, text=text, words=tuple(words)),)
    )


def test_nota_dinas_addressee_ends_at_next_label() -> None:
    doc = _page(
        ("DINAS KESEHATAN", 200, 30),
        ("KOTA SAMARINDA", 210, 45),
        ("Jl. Milono No. 1", 220, 60),
        ("NOTA DINAS", 250, 100),
        ("Kepada", 50, 130),
        (": Yth. Kepala Bidang", 120, 130),
        ("Pelayanan Kesehatan", 128, 144),
        ("Dari", 50, 158),
        (": Sekretaris", 120, 158),
        ("Nomor", 50, 172),
        (": 440/ 77 /DKK/2024", 120, 172),
        ("Hal", 50, 186),
        (": Laporan triwulan", 120, 186),
        ("Tanggal", 50, 200),
        (": 4 Juli 2024", 120, 200),
        ("Pada hari Selasa, 2 Juli 2024 dilaksanakan rapat.", 50, 230),
    )
    got = parse(doc)
    assert got.kepada == "Kepala Bidang Pelayanan Kesehatan"
    assert (got.nomor, got.perihal) == ("440/77/DKK/2024", "Laporan triwulan")
    assert (
        got.tanggal == "2024-07-04"
    )  # 'Selasa, 2 Juli 2024' is a weekday in the body, not a place
    assert (got.instansi, got.pemerintah) == (
        "Dinas Kesehatan Kota Samarinda",
        "Pemerintah Kota Samarinda",
    )


REAL = ["naskah-jateng-1", "naskah-tubaba-1", "naskah-jombang-2"]


@pytest.mark.parametrize("name", REAL)
def test_real_documents(real_dir: Path, name: str) -> None:
    expected = json.loads((real_dir / f"{name}.json").read_text())
    got = _parse(real_dir / f"{name}.pdf").to_json()
    assert got["doc_type"] == expected["doc_type"]
    for field in ("nomor", "tanggal", "perihal", "kepada", "instansi"):
        if field in expected:
            assert (got[field] or "").casefold() == expected[field].casefold(), field
    keys = ("sasaran", "indikator", "satuan", "target", "target_text")
    want = [tuple(i.get(k) for k in keys) for i in expected.get("indicators", [])]
    assert [tuple(i.get(k) for k in keys) for i in got["indicators"]] == want


def _ocr_decision(number_conf: float) -> DocumentContent:
    lines = [("KEPUTUSAN BUPATI CONTOH", 95.0), ("NOMOR 256 TAHUN 2017", number_conf),
             ("TENTANG", 95.0), ("TIM FASILITASI PENANAMAN MODAL", 95.0), ("BUPATI CONTOH,", 95.0)]
    words = []
    for row, (text, conf) in enumerate(lines):
        for k, token in enumerate(text.split()):
            c = conf if token.isdigit() and token != "2017" else 95.0
            words.append(Word(token, Box(200 + 70 * k, 80 + 16 * row, 260 + 70 * k, 92 + 16 * row), conf=c))
    page = PageContent(number=1, width=595, height=842, text="\n".join(t for t, _ in lines),
                       words=tuple(words), ocr=True)
    return DocumentContent(pages=(page,), scanned=True)


def test_number_ocr_read_with_little_confidence_is_left_empty() -> None:
    """A handwritten '286' that OCR reads '256' at 65 is not taken: null and a warning."""
    from ingest.parsers import naskah

    doubtful = naskah.parse(_ocr_decision(65.0))
    assert doubtful.nomor is None
    assert naskah.UNREADABLE_NOMOR in doubtful.warnings
    assert "nomor: tidak ditemukan" not in doubtful.warnings
    printed = naskah.parse(_ocr_decision(93.0))
    assert printed.nomor == "256 TAHUN 2017" and printed.perihal == "Tim Fasilitasi Penanaman Modal"


def test_year_of_the_number_against_the_date() -> None:
    from ingest.parsers._naskah_nomor import year_check

    same = Extraction(doc_type="surat", nomor="046/1177/2022", tanggal="2022-06-21")
    other = Extraction(doc_type="keputusan", nomor="286 TAHUN 2017", tanggal="2018-04-20")
    assert year_check(same) == []
    assert year_check(other) and "2017" in year_check(other)[0]


def test_second_engine_confirms_or_not_a_doubtful_number() -> None:
    """Kept when the second engine reads the same digits; left empty when it reads others."""
    from ingest.parsers import naskah
    from ingest.second_look import SECOND_NOMOR, agreed

    doc = _ocr_decision(65.0)
    doubtful = naskah.parse(doc)
    words = naskah.nomor_words(doc)
    assert [w.text for w in words] == ["256", "TAHUN", "2017"]
    same = agreed(doubtful, words, "256 TAHUN 2017")
    assert same.nomor == "256 TAHUN 2017" and naskah.UNREADABLE_NOMOR not in same.warnings
    slip_words = [Word("005/O99/DPM", w.box, 60.0) for w in words[:1]]
    assert agreed(doubtful, slip_words, "005/O99/DPM", 97.0).nomor is None  # agreeing on a slip
    box = words[0].box
    letter = [Word("005/", box, 95.0), Word("099", box, 60.0), Word("/DPM-PTSP/2020", box, 95.0)]
    assert agreed(doubtful, letter, "005/ O99 /DPM-PTSP/2020", 97.0).nomor is None  # a slip
    assert agreed(doubtful, letter, "005/ 089 /DPM-PTSP/2020", 97.0).nomor == "005/089/DPM-PTSP/2020"
    unsure = agreed(doubtful, words, "286 TAHUN 2017", 70.0)
    assert unsure.nomor is None and naskah.UNREADABLE_NOMOR in unsure.warnings
    slipped = agreed(doubtful, words, "28STAHUN 2017", 97.0)
    assert slipped.nomor is None
    reframed = agreed(doubtful, words, "286 TAHUN 2018", 97.0)  # the printed year read otherwise
    assert reframed.nomor is None
    # handwriting the second engine reads confidently, in the printed frame Tesseract read
    other = agreed(doubtful, words, "286 TAHUN 2017", 97.0)
    assert other.nomor == "286 TAHUN 2017" and SECOND_NOMOR in other.warnings
    assert other.confidence["nomor"] < 0.9
