"""Hand-written identity values: the page reader reads a doubtful value cell again from the image
(`ingest.scan_handwriting`), the parser keeps a reading only when it passes its checks
(`ingest.parsers.handwritten`)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ingest.layout import Box, DocumentContent, HandReading, PageContent
from ingest.parsers import sop
from ingest.parsers.handwritten import read_date, read_nomor, resolve
from ingest.scan_handwriting import label_field
from tests.ingest.scan_images import _text, blank, stamped


def _doc(*hands: HandReading, text: str = "") -> DocumentContent:
    page = PageContent(1, 595.0, 842.0, text, ocr=True, handwritten=hands)
    return DocumentContent((page,), scanned=True)


def _hand(field: str, *readings: tuple[str, str, float]) -> HandReading:
    return HandReading(field, Box(200, 100, 500, 120), readings)


def test_labels_are_known_also_as_ocr_misreads_them() -> None:
    assert label_field("Nomor Urut HSUrP") == "nomor"
    assert label_field('"angga! Pembuatan') == "tanggal_pembuatan"
    assert label_field("Tanaaal Efektif") == "tanggal_efektif"
    assert label_field("Disahkan Oleh") is None
    assert label_field("Dasar Hukum yang dipakai dalam prosedur") is None


def test_a_date_is_taken_apart_with_its_ocr_slips() -> None:
    d = read_date("5 TAMUA2I ZO2A", 80.0)
    assert d is not None and (d.day, d.month, d.year, d.year_slip) == (5, 1, 2024, True)
    d = read_date("2 Febrvart 2024", 70.0)
    assert d is not None and (d.day, d.month, d.year) == (2, 2, 2024)
    assert read_date("K E P N", 90.0) is None  # no month: not a date at all


def test_a_number_is_put_in_shape_with_the_documents_own_words() -> None:
    vocabulary = {"DISKOMINFO", "SOP"}
    assert read_nomor("6A/DISKOMINFOZ 2024", vocabulary) == ("64/DISKOMINFO/2024", True)
    assert read_nomor("68 /DiSEOnIHfO/2024", vocabulary) == ("68/DISKOMINFO/2024", False)
    assert read_nomor("000.8.3.3/ I4C /SATPOLPP-A", vocabulary) is None  # '14C' is no number part


def test_agreeing_readings_give_the_value_with_its_confidence() -> None:
    values: dict[str, str | None] = {"nomor": "O4DISK0M1INF0/2024", "tanggal_efektif": None}
    warnings = ["nomor: bagian O4DISK0M1INF0 mencampur huruf dan angka; periksa pada dokumen"]
    doc = _doc(_hand("nomor", ("rapidocr", "6A / DISK0MINF0/ 2024", 81.5),
                     ("rapidocr-words", "6A/DISKOMINFOZ 2024", 92.0), ("tesseract", "CHA 7 NJNNO", 42.8)),
               _hand("tanggal_efektif", ("rapidocr", "8 JANUARI ZO2A", 85.5), ("rapidocr-words", "8 JANUARl 2024", 92.0)),
               text="Sekretaris DISKOMINFO")
    confidence = resolve(doc, values, warnings)
    assert values == {"nomor": "64/DISKOMINFO/2024", "tanggal_efektif": "2024-01-08"}
    assert confidence == {"nomor": 0.8, "tanggal_efektif": 0.8}
    assert warnings == []  # the first reading's doubt is settled


def test_a_nonsense_reading_is_null_with_a_warning_not_a_guess() -> None:
    values: dict[str, str | None] = {"nomor": "LI/NSLOMHID/2024", "tanggal_pembuatan": "2023-08-04"}
    warnings: list[str] = []
    doc = _doc(_hand("nomor", ("tesseract", "LI / NSLOMHID / 2024", 22.4), ("rapidocr", "6 0 / Di SL0M / 2O24", 65.4),
                     ("rapidocr-words", "LA / Di SCM FO / 2011", 70.0)),
               # three sure readings, three different days: the day is not read, whatever Tesseract said
               _hand("tanggal_pembuatan", ("tesseract", "4 Agustus 2023.", 53.7), ("rapidocr", "5 Agustus2023.", 93.5),
                     ("rapidocr-words", "8Agustus2023", 75.0)))
    confidence = resolve(doc, values, warnings)
    assert values == {"nomor": None, "tanggal_pembuatan": None}
    assert confidence == {}
    assert [w.split(":")[0] for w in warnings] == ["nomor", "tanggal_pembuatan"]
    assert all("isi" in w for w in warnings)  # says what to do


def test_a_reading_whose_year_or_order_disagrees_with_the_document_is_dropped() -> None:
    values: dict[str, str | None] = {"nomor": "12/SOP/2024", "tanggal_pembuatan": None, "tanggal_efektif": "2024-01-02"}
    warnings: list[str] = []
    doc = _doc(_hand("tanggal_pembuatan", ("rapidocr", "5 Maret 2021", 90.0), ("rapidocr-words", "5 Maret 2021", 90.0)))
    resolve(doc, values, warnings)
    assert values["tanggal_pembuatan"] is None and "tahun" in warnings[0]
    values["tanggal_pembuatan"], warnings[:] = None, []
    doc = _doc(_hand("tanggal_pembuatan", ("rapidocr", "5 Maret 2024", 90.0), ("rapidocr-words", "5 Maret 2024", 90.0)))
    resolve(doc, values, warnings)  # made after it took effect
    assert values["tanggal_pembuatan"] is None and "urut" in warnings[0]


def _written(img: np.ndarray, x: int, y: int, text: str, seed: int) -> None:
    """`text` as a hand writes it: a script font, slanted, its strokes wavering (a smooth random
    warp), in marker-thick ink, running over the cell's lower rule."""
    h, w = 110, 840
    ink = np.full((h, w), 255, np.uint8)
    cv2.putText(ink, text, (10, 80), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 2.0, 0, 4, cv2.LINE_AA)
    shear = np.array([[1, -0.3, 0.15 * h], [0, 1, 0]], np.float32)
    slanted = cv2.warpAffine(ink, shear, (w, h), borderValue=255)
    rng = np.random.default_rng(seed)
    dx, dy = (cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), 8) * 60 for _ in range(2))
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    pad = cv2.remap(slanted, xs + dx, ys + dy, cv2.INTER_LINEAR, borderValue=255)
    region = img[y:y + h, x:x + w]
    region[:] = np.minimum(region, cv2.cvtColor(pad, cv2.COLOR_GRAY2RGB))


