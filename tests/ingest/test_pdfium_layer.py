"""The text layer read by pdfium gives the readers what pdfplumber alone gave them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import pdfium_layer, textlayer
from ingest.layout import PageContent
from tests.ingest import naskah_pdfs
from tests.ingest.table_pdfs import canvas, draw_table, sideways, text

ROWS = [["No", "Indikator Kinerja", "Satuan", "Target", "Realisasi", "Capaian"],
        ["1", "Persentase jalan kondisi baik", "%", "85,00", "80,75", "95,00"],
        ["2", "Indeks kepuasan\nmasyarakat", "indeks", "3,50", "3,62", "103,43"]]
WIDTHS = [28, 170, 50, 55, 60, 60]


def _table_pdf(path: Path, style: str) -> Path:
    c = canvas(path)
    text(c, 72, 80, "Tabel 3.1 Capaian Indikator Kinerja Utama Tahun 2023", 11)
    draw_table(c, 60, 100, WIDTHS, ROWS, style=style)
    text(c, 72, 400, "Sumber: data olahan, dengan catatan berikut ini.")
    c.showPage()
    c.save()
    return path


def _assert_same(new: PageContent, old: PageContent) -> None:
    assert new.text == old.text
    assert [w.text for w in new.words] == [w.text for w in old.words]
    # pdfium places glyphs of an embedded font by the font's own advances, pdfminer by the
    # /Widths array: along a line they drift apart, by up to half a point on the shared sets
    for a, b in zip(new.words, old.words, strict=True):
        assert abs(a.box.x0 - b.box.x0) < 1.0 and abs(a.box.x1 - b.box.x1) < 1.0
        assert abs(a.box.top - b.box.top) < 0.05 and abs(a.box.bottom - b.box.bottom) < 0.05
    assert [t.texts() for t in new.tables] == [t.texts() for t in old.tables]
    assert sorted((s.kind, s.points, s.filled) for s in new.shapes) == \
        sorted((s.kind, s.points, s.filled) for s in old.shapes)
    assert (round(new.width, 2), round(new.height, 2)) == (round(old.width, 2), round(old.height, 2))


def _both(pdf: Path) -> tuple[tuple[PageContent, ...], list[PageContent]]:
    return textlayer.read_text_layer(pdf).pages, textlayer._read_pdfplumber(pdf, None)


@pytest.mark.parametrize("style", ["ruled", "filled", "borderless", "header-ruled", "hrules"])
def test_tables_read_as_pdfplumber_reads_them(tmp_path: Path, style: str) -> None:
    pdf = _table_pdf(tmp_path / f"{style}.pdf", style)
    assert all(p is not None for p in pdfium_layer.read_pages(pdf) or [None])  # read by pdfium
    new, old = _both(pdf)
    for a, b in zip(new, old, strict=True):
        _assert_same(a, b)


@pytest.mark.parametrize("make", [naskah_pdfs.letter_pdf, naskah_pdfs.decision_pdf])
def test_letters_read_as_pdfplumber_reads_them(tmp_path: Path, make: object) -> None:
    pdf = make(tmp_path / "naskah.pdf")  # type: ignore[operator]
    new, old = _both(pdf)
    assert len(new) == len(old)
    for a, b in zip(new, old, strict=True):
        _assert_same(a, b)


def test_space_written_as_its_own_object_still_parts_the_words(tmp_path: Path) -> None:
    """Word exports write a space as its own text object; pdfium leaves blank objects out of its
    text page, and two words less than 3 pt apart would run together."""
    c = canvas(tmp_path / "spaces.pdf")
    c.setFont("Helvetica", 11)
    y = c._pagesize[1] - 100
    c.drawString(72, y, "Tugas Pokok dan")
    end = 72 + c.stringWidth("Tugas Pokok dan", "Helvetica", 11)
    c.drawString(end - 0.4, y, " ")
    c.drawString(end + 1.6, y, "Fungsi Berdasarkan peraturan daerah yang berlaku.")
    c.showPage()
    c.save()
    new, old = _both(tmp_path / "spaces.pdf")
    assert "dan Fungsi" in old[0].text
    _assert_same(new[0], old[0])


def test_ligature_glyph_is_one_character_over_its_advance(tmp_path: Path) -> None:
    """A font's 'ﬁ' glyph: pdfium splits it into 'f' and 'i' at one origin; pdfminer has one
    character as wide as the glyph, and the word goes on after it."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.exists():
        pytest.skip("DejaVu Sans not installed")
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(font)))
    c = canvas(tmp_path / "ligature.pdf")
    c.setFont("DejaVuSans", 11)
    c.drawString(72, 700, "Laporan kinerja \ufb01nal dan veri\ufb01kasi berkas yang de\ufb01nitif.")
    c.showPage()
    c.save()
    new, old = _both(tmp_path / "ligature.pdf")
    assert "verifikasi" in old[0].text
    _assert_same(new[0], old[0])


