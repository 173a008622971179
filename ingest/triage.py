"""Triage: decide whether a file is a PDF we can read, before any parser touches it.

Refuses empty files, other formats, damaged and password-protected PDFs, files over the size or
page limits, and content streams that would inflate past a limit (checked incrementally, so a
decompression bomb never lands in memory).  Everything here raises from the one error tree.
"""

from __future__ import annotations

import logging
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.errors import (
    DamagedPdfError,
    DecompressionBombError,
    EmptyFileError,
    EncryptedPdfError,
    NotAPdfError,
    TooLargeError,
    TooManyPagesError,
)

log = logging.getLogger(__name__)

_MB = 1024 * 1024
_SNIFF = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"PK\x03\x04": "a ZIP/Office file",
    b"GIF8": "a GIF image",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
    b"\xd0\xcf\x11\xe0": "an old Office file",
}


@dataclass(frozen=True)
class Limits:
    """What a file may be: size, pages, and how far one content stream may inflate."""

    max_bytes: int = 200 * _MB
    max_pages: int = 1000
    max_stream_bytes: int = 64 * _MB


@dataclass(frozen=True)
class PdfInfo:
    """What triage learnt: page count, and whether an (empty) owner password had to be used."""

    pages: int
    encrypted: bool


def triage(path: Path, limits: Limits = Limits()) -> PdfInfo:
    """Check `path` and return its page count; raise a `RejectedFileError` subclass if unusable."""
    size = _check_size(path, limits)
    _check_header(path, size)
    try:
        reader = _open(path)
    except DamagedPdfError:
        # pypdf gave up (often a missing or broken xref table); pdfminer may still read the
        # file by scanning it, so check its streams from the raw bytes before letting it pass.
        _check_raw_streams(path, limits)
        return PdfInfo(pages=_page_count_pdfminer(path, limits), encrypted=False)
    pages = _page_count(reader, limits, path.name)
    _check_streams(reader, limits, path.name)
    return PdfInfo(pages=pages, encrypted=bool(reader.is_encrypted))


def _check_size(path: Path, limits: Limits) -> int:
    try:
        size = path.stat().st_size
    except FileNotFoundError as e:
        raise NotAPdfError(f"{path.name}: file not found") from e
    if size == 0:
        raise EmptyFileError(f"{path.name}: the file is empty (0 bytes); upload it again.")
    if size > limits.max_bytes:
        raise TooLargeError(
            f"{path.name}: {size / _MB:.1f} MB is over the limit of {limits.max_bytes / _MB:.0f} MB "
            "(setting ARSIP_MAX_FILE_MB); split the document or raise the limit."
        )
    return size


def _check_header(path: Path, size: int) -> None:
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    if b"%PDF-" not in head:
        kind = next((name for magic, name in _SNIFF.items() if head.startswith(magic)), None)
        if kind is None and head.lstrip()[:1] == b"<":
            kind = "an HTML or XML page"
        what = f"it is {kind}" if kind else "it does not start with %PDF"
        raise NotAPdfError(f"{path.name}: not a PDF ({what}); convert it to PDF first.")
    if b"%%EOF" not in tail:
        raise DamagedPdfError(
            f"{path.name}: the PDF ends early (no %%EOF marker): the file is truncated, "
            "probably an interrupted download or copy; get the complete file."
        )


def _open(path: Path) -> Any:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise EncryptedPdfError(
                f"{path.name}: the PDF is protected by a password; ask the sender for an "
                "unprotected copy (or remove the password) and upload that."
            )
        return reader
    except EncryptedPdfError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as e:
        raise DamagedPdfError(f"{path.name}: the PDF is damaged and cannot be read ({e}).") from e
    except Exception as e:  # pypdf raises assorted errors on garbage; all mean "damaged"
        raise DamagedPdfError(f"{path.name}: the PDF is damaged and cannot be read ({e}).") from e


def _page_count(reader: Any, limits: Limits, name: str) -> int:
    try:
        pages = len(reader.pages)
    except Exception as e:
        raise DamagedPdfError(f"{name}: the PDF's page tree is damaged ({e}).") from e
    return _within_page_limit(pages, limits, name)


def _within_page_limit(pages: int, limits: Limits, name: str) -> int:
    if pages == 0:
        raise DamagedPdfError(f"{name}: the PDF has no pages.")
    if pages > limits.max_pages:
        raise TooManyPagesError(
            f"{name}: the PDF has {pages} pages, over the limit of {limits.max_pages} "
            "(setting ARSIP_MAX_PAGES); split it or raise the limit."
        )
    return pages


def _bomb(where: str, limits: Limits) -> DecompressionBombError:
    return DecompressionBombError(
        f"{where} a compressed stream that inflates to more than "
        f"{limits.max_stream_bytes / _MB:.0f} MB (setting ARSIP_MAX_STREAM_MB): "
        "a decompression bomb or a broken file; it was not processed."
    )


def _check_streams(reader: Any, limits: Limits, name: str) -> None:
    """Inflate each page's content streams in bounded steps; refuse one that grows too large."""
    for number, page in enumerate(reader.pages, start=1):
        for stream in _content_streams(page):
            if _inflated_size(stream, limits.max_stream_bytes) > limits.max_stream_bytes:
                raise _bomb(f"{name}: page {number} holds", limits)


_STREAM_RE = re.compile(rb"<<(?P<dict>(?:(?!>>\s*stream).){0,2000}?)>>\s*stream\r?\n", re.S)


def _check_raw_streams(path: Path, limits: Limits) -> None:
    """Bounded inflation of every Flate stream found by scanning the bytes (no xref needed)."""
    data = path.read_bytes()
    for m in _STREAM_RE.finditer(data):
        if b"FlateDecode" not in m.group("dict"):
            continue
        end = data.find(b"endstream", m.end())
        raw = data[m.end() : end if end > 0 else len(data)]
        if _bounded_inflate(raw, limits.max_stream_bytes) > limits.max_stream_bytes:
            raise _bomb(f"{path.name}: the file holds", limits)


def _page_count_pdfminer(path: Path, limits: Limits) -> int:
    import pdfplumber

    try:
        with pdfplumber.open(path) as pdf:
            pages = len(pdf.pages)
    except Exception as e:  # pdfminer raises many unrelated types on garbage
        raise DamagedPdfError(f"{path.name}: the PDF is damaged and cannot be read ({e}).") from e
    return _within_page_limit(pages, limits, path.name)


def _content_streams(page: Any) -> list[Any]:
    try:
        contents = page.get("/Contents")
        if contents is None:
            return []
        contents = contents.get_object()
        items = contents if isinstance(contents, list) else [contents]
        return [c.get_object() for c in items]
    except Exception as e:
        raise DamagedPdfError(f"a page's content is damaged ({e}).") from e


def _inflated_size(stream: Any, limit: int) -> int:
    filters = stream.get("/Filter")
    names = [str(f) for f in (filters if isinstance(filters, list) else [filters] if filters else [])]
    raw = getattr(stream, "_data", b"") or b""
    if "/FlateDecode" not in names[:1]:
        return len(raw)
    return _bounded_inflate(raw, limit)


def _bounded_inflate(raw: bytes, limit: int) -> int:
    """How many bytes `raw` inflates to, counting in 1 MB steps and stopping past `limit`."""
    inflater = zlib.decompressobj()
    total, rest = 0, raw
    try:
        while rest and total <= limit:
            total += len(inflater.decompress(rest, 1 << 20))
            rest = inflater.unconsumed_tail
    except zlib.error:
        return total  # a broken stream is the text extractor's problem, not a bomb
    return total
