"""Read the PDF text layer into the neutral page model (`ingest.layout`): the one seam every
reader's words, lines, ruled tables and drawn shapes come through, whatever read the page.

Pages are read by pdfium (`ingest.pdfium_layer`, about ten times faster than pdfminer) into the
objects pdfplumber reports, and words, text and tables are built from them with pdfplumber's own
code, so a reader gets the same words either way.  Pages pdfium cannot read exactly as pdfminer
would (characters without Unicode, text objects it merges or replaces) are read by pdfplumber as
before.  A page printed sideways is read turned, by either reader.  The ruled-table finder runs only on pages whose
rules could make a table.  Pages without usable text are flagged so the pipeline can send them
to OCR.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from archive.errors import DamagedPdfError
from ingest.charwords import level_chars
from ingest.layout import Box, Cell, DocumentContent, PageContent, Shape, Table, Word
from ingest.overprint import without_overprint

log = logging.getLogger(__name__)

# A page with fewer characters than this in its text layer, and an image on it, is a scan.
MIN_TEXT_CHARS = 40
_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def read_text_layer(path: Path, expected_pages: int | None = None) -> DocumentContent:
    """Every page's words, text, ruled tables and drawn shapes, from the text layer.

    `expected_pages` is the page count triage found (pypdf).  pdfminer walks the page tree more
    strictly and can find fewer pages (seen on real scans); the missing ones are returned empty,
    so that the pipeline reads them by OCR instead of losing them.
    """
    from ingest.pdfium_layer import read_pages_as

    fast = read_pages_as(path, _read_raw)
    if fast is None or not fast or (expected_pages is not None and len(fast) != expected_pages):
        pages = _read_pdfplumber(path, None)
    else:
        slow = [i for i, raw in enumerate(fast) if raw is None]
        by_plumber = dict(zip(slow, _read_pdfplumber(path, slow), strict=False)) if slow else {}
        pages = [read if read is not None else by_plumber.get(i, _empty_page(i + 1))
                 for i, read in enumerate(fast)]
    warnings: tuple[str, ...] = ()
    if expected_pages is not None and len(pages) < expected_pages:
        log.info("%s: the text layer shows %d of %d pages", path.name, len(pages), expected_pages)
        warnings = (f"lapisan teks hanya memuat {len(pages)} dari {expected_pages} halaman: "
                    "halaman selebihnya diperlakukan sebagai gambar",)
        pages += [_empty_page(n) for n in range(len(pages) + 1, expected_pages + 1)]
    scanned = bool(pages) and all(needs_ocr(p) for p in pages)
    return DocumentContent(pages=tuple(pages), scanned=scanned, warnings=warnings)


def _read_pdfplumber(path: Path, indices: list[int] | None) -> list[PageContent]:
    """Pages `indices` (all when None) read by pdfplumber; sideways pages turned and read again.

    With `indices`, pages pdfminer does not find are left out of the list.
    """
    import pdfplumber

    try:
        with pdfplumber.open(path, pages=None if indices is None else [i + 1 for i in indices]) as pdf:
            pages, sideways = [], {}
            for p in pdf.pages:
                level_chars(p.chars)
                pages.append(_read_page(p))
                if turn := sideways_turn(p):
                    sideways[p.page_number - 1] = turn
                p.close()  # its cached characters and objects: a long report held them all
        if sideways:
            turned = _turned_or_none(path, sideways)
            pages = [turned.get(p.number - 1, p) for p in pages]
    except DamagedPdfError:
        raise
    except Exception as e:  # pdfminer raises many unrelated types on a broken file
        raise DamagedPdfError(f"{path.name}: Lapisan teks PDF tidak dapat dibaca ({e}); mintalah "
                              "berkas yang utuh kepada pengirimnya.") from e
    return pages


def sideways_turn(page: Any) -> int:
    """Degrees (90 or 270) to turn a page clockwise whose text is printed sideways, else 0.

    A landscape table is often printed across a portrait page: its characters are not upright
    (pdfplumber reads them as reversed vertical words).  The direction of most characters says
    which way the reader turns the paper.
    """
    chars = page.chars
    if len(chars) < MIN_TEXT_CHARS:
        return 0
    up = sum(1 for c in chars if not c.get("upright", True) and (c.get("matrix") or (0, 0))[1] > 0)
    down = sum(1 for c in chars if not c.get("upright", True) and (c.get("matrix") or (0, 0))[1] < 0)
    if max(up, down) < 0.6 * len(chars):
        return 0
    return 90 if up >= down else 270


def _turned_or_none(path: Path, sideways: dict[int, int]) -> dict[int, PageContent]:
    """The sideways pages turned, by page index; none when turning them fails (a damaged file)."""
    try:
        return _read_turned(path, sideways)
    except Exception as e:  # pypdf and pdfminer raise many types on a broken file
        log.info("%s: sideways pages not turned (%s)", path.name, e)
        return {}


def _read_turned(path: Path, sideways: dict[int, int]) -> dict[int, PageContent]:
    """The sideways pages read again after turning them (pypdf sets /Rotate; pdfplumber honours it)."""
    import io

    import pdfplumber
    from pypdf import PdfReader, PdfWriter

    reader, writer = PdfReader(path), PdfWriter()
    order = sorted(sideways)
    for i in order:
        writer.add_page(reader.pages[i]).rotate(sideways[i])
    buf = io.BytesIO()
    writer.write(buf)
    buf.seek(0)
    out = {}
    with pdfplumber.open(buf) as pdf:
        for k, i in enumerate(order):
            level_chars(pdf.pages[k].chars)
            page = _read_page(pdf.pages[k])
            out[i] = replace(page, number=i + 1, warnings=(*page.warnings, TURNED_NOTE))
    return out


TURNED_NOTE = "halaman dicetak miring: dibaca setelah diputar"


def _read_raw(raw: Any) -> PageContent:
    """A page pdfium read (`ingest.pdfium_layer.RawPage`), noted when it was turned."""
    page = replace(_read_page(raw), image_cover=raw.image_cover)
    return replace(page, warnings=(*page.warnings, TURNED_NOTE)) if raw.turn else page


def _empty_page(number: int) -> PageContent:
    """A stand-in for a page the text layer cannot show (size unknown: OCR measures it)."""
    return PageContent(number=number, width=0.0, height=0.0, text="")


def needs_ocr(page: PageContent) -> bool:
    """True when the page carries (almost) no text of its own."""
    return len("".join(page.text.split())) < MIN_TEXT_CHARS


def _read_page(page: Any) -> PageContent:
    page = without_overprint(page)  # bold made by printing the text twice
    words = tuple(
        Word(w["text"], Box(w["x0"], w["top"], w["x1"], w["bottom"]))
        for w in page.extract_words(keep_blank_chars=False, use_text_flow=False)
    )
    text = page.extract_text() or ""
    has_text = len("".join(text.split())) >= MIN_TEXT_CHARS
    tables = _tables(page) if has_text else ()
    width, height = float(page.width), float(page.height)
    if (page.rotation or 0) % 180 == 90 and words and max(w.box.x1 for w in words) > width + 1:
        width, height = height, width  # words given in the turned frame, size in the stored one
    return PageContent(
        number=page.page_number,
        width=width,
        height=height,
        text=text,
        words=words,
        tables=tables,
        shapes=_shapes(page),
    )


def _tables(page: Any) -> tuple[Table, ...]:
    out = []
    for t in page.find_tables(_TABLE_SETTINGS):
        texts = _cell_texts(t, page.chars)
        rows = []
        for row, row_texts in zip(t.rows, texts, strict=False):
            cells = []
            for bbox, txt in zip(row.cells, row_texts, strict=False):
                cells.append(None if bbox is None else Cell(txt or "", Box(*bbox)))
            rows.append(tuple(cells))
        out.append(Table(page=page.page_number, box=Box(*t.bbox), rows=tuple(rows)))
    return tuple(out)


def _cell_texts(table: Any, chars: list[dict[str, Any]]) -> list[list[str | None]]:
    """pdfplumber's `Table.extract()`: a cell holds the chars whose middle lies in it (its left
    and top edges in, right and bottom out), read as `ingest.charwords.extract_text`."""
    from ingest.charwords import extract_text

    def inside(mids: list[tuple[float, float, dict[str, Any]]], box: tuple[float, float, float, float],
               ) -> list[tuple[float, float, dict[str, Any]]]:
        x0, top, x1, bottom = box
        return [m for m in mids if x0 <= m[0] < x1 and top <= m[1] < bottom]

    mids = inside([((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2, c) for c in chars], table.bbox)
    out: list[list[str | None]] = []
    for row in table.rows:
        row_mids = inside(mids, row.bbox)
        texts: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                texts.append(None)
                continue
            cell_chars = [m[2] for m in inside(row_mids, cell)]
            texts.append(extract_text(cell_chars) if cell_chars else "")
        out.append(texts)
    return out


def _shapes(page: Any) -> tuple[Shape, ...]:
    shapes: list[Shape] = []
    for r in page.rects:
        shapes.append(Shape("rect", _box(r), 4, bool(r.get("fill"))))
    for c in page.curves:
        shapes.append(Shape("curve", _box(c), len(c.get("pts") or ()), bool(c.get("fill"))))
    for ln in page.lines:
        shapes.append(Shape("line", _box(ln), 2))
    return tuple(shapes)


def _box(obj: dict[str, Any]) -> Box:
    return Box(float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"]))
