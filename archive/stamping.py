"""Drawing a stamped copy: SALINAN on every page, the certification block where it covers nothing.

The certification (who certifies, what it copies, the code and its QR) goes on the last page
where a blank band of that page holds it (`archive/blankspace.py` on the page rendered as seen,
the bottom margin first; a smaller or a wider block is tried before giving up); when no blank
place is large enough it goes on a certification page added after the last one, so the original's
signature, stamp, name and NIP are never covered.  Pages stored rotated are turned upright first
(pypdf), so the stamp sits where it is seen.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal

import qrcode
from pypdf import PageObject, PdfReader, PdfWriter
from reportlab.lib.colors import Color
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from archive.blankspace import Spot, find_spot, ink_mask
from archive.localtime import tanggal_indonesia
from archive.rendering import render_as_seen

log = logging.getLogger(__name__)

STAMP_RED = Color(0.72, 0.05, 0.05)
CODE_KEY = "/ArsipKinerjaSalinan"  # the copy's code in the PDF's document information
PLACEMENT_DPI = 72.0  # one pixel a point: enough to see a line of print
SALINAN_BAND = 0.15  # SALINAN goes in the top 15 % of a page
SALINAN_PAGES_LOOKED_AT = 300  # longer files: SALINAN see-through in the corner after these
Layout = Literal["tinggi", "lebar"]
# (layout, share of the page's scale), in order of preference: the full block first, then a
# wider and lower one, then smaller ones (never under about 5.5 pt type)
_CHOICES: tuple[tuple[Layout, float], ...] = (
    ("tinggi", 1.0), ("lebar", 1.0), ("tinggi", 0.85), ("lebar", 0.85), ("lebar", 0.75))


@dataclass(frozen=True)
class Certifier:
    """The official who certifies that a copy matches the original."""

    jabatan: str
    nama: str
    nip: str | None = None
    account: str | None = None  # the account whose profile this is (None: the settings')


@dataclass(frozen=True)
class Stamp:
    """What the stamp says: the certification block."""

    code: str
    url: str
    reference: str
    short_hash: str
    tanggal: date
    certifier: Certifier
    superseded: str | None = None  # "Versi ini sudah digantikan oleh versi 2 sejak ..."


@dataclass(frozen=True)
class Placement:
    """Where the certification went: on the last page at `spot`, or on a page added (spot None)."""

    spot: Spot | None
    layout: Layout
    scale: float


def stamped(original: bytes, stamp: Stamp) -> tuple[bytes, int, Placement]:
    """The stamped copy (bytes, page count, where the certification went); the input is untouched."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
    pages = list(writer.pages)
    for index, page in enumerate(pages):
        page.transfer_rotation_to_content()
        _merge(page, _salinan_overlay(page, _salinan_spot(original, index, page)))
    last = pages[-1]
    placement = place_certification(original, len(pages) - 1, last, stamp)
    if placement.spot is None:
        width, height = float(last.cropbox.width), float(last.cropbox.height)
        added = writer.add_blank_page(width, height)
        _merge(added, _certification_page(width, height, stamp, placement))
    else:
        _merge(last, _block_overlay(last, stamp, placement))
    writer.add_metadata({CODE_KEY: stamp.code, "/Subject": f"Salinan {stamp.code}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages), placement


def place_certification(original: bytes, index: int, page: PageObject, stamp: Stamp) -> Placement:
    """Where the block goes on page `index`: a blank place (lower half first), else a new page."""
    width, height = float(page.cropbox.width), float(page.cropbox.height)
    scale = page_scale(width, height)
    try:
        rgb = render_as_seen(original, index, PLACEMENT_DPI)
    except Exception as e:  # noqa: BLE001 - pdfium's errors are plain; any failure: a new page
        log.info("last page not rendered (%s): certification on a page of its own", e)
        return Placement(None, "tinggi", scale)
    seen_h, seen_w = rgb.shape[0] * 72 / PLACEMENT_DPI, rgb.shape[1] * 72 / PLACEMENT_DPI
    if abs(seen_w - width) > 3 or abs(seen_h - height) > 3:  # boxes disagree: play safe
        return Placement(None, "tinggi", scale)
    ink = ink_mask(rgb)
    found: list[tuple[Spot, Layout, float]] = []
    for layout, share in _CHOICES:
        w, h = block_size(stamp, layout, scale * share)
        spot = find_spot(ink, PLACEMENT_DPI, w, h)  # the lowest free place for this block
        if spot is not None:
            found.append((spot, layout, scale * share))
    lower = [f for f in found if f[0].bottom + f[0].height <= height / 2]
    for spot, layout, chosen in lower or found:  # the lower half of the page first
        return Placement(spot, layout, chosen)
    return Placement(None, "tinggi", scale)


def page_scale(width: float, height: float) -> float:
    """How big the stamp is drawn on a page: 1 on A4, larger on posters, never tiny."""
    return max(0.6, min(4.0, min(width, height) / 595.0))


def _merge(page: PageObject, overlay: bytes) -> None:
    page.merge_page(PdfReader(io.BytesIO(overlay)).pages[0])


def _canvas_for(page: PageObject) -> tuple[Canvas, io.BytesIO, float, float]:
    box = page.cropbox
    x0, y0, width, height = float(box.left), float(box.bottom), float(box.width), float(box.height)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(x0 + width, y0 + height))
    canvas.translate(x0, y0)
    return canvas, buffer, width, height


def _finish(canvas: Canvas, buffer: io.BytesIO) -> bytes:
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _salinan_overlay(page: PageObject, spot: Spot | None) -> bytes:
    canvas, buffer, width, height = _canvas_for(page)
    draw_salinan(canvas, width, height, page_scale(width, height), spot)
    return _finish(canvas, buffer)


def _salinan_spot(original: bytes, index: int, page: PageObject) -> Spot | None:
    """A blank place in the top band of page `index` for the SALINAN box (None: there is none)."""
    if index >= SALINAN_PAGES_LOOKED_AT:
        return None
    width, height = float(page.cropbox.width), float(page.cropbox.height)
    w, h = salinan_size(page_scale(width, height))
    band = SALINAN_BAND * height
    try:
        rgb = render_as_seen(original, index, PLACEMENT_DPI, top_pt=band)  # the top band only
    except Exception as e:  # noqa: BLE001 - pdfium's errors are plain; the corner, see-through
        log.info("page %d not rendered (%s): SALINAN in the corner", index + 1, e)
        return None
    if abs(rgb.shape[1] * 72 / PLACEMENT_DPI - width) > 3:
        return None
    spot = find_spot(ink_mask(rgb), PLACEMENT_DPI, w, h, from_top=True)
    if spot is None:
        return None
    return Spot(spot.left, spot.bottom + height - rgb.shape[0] * 72 / PLACEMENT_DPI, w, h)


def _block_overlay(page: PageObject, stamp: Stamp, placement: Placement) -> bytes:
    canvas, buffer, _, _ = _canvas_for(page)
    assert placement.spot is not None
    draw_block(canvas, placement.spot.left, placement.spot.bottom, stamp, placement.layout,
               placement.scale)
    return _finish(canvas, buffer)


def _certification_page(width: float, height: float, stamp: Stamp, placement: Placement) -> bytes:
    """A page of its own: SALINAN, a heading saying what it certifies, the block below it."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height))
    scale = placement.scale
    draw_salinan(canvas, width, height, scale)
    margin, y = 56 * scale, height - 90 * scale
    canvas.setFillColor(Color(0, 0, 0))
    canvas.setFont("Helvetica-Bold", 12 * scale)
    canvas.drawString(margin, y, "LEMBAR PENGESAHAN SALINAN")
    canvas.setFont("Helvetica", 9 * scale)
    y -= 18 * scale
    canvas.drawString(margin, y, f"Lembar ini bagian dari salinan {stamp.reference} "
                                 f"(berkas {stamp.short_hash}) pada halaman-halaman sebelumnya.")
    y -= 13 * scale
    canvas.drawString(margin, y, "Tidak ada tempat kosong pada halaman terakhir aslinya, sehingga "
                                 "pengesahan diletakkan di lembar ini.")
    _, h = block_size(stamp, "tinggi", scale)
    draw_block(canvas, margin, y - 24 * scale - h, stamp, "tinggi", scale)
    return _finish(canvas, buffer)


def salinan_size(scale: float) -> tuple[float, float]:
    """Width and height of the SALINAN box at `scale`."""
    size = 16 * scale
    return stringWidth("SALINAN", "Helvetica-Bold", size) + 16 * scale, size + 8 * scale


def draw_salinan(canvas: Canvas, width: float, height: float, scale: float,
                 spot: Spot | None = None) -> None:
    """The red SALINAN box: in the blank `spot` of the top band on a white ground, else at the
    top right corner with no ground, so whatever is printed there shows through."""
    size = 16 * scale
    text_width = canvas.stringWidth("SALINAN", "Helvetica-Bold", size)
    if spot is not None:
        x, y = spot.left + 8 * scale, spot.bottom + 5 * scale
        _white_box(canvas, x - 8 * scale, y - 5 * scale, text_width + 16 * scale,
                   size + 8 * scale, alpha=0.6)
    else:
        x, y = width - text_width - 26 * scale, height - 24 * scale
    canvas.setStrokeColor(STAMP_RED)
    canvas.setLineWidth(1.2 * scale)
    canvas.rect(x - 8 * scale, y - 5 * scale, text_width + 16 * scale, size + 8 * scale)
    canvas.setFillColor(STAMP_RED)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawString(x, y, "SALINAN")


# --- the certification block -----------------------------------------------------------------
def certification_lines(stamp: Stamp) -> list[tuple[str, str]]:
    """The block's lines (text, font), in reading order."""
    return list(_lines(stamp))


def _lines(stamp: Stamp) -> Iterator[tuple[str, str]]:
    c = stamp.certifier
    yield "Salinan sesuai dengan aslinya", "Helvetica-Bold"
    yield c.jabatan, "Helvetica"
    yield c.nama, "Helvetica-Bold"
    if c.nip:
        yield f"NIP. {c.nip}", "Helvetica"
    yield f"{stamp.reference}, berkas {stamp.short_hash}", "Helvetica"
    yield f"Tanggal salinan: {tanggal_indonesia(stamp.tanggal)}", "Helvetica"
    yield f"Kode verifikasi: {stamp.code}", "Helvetica-Bold"
    yield stamp.url, "Helvetica"


def _columns(stamp: Stamp, layout: Layout) -> list[list[tuple[str, str]]]:
    lines = certification_lines(stamp)
    if layout == "tinggi":
        return [lines]
    half = 4 if stamp.certifier.nip else 3  # who certifies | what, when, the code
    return [lines[:half], lines[half:]]


def _metrics(scale: float) -> tuple[float, float, float, float]:
    """Font size, leading, QR side and padding at `scale`."""
    return 7.5 * scale, 9.5 * scale, 62 * scale, 6 * scale


def block_size(stamp: Stamp, layout: Layout, scale: float) -> tuple[float, float]:
    """Width and height in points of the block drawn at `scale`."""
    size, leading, qr, pad = _metrics(scale)
    columns = _columns(stamp, layout)
    text_w = sum(max(stringWidth(t, f, size) for t, f in col) for col in columns)
    text_w += 12 * scale * (len(columns) - 1)
    text_h = leading * max(len(col) for col in columns)
    if stamp.superseded:
        text_w = max(text_w, stringWidth(stamp.superseded, "Helvetica-Bold", size))
        text_h += leading
    qr = min(qr, max(text_h, 40 * scale))
    return text_w + qr + 4 * pad, max(qr, text_h) + 2 * pad


def draw_block(canvas: Canvas, left: float, bottom: float, stamp: Stamp, layout: Layout,
               scale: float) -> None:
    """The block with its lower left corner at (left, bottom): QR on the left, text beside it."""
    size, leading, qr, pad = _metrics(scale)
    box_w, box_h = block_size(stamp, layout, scale)
    qr = min(qr, box_h - 2 * pad)
    _white_box(canvas, left, bottom, box_w, box_h)
    canvas.setStrokeColor(STAMP_RED)
    canvas.setLineWidth(1.2 * scale)
    canvas.rect(left, bottom, box_w, box_h)
    canvas.drawImage(ImageReader(_qr_png(stamp.url)), left + pad, bottom + (box_h - qr) / 2, qr, qr)
    x = left + qr + 3 * pad
    top = bottom + box_h - pad - size
    for column in _columns(stamp, layout):
        y = top
        canvas.setFillColor(Color(0, 0, 0))
        for text, font in column:
            canvas.setFont(font, size)
            canvas.drawString(x, y, text)
            y -= leading
        x += max(stringWidth(t, f, size) for t, f in column) + 12 * scale
    if stamp.superseded:
        rows = max(len(col) for col in _columns(stamp, layout))
        canvas.setFillColor(STAMP_RED)
        canvas.setFont("Helvetica-Bold", size)
        canvas.drawString(left + qr + 3 * pad, top - leading * rows, stamp.superseded)


def _white_box(canvas: Canvas, x: float, y: float, w: float, h: float, alpha: float = 0.9) -> None:
    """A white ground so the stamp stays legible."""
    canvas.saveState()
    canvas.setFillColor(Color(1, 1, 1, alpha=alpha))
    canvas.rect(x, y, w, h, stroke=0, fill=1)
    canvas.restoreState()


def _qr_png(url: str) -> io.BytesIO:
    image = qrcode.make(url, border=1)
    out = io.BytesIO()
    image.save(out, format="PNG")
    out.seek(0)
    return out
