"""Perjanjian Kinerja layouts other than the labelled statement: prose, signature blocks only,
an unruled program list with its Jumlah row, a measurement page beside the target table; and the
NIP structure check.  Every fixture is generated here."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ingest import nip
from ingest.layout import Box, DocumentContent, PageContent, Word
from ingest.parsers import pk
from ingest.textlayer import read_text_layer

_N = getSampleStyleSheet()["Normal"]
_GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")])
TARGETS = [["No", "Sasaran", "Indikator Kinerja", "Target"],
           ["1", "Meningkatnya layanan informasi", "Persentase layanan tepat waktu", "95 %"]]
MEASURED = [["No", "Sasaran", "Indikator Kinerja", "Target", "Realisasi", "Capaian (%)"],
            ["1", "Meningkatnya layanan lama", "Persentase aduan selesai", "80 %", "70 %", "87,5"]]


def _p(text: str) -> Paragraph:
    return Paragraph(text, _N)


def _pdf(path: Path, story: list) -> DocumentContent:
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return read_text_layer(path)


def test_pernyataan_in_prose(tmp_path: Path) -> None:
    prose = ("Pada hari ini Senin tanggal dua Januari tahun dua ribu dua puluh tiga, kami yang bertanda "
             "tangan di bawah ini: Drs. BUDI SANTOSO, M.Si, Kepala Dinas Komunikasi dan Informatika "
             "Kabupaten Contoh, selanjutnya disebut PIHAK PERTAMA. H. ANDI WIJAYA, S.E., Bupati Contoh, "
             "selaku atasan PIHAK PERTAMA, selanjutnya disebut PIHAK KEDUA.")
    doc = _pdf(tmp_path / "prose.pdf", [
        _p("PERJANJIAN KINERJA TAHUN 2023"), Spacer(1, 12), _p(prose), PageBreak(),
        _p("PERJANJIAN KINERJA TAHUN 2023"), Table(TARGETS, style=_GRID)])
    got = pk.parse(doc)
    assert got.pihak_pertama is not None and got.pihak_kedua is not None
    assert (got.pihak_pertama.nama, got.pihak_pertama.jabatan) == (
        "Drs. BUDI SANTOSO, M.Si", "Kepala Dinas Komunikasi dan Informatika Kabupaten Contoh")
    assert (got.pihak_kedua.nama, got.pihak_kedua.jabatan) == ("H. ANDI WIJAYA, S.E.", "Bupati Contoh")
    assert got.tahun == 2023 and [i.target for i in got.indicators] == [95.0]


def test_parties_only_in_side_by_side_signature_blocks(tmp_path: Path) -> None:
    """No names in the text, no PIHAK labels over the blocks: the elected head is PIHAK KEDUA
    wherever it stands, and the other block is PIHAK PERTAMA with its NIP."""
    blocks = Table([["Contoh, 2 Januari 2023", ""],
                    ["KEPALA DINAS KOMUNIKASI DAN INFORMATIKA", "BUPATI CONTOH,"], ["", ""],
                    ["Drs. BUDI SANTOSO, M.Si", "H. ANDI WIJAYA, S.E."], ["Pembina Tingkat I", ""],
                    ["NIP. 19690921 199803 1 011", ""]], colWidths=[250, 250])
    doc = _pdf(tmp_path / "blocks.pdf", [
        _p("PERJANJIAN KINERJA TAHUN 2023"), Table(TARGETS, style=_GRID), Spacer(1, 30), blocks])
    got = pk.parse(doc)
    assert got.pihak_pertama is not None and got.pihak_kedua is not None
    assert got.pihak_pertama.nama == "Drs. BUDI SANTOSO, M.Si"
    assert got.pihak_pertama.nip == "196909211998031011"
    assert got.pihak_pertama.jabatan == "Kepala Dinas Komunikasi dan Informatika"
    assert (got.pihak_kedua.nama, got.pihak_kedua.nip) == ("H. ANDI WIJAYA, S.E.", None)
    assert got.tanggal == "2023-01-02"


def test_measurement_page_of_another_year_is_not_the_pk_table(tmp_path: Path) -> None:
    doc = _pdf(tmp_path / "two.pdf", [
        _p("PERJANJIAN KINERJA TAHUN 2023"), Table(TARGETS, style=_GRID), PageBreak(),
        _p("PENGUKURAN KINERJA TAHUN 2022"), Table(MEASURED, style=_GRID)])
    got = pk.parse(doc)
    assert [i.indikator for i in got.indicators] == ["Persentase layanan tepat waktu"]


def test_unruled_program_list_with_a_jumlah_row(tmp_path: Path) -> None:
    """Columns from text alignment (no rulings); 'Jumlah' is the total, not a program."""
    rows = [["No", "Program", "Anggaran", "Keterangan"],
            ["1.", "Program Penunjang Urusan Pemerintahan", "Rp. 7.838.434.333,-", "APBD"],
            ["2.", "Program Pengelolaan Informasi Publik", "Rp. 9.985.639.757,-", "APBD"],
            ["", "Jumlah", "Rp. 17.824.074.090,-", ""]]
    doc = _pdf(tmp_path / "list.pdf", [_p("PERJANJIAN KINERJA TAHUN 2023"), Spacer(1, 12),
                                       Table(rows, colWidths=[30, 220, 130, 80])])
    assert not doc.pages[0].tables  # nothing ruled: the words' alignment is all there is
    got = pk.parse(doc)
    assert [(p.program, p.anggaran, p.keterangan) for p in got.programs] == [
        ("Program Penunjang Urusan Pemerintahan", 7838434333.0, "APBD"),
        ("Program Pengelolaan Informasi Publik", 9985639757.0, "APBD")]
    assert not any("jumlah anggaran" in w for w in got.warnings)  # the amounts add up


def _ocr_page(number: int, lines: list[tuple[float, float, str]]) -> PageContent:
    words = []
    for x, y, text in lines:
        for k, token in enumerate(text.split()):
            words.append(Word(token, Box(x + 46 * k, y, x + 46 * k + 44, y + 9), conf=90.0))
    text = "\n".join(t for _, _, t in lines)
    return PageContent(number=number, width=612, height=936, text=text, words=tuple(words), ocr=True)


def _program_page(total: str) -> DocumentContent:
    page = _ocr_page(3, [
        (60, 50, "No Program Anggaran"),
        (60, 70, "1 Program Penunjang Urusan"), (360, 70, "Rp. 7.838.434.333,-"),
        (60, 90, "2 Program Pengelolaan Informasi"), (360, 90, "Rp. 9.985.639."), (460, 90, "757,-"),
        (60, 110, "3 Program Persandian"), (360, 110, "Rp. 191.167.770,-"),
        (60, 130, "Jumlah"), (360, 130, total),
    ])
    return DocumentContent(pages=(page,), scanned=True)


def test_amount_split_by_ocr_and_the_jumlah_check() -> None:
    got = pk.parse(_program_page("Rp. 18.015.241.860,-"))
    assert [p.anggaran for p in got.programs] == [7838434333.0, 9985639757.0, 191167770.0]
    assert not any("jumlah anggaran" in w for w in got.warnings)  # they add up to the Jumlah
    misread = pk.parse(_program_page("Rp. 18.015.241.000,-"))
    assert any("jumlah anggaran" in w for w in misread.warnings)
    assert misread.confidence["programs[1].anggaran"] == pk.DOUBTED
    # the pipeline keeps the lower of the OCR confidence (0.9 here) and the self-check's cap
    from ingest.extract import with_confidence

    merged = with_confidence(misread, _program_page("Rp. 18.015.241.000,-"))
    assert merged.confidence["programs[0].anggaran"] == pk.DOUBTED
    assert merged.confidence["programs[0].program"] == 0.9


def test_nip_from_two_ocr_readings_of_the_signature_block() -> None:
    """Page 1 reads the last digits as letters ('Oli'), page 3 one digit too many: each alone is
    doubtful, together they agree on one NIP that has a valid structure."""
    def page(number: int, nip_line: str) -> PageContent:
        return _ocr_page(number, [
            (60, 600, "Pihak Kedua,"), (360, 600, "Pihak Pertama,"),
            (60, 620, "GUBERNUR CONTOH"), (360, 620, "KEPALA DINAS CONTOH"),
            (60, 700, "ANDI WIJAYA"), (360, 700, "BUDI SANTOSO"),
            (360, 712, "Pembina Utama Madya"), (360, 724, nip_line)])
    doc = DocumentContent(pages=(page(1, "NIP. 19690921 199803 1 Oli"),
                                 page(3, "NIP, 196950921 199803 1 011")), scanned=True)
    got = pk.parse(doc)
    assert got.pihak_pertama is not None and got.pihak_pertama.nip == "196909211998031011"
    only_long = DocumentContent(pages=(page(3, "NIP, 196950921 199803 1 011"),), scanned=True)
    alone = pk.parse(only_long).pihak_pertama
    assert alone is not None and alone.nip is None  # a dropped digit nobody confirms is not taken
    assert any("NIP PIHAK PERTAMA" in w for w in pk.parse(only_long).warnings)


def test_nip_structure() -> None:
    assert nip.structure_ok("196909211998031011")
    assert not nip.structure_ok("196913211998031011")  # month 13
    assert not nip.structure_ok("196909211980031011")  # service before the 17th birthday
    assert not nip.structure_ok("196909211998033011")  # sex digit 3
    assert not nip.structure_ok("19690921199803101")  # 17 digits
    assert nip.year_mismatch("196909211998031011", 1997)
    assert not nip.year_mismatch("196909211998031011", 2021)


def test_activity_table_of_a_lower_office(tmp_path: Path) -> None:
    """`Kegiatan` heads the program column and `Sumber Dana` the keterangan."""
    rows = [["No", "Kegiatan", "Anggaran (Rp)", "Sumber Dana"],
            ["1", "Penyusunan Dokumen Perencanaan", "Rp. 150.000.000,-", "APBD"],
            ["", "Jumlah", "Rp. 150.000.000,-", ""]]
    doc = _pdf(tmp_path / "keg.pdf", [_p("PERJANJIAN KINERJA TAHUN 2023"), Table(rows, style=_GRID)])
    got = pk.parse(doc)
    assert [(p.program, p.anggaran, p.keterangan) for p in got.programs] == [
        ("Penyusunan Dokumen Perencanaan", 150000000.0, "APBD")]


def test_numbered_labels_with_wrapped_jabatan_and_a_split_closing_line() -> None:
    text = """PERJANJIAN KINERJA TAHUN 2024
