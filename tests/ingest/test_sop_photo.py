"""A flowchart page photographed with a phone (no identity page): the sheet on a desk, seen at an
angle, lit unevenly.  The ground around the sheet must not read as a table frame, the sheet is
brought back to a rectangle and its lighting evened, then the flowchart reads as on a scan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.extract import extract_file
from ingest.raster import render_page, whiten_background
from tests.ingest.scan_images import flowchart_page, phone_photo, scan_pdf
from tests.ingest.sop_fixtures import ACTORS, STEPS, FlowSpec, write_sop_pdf


def test_a_scan_that_fills_the_picture_is_left_as_it_is() -> None:
    page = flowchart_page(words=False)
    assert whiten_background(page, 200) is page


def test_the_desk_around_a_photographed_sheet_is_whitened_and_the_sheet_squared() -> None:
    photo = phone_photo(flowchart_page(words=False), seed=3)
    out = whiten_background(photo, 200)
    assert out.shape == photo.shape
    assert photo[5, 5].mean() < 120 and out[5, 5].mean() > 200  # the desk in a corner
    # the table's four full-width rules run level again: each lies in a thin band of rows
    band = out.mean(axis=2)[:, 400:1400] < 100
    rows = np.flatnonzero(band.sum(axis=1) > 0.8 * band.shape[1])
    rules = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    assert len(rules) == 4 and all(len(r) <= 6 for r in rules)


@pytest.mark.tesseract
def test_phone_photo_of_a_flowchart_gives_its_steps(tmp_path: Path) -> None:
    flow = FlowSpec(ACTORS, STEPS[:5], kegiatan_header="Uraian Kegiatan", column_numbers=True)
    pdf = write_sop_pdf(tmp_path / "flow.pdf", flow, None)
    rgb, _ = render_page(pdf, 0, 200)
    photo = scan_pdf(tmp_path / "photo.pdf", phone_photo(rgb, seed=1), 200)
    got = extract_file(photo)
    assert got.doc_type == "sop"  # a flowchart page without an identity page
    assert got.pelaksana == ACTORS
    # the column-number row under the header is not a step
    assert [(s.no, s.pelaksana) for s in got.steps] == [(s.no, ACTORS[s.actor]) for s in STEPS[:5]]
