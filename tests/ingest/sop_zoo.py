"""A seeded zoo of SOP layouts: one seed -> one SOP (what is printed, how, and its ground truth).

The fixed fixtures (`sop_fixtures`, `sop_layout_fixtures`) each draw one template; the zoo draws
the combinations offices actually mix, so a reader tuned to one of them shows its gaps:

- identity page (`IDENTITY`): a two-column ruled grid beside the office header (`grid`), the same
  with the colon in a column of its own (`colon-grid`), a four-column table of label/value pairs
  (`four-col`), `Label : value` lines without rules (`lines`), the number and dates as labels in
  one row with their values below (`label-row`);
- label words from each field's variants (Nomor SOP / Nomor POS / No. SOP, Tgl. Pembuatan,
  Tgl. Berlaku, Keterikatan, Peralatan / Perlengkapan ...);
- flowchart (`FLOWS`): one symbol column per actor or one Pelaksana column of names, ruled fully,
  only between rows, or not at all; header words from their variants (Aktivitas, Uraian Prosedur,
  Pendukung over Persyaratan / Waktu / Keluaran ...); maybe a column-number row; steps continued
  over pages with or without the header repeated;
- born-digital, or a scan of it (`tests/ingest/sop_zoo_draw.scan_of`: 100-200 DPI, noise, a
  slight skew, a stamp over the signatory, greyscale or bilevel).

`zoo_spec(seed)` picks everything from `random.Random(seed)`; the layout families go round by
seed (identity by `seed % 5`, flowchart by `seed % 6`) so any 30 consecutive seeds hold every pair.
`ground_truth(spec)` is the JSON a perfect extractor prints, in the schema of `../shared/real`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

IDENTITY = ("grid", "colon-grid", "four-col", "lines", "label-row")
FLOWS = (("symbols", "full"), ("names", "full"), ("symbols", "rows"), ("names", "rows"),
         ("names", "none"), ("symbols", "none"))

# field -> its label variants as offices print them
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "nomor": ("Nomor SOP", "Nomor POS", "No. SOP", "Nomor SOP AP"),
    "pembuatan": ("Tanggal Pembuatan", "Tgl. Pembuatan", "Tanggal Dibuat"),
    "revisi": ("Tanggal Revisi", "Tgl. Revisi"),
    "efektif": ("Tanggal Efektif", "Tgl. Berlaku", "Tanggal Berlaku", "Tgl. Efektif"),
    "disahkan": ("Disahkan oleh", "Disahkan Oleh", "Pengesahan"),
    "nama": ("Nama SOP", "Judul SOP", "Nama POS"),
}
LIST_LABELS: dict[str, tuple[str, ...]] = {
    "dasar_hukum": ("Dasar Hukum",),
    "kualifikasi_pelaksana": ("Kualifikasi Pelaksana",),
    "keterkaitan": ("Keterkaitan", "Keterikatan"),
    "peralatan": ("Peralatan/Perlengkapan", "Peralatan / Perlengkapan", "Peralatan dan Perlengkapan"),
    "peringatan": ("Peringatan",),
    "pencatatan": ("Pencatatan dan Pendataan", "Pencatatan / Pendataan", "Pencatatan dan Pendokumentasian"),
}
FLOW_HEADERS: dict[str, tuple[str, ...]] = {
    "no": ("No", "No.", "NO"),
    "kegiatan": ("Kegiatan", "Aktivitas", "Uraian Kegiatan", "Uraian Prosedur"),
    "group": ("Mutu Baku", "Pendukung", "Baku Mutu"),
    "kelengkapan": ("Kelengkapan", "Persyaratan", "Persyaratan / Kelengkapan"),
    "waktu": ("Waktu", "Waktu Penyelesaian"),
    "output": ("Output", "Keluaran", "Hasil"),
    "keterangan": ("Keterangan", "Ket."),
}

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")
REGIONS = (("KABUPATEN", "SUKAMAJU"), ("KOTA", "TELUK BIRU"), ("PROVINSI", "KALIMANTAN TENGAH"),
           ("KABUPATEN", "LEMBAH HIJAU"), ("KOTA", "BATU PUTIH"))
OFFICES = (("DINAS", "KOMUNIKASI DAN INFORMATIKA", "DISKOMINFO"), ("BADAN", "PENDAPATAN DAERAH", "BAPENDA"),
           ("DINAS", "PERPUSTAKAAN DAN KEARSIPAN", "DISPUSIP"), ("DINAS", "LINGKUNGAN HIDUP", "DLH"),
           ("SATUAN", "POLISI PAMONG PRAJA", "SATPOLPP"))
NAMES = ("Ir. Budi Hartono, M.M.", "Dra. Siti Rahmawati, M.Si.", "AGUS SALIM, S.Sos", "Drs. H. Rusdi Effendi",
         "Yohanes Pandu, S.T., M.T.", "Hj. Nurhayati, S.H.")
PANGKAT = ("Pembina Tingkat I (IV/b)", "Pembina Utama Muda (IV/c)", "Pembina (IV/a)")
TOPICS = ("PELAYANAN PERMOHONAN INFORMASI PUBLIK", "PENGELOLAAN ARSIP INAKTIF", "PENANGANAN PENGADUAN MASYARAKAT",
          "PENERBITAN SURAT REKOMENDASI", "PEMINJAMAN RUANG RAPAT", "PENYUSUNAN LAPORAN KINERJA")
ACTORS = ("Pemohon", "Petugas Pelayanan", "Kepala Seksi", "Kepala Bidang", "Sekretaris", "Kepala Dinas",
          "Staf Administrasi", "Bendahara")
KEGIATAN = ("Menerima berkas permohonan dan mencatat dalam buku register", "Memeriksa kelengkapan berkas",
            "Menelaah permohonan dan menyiapkan konsep jawaban", "Memberi paraf pada konsep surat",
            "Menandatangani surat jawaban", "Mengagendakan dan mengirimkan surat",
            "Mengarsipkan berkas permohonan", "Melakukan verifikasi data pendukung",
            "Menyampaikan disposisi kepada pelaksana", "Menyusun laporan hasil pelayanan")
KELENGKAPAN = ("Formulir permohonan", "Berkas permohonan", "Konsep surat", "Lembar disposisi", "Buku register",
               "Surat jawaban", "Data pendukung")
OUTPUTS = ("Berkas diterima", "Berkas lengkap", "Konsep jawaban", "Surat ditandatangani", "Surat terkirim",
           "Arsip tersimpan", "Laporan")
# printed text -> (value, unit) of the schema's Waktu
WAKTU = (("10 menit", 10, "menit"), ("15 Menit", 15, "menit"), ("30 menit", 30, "menit"), ("1 jam", 1, "jam"),
         ("2 jam", 2, "jam"), ("1 hari", 1, "hari"), ("3 hari kerja", 3, "hari"), ("1 minggu", 1, "minggu"),
         ("Setiap saat", None, None))
LISTS: dict[str, tuple[str, ...]] = {
    "dasar_hukum": ("Undang-Undang Nomor 14 Tahun 2008 tentang Keterbukaan Informasi Publik",
                    "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik",
                    "Peraturan Pemerintah Nomor 61 Tahun 2010 tentang Pelaksanaan Undang-Undang Nomor 14 Tahun 2008",
                    "Peraturan Daerah Nomor 3 Tahun 2020 tentang Pembentukan Perangkat Daerah"),
    "kualifikasi_pelaksana": ("Memahami tugas pokok dan fungsi", "Mampu mengoperasikan komputer",
                              "Memahami peraturan perundang-undangan terkait"),
    "keterkaitan": ("SOP Pengelolaan Surat Masuk", "SOP Penyusunan Daftar Informasi Publik"),
    "peralatan": ("Komputer", "Printer", "Buku register", "Jaringan internet"),
    "peringatan": ("Jika berkas tidak lengkap maka permohonan dikembalikan kepada pemohon",
                   "Apabila SOP tidak dilaksanakan pelayanan akan terhambat"),
    "pencatatan": ("Buku register permohonan", "Arsip digital", "Softcopy dan hardcopy"),
}


@dataclass(frozen=True)
class Step:
    """One flowchart row as printed."""

    no: int
    kegiatan: str
    actor: int
    decision: bool
    kelengkapan: str
    waktu: str
    output: str


@dataclass(frozen=True)
class ZooSpec:
    """Everything one seed decides."""

    seed: int
    identity: str
    flow: str  # symbols | names
    rules: str  # full | rows | none
    labels: dict[str, str]  # field or list -> the label printed
    headers: dict[str, str]  # flowchart role -> the header printed
    kop: tuple[str, ...]
    instansi: str
    nomor: str
    dates: tuple[tuple[int, int, int], tuple[int, int, int] | None, tuple[int, int, int]]
    title: str
    jabatan: tuple[str, ...]
    nama: str
    pangkat: str
    nip: str
    lists: dict[str, tuple[str, ...]]
    numbered: bool  # list items numbered '1.' or bulleted '-'
    actors: tuple[str, ...]
    steps: tuple[Step, ...]
    column_numbers: bool
    rows_per_page: int
    repeat_header: bool
    font: str
    size: float
    middle: bool = False  # flowchart cells centred vertically (Word's default for some offices)
    bare_numbers: bool = False  # step numbers without their full stop
    legend: bool = False  # a note and the signatory under the flowchart

    @property
    def family(self) -> str:
        return f"{self.identity} + {self.flow}/{self.rules}"


def _date(rng: random.Random, year: int) -> tuple[int, int, int]:
    return (year, rng.randint(1, 12), rng.randint(1, 28))


def printed_date(d: tuple[int, int, int] | None) -> str:
    return "-" if d is None else f"{d[2]} {MONTHS[d[1] - 1]} {d[0]}"


def _nip(rng: random.Random) -> str:
    born = f"{rng.randint(1965, 1985)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    tmt = f"{int(born[:4]) + rng.randint(22, 30)}{rng.randint(1, 12):02d}"
    return f"{born}{tmt}{rng.randint(1, 2)}{rng.randint(1, 12):03d}"


def zoo_spec(seed: int) -> ZooSpec:
    """The SOP of `seed` (deterministic)."""
    rng = random.Random(seed)
    flow, rules = FLOWS[seed % len(FLOWS)]
    kind, region = rng.choice(REGIONS)
    head, office, short = rng.choice(OFFICES)
    kop = (f"PEMERINTAH {kind} {region}", f"{head} {office}", f"Jl. Merdeka No. {rng.randint(1, 99)} {region.title()}")
    unit = f"{head.title()} {office.title().replace(' Dan ', ' dan ')}"
    instansi = f"{unit} {kind.title()} {region.title()}"
    year = rng.randint(2019, 2025)
    made = _date(rng, year)
    revised = _date(rng, year + 1) if rng.random() < 0.35 else None
    effective = (year + 1, rng.randint(1, 12), rng.randint(1, 28)) if revised else (made[0], min(12, made[1] + 1), made[2])
    actors = tuple(rng.sample(ACTORS, rng.randint(3, 5)))
    n = rng.randint(4, 9)
    kegiatan = rng.sample(KEGIATAN, n)
    steps = tuple(
        Step(i + 1, kegiatan[i], rng.randrange(len(actors)), flow == "symbols" and rng.random() < 0.15,
             rng.choice(KELENGKAPAN), rng.choice(WAKTU)[0], rng.choice(OUTPUTS))
        for i in range(n))
    return ZooSpec(
        seed=seed, identity=IDENTITY[seed % len(IDENTITY)], flow=flow, rules=rules,
        labels={k: rng.choice(v) for k, v in (FIELD_LABELS | LIST_LABELS).items()},
        headers={k: rng.choice(v) for k, v in FLOW_HEADERS.items()},
        kop=kop, instansi=instansi,
        nomor=f"{rng.choice(('045.2', '800', '973', '555'))}/{rng.randint(1, 99)}/{short}/{year}",
        dates=(made, revised, effective), title=f"{rng.choice(TOPICS)}",
        jabatan=(f"KEPALA {head} {office}", f"{kind} {region},"), nama=rng.choice(NAMES),
        pangkat=rng.choice(PANGKAT), nip=_nip(rng),
        lists={k: tuple(rng.sample(v, rng.randint(0 if k == "keterkaitan" else 1, min(3, len(v)))))
               for k, v in LISTS.items()},
        numbered=rng.random() < 0.6, actors=actors, steps=steps, column_numbers=rng.random() < 0.5,
        rows_per_page=rng.choice((4, 5, 10)), repeat_header=rng.random() < 0.6,
        font=rng.choice(("Helvetica", "Times-Roman")), size=rng.choice((8.0, 9.0)),
        middle=rng.random() < 0.4, bare_numbers=rng.random() < 0.3, legend=rng.random() < 0.4,
    )


def _iso(d: tuple[int, int, int] | None) -> str | None:
    return None if d is None else f"{d[0]:04d}-{d[1]:02d}-{d[2]:02d}"


def ground_truth(spec: ZooSpec) -> dict[str, Any]:
    """The extraction a perfect reader gives for `spec`, as `../shared/real/*.json` hold it."""
    waktu = {text: (value, unit) for text, value, unit in WAKTU}
    steps = []
    for s in spec.steps:
        value, unit = waktu[s.waktu]
        steps.append({"no": s.no, "kegiatan": s.kegiatan, "pelaksana": spec.actors[s.actor],
                      "kelengkapan": s.kelengkapan, "waktu": {"text": s.waktu, "value": value, "unit": unit},
                      "output": s.output, "keterangan": None})
    if spec.flow == "names":  # only the actors that act are printed
        used = {s.actor for s in spec.steps}
        pelaksana = [a for i, a in enumerate(spec.actors) if i in used]
    else:
        pelaksana = list(spec.actors)
    made, revised, effective = spec.dates
    return {
        "doc_type": "sop", "instansi": spec.instansi, "title": spec.title.title(), "nomor": spec.nomor,
        "tanggal_pembuatan": _iso(made), "tanggal_revisi": _iso(revised), "tanggal_efektif": _iso(effective),
        "disahkan_oleh": {"jabatan": " ".join(spec.jabatan).rstrip(",").title(), "nama": spec.nama,
                          "nip": spec.nip, "pangkat": spec.pangkat},
        **{k: list(v) for k, v in spec.lists.items()},
        "pelaksana": pelaksana, "steps": steps,
    }
