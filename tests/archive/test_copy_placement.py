"""Where a stamped copy's certification goes: blank paper only, else a page of its own.

The acceptance check runs on real scanned SOPs: the signer's name and NIP are found on the
original's last page by OCR, and that region of the copy, rendered, must be the original's pixels.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import numpy as np
import pdfplumber
import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from archive.blankspace import find_spot
from archive.copies import Certifier, Stamp, stamp_with_placement
from archive.rendering import render_as_seen
from archive.stamping import block_size, page_scale
from archive.verify import code_in_file

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CERTIFIER = Certifier("Sekretaris Dinas", "Dr. Siti Aminah, M.Si.", "197001011995032001")
DPI = 300.0


def _stamp(superseded: str | None = None) -> Stamp:
    return Stamp("ABCD-EFGH-JK", "https://arsip.example.go.id/verifikasi/ABCD-EFGH-JK",
                 "Arsip #1 versi 1", "0123456789ab", date(2026, 3, 2), CERTIFIER, superseded)


# --- the blank-place finder on drawn ink ---------------------------------------------------------
def test_the_lowest_blank_place_is_taken() -> None:
    ink = np.zeros((595, 842), dtype=bool)
    ink[40:400, 40:800] = True  # content down to 400 px of 595
    ink[480:560, 600:800] = True  # a signature block at the bottom right
    spot = find_spot(ink, 72.0, 250, 80)
    assert spot is not None
    top = 595 - (spot.bottom + spot.height)
    assert top >= 400 and spot.bottom >= 12  # below the content, above the edge margin
    assert spot.left + spot.width <= 600  # left of the signature block, not over it


def test_a_gap_inside_a_table_is_not_a_blank_band() -> None:
    ink = np.zeros((595, 842), dtype=bool)
    ink[20:575, 20:822] = True
    ink[100:300, 300:700] = False  # an empty cell inside a table filling the page
    assert find_spot(ink, 72.0, 250, 80) is None


def test_no_room_gives_no_place() -> None:
    ink = np.ones((595, 842), dtype=bool)
    assert find_spot(ink, 72.0, 100, 50) is None


# --- stamped PDFs ----------------------------------------------------------------------------------
def _full_page_pdf() -> bytes:
    """A page written from edge to edge: no blank band anywhere."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(595, 842))
    canvas.rect(5, 5, 585, 832, stroke=1, fill=0)
    canvas.setFont("Helvetica", 9)
    for y in range(20, 830, 11):
        canvas.drawString(10, y, "Tabel penuh sampai tepi halaman " * 6)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_a_page_without_blank_room_gets_a_certification_page(tmp_path: Path) -> None:
    data, pages, placement = stamp_with_placement(_full_page_pdf(), _stamp())
    assert placement.spot is None and pages == 2
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        first, added = (p.extract_text() or "" for p in pdf.pages)
        assert "Salinan sesuai dengan aslinya" not in first
        assert "LEMBAR PENGESAHAN SALINAN" in added and "Kode verifikasi: ABCD-EFGH-JK" in added
        assert (pdf.pages[1].width, pdf.pages[1].height) == (595, 842)
    copy = tmp_path / "salinan.pdf"
    copy.write_bytes(data)
    assert code_in_file(copy) == "ABCD-EFGH-JK"
    # The original page is untouched but for SALINAN: no ink added outside its box.
    before, after = render_as_seen(_full_page_pdf(), 0, DPI), render_as_seen(data, 0, DPI)
    changed = np.any(before != after, axis=2)
    rows, cols = np.nonzero(changed)
    assert rows.max() < 0.08 * changed.shape[0] and cols.min() > 0.6 * changed.shape[1]


def test_a_superseded_version_says_so_on_its_copy() -> None:
    note = "Versi ini sudah digantikan oleh versi 2 sejak 1 Maret 2025"
    data, _, _ = stamp_with_placement(_full_page_pdf(), _stamp(note))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert note in (pdf.pages[-1].extract_text() or "")


# --- the acceptance check on real scans --------------------------------------------------------------
def _signature_region(image: Image.Image, nama: str, nip: str) -> tuple[int, int, int, int] | None:
    """The signer's block on a rendered page, found by OCR: the name's line down to the NIP's,
    widened by the block's own lines and raised to take in the signature and stamp above the name."""
    from ingest.ocr import TesseractEngine

    engine = TesseractEngine(lang="ind")
    words = engine.read(image, psm=3) + engine.read(image, psm=11)  # 11: blocks beside tables
    name_tokens = {t for t in re.split(r"[\s,.]+", nama.upper()) if len(t) >= 4}
    digits = re.sub(r"\D", "", nip)
    hits = [w for w in words if (re.sub(r"[^A-Z]", "", w.text.upper()) in name_tokens)
            or (len(d := re.sub(r"\D", "", w.text)) >= 6 and d in digits)]
    if len(hits) < 2:  # this page does not carry the signer's block
        return None
    line_h = int(np.median([w.height for w in hits]))
    left = min(w.left for w in hits) - 16 * line_h  # the name and the NIP's start
    right = max(w.left + w.width for w in hits) + 8 * line_h
    top = min(w.top for w in hits) - 8 * line_h  # jabatan, signature and stamp above the name
    bottom = max(w.top + w.height for w in hits) + line_h
    return max(0, left), max(0, top), min(image.width, right), min(image.height, bottom)


