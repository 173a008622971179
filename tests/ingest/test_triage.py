"""Triage refuses each bad file with its own error and accepts what can be read."""

from __future__ import annotations

import tracemalloc
import zlib
from pathlib import Path

import pytest

from archive.errors import (
    DamagedPdfError,
    DecompressionBombError,
    EmptyFileError,
    EncryptedPdfError,
    NotAPdfError,
    RejectedFileError,
    TooLargeError,
    TooManyPagesError,
)
from ingest.triage import Limits, triage

BAD = {
    "empty.pdf": EmptyFileError,
    "truncated.pdf": DamagedPdfError,
    "not-a-pdf.pdf": NotAPdfError,
    "html-renamed.pdf": NotAPdfError,
    "encrypted.pdf": EncryptedPdfError,
    "3000-blank-pages.pdf": TooManyPagesError,
    "inflate-bomb.pdf": DecompressionBombError,
}


def _pdf(content: bytes, pages: int = 1) -> bytes:
    """A minimal valid PDF with `pages` pages sharing one (Flate) content stream."""
    stream = zlib.compress(content)
    kids = " ".join(f"{4 + i} 0 R" for i in range(pages))
    objs = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        f"<</Type/Pages/Kids[{kids}]/Count {pages}>>".encode(),
        b"<</Length %d/Filter/FlateDecode>>stream\n" % len(stream) + stream + b"\nendstream",
    ]
    objs += [b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 3 0 R>>"] * pages
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj".encode() + body + b"endobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer<</Size {len(objs) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


@pytest.mark.parametrize(("name", "error"), sorted(BAD.items()))
def test_shared_bad_files_are_refused_with_their_own_error(corpus_dir: Path, name: str, error: type) -> None:
    with pytest.raises(error) as info:
        triage(corpus_dir / "bad" / name)
    assert isinstance(info.value, RejectedFileError)
    assert name in info.value.message or "halaman" in info.value.message


def test_encrypted_without_user_password_is_accepted(corpus_dir: Path) -> None:
    info = triage(corpus_dir / "bad" / "encrypted-no-user-password.pdf")
    assert info.pages >= 1 and info.encrypted


def test_bomb_is_refused_without_inflating_it(corpus_dir: Path) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(DecompressionBombError):
            triage(corpus_dir / "bad" / "inflate-bomb.pdf")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 1024 * 1024


def test_own_small_pdf_passes_and_limits_apply(tmp_path: Path) -> None:
    path = tmp_path / "ok.pdf"
    path.write_bytes(_pdf(b"BT /F1 12 Tf 72 720 Td (Halo) Tj ET", pages=3))
    assert triage(path).pages == 3
    with pytest.raises(TooManyPagesError):
        triage(path, Limits(max_pages=2))
    with pytest.raises(TooLargeError):
        triage(path, Limits(max_bytes=100))


def test_own_bomb_over_the_stream_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(_pdf(b"0" * (3 * 1024 * 1024)))
    assert triage(path, Limits(max_stream_bytes=4 * 1024 * 1024)).pages == 1
    with pytest.raises(DecompressionBombError):
        triage(path, Limits(max_stream_bytes=2 * 1024 * 1024))


def test_jpeg_renamed_to_pdf_is_named(tmp_path: Path) -> None:
    path = tmp_path / "foto.pdf"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 100)
    with pytest.raises(NotAPdfError, match="JPEG"):
        triage(path)
