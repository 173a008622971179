"""Extraction pipeline: a path in, an `Extraction` out (pure: no database, no index, no settings).

Reads like its table of contents: triage, text layer, OCR where needed, classify, parse.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.classify import classify
from ingest.layout import DocumentContent, PageContent
from ingest.model import Extraction
from ingest.ocr import OcrOptions, OcrWord
from ingest.parsers import get_parser
from ingest.textlayer import needs_ocr, read_text_layer
from ingest.triage import Limits, PdfInfo, triage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractOptions:
    """What the caller decides: file limits and how scans are read (None: no OCR)."""

    limits: Limits = Limits()
    ocr: OcrOptions | None = OcrOptions()
    # where to write the searchable copy of a scan (original pages + invisible OCR text);
    # None: none.  Nothing is written when no page needed OCR.
    searchable_copy: Path | None = None


def extract_file(path: Path, options: ExtractOptions | None = None) -> Extraction:
    """Read `path` and return its extraction; raises `RejectedFileError` for unusable files."""
    options = options or ExtractOptions()
    info = triage(path, options.limits)
    doc = read_text_layer(path, expected_pages=info.pages)
    doc = ocr_image_pages(path, doc, options.ocr)
    if options.searchable_copy is not None:
        doc = write_searchable_copy(path, doc, options.searchable_copy)
    return with_confidence(parse_document(doc, info), doc)


def with_confidence(extraction: Extraction, doc: DocumentContent) -> Extraction:
    """`extraction` with the OCR confidence of its fields (none when no page was OCR'd)."""
    if not any(p.ocr for p in doc.pages):
        return extraction
    from ingest.confidence import field_confidence

    return extraction.replace(confidence=field_confidence(extraction, doc))


def write_searchable_copy(path: Path, doc: DocumentContent, target: Path) -> DocumentContent:
    """Write the searchable copy of `path` to `target` when OCR read some page; a failure warns."""
    if not any(p.ocr and p.words for p in doc.pages):
        return doc
    from pypdf.errors import PyPdfError

    from ingest.searchable import searchable_pdf

    try:
        target.write_bytes(searchable_pdf(path, doc.pages))
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            RecursionError) as e:  # pypdf on a damaged object: the copy only is lost
        log.warning("%s: salinan pindaian yang dapat dicari tidak dibuat: %s", path.name, e)
        return replace(doc, warnings=(*doc.warnings,
                                      f"salinan pindaian yang dapat dicari tidak dibuat ({e})"))
    return doc


def ocr_image_pages(path: Path, doc: DocumentContent, options: OcrOptions | None) -> DocumentContent:
    """Replace the pages without a usable text layer by their OCR reading."""
    todo = [i for i, page in enumerate(doc.pages) if needs_ocr(page)]
    if options is not None:
        todo = sorted({*todo, *wrong_text_layers(path, doc, options)})
    if not todo:
        return doc
    if options is None:
        note = f"{len(todo)} halaman berupa gambar dan tidak dibaca karena OCR dimatikan"
        return replace(doc, warnings=(*doc.warnings, note))
    from ingest.scan import read_pages

    pages = list(doc.pages)
    for i, page in zip(todo, read_pages(path, todo, options), strict=True):
        pages[i] = page
    warnings = tuple(w for p in pages for w in p.warnings)
    scanned = 2 * sum(p.ocr for p in pages) > len(pages)
    return DocumentContent(pages=tuple(pages), scanned=scanned, warnings=(*doc.warnings, *warnings))


def wrong_text_layers(path: Path, doc: DocumentContent, options: OcrOptions) -> list[int]:
    """Pages whose text layer lies over a scan and says something else than the scan shows.

    A text layer over a page-sized image is someone's OCR, and may be bad OCR ('Pelemakan' for
    'Peternakan').  Up to `LAYER_SAMPLES` such pages are checked against a quick OCR of a band
    of the page; one layer that disagrees condemns them all (one tool made them all).
    """
    from ingest.raster import image_covers

    texts = [i for i, page in enumerate(doc.pages) if not needs_ocr(page) and not page.ocr]
    if not texts:
        return []
    scans = [i for i, cover in zip(texts, image_covers(path, texts), strict=True) if cover >= SCAN_COVER]
    from ingest.scan import sample_words

    for i in scans[:LAYER_SAMPLES]:
        if not layer_agrees(doc.pages[i], sample_words(path, i, options)):
            log.info("%s page %d: the text layer disagrees with OCR; reading by OCR", path.name, i + 1)
            return scans
    return []


def layer_agrees(page: PageContent, ocr_words: Sequence[OcrWord]) -> bool:
    """True when most words OCR reads confidently are also in the page's text layer.

    Too few confident words to judge (a photo, a blank band) counts as agreeing.
    """
    from ingest.confidence import norm

    seen = {norm(w.text) for w in ocr_words
            if w.conf >= 70 and sum(ch.isalpha() for ch in w.text) >= 4}
    if len(seen) < LAYER_MIN_WORDS:
        return True
    layer = {norm(t) for w in page.words for t in w.text.split()}
    return len(seen & layer) >= LAYER_AGREEMENT * len(seen)


SCAN_COVER = 0.6  # a page at least this much covered by one image is a scan
LAYER_SAMPLES = 3
LAYER_MIN_WORDS = 6
LAYER_AGREEMENT = 0.7


def parse_document(doc: DocumentContent, info: PdfInfo) -> Extraction:
    """Classify `doc` and run its type's parser; keep page texts and pipeline warnings."""
    doc_type = classify(doc)
    parser = get_parser(doc_type)
    result = parser(doc) if parser else Extraction(doc_type=doc_type)
    warnings = tuple(doc.warnings) + tuple(result.warnings)
    return result.replace(
        doc_type=doc_type,
        scanned=doc.scanned,
        pages=info.pages,
        warnings=warnings,
        page_texts=tuple(p.text for p in doc.pages),
    )