def _old_place(page: np.ndarray) -> tuple[float, float]:
    """Top left corner (pixels) of the block where copies used to put it: the bottom right."""
    height_pt, width_pt = page.shape[0] * 72 / DPI, page.shape[1] * 72 / DPI
    scale = page_scale(width_pt, height_pt)
    w, h = block_size(_stamp(), "tinggi", scale)
    return (width_pt - w - 18 * scale) * DPI / 72, (height_pt - 18 * scale - h) * DPI / 72


@pytest.mark.tesseract
@pytest.mark.slow
@pytest.mark.parametrize("name", ["sop-kalbar-3", "sop-kalbar-9"])
def test_the_signature_block_of_a_real_scan_stays_visible(real_dir: Path, name: str) -> None:
    source = real_dir / f"{name}.pdf"
    signer = json.loads((real_dir / f"{name}.json").read_text())["disahkan_oleh"]
    original = source.read_bytes()
    data, pages, placement = stamp_with_placement(original, _stamp())
    count = len(PdfReader(io.BytesIO(original)).pages)
    ARTIFACTS.mkdir(exist_ok=True)
    signed_pages = 0
    for index in range(count):
        before, after = render_as_seen(original, index, DPI), render_as_seen(data, index, DPI)
        region = _signature_region(Image.fromarray(before), signer["nama"], signer["nip"])
        if region is None:
            continue
        signed_pages += 1
        left, top, right, bottom = region
        region_before, region_after = before[top:bottom, left:right], after[top:bottom, left:right]
        changed = float(np.any(np.abs(region_before.astype(int) - region_after.astype(int)) > 8,
                               axis=2).mean())
        Image.fromarray(after).save(ARTIFACTS / f"salinan-{name}-halaman-{index + 1}.png")
        Image.fromarray(np.hstack([region_before, region_after])).save(
            ARTIFACTS / f"salinan-{name}-tanda-tangan-{index + 1}.png")
        assert changed < 0.001, (index, changed)  # the signer's block: the original's pixels
        if index == count - 1 and placement.spot is not None:
            # The test can fail: the block's old place (bottom right) lay over the signature.
            x, y = _old_place(before)
            assert x < right and y < bottom, "the old place would not have covered it"
    assert signed_pages >= 1, "the signer's name and NIP were not found on any page"
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert "Kode verifikasi: ABCD-EFGH-JK" in (pdf.pages[-1].extract_text() or "")
    assert pages == count + (placement.spot is None)


def test_salinan_moves_off_print_in_the_top_right_corner() -> None:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(595, 842))
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawRightString(580, 815, "LAMPIRAN II KEPUTUSAN")  # print where SALINAN used to go
    canvas.drawString(60, 700, "Isi halaman")
    canvas.showPage()
    canvas.save()
    original = buffer.getvalue()
    data, _, _ = stamp_with_placement(original, _stamp())
    before, after = render_as_seen(original, 0, DPI), render_as_seen(data, 0, DPI)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        words = {w["text"]: w for w in pdf.pages[0].extract_words()}
    salinan, lampiran = words["SALINAN"], words["LAMPIRAN"]
    assert salinan["top"] < 842 * 0.15  # still at the top of the page
    assert salinan["x1"] < lampiran["x0"] or salinan["top"] > words["KEPUTUSAN"]["bottom"]
    x0, top = lampiran["x0"] - 1, lampiran["top"] - 1
    x1, bottom = words["KEPUTUSAN"]["x1"] + 1, words["KEPUTUSAN"]["bottom"] + 1
    rows = slice(int(top * DPI / 72), int(bottom * DPI / 72) + 1)
    cols = slice(int(x0 * DPI / 72), int(x1 * DPI / 72) + 1)
    assert np.array_equal(before[rows, cols], after[rows, cols])  # the printed line untouched


def test_without_a_blank_top_band_salinan_hides_nothing() -> None:
    data, _, _ = stamp_with_placement(_full_page_pdf(), _stamp())
    before, after = render_as_seen(_full_page_pdf(), 0, DPI), render_as_seen(data, 0, DPI)
    dark_before = before.min(axis=2) < 128
    # every dark pixel of the page is still dark (red strokes count): no white ground over it
    assert np.all(after.min(axis=2)[dark_before] < 200)
