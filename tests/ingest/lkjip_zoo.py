"""A seeded zoo of whole LKjIP reports in layouts offices print, with their ground truth.

`make(family, seed, path)` draws one report (cover, foreword with the signature, an executive
summary, chapters, the measurement table and the tables that compete with it) and returns the
ground truth in the schema of `../shared/real` (the shared scorer compares the two).  Each family
changes one thing offices change; the seed picks the office, the indicators, their numbers and
the wording within the family, so a reader tuned to one drawing does not pass.  `mixed` changes
everything at once.

Families (see `FAMILIES`): table styles (ruled, partly ruled, filled rectangles, borderless);
header shapes (a spanning `INDIKATOR KINERJA TAHUN N` over TARGET | REALISASI, three header rows)
and header words (Rencana/Tgt, Persentase Capaian, IKU, Indikator Sasaran, Tujuan...); sasaran
cells merged, repeated, or given as heading rows; summary rows; a table continued on the next
page with or without its header; landscape and sideways pages; one table per sasaran; competing
tables (executive summary, earlier years, renstra targets 2021..2026, budget); targets written
as comparisons or words; satuan inside the indicator's name; cover titles and offices over one to
three lines; the signature in the foreword or on a statement page.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from tests.ingest import table_pdfs
from tests.ingest.table_pdfs import Span, draw_table, sideways

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

OFFICES = [  # (cover lines, instansi as the schema writes it, place)
    (["DINAS KOMUNIKASI DAN INFORMATIKA", "PROVINSI SUMATERA UTARA"],
     "Dinas Komunikasi dan Informatika Provinsi Sumatera Utara", "Medan"),
    (["DINAS KESEHATAN KABUPATEN GROBOGAN"], "Dinas Kesehatan Kabupaten Grobogan", "Purwodadi"),
    (["BADAN PERENCANAAN PEMBANGUNAN,", "PENELITIAN DAN PENGEMBANGAN DAERAH", "KOTA MANADO"],
     "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah Kota Manado", "Manado"),
    (["SATUAN POLISI PAMONG PRAJA", "PROVINSI KALIMANTAN BARAT"],
     "Satuan Polisi Pamong Praja Provinsi Kalimantan Barat", "Pontianak"),
    (["DINAS PEKERJAAN UMUM DAN", "PENATAAN RUANG", "KABUPATEN BANYUWANGI"],
     "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Banyuwangi", "Banyuwangi"),
    (["BADAN PENGELOLAAN KEUANGAN DAN ASET DAERAH", "KABUPATEN TULANG BAWANG BARAT"],
     "Badan Pengelolaan Keuangan dan Aset Daerah Kabupaten Tulang Bawang Barat", "Panaragan"),
]
PEOPLE = [("Dr. Ir. H. AHMAD SURYADI, M.Si", "196805121994031007", "Pembina Utama Muda"),
          ("RINA MARLINA, S.Sos., M.AP", "197503222000032004", "Pembina Tingkat I"),
          ("Drs. BAMBANG HERU PRASETYO, MM", "196601011988031015", "Pembina Utama Madya"),
          ("dr. SITI NURHALIZA", "198002142006042011", "Pembina")]
MONTHS = ["Januari", "Februari", "Maret"]
SASARAN = ["Meningkatnya kualitas pelayanan publik", "Meningkatnya akuntabilitas kinerja perangkat daerah",
           "Menurunnya angka kesakitan masyarakat", "Meningkatnya kualitas infrastruktur jalan",
           "Terwujudnya ketenteraman dan ketertiban umum"]
INDICATORS = [  # (name, satuan, lower is better)
    ("Indeks Kepuasan Masyarakat", "indeks", False), ("Persentase puskesmas terakreditasi", "%", False),
    ("Nilai evaluasi SAKIP perangkat daerah", "nilai", False), ("Jumlah temuan hasil pemeriksaan", "temuan", True),
    ("Persentase jalan dalam kondisi mantap", "%", False), ("Angka kesakitan DBD per 100.000 penduduk", "kasus", True),
    ("Persentase pelanggaran Perda yang ditindaklanjuti", "%", False),
    ("Indeks SPBE", "indeks", False), ("Cakupan layanan informasi publik", "%", False),
    ("Persentase dokumen perencanaan tepat waktu", "%", False)]

HEAD_WORDS = {  # role -> the plain word first, then the variants of the `vocabulary` family
    "no": ["No", "NO", "No.", "Nomor"],
    "sasaran": ["Sasaran Strategis", "SASARAN", "Tujuan/Sasaran", "Sasaran Program", "SASARAN STRATEGIS"],
    "indikator": ["Indikator Kinerja", "Indikator Kinerja Utama", "IKU", "Indikator Sasaran",
                  "INDIKATOR KINERJA UTAMA (IKU)"],
    "satuan": ["Satuan", "SATUAN", "Sat."],
    "target": ["Target", "Rencana", "Tgt", "TARGET", "Target Kinerja"],
    "realisasi": ["Realisasi", "REALISASI", "Real.", "Realisasi Kinerja"],
    "capaian": ["Capaian (%)", "Persentase Capaian", "%", "CAPAIAN", "Capaian Kinerja (%)"],
}
TUJUAN = "Mewujudkan tata kelola pemerintahan yang baik"
SUMMARY = ["Rata-rata", "Rata-rata Capaian", "Jumlah", "Total", "Rata-Rata Capaian Kinerja"]


@dataclass
class Options:
    """One drawing of a report; each family changes some of these."""

    style: str = "ruled"  # ruled | header-ruled | filled | borderless | hrules
    header: str = "one"  # one | span2 | span3
    vocabulary: bool = False
    sasaran: str = "merged"  # merged | repeated | blank | rows | per-table | none
    summary: bool = False
    continued: str | None = None  # None | repeat | bare
    page: str = "portrait"  # portrait | landscape | sideways
    competitors: tuple[str, ...] = ()  # summary | years | renstra | budget
    text_targets: bool = False
    satuan: str = "column"  # column | name | none
    title: int = 0
    pemerintah_line: bool = False
    signer_page: str = "pengantar"  # pengantar | pernyataan
    day_blank: bool = False
    cover_image: bool = False  # the cover a picture without text (a designed cover exported as one)
    footer: bool = False  # a running footer naming the report on every page
    signature: int = 0  # the signature block's variant (pangkat forms, jabatan lines, no pangkat)
    tujuan: bool = False  # a Tujuan column before the Sasaran column
    region_above: bool = False  # the cover's office without its region, under `PEMERINTAH <region>`
    overprint: bool = False  # bold made by printing the cover, the name and the sasaran twice
    run_on: bool = False  # the cover's title, office and year in one wrapped paragraph
    spaced: bool = False  # the cover's title set with wide letter spacing


FAMILIES: dict[str, Callable[[random.Random], Options]] = {
    "plain": lambda r: Options(),
    "partly-ruled": lambda r: Options(style=r.choice(["header-ruled", "hrules"])),
    "filled": lambda r: Options(style="filled"),
    "borderless": lambda r: Options(style="borderless"),
    "span-header": lambda r: Options(header="span2", style=r.choice(["ruled", "filled"])),
    "three-row-header": lambda r: Options(header="span3"),
    "vocabulary": lambda r: Options(vocabulary=True),
    "sasaran-repeated": lambda r: Options(sasaran=r.choice(["repeated", "blank"])),
    "sasaran-rows": lambda r: Options(sasaran="rows"),
    "summary-rows": lambda r: Options(summary=True),
    "continued": lambda r: Options(continued=r.choice(["repeat", "bare"])),
    "landscape": lambda r: Options(page="landscape"),
    "sideways": lambda r: Options(page="sideways"),
    "per-sasaran-tables": lambda r: Options(sasaran="per-table"),
    "competing-tables": lambda r: Options(competitors=("summary", "years", "renstra", "budget")),
    "iku-table-first": lambda r: Options(competitors=("iku",) + (("summary",) if r.random() < 0.5 else ())),
    "text-targets": lambda r: Options(text_targets=True),
    "satuan-in-name": lambda r: Options(satuan=r.choice(["name", "none"])),
    "cover-variants": lambda r: Options(title=r.randrange(1, 6), pemerintah_line=r.random() < 0.5),
    "tujuan-column": lambda r: Options(tujuan=True, style=r.choice(["ruled", "filled"])),
    "cover-region-above": lambda r: Options(region_above=True, title=r.randrange(6)),
    "cover-run-on": lambda r: Options(run_on=True, title=r.choice([0, 2])),
    "cover-letter-spaced": lambda r: Options(spaced=True, title=r.randrange(6)),
    "overprinted-bold": lambda r: Options(overprint=True, style=r.choice(["ruled", "borderless"])),
    "cover-image": lambda r: Options(cover_image=True, footer=r.random() < 0.5),
    "signature-variants": lambda r: Options(signature=r.randrange(1, 6)),
    "statement-page": lambda r: Options(signer_page="pernyataan", day_blank=r.random() < 0.5),
    "mixed": lambda r: Options(
        style=r.choice(["ruled", "header-ruled", "filled", "borderless"]),
        header=r.choice(["one", "span2", "span3"]), vocabulary=r.random() < 0.5,
        sasaran=r.choice(["merged", "repeated", "rows"]), summary=r.random() < 0.5,
        continued=r.choice([None, "repeat", "bare"]), page=r.choice(["portrait", "landscape"]),
        competitors=tuple(c for c in ("summary", "years", "renstra", "budget", "iku") if r.random() < 0.4),
        text_targets=r.random() < 0.3, satuan=r.choice(["column", "column", "name"]),
        title=r.randrange(6), pemerintah_line=r.random() < 0.5,
        signer_page=r.choice(["pengantar", "pernyataan"]), cover_image=r.random() < 0.2,
        footer=r.random() < 0.5, signature=r.randrange(6), tujuan=r.random() < 0.2,
        region_above=r.random() < 0.3),
}


@dataclass
class _Ind:
    sasaran: str
    name: str
    satuan: str | None
    target: str
    realisasi: str
    capaian: str
    truth: dict[str, Any] = field(default_factory=dict)


def _fmt(x: float, decimals: int = 2) -> str:
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


def _indicators(rng: random.Random, opts: Options) -> list[_Ind]:
    sasarans = rng.sample(SASARAN, rng.choice([2, 3]))
    pool = rng.sample(INDICATORS, len(INDICATORS))
    out = []
    for s in sasarans:
        for _ in range(rng.choice([1, 2, 3])):
            name, satuan, lower = pool.pop()
            target = float(rng.choice([5, 12, 75, 80, 85, 90, 95, 3.5, 82.5]))
            realisasi = round(target * rng.uniform(0.85, 1.12), rng.choice([0, 1, 2]))
            cap = ((2 * target - realisasi) / target if lower else realisasi / target) * 100
            decimals = 0 if target == int(target) else 1
            t_txt, r_txt, c_txt = _fmt(target, decimals), _fmt(realisasi, 2 if realisasi % 1 else 0), _fmt(cap)
            truth: dict[str, Any] = {"sasaran": s, "indikator": name, "target": target,
                                     "realisasi": realisasi, "capaian": round(cap, 2)}
            shown_satuan: str | None = satuan
            if opts.text_targets and len(out) % 2 == 0:
                if len(out) % 4 == 0:
                    t_txt = rng.choice([f">= {t_txt}", f"≥ {t_txt}", f"Min. {t_txt}"])
                    truth["target_text"] = t_txt
                else:
                    t_txt, r_txt, c_txt = "Baik", "Baik", "100"
                    truth.update(target=None, realisasi=None, capaian=100.0,
                                 target_text="Baik", realisasi_text="Baik")
            if opts.satuan == "name":
                name = f"{name} ({satuan})"
                truth["indikator"] = name
            if opts.satuan != "column":
                shown_satuan = None
            truth["satuan"] = shown_satuan
            out.append(_Ind(s, name, shown_satuan, t_txt, r_txt, c_txt, truth))
    return out


# --- drawing -------------------------------------------------------------------------------------

def _font() -> str:
    if _DEJAVU.exists():
        if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVu", str(_DEJAVU)))
        return "DejaVu"
    return "Helvetica"


def _wrap(text: str, width: float, size: float = table_pdfs.FONT) -> str:
    words, lines, cur = text.split(), [], ""
    for w in words:
        cand = f"{cur} {w}".strip()
        if cur and pdfmetrics.stringWidth(cand, _font(), size) > width - 2 * table_pdfs.PAD - 2:
            lines.append(cur)
            cur = w
        else:
            cur = cand
    return "\n".join([*lines, cur])


class _Writer:
    """Pages of running text on a canvas, top-down coordinates."""

    def __init__(self, path: Path) -> None:
        self.c = Canvas(str(path), pagesize=A4)
        self.size = A4
        self.y = 70.0
        self.footer = ""

    def page(self, size: tuple[float, float] = A4) -> None:
        self.c.setPageSize(size)
        self.size = size
        self.y = 70.0

    def line(self, text: str, x: float = 70, size: int = 10, gap: float = 15, centre: bool = False,
             bold: bool = False) -> None:
        font = _font() if any(ord(ch) > 255 for ch in text) else "Helvetica"
        self.c.setFont(font, size)
        for dx in ((0.0, 0.4) if bold else (0.0,)):  # a bold line printed twice, 0.4 pt apart
            if centre:
                self.c.drawCentredString(self.size[0] / 2 + dx, self.size[1] - self.y, text)
            else:
                self.c.drawString(x + dx, self.size[1] - self.y, text)
        self.y += gap

    def para(self, text: str, width: float = 450) -> None:
        for ln in _wrap(text, width, 10).split("\n"):
            self.line(ln)
        self.y += 6

    def end(self) -> None:
        if self.footer:
            self.c.setFont("Helvetica", 8)
            self.c.drawString(60, 30, self.footer)
        self.c.showPage()


def _cover(w: _Writer, rng: random.Random, opts: Options, office: list[str], year: int) -> str:
    titles = [
        (["LAPORAN KINERJA INSTANSI PEMERINTAH", "(LKjIP)", f"TAHUN {year}"],
         f"Laporan Kinerja Instansi Pemerintah Tahun {year}"),
        ([f"LAPORAN KINERJA INSTANSI PEMERINTAH (LKjIP) TAHUN {year}"],
         f"Laporan Kinerja Instansi Pemerintah Tahun {year}"),
        (["LAPORAN AKUNTABILITAS KINERJA", "INSTANSI PEMERINTAH (LAKIP)", f"TAHUN {year}"],
         f"Laporan Akuntabilitas Kinerja Instansi Pemerintah Tahun {year}"),
        (["LAPORAN KINERJA", f"TAHUN {year}"], f"Laporan Kinerja Tahun {year}"),
        (["LKjIP", "LAPORAN KINERJA INSTANSI PEMERINTAH", f"TAHUN {year}"],
         f"Laporan Kinerja Instansi Pemerintah Tahun {year}"),
        (["LAPORAN", "KINERJA INSTANSI", "PEMERINTAH", f"TAHUN {year}"],
         f"Laporan Kinerja Instansi Pemerintah Tahun {year}"),
    ]
    lines, truth = titles[opts.title]
    if opts.cover_image:
        _picture_cover(w, [*lines, "", *office])
        w.end()
        return truth
    w.y = 150
    if opts.run_on:  # 'LAPORAN ... (LKjIP) DINAS ... PROVINSI ... TAHUN 2023' wrapped as one paragraph
        words = " ".join([*lines[:-1], *office, lines[-1]])
        for ln in _wrap(words, 420, 16).split("\n"):
            w.line(ln, size=16, gap=22, centre=True)
        w.y += 60
        w.line(f"Tahun {year + 1}", size=11, centre=True)
        w.end()
        return truth
    for ln in lines:
        if opts.spaced:
            w.c.setFont("Helvetica", 16)
            w.c.drawCentredString(w.size[0] / 2, w.size[1] - w.y, ln, charSpace=6)
            w.y += 22
            continue
        w.line(ln, size=16, gap=22, centre=True, bold=opts.overprint)
    w.y += 160
    if opts.region_above:  # 'PEMERINTAH PROVINSI X' over the office named without its region
        whole = " ".join(office)
        cut = min(whole.find(f" {r} ") for r in ("PROVINSI", "KABUPATEN", "KOTA") if f" {r} " in whole)
        w.line(f"PEMERINTAH{whole[cut:]}", size=13, gap=18, centre=True)
        office = [_wrap(whole[:cut], 300, 13).split("\n")[0]] if len(whole[:cut]) < 45 else \
            _wrap(whole[:cut], 330, 13).split("\n")
    elif opts.pemerintah_line:
        region = office[-1].split(" ", 1)[1] if office[-1].split(" ")[0] in ("PROVINSI", "KABUPATEN", "KOTA") \
            else "KABUPATEN GROBOGAN"
        w.line(f"PEMERINTAH {region}", size=13, gap=18, centre=True)
    for ln in office:
        w.line(ln, size=13, gap=18, centre=True, bold=opts.overprint)
    w.y += 40
    w.line(f"Tahun {year + 1}", size=11, centre=True)
    w.end()
    return truth


def _picture_cover(w: _Writer, lines: list[str]) -> None:
    """The cover's words drawn into a picture placed over the page: no text layer."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader

    img = Image.new("RGB", (1240, 1754), (30, 80, 140))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(_DEJAVU), 44) if _DEJAVU.exists() else ImageFont.load_default()
    y = 400
    for ln in lines:
        draw.text((620, y), ln, fill="white", font=font, anchor="mm")
        y += 64
    w.c.drawImage(ImageReader(img), 0, 0, width=A4[0], height=A4[1])


