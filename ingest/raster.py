"""Page images for OCR: render with pypdfium2 (which honours /Rotate), turn upright, straighten.

Orientation comes from Tesseract's OSD and, when OSD cannot tell (little text), from voting on
OCR confidence over the four turns.  Skew comes from the sharpness of the row profile (ruling lines
and text rows alike).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from archive.errors import DamagedPdfError
from archive.rendering import PDFIUM_LOCK
from ingest.ocr import OcrEngine
from ingest.textscale import PROBE_DPI, letter_height, text_dpi

log = logging.getLogger(__name__)

# The ceiling of a scan's resolution: 300 DPI, whatever the image's own (small print, '767.07',
# loses its dots below it on an A4 page); `ingest.textscale` renders lower a page whose letters
# are larger than that needs.
MIN_DPI = 300.0
MAX_DPI = 300.0
DEFAULT_DPI = 300.0
# The most pixels one page is rendered at (about three A4 pages at 300 DPI; an A3 page keeps
# 300 DPI, an A2 poster gets about 250):
# a page claiming to be metres wide (damaged or hostile) is rendered at a lower DPI instead of
# taking gigabytes.
MAX_PAGE_PIXELS = 25_000_000
ANALYSIS_DPI = 150.0  # orientation and skew are judged on a smaller copy
MAX_SKEW = 5.0  # degrees; anything larger is not scanner skew
SKEW_DPI = 100.0
STAMP_MARGIN = 15  # how much bluer than green ink must be to count as stamp or pen


@dataclass(frozen=True)
class PageImage:
    """One rendered page, upright and straight: RGB pixels, their DPI, and what was done."""

    number: int
    rgb: np.ndarray
    dpi: float
    rotated: int = 0
    skew: float = 0.0

    @property
    def width_pt(self) -> float:
        """Page width in PDF points (of the upright image)."""
        return float(self.rgb.shape[1] * 72.0 / self.dpi)

    @property
    def height_pt(self) -> float:
        """Page height in PDF points (of the upright image)."""
        return float(self.rgb.shape[0] * 72.0 / self.dpi)


def page_count(path: Path) -> int:
    """Number of pages pdfium sees in `path`."""
    with _document(path) as pdf:
        return len(pdf)


def render_pixels(path: Path, indices: Sequence[int], dpi: float | None = None) -> list[int]:
    """The pixels (width x height) `render_page` makes of each page `indices`, without rendering:
    what reading the page will hold in memory grows with it.  A page pdfium cannot load: 0."""
    import pypdfium2 as pdfium

    out = []
    with _document(path) as pdf:
        for index in indices:
            try:
                page = pdf[index]
            except pdfium.PdfiumError:
                out.append(0)
                continue
            width, height = page.get_size()
            scale = capped_dpi(dpi or choose_dpi(native_dpi(page)), width, height) / 72.0
            out.append(math.ceil(width * scale) * math.ceil(height * scale))
            page.close()
    return out


def render_page(path: Path, index: int, dpi: float | None = None) -> tuple[np.ndarray, float]:
    """Page `index` (0-based) as RGB pixels at `dpi` (default: the resolution its text needs,
    `ingest.textscale`, within the limits of `choose_dpi` and `MAX_PAGE_PIXELS`)."""
    import pypdfium2 as pdfium

    with _document(path) as pdf:
        try:
            page = pdf[index]
            hide_overlays(page)
            if dpi is None:
                native = native_dpi(page)
                ceiling = capped_dpi(choose_dpi(native), *page.get_size())
                probe = min(PROBE_DPI, ceiling)
                dpi = text_dpi(letter_height(to_gray(_pixels(page, probe)), probe), ceiling, native)
            else:
                dpi = capped_dpi(dpi, *page.get_size())
            rgb = _pixels(page, dpi)
            page.close()
            return rgb, dpi
        except pdfium.PdfiumError as e:  # a page object missing or broken: that page only
            raise DamagedPdfError(f"{path.name}: halaman {index + 1} rusak dan tidak dapat "
                                  f"dijadikan gambar ({e}); mintalah berkas yang utuh kepada "
                                  "pengirimnya.") from e


def _pixels(page: Any, dpi: float) -> np.ndarray:
    """`page` rendered at `dpi` as RGB: straight from pdfium, one copy out of its buffer (the
    PIL detour held four copies of the page at once), and pdfium's bitmap freed at once."""
    bitmap = page.render(scale=dpi / 72.0, rev_byteorder=True)
    pixels = bitmap.to_numpy()
    rgb = (np.array(pixels[..., :3]) if pixels.ndim == 3
           else cv2.cvtColor(pixels, cv2.COLOR_GRAY2RGB))
    bitmap.close()
    return rgb


