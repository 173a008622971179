"""SOP pages of other templates, drawn with reportlab: identity pages without a grid and a
flowchart whose Pelaksana is one column of names.

- `label_lines`: the identity page as `Label : value` lines (no rules), a multi-line
  Disahkan Oleh block under its value, lists as a label line with numbered lines under it.
- `labels_in_a_row`: the four dates/number labels side by side with their values on the next
  line, then `Label : value` lines.
- `names_flow`: a ruled table No | Aktivitas | Pelaksana | Mutu Baku (Persyaratan, Waktu,
  Output) | Keterangan with a column-number row under the header, no symbols, the actor's name
  printed in the Pelaksana cell.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from tests.ingest.sop_fixtures import _cell, _y

PAGE_W, PAGE_H = landscape(A4)
FONT, SIZE, LEAD = "Helvetica", 9.0, 12.0

HEADER = ("PEMERINTAH KABUPATEN SUKAMAJU", "BADAN PENDAPATAN DAERAH", "Jl. Merdeka No. 5 Sukamaju")
SIGNATORY = ("KEPALA BADAN PENDAPATAN DAERAH", "KABUPATEN SUKAMAJU,", "", "Ir. Budi Hartono, M.M.",
             "Pembina Tingkat I (IV/b)", "NIP. 19750312 200003 1 002")
LISTS = (
    ("Dasar Hukum :", ("1. Undang-Undang Nomor 28 Tahun 2009 tentang Pajak Daerah",
                       "2. Peraturan Daerah Nomor 3 Tahun 2020 tentang Pajak Daerah")),
    ("Kualifikasi Pelaksana :", ("1. Memahami peraturan pajak daerah", "2. Mampu mengoperasikan komputer")),
    ("Keterkaitan :", ("SOP Penagihan Pajak Daerah",)),
    ("Peralatan/Perlengkapan :", ("1. Komputer", "2. Printer")),
    ("Peringatan :", ("Jika berkas tidak lengkap, permohonan dikembalikan",)),
    ("Pencatatan dan Pendataan :", ("1. Buku register permohonan",)),
)
NAME_STEPS = (
    ("1.", "Menerima berkas permohonan", "Petugas Loket", "Formulir", "10 menit", "Berkas"),
    ("2.", "Memeriksa kelengkapan berkas", "Kepala Sub Bidang", "Berkas", "1 hari", "Berkas diperiksa"),
    ("3.", "Menandatangani surat keputusan", "Kepala Badan", "Draf surat", "2 jam", "Surat keputusan"),
    ("4.", "Menyerahkan surat kepada pemohon", "Petugas Loket", "Surat keputusan", "15 menit", "Tanda terima"),
)


def _text(c: Canvas, x: float, top: float, text: str) -> None:
    c.drawString(x, _y(top + SIZE), text)


def _header(c: Canvas) -> float:
    top = 30.0
    for line in HEADER:
        c.drawCentredString(PAGE_W / 2, _y(top + SIZE), line)
        top += LEAD
    return top + LEAD


def _lists(c: Canvas, top: float) -> float:
    for label, items in LISTS:
        _text(c, 40, top, label)
        top += LEAD
        for item in items:
            _text(c, 52, top, item)
            top += LEAD
        top += 4
    return top


def label_lines(path: Path) -> Path:
    """The identity page as `Label : value` lines, then the names flowchart."""
    c = Canvas(str(path), pagesize=(PAGE_W, PAGE_H))
    c.setFont(FONT, SIZE)
    top = _header(c)
    fields = (("Nomor SOP", ("973/12/BAPENDA/2023",)), ("Tanggal Pembuatan", ("2 Mei 2023",)),
              ("Tanggal Revisi", ("-",)), ("Tanggal Efektif", ("15 Mei 2023",)),
              ("Disahkan Oleh", SIGNATORY), ("Nama SOP", ("PELAYANAN KEBERATAN PAJAK DAERAH",)))
    for label, lines in fields:
        _text(c, 40, top, label)
        _text(c, 190, top, ":")
        for line in lines:
            if line:
                _text(c, 200, top, line)
            top += LEAD
    _lists(c, top + 6)
    c.showPage()
    _names_flow(c)
    c.save()
    return path


def labels_in_a_row(path: Path) -> Path:
    """The number and dates as labels in one row with their values under them; then the rest."""
    c = Canvas(str(path), pagesize=(PAGE_W, PAGE_H))
    c.setFont(FONT, SIZE)
    top = _header(c)
    xs = (40.0, 230.0, 420.0, 610.0)
    row = (("Nomor SOP", "973/12/BAPENDA/2023"), ("Tanggal Pembuatan", "2 Mei 2023"),
           ("Tanggal Revisi", "-"), ("Tanggal Efektif", "15 Mei 2023"))
    for x, (label, value) in zip(xs, row, strict=True):
        _text(c, x, top, label)
        _text(c, x, top + LEAD + 2, value)
    top += 3 * LEAD
    _text(c, 40, top, "Nama SOP : PELAYANAN KEBERATAN PAJAK DAERAH")
    top += 2 * LEAD
    _text(c, 40, top, "Disahkan Oleh")
    for line in SIGNATORY:
        if line:
            _text(c, 230, top, line)
        top += LEAD
    _lists(c, top + 6)
    c.showPage()
    _names_flow(c)
    c.save()
    return path


def _names_flow(c: Canvas) -> None:
    c.setFont(FONT, 7.5)
    c.drawString(26, _y(30), "SOP PELAYANAN KEBERATAN PAJAK DAERAH")
    xs = [26.0, 54.0, 254.0, 354.0, 454.0, 524.0, 624.0, 700.0]
    top, mid, bottom = 40.0, 60.0, 84.0
    _cell(c, xs[0], top, xs[1], bottom, "No", center=True)
    _cell(c, xs[1], top, xs[2], bottom, "Aktivitas", center=True)
    _cell(c, xs[2], top, xs[3], bottom, "Pelaksana", center=True)
    _cell(c, xs[3], top, xs[6], mid, "Mutu Baku", center=True)
    for j, name in enumerate(("Persyaratan", "Waktu", "Output")):
        _cell(c, xs[3 + j], mid, xs[4 + j], bottom, name, center=True)
    _cell(c, xs[6], top, xs[7], bottom, "Keterangan", center=True)
    y = bottom
    for j in range(len(xs) - 1):
        _cell(c, xs[j], y, xs[j + 1], y + 14, str(j + 1), center=True)
    y += 14
    for step in NAME_STEPS:
        for j, text in enumerate((*step, "")):
            _cell(c, xs[j], y, xs[j + 1], y + 36, text)
        y += 36
    c.showPage()


COLON_FIELDS = (("No. Dokumen", "660/27/SOP-DLH/2023"), ("Tgl. Pembuatan", "6 Maret 2023"),
                ("Tgl. Revisi", "-"), ("Tgl. Efektif", "20 Maret 2023"),
                ("Disahkan Oleh", "\n".join(line for line in SIGNATORY if line)),
                ("Judul SOP", "PENGAWASAN PENGELOLAAN LIMBAH B3"))


def colon_column_grid(path: Path) -> Path:
    """An identity grid of three ruled columns, `Label | : | value`, beside the office header;
    the labels abbreviated ('No. Dokumen', 'Tgl. Pembuatan', 'Judul SOP'); then the names flow."""
    c = Canvas(str(path), pagesize=(PAGE_W, PAGE_H))
    c.setFont(FONT, SIZE)
    x0, xl, xc, xv, x1 = 30.0, 330.0, 440.0, 452.0, 812.0
    heights = (22.0, 22.0, 22.0, 22.0, 84.0, 30.0)
    top = 30.0
    _cell(c, x0, top, xl, top + sum(heights), "\n".join(HEADER[:2]), center=True)
    for (label, value), h in zip(COLON_FIELDS, heights, strict=True):
        _cell(c, xl, top, xc, top + h, label)
        _cell(c, xc, top, xv, top + h, ":")
        _cell(c, xv, top, x1, top + h, value)
        top += h
    _lists(c, top + 16)
    c.showPage()
    _names_flow(c)
    c.save()
    return path
