"""`arsip extract`: bad files refused with a message and a non-zero exit; JSON on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli

BAD = ["empty.pdf", "truncated.pdf", "not-a-pdf.pdf", "html-renamed.pdf", "encrypted.pdf",
       "3000-blank-pages.pdf", "inflate-bomb.pdf"]


@pytest.mark.parametrize("name", BAD)
def test_bad_file_refused(corpus_dir: Path, name: str) -> None:
    result = CliRunner().invoke(cli, ["extract", "--json", str(corpus_dir / "bad" / name)])
    assert result.exit_code == 5, result.output
    assert result.stdout == ""
    assert "galat (" in result.stderr and name.split(".")[0] not in ("",)


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "nope.pdf")])
    assert result.exit_code == 2


def test_page_limit_is_a_setting(corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARSIP_MAX_PAGES", "1")
    result = CliRunner().invoke(cli, ["extract", "--json", str(corpus_dir / "sop-bkpsdm-01.pdf")])
    assert result.exit_code == 5 and "pisahkan berkas menjadi bagian ≤ 1 halaman" in result.stderr


def test_json_output_for_a_born_digital_sop(corpus_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", "--json", str(corpus_dir / "sop-bkpsdm-01.pdf")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["doc_type"] == "sop" and data["scanned"] is False and data["pages"] == 2
    assert "page_texts" not in data


def test_start_up_defers_heavy_imports() -> None:
    """Start-up stays fast because the command line imports PDF, database and OCR code lazily."""
    code = (
        "import sys, api.cli; "
        "heavy = [m for m in ('pdfplumber', 'pdfminer', 'sqlalchemy', 'cv2', 'pytesseract', 'weasyprint', "
        "'whoosh', 'fastapi') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == ""