def hide_overlays(page: Any) -> int:
    """Leave out of the rendering the small images laid over a scan (returns how many).

    Offices stamp scans digitally: the stamp (or a signature) is its own image on top of the
    page image, hiding the handwritten number or the printed name below it.  OCR wants the
    text, so such overlays are removed from the in-memory page before rendering (the file is
    not touched; the searchable copy keeps them).  An overlay is an image of at most
    `OVERLAY_MAX` of the page lying mostly on a page-sized one; side-by-side tiles and images
    beside the scan stay.
    """
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    area = width * height
    images = [(obj, obj.get_bounds()) for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])]
    if len(images) < 2 or area <= 0:
        return 0
    base, (bl, bb, br, bt) = max(images, key=lambda item: _area(item[1]))
    if _area((bl, bb, br, bt)) < SCAN_COVER * area:
        return 0
    hidden = 0
    for obj, (left, bottom, right, top) in images:
        if obj is base or _area((left, bottom, right, top)) > OVERLAY_MAX * area:
            continue
        overlap = _area((max(left, bl), max(bottom, bb), min(right, br), min(top, bt)))
        if overlap >= 0.5 * _area((left, bottom, right, top)):
            page.remove_obj(obj)
            hidden += 1
    return hidden


def _area(bounds: tuple[float, float, float, float]) -> float:
    left, bottom, right, top = bounds
    return max(0.0, right - left) * max(0.0, top - bottom)


SCAN_COVER = 0.5  # share of the page a scan's image covers
OVERLAY_MAX = 0.15  # share of the page an overlaid stamp or signature covers at most


def native_dpi(page: Any) -> float | None:
    """The resolution of the largest image on `page`, if any."""
    import pypdfium2.raw as pdfium_c

    best: tuple[int, float] | None = None
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        meta = obj.get_metadata()
        area = int(meta.width) * int(meta.height)
        if best is None or area > best[0]:
            best = (area, float(max(meta.horizontal_dpi, meta.vertical_dpi)))
    return best[1] if best else None


def image_covers(path: Path, indices: Sequence[int]) -> list[float]:
    """Share of each page covered by its largest image (a scan: about 1.0; none: 0.0)."""
    import pypdfium2.raw as pdfium_c

    with _document(path) as pdf:
        return [_image_cover(pdf, index, pdfium_c.FPDF_PAGEOBJ_IMAGE) for index in indices]


def _image_cover(pdf: Any, index: int, image_type: int) -> float:
    """Share of page `index` its largest image covers; 0.0 for a page pdfium cannot load."""
    import pypdfium2 as pdfium

    try:
        page = pdf[index]
        width, height = page.get_size()
        best = 0.0
        for obj in page.get_objects(filter=[image_type]):
            left, bottom, right, top = obj.get_bounds()
            best = max(best, (right - left) * (top - bottom))
        page.close()
    except pdfium.PdfiumError as e:  # judged by its text layer alone; rendering it would fail too
        log.info("%s: page %d cannot be loaded (%s)", pdf, index + 1, e)
        return 0.0
    return min(1.0, best / (width * height)) if width * height > 0 else 0.0


def capped_dpi(dpi: float, width_pt: float, height_pt: float) -> float:
    """`dpi`, lowered so a page of that size stays within `MAX_PAGE_PIXELS`."""
    area = max(width_pt, 1.0) * max(height_pt, 1.0) / (72.0 * 72.0)  # square inches
    if area * dpi * dpi <= MAX_PAGE_PIXELS:
        return dpi
    return float((MAX_PAGE_PIXELS / area) ** 0.5)


def choose_dpi(native: float | None) -> float:
    """Render at the scan's resolution, but never so low that OCR suffers nor wastefully high."""
    if not native or native <= 0:
        return DEFAULT_DPI
    return float(min(MAX_DPI, max(MIN_DPI, native)))


