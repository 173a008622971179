"""Small letters and decisions drawn with reportlab, for the naskah parser and classifier tests.

Every person, number and office name here is made up; the layouts follow real regional letters
(a two-column head with the addressee on the right, `Kepada Yth.` below the labels, a Keputusan
with `TENTANG` and a landscape lampiran table).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

W, H = A4


def _text(c: Canvas, x: float, top: float, text: str, size: float = 11, bold: bool = False) -> None:
    """Draw `text` with its top at `top` points from the top of the page."""
    c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
    c.drawString(x, c._pagesize[1] - top - size, text)


def _centred(c: Canvas, top: float, text: str, size: float = 11, bold: bool = False) -> None:
    c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
    c.drawCentredString(c._pagesize[0] / 2, c._pagesize[1] - top - size, text)


def _kop(c: Canvas, pemerintah: str, office: Sequence[str], address: str) -> float:
    """Draw a letterhead; returns the top of the first line below its double rule."""
    _centred(c, 30, pemerintah, 14, bold=True)
    top = 50.0
    for line in office:
        _centred(c, top, line, 16, bold=True)
        top += 20
    _centred(c, top + 2, address, 9)
    y = H - top - 20
    c.setLineWidth(2)
    c.line(40, y, W - 40, y)
    c.setLineWidth(0.5)
    c.line(40, y - 3, W - 40, y - 3)
    return top + 35


@dataclass
class Letter:
    """What to print on a test letter (defaults: a two-column head)."""

    pemerintah: str = "PEMERINTAH KOTA SAMARINDA"
    office: tuple[str, ...] = ("BADAN KEPEGAWAIAN DAN PENGEMBANGAN", "SUMBER DAYA MANUSIA")
    address: str = "Jl. Kesuma Bangsa No. 12 Samarinda 75123 Telepon (0541) 741234"
    place_date: str = "Samarinda, 3 Maret 2025"
    nomor: str = "000.8.6.3/ 36 /BKPSDM/2025"
    hal_label: str = "Perihal"
    perihal: tuple[str, ...] = ("Penyampaian Laporan Kinerja", "Instansi Pemerintah Tahun", "2024")
    kepada_lines: tuple[str, ...] = (
        "Kepada",
        "Yth. Kepala Badan Perencanaan",
        "Pembangunan Daerah Kota",
        "Samarinda",
    )
    after_kepada: tuple[str, ...] = ("di -", "   Tempat")
    body: tuple[str, ...] = (
        "Dengan hormat,",
        "Bersama ini kami sampaikan Laporan Kinerja Instansi Pemerintah Tahun 2024 untuk",
        "dipergunakan sebagaimana mestinya. Atas perhatian Saudara kami ucapkan terima kasih.",
    )
    single_column: bool = False
    extra_labels: tuple[tuple[str, str], ...] = field(
        default=(("Sifat", "Biasa"), ("Lampiran", "1 (satu) berkas"))
    )


def letter_pdf(path: Path, spec: Letter | None = None) -> Path:
    """Write a one-page letter following `spec` and return its path."""
    spec = spec or Letter()
    c = Canvas(str(path), pagesize=A4)
    top = _kop(c, spec.pemerintah, spec.office, spec.address)
    right = 330.0
    _text(c, right, top, spec.place_date)
    top += 22
    labels = [("Nomor", spec.nomor), *spec.extra_labels, (spec.hal_label, spec.perihal[0])]
    label_tops = []
    for label, value in labels:
        _text(c, 50, top, label)
        _text(c, 110, top, ":")
        _text(c, 120, top, value)
        label_tops.append(top)
        top += 16
    for extra in spec.perihal[1:]:
        _text(c, 120, top, extra)
        top += 16
    if spec.single_column:
        top += 14
        block_x, block_top = 50.0, top
    else:
        block_x, block_top = right, label_tops[0]
    for line in (*spec.kepada_lines, *spec.after_kepada):
        _text(c, block_x, block_top, line)
        block_top += 16
    top = max(top, block_top) + 24
    for line in spec.body:
        _text(c, 50, top, line)
        top += 16
    _text(c, right, top + 30, "KEPALA BADAN,")
    _text(c, right, top + 90, "Drs. HARTONO WIBISONO, M.Si")
    _text(c, right, top + 104, "NIP. 19700101 199503 1 004")
    c.save()
    return path


Target = tuple[str, str, str]  # indikator, satuan, target


@dataclass
class Decision:
    """What to print on a test Keputusan (with a two-level lampiran table by default)."""

    signed_date: str = "Pada tanggal       Februari 2024"
    lampiran_date: str | None = "TANGGAL : 5 Februari 2024"
    groups: tuple[tuple[str, tuple[Target, ...]], ...] = (
        (
            "Meningkatnya kualitas\npelayanan kesehatan",
            (
                ("Indeks Kepuasan\nMasyarakat", "Indeks", "82,50"),
                ("Persentase puskesmas\nterakreditasi", "Persen", "95%"),
                ("Tingkat kematangan\nmanajemen risiko", "Level", "Level 3"),
            ),
        ),
        ("Meningkatnya akuntabilitas\nkinerja", (("Nilai SAKIP", "Nilai", "BB (72)"),)),
    )
    rows_on_first_page: int = 2
    """indicator rows on the first lampiran page; the rest continue on the next page, whose
    first row has no top rule (as real lampiran tables often do)"""
    kop: tuple[str, tuple[str, ...], str] = (
        "PEMERINTAH KABUPATEN KUTAI TIMUR", ("DINAS KESEHATAN",), "Jl. Soekarno Hatta No. 5 Sangatta 75611")
    """first line, office lines and address of the letterhead (a regional head's decision has
    only its title: `BUPATI ...`, no office, no address)"""
    heading: tuple[str, ...] = (
        "KEPUTUSAN KEPALA DINAS KESEHATAN KABUPATEN KUTAI TIMUR",
        "NOMOR : 800/ 41 /DINKES/II/2024",
        "",
        "TENTANG",
        "PENETAPAN RENCANA KINERJA TAHUNAN",
        "DINAS KESEHATAN KABUPATEN KUTAI TIMUR",
        "TAHUN 2024",
        "",
        "KEPALA DINAS KESEHATAN KABUPATEN KUTAI TIMUR,",
    )


def decision_pdf(path: Path, spec: Decision | None = None) -> Path:
    """Write a Keputusan (heading, TENTANG title, diktum, signature, lampiran table)."""
    spec = spec or Decision()
    c = Canvas(str(path), pagesize=A4)
    top = _kop(c, *spec.kop)
    for line in spec.heading:
        if line:
            _centred(c, top, line, bold=True)
        top += 16
    top += 10
    for line in (
        "Menimbang : bahwa untuk melaksanakan Peraturan Bupati tentang Rencana Strategis",
        "perlu menetapkan Keputusan Kepala Dinas tentang Rencana Kinerja Tahunan;",
        "Mengingat : 1. Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah;",
        "MEMUTUSKAN :",
        "Menetapkan :",
        "KESATU : Rencana Kinerja Tahunan sebagaimana tercantum dalam Lampiran.",
        "KEDUA : Keputusan ini mulai berlaku pada tanggal ditetapkan.",
    ):
        _text(c, 50, top, line)
        top += 16
    _text(c, 330, top + 20, "Ditetapkan di Sangatta")
    _text(c, 330, top + 36, spec.signed_date)
    _text(c, 330, top + 60, "KEPALA DINAS KESEHATAN,")
    c.showPage()
    _lampiran(c, spec)
    c.save()
    return path


_HEADER = (
    "NO",
    "Sasaran",
    "Indikator Sasaran",
    "Satuan",
    "Target",
    "Program",
    "Indikator Program",
    "Target",
)
_WIDTHS = (30, 150, 160, 60, 60, 110, 120, 50)


def _lampiran(c: Canvas, spec: Decision) -> None:
    c.setPageSize(landscape(A4))
    _text(c, 480, 40, "LAMPIRAN : KEPUTUSAN KEPALA DINAS KESEHATAN")
    _text(c, 480, 56, "NOMOR : 800/ 41 /DINKES/II/2024")
    if spec.lampiran_date:
        _text(c, 480, 72, spec.lampiran_date)
    _centred(c, 100, "RENCANA KINERJA TAHUNAN TAHUN 2024", bold=True)
    flat = [(g, no, t) for no, (g, targets) in enumerate(spec.groups, 1) for t in targets]
    xs = [40.0]
    for w in _WIDTHS:
        xs.append(xs[-1] + w)
    top = _row(c, xs, 130, _HEADER, rule_top=True, rules=range(len(_WIDTHS)))
    _rows(c, xs, top, flat[: spec.rows_on_first_page], rule_top=False)
    c.showPage()
    c.setPageSize(landscape(A4))
    _rows(c, xs, 50, flat[spec.rows_on_first_page :], rule_top=False)
    c.showPage()


def _rows(
    c: Canvas, xs: list[float], top: float, flat: list[tuple[str, int, Target]], rule_top: bool
) -> None:
    """Indicator rows; the NO and Sasaran cells are merged over a sasaran's rows, text centred."""
    group_top, group_lines = top, 0
    for i, (sasaran, no, (indikator, satuan, target)) in enumerate(flat):
        last_of_group = i + 1 == len(flat) or flat[i + 1][1] != no
        cells = (
            "",
            "",
            indikator,
            satuan,
            target,
            "Program\npelayanan",
            "Persentase\nlayanan",
            "100",
        )
        rules = range(len(cells)) if last_of_group else range(2, len(cells))
        bottom = _row(c, xs, top, cells, rule_top=rule_top and i == 0, rules=rules)
        group_lines = max(group_lines, len(sasaran.split("\n")))
        if last_of_group:
            mid = (group_top + bottom) / 2 - 13 * group_lines / 2
            _text(c, xs[0] + 4, mid, str(no), 10)
            for k, line in enumerate(sasaran.split("\n")):
                _text(c, xs[1] + 4, mid + 13 * k, line, 10)
            group_top, group_lines = bottom, 0
        top = bottom


def _row(
    c: Canvas,
    xs: Sequence[float],
    top: float,
    cells: Sequence[str],
    rule_top: bool,
    rules: Iterable[int],
) -> float:
    """Draw one table row's texts and rules; returns its bottom."""
    ph = c._pagesize[1]
    height = 8 + 13 * max(len(cell.split("\n")) for cell in cells)
    c.setLineWidth(0.7)
    for j, cell in enumerate(cells):
        for k, line in enumerate(cell.split("\n")):
            _text(c, xs[j] + 4, top + 4 + 13 * k, line, 10)
    if rule_top:
        c.line(xs[0], ph - top, xs[-1], ph - top)
    for j in rules:
        c.line(xs[j], ph - top - height, xs[j + 1], ph - top - height)
    for x in xs:
        c.line(x, ph - top, x, ph - top - height)
    return top + height
