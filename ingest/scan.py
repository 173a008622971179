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

import contextlib
import dataclasses
import logging
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
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
    render_pixels,
    straighten,
    to_gray,
)
from ingest.scan_cells import assemble, ocr_cells, ocr_outside
from ingest.scan_grid import binarise, find_grids, grid_cells, grid_line_mask
from ingest.scan_handwriting import read_handwritten
from ingest.scan_second import SecondReader, second_readings
from ingest.scan_symbols import find_symbols, free_shapes
from ingest.stagetimes import at, stage

log = logging.getLogger(__name__)


def read_page_image(page: PageImage, engine: OcrEngine, second: SecondReader | None = None) -> PageContent:
    """OCR and layout of one upright page image; `second` reads again the cells Tesseract was unsure of."""
    with stage("binarise"):
        gray = drop_stamp_ink(page.rgb)
        ink = binarise(gray)
    with stage("grid"):
        grids = find_grids(ink, page.dpi)
        cells = [grid_cells(g) for g in grids]
    with stage("symbols"):
        shapes = [s for g, cs in zip(grids, cells, strict=True) for s in find_symbols(ink, g, cs, page.dpi, gray)]
        if not grids:  # a flowchart ruled only between its rows, or not at all
            shapes = free_shapes(ink, page.dpi, gray)
    with stage("grid"):
        # the symbols have seen the grey page: it becomes the page without its ruling lines in
        # place (the mask is 0 or 255: lines made white), and each full-page mask goes as soon
        # as it has served: a 300 DPI page is 9-20 MB per copy, and two OCR workers hold one
        # page each
        line_mask = grid_line_mask(ink.shape, grids)
        clean = np.asarray(cv2.max(gray, line_mask, dst=gray))
        del gray
        clean_ink = np.asarray(cv2.bitwise_and(ink, cv2.bitwise_not(line_mask, dst=line_mask)))
        del line_mask
    # the grid's full-page temporaries go back to the system before Tesseract (a child process
    # with its own copy of the strip) starts: the heap's high-water mark would otherwise stand
    # beside it for the rest of the page
    return_freed_memory()
    flat = [c for cs in cells for c in cs]
    with stage("cell_ocr"):
        cell_words = ocr_cells(clean, clean_ink, flat, engine, page.dpi)
    del clean_ink
    first = cell_words
    if second is not None:
        with stage("second"):
            cell_words = second_readings(page.rgb, clean, flat, cell_words, second)
    with stage("handwriting"):
        handwritten = read_handwritten(page.rgb, flat, first, cell_words, engine, second, page.dpi)
    # the colour pixels have served: the page goes on as its size only, so they are freed while
    # Tesseract reads the text outside the tables (when the caller no longer holds them), and
    # what they and the second engine's tensors held goes back to the system first
    page = dataclasses.replace(page, rgb=np.empty((*page.rgb.shape[:2], 0), np.uint8))
    return_freed_memory()
    with stage("page_ocr"):
        outside = ocr_outside(clean, ink, grids, engine, page.dpi)
    with stage("assemble"):
        content = assemble(page, grids, cells, cell_words, outside, shapes)
    return dataclasses.replace(content, handwritten=handwritten) if handwritten else content


# --- whole documents -----------------------------------------------------------------------------
def read_pages(path: Path, indices: Sequence[int], options: OcrOptions) -> list[PageContent]:
    """OCR pages `indices` (0-based) of `path`; `iter_pages` as a list."""
    return list(iter_pages(path, indices, options))


