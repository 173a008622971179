"""Tables from text alignment, on page models built word by word (as OCR would give them)."""

from __future__ import annotations

from ingest.layout import Box, PageContent, Word
from ingest.parsers.aligned import aligned_tables
from ingest.parsers.indicators import body_rows, read_header


def _line(top: float, *items: tuple[float, str]) -> list[Word]:
    """Words at x (left edge) on one line, 5 pt per character, 10 pt tall."""
    out = []
    for x, text in items:
        for part in text.split(" "):
            out.append(Word(part, Box(x, top, x + 5 * len(part), top + 10)))
            x += 5 * len(part) + 3
    return out


def _page(lines: list[list[Word]]) -> PageContent:
    words = tuple(w for ln in lines for w in ln)
    return PageContent(number=1, width=595, height=842, text=" ".join(w.text for w in words),
                       words=words, ocr=True)


def test_tight_header_is_split_at_its_role_words() -> None:
    """'Target', 'Realisasi', 'Capaian' only 6 pt apart: too close for a column gap of their
    own, still three columns because each names another role."""
    page = _page([
        _line(100, (40, "No"), (70, "Indikator Sasaran"), (250, "Target"), (286, "Realisasi"),
              (337, "Capaian")),
        _line(120, (40, "1"), (70, "Nilai SAKIP"), (255, "70"), (295, "76,45"), (340, "109,21")),
        _line(134, (40, "2"), (70, "Indeks kepuasan"), (255, "80"), (295, "82,00"), (340, "102,50")),
    ])
    tables = aligned_tables(page)
    assert len(tables) == 1
    layout = read_header(tables[0])
    assert layout is not None
    assert layout.roles == ("no", "indikator", "target", "realisasi", "capaian")
    rows = body_rows(tables[0], layout)
    assert [(r["indikator"], r["target"], r["realisasi"], r["capaian"]) for r in rows] == [
        ("Nilai SAKIP", "70", "76,45", "109,21"), ("Indeks kepuasan", "80", "82,00", "102,50")]


def test_prose_below_the_table_ends_it() -> None:
    page = _page([
        _line(100, (40, "No"), (70, "Indikator"), (250, "Target"), (300, "Realisasi"), (360, "Capaian")),
        _line(120, (40, "1"), (70, "Nilai SAKIP"), (255, "70"), (305, "76,45"), (365, "109,21")),
        _line(150, (40, "Berdasarkan tabel di atas capaian kinerja tahun ini sangat baik sekali")),
        _line(164, (40, "dan seluruh target telah tercapai dengan baik oleh semua bidang")),
    ])
    tables = aligned_tables(page)
    assert len(tables) == 1 and len(tables[0].rows) == 2


def test_lone_spanning_heading_above_the_header_gives_its_year() -> None:
    page = _page([
        _line(88, (250, "CAPAIAN KINERJA TAHUN 2016")),
        _line(100, (40, "No"), (70, "Indikator"), (250, "Target"), (300, "Realisasi"), (360, "Capaian")),
        _line(120, (40, "1"), (70, "Nilai SAKIP"), (255, "70"), (305, "76,45"), (365, "109,21")),
    ])
    tables = aligned_tables(page)
    assert len(tables) == 1
    layout = read_header(tables[0])
    assert layout is not None
    assert layout.roles == ("no", "indikator", "target", "realisasi", "capaian")
    assert layout.years[2:] == (2016, 2016, 2016)
