"""A small hand-written set of documents for the engine tests (records, no database)."""

from __future__ import annotations

from datetime import date

from search.records import DocumentRecord, IndicatorRecord, VersionRecord


def version(vid: int, **kw: object) -> VersionRecord:
    """A version with defaults: in force, an SOP of Dinas Kesehatan 2023."""
    base: dict[str, object] = {
        "version_id": vid, "version_no": 1, "in_force": True, "status": "berlaku", "doc_type": "sop",
        "title": f"Dokumen {vid}", "nomor": None, "instansi": "Dinas Kesehatan", "tahun": 2023,
        "tanggal": None, "pages": ("",), "indicators": (),
    }
    base.update(kw)
    return VersionRecord(**base)  # type: ignore[arg-type]


DOCS = (
    DocumentRecord(1, (version(
        11, title="SOP Penyusunan Laporan", nomor="000.8.3.3/12/2023", tanggal=date(2023, 3, 1),
        pages=("Daftar isi dan pendahuluan.",
               "Bidang program mengukur capaian setiap triwulan dan hasilnya diukur ulang.",
               "Penutup."),
    ),)),
    DocumentRecord(2, (version(
        21, title="Pedoman Kerja Lapangan", doc_type="lkjip", instansi="Dinas Pendidikan", tahun=2022,
        tanggal=date(2022, 7, 1),
        pages=("Jam kerja pegawai lapangan diatur oleh kepala dinas.",),
    ),)),
    DocumentRecord(3, (version(
        31, title="Laporan Kinerja Instansi Pemerintah", doc_type="lkjip", instansi="Dinas Pendidikan",
        tahun=2023, tanggal=date(2023, 12, 20),
        pages=("Ringkasan eksekutif.", "Hasil pemindaian: kincrja pelayanan sekolah meningkat."),
        indicators=(
            IndicatorRecord("Indeks Kepuasan Masyarakat", "Meningkatnya kualitas pelayanan", "indeks",
                            80.0, 82.5, 103.1, page=2),
            IndicatorRecord("Angka Partisipasi Sekolah", "Meningkatnya akses pendidikan", "persen",
                            95.0, 93.0, 97.9, page=2),
        ),
    ),)),
    DocumentRecord(4, (
        version(41, version_no=1, in_force=False, status="digantikan", title="SOP Pelayanan Arsip",
                nomor="800.1.11/121/767.07/2021", tahun=2021, tanggal=date(2021, 1, 4),
                pages=("Versi lama: penyimpanan arsip vital di gudang.",)),
        version(42, version_no=2, title="SOP Pelayanan Arsip", nomor="800.1.11/121/767.07/2023",
                tanggal=date(2023, 1, 2),
                pages=("Versi baru: penyimpanan arsip elektronik di server.",)),
    )),
)
