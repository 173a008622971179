"""Page images -> the neutral page model (`ingest.layout.PageContent`), as for born-digital pages.

A scanned page goes through: stamp ink removed by colour, binarised, ruling lines found by
morphology, the table grid rebuilt from them (merged cells where a separating line is missing),
flowchart symbols found as closed outlines inside the tables, then OCR: every non-empty cell is
read on its own (cells are stacked into one strip image so Tesseract starts once per page, yet a
cell's lines stay whole and neighbouring columns never interleave), and the text outside the
tables is read as a page.  Coordinates are PDF points from the top-left of the upright page.

The parts: `scan_grid` (ink mask, ruling lines, grid cells), `scan_symbols` (flowchart outlines),
`scan_cells` (cell and page OCR, the page model), `scan_second` (second readings of doubtful form
cells); this module runs them on one page and runs pages in a pool of worker processes.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from archive.errors import ArchiveError, MissingDependencyError
from ingest.layout import PageContent
from ingest.ocr import OcrEngine, OcrOptions, OcrWord, make_engine, make_second_engine
from ingest.raster import (
    PageImage,
    detect_orientation,
    drop_stamp_ink,
    looks_sideways,
    render_page,
    straighten,
    to_gray,
)
from ingest.scan_cells import assemble, ocr_cells, ocr_outside
from ingest.scan_grid import binarise, find_grids, grid_cells, grid_line_mask
from ingest.scan_second import SecondReader, second_readings
from ingest.scan_symbols import find_symbols
from ingest.stagetimes import at, stage

log = logging.getLogger(__name__)


def read_page_image(page: PageImage, engine: OcrEngine, second: SecondReader | None = None) -> PageContent:
    """OCR and layout of one upright page image; `second` reads again the cells Tesseract was unsure of."""
    with stage("binarise"):
        gray = drop_stamp_ink(page.rgb)
        ink = binarise(gray)
    with stage("grid"):
        grids = find_grids(ink, page.dpi)
        line_mask = grid_line_mask(ink.shape, grids)
        clean = gray.copy()
        clean[line_mask > 0] = 255
        clean_ink = ink & ~line_mask
        cells = [grid_cells(g) for g in grids]
    with stage("symbols"):
        shapes = [s for g, cs in zip(grids, cells, strict=True) for s in find_symbols(ink, g, cs, page.dpi, gray)]
    flat = [c for cs in cells for c in cs]
    with stage("cell_ocr"):
        cell_words = ocr_cells(clean, clean_ink, flat, engine, page.dpi)
    if second is not None:
        with stage("second"):
            cell_words = second_readings(page.rgb, clean, flat, cell_words, second)
    with stage("page_ocr"):
        outside = ocr_outside(clean, ink, grids, engine)
    with stage("assemble"):
        return assemble(page, grids, cells, cell_words, outside, shapes)


# --- whole documents -----------------------------------------------------------------------------
def read_pages(path: Path, indices: Sequence[int], options: OcrOptions) -> list[PageContent]:
    """OCR pages `indices` (0-based) of `path`, in parallel worker processes when worth it.

    Each worker renders its own page (images never cross processes, so memory stays bounded by
    the pool size) and runs Tesseract single-threaded.  The pool outlives one document, so a
    batch pays the worker start-up once.  A page that fails or times out comes back empty with
    a warning; the document carries on.
    """
    make_engine(options)  # fail fast (missing Tesseract, language or second engine) before starting workers
    make_second_engine(options)
    jobs = max(1, min(options.jobs, len(indices)))
    if jobs == 1:
        return [_read_one_safely(path, i, options) for i in indices]
    pool = worker_pool(options.jobs)
    futures = [pool.submit(read_one_page, path, i, options) for i in indices]
    return [_collect(f, path, i, options) for f, i in zip(futures, indices, strict=True)]


def worker_pool(jobs: int) -> ProcessPoolExecutor:
    """The OCR worker processes, started on first use and kept for the next document.

    Workers are forked when this process runs a single thread (the command line): they start
    in milliseconds with every module already imported.  With other threads alive (the web
    app) forking is unsafe, so they are spawned and replaced after `PAGES_PER_WORKER` pages.
    """
    global _POOL
    if _POOL is not None and _POOL[0] == jobs:
        return _POOL[1]
    discard_pool()
    watch: dict[str, Any] = {"initializer": die_with_parent, "initargs": (os.getpid(),)}
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), **watch)
    else:
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                   max_tasks_per_child=PAGES_PER_WORKER, **watch)
    _POOL = (jobs, pool)
    return pool


def die_with_parent(parent: int) -> None:
    """Pool initializer: a worker is killed when the process that started it dies (Linux).

    Without it a killed `arsip ingest` left its OCR workers running (hundreds of MB each, still
    holding its output) until their pages were done.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def discard_pool() -> None:
    """Stop using the worker pool (after a timeout or a crash); the next document starts anew.

    Not waiting: a worker stuck past its page timeout ends when its Tesseract call's own
    timeout fires.
    """
    global _POOL
    if _POOL is not None:
        _POOL[1].shutdown(wait=False, cancel_futures=True)
        _POOL = None


_POOL: tuple[int, ProcessPoolExecutor] | None = None


