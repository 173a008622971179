"""`ingest.charwords` gives what pdfplumber's own word and text builders give."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from ingest import charwords, textlayer
from tests.ingest import naskah_pdfs
from tests.ingest.table_pdfs import canvas, draw_table, sideways, text

ROWS = [["No", "Sasaran", "Indikator", "Target", "Realisasi"],
        ["1", "Meningkatnya kualitas\npelayanan publik", "Indeks kepuasan", "3,50", "3,62"],
        ["2", "Terwujudnya tata kelola\nyang akuntabel", "Nilai SAKIP", "B", "BB"]]


def _fixture(path: Path, style: str) -> Path:
    c = canvas(path)
    text(c, 72, 70, "Tabel 2.1 Perjanjian Kinerja dan ﬁnal realisasi", 11)
    draw_table(c, 60, 90, [28, 150, 110, 60, 60], ROWS, style=style)
    c.setFont("Helvetica", 9)
    c.drawString(72, 500, "kata  dengan   spasi")
    c.drawString(72, 497.5, "baris yang hampir sama tingginya")
    c.showPage()
    height = sideways(c)
    draw_table(c, 60, 80, [28, 150, 110, 60, 60], ROWS, style="ruled", page_height=height)
    c.showPage()
    c.save()
    return path


def _words(ws: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(w["text"], w["x0"], w["top"], w["x1"], w["bottom"]) for w in ws]


@pytest.mark.parametrize("style", ["ruled", "filled", "borderless", "hrules"])
def test_words_text_and_cells_as_pdfplumber(tmp_path: Path, style: str) -> None:
    pdf = _fixture(tmp_path / "t.pdf", style)
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            chars = page.chars
            words = charwords.extract_words(chars)
            assert _words(words) == _words(page.extract_words())
            assert charwords.page_text(words) == page.extract_text()
            for t in page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"}):
                assert textlayer._cell_texts(t, chars) == t.extract()


def test_letters_as_pdfplumber(tmp_path: Path) -> None:
    pdf = naskah_pdfs.decision_pdf(tmp_path / "k.pdf")
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            words = charwords.extract_words(page.chars)
            assert _words(words) == _words(page.extract_words())
            assert charwords.page_text(words) == page.extract_text()
            assert charwords.extract_text(page.chars) == pdfplumber.utils.extract_text(page.chars)
