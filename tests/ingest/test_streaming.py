"""Long scans stream page by page: a bounded number of page images and pages in flight, progress
told after each page, and OCR workers that end with the process using them.

The memory figure itself (a worker reading a 142-page scan) is `bench/ingest_scale.py
--long-scan 142`; these tests check the mechanisms that keep it bounded, not a number of bytes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pypdf import PdfReader, PdfWriter

from ingest import scan
from ingest.extract import ExtractOptions, extract_file
from ingest.ocr import OcrOptions
from ingest.raster import rotate_small
from tests.ingest.scan_images import flowchart_page, scan_pdf

REPO = Path(__file__).resolve().parents[2]


def long_scan(folder: Path, pages: int) -> Path:
    """A scan of `pages` pages (each a slightly skewed flowchart, so straightening copies it)."""
    one = scan_pdf(folder / "one.pdf", rotate_small(flowchart_page(), 1.5))
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_page(PdfReader(one).pages[0])
    out = folder / f"scan-{pages}.pdf"
    with out.open("wb") as f:
        writer.write(f)
    return out


class Images:
    """Counts page images alive while pages are read: the arrays `render_page` and `straighten`
    returned that are still referenced when `read_page_image` starts on a page."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.alive: list[weakref.ref[np.ndarray]] = []
        self.most = 0
        self.lock = threading.Lock()
        render, straighten, read = scan.render_page, scan.straighten, scan.read_page_image

        def tracked_render(*a: Any, **k: Any) -> Any:
            rgb, dpi = render(*a, **k)
            self._track(rgb)
            return rgb, dpi

        def tracked_straighten(*a: Any, **k: Any) -> Any:
            page = straighten(*a, **k)
            self._track(page.rgb)
            return page

        def counted_read(*a: Any, **k: Any) -> Any:
            self._count()
            return read(*a, **k)

        monkeypatch.setattr(scan, "render_page", tracked_render)
        monkeypatch.setattr(scan, "straighten", tracked_straighten)
        monkeypatch.setattr(scan, "read_page_image", counted_read)

    def _track(self, array: np.ndarray) -> None:
        with self.lock:
            if not any(r() is array for r in self.alive):
                self.alive.append(weakref.ref(array))

    def _count(self) -> None:
        with self.lock:
            self.alive = [r for r in self.alive if r() is not None]
            self.most = max(self.most, len(self.alive))


def test_one_page_image_alive_at_a_time_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    images = Images(monkeypatch)
    pages = list(scan.iter_pages(long_scan(tmp_path, 6), range(6), OcrOptions(engine="fake", jobs=1)))
    assert len(pages) == 6 and all(p.words for p in pages)
    assert images.most == 1  # the rendering is dropped once its straightened copy exists


