"""Trusting a scan's text layer or not (`ingest.layertrust`), on scans with layers made here."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ingest.extract import ExtractOptions, extract_file
from ingest.layertrust import foreign_layers, misread_share, misread_tokens, untrusted_layers
from ingest.ocr import OcrOptions
from ingest.textlayer import read_text_layer
from tests.ingest.naskah_pdfs import Letter, letter_pdf
from tests.ingest.scan_images import text_page

DECISION = [
    "KEPUTUSAN BUPATI CONTOH",
    "NOMOR 286 TAHUN 2017",
    "TENTANG",
    "TIM FASILITASI PENANAMAN MODAL",
    "BUPATI CONTOH,",
    "Menimbang bahwa penanaman modal merupakan segala bentuk kegiatan",
    "menanam modal baik yang dilakukan oleh penanaman modal dalam negeri",
    "maupun penanaman modal asing yang menjadi kekuatan ekonomi nyata",
    "dan membutuhkan iklim investasi yang kondusif untuk berkembang",
    "Mengingat Undang Undang Nomor 25 Tahun 2007 tentang Penanaman Modal",
    "Peraturan Presiden Nomor 91 Tahun 2017 tentang Percepatan Berusaha",
    "MEMUTUSKAN",
    "Menetapkan KEPUTUSAN BUPATI TENTANG TIM FASILITASI PENANAMAN MODAL",
]
# what a poor OCR engine left over the same image: most words right, the numbers not
WRONG = [ln.replace("286", "P86").replace("2017", "2Ol7").replace("bentuk", "bentr.rk")
         .replace("maupun", "maupr.rn").replace("NOMOR", "NoMoR") for ln in DECISION]


def _scan_with_layer(path: Path, layer: list[str]) -> Path:
    """A page image of DECISION carrying an invisible text layer of `layer` (render mode 3)."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = text_page(DECISION, size=30, width=1700, height=2200)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    size = (img.shape[1] * 72 / 200, img.shape[0] * 72 / 200)
    c = canvas.Canvas(str(path), pagesize=size)
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, *size)
    text = c.beginText(36, size[1] - 36)
    text.setTextRenderMode(3)
    for line in layer:
        text.textLine(line)
    c.drawText(text)
    c.showPage()
    c.save()
    return path


def test_misread_tokens_are_the_marks_of_bad_ocr() -> None:
    words = ["P86", "2Ol7", "bentr.rk", "NoMoR", "l{odal", "Kabupaten", "2017", "dan/atau",
             "www.agamkab.go.id", "surel@contoh.go.id", "II.15", "S.H.,"]
    assert misread_tokens(words) == ["2Ol7", "bentr.rk", "NoMoR", "l{odal"]
    assert misread_share(["kata"] * 10) == 0.0  # too few words to judge


def test_a_wrong_layer_over_a_scan_is_refused_without_ocr(tmp_path: Path) -> None:
    path = _scan_with_layer(tmp_path / "bad.pdf", WRONG)
    doc = read_text_layer(path)
    assert foreign_layers(path, doc) == [0]
    assert untrusted_layers(path, doc, None) == [0]
    # with OCR switched off the layer stays, and the user is told why the numbers are doubtful
    got = extract_file(path, ExtractOptions(ocr=None))
    assert any("lapisan teks" in w for w in got.warnings)


def test_a_right_layer_over_a_scan_passes_the_checks_without_ocr(tmp_path: Path) -> None:
    path = _scan_with_layer(tmp_path / "good.pdf", DECISION)
    assert untrusted_layers(path, read_text_layer(path), None) == []


def test_drawn_text_is_never_judged(tmp_path: Path) -> None:
    """A born-digital page (no page-sized image) is not someone's OCR: no check, no OCR."""
    path = letter_pdf(tmp_path / "s.pdf", Letter())
    doc = read_text_layer(path)
    assert foreign_layers(path, doc) == []
    assert untrusted_layers(path, doc, OcrOptions(jobs=1)) == []


def test_image_cover_is_measured_while_the_text_layer_is_read(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages pdfium read carry their image cover: judging them loads no page again."""
    import ingest.raster

    scan = _scan_with_layer(tmp_path / "scan.pdf", WRONG)
    letter = letter_pdf(tmp_path / "s.pdf", Letter())
    expected = {p: ingest.raster.image_covers(p, [0])[0] for p in (scan, letter)}
    docs = {p: read_text_layer(p) for p in (scan, letter)}

    def refuse(path: Path, indices: list[int]) -> list[float]:
        raise AssertionError(f"pages {indices} loaded again")

    monkeypatch.setattr(ingest.raster, "image_covers", refuse)
    for path, doc in docs.items():
        assert doc.pages[0].image_cover == pytest.approx(expected[path])
    assert expected[scan] > 0.9 and expected[letter] == 0.0
    assert foreign_layers(scan, docs[scan]) == [0]
    assert foreign_layers(letter, docs[letter]) == []


@pytest.mark.tesseract
def test_wrong_layer_is_read_again_and_the_number_comes_from_the_image(tmp_path: Path) -> None:
    got = extract_file(_scan_with_layer(tmp_path / "bad.pdf", WRONG),
                       ExtractOptions(ocr=OcrOptions(jobs=1)))
    assert got.scanned and got.doc_type == "keputusan"
    assert got.nomor == "286 TAHUN 2017"
    assert "P86" not in got.page_texts[0]


@pytest.mark.tesseract
def test_right_layer_is_kept(tmp_path: Path) -> None:
    got = extract_file(_scan_with_layer(tmp_path / "good.pdf", DECISION),
                       ExtractOptions(ocr=OcrOptions(jobs=1)))
    assert not got.scanned and got.nomor == "286 TAHUN 2017"