Kami yang bertanda tangan di bawah ini:
1. Nama : dr. SITI RAHAYU, M.Kes
   Jabatan : Kepala Dinas Kesehatan
   Kabupaten Contoh
   NIP : 19750412 200212 2 004
Selanjutnya dalam perjanjian ini disebut
PIHAK PERTAMA.
2. Nama : Ir. H. BAMBANG SUTRISNO
   Jabatan : Bupati Contoh
selaku atasan PIHAK PERTAMA, selanjutnya disebut PIHAK KEDUA."""
    page = PageContent(number=1, width=595, height=842, text=text)
    got = pk.parse(DocumentContent(pages=(page,)))
    assert got.pihak_pertama is not None and got.pihak_kedua is not None
    assert (got.pihak_pertama.nama, got.pihak_pertama.jabatan, got.pihak_pertama.nip) == (
        "dr. SITI RAHAYU, M.Kes", "Kepala Dinas Kesehatan Kabupaten Contoh", "197504122002122004")
    assert (got.pihak_kedua.nama, got.pihak_kedua.jabatan) == ("Ir. H. BAMBANG SUTRISNO", "Bupati Contoh")


def test_target_table_continued_on_the_next_page_without_its_header(tmp_path: Path) -> None:
    more = [["2", "Meningkatnya keamanan informasi", "Persentase sistem yang aman", "100 %"]]
    doc = _pdf(tmp_path / "cont.pdf", [
        _p("PERJANJIAN KINERJA TAHUN 2023"), Table(TARGETS, style=_GRID), PageBreak(),
        Table(more, style=_GRID)])
    got = pk.parse(doc)
    assert [(i.indikator, i.target) for i in got.indicators] == [
        ("Persentase layanan tepat waktu", 95.0), ("Persentase sistem yang aman", 100.0)]


def test_prose_with_selaku_and_a_nip_inside() -> None:
    text = ("PERJANJIAN KINERJA TAHUN 2022\nPada hari ini kami yang bertanda tangan di bawah ini: "
            "Ir. SUSANTO NIP. 19700101 199503 1 002 selaku Kepala Badan Perencanaan\nPembangunan "
            "Daerah Kota Contoh, selanjutnya disebut PIHAK PERTAMA. Dr. H. RUDI HARTONO, M.M., "
            "Wali Kota Contoh, selaku atasan PIHAK PERTAMA, selanjutnya disebut PIHAK KEDUA.")
    page = PageContent(number=1, width=595, height=842, text=text)
    got = pk.parse(DocumentContent(pages=(page,)))
    assert got.pihak_pertama is not None and got.pihak_kedua is not None
    assert (got.pihak_pertama.nama, got.pihak_pertama.nip, got.pihak_pertama.jabatan) == (
        "Ir. SUSANTO", "197001011995031002", "Kepala Badan Perencanaan Pembangunan Daerah Kota Contoh")
    assert (got.pihak_kedua.nama, got.pihak_kedua.jabatan) == ("Dr. H. RUDI HARTONO, M.M.", "Wali Kota Contoh")


def test_program_table_continued_on_the_next_page(tmp_path: Path) -> None:
    first = [["No", "Program", "Anggaran", "Keterangan"],
             ["1", "Program Penunjang Urusan", "Rp. 1.000.000,-", "APBD"]]
    second = [["2", "Program Pengelolaan Informasi", "Rp. 2.000.000,-", "APBD"],
              ["", "Jumlah", "Rp. 3.000.000,-", ""]]
    doc = _pdf(tmp_path / "prog.pdf", [_p("PERJANJIAN KINERJA TAHUN 2023"), Table(first, style=_GRID),
                                       PageBreak(), Table(second, style=_GRID)])
    got = pk.parse(doc)
    assert [(p.program, p.anggaran) for p in got.programs] == [
        ("Program Penunjang Urusan", 1000000.0), ("Program Pengelolaan Informasi", 2000000.0)]
    assert not any("jumlah anggaran" in w for w in got.warnings)
