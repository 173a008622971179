"""Page images: rendering (with /Rotate), choice of DPI, orientation, skew and stamp removal."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from ingest import raster
from ingest.ocr import FakeEngine, TesseractEngine
from tests.ingest.scan_images import flowchart_page, text_page


def _pdf(path: Path, rotate: int = 0) -> Path:
    from pypdf import PdfReader, PdfWriter
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 14)
    c.drawString(72, 760, "Standar Operasional Prosedur")
    c.showPage()
    c.save()
    if rotate:
        writer = PdfWriter(clone_from=PdfReader(path))
        writer.pages[0].rotate(rotate)
        writer.write(path)
    return path


def test_render_honours_rotate(tmp_path: Path) -> None:
    rgb, dpi = raster.render_page(_pdf(tmp_path / "r.pdf", rotate=90), 0, dpi=100)
    assert dpi == 100
    h, w = rgb.shape[:2]
    assert w > h  # A4 portrait stored with /Rotate 90 shows landscape
    assert raster.page_count(tmp_path / "r.pdf") == 1


def test_choose_dpi() -> None:
    assert raster.choose_dpi(None) == raster.DEFAULT_DPI
    assert raster.choose_dpi(72) == raster.MIN_DPI
    mid = (raster.MIN_DPI + raster.MAX_DPI) / 2
    assert raster.choose_dpi(mid) == mid
    assert raster.choose_dpi(600) == raster.MAX_DPI


def test_rotate_quarter_round_trip() -> None:
    img = flowchart_page()
    turned = raster.rotate_quarter(img, 90)
    assert turned.shape[:2] == img.shape[1::-1]
    assert np.array_equal(raster.rotate_quarter(turned, 270), img)


def test_orientation_from_engine_and_vote_fallback() -> None:
    img = flowchart_page()
    # OSD's turn is only taken when OCR confidence agrees; the fake reads no letters under
    # any turn, so the page stays as it is, with or without an OSD answer.
    engine = FakeEngine(rotation=180)
    assert raster.detect_orientation(img, 200, engine) == 0
    assert engine.calls == 2  # the vote read the page at 0 and at 180 degrees
    assert raster.detect_orientation(img, 200, FakeEngine(rotation=None)) == 0
    assert raster.detect_orientation(np.full_like(img, 255), 200, FakeEngine(rotation=90)) == 0


@pytest.mark.parametrize("angle", [-2.0, 1.5])
def test_estimate_skew_undoes_rotation(angle: float) -> None:
    straight = raster.to_gray(flowchart_page())
    tilted = raster.rotate_small(straight, angle)
    assert raster.estimate_skew(tilted, 200) == pytest.approx(-angle, abs=0.25)
    assert raster.estimate_skew(straight, 200) == pytest.approx(0.0, abs=0.15)


def test_drop_stamp_ink_keeps_black_text() -> None:
    img = np.full((100, 300, 3), 255, np.uint8)
    cv2.circle(img, (150, 50), 40, (90, 60, 200), 6)  # purple-blue stamp ring (RGB)
    img[45:55, 20:80] = 0  # black text
    img[45:55, 140:160] = 10  # black text under the stamp
    gray = raster.drop_stamp_ink(img)
    assert gray[50, 190] == 255  # the ring is gone
    assert gray[50, 50] < 50 and gray[50, 150] < 50


@pytest.mark.tesseract
def test_prepare_page_turns_upside_down_scan(tmp_path: Path) -> None:
    from PIL import Image

    lines = ["Laporan Kinerja Instansi Pemerintah Tahun 2023"] * 12
    img = Image.fromarray(text_page(lines, size=34, width=1700, height=2200)).rotate(180)
    pdf = tmp_path / "upside.pdf"
    img.save(pdf, "PDF", resolution=200.0)
    page = raster.prepare_page(pdf, 0, TesseractEngine())
    assert page.rotated == 180
    assert page.dpi == raster.choose_dpi(200)


def test_a_page_metres_wide_is_rendered_within_the_pixel_cap() -> None:
    """A damaged page size (65535 x 180 pt) must not become a 200-megapixel bitmap."""
    from ingest.raster import MAX_PAGE_PIXELS, capped_dpi

    assert capped_dpi(300.0, 595.0, 842.0) == 300.0  # A4 keeps its resolution
    dpi = capped_dpi(300.0, 65535.0, 180.0)
    assert dpi < 300.0
    assert (65535.0 / 72 * dpi) * (180.0 / 72 * dpi) <= MAX_PAGE_PIXELS * 1.0001


def test_pages_rendered_from_several_threads_at_once(corpus_dir: Path) -> None:
    """pdfium is not thread-safe (on damaged files two threads inside it crash the process): the
    web app's two queue workers render side by side, so every use goes through one lock.  Run in
    a child process, since a crash would end the test run itself (without the lock: SIGSEGV)."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    paths = sorted(str(p) for p in (repo / "tests" / "data" / "fuzz").glob("*.pdf"))
    paths.append(str(corpus_dir / "lkjip-bakesbangpol-2024-01-scan.pdf"))
    code = f"""
import threading
from pathlib import Path
from ingest.raster import image_covers, page_count, render_page
paths = [Path(p) for p in {paths!r}]
def work(k):
    for i in range(20):
        path = paths[(i + k) % len(paths)]
        try:
            image_covers(path, range(page_count(path)))
            render_page(path, 0, 72.0)
        except Exception:
            pass  # a damaged file's refusal is fine; a crash is not
threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=repo)
    assert done.returncode == 0 and done.stdout.strip() == "ok", (done.returncode, done.stderr[-2000:])


def test_a_page_stored_sideways_is_told_from_an_upright_one() -> None:
    page = text_page(["Perjanjian Kinerja Tahun 2024", "Dinas Komunikasi dan Informatika",
                      "Sasaran Strategis Indikator Kinerja", "Target Realisasi Capaian"])
    assert not raster.looks_sideways(raster.to_gray(page), 200)
    assert not raster.looks_sideways(raster.to_gray(flowchart_page(words=True)), 200)
    for turn in (90, 270):
        assert raster.looks_sideways(raster.to_gray(raster.rotate_quarter(page, turn)), 200)
    assert not raster.looks_sideways(np.full((800, 600), 255, np.uint8), 200)
