"""Second readings: which cells are read again, when a second reading replaces Tesseract's, RapidOCR."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import cv2
import numpy as np
import pytest

from archive.errors import MissingDependencyError
from ingest import scan_grid, scan_second
from ingest.ocr import OcrOptions, OcrWord, make_second_engine
from ingest.ocr_rapid import RapidEngine, check_installed, with_spaces


@dataclass(frozen=True)
class Line:
    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float


def _w(text: str, left: int, top: int, conf: float, line: int = 1) -> OcrWord:
    return OcrWord(text, left, top, 10 * len(text), 20, conf, (0, 1, line))


LABEL = scan_grid.CellBox(0, 0, 0, 0, 100, 50)
VALUE = scan_grid.CellBox(0, 1, 100, 0, 400, 50)


def test_only_doubtful_cells_right_of_a_label_are_read_again() -> None:
    cells = [LABEL, VALUE, scan_grid.CellBox(1, 0, 0, 50, 400, 100)]
    words = {0: [_w("Nomor", 5, 10, 95), _w("SOP", 60, 10, 95)],
             1: [_w("LI/NSLOMHID/2024", 110, 10, 30)],
             2: [_w("garbage", 5, 60, 10)]}  # doubtful, but no label on its left
    assert scan_second.doubtful_value_cells(cells, words) == [(1, False)]
    words[1] = [_w("44/SOP/2024", 110, 10, 95)]
    assert scan_second.doubtful_value_cells(cells, words) == []


def test_a_doubtful_number_is_read_again_and_may_only_lose_digits() -> None:
    cells = [LABEL, VALUE]
    words = {0: [_w("Prosentase", 5, 10, 95)], 1: [_w("10046", 110, 10, 38), _w("3", 110, 40, 96, 2)]}
    assert scan_second.doubtful_number_cells(cells, words) == [1]
    percent = scan_second.merge_readings(words[1], [Line("100%", 5, 5, 60, 20, 97.0)], VALUE, 1, numbers=True)
    assert sorted(w.text for w in percent) == ["100%", "3"]
    other = scan_second.merge_readings(words[1], [Line("160%", 5, 5, 60, 20, 97.0)], VALUE, 1, numbers=True)
    assert other == words[1]  # digits Tesseract did not see are never taken


def test_a_confident_second_reading_replaces_a_doubtful_line() -> None:
    tess = [_w("ag", 110, 10, 20), _w("Amel", 140, 10, 40)]
    merged = scan_second.merge_readings(tess, [Line("SAMUEL, SE", 5, 5, 120, 30, 95.0)], VALUE, 1)
    assert [w.text for w in merged] == ["SAMUEL,", "SE"]
    assert merged[0].left == 105 and merged[0].line[0] == 1


def test_a_sure_line_a_nip_or_a_weak_reading_is_kept() -> None:
    sure = [_w("Kepala", 110, 10, 95), _w("Dinas", 180, 10, 92)]
    assert scan_second.merge_readings(sure, [Line("KepalaDinas", 5, 5, 150, 30, 99.0)], VALUE, 1) == sure
    nip = [_w("NIP.", 110, 10, 40), _w("196604081993031009", 150, 10, 55)]
    assert scan_second.merge_readings(nip, [Line("NIP.1966O4O8", 5, 5, 200, 30, 95.0)], VALUE, 1) == nip
    weak = [_w("ST", 110, 10, 40)]
    assert scan_second.merge_readings(weak, [Line("jaNuNei2o24", 5, 5, 200, 30, 67.0)], VALUE, 1) == weak


def test_a_second_reading_that_misses_a_read_word_is_not_taken() -> None:
    tess = [_w("MARIA", 110, 10, 41), _w("WLAYANTI,", 200, 10, 18)]  # a long word, read with doubt
    assert scan_second.merge_readings(tess, [Line("UAYANTI.S.T", 95, 5, 120, 30, 89.0)], VALUE, 1) == tess
    noise = [_w("ag", 110, 10, 20), _w("Amel", 200, 10, 40)]  # a speck of signature left of the name
    merged = scan_second.merge_readings(noise, [Line("SAMUEL, SE", 95, 5, 120, 30, 93.0)], VALUE, 1)
    assert [w.text for w in merged] == ["SAMUEL,", "SE"]


def test_spaces_come_back_where_the_ink_has_a_gap() -> None:
    ink = np.zeros((40, 200), np.uint8)
    for x0, x1 in ((10, 30), (32, 50), (90, 110), (112, 130)):  # 'AB', gap, 'CD'
        ink[10:30, x0:x1] = 255
    boxes = [[[x, 10], [x + 20, 10], [x + 20, 30], [x, 30]] for x in (10, 32, 90, 112)]
    assert with_spaces(list("A,CD"), boxes, ink, 0) == "A, CD"  # after a comma, gap or not
    assert with_spaces(list("ABCD"), boxes, ink, 0) == "AB CD"


def test_no_second_engine_for_the_fake_engine_or_when_off() -> None:
    assert make_second_engine(OcrOptions(engine="fake")) is None
    assert make_second_engine(OcrOptions(second="")) is None
    with pytest.raises(MissingDependencyError, match="mesin OCR kedua"):
        make_second_engine(OcrOptions(second="nonsense"))


def test_a_missing_package_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(MissingDependencyError, match="pip install rapidocr-onnxruntime"):
        check_installed()


@pytest.mark.slow
def test_rapidocr_reads_a_printed_number_offline() -> None:
    check_installed()
    img = np.full((80, 700, 3), 255, np.uint8)
    cv2.putText(img, "44/123/2024", (20, 55), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (0, 0, 0), 3)
    lines = RapidEngine().read_lines(img)
    assert [ln.text for ln in lines] == ["44/123/2024"]
    assert lines[0].conf > 80


class TwoImages:
    """A second engine that misses a word in colour (stamp ink) but reads the stamp-free row whole."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def read_lines(self, image: np.ndarray, gaps: np.ndarray | None = None) -> list[Line]:
        self.calls.append(image.shape[:2])
        if gaps is not None:  # the colour crop of the whole cell
            return [Line("UAYANTI, S.T.", 95, 5, 120, 30, 89.0)]
        return [Line("MARIA WIJAYANTI, S.T.", 5, 5, 210, 30, 90.0)]


def test_a_row_the_colour_reading_missed_is_read_again_from_the_stamp_free_image() -> None:
    cells = [LABEL, VALUE]
    words = {0: [_w("Disahkan", 5, 10, 95), _w("Oleh", 60, 10, 95)],
             1: [_w("MARIA", 110, 10, 41), _w("WLAYANTI,", 200, 10, 18)]}
    rgb = np.full((50, 400, 3), 255, np.uint8)
    second = TwoImages()
    out = scan_second.second_readings(rgb, rgb[:, :, 0].copy(), cells, words, second)
    assert [w.text for w in out[1]] == ["MARIA", "WIJAYANTI,", "S.T."]
    assert len(second.calls) == 2 and second.calls[1][0] < 50  # the row alone, not the cell