def test_pages_in_flight_are_bounded_by_the_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool (threads here, so the test can look inside) gets at most WINDOW_PER_WORKER pages
    per worker ahead of the reader, and holds at most one page image per worker."""
    images = Images(monkeypatch)
    monkeypatch.setattr(scan, "ProcessPoolExecutor",
                        lambda jobs, **_: ThreadPoolExecutor(jobs))
    submitted: list[int] = []
    submit = scan._submit

    def counted(path: Path, index: int, options: OcrOptions) -> Any:
        submitted.append(index)
        return submit(path, index, options)

    monkeypatch.setattr(scan, "_submit", counted)
    jobs, n = 2, 12
    ahead = []
    for taken, page in enumerate(scan.iter_pages(long_scan(tmp_path, n), range(n),
                                                 OcrOptions(engine="fake", jobs=jobs)), 1):
        ahead.append(len(submitted) - taken)
        assert page.number == taken
    assert len(submitted) == n
    assert max(ahead) <= jobs * scan.WINDOW_PER_WORKER - 1
    assert images.most <= jobs
    assert scan._POOL is None  # the workers went with the last page


def mixed_scan(folder: Path, sizes: str) -> Path:
    """A scan of small (`s`) and large (`L`) pages: the same flowchart scanned at 400 and 200
    DPI, rendered at 300 DPI either way (0.8 and 3.2 million pixels)."""
    small = scan_pdf(folder / "small.pdf", flowchart_page(), dpi=400)
    large = scan_pdf(folder / "large.pdf", flowchart_page(), dpi=200)
    writer = PdfWriter()
    for size in sizes:
        writer.add_page(PdfReader(large if size == "L" else small).pages[0])
    out = folder / f"mixed-{sizes}.pdf"
    with out.open("wb") as f:
        writer.write(f)
    return out


def test_pixels_in_flight_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages handed out and not yet read stay within PIXELS_PER_WORKER per worker (a larger
    page goes alone), so a large page is never read beside another, while small pages still fill
    the window."""
    monkeypatch.setattr(scan, "ProcessPoolExecutor", lambda jobs, **_: ThreadPoolExecutor(jobs))
    path = mixed_scan(tmp_path, "sLLssssLsL")
    pixels = scan.render_pixels(path, range(10))
    small, large = min(pixels), max(pixels)
    assert large > 3 * small
    budget = 4 * small + small // 2  # 4 small pages or 1 large one (+ nothing)
    monkeypatch.setattr(scan, "PIXELS_PER_WORKER", budget // 2)
    submitted: list[int] = []
    taken: list[int] = []
    finished: set[int] = set()
    windows: list[int] = []
    reading: set[int] = set()
    most_read = 0
    lock = threading.Lock()
    submit, read = scan._submit, scan.read_one_page

    def counted(path: Path, index: int, options: OcrOptions) -> Any:
        submitted.append(index)
        held = [i for i in submitted if i not in finished]
        assert len(held) == 1 or sum(pixels[i] for i in held) <= budget
        windows.append(len([i for i in submitted if i not in taken]))
        return submit(path, index, options)

    def watched(path: Path, index: int, options: OcrOptions) -> Any:
        nonlocal most_read
        with lock:
            reading.add(index)
            most_read = max(most_read, sum(pixels[i] for i in reading))
        try:
            return read(path, index, options)
        finally:
            with lock:
                reading.discard(index)
                finished.add(index)

    monkeypatch.setattr(scan, "_submit", counted)
    monkeypatch.setattr(scan, "read_one_page", watched)
    for page in scan.iter_pages(path, range(10), OcrOptions(engine="fake", jobs=2)):
        taken.append(page.number - 1)
    assert taken == list(range(10)) and all(p for p in pixels)
    assert most_read <= large  # a large page was read alone, small ones in pairs at most
    assert max(windows) == 2 * scan.WINDOW_PER_WORKER  # the small pages 3-6 filled the window


def test_worn_pool_is_replaced_between_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pools: list[ThreadPoolExecutor] = []

    def pool(jobs: int, **_: Any) -> ThreadPoolExecutor:
        pools.append(ThreadPoolExecutor(jobs))
        return pools[-1]

    monkeypatch.setattr(scan, "ProcessPoolExecutor", pool)
    monkeypatch.setattr(scan, "PAGES_PER_WORKER", 2)
    pages = list(scan.iter_pages(long_scan(tmp_path, 9), range(9), OcrOptions(engine="fake", jobs=2)))
    assert [p.number for p in pages] == list(range(1, 10))
    assert len(pools) == 3  # 4 pages per pool of 2 workers: 4 + 4 + 1


def test_the_pool_stays_while_another_document_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two queue lanes share the pool: a short scan read during a long one does not retire it."""
    pools: list[ThreadPoolExecutor] = []

    def pool(jobs: int, **_: Any) -> ThreadPoolExecutor:
        pools.append(ThreadPoolExecutor(jobs))
        return pools[-1]

    monkeypatch.setattr(scan, "ProcessPoolExecutor", pool)
    path, options = long_scan(tmp_path, 6), OcrOptions(engine="fake", jobs=2)
    long = scan.iter_pages(path, range(6), options)
    assert next(long).number == 1
    assert [p.number for p in scan.iter_pages(path, range(2), options)] == [1, 2]
    assert scan._POOL is not None  # the long scan is still being read
    assert [p.number for p in long] == [2, 3, 4, 5, 6]
    assert len(pools) == 1 and scan._POOL is None


def test_progress_is_told_after_each_ocr_page(tmp_path: Path) -> None:
    told: list[tuple[int, int]] = []
    extract_file(long_scan(tmp_path, 4), ExtractOptions(ocr=OcrOptions(engine="fake", jobs=1, second=""),
                                                        progress=lambda done, total: told.append((done, total))))
    assert told == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_progress_of_a_file_without_ocr_is_one_step(tmp_path: Path) -> None:
    told: list[tuple[int, int]] = []
    extract_file(long_scan(tmp_path, 3), ExtractOptions(ocr=None, progress=lambda *a: told.append(a)))
    assert told == [(3, 3)]


OWNER = """
import os, sys, threading, time
from ingest import scan
threading.Thread(target=time.sleep, args=(120,), daemon=True).start()  # as a queue worker: threads
pool = scan.worker_pool(2)
futures = [pool.submit(time.sleep, 0.1) for _ in range(2)]
[f.result() for f in futures]
print(" ".join(str(pid) for pid in pool._processes), flush=True)
time.sleep(120)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pidfd and the parent-death signal are Linux's")
def test_fork_server_workers_end_with_a_killed_owner() -> None:
    """With threads alive the workers come from the fork server, whose children they are: they
    must still end when the process that used them is SIGKILLed, and the server with them."""
    owner = subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        workers = [int(p) for p in (owner.stdout.readline() if owner.stdout else "").split()]
        assert len(workers) == 2
        server = {_parent(p) for p in workers}
        assert owner.pid not in server  # not forked from the owner: the fork server
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        _until(lambda: not any(_alive(p) for p in [*workers, *server]), 10)
        assert not any(_alive(p) for p in [*workers, *server])
    finally:
        owner.kill()
        owner.wait()


LONG_TMP = """
import os, sys, tempfile, threading, time
os.environ["TMPDIR"] = tempfile.tempdir = sys.argv[1]
from ingest import scan
threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
print(scan.worker_pool(2).submit(sum, [1, 2]).result(), flush=True)
"""


def test_fork_server_starts_under_a_long_temp_dir(tmp_path: Path) -> None:
    """The fork server's socket lives in multiprocessing's temp dir; a data dir deep in the
    file system (its scratch folder is the temp dir) must not make it fail to start."""
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    done = subprocess.run([sys.executable, "-c", LONG_TMP, str(deep)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "3"


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _until(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.1)
