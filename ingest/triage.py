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
_SNIFF = {  # what the file is instead, as the refusal names it
    b"\x89PNG": "gambar PNG",
    b"\xff\xd8\xff": "gambar JPEG",
    b"PK\x03\x04": "berkas ZIP/Office",
    b"GIF8": "gambar GIF",
    b"II*\x00": "gambar TIFF",
    b"MM\x00*": "gambar TIFF",
    b"\xd0\xcf\x11\xe0": "berkas Office versi lama",
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
        raise NotAPdfError(
            f"{path.name}: Berkas tidak ditemukan; periksa nama dan letaknya.") from e
    if size == 0:
        raise EmptyFileError(f"{path.name}: Berkas kosong (0 bita); unggah ulang berkasnya.")
    if size > limits.max_bytes:
        raise TooLargeError(
            f"{path.name}: Ukurannya {_mb(size, 1)} MB, melebihi batas {_mb(limits.max_bytes)} MB; "
            f"pisahkan berkas menjadi bagian yang masing-masing ≤ {_mb(limits.max_bytes)} MB (atau "
            "pindai ulang dengan resolusi lebih rendah), atau hubungi admin untuk menaikkan batasnya."
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
            kind = "halaman HTML atau XML"
        what = f"berkas ini {kind}" if kind else "berkas ini tidak diawali %PDF"
        raise NotAPdfError(f"{path.name}: Bukan PDF ({what}); ubah dulu menjadi PDF.")
    if b"%%EOF" not in tail:
        raise DamagedPdfError(
            f"{path.name}: PDF terpotong (penanda akhir %%EOF tidak ada), kemungkinan karena "
            "unduhan atau penyalinan yang terputus; ambil ulang berkas yang lengkap."
        )


def _open(path: Path) -> Any:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise EncryptedPdfError(
                f"{path.name}: PDF dilindungi kata sandi; mintalah salinan tanpa kata sandi kepada "
                "pengirimnya (atau hapus kata sandinya), lalu unggah salinan itu."
            )
        return reader
    except EncryptedPdfError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as e:
        raise _damaged(path.name, e) from e
    except Exception as e:  # pypdf raises assorted errors on garbage; all mean "damaged"
        raise _damaged(path.name, e) from e


def _damaged(name: str, error: Exception) -> DamagedPdfError:
    return DamagedPdfError(f"{name}: PDF rusak dan tidak dapat dibaca ({error}); mintalah berkas "
                           "yang utuh kepada pengirimnya.")


def _mb(size: int, decimals: int = 0) -> str:
    """Megabytes as Indonesian writes them: a decimal comma (12,5)."""
    return f"{size / _MB:.{decimals}f}".replace(".", ",")


def _page_count(reader: Any, limits: Limits, name: str) -> int:
    try:
        pages = len(reader.pages)
    except Exception as e:
        raise DamagedPdfError(f"{name}: Daftar halaman PDF rusak ({e}); mintalah berkas yang utuh "
                              "kepada pengirimnya.") from e
    return _within_page_limit(pages, limits, name)


def _within_page_limit(pages: int, limits: Limits, name: str) -> int:
    if pages == 0:
        raise DamagedPdfError(f"{name}: PDF tidak berisi halaman apa pun; periksa berkasnya.")
    if pages > limits.max_pages:
        raise TooManyPagesError(
            f"{name}: PDF berisi {pages} halaman, melebihi batas {limits.max_pages} halaman; "
            f"pisahkan berkas menjadi bagian ≤ {limits.max_pages} halaman, atau hubungi admin "
            "untuk menaikkan batasnya."
        )
    return pages


def _bomb(where: str, limits: Limits) -> DecompressionBombError:
    return DecompressionBombError(
        f"{where} data terkompresi yang mengembang melebihi {_mb(limits.max_stream_bytes)} MB: "
        "kemungkinan berkas rusak atau bom dekompresi (sengaja dibuat berbahaya); berkas tidak "
        "diproses. Mintalah berkas yang utuh kepada pengirimnya, atau hubungi admin bila "
        "berkasnya tepercaya."
    )


def _check_streams(reader: Any, limits: Limits, name: str) -> None:
    """Inflate each page's content streams in bounded steps; refuse one that grows too large."""
    for number, page in enumerate(reader.pages, start=1):
        for stream in _content_streams(page):
            if _inflated_size(stream, limits.max_stream_bytes) > limits.max_stream_bytes:
                raise _bomb(f"{name}: Halaman {number} memuat", limits)


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
            raise _bomb(f"{path.name}: Berkas memuat", limits)


def _page_count_pdfminer(path: Path, limits: Limits) -> int:
    import pdfplumber

    try:
        with pdfplumber.open(path) as pdf:
            pages = len(pdf.pages)
    except Exception as e:  # pdfminer raises many unrelated types on garbage
        raise _damaged(path.name, e) from e
    return _within_page_limit(pages, limits, path.name)


def _content_streams(page: Any) -> list[Any]:
    """The page's content streams; whatever else /Contents points to is skipped.

    A malformed reference (`/Contents 10 -1 R`) reads as a number, an array may hold nulls:
    neither is a stream that could inflate, and the text layer reads the page as it can.
    """
    from pypdf.generic import StreamObject

    try:
        contents = page.get("/Contents")
        if contents is None:
            return []
        contents = contents.get_object()
        items = contents if isinstance(contents, list) else [contents]
        objects = [c.get_object() if hasattr(c, "get_object") else c for c in items]
    except Exception as e:  # pypdf raises assorted errors on a broken object; all mean "damaged"
        raise DamagedPdfError(f"Isi salah satu halaman PDF rusak ({e}); mintalah berkas yang utuh "
                              "kepada pengirimnya.") from e
    return [o for o in objects if isinstance(o, StreamObject)]


def _inflated_size(stream: Any, limit: int) -> int:
    filters = stream.get("/Filter")
    if hasattr(filters, "get_object"):
        filters = filters.get_object()
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
