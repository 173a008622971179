"""Stage timings for profiling: written only when asked, one line per stage and page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest import stagetimes
from ingest.extract import ExtractOptions, extract_file
from ingest.ocr import OcrOptions
from tests.ingest.scan_images import flowchart_page, scan_pdf


def test_no_file_is_written_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(stagetimes.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    with stagetimes.stage("render"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_a_scan_reports_its_page_stages_and_its_document_stages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "stages.jsonl"
    monkeypatch.setenv(stagetimes.ENV, str(out))
    pdf = scan_pdf(tmp_path / "scan.pdf", flowchart_page(words=True))
    extract_file(pdf, ExtractOptions(ocr=OcrOptions(engine="fake", jobs=1, dpi=200),
                                     searchable_copy=tmp_path / "copy.pdf"))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    page = {r["stage"] for r in rows if r["page"] == 1}
    document = {r["stage"] for r in rows if r["page"] == 0}
    assert {"render", "binarise", "grid", "symbols", "cell_ocr", "page_ocr"} <= page
    assert {"triage", "text_layer", "ocr_pages", "searchable", "parse"} <= document
    assert all(r["file"] == "scan.pdf" and r["s"] >= 0 and r["cpu"] >= 0 for r in rows)
