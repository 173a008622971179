"""The searchable copy of a scan: the original pages, untouched, with an invisible text layer.

Like OCRmyPDF's graft step: every OCR'd page of the original gets the words OCR found drawn in
text render mode 3 (invisible) over its own images, so viewers can search and select while the
page looks exactly as scanned.  Pages whose own text layer was kept are copied as they are;
a page read again because its invisible layer was wrong loses that layer (`drop_invisible_text`).

OCR word boxes are in points of the upright, straightened page image (`PageContent.turned`,
`PageContent.skew`); they are mapped back through those corrections and the page's /Rotate to
the page's own user space.  Each word is drawn along its mapped baseline and stretched to its
box width, so text selection lands on the printed word.

The words are written as one content stream appended to the page (its own contents wrapped in
q .. Q first, so a graphics state they leave changed cannot move the words), with Helvetica added
to the page's fonts: the page's own content is never parsed (merging a separately drawn overlay
page parsed both streams and cost more than drawing the words).
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ingest.layout import PageContent, Word

log = logging.getLogger(__name__)

FONT = "Helvetica"
Point = tuple[float, float]


def searchable_pdf(original: Path, pages: Sequence[PageContent]) -> bytes:
    """PDF bytes: `original` with an invisible text layer from the words of its OCR'd `pages`."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(original))
    for page in pages:
        if not (page.ocr and page.words) or not 0 < page.number <= len(writer.pages):
            continue
        target = writer.pages[page.number - 1]
        drop_invisible_text(target, writer)  # a wrong OCR layer the page came with: ours replaces it
        add_text_layer(target, writer, text_layer(page, PageFrame.of(target)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


FONT_KEY = "/ArsipOCR"  # the text layer's font in a page's /Resources /Font


def add_text_layer(target: Any, writer: Any, content: bytes) -> None:
    """Append `content` (drawn with `FONT_KEY`) to the page `target` after its own contents."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    def stream(data: bytes) -> Any:
        obj = DecodedStreamObject()
        obj.set_data(data)
        return writer._add_object(obj)

    own = target.get("/Contents")
    own = own.get_object() if own is not None else None
    parts = list(own) if isinstance(own, ArrayObject) else ([target.raw_get("/Contents")] if own is not None else [])
    layer = DecodedStreamObject()
    layer.set_data(content)
    target[NameObject("/Contents")] = ArrayObject([stream(b"q\n"), *parts, stream(b"\nQ\n"),
                                                   writer._add_object(layer.flate_encode())])
    resources = target.get("/Resources")
    resources = resources.get_object() if resources is not None else DictionaryObject()
    target[NameObject("/Resources")] = resources
    fonts = resources.get("/Font")
    fonts = fonts.get_object() if fonts is not None else DictionaryObject()
    resources[NameObject("/Font")] = fonts
    fonts[NameObject(FONT_KEY)] = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/" + FONT), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    }))


SHOW_TEXT = (b"Tj", b"TJ", b"'", b'"')


def drop_invisible_text(page: Any, writer: Any) -> bool:
    """Remove the page's text objects drawn only in render mode 3 (invisible); True if any were.

    Scanners and earlier OCR runs leave such layers; when OCR read the page again (its layer
    was wrong), keeping the old words under the new would make a viewer find both.  Visible
    text and everything else stay as they are, and a page without text objects is not rewritten.
    """
    from pypdf.generic import ContentStream

    contents = page.get_contents()
    if contents is None or b"BT" not in contents.get_data():
        return False
    stream = ContentStream(contents, writer)
    kept: list[Any] = []
    block: list[Any] | None = None
    modes, mode, visible, dropped = [], 0, False, False
    for operands, op in stream.operations:
        if op == b"q":
            modes.append(mode)
        elif op == b"Q":
            mode = modes.pop() if modes else 0
        elif op == b"Tr" and operands:
            mode = int(operands[0])
        if op == b"BT":
            block, visible = [], False
        if block is None:
            kept.append((operands, op))
            continue
        block.append((operands, op))
        visible = visible or (op in SHOW_TEXT and mode != 3)
        if op == b"ET":
            kept.extend(block if visible else [])
            dropped = dropped or not visible
            block = None
    if not dropped:
        return False
    stream.operations = kept + (block or [])
    page.replace_contents(stream)
    return True


class PageFrame:
    """Where a PDF page's displayed picture sits in its user space: crop box and /Rotate."""

    def __init__(self, left: float, bottom: float, width: float, height: float, rotate: int) -> None:
        self.left, self.bottom, self.width, self.height = left, bottom, width, height
        self.rotate = rotate % 360

    @classmethod
    def of(cls, page: Any) -> PageFrame:
        """The frame of a pypdf page."""
        box = page.cropbox
        return cls(float(box.left), float(box.bottom), float(box.width), float(box.height),
                   int(page.get("/Rotate", 0) or 0))

    @property
    def shown(self) -> tuple[float, float]:
        """Width and height of the page as displayed (after /Rotate)."""
        return (self.height, self.width) if self.rotate in (90, 270) else (self.width, self.height)

    def to_user(self, page: PageContent, point: Point) -> Point:
        """A point of the OCR'd page (points, top-left origin) in PDF user space."""
        x, y = undo_skew(point, page.skew, page.width, page.height)
        shown_w, shown_h = self.shown
        x, y = undo_turn((x, y), page.turned, shown_w, shown_h)
        x, y = undo_turn((x, y), self.rotate, self.width, self.height)
        return self.left + x, self.bottom + self.height - y


def undo_skew(point: Point, angle: float, width: float, height: float) -> Point:
    """Where `point` was before the image was turned `angle` degrees (ccw) about its centre."""
    if not angle:
        return point
    a, b = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    dx, dy = point[0] - width / 2, point[1] - height / 2
    return a * dx - b * dy + width / 2, b * dx + a * dy + height / 2


def undo_turn(point: Point, turn: int, width: float, height: float) -> Point:
    """Where `point` was before a `turn` (clockwise) of an image `width` x `height` (before it)."""
    x, y = point
    turn %= 360
    if turn == 90:
        return y, height - x
    if turn == 180:
        return width - x, height - y
    if turn == 270:
        return width - y, x
    return x, y


def text_layer(page: PageContent, frame: PageFrame) -> bytes:
    """The content stream of `page`'s words as invisible text, in the user space of `frame`."""
    ops = [f"BT\n3 Tr\n{FONT_KEY} 1 Tf".encode()]
    for word in page.words:
        ops.extend(_word_ops(word, page, frame))
    ops.append(b"ET\n")
    return b"\n".join(ops)


def _word_ops(word: Word, page: PageContent, frame: PageFrame) -> list[bytes]:
    """One word along its baseline, stretched to the width of its box (font size 1, scaled by Tm)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = word.text.encode("cp1252", "replace").decode("cp1252").strip()
    size = word.box.height
    if not text or size <= 0:
        return []
    x0, y0 = frame.to_user(page, (word.box.x0, word.box.bottom))
    x1, y1 = frame.to_user(page, (word.box.x1, word.box.bottom))
    length = math.hypot(x1 - x0, y1 - y0)
    natural = stringWidth(text, FONT, size)
    if length <= 0 or natural <= 0:
        return []
    cos, sin = (x1 - x0) / length, (y1 - y0) / length
    scale = 100.0 * length / natural
    raw = text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return [f"{scale:.2f} Tz {cos * size:.4f} {sin * size:.4f} {-sin * size:.4f} {cos * size:.4f} "
            f"{x0:.2f} {y0:.2f} Tm".encode(), b"(" + raw + b") Tj"]