def _signature(w: _Writer, rng: random.Random, opts: Options, place: str, jabatan: list[str],
               person: tuple[str, str, str], year: int) -> str | None:
    day = rng.randrange(2, 28)
    month = rng.randrange(3)
    date = f"{place}, {'      ' if opts.day_blank else str(day)} {MONTHS[month]} {year + 1}"
    x = 320
    w.y += 20
    w.line(date, x=x)
    pangkat = person[2]
    if opts.signature == 1:  # the jabatan over three lines, the golongan beside the pangkat
        jabatan = [*jabatan[0].rstrip(",").split(" ", 2)[:2], " ".join(jabatan[0].split(" ")[2:]) or "DAERAH,"]
        pangkat = f"{pangkat} ({rng.choice(['IV/c', 'IV/b', 'IV.a'])})"
    elif opts.signature == 2:  # an acting head, no pangkat line
        jabatan = [f"Plt. {jabatan[0]}"]
        pangkat = ""
    elif opts.signature == 3:  # 'ttd' and the pangkat with its golongan after a dash
        jabatan = [*jabatan, "", "ttd"]
        pangkat = f"{pangkat} - {rng.choice(['IV/c', 'IV/d'])}"
    elif opts.signature == 4:  # the pangkat written out with a label
        pangkat = f"Pangkat : {pangkat}"
    if opts.signature == 5:  # the superior's block beside it, from the jabatan line down
        y = w.y
        for ln in ["Mengetahui,", "GUBERNUR" if "PROVINSI" in " ".join(jabatan).upper() or rng.random() < 0.5
                   else "BUPATI", "", "", "", "H. MUHAMMAD RIDWAN"]:
            if ln:
                w.line(ln, x=80)
            else:
                w.y += 15
        w.y = y
    for ln in jabatan:
        if ln:
            w.line(ln, x=x)
        else:
            w.y += 15
    w.y += 45
    w.line(person[0], x=x, bold=opts.overprint)
    if pangkat:
        w.line(pangkat, x=x)
    nip = person[1]
    w.line(rng.choice([f"NIP. {nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}", f"NIP {nip}",
                       f"NIP. {nip[:8]} {nip[8:14]} {nip[14:]}"]), x=x)
    return None if opts.day_blank else f"{year + 1}-{month + 1:02d}-{day:02d}"