def read_one_page(path: Path, index: int, options: OcrOptions) -> PageContent:
    """Render, orient, straighten and read one page (runs inside a worker).

    Most pages are stored upright, so a page is read as it is first; only when that reading is
    not confident does orientation detection (OSD, then a confidence vote) run, and the page is
    read again if it must be turned.  OSD on every page cost as much as reading the tables.  A
    page whose lines of print plainly run top to bottom (`looks_sideways`) is turned first and
    read once.
    """
    engine, second = _engine(options), _second(options)
    at(path.name, index + 1)
    with stage("render"):
        rgb, dpi = render_page(path, index, options.dpi)
    if (to_gray(rgb) < 128).mean() < 0.0005:
        h, w = rgb.shape[:2]
        return PageContent(index + 1, w * 72.0 / dpi, h * 72.0 / dpi, "", ocr=True)
    if looks_sideways(to_gray(rgb), dpi):  # a page stored sideways: turned before it is read
        with stage("orientation"):
            turn = detect_orientation(rgb, dpi, engine)
        with stage("straighten"):
            upright = straighten(rgb, dpi, index + 1, turn)
        return read_page_image(upright, engine, second)
    with stage("straighten"):
        upright = straighten(rgb, dpi, index + 1)
    content = read_page_image(upright, engine, second)
    if reads_upright(content):
        return content
    with stage("orientation"):
        turn = detect_orientation(rgb, dpi, engine)
    if not turn:
        return content
    log.info("%s page %d: turned %d degrees", path.name, index + 1, turn)
    with stage("straighten"):
        upright = straighten(rgb, dpi, index + 1, turn)
    return read_page_image(upright, engine, second)


def reads_upright(page: PageContent) -> bool:
    """True when the OCR of `page` is confident enough that the page cannot be turned.

    An upside-down page reads as low-confidence fragments.  A sideways page can read well
    (Tesseract turns vertical text blocks itself), but its word boxes are then taller than
    wide.  So: most words of three letters or more confident and wider than tall.  Too few
    words to judge is not upright.
    """
    words = [w for w in page.words if sum(ch.isalpha() for ch in w.text) >= 3]
    if len(words) < UPRIGHT_MIN_WORDS:
        return False
    sure = sum(1 for w in words if (w.conf or 0.0) >= 60)
    wide = sum(1 for w in words if w.box.width > w.box.height)
    return min(sure, wide) >= UPRIGHT_SHARE * len(words)


UPRIGHT_MIN_WORDS = 12
UPRIGHT_SHARE = 0.6


def sample_words(path: Path, index: int, options: OcrOptions) -> list[OcrWord]:
    """A quick OCR of the middle band of page `index` at `SAMPLE_DPI`, as it is stored.

    Enough to judge whether an existing text layer says what the image shows; runs in the
    calling process (one short Tesseract call).
    """
    rgb, dpi = render_page(path, index, SAMPLE_DPI)
    gray = to_gray(rgb)
    h = gray.shape[0]
    band = np.ascontiguousarray(gray[int(h * SAMPLE_BAND[0]) : int(h * SAMPLE_BAND[1])])
    return _engine(options).read(Image.fromarray(band), psm=3)


SAMPLE_DPI = 200.0
SAMPLE_BAND = (0.25, 0.6)  # of the page height


def _engine(options: OcrOptions) -> OcrEngine:
    key = repr(options)
    if key not in _ENGINES:
        _ENGINES[key] = make_engine(options)
    return _ENGINES[key]


_ENGINES: dict[str, OcrEngine] = {}


def _second(options: OcrOptions) -> SecondReader | None:
    key = repr(options)
    if key not in _SECONDS:
        _SECONDS[key] = make_second_engine(options)
    return _SECONDS[key]


_SECONDS: dict[str, SecondReader | None] = {}
PAGES_PER_WORKER = 25


def _read_one_safely(path: Path, index: int, options: OcrOptions) -> PageContent:
    try:
        return read_one_page(path, index, options)
    except MissingDependencyError:
        raise
    except MemoryError:
        return failed_page(path, index, "memori tidak cukup")
    except (ArchiveError, cv2.error, ValueError) as e:
        return failed_page(path, index, str(e) or type(e).__name__)


def _collect(future: Future[PageContent], path: Path, index: int, options: OcrOptions) -> PageContent:
    try:
        return future.result(timeout=options.page_timeout)
    except FutureTimeout:
        future.cancel()
        discard_pool()
        return failed_page(path, index, f"tidak selesai dalam {options.page_timeout:.0f} detik")
    except MissingDependencyError:
        raise
    except BrokenProcessPool:
        discard_pool()
        return failed_page(path, index, "proses OCR berhenti mendadak")
    except MemoryError:
        return failed_page(path, index, "memori tidak cukup")
    except (ArchiveError, cv2.error, ValueError) as e:
        return failed_page(path, index, str(e) or type(e).__name__)


def failed_page(path: Path, index: int, reason: str) -> PageContent:
    """An empty page carrying a warning, for a page OCR could not read."""
    log.warning("%s halaman %d: OCR gagal: %s", path.name, index + 1, reason)
    return PageContent(index + 1, 0.0, 0.0, "", ocr=True, warnings=(f"halaman {index + 1}: OCR gagal ({reason[:200]})",))
