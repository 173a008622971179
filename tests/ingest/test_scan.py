"""Scanned page -> page model: grid, merged cells, per-cell text, symbols, failing pages."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from ingest import scan, scan_cells
from ingest.layout import PageContent
from ingest.ocr import FakeEngine, OcrError, OcrOptions, TesseractEngine
from ingest.raster import PageImage
from tests.ingest.scan_images import DPI, XS, YS, flowchart_page

PT = 72 / DPI


def _read(img: np.ndarray, engine: object) -> PageContent:
    return scan.read_page_image(PageImage(number=1, rgb=img, dpi=DPI), engine)  # type: ignore[arg-type]


def test_grid_rows_columns_and_merged_cells() -> None:
    page = _read(flowchart_page(), FakeEngine())
    assert len(page.tables) == 1
    table = page.tables[0]
    assert len(table.rows) == 4 and len(table.rows[0]) == 5
    header, sub = table.rows[0], table.rows[1]
    # 'Pelaksana' spans both actor columns; No, Kegiatan and Output span both header rows.
    assert header[2] is not None and header[3] is None
    assert sub[0] is None and sub[1] is None and sub[4] is None
    assert sub[2] is not None and sub[3] is not None
    assert header[2].box.x0 == pytest.approx(XS[2] * PT, abs=2)
    assert header[2].box.x1 == pytest.approx(XS[4] * PT, abs=2)


def test_each_cell_keeps_its_own_lines() -> None:
    page = _read(flowchart_page(), FakeEngine())
    texts = page.tables[0].texts()
    assert texts[0][0] == "w40"
    assert texts[2][1] == "w120\nw80"  # two lines of one cell stay together, in order
    assert texts[2][4] == "w60"  # the Output column does not mix with Kegiatan
    assert texts[3][1] == "w160"
    assert texts[2][2] == "" and texts[3][3] == ""  # symbols and arrows are not text


def test_words_are_in_points() -> None:
    page = _read(flowchart_page(), FakeEngine())
    word = next(w for w in page.words if w.text == "w160")
    assert word.box.x0 == pytest.approx(210 * PT, abs=1)
    assert word.box.top == pytest.approx(480 * PT, abs=1)
    assert page.width == pytest.approx(1600 * PT) and page.ocr


def test_symbols_found_in_their_columns_and_rows() -> None:
    page = _read(flowchart_page(), FakeEngine())
    shapes = sorted(page.shapes, key=lambda s: s.box.top)
    assert [(s.kind, s.points) for s in shapes] == [("rect", 4), ("curve", 10)]
    rect, capsule = shapes
    assert XS[2] * PT < rect.box.cx < XS[3] * PT and YS[2] * PT < rect.box.cy < YS[3] * PT
    assert XS[3] * PT < capsule.box.cx < XS[4] * PT and YS[3] * PT < capsule.box.cy < YS[4] * PT


def test_solid_symbol_found_and_lines_and_text_bars_are_not() -> None:
    img = flowchart_page()
    cv2.rectangle(img, (960, 300), (1040, 370), (0, 0, 0), -1)  # a black square, actor 2, step 1
    page = _read(img, FakeEngine())
    solid = [s for s in page.shapes if s.filled]
    assert len(solid) == 1
    assert XS[3] * PT < solid[0].box.cx < XS[4] * PT and YS[2] * PT < solid[0].box.cy < YS[3] * PT
    assert len(page.shapes) == 3  # the outlined rect and capsule are still found once each


def test_page_without_lines_has_no_table() -> None:
    img = flowchart_page()
    img[:] = 255
    img[300:315, 200:400] = 0
    page = _read(img, FakeEngine())
    assert page.tables == () and page.shapes == ()
    assert page.text == "w200"


def test_short_number_fixes() -> None:
    assert scan_cells.fix_short_number("l.") == "1."
    assert scan_cells.fix_short_number("2,") == "2."
    assert scan_cells.fix_short_number("I") == "I"
    assert scan_cells.fix_short_number("Ya") == "Ya"
    assert scan_cells.fix_short_number("12") == "12"
    assert scan_cells.fix_short_number("Yo") == "%"


def test_failing_page_becomes_warning(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def boom(path: Path, index: int, options: OcrOptions) -> PageContent:
        raise OcrError("Tesseract stopped: timeout")

    monkeypatch.setattr(scan, "read_one_page", boom)
    pages = scan.read_pages(tmp_path / "x.pdf", [0, 1], OcrOptions(engine="fake", jobs=1))
    assert [p.number for p in pages] == [1, 2]
    assert all(p.text == "" and p.warnings[0].startswith(f"halaman {p.number}: OCR gagal (") for p in pages)


@pytest.mark.tesseract
def test_real_tesseract_reads_cells() -> None:
    page = _read(flowchart_page(words=True), TesseractEngine())
    texts = page.tables[0].texts()
    assert texts[0][0] == "No"
    assert texts[2][1] == "Menyusun laporan\nkinerja tahunan"
    assert texts[2][0] == "1." and texts[3][0] == "2."
    assert texts[2][4] == "Laporan" and texts[3][4] == "Dokumen"
    assert (texts[1][2], texts[1][3]) == ("Kepala", "Staf")
    assert all((w.conf or 0) > 50 for w in page.words)


LINES = ["Dinas Peternakan dan Kesehatan Hewan", "Laporan Kinerja Instansi Pemerintah",
         "Peningkatan populasi ternak sapi potong", "Program pengendalian penyakit hewan menular"]


def _scan_with_layer(path: Path, layer: list[str]) -> Path:
    """A scanned page of LINES (image) carrying an invisible text layer of `layer`."""
    import io

    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from tests.ingest.scan_images import text_page

    img = text_page(LINES * 3, size=34)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    size = (img.shape[1] * 72 / 200, img.shape[0] * 72 / 200)
    c = canvas.Canvas(str(path), pagesize=size)
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, *size)
    text = c.beginText(36, size[1] - 40)
    text.setTextRenderMode(3)
    for line in layer * 3:
        text.textLine(line)
    c.drawText(text)
    c.showPage()
    c.save()
    return path


def test_layer_agreement() -> None:
    from ingest.extract import layer_agrees
    from ingest.layout import Box, Word
    from ingest.ocr import OcrWord

    page = PageContent(1, 600, 800, "", words=tuple(Word(t, Box(0, 0, 1, 1)) for t in
                                                    ["Dinas", "Peternakan", "dan", "Kesehatan", "Hewan", "Kinerja", "Laporan"]))
    read = [OcrWord(t, 0, 0, 10, 10, 90.0) for t in ["Dinas", "Peternakan", "Kesehatan", "Hewan", "Laporan", "Kinerja"]]
    assert layer_agrees(page, read)
    wrong = [OcrWord(t, 0, 0, 10, 10, 90.0) for t in ["Pelemakan", "Kesehalan", "Hewan", "Laparan", "Kinerja", "Dlnas"]]
    assert not layer_agrees(page, wrong)
    assert layer_agrees(page, wrong[:3])  # too few words to judge


@pytest.mark.tesseract
def test_wrong_text_layer_is_read_again(tmp_path: Path) -> None:
    from ingest.extract import ExtractOptions, extract_file

    garbled = [ln.replace("Peternakan", "Pelemakan").replace("i", "l").replace("a", "o") for ln in LINES]
    bad = extract_file(_scan_with_layer(tmp_path / "bad.pdf", garbled), ExtractOptions(ocr=OcrOptions(jobs=1)))
    assert "Peternakan" in bad.page_texts[0] and "Pelemakan" not in bad.page_texts[0]
    assert bad.scanned
    good = extract_file(_scan_with_layer(tmp_path / "good.pdf", LINES), ExtractOptions(ocr=OcrOptions(jobs=1)))
    assert not good.scanned  # a right layer is kept (and not read again)


def _letters_on_underline(with_scrawl: bool) -> tuple[np.ndarray, np.ndarray]:
    """Grey crop (300 DPI) of five letter-sized blobs on an underline, maybe a scrawl across."""
    import cv2

    gray = np.full((200, 600), 255, np.uint8)
    for k in range(5):
        gray[80:110, 100 + 60 * k : 100 + 60 * k + 22] = 0
    gray[112:117, 90:400] = 0  # the underline touches every letter
    gray[108:112, 90:400] = 0
    if with_scrawl:
        cv2.line(gray, (150, 10), (330, 190), 0, 4)  # a signature stroke through the name
    ink = np.where(gray < 128, 255, 0).astype(np.uint8)
    return gray, ink


@pytest.mark.parametrize("with_scrawl", [False, True])
def test_underlined_name_keeps_letters_loses_lines(with_scrawl: bool) -> None:
    gray, ink = _letters_on_underline(with_scrawl)
    out = scan_cells.text_only(gray, ink, 300)
    assert out is not None
    assert (out[113:116, 90:400] == 255).mean() > 0.8  # underline gone
    assert (out[85:105, 100:122] == 0).all() and (out[85:105, 340:362] == 0).all()  # letters stay
    if with_scrawl:
        assert (out[20:60, 160:200] == 255).all()  # the scrawl away from the name is gone


@pytest.mark.parametrize("scan", [True, False])
def test_stamp_overlay_hidden_when_rendering(tmp_path: Path, scan: bool) -> None:
    import io

    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from ingest.raster import render_page

    def reader(img: np.ndarray) -> ImageReader:
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, format="PNG")
        return ImageReader(io.BytesIO(buf.getvalue()))

    base = np.full((1100, 850, 3), 255, np.uint8)
    stamp = np.zeros((100, 100, 3), np.uint8)
    stamp[..., 2] = 200  # a blue square
    pdf = tmp_path / "stamped.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(612, 792))
    c.drawImage(reader(base), 0, 0, 612 if scan else 300, 792 if scan else 400)
    c.drawImage(reader(stamp), 150, 792 - 380, 100, 100)
    c.showPage()
    c.save()
    rgb, _ = render_page(pdf, 0, dpi=72)
    blue = (rgb[290:370, 160:240, 2] > 150) & (rgb[290:370, 160:240, 0] < 80)
    # laid over a scan: left out for OCR; on a page that is no scan: an image like any other
    assert blue.any() != scan


@pytest.mark.tesseract
def test_a_page_stored_sideways_is_turned_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read once, upright: never first read sideways and then again (the slow path of turned tables)."""
    from ingest.raster import rotate_quarter
    from tests.ingest.scan_images import scan_pdf, text_page

    lines = ["Perjanjian Kinerja Tahun 2024", "Dinas Komunikasi dan Informatika",
             "Sasaran Strategis dan Indikator Kinerja", "Target Realisasi Capaian Keterangan"]
    pdf = scan_pdf(tmp_path / "sideways.pdf", rotate_quarter(text_page(lines), 270))
    options = OcrOptions(jobs=1, second="")
    engine = TesseractEngine()
    page_reads: list[int] = []
    read = engine.read

    def counted(image, *, psm=3):  # type: ignore[no-untyped-def]
        if psm == 3:  # the page's text outside tables: once per reading of the page
            page_reads.append(1)
        return read(image, psm=psm)

    monkeypatch.setattr(engine, "read", counted)
    monkeypatch.setattr(scan, "_engine", lambda _options: engine)
    page = scan.read_one_page(pdf, 0, options)
    assert page.turned == 90
    assert "Kinerja" in page.text and "Informatika" in page.text
    assert len(page_reads) == 1


@pytest.mark.parametrize("as_stored", [False, True])
def test_an_unsure_reading_is_orientation_checked_unless_taken_as_stored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_stored: bool) -> None:
    """A picture page with little print (a cover photo): its first reading is unsure; a page of
    a born-digital file is kept the way it is stored instead of running OSD and trial readings."""
    from tests.ingest.scan_images import scan_pdf, text_page

    pdf = scan_pdf(tmp_path / "cover.pdf", text_page(["LAPORAN KINERJA", "TAHUN 2023"]))
    checked: list[int] = []

    def orientation(rgb, dpi, engine):  # type: ignore[no-untyped-def]
        checked.append(1)
        return 0

    monkeypatch.setattr(scan, "detect_orientation", orientation)
    page = scan.read_one_page(pdf, 0, OcrOptions(engine="fake", jobs=1, as_stored=as_stored))
    assert not scan.reads_upright(page)  # too few words to judge
    assert checked == ([] if as_stored else [1])
