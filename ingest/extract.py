"""Extraction pipeline: a path in, an `Extraction` out (pure: no database, no index, no settings).

Reads like its table of contents: triage, text layer, OCR where needed, classify, parse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.classify import classify
from ingest.layertrust import layer_agrees, untrusted_layers
from ingest.layout import DocumentContent
from ingest.model import Extraction
from ingest.ocr import OcrOptions
from ingest.parsers import get_parser
from ingest.second_look import confirm_nomor
from ingest.stagetimes import at, stage
from ingest.textlayer import needs_ocr, read_text_layer
from ingest.triage import Limits, PdfInfo, triage

log = logging.getLogger(__name__)
__all__ = ["ExtractOptions", "extract_file", "layer_agrees", "ocr_image_pages", "parse_document"]


@dataclass(frozen=True)
class ExtractOptions:
    """What the caller decides: file limits and how scans are read (None: no OCR)."""

    limits: Limits = Limits()
    ocr: OcrOptions | None = OcrOptions()
    # where to write the searchable copy of a scan (original pages + invisible OCR text);
    # None: none.  Nothing is written when no page needed OCR.
    searchable_copy: Path | None = None
    # where to write the word boxes of every page (`ingest.wordboxes`); None: not kept
    word_boxes: Path | None = None
    # told (pages read so far, pages of the file) after the text layer and after each OCR'd
    # page, in order: what `arsip jobs` and the upload page show ("halaman 37/142")
    progress: Progress | None = None


Progress = Callable[[int, int], None]


def extract_file(path: Path, options: ExtractOptions | None = None) -> Extraction:
    """Read `path` and return its extraction; raises `RejectedFileError` for unusable files."""
    options = options or ExtractOptions()
    at(path.name)
    with stage("triage"):
        info = triage(path, options.limits)
    with stage("text_layer"):
        doc = read_text_layer(path, expected_pages=info.pages)
    with stage("ocr_pages"):
        doc = ocr_image_pages(path, doc, options.ocr, options.progress)
    at(path.name)  # the pages read in this process named themselves
    if options.searchable_copy is not None:
        with stage("searchable"):
            doc = write_searchable_copy(path, doc, options.searchable_copy)
    if options.word_boxes is not None:
        write_word_boxes(doc, options.word_boxes)
    with stage("parse"):
        parsed = parse_document(doc, info)
    with stage("second_look"):
        extraction = confirm_nomor(path, doc, parsed, options.ocr)
    return with_confidence(extraction, doc)


def with_confidence(extraction: Extraction, doc: DocumentContent) -> Extraction:
    """`extraction` with the OCR confidence of its fields (none when no page was OCR'd), capped
    where the parser's self-checks doubt a field.

    The caps are the one mechanism: a parser puts them in `Extraction.confidence` (a field path
    and the most confidence it may keep), beside the warning that tells a person why; the
    warnings' text is never read back here."""
    if not any(p.ocr for p in doc.pages):
        return extraction.replace(confidence={}) if extraction.confidence else extraction
    from ingest.confidence import field_confidence

    conf = field_confidence(extraction, doc)
    for path, cap in extraction.confidence.items():
        conf[path] = round(min(cap, conf.get(path, cap)), 3)
    return extraction.replace(confidence=conf)


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


def write_word_boxes(doc: DocumentContent, target: Path) -> None:
    """Write every page's words with their boxes (a field's page crop is found from them)."""
    from ingest.wordboxes import encode, from_document

    target.write_bytes(encode(from_document(doc)))


def ocr_image_pages(path: Path, doc: DocumentContent, options: OcrOptions | None,
                    progress: Progress | None = None) -> DocumentContent:
    """Replace the pages without a usable text layer by their OCR reading.

    A page is read by OCR when it carries no text, or when its text is someone's OCR that fails
    the checks of `ingest.layertrust` (drawn text is never OCR'd).  The picture pages of a file
    whose pages mostly carry their own text are read the way up they are stored
    (`OcrOptions.as_stored`).  Pages stream through OCR
    (`scan.iter_pages`: a bounded number of page images at once); `progress` is told after the
    text layer and after each OCR'd page.
    """
    images = [i for i, page in enumerate(doc.pages) if needs_ocr(page)]
    with stage("layer_trust"):
        untrusted = untrusted_layers(path, doc, options)
    if options is None:
        if progress is not None:
            progress(len(doc.pages), len(doc.pages))
        return replace(doc, warnings=(*doc.warnings, *_unread_notes(images, untrusted)))
    todo = sorted({*images, *untrusted})
    total = len(doc.pages)
    if progress is not None:
        progress(total - len(todo), total)
    if not todo:
        return doc
    from ingest.scan import iter_pages

    if not untrusted and 2 * (total - len(images)) > total:
        # a born-digital file's picture pages (a cover photo, a signed sheet scanned in) are
        # the way up its author placed them: no orientation check when OCR is unsure of one
        options = replace(options, as_stored=True)
    pages = list(doc.pages)
    for n, (i, page) in enumerate(zip(todo, iter_pages(path, todo, options), strict=True), 1):
        pages[i] = page
        if progress is not None:
            progress(total - len(todo) + n, total)
    warnings = tuple(w for p in pages for w in p.warnings)
    scanned = 2 * sum(p.ocr for p in pages) > len(pages)
    return DocumentContent(pages=tuple(pages), scanned=scanned, warnings=(*doc.warnings, *warnings))


def _unread_notes(images: list[int], untrusted: list[int]) -> list[str]:
    """What the user must know when OCR is switched off."""
    notes = []
    if images:
        notes.append(f"{len(images)} halaman berupa gambar dan tidak dibaca karena OCR dimatikan")
    if untrusted:
        notes.append(f"lapisan teks {len(untrusted)} halaman pindaian tidak sesuai dengan gambarnya "
                     "(hasil OCR lain yang keliru): periksa nomor dan tanggal, atau aktifkan OCR")
    return notes


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