def iter_pages(path: Path, indices: Sequence[int], options: OcrOptions) -> Iterator[PageContent]:
    """OCR pages `indices` (0-based) of `path`, yielded in order as they are read.

    Pages stream through a bounded window: at most `WINDOW_PER_WORKER` pages per worker
    process are handed out and not yet taken back, and each worker renders its own page (images
    never cross processes), so a 142-page scan holds no more page images than a 2-page one
    (one per worker).  The window is bounded by pixels too: what reading a page holds (its
    image, masks, Tesseract's copies) grows with its pixels, so the pages handed out and not
    yet read stay within `PIXELS_PER_WORKER` per worker (a larger page is read alone): with two
    workers A4 and folio pages are read two at a time as before, an A3 page alone.  Tesseract
    runs single-threaded.  A page that fails or times out comes back empty with a warning; the
    document carries on.  The workers end with the document's last page.
    """
    make_engine(options)  # fail fast (missing Tesseract, language or second engine) before starting workers
    make_second_engine(options)
    jobs = max(1, min(options.jobs, len(indices)))
    if jobs == 1:
        for i in indices:
            yield _read_one_safely(path, i, options)
        return
    pixels = dict(zip(indices, render_pixels(path, indices, options.dpi), strict=True))
    todo, window = deque(indices), deque[tuple[int, Future[PageContent]]]()
    global _STREAMS
    with _POOL_LOCK:
        _STREAMS += 1
    try:
        while todo or window:
            # a worn pool is retired only once this document's pages in it are back, so old
            # and new workers never hold pages at the same time
            while todo and len(window) < jobs * WINDOW_PER_WORKER and not (window and _pool_worn()) \
                    and _pixels_allow(window, pixels, todo[0], jobs * PIXELS_PER_WORKER):
                index = todo.popleft()
                window.append((index, _submit(path, index, options)))
            if todo and _wait_for_room(window, jobs, options.page_timeout):
                continue
            index, future = window.popleft()
            try:
                page = _collect(future, path, index, options)
            except CancelledError:  # its pool was discarded (another page timed out): read it anew
                window.appendleft((index, _submit(path, index, options)))
                continue
            yield page
    finally:
        # the workers go with the document's last page: the rest of its reading (searchable
        # copy, structure, archive) runs without them, and an idle worker holds nothing
        for _, future in window:
            future.cancel()
        with _POOL_LOCK:
            _STREAMS -= 1
            if not _STREAMS:  # another document (a second queue lane) may still be using it
                retire_pool()


def _pixels_allow(window: deque[tuple[int, Future[PageContent]]], pixels: dict[int, int], index: int,
                  budget: int) -> bool:
    """True when page `index` may be handed out: the pages handed out and not yet read (those
    read hold nothing in the workers) and it stay within `budget` pixels, or none is left."""
    held = [pixels[i] for i, f in window if not f.done()]
    return not held or sum(held) + pixels[index] <= budget


def _wait_for_room(window: deque[tuple[int, Future[PageContent]]], jobs: int, timeout: float) -> bool:
    """When the next page waits for pixels, wait until any page of the window is read (not only
    the first: a worker would idle meanwhile); True when one was, so the next can go."""
    busy = [f for _, f in window if not f.done()]
    if len(busy) < 2 or window[0][1].done() or len(window) >= jobs * WINDOW_PER_WORKER or _pool_worn():
        return False  # the first page is read, or the window is full: it is taken back first
    return bool(wait(busy, timeout=timeout, return_when=FIRST_COMPLETED).done)


WINDOW_PER_WORKER = 2  # pages handed to the pool and not yet taken back, per worker process
# pixels of the pages handed out and not yet read, per worker process: with two, at 300 DPI two
# A4 (8.7 Mpx each) or folio (9.9 Mpx) pages, or an A4 page and one of 12.5 Mpx; an A3 page
# (19.6 Mpx) is read alone.  What an OCR process holds while reading a page grows with its
# pixels (about 60 MB plus 8 bytes a pixel: image, masks, Tesseract's copy, the second engine),
# and the bound keeps a queue worker reading a long scan of mixed sizes under 600 MB
# (`bench/ingest_scale.py --long-scan 142`)
PIXELS_PER_WORKER = 11_000_000


def _submit(path: Path, index: int, options: OcrOptions) -> Future[PageContent]:
    with _POOL_LOCK:
        pool = worker_pool(options.jobs, preload_second=options.second == "rapidocr")
        assert _POOL is not None
        _POOL.served += 1
        return pool.submit(read_one_page, path, index, options)


