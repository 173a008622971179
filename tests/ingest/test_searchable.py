"""The searchable copy: original pages untouched, invisible OCR words where the print is."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest

from ingest import raster, searchable
from ingest.extract import ExtractOptions, extract_file
from ingest.ocr import OcrOptions
from tests.ingest.scan_images import blank, scan_pdf, text_page

DPI = 200


def _scan_pdf(path: Path, img: np.ndarray, rotate: int = 0) -> Path:
    """A one-page 'scan': `img` (RGB, 200 DPI) as the only content of the page, turned by `rotate`."""
    from pypdf import PdfReader, PdfWriter

    scan_pdf(path, img, DPI)
    if rotate:
        writer = PdfWriter(clone_from=PdfReader(path))
        writer.pages[0].rotate(rotate)
        writer.write(path)
    return path


def _bars() -> np.ndarray:
    """Black bars of known widths (the fake engine names them w<width>) at known places."""
    img = blank(1600, 1000)
    for x, y, w in ((200, 150, 300), (200, 400, 120), (900, 700, 200)):
        img[y : y + 30, x : x + w] = 0
    return img


def _words(pdf: Path) -> dict[str, tuple[float, float]]:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return {w["text"]: (w["x0"], w["top"]) for w in doc.pages[0].extract_words()}


@pytest.mark.parametrize("rotate", [0, 90, 270])
def test_copy_has_invisible_words_where_the_ink_is(tmp_path: Path, rotate: int) -> None:
    img = raster.rotate_quarter(_bars(), (360 - rotate) % 360)  # stored turned, shown upright
    original = _scan_pdf(tmp_path / "scan.pdf", img, rotate)
    before = hashlib.sha256(original.read_bytes()).hexdigest()
    copy = tmp_path / "searchable.pdf"
    extract_file(original, ExtractOptions(ocr=OcrOptions(engine="fake", jobs=1, dpi=DPI), searchable_copy=copy))
    assert hashlib.sha256(original.read_bytes()).hexdigest() == before
    found = _words(copy)
    pt = 72 / DPI
    for name, (x, y) in {"w300": (200, 150), "w120": (200, 400), "w200": (900, 700)}.items():
        assert found[name] == pytest.approx((x * pt, y * pt), abs=3), name


def test_copy_keeps_pages_and_images(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    one = _scan_pdf(tmp_path / "one.pdf", _bars())
    writer = PdfWriter(clone_from=PdfReader(one))
    writer.append(PdfReader(one))
    writer.write(tmp_path / "two.pdf")
    copy = tmp_path / "copy.pdf"
    extract_file(tmp_path / "two.pdf", ExtractOptions(ocr=OcrOptions(engine="fake", jobs=1, dpi=DPI),
                                                      searchable_copy=copy))
    pages = PdfReader(copy).pages
    assert len(pages) == 2
    assert all(len(p.images) == 1 for p in pages)
    assert "w300" in pages[1].extract_text()


def test_no_copy_without_ocr(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "digital.pdf"
    c = canvas.Canvas(str(pdf))
    c.drawString(72, 700, "Standar Operasional Prosedur Dinas Komunikasi dan Informatika 2024")
    c.showPage()
    c.save()
    copy = tmp_path / "copy.pdf"
    extract_file(pdf, ExtractOptions(ocr=OcrOptions(engine="fake", jobs=1, dpi=DPI), searchable_copy=copy))
    assert not copy.exists()


def test_turn_and_skew_are_undone() -> None:
    w, h = 400.0, 300.0
    # raster.rotate_quarter(90) sends pixel (x, y) of a w x h image to (h - y, x)
    assert searchable.undo_turn((300 - 50, 20), 90, w, h) == (20, 50)
    for turn in (0, 90, 180, 270):
        img = np.zeros((300, 400), np.uint8)
        img[50, 20] = 255
        ys, xs = np.nonzero(raster.rotate_quarter(img, turn))
        assert searchable.undo_turn((float(xs[0]), float(ys[0])), turn, w - 1, h - 1) == (20, 50)
    x, y = searchable.undo_skew((120.0, 80.0), 2.0, w, h)
    assert (x, y) != (120.0, 80.0)
    assert searchable.undo_skew((x, y), -2.0, w, h) == pytest.approx((120.0, 80.0))


@pytest.mark.tesseract
def test_real_ocr_words_are_found(tmp_path: Path) -> None:
    original = _scan_pdf(tmp_path / "scan.pdf", text_page(["Peraturan Daerah Nomor 12 Tahun 2023",
                                                           "tentang Perjanjian Kinerja"]))
    copy = tmp_path / "copy.pdf"
    extract_file(original, ExtractOptions(ocr=OcrOptions(jobs=1), searchable_copy=copy))
    words = _words(copy)
    assert {"Peraturan", "Perjanjian", "Kinerja"} <= set(words)
    assert words["Peraturan"] == pytest.approx((100 * 72 / DPI, 100 * 72 / DPI), abs=6)


@pytest.mark.archive_db
def test_ingest_stores_the_copy_beside_the_untouched_original(tmp_path: Path) -> None:
    from sqlalchemy import select

    from archive.models import StoredFileRow
    from ingest.pipeline import IngestOptions, ingest_file
    from tests.archive.fixtures import new_archive

    session_factory, store = new_archive(tmp_path / "data")
    original = _scan_pdf(tmp_path / "scan.pdf", _bars())
    options = IngestOptions(ExtractOptions(ocr=OcrOptions(engine="fake", jobs=1, dpi=DPI)))
    result = ingest_file(original, session_factory, store, options)
    with session_factory() as session:
        files = {f.role: f for f in session.scalars(select(StoredFileRow))}
    assert set(files) == {"original", "searchable"}
    assert {f.version_id for f in files.values()} == {result.version_id}
    assert store.read(files["original"].sha256) == original.read_bytes()
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(store.read(files["searchable"].sha256))
    assert set(_words(copy)) == {"w300", "w120", "w200"}
    assert files["searchable"].pages == 1 and files["searchable"].scanned


def test_a_wrong_invisible_layer_is_replaced_not_kept_under_ours(tmp_path: Path) -> None:
    """A page that came with a (wrong) invisible OCR layer: the copy has only our words there."""
    from pypdf import PdfReader
    from reportlab.pdfgen import canvas

    from ingest.layout import Box, PageContent, Word

    pdf = tmp_path / "layered.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(400, 300))
    c.rect(20, 20, 360, 260, fill=1)  # stands for the scanned image
    hidden = c.beginText(40, 200)
    hidden.setTextRenderMode(3)
    hidden.textLine("kincrja salah baca")
    c.saveState()  # as OCR layers come: inside q .. Q (the render mode outlives ET, not Q)
    c.drawText(hidden)
    c.restoreState()
    c.setFillColorRGB(1, 1, 1)
    c.drawString(40, 100, "Stempel terlihat")  # visible text on the page stays
    c.showPage()
    c.save()
    page = PageContent(1, 400, 300, "kinerja", words=(Word("kinerja", Box(40, 90, 100, 105), 95.0),), ocr=True)
    text = PdfReader(io.BytesIO(searchable.searchable_pdf(pdf, [page]))).pages[0].extract_text()
    assert "kinerja" in text and "Stempel terlihat" in text
    assert "kincrja" not in text and "salah" not in text


def test_the_copy_costs_no_ocr_of_its_own(tmp_path: Path) -> None:
    """The words of the structure reading are the copy's text layer: no page is read twice."""
    from ingest import scan

    original = _scan_pdf(tmp_path / "scan.pdf", _bars())
    options = OcrOptions(engine="fake", jobs=1, dpi=DPI)
    engine = scan._engine(options)
    before = engine.calls
    extract_file(original, ExtractOptions(ocr=options))
    without_copy = engine.calls - before
    extract_file(original, ExtractOptions(ocr=options, searchable_copy=tmp_path / "copy.pdf"))
    assert without_copy > 0
    assert engine.calls - before == 2 * without_copy
    assert set(_words(tmp_path / "copy.pdf")) == {"w300", "w120", "w200"}


def test_words_land_in_place_whatever_state_the_page_leaves(tmp_path: Path) -> None:
    """A page whose content changes the graphics state without restoring it (no q .. Q): the
    words drawn after it still land where the OCR found them."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    from ingest.layout import Box, PageContent, Word

    writer = PdfWriter()
    page = writer.add_blank_page(400, 300)
    unbalanced = DecodedStreamObject()
    unbalanced.set_data(b"0.5 0 0 0.5 0 0 cm 0 0 10 10 re f")
    page[NameObject("/Contents")] = writer._add_object(unbalanced)
    pdf = tmp_path / "state.pdf"
    writer.write(pdf)
    words = (Word("kinerja", Box(40, 90, 100, 105), 95.0), Word("(5)", Box(200, 90, 220, 105), 95.0))
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(searchable.searchable_pdf(pdf, [PageContent(1, 400, 300, "", words=words, ocr=True)]))
    found = _words(copy)
    assert found["kinerja"] == pytest.approx((40, 90), abs=4)  # unwrapped, the cm would halve it
    assert found["(5)"] == pytest.approx((200, 90), abs=4)
