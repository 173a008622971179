"""Stamped copies of a born-digital and a scanned version: pages kept, stamp readable, recorded."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from archive.copies import Certifier, CopyRequest, Stamp, issue_copy, stamp_pdf
from archive.documents import add_version
from archive.errors import BadInputError
from archive.models import CopyRow, StoredFileRow
from archive.store import FileStore
from tests.archive.fixtures import new_archive

pytestmark = pytest.mark.archive_db  # runs again on PostgreSQL (tests/backend.py)

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CERTIFIER = Certifier("Sekretaris Dinas", "Dr. Siti Aminah, M.Si.", "197001011995032001")
BASE_URL = "https://arsip.example.go.id"


def _archive_file(tmp_path: Path, pdf: Path, **extraction: object) -> tuple[
        sessionmaker[Session], FileStore, int]:
    session_factory, store = new_archive(tmp_path / "data")
    stored = store.put(pdf)
    with session_factory.begin() as session:
        placed = add_version(session, {"doc_type": "sop", "pages": len(PdfReader(pdf).pages),
                                       **extraction}, stored, source_filename=pdf.name)
    return session_factory, store, placed.version_id


def _rendered_text_ink(png_path: Path, data: bytes) -> tuple[int, int]:
    """Render the last page; count reddish stamp pixels (top band, bottom band)."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        image = pdf[len(pdf) - 1].render(scale=1).to_pil().convert("RGB")
    finally:
        pdf.close()
    image.save(png_path)
    width, height = image.size
    pixels = image.load()
    assert pixels is not None

    def red(y0: int, y1: int) -> int:
        return sum(1 for y in range(y0, y1) for x in range(0, width, 2)
                   if (p := pixels[x, y])[0] > 150 and p[1] < 80 and p[2] < 80)
    return red(0, height // 10), red(height * 8 // 10, height)


@pytest.mark.parametrize("name", ["sop-dinkes-04.pdf", "sop-dinkes-04-scan.pdf"])
def test_copy_keeps_pages_and_shows_the_stamp(tmp_path: Path, corpus_dir: Path, name: str) -> None:
    source = corpus_dir / name
    original_bytes = source.read_bytes()
    session_factory, store, version_id = _archive_file(
        tmp_path, source, scanned=name.endswith("-scan.pdf"), nomor="400.7/017/165.06/2023")
    with session_factory.begin() as session:
        issued = issue_copy(session, store, CopyRequest(
            version_id, CERTIFIER, BASE_URL, issued_by="tata usaha", issued_for="Inspektorat",
            purpose="evaluasi SAKIP"), today=date(2026, 11, 21))
    data = store.read(issued.sha256)
    assert issued.url == f"{BASE_URL}/verifikasi/{issued.code}"
    # The original is untouched, in the store and on disk.
    assert source.read_bytes() == original_bytes
    [original_row] = _files(session_factory, "original")
    assert store.read(original_row.sha256) == original_bytes
    with pdfplumber.open(io.BytesIO(data)) as pdf, pdfplumber.open(source) as before:
        assert len(pdf.pages) == len(before.pages) == issued.pages
        texts = [page.extract_text() or "" for page in pdf.pages]
    assert all("SALINAN" in t for t in texts)
    last = texts[-1]
    for expected in ("Salinan sesuai dengan aslinya", "Sekretaris Dinas", "Dr. Siti Aminah, M.Si.",
                     "NIP. 197001011995032001", f"Arsip #1 versi 1, berkas {original_row.sha256[:12]}",
                     "21 November 2026", f"Kode verifikasi: {issued.code}", issued.url):
        assert expected in last, expected
    ARTIFACTS.mkdir(exist_ok=True)
    top, bottom = _rendered_text_ink(ARTIFACTS / f"copy-{name}.png", data)
    assert top > 50 and bottom > 80, (top, bottom)  # the red SALINAN box and certification box
    with session_factory() as session:
        copy = session.scalars(select(CopyRow)).one()
        assert (copy.issued_by, copy.issued_for, copy.purpose, copy.certifier_nip) == (
            "tata usaha", "Inspektorat", "evaluasi SAKIP", "197001011995032001")
        assert copy.file.sha256 == issued.sha256 and copy.file.role == "stamped"
        assert copy.source_file.sha256 == original_row.sha256


def _files(session_factory: sessionmaker[Session], role: str) -> list[StoredFileRow]:
    with session_factory() as session:
        return list(session.scalars(select(StoredFileRow).where(StoredFileRow.role == role)))


def test_every_copy_is_a_new_record_with_its_own_code(tmp_path: Path, corpus_dir: Path) -> None:
    session_factory, store, version_id = _archive_file(tmp_path, corpus_dir / "sop-bkpsdm-10.pdf")
    with session_factory.begin() as session:
        codes = {issue_copy(session, store, CopyRequest(version_id, CERTIFIER, BASE_URL,
                                                        issued_for=who)).code
                 for who in ("BPK", "Inspektorat")}
    assert len(codes) == 2 and len(_files(session_factory, "stamped")) == 2


def test_a_copy_needs_a_certifying_official(tmp_path: Path, corpus_dir: Path) -> None:
    session_factory, store, version_id = _archive_file(tmp_path, corpus_dir / "sop-bkpsdm-10.pdf")
    with session_factory.begin() as session, pytest.raises(BadInputError,
                                                           match="ARSIP_CERTIFIER_NAMA"):
        issue_copy(session, store, CopyRequest(version_id, Certifier("", ""), BASE_URL))


def test_a_page_stored_rotated_gets_the_stamp_at_the_top_as_seen(tmp_path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "rotated.pdf"
    canvas = Canvas(str(path), pagesize=(595, 842))
    canvas.drawString(72, 760, "Halaman tegak")
    canvas.showPage()
    canvas.save()
    writer = PdfWriter(clone_from=path)
    writer.pages[0].rotate(90)  # stored portrait, shown landscape
    buffer = io.BytesIO()
    writer.write(buffer)
    stamp = Stamp("ABCD-EFGH-JK", f"{BASE_URL}/verifikasi/ABCD-EFGH-JK", "Arsip #1 versi 1",
                  "0123456789ab", date(2026, 1, 2), CERTIFIER)
    data, pages = stamp_pdf(buffer.getvalue(), stamp)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        words = {w["text"]: w for w in page.extract_words()}
        # As displayed the page is landscape; SALINAN sits in its top tenth.
        assert page.width > page.height
        assert words["SALINAN"]["top"] < page.height / 10
