"""Word boxes kept with a reading, and finding where a field's value was read."""

from __future__ import annotations

from ingest.layout import Box, DocumentContent, PageContent, Word
from ingest.wordboxes import Region, crop_box, decode, encode, from_document, locate


def _line(texts: list[str], top: float, x: float = 50.0) -> list[Word]:
    out = []
    for t in texts:
        out.append(Word(t, Box(x, top, x + 6 * len(t), top + 10), conf=90.0))
        x += 6 * len(t) + 4
    return out


PAGE1 = PageContent(1, 595, 842, "", tuple(
    _line(["Nomor", "SOP", ":", "045.2", "/", "17", "/", "2024"], 100)
    + _line(["Tanggal", "Pembuatan", ":"], 120)
    + _line(["NIP.", "19700101", "199503", "2", "004"], 140)), ocr=True, turned=90, skew=0.4)
PAGE2 = PageContent(2, 842, 595, "", tuple(
    _line(["Menerima", "aduan", "warga"], 300) + _line(["Tanggal", "2", "Juli", "2022"], 320)))
DOC = DocumentContent((PAGE1, PAGE2), scanned=True)


def test_the_stored_form_round_trips_compactly() -> None:
    pages = decode(encode(from_document(DOC)))
    assert [(p.number, p.width, p.turned, p.skew, p.ocr) for p in pages] == [
        (1, 595, 90, 0.4, True), (2, 842, 0, 0.0, False)]
    assert pages[0].words[3] == ("045.2", Box(116, 100, 146, 110))
    assert len(encode(from_document(DOC))) < 600


def test_values_are_found_where_they_are_printed() -> None:
    pages = from_document(DOC)
    steps = locate(pages, "steps[0].kegiatan", "Menerima aduan warga", page_hint=2)
    assert steps == Region(2, Box(50, 300, 166, 310))
    date = locate(pages, "tanggal", "2022-07-02")  # an ISO date, printed in words
    assert date is not None and date.page == 2 and date.box.top == 320
    nomor = locate(pages, "nomor", "045.2/17/2024")  # printed with spaces around the slashes
    assert nomor is not None and nomor.page == 1 and nomor.box.top == 100
    nip = locate(pages, "disahkan_oleh.nip", "197001011995032004")
    assert nip is not None and nip.box.top == 140 and nip.box.x0 > 50
    assert locate(pages, "perihal", "Pengadaan barang") is None


def test_an_empty_value_is_looked_for_by_its_label() -> None:
    pages = from_document(DOC)
    made = locate(pages, "tanggal_pembuatan", None)
    assert made is not None and made.page == 1
    assert made.box.x0 == 50 and made.box.x1 > 300  # the label and the space for its value
    assert locate(pages, "kepada", None) is None


def test_a_crop_has_context_and_stays_on_the_page() -> None:
    page = from_document(DOC)[0]
    small = crop_box(Region(1, Box(580, 5, 590, 15)), page)
    assert small.x1 == 595 and small.top == 0 and small.x1 - small.x0 >= 80
    tall = crop_box(Region(1, Box(50, 100, 300, 800)), page)
    assert tall.bottom - tall.top == 360


def test_a_value_not_among_the_words_is_looked_for_by_its_label() -> None:
    """A number taken from the second engine's reading is not among Tesseract's words."""
    region = locate(from_document(DOC), "nomor", "045.2/71/2024")
    assert region is not None and region.box.top == 100 and region.box.x0 == 50


def test_a_cell_read_line_by_line_across_its_row_is_found_in_its_column() -> None:
    """Two cells of a row, each on two lines: the page's reading order interleaves them."""
    left = [["Meningkatnya", "peran", "pemuda"], ["di", "desa"]]
    right = [["Meningkatnya", "pengembangan", "usaha"], ["kelompok", "pemuda", "mandiri"]]
    words: list[Word] = []
    for n in range(2):
        words += _line(left[n], 100 + 12 * n, x=40) + _line(right[n], 100 + 12 * n, x=300)
    page = PageContent(1, 595, 842, "", tuple(words))
    region = locate(from_document(DocumentContent((page,))), "indicators[1].sasaran",
                    "Meningkatnya pengembangan usaha kelompok pemuda mandiri")
    assert region is not None and region.box.x0 == 300 and region.box.bottom == 122