def test_page_without_rules_skips_the_table_finder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = _table_pdf(tmp_path / "borderless.pdf", "borderless")
    raw = (pdfium_layer.read_pages(pdf) or [None])[0]
    assert raw is not None and not raw.may_hold_table()
    import pdfplumber.table

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the table finder ran on a page without rules")

    monkeypatch.setattr(pdfplumber.table, "TableFinder", refuse)
    assert textlayer.read_text_layer(pdf).pages[0].tables == ()


def test_page_with_a_ruled_table_runs_the_table_finder(tmp_path: Path) -> None:
    pdf = _table_pdf(tmp_path / "ruled.pdf", "ruled")
    raw = (pdfium_layer.read_pages(pdf) or [None])[0]
    assert raw is not None and raw.may_hold_table()
    tables = textlayer.read_text_layer(pdf).pages[0].tables
    assert tables and tables[0].texts()[1][1] == "Persentase jalan kondisi baik"


def _sideways_pdf(path: Path, reads_down: bool = False) -> Path:
    """A text page, then a ruled table printed across a portrait page (read by turning the
    paper clockwise, or anticlockwise with `reads_down`)."""
    c = canvas(path)
    text(c, 72, 80, "Halaman biasa dengan teks yang cukup panjang untuk dibaca sebagai lapisan teks.")
    c.showPage()
    if reads_down:
        c.translate(0, c._pagesize[1])
        c.rotate(-90)
        height = c._pagesize[0]
    else:
        height = sideways(c)
    text(c, 72, 60, "Tabel 3.1 Capaian Indikator Kinerja Utama Tahun 2023", 11, page_height=height)
    draw_table(c, 60, 80, WIDTHS, ROWS, style="ruled", page_height=height)
    c.showPage()
    c.save()
    return path


@pytest.mark.parametrize("reads_down", [False, True])
def test_sideways_page_is_turned_and_read_as_pdfplumber_reads_it(tmp_path: Path, reads_down: bool) -> None:
    pdf = _sideways_pdf(tmp_path / "sideways.pdf", reads_down)
    raw = pdfium_layer.read_pages(pdf) or []
    assert raw[0] is not None and raw[0].turn == 0
    assert raw[1] is not None and raw[1].turn == (270 if reads_down else 90)  # read by pdfium, turned
    new, old = _both(pdf)
    assert any("diputar" in w for w in old[1].warnings)  # pdfplumber turned it too
    for a, b in zip(new, old, strict=True):
        _assert_same(a, b)
        assert a.warnings == b.warnings
    assert new[1].tables and new[1].tables[0].texts()[0][1] == "Indikator Kinerja"


@pytest.mark.parametrize(("sideways_page", "rotate", "frame", "turn"), [
    (True, 90, 90, 0),  # stored sideways, /Rotate shows it upright: read as shown
    (False, 90, 0, 270),  # stored upright, shown sideways by /Rotate: turned back, as pdfplumber does
    (False, 270, 0, 90),
])
def test_page_with_a_rotation_is_read_in_its_frame(tmp_path: Path, sideways_page: bool, rotate: int,
                                                   frame: int, turn: int) -> None:
    from pypdf import PdfReader, PdfWriter

    source = _sideways_pdf(tmp_path / "source.pdf")
    writer = PdfWriter()
    writer.add_page(PdfReader(source).pages[1 if sideways_page else 0]).rotate(rotate)
    rotated = tmp_path / "rotated.pdf"
    with rotated.open("wb") as out:
        writer.write(out)
    raw = pdfium_layer.read_pages(rotated) or []
    assert raw and raw[0] is not None and (raw[0].rotation, raw[0].turn) == (frame, turn)
    new, old = _both(rotated)
    _assert_same(new[0], old[0])
    assert new[0].warnings == old[0].warnings