def identity_page() -> np.ndarray:
    """An identity table at 200 DPI: printed labels, hand-written values, a stamp over them."""
    img = blank(1700, 800)
    xs, ys = (100, 600, 1500), (100, 200, 300, 400, 500)
    for x in xs:
        cv2.line(img, (x, ys[0]), (x, ys[-1]), (0, 0, 0), 3)
    for y in ys:
        cv2.line(img, (xs[0], y), (xs[-1], y), (0, 0, 0), 3)
    _text(img, [(120, 130, "Nomor SOP"), (120, 230, "Tanggal Pembuatan"), (120, 330, "Tanggal Efektif"),
                (120, 430, "Disahkan Oleh"), (640, 420, "KEPALA DINAS")], 34)
    _written(img, 640, 110, "17/SOP/2024", 3)
    _written(img, 640, 210, "5 Maret 2024", 4)
    _written(img, 640, 310, "11 Maret 2024", 5)
    return stamped(img, (900, 300), 110)


@pytest.mark.slow
def test_a_handwritten_identity_table_under_a_stamp_reads_through_the_second_path() -> None:
    from ingest.ocr import OcrOptions, make_engine
    from ingest.ocr_rapid import RapidEngine, check_installed
    from ingest.raster import PageImage
    from ingest.scan import read_page_image

    check_installed()
    content = read_page_image(PageImage(1, identity_page(), 200.0), make_engine(OcrOptions()), RapidEngine())
    hands = {h.field: h for h in content.handwritten}
    assert "nomor" in hands  # Tesseract was unsure of the written number
    assert {engine for engine, _, _ in hands["nomor"].readings} >= {"tesseract", "rapidocr", "rapidocr-words"}
    extraction = sop.parse(DocumentContent((content,), scanned=True))
    assert extraction.nomor == "17/SOP/2024"
    assert extraction.confidence["nomor"] == 0.8
    assert (extraction.tanggal_pembuatan, extraction.tanggal_efektif) == ("2024-03-05", "2024-03-11")


def test_a_cell_where_nothing_sure_was_read_is_left_as_it_was() -> None:
    values: dict[str, str | None] = {"tanggal_efektif": None}
    warnings = ["tanggal_revisi: '-' tidak terbaca"]
    doc = _doc(_hand("tanggal_efektif", ("tesseract-words", "mm", 23.0), ("rapidocr", "-", 90.0)))
    assert resolve(doc, values, warnings) == {}
    assert values == {"tanggal_efektif": None} and warnings == ["tanggal_revisi: '-' tidak terbaca"]