def prepare_page(path: Path, index: int, engine: OcrEngine, dpi: float | None = None) -> PageImage:
    """Render page `index`, turn it upright and deskew it."""
    rgb, dpi = render_page(path, index, dpi)
    return straighten(rgb, dpi, index + 1, detect_orientation(rgb, dpi, engine))


def straighten(rgb: np.ndarray, dpi: float, number: int, turn: int = 0) -> PageImage:
    """Page `number`'s pixels turned clockwise by `turn` degrees and deskewed."""
    if turn:
        rgb = rotate_quarter(rgb, turn)
    rgb = whiten_background(rgb, dpi)
    angle = estimate_skew(to_gray(rgb), dpi)
    if abs(angle) >= 0.1:
        rgb = rotate_small(rgb, angle)
    return PageImage(number=number, rgb=rgb, dpi=dpi, rotated=turn, skew=angle)


PAPER_DPI = 40.0  # the sheet is found on a small copy
PAPER_SHARE = (0.2, 0.93)  # a photographed sheet covers this share of the picture (a scan: all of it)
PAPER_CONTRAST = 50  # grey levels between the sheet and what lies around it (desk, scanner lid)


def whiten_background(rgb: np.ndarray, dpi: float) -> np.ndarray:
    """`rgb` with what lies around the sheet made white, when the picture is a photo of a sheet
    on a darker ground (a phone camera on a desk): the sheet's edges would otherwise read as the
    frame of a table enclosing the real one, and the desk as text.  The sheet is the largest
    bright region (its convex hull, so the print inside belongs to it); nothing changes when it
    fills the picture (a scan) or the ground is not clearly darker.  Coordinates stay the same."""
    gray = to_gray(rgb)
    small = _shrink(gray, dpi, PAPER_DPI)
    bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1]
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bright)
    if count < 2:
        return rgb
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    points = cv2.findNonZero((labels == biggest).astype(np.uint8))
    hull = cv2.convexHull(points)
    sheet = np.zeros_like(small)
    cv2.fillConvexPoly(sheet, hull, 255)
    inside = sheet > 0
    share = float(inside.mean())
    if not PAPER_SHARE[0] <= share <= PAPER_SHARE[1]:
        return rgb
    if float(np.median(small[inside])) - float(np.median(small[~inside])) < PAPER_CONTRAST:
        return rgb
    scale = rgb.shape[1] / small.shape[1]
    corners = hull.reshape(-1, 2).astype(np.float64) * scale
    quad = _four_corners(hull)
    if quad is not None:
        # a sheet seen at an angle: its four corners are brought to the rectangle they span, so
        # ruling lines run straight again (the page keeps its size; words move by the tilt only)
        quad = quad * scale
        x0, y0 = quad.min(axis=0)
        x1, y1 = quad.max(axis=0)
        rect = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
        matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), rect.astype(np.float32))
        rgb = np.asarray(cv2.warpPerspective(rgb, matrix, (rgb.shape[1], rgb.shape[0]),
                                             flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE))
        small = _shrink(to_gray(rgb), dpi, PAPER_DPI)
        corners = rect
    # the sheet's outline drawn at full size, drawn in a little: the sheet's own edge (a shadow,
    # a torn margin) goes with the ground, so no edge is left to read as a ruling line
    centre = corners.mean(axis=0)
    margin = 0.01 * min(rgb.shape[:2])
    dist = np.linalg.norm(corners - centre, axis=1, keepdims=True)
    corners = centre + (corners - centre) * np.maximum(dist - margin, 0) / np.maximum(dist, 1e-6)
    mask = np.zeros(rgb.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, np.round(corners).astype(np.int32), 255)
    # the ground takes the colour of the sheet next to it (inpainted on the small copy), so
    # that no step in brightness is left where the sheet ends (its lighting is rarely even)
    small_rgb = cv2.resize(rgb, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_AREA)
    ground = cv2.resize(mask, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_NEAREST)
    ground = cv2.dilate(255 - ground, np.ones((3, 3), np.uint8), iterations=2)
    filled = cv2.inpaint(small_rgb, ground, 5, cv2.INPAINT_TELEA)
    filled = cv2.resize(cv2.blur(filled, (5, 5)), (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_LINEAR)
    out = rgb.copy()
    out[mask == 0] = filled[mask == 0]
    out = _even_light(out, dpi)
    log.info("photo of a sheet: %.0f %% of the picture, the ground around it whitened", 100 * share)
    return out


def _even_light(rgb: np.ndarray, dpi: float) -> np.ndarray:
    """A photo's uneven lighting evened out: each pixel divided by the paper's brightness around
    it (the brightest level nearby, print removed), so the paper is white all over as on a scan."""
    small = cv2.resize(rgb, None, fx=PAPER_DPI / dpi, fy=PAPER_DPI / dpi, interpolation=cv2.INTER_AREA) \
        if dpi > PAPER_DPI else rgb
    paper = cv2.dilate(small, np.ones((7, 7), np.uint8))  # print is narrower than 7 px at 40 DPI
    paper = cv2.blur(paper, (9, 9))
    paper = cv2.resize(paper, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_LINEAR)
    return np.asarray(cv2.divide(rgb, paper, scale=255))


def _four_corners(hull: np.ndarray) -> np.ndarray | None:
    """The sheet's corners (top-left, top-right, bottom-right, bottom-left) when its outline is
    a quadrilateral, else None (a sheet cut off by the picture's edge, a curled page)."""
    perimeter = cv2.arcLength(hull, True)
    approx = cv2.approxPolyDP(hull, 0.02 * perimeter, True).reshape(-1, 2).astype(np.float64)
    if len(approx) != 4:
        return None
    total, diff = approx.sum(axis=1), approx[:, 1] - approx[:, 0]
    ordered = np.array([approx[np.argmin(total)], approx[np.argmin(diff)],
                        approx[np.argmax(total)], approx[np.argmax(diff)]])
    return ordered if len({tuple(p) for p in ordered}) == 4 else None


def to_gray(rgb: np.ndarray) -> np.ndarray:
    """Grey copy of an RGB image."""
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))


