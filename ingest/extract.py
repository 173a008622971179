"""Extraction pipeline: a path in, an `Extraction` out (pure: no database, no index, no settings).

Reads like its table of contents: triage, text layer, OCR where needed, classify, parse.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ingest.classify import classify
from ingest.layout import DocumentContent
from ingest.model import Extraction
from ingest.parsers import get_parser
from ingest.textlayer import read_text_layer
from ingest.triage import Limits, PdfInfo, triage

log = logging.getLogger(__name__)

OCR_NEEDED = "no text layer: the pages are images and need OCR, which is not available yet"


@dataclass(frozen=True)
class ExtractOptions:
    """What the caller decides: file limits (and, later, OCR settings)."""

    limits: Limits = Limits()


def extract_file(path: Path, options: ExtractOptions | None = None) -> Extraction:
    """Read `path` and return its extraction; raises `RejectedFileError` for unusable files."""
    options = options or ExtractOptions()
    info = triage(path, options.limits)
    doc = read_text_layer(path)
    if doc.scanned:
        return _scanned_without_ocr(info)
    return parse_document(doc, info)


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


def _scanned_without_ocr(info: PdfInfo) -> Extraction:
    return Extraction(doc_type="other", scanned=True, pages=info.pages, warnings=(OCR_NEEDED,))