def _table(w: _Writer, rng: random.Random, opts: Options, inds: list[_Ind], year: int,
           words: dict[str, str], heading: str, *, x: float = 40,
           page_height: float | None = None, with_sasaran: bool = True) -> float:
    """Draw the measurement table (or one sasaran's part of it) under `heading`; returns its
    bottom."""
    wide = (page_height or w.size[1]) < 600
    cols = ["no"] + (["tujuan"] if opts.tujuan and with_sasaran and opts.sasaran in ("merged", "repeated", "blank")
                     else [])
    cols += (["sasaran"] if with_sasaran and opts.sasaran not in ("rows", "per-table") else [])
    cols += ["indikator"] + (["satuan"] if opts.satuan == "column" else []) + ["target", "realisasi", "capaian"]
    base = {"no": 24, "tujuan": 90, "sasaran": 120, "indikator": 160, "satuan": 45, "target": 55, "realisasi": 55,
            "capaian": 58}
    if "sasaran" not in cols:
        base["indikator"] = 260
    if "tujuan" in cols:
        base.update(tujuan=80, sasaran=100, indikator=130)
    scale = 1.4 if wide else 1.0
    widths = [base[c] * (scale if c in ("sasaran", "indikator") else 1) for c in cols]
    vi = cols.index("target")
    header: list[list[str | None]]
    spans: list[Span] = []
    if opts.header == "one":
        header = [[words[c] for c in cols]]
    else:
        top_row: list[str | None] = [words[c] for c in cols[:vi]] + [
            rng.choice([f"INDIKATOR KINERJA TAHUN {year}", f"TAHUN {year}", f"KINERJA TAHUN {year}"]),
            None, words["capaian"]]
        low: list[str | None] = [None] * vi + [words["target"], words["realisasi"], None]
        header = [top_row, low]
        spans = [(0, k, 2, 1) for k in range(vi)] + [(0, vi, 1, 2), (0, vi + 2, 2, 1)]
        if opts.header == "span3":
            header = [[words[c] for c in cols[:vi]] + [f"CAPAIAN KINERJA TAHUN {year}", None, None],
                      [None] * vi + ["KINERJA", None, "CAPAIAN"],
                      [None] * vi + [words["target"], words["realisasi"], "(%)"]]
            spans = [(0, k, 3, 1) for k in range(vi)] + [(0, vi, 1, 3), (1, vi, 1, 2)]
    body: list[list[str | None]] = []
    bspans: list[Span] = []
    wid = dict(zip(cols, widths, strict=True))
    n = 0
    groups: dict[str, list[_Ind]] = {}
    for ind in inds:
        groups.setdefault(ind.sasaran, []).append(ind)
    for g, (sas, items) in enumerate(groups.items()):
        if opts.sasaran == "rows":
            body.append([_roman(g + 1), _wrap(sas, sum(widths[1:]))] + [None] * (len(cols) - 2))
            bspans.append((len(body) - 1, 1, 1, len(cols) - 1))
        for k, ind in enumerate(items):
            n += 1
            row: dict[str, str | None] = {
                "no": str(n) if opts.sasaran != "merged" or k == 0 else "",
                "sasaran": _wrap(sas, wid.get("sasaran", 100)),
                "tujuan": _wrap(TUJUAN, wid.get("tujuan", 90)) if n == 1 else None,
                "indikator": _wrap(ind.name, wid["indikator"]), "satuan": ind.satuan or "",
                "target": ind.target, "realisasi": ind.realisasi, "capaian": ind.capaian}
            if opts.sasaran == "merged":
                row["no"] = str(g + 1) if k == 0 else None
                if k > 0:
                    row["sasaran"] = None
            elif opts.sasaran == "blank" and k > 0:
                row["sasaran"] = ""
            body.append([row[c] for c in cols])
        if opts.sasaran == "merged" and len(items) > 1 and "sasaran" in cols:
            r0 = len(body) - len(items)
            bspans += [(r0, 0, len(items), 1), (r0, cols.index("sasaran"), len(items), 1)]
    if "tujuan" in cols and len(body) > 1:  # one tujuan merged over every row
        bspans.append((0, cols.index("tujuan"), len(body), 1))
    if opts.summary:
        label = rng.choice(SUMMARY)
        mean = _fmt(sum(float(i.capaian.replace(".", "").replace(",", ".")) for i in inds) / len(inds))
        body.append([label] + [None] * (vi - 1) + ["", "", mean])
        bspans.append((len(body) - 1, 0, 1, vi))
    for r, hrow in enumerate(header):  # header words wrapped to their cells
        for k, t in enumerate(hrow):
            if t:
                span = next((cs for r0, c0, _rs, cs in spans if (r0, c0) == (r, k)), 1)
                hrow[k] = _wrap(t, sum(widths[k:k + span]))
    h = len(header)
    all_spans = spans + [(r + h, c, rs, cs) for r, c, rs, cs in bspans]
    start = w.y + 6
    font = _font()
    bold = [cols.index("sasaran")] if opts.overprint and "sasaran" in cols else []
    if opts.continued:
        cut = max(1, len(body) // 2)
        while any(r0 < cut < r0 + rs for r0, _c, rs, _cs in bspans):
            cut += 1
        first = [*header, *body[:cut]]
        sp1 = spans + [(r + h, c, rs, cs) for r, c, rs, cs in bspans if r < cut]
        start = max(start, (page_height or w.size[1]) - 60 - _height(first, sp1))
        w.y = start - 6
        w.line(heading)
        draw_table(w.c, x, start, widths, first, spans=sp1, style=opts.style, header_rows=h,
                   page_height=page_height, font=font, overprint=bold)
        w.end()
        w.page(w.size)
        rest = body[cut:]
        sp2 = [(r - cut, c, rs, cs) for r, c, rs, cs in bspans if r >= cut]
        hr = 0
        if opts.continued == "repeat":
            rest = [*header, *rest]
            sp2 = spans + [(r + h, c, rs, cs) for r, c, rs, cs in sp2]
            hr = h
        return draw_table(w.c, x, 60, widths, rest, spans=sp2, style=opts.style, header_rows=hr,
                          page_height=page_height, font=font, overprint=bold)
    w.line(heading)
    return draw_table(w.c, x, start + 10, widths, [*header, *body], spans=all_spans, style=opts.style,
                      header_rows=h, page_height=page_height, font=font, overprint=bold)


def _height(rows: list[list[str | None]], spans: list[Span]) -> float:
    return sum(table_pdfs.row_heights(rows, spans))


def _roman(n: int) -> str:
    return ["I", "II", "III", "IV", "V"][n - 1]


def _other_table(w: _Writer, rng: random.Random, kind: str, inds: list[_Ind], year: int) -> None:
    """A table that competes with the measurement table."""
    if kind == "summary":  # the executive summary's: indicator, target, realisasi, no sasaran
        rows: list[list[str | None]] = [["No", "Indikator Kinerja", "Target", "Realisasi", "Capaian"]]
        rows += [[str(i + 1), _wrap(ind.name, 230), ind.target, ind.realisasi, ind.capaian + " %"]
                 for i, ind in enumerate(inds)]
        widths = [24, 230, 60, 60, 60]
    elif kind == "years":  # earlier years' realisasi beside this year's
        rows = [["No", "Indikator Kinerja", f"Realisasi {year - 2}", f"Realisasi {year - 1}",
                 f"Target {year}", f"Realisasi {year}"]]
        rows += [[str(i + 1), _wrap(ind.name, 200), _fmt(rng.uniform(50, 95)), _fmt(rng.uniform(50, 95)),
                  ind.target, ind.realisasi] for i, ind in enumerate(inds)]
        widths = [24, 200, 62, 62, 62, 62]
    elif kind == "renstra":  # the plan's targets per year
        rows = [["No", "Indikator Kinerja", "Satuan"] + [f"Target {y}" for y in range(year - 2, year + 4)]]
        rows += [[str(i + 1), _wrap(ind.name, 160), ind.satuan or "-"]
                 + [_fmt(rng.uniform(50, 95), 0) for _ in range(6)] for i, ind in enumerate(inds)]
        widths = [24, 160, 40] + [44] * 6
    else:  # budget
        rows = [["No", "Program", "Anggaran (Rp)", "Realisasi (Rp)", "Capaian (%)"],
                ["1", "Program Penunjang Urusan Pemerintahan", "1.250.000.000", "1.190.000.000", "95,20"],
                ["2", "Program Pelayanan Publik", "800.000.000", "760.000.000", "95,00"]]
        widths = [24, 200, 90, 90, 60]
    draw_table(w.c, 40, w.y, widths, rows, style="ruled")
    w.y += _height(rows, []) + 20


def _chunks(inds: list[_Ind]) -> dict[str, list[_Ind]]:
    out: dict[str, list[_Ind]] = {}
    for ind in inds:
        out.setdefault(ind.sasaran, []).append(ind)
    return out


def make(family: str, seed: int, path: Path) -> dict[str, Any]:
    """Draw report `seed` of `family` at `path`; returns its ground truth."""
    rng = random.Random(f"{family}:{seed}")
    opts = FAMILIES[family](rng)
    office, instansi, place = rng.choice(OFFICES)
    year = rng.choice([2021, 2022, 2023])
    person = rng.choice(PEOPLE)
    inds = _indicators(rng, opts)
    words = {role: (rng.choice(v) if opts.vocabulary else v[0]) for role, v in HEAD_WORDS.items()}
    if opts.tujuan:
        words.update(tujuan="Tujuan", sasaran=rng.choice(["Sasaran", "Sasaran Strategis"]))
    w = _Writer(path)
    title = _cover(w, rng, opts, office, year)
    if opts.footer:
        w.footer = f"LKjIP {instansi} Tahun {year}" if rng.random() < 0.5 else \
            f"Laporan Kinerja Instansi Pemerintah Tahun {year}"
    kepala = "KEPALA BADAN" if office[0].startswith("BADAN") else (
        "KEPALA SATUAN" if office[0].startswith("SATUAN") else "KEPALA DINAS")
    jabatan = rng.choice([[f"{kepala},"], [f"{kepala} {' '.join(office[1:]) or office[0]},"],
                          [f"Kepala {instansi.split(' Provinsi')[0].split(' Kabupaten')[0].split(' Kota')[0]}"]])
    w.page()
    w.line("KATA PENGANTAR", size=13, centre=True, gap=30)
    w.para("Puji syukur kami panjatkan ke hadirat Tuhan Yang Maha Esa atas tersusunnya Laporan Kinerja "
           f"Instansi Pemerintah Tahun {year} sebagai wujud pertanggungjawaban pelaksanaan tugas pokok dan "
           "fungsi. Laporan ini memuat capaian kinerja atas sasaran strategis yang ditetapkan dalam "
           "Perjanjian Kinerja.")
    tanggal = None
    signer: dict[str, Any] | None = None
    if opts.signer_page == "pengantar":
        tanggal = _signature(w, rng, opts, place, jabatan, person, year)
        signer = {"nama": person[0], "nip": person[1]}
    w.end()
    if opts.signer_page == "pernyataan":
        w.page()
        w.line("PERNYATAAN PERJANJIAN KINERJA" if rng.random() < 0.3 else "LEMBAR PENGESAHAN",
               size=13, centre=True, gap=30)
        w.para(f"Laporan Kinerja Instansi Pemerintah {instansi} Tahun {year} ini telah disusun "
               "sesuai dengan ketentuan dan disahkan untuk digunakan sebagaimana mestinya.")
        tanggal = _signature(w, rng, opts, place, jabatan, person, year)
        signer = {"nama": person[0], "nip": person[1]}
        w.end()
    w.page()
    w.line("IKHTISAR EKSEKUTIF", size=13, centre=True, gap=30)
    w.para(f"Pada tahun {year} {instansi} menetapkan {len(inds)} indikator kinerja. Secara umum capaian "
           "kinerja menunjukkan hasil yang baik sebagaimana tabel berikut.")
    if "summary" in opts.competitors:
        _other_table(w, rng, "summary", inds, year)
    w.end()
    w.page()
    w.line("BAB I", size=13, centre=True, gap=18)
    w.line("PENDAHULUAN", size=13, centre=True, gap=30)
    w.para(f"{instansi} mempunyai tugas membantu kepala daerah dalam melaksanakan urusan pemerintahan.")
    w.end()
    w.page()
    w.line("BAB II", size=13, centre=True, gap=18)
    w.line("PERENCANAAN KINERJA", size=13, centre=True, gap=30)
    if "renstra" in opts.competitors:
        w.line(f"Tabel 2.1 Target Kinerja Renstra Tahun {year - 2}-{year + 3}")
        _other_table(w, rng, "renstra", inds, year)
    w.end()
    size = landscape(A4) if opts.page == "landscape" else A4
    w.page(size)
    page_height = None
    if opts.page == "sideways":
        page_height = sideways(w.c)
        w.size = (A4[1], A4[0])
    w.line("BAB III", size=13, centre=True, gap=18)
    w.line("AKUNTABILITAS KINERJA", size=13, centre=True, gap=26)
    if "iku" in opts.competitors:  # an IKU table of the same figures first in the chapter
        w.line(rng.choice([f"Tabel 3.1 Capaian Indikator Kinerja Utama (IKU) Tahun {year}",
                           f"Tabel 3.1 Capaian Kinerja Tahun {year}"]))
        _other_table(w, rng, "summary", inds, year)
        w.end()
        w.page(size)
        if opts.page == "sideways":
            page_height = sideways(w.c)
            w.size = (A4[1], A4[0])
    heading = rng.choice([f"Tabel 3.1 Capaian Kinerja Sasaran Tahun {year}",
                          f"Tabel 3.1 Pengukuran Kinerja Tahun {year}",
                          f"Tabel 3.2 Perbandingan Target dan Realisasi Kinerja Tahun {year}"])
    if opts.sasaran == "per-table":
        for g, (sas, items) in enumerate(_chunks(inds).items()):
            w.y = _table(w, rng, opts, items, year, words, f"Sasaran Strategis {g + 1}: {sas}",
                         page_height=page_height, with_sasaran=False) + 20
    else:
        w.y = _table(w, rng, opts, inds, year, words, heading, page_height=page_height) + 20
    w.end()
    w.page()
    if "years" in opts.competitors:
        w.line(f"Tabel 3.3 Perbandingan Realisasi Kinerja Tahun {year - 2} s.d. {year}")
        _other_table(w, rng, "years", inds, year)
    if "budget" in opts.competitors:
        w.line(f"Tabel 3.4 Realisasi Anggaran Tahun {year}")
        _other_table(w, rng, "budget", inds, year)
    w.line("BAB IV", size=13, centre=True, gap=18)
    w.line("PENUTUP", size=13, centre=True, gap=26)
    w.para("Demikian laporan ini disusun sebagai bahan evaluasi dan perbaikan kinerja.")
    w.end()
    w.c.save()
    return {"doc_type": "lkjip", "scanned": False, "title": title, "instansi": instansi, "tahun": year,
            "tanggal_pengesahan": tanggal, "disahkan_oleh": signer,
            "indicators": [_truth(i) for i in inds]}


def _truth(ind: _Ind) -> dict[str, Any]:
    out = dict(ind.truth)
    out.setdefault("target_text", None)
    return out


def options_of(family: str, seed: int) -> Options:
    """The options `make` draws for (family, seed) (for reports)."""
    return FAMILIES[family](random.Random(f"{family}:{seed}"))


__all__ = ["FAMILIES", "Options", "make", "options_of", "replace"]