def drop_stamp_ink(rgb: np.ndarray) -> np.ndarray:
    """Grey image with blue and purple ink (stamps, signatures) made light; black print stays.

    Stamp and pen ink has much more blue than green; black print, even where a stamp covers it,
    is dark in all three channels, so it survives.  (Hue from HSV is unreliable on dark pixels.)
    Each pixel depends on itself only, so the page is done in bands of rows: the channels and
    masks of a whole 300 DPI page (about ten copies of 9 MB) are never alive at once.
    """
    gray = to_gray(rgb)
    for top in range(0, rgb.shape[0], STAMP_BAND_ROWS):
        _lift_stamp_ink(rgb[top : top + STAMP_BAND_ROWS], gray[top : top + STAMP_BAND_ROWS])
    return gray


STAMP_BAND_ROWS = 256


def _lift_stamp_ink(rgb: np.ndarray, gray: np.ndarray) -> None:
    """`drop_stamp_ink` on one band of rows, written into `gray` (a view of the page's grey)."""
    r, g, b = cv2.split(rgb)
    blueness = cv2.subtract(b, g)  # saturating: 0 where green >= blue
    coloured = (blueness > STAMP_MARGIN) & (cv2.subtract(b, r) > 0)
    if not coloured.any():
        return
    # A bluish pixel is lightened by how blue it is: blue ink turns light, while black print
    # under the ink (dark in every channel, barely bluish) stays dark.  (cv2 arithmetic
    # saturates at 255, and is several times faster than numpy on whole pages.)
    lifted = cv2.add(cv2.max(cv2.max(r, g), b), cv2.convertScaleAbs(blueness, alpha=3.0))
    gray[coloured] = lifted[coloured]


def rotate_quarter(img: np.ndarray, clockwise: int) -> np.ndarray:
    """`img` turned clockwise by 90, 180 or 270 degrees."""
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    code = codes.get(clockwise % 360)
    return img if code is None else np.ascontiguousarray(cv2.rotate(img, code))


def rotate_small(img: np.ndarray, angle: float) -> np.ndarray:
    """`img` turned counter-clockwise by `angle` degrees about its centre, white behind."""
    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    white = (255, 255, 255) if img.ndim == 3 else 255
    return np.asarray(
        cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=white)
    )


