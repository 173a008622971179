"""Search at scale: build and query synthetic Indonesian documents in each engine.

    nice .venv/bin/python bench/search_scale.py --sizes 1000 --rounds 3   # a quick look (~1 min)
    nice .venv/bin/python bench/search_scale.py --sizes 10000,100000 --engines whoosh,postgres

Each (engine, size) runs in its own process so its peak memory is its own.  PostgreSQL needs a
server: `--pg-url` or ARSIP_TEST_POSTGRES_URL (scripts/pg.sh starts a throw-away one); each run
gets a fresh database.  Peak memory is the Python process's (the PostgreSQL server's own memory is
not included).  Printed: build time (the documents are generated while the index reads them;
`input s` is the generation alone), index size, peak memory, p50/p95 per query type (top 20 with
highlights, each query of the mix timed `--rounds` times after one warm-up), and the machine's
1-minute load average before and after the timed queries (the machine may be shared).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.db import scratch_database  # noqa: E402
from search.engine import Engine  # noqa: E402
from search.records import DocumentRecord, IndicatorRecord, SearchQuery, VersionRecord  # noqa: E402

OFFICES = [f"Dinas {n}" for n in (
    "Kesehatan", "Pendidikan", "Perhubungan", "Pertanian", "Pariwisata", "Sosial", "Perikanan",
    "Komunikasi dan Informatika", "Kependudukan dan Pencatatan Sipil", "Lingkungan Hidup",
    "Pekerjaan Umum", "Perindustrian", "Koperasi", "Ketahanan Pangan", "Perpustakaan")] + [
    "Badan Perencanaan Pembangunan Daerah", "Badan Kepegawaian Daerah", "Inspektorat Daerah",
    "Badan Pengelolaan Keuangan Daerah", "Sekretariat Daerah"]
TYPES = ["sop", "lkjip", "perjanjian_kinerja", "form_data_kinerja", "surat"]
SENTENCES = [
    "Pengukuran kinerja dilakukan setiap triwulan oleh bidang program dan pelaporan.",
    "Capaian indikator kinerja utama dibandingkan dengan target yang ditetapkan dalam perjanjian kinerja.",
    "Realisasi anggaran belanja langsung mencapai persentase yang cukup tinggi pada tahun anggaran berjalan.",
    "Kepala dinas menetapkan sasaran strategis sesuai rencana strategis perangkat daerah.",
    "Evaluasi akuntabilitas kinerja instansi pemerintah dilaksanakan oleh inspektorat daerah.",
    "Pelayanan kepada masyarakat ditingkatkan melalui penyederhanaan prosedur dan pemanfaatan teknologi informasi.",
    "Indeks kepuasan masyarakat diukur melalui survei terhadap penerima layanan.",
    "Permasalahan yang dihadapi antara lain keterbatasan sumber daya manusia dan sarana prasarana.",
    "Upaya perbaikan dilakukan dengan meningkatkan koordinasi antar bidang dan pengawasan internal.",
    "Data kinerja dikumpulkan dari setiap unit kerja dan diverifikasi oleh sekretariat.",
    "Pegawai melaksanakan tugas sesuai standar operasional prosedur yang berlaku.",
    "Dokumen pendukung disimpan dalam arsip elektronik dan arsip vital dinas.",
    "Monitoring pelaksanaan kegiatan dilakukan secara berkala oleh tim pengendali.",
    "Rencana aksi disusun untuk mempercepat pencapaian target kinerja tahunan.",
    "Hasil pemeriksaan disampaikan kepada pimpinan sebagai bahan pengambilan keputusan.",
    "Penilaian mandiri dilakukan terhadap pelaksanaan reformasi birokrasi di lingkungan pemerintah daerah.",
    "Program peningkatan kapasitas aparatur dilaksanakan melalui pendidikan dan pelatihan teknis.",
    "Jumlah temuan pemeriksaan yang ditindaklanjuti meningkat dibandingkan tahun sebelumnya.",
    "Penyusunan laporan keuangan mengacu pada standar akuntansi pemerintahan.",
    "Surat pengantar disampaikan bersama laporan kinerja kepada gubernur.",
]
INDICATORS = ["Indeks Kepuasan Masyarakat", "Persentase Realisasi Anggaran", "Nilai Evaluasi SAKIP",
              "Angka Partisipasi Sekolah", "Persentase Temuan yang Ditindaklanjuti",
              "Indeks Reformasi Birokrasi", "Cakupan Pelayanan Kesehatan Dasar"]
OCR_SLIPS = {"kinerja": "kincrja", "pelayanan": "pelayarian", "anggaran": "angaran", "masyarakat": "masyarakal"}

QUERIES: dict[str, list[dict[str, object]]] = {
    "single word": [{"text": w} for w in ("pengukuran", "anggaran", "inspektorat", "survei", "arsip",
                                          "koordinasi", "pelatihan", "temuan")],
    "two words": [{"text": w} for w in ("kinerja anggaran", "kepuasan masyarakat", "arsip elektronik",
                                        "reformasi birokrasi", "laporan keuangan", "sarana prasarana")],
    "phrase": [{"text": w} for w in ('"indikator kinerja utama"', '"arsip vital"', '"standar akuntansi"',
                                     '"sumber daya manusia"', '"laporan kinerja"', '"tim pengendali"')],
    "filtered": [{"text": "kinerja", "doc_type": "lkjip", "tahun": 2023},
                 {"text": "pelayanan", "instansi": "kesehatan"},
                 {"text": "anggaran", "tahun": 2021, "doc_type": "sop"},
                 {"text": "evaluasi", "doc_type": "perjanjian_kinerja", "tahun": 2024}],
    "fuzzy": [{"text": w, "fuzzy": "always"} for w in ("kinerja", "pelayanan", "masyarakat", "koordinasi")],
}


def make_docs(n: int, seed: int = 7) -> Iterator[DocumentRecord]:
    """`n` synthetic documents of 2-4 pages (about 250 words each), some with indicator rows."""
    rng = random.Random(seed)
    for i in range(1, n + 1):
        doc_type, tahun = rng.choice(TYPES), rng.randint(2019, 2024)
        office = rng.choice(OFFICES)
        pages = tuple(_page(rng) for _ in range(rng.randint(2, 4)))
        indicators = tuple(
            IndicatorRecord(rng.choice(INDICATORS), rng.choice(SENTENCES)[:60], "persen",
                            90.0, round(rng.uniform(70, 110), 2), None, page=2)
            for _ in range(rng.randint(3, 8) if doc_type in ("lkjip", "perjanjian_kinerja") else 0))
        title = f"{doc_type.upper()} {office} Tahun {tahun}: {rng.choice(SENTENCES)[:50]}"
        v = VersionRecord(i, 1, True, "berlaku", doc_type, title, f"000.8.{rng.randint(1, 9)}.3/{i}/{tahun}",
                          office, tahun, date(tahun, rng.randint(1, 12), rng.randint(1, 28)), pages, indicators)
        yield DocumentRecord(i, (v,))


_EXTRA_ROOTS = (
    "ajar atur bangun bantu beri bina buat cari catat cegah didik duduk guna hitung hubung ikut jamin "
    "jual kelola kembang kirim kuasa lapor latih lindung milik minta nilai olah pakai pantau periksa "
    "pilih rawat rekam rencana salur sebar sedia serah simpan susun tanggung tata terima tetap tindak "
    "tulis ukur ulang urus usaha wujud")
ROOTS = sorted({w.strip(".,:").lower() for line in SENTENCES for w in line.split() if len(w) > 4}
               | set(_EXTRA_ROOTS.split()))
AFFIXES = [("", ""), ("pe", "an"), ("ke", "an"), ("me", "kan"), ("di", "kan"), ("ber", ""), ("", "an"), ("per", "an")]
VOCAB = [f"{a}{r}{b}" for r in ROOTS for a, b in AFFIXES]  # ~2,000 word forms, drawn Zipf-like
random.Random(3).shuffle(VOCAB)
ZIPF_CUM = list(itertools.accumulate(1 / (k + 1) for k in range(len(VOCAB))))  # cum_weights: not re-summed per draw


def _page(rng: random.Random) -> str:
    """About 250 words: a third from real sentences (for phrases), the rest a Zipf-like draw."""
    words: list[str] = []
    while len(words) < 250:
        if rng.random() < 0.35:
            words += rng.choice(SENTENCES).split()
        else:
            words += rng.choices(VOCAB, cum_weights=ZIPF_CUM, k=rng.randint(6, 14))
            words[-1] += "."
    for j, w in enumerate(words):
        if w in OCR_SLIPS and rng.random() < 0.02:
            words[j] = OCR_SLIPS[w]
    return " ".join(words)


def _open(engine: str, workdir: Path, pg_url: str | None, procs: int, stack: ExitStack) -> Engine:
    """An empty engine; a PostgreSQL one gets a scratch database, dropped when `stack` closes."""
    if engine == "whoosh":
        from search.whoosh_engine import WhooshEngine

        return WhooshEngine(workdir / "index", procs=procs)
    from search.pg_engine import PostgresEngine

    assert pg_url, "PostgreSQL needs --pg-url or ARSIP_TEST_POSTGRES_URL"
    return PostgresEngine(stack.enter_context(scratch_database(pg_url, "arsip_bench")))


def run_one(engine_name: str, size: int, pg_url: str | None, rounds: int, procs: int) -> dict[str, object]:
    """Build one index and time the query mix; returns the row of the table."""
    with tempfile.TemporaryDirectory(prefix="arsip-bench-") as tmp, ExitStack() as stack:
        engine = _open(engine_name, Path(tmp), pg_url, procs, stack)
        t0 = time.perf_counter()
        entries = engine.rebuild(make_docs(size))
        build = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in make_docs(size):
            pass
        row: dict[str, object] = {"engine": engine_name, "docs": size, "entries": entries,
                                  "build_s": round(build, 1), "input_s": round(time.perf_counter() - t0, 1),
                                  "size_mb": round(engine.size_bytes() / 1e6, 1)}
        load_before = os.getloadavg()[0]
        for kind, queries in QUERIES.items():
            row[kind] = _time_queries(engine, queries, rounds)
        row["load"] = f"{load_before:.1f}-{os.getloadavg()[0]:.1f}"
        peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # whoosh writer processes
        row["peak_mb"] = round(peak / 1024, 0)
        engine.close()
        return row


def _time_queries(engine: Engine, queries: list[dict[str, object]],
                  rounds: int) -> tuple[float, float, int, int]:
    """p50 and p95 ms, average hits, and how many results were marked partial."""
    for q in queries:  # warm caches once
        engine.search(SearchQuery(**q))  # type: ignore[arg-type]
    times, hits, partial = [], 0, 0
    for _ in range(rounds):
        for q in queries:
            t0 = time.perf_counter()
            res = engine.search(SearchQuery(**q, limit=20, time_limit=10.0))  # type: ignore[arg-type]
            times.append((time.perf_counter() - t0) * 1000)
            hits += len(res.hits)
            partial += res.partial
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    return round(statistics.median(times), 1), round(p95, 1), hits // max(1, rounds * len(queries)), partial


def print_table(rows: list[dict[str, object]]) -> None:
    """The results as a markdown table (p50/p95 ms, average hits)."""
    kinds = list(QUERIES)
    print("| engine | docs | entries | build s | input s | size MB | peak MB | load | "
          + " | ".join(kinds) + " |")
    print("|---" * (8 + len(kinds)) + "|")
    for r in rows:
        cells = [f"{r[k][0]}/{r[k][1]} ({r[k][2]})" + (f" {r[k][3]} partial" if r[k][3] else "")  # type: ignore[index]
                 for k in kinds]
        print(f"| {r['engine']} | {r['docs']} | {r['entries']} | {r['build_s']} | {r['input_s']} | "
              f"{r['size_mb']} | {r['peak_mb']} | {r['load']} | " + " | ".join(cells) + " |")
    print("\ncells: p50/p95 ms (average hits; results marked partial, if any); both engines rank every "
          "match (BM25F); load: 1-minute load average before-after the queries")


def main() -> None:
    """Parse flags; run each (engine, size) in a child process and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated document counts")
    ap.add_argument("--engines", default="whoosh,postgres")
    ap.add_argument("--pg-url", default=os.environ.get("ARSIP_TEST_POSTGRES_URL"))
    ap.add_argument("--rounds", type=int, default=10, help="times each query of the mix is timed")
    ap.add_argument("--procs", type=int, default=2, help="whoosh writer processes for the build")
    ap.add_argument("--one", nargs=2, metavar=("ENGINE", "SIZE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        row = run_one(args.one[0], int(args.one[1]), args.pg_url, args.rounds, args.procs)
        print(json.dumps(row))
        return
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        for engine in args.engines.split(","):
            cmd = [sys.executable, __file__, "--one", engine, str(size), "--rounds", str(args.rounds),
                   "--procs", str(args.procs)] + (["--pg-url", args.pg_url] if args.pg_url else [])
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            rows.append(json.loads(out.strip().splitlines()[-1]))
            print(f"done: {engine} {size}: build {rows[-1]['build_s']} s", file=sys.stderr)
    print_table(rows)


if __name__ == "__main__":
    main()