@pytest.mark.parametrize("upwards", [True, False])
def test_page_with_some_text_printed_upwards_is_read_as_pdfplumber_reads_it(tmp_path: Path, upwards: bool) -> None:
    """A table whose narrow column headings are printed up (or down) the cell: pdfplumber reads
    those characters as words running down; pdfium gives it the same characters."""
    c = canvas(tmp_path / "mixed.pdf")
    text(c, 72, 80, "Tabel 3.1 Capaian Indikator Kinerja Utama Tahun 2023", 11)
    draw_table(c, 60, 100, WIDTHS, ROWS, style="ruled")
    for n, heading in enumerate(["Bobot", "Tahun lalu"]):
        c.saveState()
        c.translate(480 + 14 * n, c._pagesize[1] - (180 if upwards else 110))
        c.rotate(90 if upwards else -90)
        c.setFont("Helvetica", 9)
        c.drawString(0, 0, heading)
        c.restoreState()
    c.showPage()
    c.save()
    raw = pdfium_layer.read_pages(tmp_path / "mixed.pdf") or []
    assert raw and raw[0] is not None and raw[0].turn == 0  # read by pdfium, not turned
    assert any(not ch["upright"] for ch in raw[0].chars)
    new, old = _both(tmp_path / "mixed.pdf")
    _assert_same(new[0], old[0])
    # pdfplumber reads characters that are not upright top to bottom: upwards text comes out reversed
    assert ("toboB" if upwards else "Bobot") in [w.text for w in new[0].words]


def test_characters_leaning_by_rounding_noise_read_as_upright(tmp_path: Path) -> None:
    """A figure pasted from a drawing program: its text matrices carry 1e-8 of shear.  pdfminer
    calls such characters not upright (pdfplumber then read them top to bottom, a letter a
    line, and turned the page when they outnumbered the body text); both readings now take
    them as the level text they are."""
    c = canvas(tmp_path / "noise.pdf")
    text(c, 72, 80, "Halaman dengan gambar yang ditempel dari program gambar.")
    c.saveState()
    c.transform(0.138, -3.8e-9, -8.3e-9, 0.209, 72, 300)
    t = c.beginText(0, 0)
    t.setFont("Helvetica", 50)
    for n, line in enumerate(["Matriks Peran dan Hasil Inspektorat Kabupaten Sukamaju",
                              "Bidang Pengawasan Keuangan dan Aset Daerah Tahun 2022"] * 3):
        t.setTextOrigin(0, -60 * n)
        t.textLine(line)
    c.drawText(t)
    c.restoreState()
    c.showPage()
    c.save()
    raw = pdfium_layer.read_pages(tmp_path / "noise.pdf") or []
    assert raw and raw[0] is not None and raw[0].turn == 0
    new, old = _both(tmp_path / "noise.pdf")
    _assert_same(new[0], old[0])
    assert not old[0].warnings  # not turned
    assert "Matriks Peran dan Hasil Inspektorat Kabupaten Sukamaju" in new[0].text


def test_file_pdfium_cannot_open_is_left_to_pdfplumber(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\nnot a pdf at all")
    assert pdfium_layer.read_pages(bad) is None


def test_each_page_is_converted_before_the_next_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One page's raw characters at a time: a long report's raw pages all held at once took
    ~110 MB where their contents take ~30 MB."""
    c = canvas(tmp_path / "three.pdf")
    for n in range(3):
        text(c, 72, 80, f"Halaman {n + 1} dari laporan kinerja tahunan")
        c.showPage()
    c.save()
    events: list[str] = []
    real = pdfium_layer._read_page

    def reading(page: object, number: int) -> pdfium_layer.RawPage:
        events.append(f"read {number}")
        return real(page, number)

    def converting(raw: pdfium_layer.RawPage) -> pdfium_layer.RawPage:
        events.append("convert")
        return raw

    monkeypatch.setattr(pdfium_layer, "_read_page", reading)
    got = pdfium_layer.read_pages_as(tmp_path / "three.pdf", converting)
    assert got is not None and len(got) == 3
    assert events == ["read 1", "convert", "read 2", "convert", "read 3", "convert"]
