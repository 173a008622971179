"""The resolution a scan is read at, chosen from its letters (ingest/textscale.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest import raster, textscale
from ingest.ocr import OcrOptions
from ingest.scan import read_pages
from tests.ingest.scan_images import scan_pdf, text_page

LINES = ["Standar Operasional Prosedur Pelayanan Informasi Publik 2024"] * 12


def _big_print(tmp_path: Path) -> Path:
    """A 200 DPI scan of large print: its letters some 60 px tall at 300 DPI."""
    return scan_pdf(tmp_path / "big.pdf", text_page(LINES, size=56, width=2300, height=1400), dpi=200)


def test_text_dpi_rules() -> None:
    ceiling = 300.0
    assert textscale.text_dpi(None, ceiling) == ceiling  # nothing measured
    assert textscale.text_dpi(0.09, ceiling) == ceiling  # 27 px at 300 DPI: needs it all
    big = textscale.text_dpi(0.15, ceiling, native=200)  # 45 px at 300 DPI
    assert textscale.MIN_TEXT_DPI <= big < textscale.KEEP_SHARE * ceiling
    assert big * 0.15 == pytest.approx(textscale.LETTER_PX, abs=textscale.DPI_STEP * 0.15)
    assert textscale.text_dpi(1.0, ceiling) == textscale.MIN_TEXT_DPI  # a poster: the floor
    # a coarse scan (60 DPI: letters of 9 of its pixels) is enlarged to the ceiling all the same
    assert textscale.text_dpi(0.15, ceiling, native=60) == ceiling


def test_letter_height_measured_on_a_page() -> None:
    img = text_page(LINES, size=56, width=2300, height=1400)  # drawn at "200 DPI"
    gray = np.asarray(img[..., 0])
    height = textscale.letter_height(gray, 200.0)
    assert height is not None and 0.15 < height < 0.25  # x-height to cap height of 56 px type
    assert textscale.letter_height(np.full((800, 600), 255, np.uint8), 100.0) is None  # blank


def test_large_print_is_rendered_lower_and_keeps_its_size_in_points(tmp_path: Path) -> None:
    pdf = _big_print(tmp_path)
    rgb, dpi = raster.render_page(pdf, 0)
    assert textscale.MIN_TEXT_DPI <= dpi < 250
    full, full_dpi = raster.render_page(pdf, 0, 300.0)
    assert full_dpi == 300.0
    # the same page in points whatever the resolution
    assert rgb.shape[1] * 72 / dpi == pytest.approx(full.shape[1] * 72 / 300.0, abs=1.0)
    assert rgb.shape[0] * 72 / dpi == pytest.approx(full.shape[0] * 72 / 300.0, abs=1.0)


def test_ordinary_and_coarse_scans_keep_300_dpi(tmp_path: Path) -> None:
    ordinary = scan_pdf(tmp_path / "a4.pdf", text_page(LINES, size=30, width=2400, height=1400), dpi=300)
    assert raster.render_page(ordinary, 0)[1] == 300.0
    # 60 DPI, letters about 9 of its pixels tall: at 300 DPI they are large, but blurred
    coarse = scan_pdf(tmp_path / "coarse.pdf", text_page(LINES, size=11, width=520, height=320), dpi=60)
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(coarse))
    assert raster.native_dpi(pdf[0]) == pytest.approx(60.0, abs=1)
    pdf.close()
    assert raster.render_page(coarse, 0)[1] == 300.0


def test_word_boxes_in_points_do_not_depend_on_the_resolution(tmp_path: Path) -> None:
    pdf = _big_print(tmp_path)
    low = read_pages(pdf, [0], OcrOptions(engine="fake", jobs=1))[0]
    high = read_pages(pdf, [0], OcrOptions(engine="fake", jobs=1, dpi=300.0))[0]
    assert low.width == pytest.approx(high.width, abs=1) and low.height == pytest.approx(high.height, abs=1)
    assert len(low.words) > 20 and len(high.words) > 20
    # the fake engine cuts blobs where the pixels part, so the two readings cut words a little
    # differently; but every word of one lies on a word of the other, and the text spans the
    # same region of the page (within 1.5 pt)
    for ours, theirs in ((low, high), (high, low)):
        for word in ours.words:
            cx, cy = (word.box.x0 + word.box.x1) / 2, (word.box.top + word.box.bottom) / 2
            assert any(w.box.x0 - 1.5 <= cx <= w.box.x1 + 1.5 and w.box.top - 1.5 <= cy <= w.box.bottom + 1.5
                       for w in theirs.words), word
    for edge in ("x0", "top", "x1", "bottom"):
        pick = min if edge in ("x0", "top") else max
        assert pick(getattr(w.box, edge) for w in low.words) == pytest.approx(
            pick(getattr(w.box, edge) for w in high.words), abs=1.5)
