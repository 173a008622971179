"""Whole LKjIP reports of the seeded layout zoo (`tests/ingest/lkjip_zoo.py`), read by the LKjIP
parser and compared field by field with the drawing's truth, as the shared scorer compares them.

A fixed sample of seeds per family; `bench/layout_zoo.py` runs many more and prints a score per
family.  The cover drawn as a picture needs OCR and is left to the bench.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ingest.parsers import lkjip
from ingest.text import parse_number
from ingest.textlayer import read_text_layer
from tests.ingest.lkjip_zoo import FAMILIES, make

SEEDS = {family: [0] for family in FAMILIES if family != "cover-image"}
SEEDS["mixed"] = [0, 1, 2, 3]
SEEDS["partly-ruled"] = [0, 2]


def _same_text(a: Any, b: Any) -> bool:
    return " ".join(str(a or "").split()).casefold().strip(" .,") == \
        " ".join(str(b or "").split()).casefold().strip(" .,")


def _same_number(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 0.011


@pytest.mark.parametrize(("family", "seed"), [(f, s) for f, seeds in SEEDS.items() for s in seeds])
def test_zoo_report(tmp_path: Path, family: str, seed: int) -> None:
    truth = make(family, seed, tmp_path / "r.pdf")
    got = lkjip.parse(read_text_layer(tmp_path / "r.pdf"))
    assert _same_text(got.title, truth["title"])
    assert _same_text(got.instansi, truth["instansi"])
    assert got.tahun == truth["tahun"]
    assert got.tanggal_pengesahan == truth["tanggal_pengesahan"]
    assert got.disahkan_oleh is not None
    assert _same_text(got.disahkan_oleh.nama, truth["disahkan_oleh"]["nama"])
    assert got.disahkan_oleh.nip == truth["disahkan_oleh"]["nip"]
    assert len(got.indicators) == len(truth["indicators"])
    for ind, want in zip(got.indicators, truth["indicators"], strict=True):
        assert _same_text(ind.indikator, want["indikator"])
        assert _same_text(ind.sasaran, want["sasaran"])
        assert _same_text(ind.satuan, want["satuan"])
        for name in ("target", "realisasi", "capaian"):
            assert _same_number(getattr(ind, name), want[name]), (name, ind)
        if want["target"] is None:
            assert _same_text(ind.target_text, want["target_text"])


def test_zoo_is_seeded(tmp_path: Path) -> None:
    """The same family and seed draw the same report; another seed another one."""
    a = make("mixed", 3, tmp_path / "a.pdf")
    b = make("mixed", 3, tmp_path / "b.pdf")
    c = make("mixed", 4, tmp_path / "c.pdf")
    assert a == b and a != c
    assert parse_number("1.234,5") == 1234.5  # the zoo writes numbers the Indonesian way


def test_overprinted_characters_read_once() -> None:
    """A word printed twice 0.4 pt apart (bold made by overprinting) is one word; two letters
    side by side ('ll') are not copies."""
    from ingest.overprint import copies

    def ch(text: str, x0: float) -> dict[str, Any]:
        return {"text": text, "fontname": "F", "size": 10.0, "x0": x0, "x1": x0 + 2.2, "top": 100.0}

    doubled = [ch("l", 10), ch("l", 12.2), ch("l", 10.4), ch("l", 12.6)]
    assert copies(doubled) == {2, 3}
    assert copies([ch("l", 10), ch("l", 12.2)]) == set()


@pytest.mark.parametrize(("cell", "number", "text"), [
    (">= 80", 80.0, ">= 80"), ("≥ 80 %", 80.0, "≥ 80 %"), ("Min. 12", 12.0, "Min. 12"),
    ("maksimal 5 hari", 5.0, "maksimal 5 hari"), ("Baik", None, "Baik"), ("95,00", 95.0, None)])
def test_comparison_targets(cell: str, number: float | None, text: str | None) -> None:
    from ingest.parsers.indicators import split_value

    value = split_value(cell)
    assert (value.number, value.text) == (number, text)
