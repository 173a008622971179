"""Per-field OCR confidence: found by the value's words, absent when the words are not there."""

from __future__ import annotations

from ingest.confidence import field_confidence, match_confidence, norm
from ingest.layout import Box, DocumentContent, PageContent, Word
from ingest.model import Extraction, Indicator, Official


def _page(number: int, words: list[tuple[str, float]], ocr: bool = True) -> PageContent:
    ws = tuple(Word(t, Box(10.0 * i, 0, 10.0 * i + 8, 10), c) for i, (t, c) in enumerate(words))
    return PageContent(number, 600, 800, " ".join(t for t, _ in words), words=ws, ocr=ocr)


def test_numbers_and_punctuation_normalised() -> None:
    assert norm("95,00") == norm("95") == norm("95.0")
    assert norm("1.234,5") == norm("1234.50")
    assert norm("Kinerja,") == norm("KINERJA")


def test_run_in_order_with_small_gaps() -> None:
    words = [("dinas", 90.0), ("x", 10.0), ("komunikasi", 70.0), ("dan", 80.0), ("informatika", 60.0)]
    assert match_confidence(["dinas", "komunikasi", "dan", "informatika"], words) == 0.75
    assert match_confidence(["badan", "pendapatan", "daerah"], words) is None


def test_fields_of_an_ocr_page() -> None:
    page = _page(1, [("Nomor", 95), ("SOP", 95), ("800/12/2023", 40), ("Tanggal", 90), ("2", 80),
                     ("Juli", 90), ("2022", 70), ("Dr.", 50), ("Budi", 30), ("Santoso", 40),
                     ("Target", 90), ("82,70", 60)])
    ex = Extraction(nomor="800/12/2023", tanggal_efektif="2022-07-02",
                    disahkan_oleh=Official(nama="Dr. Budi Santoso"),
                    indicators=(Indicator("IKM", target=82.7, page=1),), title="Tidak Ada")
    conf = field_confidence(ex, DocumentContent((page,), scanned=True))
    assert conf["nomor"] == 0.4
    assert conf["tanggal_efektif"] == 0.8
    assert conf["disahkan_oleh.nama"] == 0.4
    assert conf["indicators[0].target"] == 0.6
    assert "title" not in conf and "indicators[0].indikator" not in conf


def test_born_digital_has_no_confidence_and_json_stays_as_it_was() -> None:
    page = _page(1, [("Nomor", 0), ("800/12/2023", 0)], ocr=False)
    ex = Extraction(nomor="800/12/2023")
    assert field_confidence(ex, DocumentContent((page,))) == {}
    assert "confidence" not in ex.to_json()
    again = Extraction.from_json(ex.replace(confidence={"nomor": 0.5}).to_json())
    assert again.confidence == {"nomor": 0.5}


def test_schema_allows_confidence() -> None:
    import json
    from pathlib import Path

    import jsonschema

    schema_path = Path(__file__).resolve().parents[3] / "shared" / "schema" / "extraction.schema.json"
    schema = json.loads(schema_path.read_text())
    jsonschema.validate(Extraction(nomor="1", confidence={"nomor": 0.5}).to_json(), schema)
