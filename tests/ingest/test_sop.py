"""SOP parser: fixtures drawn with reportlab (tests/ingest/sop_fixtures.py) and shared corpus files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.layout import Box, Cell, DocumentContent, PageContent, Shape, Table
from ingest.model import Extraction, Waktu
from ingest.parsers._sop_identity import (
    clean_nomor,
    clean_title,
    fix_numbering,
    labelled_segments,
    match_list_label,
    parse_official,
    split_header,
)
from ingest.parsers._sop_table import column_role, find_header, is_column_number_row, leaf_role
from ingest.parsers._sop_waktu import header_unit, parse_waktu
from ingest.parsers.sop import parse
from ingest.textlayer import read_text_layer
from tests.ingest.sop_fixtures import ACTORS, STEPS, FlowSpec, IdentitySpec, StepSpec, write_sop_pdf

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"


def _extract(path: Path) -> Extraction:
    return parse(read_text_layer(path))


@pytest.fixture(scope="module")
def sop(tmp_path_factory: pytest.TempPathFactory) -> Extraction:
    """Identity page + a flowchart over two pages: Aktivitas / Pendukung / Persyaratan / KET,
    a column-number row, the header repeated on the second flowchart page."""
    flow = FlowSpec(ACTORS, STEPS, kegiatan_header="Aktivitas", group_header="Pendukung",
                    kelengkapan_header="Persyaratan", keterangan_header="KET",
                    column_numbers=True, rows_per_page=4)
    return _extract(write_sop_pdf(tmp_path_factory.mktemp("sop") / "sop.pdf", flow, IdentitySpec()))


# --- identity page ---------------------------------------------------------------------------

def test_identity_fields(sop: Extraction) -> None:
    assert sop.doc_type == "sop"
    assert sop.nomor == "045.2/17/100.26/2024"
    assert sop.title == "Pelayanan Peminjaman Arsip"
    assert sop.pemerintah == "Pemerintah Kota Samarinda"
    assert sop.instansi == "Dinas Perpustakaan dan Kearsipan Kota Samarinda"
    assert sop.tanggal_pembuatan == "2024-01-03"
    assert sop.tanggal_revisi is None  # printed '-'
    assert sop.tanggal_efektif == "2024-01-15"  # printed as 'Tanggal Pengesahan'


def test_disahkan_oleh(sop: Extraction) -> None:
    assert sop.disahkan_oleh is not None
    assert sop.disahkan_oleh.jabatan == "Kepala Dinas Perpustakaan dan Kearsipan"
    assert sop.disahkan_oleh.nama == "Dra. Siti Rahmawati, M.Si."
    assert sop.disahkan_oleh.nip == "197001011995032004"
    assert sop.disahkan_oleh.pangkat == "Pembina Utama Muda (IV/c)"


def test_lists_with_label_in_the_same_cell(sop: Extraction) -> None:
    assert sop.dasar_hukum == (
        "Undang-Undang Nomor 43 Tahun 2009 tentang Kearsipan",
        "Peraturan Pemerintah Nomor 28 Tahun 2012 tentang Pelaksanaan Undang-Undang Nomor 43 "
        "Tahun 2009",
    )
    assert sop.kualifikasi_pelaksana == ("Memahami tata kearsipan", "Mampu mengoperasikan komputer")
    assert sop.keterkaitan == ()
    assert sop.peralatan == ("Komputer", "Buku register peminjaman")
    assert sop.peringatan == ("Jika arsip tidak dikembalikan, peminjam tidak dilayani kembali",)
    assert sop.pencatatan == ("Register peminjaman arsip",)
    assert sop.warnings == ()


# --- flowchart -------------------------------------------------------------------------------

def test_actor_columns_and_step_actor_from_symbol(sop: Extraction) -> None:
    assert sop.pelaksana == ACTORS
    assert [s.pelaksana for s in sop.steps] == [ACTORS[s.actor] for s in STEPS]


def test_table_continues_on_next_page_and_column_numbers_are_not_steps(sop: Extraction) -> None:
    assert [s.no for s in sop.steps] == [1, 2, 3, 4, 5, 6, 7]
    assert [s.page for s in sop.steps] == [2, 2, 2, 2, 3, 3, 3]
    assert sop.steps[2].kegiatan == (
        "Menilai permohonan. Jika disetujui diteruskan, jika tidak dikembalikan kepada pengguna")


def test_step_cells(sop: Extraction) -> None:
    first = sop.steps[0]
    assert first.kelengkapan == "Formulir peminjaman; KTP"  # bullets joined by '; '
    assert first.output == "Formulir terisi"
    assert first.keterangan is None  # printed '-'
    assert sop.steps[2].keterangan == "Ya / Tidak"


def test_waktu_cells(sop: Extraction) -> None:
    got = [(w.value, w.unit) if w else None for w in (s.waktu for s in sop.steps)]
    assert got == [(15, "menit"), (2, "jam"), (3, "hari"), (15, "menit"), (None, None), None,
                   (1, "minggu")]
    assert sop.steps[4].waktu == Waktu(text="Setiap saat")


@pytest.mark.parametrize(
    ("kegiatan", "group", "kelengkapan", "waktu", "ket"),
    [
        ("Kegiatan", "Mutu Baku", "Kelengkapan", "Waktu", "Keterangan"),
        ("Uraian Prosedur", "Mutu Baku", "Kelengkapan", "Waktu (menit)", "Keterangan"),
        ("URAIAN PROSEDUR", "PENDUKUNG", "PERSYARATAN", "MENIT", "KET"),
    ],
)
def test_header_variants(tmp_path: Path, kegiatan: str, group: str, kelengkapan: str, waktu: str,
                         ket: str) -> None:
    steps = (STEPS[0], replace(STEPS[1], waktu="30", keterangan="Dicatat"), STEPS[6])
    flow = FlowSpec(ACTORS, steps, kegiatan_header=kegiatan, group_header=group,
                    kelengkapan_header=kelengkapan, waktu_header=waktu, keterangan_header=ket)
    got = _extract(write_sop_pdf(tmp_path / "v.pdf", flow))
    assert [s.no for s in got.steps] == [1, 2, 7]
    assert [s.pelaksana for s in got.steps] == ["Pengguna Layanan", "Petugas Arsip", "Pengguna Layanan"]
    assert got.steps[1].waktu == Waktu(text="30", value=30, unit="menit")
    assert got.steps[1].kelengkapan == "Formulir terisi"
    assert got.steps[1].keterangan == "Dicatat"
    assert "nomor: tidak ditemukan" in got.warnings  # no identity page in this file


def test_bare_number_under_jam_header_is_hours(tmp_path: Path) -> None:
    flow = FlowSpec(ACTORS, (replace(STEPS[1], waktu="4"),), waktu_header="Waktu (jam)")
    got = _extract(write_sop_pdf(tmp_path / "jam.pdf", flow))
    assert got.steps[0].waktu == Waktu(text="4", value=4, unit="jam")


def test_step_without_symbol_is_warned(tmp_path: Path) -> None:
    steps = (STEPS[0], StepSpec(2, "Langkah tanpa simbol", 1, "none", "A", "5", "B"), STEPS[6])
    got = _extract(write_sop_pdf(tmp_path / "nosym.pdf", FlowSpec(ACTORS, steps)))
    assert [s.pelaksana for s in got.steps] == ["Pengguna Layanan", None, "Pengguna Layanan"]
    assert "langkah 2: simbol bagan alir tidak ditemukan, pelaksana tidak diketahui" in got.warnings


def test_text_only_document_gives_warnings_not_errors() -> None:
    page = PageContent(number=1, width=842, height=595, text="")
    got = parse(DocumentContent(pages=(page,)))
    assert got.steps == () and got.nomor is None
    assert "steps: tabel bagan alir tidak ditemukan" in got.warnings


# --- generic pieces --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "role"),
    [("No", "no"), ("NO.", "no"), ("Uraian\nProsedur", "kegiatan"), ("Aktivitas", "kegiatan"),
     ("Persyaratan", "kelengkapan"), ("Waktu (menit)", "waktu"), ("MENIT", "waktu"),
     ("Output", "output"), ("KET", "keterangan"), ("Kepala Bidang", None)],
)
def test_leaf_role(text: str, role: str | None) -> None:
    assert leaf_role(text) == role


def test_column_role_uses_the_group_header() -> None:
    assert column_role(["Pelaksana", "Staf Pelaksana"]) == "actor"
    assert column_role(["Pendukung", "Waktu"]) == "waktu"
    assert column_role(["Keterangan"]) == "keterangan"


def _row(top: float, texts: list[str]) -> tuple[Cell, ...]:
    return tuple(Cell(t, Box(40.0 * i, top, 40.0 * (i + 1), top + 20)) for i, t in enumerate(texts))


def test_find_header_skips_title_rows_and_stops_at_column_numbers() -> None:
    rows = (_row(0, ["SOP X", "", "", ""]), _row(20, ["No", "Kegiatan", "Pelaksana", "Waktu"]),
            _row(40, ["1", "2", "3", "4"]), _row(60, ["1.", "Mulai kerja", "", "5"]))
    table = Table(page=1, box=Box(0, 0, 160, 80), rows=rows)
    assert find_header(table) == (1, 2)
    assert is_column_number_row(rows[2])
    assert not is_column_number_row(rows[3])


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [("15", 15, "menit"), ("15 menit", 15, "menit"), ("2 Jam", 2, "jam"), ("3 hari", 3, "hari"),
     ("Paling lambat 17 hari kerja", 17, "hari"), ("15'", 15, "menit"), ("1 Minggu", 1, "minggu"),
     ("2 bulan", 2, "bulan"), ("0,5 jam", 0.5, "jam"), ("Setiap saat", None, None),
     ("Tentatif", None, None), ("Pada hari dan jam kerja", None, None)],
)
def test_parse_waktu(text: str, value: float | None, unit: str | None) -> None:
    w = parse_waktu(text)
    assert w is not None and (w.value, w.unit, w.text) == (value, unit, text)


def test_parse_waktu_blank_and_header_unit() -> None:
    assert parse_waktu("") is None and parse_waktu("  \n") is None and parse_waktu(None) is None
    assert parse_waktu("-") is None
    assert header_unit("Waktu (jam)") == "jam" and header_unit("MENIT") == "menit"
    assert header_unit("Waktu") == "menit"


def test_official_with_long_jabatan_and_no_comma() -> None:
    got = parse_official("KEPALA DINAS KOMUNIKASI DAN INFORMATIKA\nPROVINSI KALIMANTAN BARAT\n"
                         "SAMUEL, SE, M.Si\nPembina Utama Madya\nNIP. 19660408 199303 1 009")
    assert got is not None
    assert got.jabatan == "Kepala Dinas Komunikasi dan Informatika Provinsi Kalimantan Barat"
    assert (got.nama, got.pangkat, got.nip) == ("SAMUEL, SE, M.Si", "Pembina Utama Madya",
                                                "196604081993031009")


def test_header_without_region_takes_it_from_the_signatory() -> None:
    lines = ("PEMERINTAH PROVISI KALIMANTAN BARAT\nSEKRETARIAT\nDINAS KOMUNIKASI DAN INFORMATIKA\n"
             "SUB BAGIAN UMUM DAN APARATUR")
    pemerintah, instansi = split_header(
        lines, "Kepala Dinas Komunikasi dan Informatika Provinsi Kalimantan Barat")
    assert pemerintah == "Pemerintah Provisi Kalimantan Barat"
    assert instansi == "Dinas Komunikasi dan Informatika Provinsi Kalimantan Barat"


def test_clean_title() -> None:
    assert clean_title("SOP PERINGATAN DINI/EVAKUASI DARURAT.") == "Peringatan Dini/Evakuasi Darurat"
    assert clean_title("Pengumpulan Data Kinerja") == "Pengumpulan Data Kinerja"
    assert clean_title(" - ") is None


# --- shared corpus ---------------------------------------------------------------------------

def _truth(name: str) -> dict:
    path = CORPUS / f"{name}.json"
    if not path.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return json.loads(path.read_text())


@pytest.mark.parametrize("name", ["sop-dinkes-06", "sop-bakesbangpol-02"])
def test_corpus_steps_match_ground_truth(name: str) -> None:
    truth = _truth(name)
    got = _extract(CORPUS / f"{name}.pdf")
    assert list(got.pelaksana) == truth["pelaksana"]
    assert [(s.no, s.pelaksana) for s in got.steps] == [(s["no"], s["pelaksana"]) for s in truth["steps"]]
    assert [s.kegiatan for s in got.steps] == [s["kegiatan"] for s in truth["steps"]]
    assert [(s.waktu.value, s.waktu.unit) if s.waktu else None for s in got.steps] == [
        (s["waktu"]["value"], s["waktu"]["unit"]) if s.get("waktu") else None for s in truth["steps"]]


def test_corpus_identity_matches_ground_truth() -> None:
    truth = _truth("sop-bkpsdm-01")
    got = _extract(CORPUS / "sop-bkpsdm-01.pdf").to_json()
    for key in ("nomor", "title", "instansi", "pemerintah", "tanggal_pembuatan", "tanggal_revisi",
                "tanggal_efektif", "disahkan_oleh", "dasar_hukum", "peralatan", "pencatatan"):
        assert got[key] == truth[key], key


# --- OCR-like page content (what the scan reader hands over) ---------------------------------

def _ocr_flow_page() -> PageContent:
    """A flowchart as a scan reader rebuilds it: misread headers ('NC', 'Palakeana'), a first
    step number misread as '4', a '-' for a step number, and outline regions that connectors
    cut out of cell corners next to the real symbols."""
    xs = [20.0, 40.0, 200.0, 260.0, 320.0, 380.0, 460.0, 520.0, 600.0]
    rows: list[tuple[Cell | None, ...]] = [
        (Cell("NC", Box(20, 40, 40, 70)), Cell("Kegiatam", Box(40, 40, 200, 70)),
         Cell("Palakeana", Box(200, 40, 380, 50)), None, None,
         Cell("Mutu Baku", Box(380, 40, 600, 50)), None, None),
        (None, None, Cell("Pemohon", Box(200, 50, 260, 70)), Cell("Petugas", Box(260, 50, 320, 70)),
         Cell("Kepala", Box(320, 50, 380, 70)), Cell("Kelengkapan", Box(380, 50, 460, 70)),
         Cell("Waktu", Box(460, 50, 520, 70)), Cell("Output", Box(520, 50, 600, 70))),
    ]
    rows.append(tuple(Cell(str(i + 1), Box(xs[i], 70, xs[i + 1], 80)) for i in range(8)))
    steps = [("4", "Mengajukan permohonan", "Formulir", "10 menit", "Berkas"),
             ("2", "Memeriksa berkas", "Berkas", "1 hari", "Berkas diperiksa"),
             ("-", "Menyetujui berkas", "Berkas diperiksa", "", "Persetujuan")]
    for r, (no, keg, kel, wkt, out) in enumerate(steps):
        top = 80.0 + 40 * r
        texts = [no, keg, "", "", "", kel, wkt, out]
        rows.append(tuple(Cell(t, Box(xs[i], top, xs[i + 1], top + 40)) for i, t in enumerate(texts)))
    table = Table(page=2, box=Box(20, 40, 600, 200), rows=tuple(rows))
    shapes = (
        Shape("curve", Box(210, 92, 250, 108), 10),   # step 1: capsule in Pemohon
        Shape("rect", Box(270, 132, 310, 148), 4),    # step 2: rect in Petugas
        Shape("rect", Box(320, 120, 356, 139), 4),    # corner region (column + row edge)
        Shape("curve", Box(330, 170, 370, 190), 5),   # step 3: diamond in Kepala
        Shape("curve", Box(262, 160, 320, 178), 4),   # corner region right of Petugas
        Shape("curve", Box(288, 148, 292, 152), 4, True),  # arrow head
    )
    return PageContent(number=2, width=842, height=595, text="SOP", tables=(table,), shapes=shapes)


def test_ocr_like_flowchart() -> None:
    got = parse(DocumentContent(pages=(_ocr_flow_page(),), scanned=True))
    assert got.pelaksana == ("Pemohon", "Petugas", "Kepala")
    assert [(s.no, s.pelaksana) for s in got.steps] == [(1, "Pemohon"), (2, "Petugas"), (3, "Kepala")]
    assert got.steps[2].waktu is None and got.steps[1].waktu == Waktu("1 hari", 1, "hari")
    assert "langkah 4: nomor tidak berurutan, dianggap 1" in got.warnings
    assert "langkah sesudah 2: nomor tidak terbaca, dianggap 3" in got.warnings


def test_merged_label_cell_from_ocr() -> None:
    cell = ("Iomor Urut SOP 68/DISKOMINFO/2024\nanggal Pembuatan 5 Januari 2024\nTanggal Revisi\n"
            ")isahkan Oleh Kepala Dinas\nSAMUEL, SE, Msi\nlama SOP Pengumpulan Informasi")
    assert labelled_segments(cell) == [
        ("nomor", "68/DISKOMINFO/2024"), ("tanggal_pembuatan", "5 Januari 2024"),
        ("tanggal_revisi", ""), ("disahkan_oleh", "Kepala Dinas\nSAMUEL, SE, Msi"),
        ("title", "Pengumpulan Informasi")]
    assert labelled_segments("Pengumpulan Data Kinerja") == []


def test_fix_numbering_as_ocr_reads_it() -> None:
    text = "1. Undang A\n2, Undang B\n2012 tentang C\n3 Peraturan D\n3 unit"
    assert fix_numbering(text) == "1. Undang A\n2. Undang B\n2012 tentang C\n3. Peraturan D\n3 unit"


def test_column_number_row_with_a_misread_number() -> None:
    assert is_column_number_row(_row(0, ["1", "2", "3", "4", "s", "6", "7"]))
    assert is_column_number_row(_row(0, ["1", "2", "3", "4", "", "6"]))
    assert not is_column_number_row(_row(0, ["1", "2", "s", "t", "5"]))  # two unreadable
    assert not is_column_number_row(_row(0, ["1", "Memeriksa", "3", "4"]))
    assert not is_column_number_row(_row(0, ["1", "3", "2", "4"]))


def test_last_step_number_repeated_by_ocr_is_the_next() -> None:
    page = _ocr_flow_page()
    table = page.tables[0]
    last = table.rows[-1]
    rows = (*table.rows[:-1], (replace(last[0], text="2"), *last[1:]))  # '3' read as '2'
    got = parse(DocumentContent(pages=(replace(page, tables=(replace(table, rows=rows),)),)))
    assert [s.no for s in got.steps] == [1, 2, 3]
    assert "langkah 2: nomor tidak berurutan, dianggap 3" in got.warnings


def test_official_with_signature_noise_as_ocr_reads_it() -> None:
    noise_above = parse_official("SEKRETARIS,\n| Fs .\nH. Bambang Hidayat, S.H., M.H.\n"
                                 "Pernbina Utama Madya (IV/d)\nNiP. 19670416 198903 2 009")
    assert noise_above is not None
    assert (noise_above.jabatan, noise_above.nama, noise_above.nip) == (
        "Sekretaris", "H. Bambang Hidayat, S.H., M.H.", "196704161989032009")
    assert noise_above.pangkat == "Pernbina Utama Madya (IV/d)"
    noise_below = parse_official("KEPALA BADAN,\nH. Agus Kusumawati, SE, M.Si\nai, Polo NP YO Ai\n"
                                 "Pembina (/a)\nNIP. 19770517 200201 2 007")
    assert noise_below is not None and noise_below.nama == "H. Agus Kusumawati, SE, M.Si"
    no_comma = parse_official("KEPALA DINAS KOMUNIKASI DAN INFORMATIKA\nPROVINSI KALIMANTAN BARAT\n"
                              "Koi SP\n& KAA pa\nSAMUEL SE M.Si\nNAN emb -a Utama Madya\n"
                              "NIP. 19660408 199303 1 009")
    assert no_comma is not None
    assert no_comma.jabatan == "Kepala Dinas Komunikasi dan Informatika Provinsi Kalimantan Barat"
    assert no_comma.nama == "SAMUEL SE M.Si"


def test_header_as_ocr_reads_it() -> None:
    address = split_header("PEMERINTAH KOTA PONTIANAK\nDINAS KESEHATAN KOTA PONTIANAK\n"
                           "Ji. Rahadi Usman No. 3 Pontianak 78111")
    assert address == ("Pemerintah Kota Pontianak", "Dinas Kesehatan Kota Pontianak")
    wrapped = split_header("PEMERINTAH KABUPATEN WAY KANAN\nBADAN KEPEGAWAIAN DAN PENGEMBANGAN\n"
                           "SUMBER DAYA MANUSIA KABUPATEN WAY\nKANAN\nJI. Jenderal Sudirman No. 112")
    assert wrapped[1] == "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kabupaten Way Kanan"
    misread = split_header("PEMERINTAH PROVINSI KALIMANTAN BARAT\nSEKRETARIAT\n"
                           "DMNAS KOMUNIKASI DAN INFORMATIKA\nSUE BAGIAM UMUM DAN APARATUR\n"
                           "Keselamatan dan Kesehatan Kerja")
    assert misread[1] == "Dmnas Komunikasi dan Informatika Provinsi Kalimantan Barat"


def test_list_labels_as_ocr_reads_them() -> None:
    assert match_list_label("(ualifikasi Pelaksana\n1. Minimal SMA") == (
        "kualifikasi_pelaksana", "1. Minimal SMA")
    assert match_list_label("?'eringatan") == ("peringatan", "")
    assert match_list_label("PENCATATAN DAN PEDATAAN") == ("pencatatan", "")
    assert match_list_label('"Dasar Hukum') == ("dasar_hukum", "")
    assert match_list_label("Memeriksa berkas") is None
    assert match_list_label("Peraturan") is None


def test_fix_numbering_with_misread_markers() -> None:
    text = "L, Minimal SMA\n&. Menguasai Komputer\n3. Memiliki pengetahuan\n3. Memiliki Tata Krama"
    assert fix_numbering(text) == (
        "1. Minimal SMA\n2. Menguasai Komputer\n3. Memiliki pengetahuan\n4. Memiliki Tata Krama")
    bare = ". Bila prosedur terlewati\n|. Bila prosedur tidak berjalan\n|. Bila prosedur"
    assert fix_numbering(bare).splitlines() == [
        "1. Bila prosedur terlewati", "2. Bila prosedur tidak berjalan", "3. Bila prosedur"]
    assert fix_numbering("1 SOP Pengawasan Pihak") == "1. SOP Pengawasan Pihak"
    unnumbered = "Komputer dan Jaringan Internet, Printer. Scanner\nL. ATK"
    assert fix_numbering(unnumbered) == unnumbered


def test_clean_nomor() -> None:
    assert clean_nomor("44 ISOP/ DISKOMINFO.IP /2024") == "44/SOP/DISKOMINFO.IP/2024"
    assert clean_nomor("| 68 / DISKOMINFO / 2024.") == "68/DISKOMINFO/2024"
    assert clean_nomor("000.9.3.3/146/667.04/2022") == "000.9.3.3/146/667.04/2022"
    assert clean_nomor(" - ") is None


def test_labels_with_noise_lines_and_rules() -> None:
    assert labelled_segments("Disahkan Oleh\n|") == [("disahkan_oleh", "")]
    assert labelled_segments("Nomor Urut SOP | 68/DISKOMINFO/2024") == [("nomor", "68/DISKOMINFO/2024")]


def test_parse_waktu_with_a_misread_unit() -> None:
    assert parse_waktu("30 Merut") == Waktu("30 Merut", 30, "menit")
    assert parse_waktu("2 Harl") == Waktu("2 Harl", 2, "hari")
    assert parse_waktu("3 berkas") == Waktu("3 berkas")
