"""The SOP reader on a fixed sample of the zoo's seeded layouts (`tests/ingest/sop_zoo.py`):
every identity layout (two-column grid, colon column, four-column table, `Label : value` lines,
labels in one row) and every flowchart layout (symbol columns or a column of names; ruled,
ruled only between rows, unruled), label and header words from their variants, column-number
rows, steps continued over pages with and without the header repeated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ingest.model import Extraction
from ingest.parsers.sop import parse
from ingest.textlayer import read_text_layer
from tests.ingest.sop_zoo import FLOWS, IDENTITY, ground_truth, zoo_spec
from tests.ingest.sop_zoo_draw import write_zoo_pdf

# 30 consecutive seeds hold every identity layout with every flowchart layout
SEEDS = range(30)


def _read(seed: int, folder: Path) -> tuple[dict[str, Any], Extraction]:
    spec = zoo_spec(seed)
    pdf = folder / f"zoo-{seed}.pdf"
    write_zoo_pdf(spec, pdf)
    return ground_truth(spec), parse(read_text_layer(pdf))


def _fold(value: object) -> str:
    return " ".join(str(value or "").split()).casefold()


def test_the_seeds_cover_every_layout_pair() -> None:
    pairs = {(zoo_spec(s).identity, (zoo_spec(s).flow, zoo_spec(s).rules)) for s in SEEDS}
    assert pairs == {(i, f) for i in IDENTITY for f in FLOWS}


@pytest.mark.parametrize("seed", SEEDS)
def test_zoo_identity(seed: int, tmp_path: Path) -> None:
    gt, got = _read(seed, tmp_path)
    spec = zoo_spec(seed)
    assert got.nomor == gt["nomor"], spec.labels["nomor"]
    assert _fold(got.title) == _fold(gt["title"]), spec.labels["nama"]
    assert (got.tanggal_pembuatan, got.tanggal_revisi, got.tanggal_efektif) == (
        gt["tanggal_pembuatan"], gt["tanggal_revisi"], gt["tanggal_efektif"])
    assert _fold(got.instansi) == _fold(gt["instansi"])
    assert got.disahkan_oleh is not None
    assert (got.disahkan_oleh.nama, got.disahkan_oleh.nip) == (gt["disahkan_oleh"]["nama"], gt["disahkan_oleh"]["nip"])
    for key in ("dasar_hukum", "kualifikasi_pelaksana", "keterkaitan", "peralatan", "peringatan", "pencatatan"):
        assert list(getattr(got, key)) == gt[key], spec.labels[key]


@pytest.mark.parametrize("seed", SEEDS)
def test_zoo_flowchart(seed: int, tmp_path: Path) -> None:
    gt, got = _read(seed, tmp_path)
    # the column-number row is no step; steps on later pages continue the numbering
    assert [s.no for s in got.steps] == [s["no"] for s in gt["steps"]]
    for step, want in zip(got.steps, gt["steps"], strict=True):
        assert step.kegiatan == want["kegiatan"]
        assert step.pelaksana == want["pelaksana"]
        assert step.kelengkapan == want["kelengkapan"]
        assert step.output == want["output"]
        assert step.waktu is not None
        assert (step.waktu.value, step.waktu.unit) == (want["waktu"]["value"], want["waktu"]["unit"])
    assert set(got.pelaksana) == set(gt["pelaksana"])


@pytest.mark.tesseract
def test_scanned_flowchart_ruled_only_between_rows(tmp_path: Path) -> None:
    # no ruled grid on the flowchart page: its rules and symbols come from the image
    # (scan_symbols.free_shapes) and the table from the OCR'd words' alignment
    from ingest.extract import extract_file
    from tests.ingest.sop_zoo_draw import scan_of

    spec = zoo_spec(2)
    assert (spec.flow, spec.rules) == ("symbols", "rows")
    stamps = write_zoo_pdf(spec, tmp_path / "sop.pdf")
    got = extract_file(scan_of(tmp_path / "sop.pdf", tmp_path / "scan.pdf", 2, stamps))
    want = ground_truth(spec)["steps"]
    assert [s.no for s in got.steps] == [s["no"] for s in want]
    assert [s.pelaksana for s in got.steps] == [s["pelaksana"] for s in want]
