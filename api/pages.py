"""A version's pages as pictures: page images, thumbnails, and the crop a field was read from.

The file shown is the one the version's reading came from (its word boxes are in that file's
page coordinates); its word boxes come from the page cache (`archive/pagecache.py`), written at
ingest, or are rebuilt once from the stored files: a scan's from its searchable copy (the OCR
words placed on the original pages), a born-digital file's from its text layer.  Images are
rendered by `ingest/raster.py` (pdfium, behind its lock), turned and straightened as OCR saw the
page so the boxes fit, and kept as PNG in the page cache.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

from archive.errors import NotFoundError
from archive.models import StoredFileRow, Version
from archive.pagecache import WORDS, PageCache
from archive.store import FileStore
from ingest.layout import Box
from ingest.wordboxes import PageWords, Region, crop_box, decode, encode, from_document, locate

log = logging.getLogger(__name__)

VIEW_DPI = 120.0  # the page view and crops (a 10 pt line is 17 px high)
CROP_DPI = 150.0
THUMB_WIDTH = 150  # px


@dataclass(frozen=True)
class VersionPages:
    """The file a version's pages are shown from and that file's word boxes."""

    sha256: str
    pages: list[PageWords]

    def page(self, number: int) -> PageWords:
        """One page (NotFoundError in the user's words when there is no such page)."""
        for p in self.pages:
            if p.number == number:
                return p
        raise NotFoundError(f"Berkas ini tidak punya halaman {number}; halamannya 1 sampai "
                            f"{len(self.pages)}.")


def source_file(version: Version) -> StoredFileRow | None:
    """The file the version's reading came from: its first original or scan."""
    files = sorted((f for f in version.files if f.role in ("original", "scan")),
                   key=lambda f: f.id)
    return files[0] if files else None


def version_pages(version: Version, store: FileStore, cache: PageCache,
                  rebuild: bool = True) -> VersionPages | None:
    """The word boxes of the version's file (None when it has no file, or when they were never
    kept and `rebuild` is False)."""
    source = source_file(version)
    if source is None:
        return None
    blob = cache.read(source.sha256, WORDS)
    if blob is None:
        if not rebuild:
            return None
        blob = encode(_rebuilt(version, source, store))
        cache.write(source.sha256, WORDS, blob)
    return VersionPages(source.sha256, decode(blob))


def _rebuilt(version: Version, source: StoredFileRow, store: FileStore) -> list[PageWords]:
    """Word boxes of a file read before they were kept: a scan's searchable copy carries its
    OCR words on the original pages; a born-digital file has its text layer."""
    from ingest.textlayer import read_text_layer

    searchable = [f for f in version.files if f.role == "searchable"]
    path = store.path(searchable[0].sha256 if source.scanned and searchable else source.sha256)
    log.info("version %d: word boxes rebuilt from %s", version.id, path.name[:12])
    return from_document(read_text_layer(path))


def field_region(pages: VersionPages, path: str, machine: dict[str, Any]) -> Region | None:
    """Where the machine read field `path` (its value in the machine's reading)."""
    from archive import fields

    value = fields.get_value(machine, path)
    root, index, _ = fields.split(path)
    rows = machine.get(root) if index is not None else None
    row = rows[index] if isinstance(rows, list) and index is not None and index < len(rows) \
        else None
    hint = row.get("page") if isinstance(row, dict) else None
    return locate(pages.pages, path, value, hint)


def page_png(pages: VersionPages, number: int, store: FileStore, cache: PageCache,
             thumbnail: bool = False) -> bytes:
    """Page `number` as PNG (rendered once, then from the cache); `thumbnail`: a small one."""
    page = pages.page(number)
    name = f"h{number}-kecil.png" if thumbnail else f"h{number}.png"
    cached = cache.read(pages.sha256, name)
    if cached is not None:
        return cached
    from PIL import Image

    if thumbnail:  # from the page image, which is kept too (the page view wants it next)
        image = Image.open(io.BytesIO(page_png(pages, number, store, cache)))
        image.thumbnail((THUMB_WIDTH, THUMB_WIDTH * 2))
    else:
        image = _render(pages.sha256, page, store, VIEW_DPI)
    data = _png(image)
    cache.write(pages.sha256, name, data)
    return data


def crop_png(pages: VersionPages, region: Region, store: FileStore, cache: PageCache) -> bytes:
    """The part of the page a field was read from, as PNG (cached by its box)."""
    page = pages.page(region.page)
    box = crop_box(region, page)
    name = (f"potongan-h{page.number}-{box.x0:.0f}-{box.top:.0f}-{box.x1:.0f}-"
            f"{box.bottom:.0f}.png")
    cached = cache.read(pages.sha256, name)
    if cached is not None:
        return cached
    image = _render(pages.sha256, page, store, CROP_DPI)
    sx, sy = image.width / page.width, image.height / page.height
    data = _png(image.crop(_pixels(box, sx, sy)))
    cache.write(pages.sha256, name, data)
    return data


def _pixels(box: Box, sx: float, sy: float) -> tuple[int, int, int, int]:
    return (int(box.x0 * sx), int(box.top * sy), max(int(box.x0 * sx) + 1, int(box.x1 * sx)),
            max(int(box.top * sy) + 1, int(box.bottom * sy)))


def _render(sha256: str, page: PageWords, store: FileStore, dpi: float) -> Any:
    """Render a page as OCR saw it: turned upright and straightened by the reading's own
    corrections, so its word boxes (points) scale straight onto the pixels."""
    from PIL import Image

    from ingest.raster import render_page, rotate_quarter, rotate_small

    rgb, _ = render_page(store.path(sha256), page.number - 1, dpi)
    if page.turned:
        rgb = rotate_quarter(rgb, page.turned)
    if abs(page.skew) >= 0.1:
        rgb = rotate_small(rgb, page.skew)
    return Image.fromarray(rgb)


def _png(image: Any) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG")
    return out.getvalue()
