"""Small SOP PDFs drawn with reportlab for the SOP parser tests.

Deliberately unlike the shared corpus generator: every cell is its own outlined rect (no
full-width row rects), list labels share their cell with the list, the activity header and the
quality group header are configurable (Aktivitas / Pendukung / Persyaratan / KET ...), a row of
column numbers may sit under the header, the flowchart runs over two pages with the header
repeated, and connectors between symbols are elbow polylines with filled arrow heads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

PAGE_W, PAGE_H = landscape(A4)
FONT, SIZE, LEAD = "Helvetica", 7.5, 9.0


@dataclass(frozen=True)
class StepSpec:
    """One flowchart row: text cells and the symbol drawn in actor column `actor`."""

    no: int
    kegiatan: str
    actor: int
    shape: str = "rect"  # rect | capsule | diamond | solid | none
    kelengkapan: str = ""
    waktu: str = ""
    output: str = ""
    keterangan: str = ""


@dataclass(frozen=True)
class FlowSpec:
    """The flowchart table and its header variant."""

    actors: tuple[str, ...]
    steps: tuple[StepSpec, ...]
    kegiatan_header: str = "Kegiatan"
    group_header: str = "Mutu Baku"
    kelengkapan_header: str = "Kelengkapan"
    waktu_header: str = "Waktu"
    keterangan_header: str = "Keterangan"
    column_numbers: bool = False
    rows_per_page: int = 10
    title: str = "SOP PELAYANAN PEMINJAMAN ARSIP"


@dataclass(frozen=True)
class IdentitySpec:
    """The identity page: label -> printed value, the office header, and the six list cells."""

    header: tuple[str, ...] = (
        "PEMERINTAH KOTA SAMARINDA", "DINAS PERPUSTAKAAN DAN KEARSIPAN", "KOTA SAMARINDA",
        "Jl. Letjen S. Parman No. 1 Samarinda",
    )
    fields: tuple[tuple[str, str], ...] = (
        ("Nomor SOP", "045.2 / 17 / 100.26 / 2024"),
        ("Tanggal Pembuatan", "3 Januari 2024"),
        ("Tanggal Revisi", "-"),
        ("Tanggal Pengesahan", "15 Januari 2024"),
        ("Disahkan Oleh", "KEPALA DINAS PERPUSTAKAAN\nDAN KEARSIPAN,\n\nDra. Siti Rahmawati, M.Si.\n"
                          "Pembina Utama Muda (IV/c)\nNIP. 19700101 199503 2 004"),
        ("Nama SOP", "SOP PELAYANAN PEMINJAMAN ARSIP"),
    )
    lists: tuple[tuple[str, str], ...] = (
        ("Dasar Hukum:", "1. Undang-Undang Nomor 43 Tahun 2009 tentang Kearsipan\n"
                         "2. Peraturan Pemerintah Nomor 28 Tahun 2012 tentang Pelaksanaan\n"
                         "Undang-Undang Nomor 43 Tahun 2009"),
        ("Kualifikasi Pelaksana:", "1. Memahami tata kearsipan\n2. Mampu mengoperasikan komputer"),
        ("Keterkaitan:", ""),
        ("Peralatan/Perlengkapan:", "1. Komputer\n2. Buku register peminjaman"),
        ("Peringatan:", "Jika arsip tidak dikembalikan, peminjam tidak dilayani kembali"),
        ("Pencatatan dan Pendataan:", "- Register peminjaman arsip"),
    )


@dataclass
class _Table:
    canvas: Canvas
    top: float
    xs: list[float] = field(default_factory=list)


def write_sop_pdf(path: Path, flow: FlowSpec, identity: IdentitySpec | None = None) -> Path:
    """Write an SOP (identity page unless None, then the flowchart pages) to `path`."""
    c = Canvas(str(path), pagesize=(PAGE_W, PAGE_H))
    c.setFont(FONT, SIZE)
    if identity is not None:
        _identity_page(c, identity)
        c.showPage()
    steps = list(flow.steps)
    for start in range(0, len(steps), flow.rows_per_page):
        c.setFont(FONT, SIZE)
        _flow_page(c, flow, steps[start:start + flow.rows_per_page])
        c.showPage()
    c.save()
    return path


def _y(top: float) -> float:
    return PAGE_H - top


def _cell(c: Canvas, x0: float, top: float, x1: float, bottom: float, text: str = "",
          center: bool = False) -> None:
    c.rect(x0, _y(bottom), x1 - x0, bottom - top, stroke=1, fill=0)
    lines = wrap(c, text, x1 - x0 - 6)
    for i, line in enumerate(lines):
        y = _y(top + 9 + i * LEAD)
        if center:
            c.drawCentredString((x0 + x1) / 2, y, line)
        else:
            c.drawString(x0 + 3, y, line)


def wrap(c: Canvas, text: str, width: float, font: str = FONT, size: float = SIZE) -> list[str]:
    """`text` broken into lines no wider than `width` in `font` at `size` (its own breaks kept)."""
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            trial = f"{line} {word}".strip()
            if line and c.stringWidth(trial, font, size) > width:
                out.append(line)
                line = word
            else:
                line = trial
        out.append(line)
    return out


def _identity_page(c: Canvas, spec: IdentitySpec) -> None:
    x0, xm, xl, x1 = 30.0, 340.0, 450.0, 812.0
    top, heights = 30.0, [22.0, 22.0, 22.0, 22.0, 80.0, 30.0]
    _cell(c, x0, top, xm, top + sum(heights), "\n".join(spec.header), center=True)
    y = top
    for (label, value), h in zip(spec.fields, heights, strict=True):
        _cell(c, xm, y, xl, y + h, label)
        _cell(c, xl, y, x1, y + h, value)
        y += h
    y += 8
    half = (x0 + x1) / 2
    for i in range(0, len(spec.lists), 2):
        (la, va), (lb, vb) = spec.lists[i], spec.lists[i + 1]
        h = 16 + LEAD * max(len(wrap(c, va, half - x0 - 6)), len(wrap(c, vb, x1 - half - 6)))
        _cell(c, x0, y, half, y + h, f"{la}\n{va}".strip())
        _cell(c, half, y, x1, y + h, f"{lb}\n{vb}".strip())
        y += h


def _flow_columns(flow: FlowSpec) -> list[float]:
    widths = [28, 170] + [66] * len(flow.actors) + [92, 64, 92, 62]
    xs = [26.0]
    for w in widths:
        xs.append(xs[-1] + w)
    return xs


def _flow_page(c: Canvas, flow: FlowSpec, steps: list[StepSpec]) -> None:
    c.drawString(26, _y(30), flow.title)
    xs = _flow_columns(flow)
    n = len(flow.actors)
    a0, q0 = 2, 2 + n  # first actor column, first quality column
    top, mid, bottom = 40.0, 60.0, 84.0
    _cell(c, xs[0], top, xs[1], bottom, "No", center=True)
    _cell(c, xs[1], top, xs[2], bottom, flow.kegiatan_header, center=True)
    _cell(c, xs[a0], top, xs[q0], mid, "Pelaksana", center=True)
    for i, actor in enumerate(flow.actors):
        _cell(c, xs[a0 + i], mid, xs[a0 + i + 1], bottom, actor, center=True)
    _cell(c, xs[q0], top, xs[q0 + 3], mid, flow.group_header, center=True)
    for j, name in enumerate((flow.kelengkapan_header, flow.waktu_header, "Output")):
        _cell(c, xs[q0 + j], mid, xs[q0 + j + 1], bottom, name, center=True)
    _cell(c, xs[q0 + 3], top, xs[q0 + 4], bottom, flow.keterangan_header, center=True)
    y = bottom
    if flow.column_numbers:
        for j in range(len(xs) - 1):
            _cell(c, xs[j], y, xs[j + 1], y + 14, str(j + 1), center=True)
        y += 14
    centres = []
    for step in steps:
        h = 46.0
        texts = [f"{step.no}.", step.kegiatan] + [""] * n + [
            step.kelengkapan, step.waktu, step.output, step.keterangan]
        for j, text in enumerate(texts):
            _cell(c, xs[j], y, xs[j + 1], y + h, text)
        cx = (xs[a0 + step.actor] + xs[a0 + step.actor + 1]) / 2
        _symbol(c, step.shape, cx, y + h / 2)
        centres.append((cx, y + h / 2))
        y += h
    for (xa, ya), (xb, yb) in zip(centres, centres[1:], strict=False):
        _connector(c, xa, ya + 9, xb, yb - 9)


def _symbol(c: Canvas, shape: str, cx: float, cy: float) -> None:
    w, h = 44.0, 18.0
    if shape == "rect":
        c.rect(cx - w / 2, _y(cy + h / 2), w, h, stroke=1, fill=0)
    elif shape == "solid":  # a black square, as some templates print every symbol
        c.rect(cx - h / 2, _y(cy + h / 2), h, h, stroke=1, fill=1)
    elif shape == "capsule":
        c.roundRect(cx - w / 2, _y(cy + h / 2), w, h, h / 2, stroke=1, fill=0)
    elif shape == "diamond":
        p = c.beginPath()
        p.moveTo(cx, _y(cy - 13))
        p.lineTo(cx + 24, _y(cy))
        p.lineTo(cx, _y(cy + 13))
        p.lineTo(cx - 24, _y(cy))
        p.close()
        c.drawPath(p, stroke=1, fill=0)


def _connector(c: Canvas, xa: float, ya: float, xb: float, yb: float) -> None:
    """An elbow polyline (one path, a 'curve' to pdfplumber) and a filled arrow head.

    The horizontal leg runs just under the source symbol, inside the source row, so the
    connector's box overlaps that row's band like a symbol would.
    """
    p = c.beginPath()
    p.moveTo(xa, _y(ya))
    p.lineTo(xa, _y(ya + 4))
    p.lineTo(xb, _y(ya + 4))
    p.lineTo(xb, _y(yb - 5))
    c.drawPath(p, stroke=1, fill=0)
    head = c.beginPath()
    head.moveTo(xb - 3, _y(yb - 5))
    head.lineTo(xb + 3, _y(yb - 5))
    head.lineTo(xb, _y(yb))
    head.close()
    c.drawPath(head, stroke=1, fill=1)


STEPS = (
    StepSpec(1, "Menerima permohonan peminjaman arsip dari pengguna", 0, "capsule",
             "- Formulir peminjaman\n- KTP", "15", "Formulir terisi", "-"),
    StepSpec(2, "Memeriksa kelengkapan formulir peminjaman", 1, "rect",
             "Formulir terisi", "2 jam", "Formulir diperiksa"),
    StepSpec(3, "Menilai permohonan. Jika disetujui diteruskan, jika tidak dikembalikan kepada "
                "pengguna", 2, "diamond", "Formulir diperiksa", "Paling lambat 3 hari kerja",
             "Disposisi", "Ya / Tidak"),
    StepSpec(4, "Mencari arsip pada rak penyimpanan", 1, "rect", "Disposisi", "15'",
             "Arsip ditemukan"),
    StepSpec(5, "Mencatat peminjaman dalam buku register", 3, "rect", "Buku register",
             "Setiap saat", "Register terisi"),
    StepSpec(6, "Menyerahkan arsip kepada pengguna", 1, "rect", "Arsip", "", "Tanda terima"),
    StepSpec(7, "Menerima arsip yang dipinjam", 0, "capsule", "Tanda terima", "1 minggu",
             "Arsip diterima"),
)
ACTORS = ("Pengguna Layanan", "Petugas Arsip", "Kepala Bidang", "Staf Register")
