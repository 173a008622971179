"""Extraction pipeline: a path in, an `Extraction` out (pure: no database, no index, no settings).

Reads like its table of contents: triage, text layer, OCR where needed, classify, parse.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.classify import classify
from ingest.layertrust import layer_agrees, untrusted_layers
from ingest.layout import DocumentContent
from ingest.model import Extraction
from ingest.ocr import OcrOptions
from ingest.parsers import get_parser
from ingest.second_look import confirm_nomor
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


def extract_file(path: Path, options: ExtractOptions | None = None) -> Extraction:
    """Read `path` and return its extraction; raises `RejectedFileError` for unusable files."""
    options = options or ExtractOptions()
    info = triage(path, options.limits)
    doc = read_text_layer(path, expected_pages=info.pages)
    doc = ocr_image_pages(path, doc, options.ocr)
    if options.searchable_copy is not None:
        doc = write_searchable_copy(path, doc, options.searchable_copy)
    if options.word_boxes is not None:
        write_word_boxes(doc, options.word_boxes)
    extraction = confirm_nomor(path, doc, parse_document(doc, info), options.ocr)
    return with_confidence(extraction, doc)


def with_confidence(extraction: Extraction, doc: DocumentContent) -> Extraction:
    """`extraction` with the OCR confidence of its fields (none when no page was OCR'd), capped
    where the parser's self-checks doubt a field (`Extraction.confidence` as the parser set it)."""
    if not any(p.ocr for p in doc.pages):
        return extraction.replace(confidence={}) if extraction.confidence else extraction
    from ingest.confidence import field_confidence

    conf = field_confidence(extraction, doc)
    for path in checked_fields(extraction.warnings):
        if path in conf:
            conf[path] = min(conf[path], FAILED_CHECK)
    # a parser's self-check that failed (amounts vs Jumlah, a year that does not match) caps
    # the confidence of the fields it doubts
    for path, cap in extraction.confidence.items():
        conf[path] = round(min(cap, conf.get(path, cap)), 3)
    return extraction.replace(confidence=conf)


FAILED_CHECK = 0.5  # the most confidence a field gets when a parser's self-check doubts it


def checked_fields(warnings: Sequence[str]) -> list[str]:
    """Field paths a parser's self-check doubts: its warnings that start with the path and a
    colon and say to check the document ('disahkan_oleh.nip: ... periksa pada dokumen')."""
    out = []
    for w in warnings:
        head, _, rest = w.partition(": ")
        if rest and "periksa" in rest and re.fullmatch(r"[a-z_]+(\[\d+\])?(\.[a-z_]+)?", head):
            out.append(head)
    return out


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


def ocr_image_pages(path: Path, doc: DocumentContent, options: OcrOptions | None) -> DocumentContent:
    """Replace the pages without a usable text layer by their OCR reading.

    A page is read by OCR when it carries no text, or when its text is someone's OCR that fails
    the checks of `ingest.layertrust` (drawn text is never OCR'd).
    """
    images = [i for i, page in enumerate(doc.pages) if needs_ocr(page)]
    untrusted = untrusted_layers(path, doc, options)
    if options is None:
        return replace(doc, warnings=(*doc.warnings, *_unread_notes(images, untrusted)))
    todo = sorted({*images, *untrusted})
    if not todo:
        return doc
    from ingest.scan import read_pages

    pages = list(doc.pages)
    for i, page in zip(todo, read_pages(path, todo, options), strict=True):
        pages[i] = page
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