def detect_orientation(rgb: np.ndarray, dpi: float, engine: OcrEngine) -> int:
    """Clockwise turn (0/90/180/270) that makes the page upright: OSD, else confidence voting."""
    small = _shrink(to_gray(rgb), dpi, ANALYSIS_DPI)
    if _ink_share(small) < 0.002:
        return 0
    turn = engine.orientation(Image.fromarray(small))
    if turn is None:
        turn = vote_orientation(_centre(to_gray(rgb)), engine)
    elif turn % 360:
        # OSD misjudges pages of small print; a turn is only made when OCR, at full
        # resolution on the middle of the page, agrees.
        turn = vote_orientation(_centre(to_gray(rgb)), engine, (0, turn))
    return turn % 360


def _centre(gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    return gray[h // 4 : h - h // 4, w // 4 : w - w // 4]


def vote_orientation(gray: np.ndarray, engine: OcrEngine, turns: tuple[int, ...] = (0, 180, 90, 270)) -> int:
    """The turn under which OCR is most confident (sum of confident words' lengths)."""
    best, best_score = 0, -1.0
    for turn in turns:
        words = engine.read(Image.fromarray(rotate_quarter(gray, turn)), psm=6)
        score = sum(len(w.text) for w in words if w.conf >= 60 and sum(c.isalpha() for c in w.text) >= 3)
        if score > best_score:
            best, best_score = turn, score
    return best


def estimate_skew(gray: np.ndarray, dpi: float) -> float:
    """Counter-clockwise correction in degrees that makes text rows and ruling lines level.

    The row profile of a level page has the sharpest steps (rows of ink between white gaps);
    searched coarse then fine on a small copy, which is fast and works for lines and text alike.
    """
    small = _shrink(gray, dpi, SKEW_DPI)
    ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    if (ink > 0).mean() < 0.002:
        return 0.0
    coarse = _best_angle(ink, np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5))
    fine = _best_angle(ink, np.arange(coarse - 0.4, coarse + 0.41, 0.1))
    return round(fine, 2) if abs(fine) < MAX_SKEW else 0.0


def looks_sideways(gray: np.ndarray, dpi: float) -> bool:
    """True when the page's lines of print run top to bottom (a table turned on its page).

    Lines of text make the ink's row profile jump (line, gap, line) while its column profile
    stays smooth; on a page stored sideways it is the other way round.  On the scans of the
    shared sets upright pages give a column/row ratio of 0.06-2.4 and sideways ones 14-78.
    Such a page is turned before it is read: reading it sideways first (Tesseract hunting for
    vertical text in every cell) cost more than the upright reading and the orientation check
    together.
    """
    small = _shrink(gray, dpi, SKEW_DPI)
    ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    if (ink > 0).mean() < 0.002:
        return False
    rows, cols = ink.sum(axis=1, dtype=np.float64), ink.sum(axis=0, dtype=np.float64)
    row_jumps = float(np.square(np.diff(rows)).sum()) / max(1, rows.size)
    col_jumps = float(np.square(np.diff(cols)).sum()) / max(1, cols.size)
    return col_jumps > SIDEWAYS * max(row_jumps, 1e-9)


SIDEWAYS = 4.0  # column/row profile ratio above which a page is taken to be stored sideways


def _best_angle(ink: np.ndarray, angles: np.ndarray) -> float:
    best, best_score = 0.0, -1.0
    for angle in angles:
        rows = rotate_small(ink, float(angle)).sum(axis=1, dtype=np.float64)
        score = float(np.square(np.diff(rows)).sum())
        if score > best_score:
            best, best_score = float(angle), score
    return best


def _shrink(gray: np.ndarray, dpi: float, target: float) -> np.ndarray:
    if dpi <= target:
        return gray
    f = target / dpi
    return np.asarray(cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA))


def _ink_share(gray: np.ndarray) -> float:
    return float((gray < 128).mean())


@contextmanager
def _document(path: Path) -> Iterator[Any]:
    """`path` opened by pdfium, holding the process's pdfium lock until it is closed."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:  # pdfium is not thread-safe: one lock per process (archive/rendering.py)
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as e:
            raise DamagedPdfError(f"{path.name}: gambar halaman tidak dapat dibuat ({e}).") from e
        try:
            yield pdf
        finally:
            pdf.close()
