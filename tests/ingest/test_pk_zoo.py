"""Perjanjian Kinerja of the seeded layout zoo (`tests/ingest/pk_zoo.py`), read by the PK parser
and compared with the drawing's truth; `bench/layout_zoo.py --pk` runs many more seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.parsers import pk
from ingest.textlayer import read_text_layer
from tests.ingest.pk_zoo import FAMILIES, make

CASES = [(f, 0) for f in FAMILIES] + [("mixed", 1)]


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold().strip(" .,")


@pytest.mark.parametrize(("family", "seed"), CASES)
def test_pk_zoo(tmp_path: Path, family: str, seed: int) -> None:
    truth = make(family, seed, tmp_path / "pk.pdf")
    got = pk.parse(read_text_layer(tmp_path / "pk.pdf"))
    assert _norm(got.instansi) == _norm(truth["instansi"])
    assert got.tahun == truth["tahun"]
    assert got.pihak_pertama is not None and got.pihak_kedua is not None
    first, second = truth["pihak_pertama"], truth["pihak_kedua"]
    assert (_norm(got.pihak_pertama.nama), got.pihak_pertama.nip, _norm(got.pihak_pertama.jabatan)) == (
        _norm(first["nama"]), first["nip"], _norm(first["jabatan"]))
    assert (_norm(got.pihak_kedua.nama), _norm(got.pihak_kedua.jabatan)) == (
        _norm(second["nama"]), _norm(second["jabatan"]))
    assert [(_norm(i.sasaran), _norm(i.indikator), _norm(i.satuan), i.target) for i in got.indicators] == [
        (_norm(i["sasaran"]), _norm(i["indikator"]), _norm(i["satuan"]), i["target"]) for i in truth["indicators"]]
    assert [(_norm(p.program), p.anggaran) for p in got.programs] == [
        (_norm(p["program"]), p["anggaran"]) for p in truth["programs"]]
