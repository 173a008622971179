"""Damaged PDFs (../shared/corpus/damaged): each ends in a reading or a refusal, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pypdf.generic import DictionaryObject, NameObject, NullObject, NumberObject

from archive.errors import DamagedPdfError, RejectedFileError
from ingest.extract import ExtractOptions, extract_file
from ingest.ocr import OcrOptions
from ingest.raster import image_covers, render_page
from ingest.triage import _content_streams

REPO = Path(__file__).resolve().parents[2]
FAKE_OCR = ExtractOptions(ocr=OcrOptions(engine="fake", jobs=1))


def _damaged(corpus_dir: Path) -> list[Path]:
    files = sorted((corpus_dir / "damaged").glob("*.pdf"))
    assert len(files) >= 2
    return files


def test_every_damaged_file_is_read_or_refused(corpus_dir: Path) -> None:
    for path in _damaged(corpus_dir):
        try:
            extraction = extract_file(path, FAKE_OCR)
        except RejectedFileError as e:
            assert e.exit_code == 5 and e.message
        else:
            assert extraction.pages and extraction.doc_type


def test_the_cli_never_shows_a_traceback(corpus_dir: Path, tmp_path: Path) -> None:
    for path in _damaged(corpus_dir):
        done = subprocess.run([sys.executable, "-m", "api.cli", "extract", "--json", str(path)],
                              capture_output=True, text=True, cwd=REPO, timeout=300,
                              env={"PYTHONPATH": str(REPO), "ARSIP_DATA_DIR": str(tmp_path),
                                   "PATH": "/usr/bin:/bin"})
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode in (0, 5), done.stderr


def test_a_page_pdfium_cannot_load_is_a_damaged_page_not_a_crash(corpus_dir: Path) -> None:
    path = corpus_dir / "damaged" / "page-object-removed.pdf"
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    broken = []
    for i in range(len(pdf)):
        try:
            pdf[i].close()
        except pdfium.PdfiumError:
            broken.append(i)
    pages = len(pdf)
    pdf.close()
    assert broken
    assert image_covers(path, list(range(pages)))[broken[0]] == 0.0
    with pytest.raises(DamagedPdfError, match=f"halaman {broken[0] + 1}"):
        render_page(path, broken[0], 72)


@pytest.mark.parametrize("contents", [NumberObject(10), NullObject(), NameObject("/X")])
def test_contents_that_are_not_streams_are_skipped(contents: object) -> None:
    page = DictionaryObject({NameObject("/Contents"): contents})
    assert _content_streams(page) == []
