"""The OCR wrapper: the fake engine, the Tesseract engine's settings and its errors."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from archive.errors import MissingDependencyError
from ingest import ocr
from ingest.ocr import FakeEngine, OcrOptions, TesseractEngine, check_languages, make_engine
from tests.ingest.scan_images import text_page


def test_fake_engine_names_blobs_by_width_and_groups_lines() -> None:
    img = np.full((200, 400), 255, np.uint8)
    img[20:35, 10:50] = 0
    img[20:35, 100:180] = 0
    img[100:115, 10:130] = 0
    words = FakeEngine(labels={80: "Kinerja"}).read(Image.fromarray(img))
    assert [w.text for w in words] == ["w40", "Kinerja", "w120"]
    assert words[0].line == words[1].line != words[2].line
    assert (words[1].left, words[1].top, words[1].width) == (100, 20, 80)


def test_make_engine() -> None:
    assert isinstance(make_engine(OcrOptions(engine="fake")), FakeEngine)
    with pytest.raises(MissingDependencyError):
        make_engine(OcrOptions(engine="nonsense"))


def test_tesseract_engine_limits_threads() -> None:
    os.environ.pop("OMP_THREAD_LIMIT", None)
    TesseractEngine()
    assert os.environ["OMP_THREAD_LIMIT"] == "1"


def test_missing_binary_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    check_languages.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match="apt-get install tesseract-ocr"):
            TesseractEngine()
    finally:
        check_languages.cache_clear()


def test_missing_language_pack_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytesseract

    monkeypatch.setattr(pytesseract, "get_languages", lambda config="": ["eng", "osd"])
    check_languages.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match="tesseract-ocr-ind"):
            check_languages("ind+eng")
    finally:
        check_languages.cache_clear()


def test_timeout_becomes_ocr_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytesseract

    def stuck(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Tesseract process timeout")

    monkeypatch.setattr(pytesseract, "image_to_data", stuck)
    with pytest.raises(ocr.OcrError, match="timeout"):
        TesseractEngine().read(Image.new("L", (10, 10), 255))


def handed_to_tesseract(monkeypatch: pytest.MonkeyPatch, image: Image.Image) -> Image.Image:
    """The image `TesseractEngine.read` hands pytesseract for `image`."""
    import pytesseract

    handed: list[Image.Image] = []

    def data(img: Image.Image, **kwargs: object) -> dict[str, list[object]]:
        handed.append(img)
        return {k: [] for k in ("text", "conf", "block_num", "par_num", "line_num", "left", "top", "width", "height")}

    monkeypatch.setattr(pytesseract, "image_to_data", data)
    TesseractEngine().read(image)
    return handed[0]


def test_black_and_white_reaches_tesseract_as_one_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A binarised strip (only 0 and 255) goes as a 1-bit TIFF: the same pixels, an eighth of
    the memory in Tesseract; a grey image goes as it is, marked rather than copied."""
    strip = np.full((60, 200), 255, np.uint8)
    strip[20:40, 30:170] = 0
    handed = handed_to_tesseract(monkeypatch, Image.fromarray(strip))
    assert handed.mode == "1" and handed.format == "TIFF"
    assert np.array_equal(np.asarray(handed.convert("L")), strip)
    strip[0, 0] = 128  # one grey pixel: a grey page
    grey = Image.fromarray(strip)
    handed = handed_to_tesseract(monkeypatch, grey)
    assert handed is grey and handed.mode == "L" and handed.format == "TIFF"


@pytest.mark.tesseract
def test_tesseract_reads_a_one_bit_strip_as_the_grey_one() -> None:
    img = text_page(["Peraturan Daerah Nomor 12 Tahun 2023", "tentang Perjanjian Kinerja"])
    grey = np.asarray(Image.fromarray(img).convert("L"))
    black_white = np.where(grey < 128, 0, 255).astype(np.uint8)
    with_grey = black_white.copy()
    with_grey[0, 0] = 254  # one pixel off white in a corner: it goes as a grey image
    engine = TesseractEngine()
    one_bit = engine.read(Image.fromarray(black_white), psm=6)
    as_grey = engine.read(Image.fromarray(with_grey), psm=6)
    assert one_bit == as_grey and len(one_bit) == 9


@pytest.mark.tesseract
def test_tesseract_reads_indonesian_words() -> None:
    img = text_page(["Peraturan Daerah Nomor 12 Tahun 2023", "tentang Perjanjian Kinerja"])
    words = TesseractEngine().read(Image.fromarray(img), psm=3)
    text = " ".join(w.text for w in words)
    assert text == "Peraturan Daerah Nomor 12 Tahun 2023 tentang Perjanjian Kinerja"
    assert words[0].left == pytest.approx(100, abs=6)


@pytest.mark.tesseract
def test_tesseract_orientation() -> None:
    lines = ["Laporan Kinerja Instansi Pemerintah"] * 6 + ["Dinas Komunikasi dan Informatika"] * 6
    img = Image.fromarray(text_page(lines, size=30)).convert("L")
    engine = TesseractEngine()
    assert engine.orientation(img) == 0
    assert engine.orientation(img.rotate(180, expand=True)) == 180
    # turned a quarter clockwise: it needs 270 more degrees clockwise to be upright
    assert engine.orientation(img.rotate(-90, expand=True)) == 270


def test_settings_make_ocr_options(monkeypatch: pytest.MonkeyPatch) -> None:
    from api.settings import Settings

    monkeypatch.setenv("ARSIP_OCR_LANGUAGES", "ind+eng")
    monkeypatch.setenv("ARSIP_OCR_JOBS", "1")
    monkeypatch.setenv("ARSIP_OCR_DPI", "250")
    options = Settings().ocr_options()
    assert (options.lang, options.jobs, options.dpi, options.page_timeout) == ("ind+eng", 1, 250.0, 300.0)