def _pool_worn() -> bool:
    """True when the pool's workers have read their share of pages and should be replaced."""
    return _POOL is not None and _POOL.served >= PAGES_PER_WORKER * _POOL.jobs


@dataclass
class _Pool:
    jobs: int
    executor: ProcessPoolExecutor
    served: int = 0  # pages handed to it


def worker_pool(jobs: int, preload_second: bool = False) -> ProcessPoolExecutor:
    """The OCR worker processes, started on first use and kept for the next document.

    Workers are forked when this process runs a single thread (the command line): they start
    in milliseconds with every module already imported.  With other threads alive (a queue
    worker, the web app) forking this process is unsafe, so they are forked from
    multiprocessing's fork server instead, a single-threaded process that has imported this
    module once: its workers share those pages instead of each importing everything again, as
    spawned ones did (their imports alone cost about 100 MB each).  Either way the pool is
    replaced after `PAGES_PER_WORKER` pages per worker, so what a worker's heap gathers over a
    long scan is returned to the system.  With `preload_second` the process that forks (this
    one, or the fork server through `ingest.ocr_preload`) loads the second engine's models
    first, so its workers share them instead of each loading its own (0.2 CPU seconds per
    worker and document).  (Python 3.11's own `max_tasks_per_child` is not used:
    its pool stopped handing out pages once the first workers had retired.)  A pool lives for
    one document (`iter_pages` retires it after the last page).
    """
    global _POOL
    if _POOL is not None and _POOL.jobs == jobs and not _pool_worn():
        return _POOL.executor
    discard_pool(cancel=_POOL is not None and _POOL.jobs != jobs)
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        context: Any = multiprocessing.get_context("fork")
        parent: int | None = os.getpid()
        if preload_second:
            preload_second_engine()
    else:
        short_socket_dir()
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["ingest.scan", *(["ingest.ocr_preload"] if preload_second else [])])
        parent = None  # the fork server is the parent: its workers watch this process instead
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=start_worker,
                               initargs=(parent, None if parent else os.getpid()))
    _POOL = _Pool(jobs, pool)
    return pool


def preload_second_engine() -> None:
    """Load the second engine's models in this process (kept for its later documents), silently:
    on failure each worker loads them itself, or says what is missing."""
    from ingest.ocr_rapid import DEFAULT_MAX_SIDE, load_rapidocr

    with contextlib.suppress(Exception):
        load_rapidocr(DEFAULT_MAX_SIDE)


def short_socket_dir() -> None:
    """Give multiprocessing a temp dir short enough for the fork server's socket.

    Its socket goes in multiprocessing's temp dir, made under `tempfile`'s, which is this
    process's scratch folder in the data dir (`archive.scratch`): under a long data dir path
    the socket's name passes the 108 bytes of AF_UNIX ("AF_UNIX path too long").  Python 3.12
    falls back to the system's temp dir by itself; here the same is done once, before the
    server starts.
    """
    import tempfile
    from multiprocessing import process, util

    config = process.current_process()._config  # type: ignore[attr-defined]
    if config.get("tempdir") is not None or len(tempfile.gettempdir()) <= SOCKET_DIR_MAX:
        return
    short = next((d for d in ("/tmp", "/var/tmp", "/usr/tmp")
                  if Path(d).is_dir() and os.access(d, os.W_OK | os.X_OK)), None)
    if short is None:
        return
    saved, tempfile.tempdir = tempfile.tempdir, short
    try:
        util.get_temp_dir()  # made now under `short`, and kept for this process
    finally:
        tempfile.tempdir = saved


SOCKET_DIR_MAX = 60  # 'pymp-xxxxxxxx/listener-xxxxxxxx' adds about 40 bytes; AF_UNIX allows 107


def start_worker(parent: int | None, owner: int | None = None) -> None:
    """Pool initializer: die with the parent (or with `owner`, the process using the pool, for
    workers of the fork server).  Freed page images go back to the system after each page
    (`read_one_page`, `return_freed_memory`)."""
    die_with_parent(parent)
    if owner is not None:
        threading.Thread(target=die_with, args=(owner,), daemon=True, name="owner-watch").start()


