"""A seeded zoo of Perjanjian Kinerja documents in layouts offices print, with their ground truth.

`make(family, seed, path)` draws one PK (the statement page naming both parties, the signature
blocks, the target table, the program and budget table) and returns the ground truth in the
schema of `../shared/real`.  Families change one thing each (see `FAMILIES`): how the parties are
named (labelled `Nama / Jabatan` lines, prose, only the two signature blocks), the kop (the office
with its region, or under a `PEMERINTAH ...` line), the target table's style and header words,
targets with a unit in the cell or a Satuan column, the program table ruled or as an unruled
list with a Jumlah row; `mixed` changes everything at once.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4

from tests.ingest.lkjip_zoo import (
    INDICATORS,
    OFFICES,
    PEOPLE,
    SASARAN,
    _fmt,
    _height,
    _wrap,
    _Writer,
)
from tests.ingest.table_pdfs import draw_table

HEADS = {"Provinsi": ("GUBERNUR", "Gubernur", "Ir. H. RIDWAN KAMIL, M.UD"),
         "Kabupaten": ("BUPATI", "Bupati", "H. SRI SUMARNI, S.H., M.M."),
         "Kota": ("WALI KOTA", "Wali Kota", "ANDREI ANGOUW")}
PROGRAMS = ["Program Penunjang Urusan Pemerintahan Daerah", "Program Pengelolaan Informasi dan Komunikasi Publik",
            "Program Penyelenggaraan Statistik Sektoral", "Program Pelayanan Kesehatan Masyarakat",
            "Program Peningkatan Kapasitas Sumber Daya Aparatur"]


@dataclass
class Options:
    parties: str = "labels"  # labels | prose | blocks
    kop: str = "office"  # office | pemerintah
    style: str = "ruled"  # ruled | filled | borderless
    vocabulary: bool = False
    satuan: str = "column"  # column | in-target
    programs: str = "ruled"  # ruled | list


FAMILIES: dict[str, Callable[[random.Random], Options]] = {
    "plain": lambda r: Options(),
    "prose-parties": lambda r: Options(parties="prose"),
    "signature-blocks-only": lambda r: Options(parties="blocks"),
    "kop-pemerintah": lambda r: Options(kop="pemerintah"),
    "table-styles": lambda r: Options(style=r.choice(["filled", "borderless"])),
    "vocabulary": lambda r: Options(vocabulary=True),
    "unit-in-target": lambda r: Options(satuan="in-target"),
    "program-list": lambda r: Options(programs="list"),
    "mixed": lambda r: Options(parties=r.choice(["labels", "prose", "blocks"]), kop=r.choice(["office", "pemerintah"]),
                               style=r.choice(["ruled", "filled", "borderless"]), vocabulary=r.random() < 0.5,
                               satuan=r.choice(["column", "in-target"]), programs=r.choice(["ruled", "list"])),
}
HEAD_WORDS = {"no": ["No", "NO"], "sasaran": ["Sasaran Strategis", "Sasaran", "SASARAN PROGRAM"],
              "indikator": ["Indikator Kinerja", "Indikator Kinerja Utama", "IKU"],
              "satuan": ["Satuan", "Sat."], "target": ["Target", "Target 2024", "TARGET"]}


def make(family: str, seed: int, path: Path) -> dict[str, Any]:
    """Draw PK `seed` of `family` at `path`; returns its ground truth."""
    rng = random.Random(f"pk:{family}:{seed}")
    opts = FAMILIES[family](rng)
    office, instansi, place = rng.choice(OFFICES)
    region_kind = next(k for k in HEADS if f" {k} " in instansi)
    region = instansi.split(f" {region_kind} ", 1)[1]
    head_caps, head_title, head_name = HEADS[region_kind]
    head_jabatan = f"{head_title} {region}"
    person = rng.choice(PEOPLE)
    kepala = "Kepala " + instansi
    year = rng.choice([2023, 2024])
    words = {k: (rng.choice(v) if opts.vocabulary else v[0]).replace("2024", str(year)) for k, v in HEAD_WORDS.items()}
    w = _Writer(path)
    if opts.kop == "pemerintah":
        w.line(f"PEMERINTAH {region_kind.upper()} {region.upper()}", size=13, centre=True, gap=18)
        whole = " ".join(office)
        w.line(whole.split(f" {region_kind.upper()} ")[0], size=13, centre=True, gap=26)
    else:
        for ln in office:
            w.line(ln, size=13, centre=True, gap=18)
        w.y += 8
    w.line(f"PERJANJIAN KINERJA TAHUN {year}", size=13, centre=True, gap=26)
    intro = ("Dalam rangka mewujudkan manajemen pemerintahan yang efektif, transparan dan akuntabel "
             "serta berorientasi pada hasil, kami yang bertanda tangan di bawah ini:")
    if opts.parties == "labels":
        w.para(intro)
        for label, value in (("Nama", person[0]), ("Jabatan", kepala)):
            w.line(label, x=90)
            w.y -= 15
            w.line(f": {value}", x=170)
        w.line("selanjutnya disebut PIHAK PERTAMA", x=90, gap=22)
        for label, value in (("Nama", head_name), ("Jabatan", head_jabatan)):
            w.line(label, x=90)
            w.y -= 15
            w.line(f": {value}", x=170)
        w.line("selaku atasan pihak pertama, selanjutnya disebut PIHAK KEDUA", x=90, gap=22)
    elif opts.parties == "prose":
        w.para(f"{intro[:-1]}, {person[0]}, {kepala}, selanjutnya disebut PIHAK PERTAMA. {head_name}, "
               f"{head_jabatan}, selaku atasan PIHAK PERTAMA, selanjutnya disebut PIHAK KEDUA.")
    else:
        w.para("Dalam rangka mewujudkan manajemen pemerintahan yang efektif, transparan dan akuntabel, "
               "kami berjanji akan mewujudkan target kinerja yang seharusnya sesuai lampiran perjanjian ini.")
    w.para("Pihak pertama berjanji akan mewujudkan target kinerja yang seharusnya sesuai lampiran "
           "perjanjian ini dalam rangka mencapai target kinerja jangka menengah.")
    _blocks(w, rng, opts, place, year, person, kepala, head_caps, region, head_name)
    w.end()
    w.page()
    w.line(f"PERJANJIAN KINERJA TAHUN {year}", size=12, centre=True, gap=18)
    w.line(office[0] if len(office) == 1 else " ".join(office), size=11, centre=True, gap=26)
    inds = _targets(w, rng, opts, words)
    w.y += 20
    progs = _programs(w, rng, opts)
    w.end()
    w.c.save()
    return {"doc_type": "perjanjian_kinerja", "scanned": False, "instansi": instansi, "tahun": year,
            "pihak_pertama": {"nama": person[0], "nip": person[1], "jabatan": kepala},
            "pihak_kedua": {"nama": head_name, "jabatan": head_jabatan},
            "indicators": inds, "programs": progs}


def _blocks(w: _Writer, rng: random.Random, opts: Options, place: str, year: int,
            person: tuple[str, str, str], kepala: str, head_caps: str, region: str, head_name: str) -> None:
    """The two signature blocks side by side: the superior left, the first party right."""
    w.y += 20
    top = w.y
    w.line(f"{place}, {rng.randrange(2, 28)} Januari {year}", x=330)
    left = ["PIHAK KEDUA," if opts.parties != "blocks" else "", f"{head_caps} {region.upper()},"]
    right = ["PIHAK PERTAMA," if opts.parties != "blocks" else "",
             *_wrap(kepala.upper() + ",", 230, 10).split("\n")]
    y0 = w.y
    for ln in left:
        if ln:
            w.line(ln, x=70)
    w.y = y0
    for ln in right:
        if ln:
            w.line(ln, x=330)
    w.y = max(w.y, top + 95)
    w.line(head_name, x=70)
    w.y -= 15
    w.line(person[0], x=330)
    w.line(person[2], x=330)
    nip = person[1]
    w.line(f"NIP. {nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}", x=330)


def _targets(w: _Writer, rng: random.Random, opts: Options, words: dict[str, str]) -> list[dict[str, Any]]:
    cols = ["no", "sasaran", "indikator"] + (["satuan"] if opts.satuan == "column" else []) + ["target"]
    widths = {"no": 24, "sasaran": 150, "indikator": 190, "satuan": 60, "target": 80}
    rows: list[list[str | None]] = [[_wrap(words[c], widths[c]) for c in cols]]
    truth = []
    pool = rng.sample(INDICATORS, len(INDICATORS))
    for g, sas in enumerate(rng.sample(SASARAN, 2)):
        for k in range(rng.choice([1, 2])):
            name, satuan, _lower = pool.pop()
            target = rng.choice([80, 85, 90, 12, 3.5])
            shown = _fmt(target, 0 if target == int(target) else 1)
            cell = shown if opts.satuan == "column" else (f"{shown} %" if satuan == "%" else f"{shown} {satuan}")
            row = {"no": str(g + 1) if k == 0 else "", "sasaran": _wrap(sas, widths["sasaran"]) if k == 0 else "",
                   "indikator": _wrap(name, widths["indikator"]), "satuan": satuan, "target": cell}
            rows.append([row[c] for c in cols])
            truth.append({"sasaran": sas, "indikator": name, "satuan": satuan, "target": float(target)})
    w.line("Sasaran dan Indikator Kinerja", size=10)
    bottom = draw_table(w.c, 50, w.y, [widths[c] for c in cols], rows, style=opts.style)
    w.y = bottom
    return truth


def _programs(w: _Writer, rng: random.Random, opts: Options) -> list[dict[str, Any]]:
    chosen = rng.sample(PROGRAMS, rng.choice([2, 3]))
    amounts = [rng.randrange(150, 2500) * 1_000_000 + rng.choice([0, 500_000]) for _ in chosen]
    rows: list[list[str | None]] = [["No", "Program", "Anggaran", "Keterangan"]]
    rows += [[str(i + 1), _wrap(p, 250), f"Rp. {_fmt(a, 0)},-", "APBD"]
             for i, (p, a) in enumerate(zip(chosen, amounts, strict=True))]
    if opts.programs == "list":
        rows.append(["", "Jumlah", f"Rp. {_fmt(sum(amounts), 0)},-", ""])
    w.line("Program dan Anggaran", size=10)
    w.y += 4
    if w.y + _height(rows, []) > A4[1] - 60:
        w.end()
        w.page()
    draw_table(w.c, 50, w.y, [24, 250, 120, 70], rows, style="borderless" if opts.programs == "list" else opts.style)
    return [{"program": p, "anggaran": float(a), "keterangan": "APBD"} for p, a in zip(chosen, amounts, strict=True)]
