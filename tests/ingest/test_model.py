"""The extraction dataclasses print the schema's JSON and read it back unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from ingest.model import Extraction, Indicator, Official, Program, Step, Waktu


def _sample() -> Extraction:
    return Extraction(
        doc_type="sop",
        nomor="800.1.11/121/767.07/2023",
        tanggal_efektif="2023-04-25",
        disahkan_oleh=Official("Kepala Badan", "Ir. Agus, S.T.", "196507141991012005", "Pembina"),
        dasar_hukum=("UU 25/2009",),
        pelaksana=("Kepala Badan", "Sekretaris"),
        steps=(Step(1, "Memerintahkan", "Kepala Badan", "Disposisi", Waktu("15", 15, "menit"), "Disposisi"),),
        indicators=(Indicator("IKM", sasaran="Meningkatnya", target=82.0, target_triwulan=(1.0, 2.0, 3.0, 4.0)),),
        programs=(Program("Program A", 1000.0),),
        warnings=("langkah 2: simbol bagan alir tidak ditemukan, pelaksana tidak diketahui",),
    )


def test_round_trip() -> None:
    ex = _sample()
    again = Extraction.from_json(json.loads(json.dumps(ex.to_json())))
    assert again == ex


def test_json_matches_the_shared_schema(shared_dir: Path) -> None:
    schema = json.loads((shared_dir / "schema" / "extraction.schema.json").read_text())
    jsonschema.validate(_sample().to_json(), schema)
    jsonschema.validate(Extraction().to_json(), schema)


def test_frozen() -> None:
    with pytest.raises(AttributeError):
        _sample().nomor = "x"  # type: ignore[misc]