def die_with(owner: int) -> None:
    """End this worker when process `owner` ends (a thread of a fork server's worker).

    The fork server outlives a killed queue worker as long as one of its workers runs (each
    holds its "alive" pipe), and its workers wait forever on a queue that still has a writer
    (themselves), so without this a SIGKILLed `arsip worker` left both behind.
    """
    try:
        fd = os.pidfd_open(owner)
    except ProcessLookupError:
        os._exit(1)
    except (OSError, AttributeError):  # no pidfd (old kernel): look once a second
        while True:
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass
            time.sleep(1.0)
    select.select([fd], [], [])  # readable once `owner` has ended
    os._exit(1)


def return_freed_memory() -> None:
    """Give the heap's free pages back to the system (glibc `malloc_trim`), once a page is read.

    glibc serves page images from the heap once a large buffer has been freed, and the heap
    keeps its high-water mark: without this a worker idled at about 190 MB RSS after a few
    pages.  Trimmed after every page it stays at about 140 MB with the second engine's models
    loaded.  (Mapping every buffer over 1 MB on its own, `mallopt(M_MMAP_THRESHOLD)`, kept
    memory as low, but every large allocation then faulted in fresh zeroed pages: the second
    engine's network and the grid's full-page arrays cost 2-3 CPU seconds of kernel time on a
    form page, more than all of its OCR.)  A no-op where `malloc_trim` is missing.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).malloc_trim(0)


def die_with_parent(parent: int | None) -> None:
    """Pool initializer: a worker is killed when the process that started it dies (Linux).

    Without it a killed `arsip ingest` left its OCR workers running (hundreds of MB each, still
    holding its output) until their pages were done.  Workers of the fork server (`parent`
    None) die with it, and it ends when the process that started it does.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if (parent is not None and os.getppid() != parent) or os.getppid() == 1:
        os._exit(1)  # the parent died before the signal was armed


def discard_pool(cancel: bool = True) -> None:
    """Stop using the worker pool (after a timeout or a crash, or worn); the next page starts anew.

    Not waiting: pages already running finish (a worker stuck past its page timeout ends when
    its Tesseract call's own timeout fires); with `cancel`, pages not started are cancelled and
    read again by the next pool (`iter_pages`), else the old workers read them and then exit.
    """
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None:
            _POOL.executor.shutdown(wait=False, cancel_futures=cancel)
            _POOL = None


def retire_pool() -> None:
    """Let the pool's workers end once their pages are done (a document is read)."""
    discard_pool(cancel=False)


_POOL: _Pool | None = None
_POOL_LOCK = threading.RLock()  # two queue lanes of one process share the pool
_STREAMS = 0  # documents streaming through the pool now


def read_one_page(path: Path, index: int, options: OcrOptions) -> PageContent:
    """`read_page` in a worker, its freed memory given back to the system afterwards."""
    try:
        return read_page(path, index, options)
    finally:
        return_freed_memory()


def read_page(path: Path, index: int, options: OcrOptions) -> PageContent:
    """Render, orient, straighten and read one page (runs inside a worker).

    Most pages are stored upright, so a page is read as it is first; only when that reading is
    not confident does orientation detection (OSD, then a confidence vote) run, and the page is
    read again if it must be turned.  OSD on every page cost as much as reading the tables.  A
    page whose lines of print plainly run top to bottom (`looks_sideways`) is turned first and
    read once.  With `options.as_stored` the unsure reading is kept as it is.
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
        del rgb
        return read_page_image(upright, engine, second)
    with stage("straighten"):
        held = [straighten(rgb, dpi, index + 1)]
    del rgb  # one page image alive while it is read (a page to be turned is rendered again)
    # handed over, not kept here: `read_page_image` frees its colour pixels once they have served
    content = read_page_image(held.pop(), engine, second)
    if reads_upright(content) or options.as_stored:
        return content
    rgb, dpi = render_page(path, index, options.dpi)
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
