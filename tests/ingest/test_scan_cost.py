"""What keeps a scanned page's reading cheap, checked by behaviour (no timings): an OCR worker
reuses freed buffers instead of faulting fresh pages in for each, gives its memory back after
every page, shares the second engine's models loaded before it was forked, and the cell strip's
words and crops come out as the plain reading of them would give."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from ingest import scan, scan_cells
from ingest.ocr import OcrOptions, OcrWord
from ingest.scan_grid import CellBox

REPO = Path(__file__).resolve().parents[2]

# A pool worker allocates and frees a 4 MB buffer again and again, as reading a page does with
# page-sized arrays and the second engine's tensors; prints the page faults it took.
_FAULTS = """
import resource, sys
import numpy as np
from ingest import scan
scan.start_worker(None)
buf = np.ones(4 << 20, np.uint8); del buf  # the first one may be mapped on its own
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(40):
    buf = np.ones(4 << 20, np.uint8)
    del buf
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_a_worker_reuses_freed_buffers_instead_of_faulting_them_in_again() -> None:
    # Each 4 MB buffer is 1024 pages: mapped on its own every time (a 1 MB mmap threshold, as
    # before) that is 40 * 1024 faults of zeroed pages, which cost 2-3 CPU s of kernel time on a
    # form page.  Reused from the heap it is a few hundred at most.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", _FAULTS], capture_output=True, text=True, env=env,
                         check=True, cwd=REPO)
    faults = int(out.stdout.strip().splitlines()[-1])
    assert faults < 4 * 1024, faults


def test_memory_is_given_back_after_every_page_even_a_failing_one(monkeypatch: pytest.MonkeyPatch) -> None:
    trims: list[int] = []
    monkeypatch.setattr(scan, "return_freed_memory", lambda: trims.append(1))

    def boom(path: Path, index: int, options: OcrOptions) -> Any:
        raise ValueError("bad page")

    monkeypatch.setattr(scan, "read_page", boom)
    with pytest.raises(ValueError):
        scan.read_one_page(Path("x.pdf"), 0, OcrOptions(engine="fake"))
    monkeypatch.setattr(scan, "read_page", lambda path, index, options: "page")
    assert scan.read_one_page(Path("x.pdf"), 0, OcrOptions(engine="fake")) == "page"
    assert len(trims) == 2
    scan.return_freed_memory()  # the real one runs (a no-op where glibc is missing)


class _Executor:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        events.append("pool")

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


events: list[str] = []


@pytest.mark.parametrize("second", [True, False])
def test_forked_workers_share_the_second_engine_loaded_before_the_fork(
        monkeypatch: pytest.MonkeyPatch, second: bool) -> None:
    import ingest.ocr_rapid

    events.clear()
    monkeypatch.setattr(ingest.ocr_rapid, "load_rapidocr", lambda side: events.append(f"load {side}"))
    monkeypatch.setattr(scan, "ProcessPoolExecutor", _Executor)
    monkeypatch.setattr(scan.threading, "active_count", lambda: 1)  # a single-threaded CLI: fork
    monkeypatch.setattr(scan, "_POOL", None)
    try:
        scan.worker_pool(2, preload_second=second)
    finally:
        scan.discard_pool()
    loaded = [f"load {ingest.ocr_rapid.DEFAULT_MAX_SIDE}"] if second else []
    assert events == [*loaded, "pool"]


class _StripEngine:
    """Returns words at given strip rows (their vertical centres), whatever the image."""

    def __init__(self, centres: list[int]) -> None:
        self.centres = centres
        self.strip: np.ndarray | None = None

    def read(self, image: Image.Image, *, psm: int = 3) -> list[OcrWord]:
        self.strip = np.asarray(image)
        return [OcrWord(f"y{cy}", 30, cy - 5, 20, 10, 90.0, (1, 1, i)) for i, cy in enumerate(self.centres)]


def test_strip_words_go_to_the_crop_whose_band_holds_their_centre() -> None:
    gap = scan_cells.GAP
    crops = [(0, np.zeros((40, 100), np.uint8)), (3, np.zeros((60, 80), np.uint8))]
    cells = {0: CellBox(0, 0, 500, 1000, 600, 1040), 3: CellBox(1, 1, 700, 2000, 780, 2060)}
    # crop 0 spans strip rows 24..64, crop 3 rows 88..148; each owns half the gap on both sides
    first_top, second_top = gap, gap + 40 + gap
    centres = [first_top - gap // 2 - 1, first_top - gap // 2, first_top + 20, 64 + gap // 2 - 1,
               64 + gap // 2, second_top + 30, 148 + gap // 2 - 1, 148 + gap // 2]
    engine = _StripEngine(centres)
    out = scan_cells._read_strip(crops, cells, engine)  # type: ignore[arg-type]
    assert [w.text for w in out[0]] == [f"y{c}" for c in centres[1:4]]
    assert [w.text for w in out[3]] == [f"y{c}" for c in centres[4:7]]
    word = out[3][1]  # centre 30 px into crop 3: 25 px down its cell, 30 - gap px right
    assert (word.left, word.top, word.line[0]) == (700 + 30 - gap, 2000 + 25, 3)
    assert engine.strip is not None and engine.strip.shape == (gap + 40 + gap + 60 + gap, 100 + 2 * gap)
    assert engine.strip.dtype == bool  # one bit a pixel: an eighth of the file Tesseract reads


def test_a_cell_crop_keeps_letters_and_loses_rules_outlines_and_specks() -> None:
    dpi = 300
    gray = np.full((200, 600), 255, np.uint8)
    gray[20:24, 10:590] = 0  # a rule across the cell
    gray[30:190, 5:9] = 0  # a vertical rule
    gray[40:180, 400:402] = gray[40:180, 560:562] = 0  # an outline (a flowchart box)
    gray[40:42, 400:562] = gray[178:180, 400:562] = 0
    gray[100:103, 300:303] = 0  # a speck
    gray[90:130, 100:112] = gray[90:130, 130:160] = 0  # two letters
    ink = np.where(gray < 128, 255, 0).astype(np.uint8)
    out = scan_cells.text_only(gray, ink, dpi)
    assert out is not None
    assert (out[90:130, 100:112] == 0).all() and (out[90:130, 130:160] == 0).all()
    assert (out[20:24] == 255).all() and (out[:, 5:9] == 255).all()
    assert (out[:, 400:402] == 255).all() and (out[100:103, 300:303] == 255).all()
    gray[90:130, 100:160] = 255  # without the letters nothing is left to read
    assert scan_cells.text_only(gray, np.where(gray < 128, 255, 0).astype(np.uint8), dpi) is None


def test_the_heap_is_trimmed_before_tesseract_reads_the_cells_and_the_text_outside(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The grid's full-page temporaries are given back before the first OCR call (Tesseract, a
    child process, would otherwise run beside the heap's high-water mark), and again before the
    text outside the tables is read."""
    from ingest.ocr import FakeEngine
    from ingest.raster import PageImage
    from tests.ingest.scan_images import DPI, flowchart_page

    order: list[str] = []
    monkeypatch.setattr(scan, "return_freed_memory", lambda: order.append("trim"))

    class Recording(FakeEngine):
        def read(self, image: Image.Image, *, psm: int = 3) -> list[OcrWord]:
            order.append("ocr")
            return super().read(image, psm=psm)

    scan.read_page_image(PageImage(number=1, rgb=flowchart_page(), dpi=DPI), Recording())
    assert order[0] == "trim" and order.count("trim") == 2, order
    assert order.index("trim", 1) > order.index("ocr")  # the second one comes after the cells
