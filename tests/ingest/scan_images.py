"""Synthetic page images for the OCR and layout tests, drawn in code (no stored fixtures).

`flowchart_page` draws a small SOP flowchart table at 200 DPI: a header row with a merged
'Pelaksana' cell over two actor columns, two step rows, a rectangle symbol in one actor column,
a capsule in the other, and an elbow connector between them.  Text is either black bars (for the
fake OCR engine, which names each bar by its width) or real words (for Tesseract).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

DPI = 200
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# Column edges and row edges in pixels.
XS = (100, 200, 700, 900, 1100, 1400)
YS = (100, 180, 260, 420, 580)


def blank(width: int = 1600, height: int = 900) -> np.ndarray:
    """A white RGB page."""
    return np.full((height, width, 3), 255, np.uint8)


def flowchart_page(words: bool = False) -> np.ndarray:
    """The flowchart table described in the module docstring, as RGB pixels."""
    img = blank()
    _grid(img)
    # Symbols: a rectangle in actor column 1 on step row 1, a capsule in actor column 2 on row 2.
    cv2.rectangle(img, (740, 300), (860, 380), (0, 0, 0), 3)
    _capsule(img, (940, 460), (1060, 540))
    cv2.line(img, (800, 380), (800, 500), (0, 0, 0), 3)  # elbow connector down, then right
    cv2.line(img, (800, 500), (938, 500), (0, 0, 0), 3)
    if words:
        _text(img, [(110, 120, "No"), (210, 120, "Kegiatan"), (720, 110, "Pelaksana"),
                    (710, 200, "Kepala"), (910, 200, "Staf"), (1110, 160, "Output"),
                    (110, 320, "1."), (210, 300, "Menyusun laporan"), (210, 340, "kinerja tahunan"),
                    (1110, 320, "Laporan"), (110, 480, "2."), (210, 480, "Menandatangani"),
                    (1110, 480, "Dokumen")])
    else:
        for x, y, w in ((110, 130, 40), (210, 130, 80), (210, 300, 120), (210, 340, 80),
                        (1110, 320, 60), (110, 480, 20), (210, 480, 160)):
            cv2.rectangle(img, (x, y), (x + w - 1, y + 14), (0, 0, 0), -1)
    return img


def _grid(img: np.ndarray) -> None:
    black = (0, 0, 0)
    x0, x1, y0, y1 = XS[0], XS[-1], YS[0], YS[-1]
    for y in (y0, YS[2], YS[3], y1):
        cv2.line(img, (x0, y), (x1, y), black, 3)
    cv2.line(img, (XS[2], YS[1]), (XS[4], YS[1]), black, 3)  # under the merged 'Pelaksana'
    for x in (x0, XS[1], XS[2], XS[4], x1):
        cv2.line(img, (x, y0), (x, y1), black, 3)
    cv2.line(img, (XS[3], YS[1]), (XS[3], y1), black, 3)  # between the two actor columns


def _capsule(img: np.ndarray, p0: tuple[int, int], p1: tuple[int, int]) -> None:
    (x0, y0), (x1, y1) = p0, p1
    r = (y1 - y0) // 2
    cv2.line(img, (x0 + r, y0), (x1 - r, y0), (0, 0, 0), 3)
    cv2.line(img, (x0 + r, y1), (x1 - r, y1), (0, 0, 0), 3)
    cv2.ellipse(img, (x0 + r, y0 + r), (r, r), 0, 90, 270, (0, 0, 0), 3)
    cv2.ellipse(img, (x1 - r, y0 + r), (r, r), 0, -90, 90, (0, 0, 0), 3)


def _text(img: np.ndarray, items: list[tuple[int, int, str]], size: int = 30) -> None:
    pil = Image.fromarray(img)
    draw = ImageDraw.Draw(pil)
    font = ImageFont.truetype(str(FONT), size)
    for x, y, text in items:
        draw.text((x, y), text, fill=(0, 0, 0), font=font)
    img[:] = np.asarray(pil)


def text_page(lines: list[str], size: int = 36, width: int = 1600, height: int = 1000) -> np.ndarray:
    """A page of left-aligned text lines (real glyphs), for orientation and OCR tests."""
    img = blank(width, height)
    _text(img, [(100, 100 + i * int(size * 1.6), line) for i, line in enumerate(lines)], size)
    return img


def scan_pdf(path: Path, img: np.ndarray, dpi: int = 200) -> Path:
    """A one-page 'scan': `img` (RGB at `dpi`) as the only content of a PDF page, no text layer."""
    import io

    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    h, w = img.shape[:2]
    size = (w * 72 / dpi, h * 72 / dpi)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    c = canvas.Canvas(str(path), pagesize=size)
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, *size)
    c.showPage()
    c.save()
    return path


def phone_photo(page: np.ndarray, seed: int = 1, tilt: float = 0.025) -> np.ndarray:
    """`page` (RGB) as a phone camera takes it: the sheet on a grey desk, seen at an angle (each
    corner moved by up to `tilt` of the width), lit unevenly, a little blurred, noisy, JPEG."""
    rng = np.random.default_rng(seed)
    h, w = page.shape[:2]
    pad = int(0.06 * w)
    desk = np.full((h + 2 * pad, w + 2 * pad, 3), 90, np.uint8)
    desk[pad:pad + h, pad:pad + w] = page
    big_h, big_w = desk.shape[:2]
    src = np.array([[pad, pad], [pad + w, pad], [pad + w, pad + h], [pad, pad + h]], np.float32)
    dst = src + rng.uniform(-tilt * w, tilt * w, src.shape).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    photo = cv2.warpPerspective(desk, matrix, (big_w, big_h), borderValue=(90, 90, 90))
    yy, xx = np.mgrid[0:big_h, 0:big_w]
    light = 0.75 + 0.25 * (xx / big_w) * (1 - 0.3 * yy / big_h)
    photo = np.clip(photo * light[..., None], 0, 255).astype(np.uint8)
    photo = cv2.GaussianBlur(photo, (3, 3), 0)
    photo = np.clip(photo + rng.normal(0, 6, photo.shape), 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 60])
    return np.asarray(cv2.imdecode(jpeg, cv2.IMREAD_COLOR)) if ok else photo


def skewed(img: np.ndarray, degrees: float) -> np.ndarray:
    """`img` turned by `degrees` (counter-clockwise), white behind: a sheet laid crooked."""
    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return np.asarray(cv2.warpAffine(img, matrix, (w, h), borderValue=(255, 255, 255)))


def stamped(img: np.ndarray, centre: tuple[int, int], radius: int) -> np.ndarray:
    """`img` with an office stamp in purple ink over it: two rings and text, half transparent."""
    ink = img.copy()
    purple = (110, 40, 160)
    cv2.circle(ink, centre, radius, purple, 5)
    cv2.circle(ink, centre, int(radius * 0.7), purple, 3)
    cv2.putText(ink, "PEMERINTAH", (centre[0] - int(radius * 0.6), centre[1] + 8),
                cv2.FONT_HERSHEY_SIMPLEX, radius / 160, purple, 3)
    return np.asarray(cv2.addWeighted(ink, 0.7, img, 0.3, 0))
