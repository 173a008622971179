"""The one shape of an extraction (../shared/schema/extraction.schema.json) as frozen dataclasses.

Parsers build these; the archive stores them, the index reads them, and `arsip extract --json`
prints `Extraction.to_json()`.  Field names follow the schema exactly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

DocType = Literal[
    "sop", "lkjip", "form_data_kinerja", "perjanjian_kinerja", "surat", "keputusan", "other"
]
DOC_TYPES: tuple[str, ...] = (
    "sop", "lkjip", "form_data_kinerja", "perjanjian_kinerja", "surat", "keputusan", "other"
)
WaktuUnit = Literal["menit", "jam", "hari", "minggu", "bulan"]


FAILED_CHECK = 0.5  # the usual cap of a field a parser's self-check doubts (`Extraction.confidence`)


@dataclass(frozen=True)
class Official:
    """A person who signs: jabatan, nama with titles, NIP (18 digits), pangkat."""

    jabatan: str | None = None
    nama: str | None = None
    nip: str | None = None
    pangkat: str | None = None


@dataclass(frozen=True)
class Waktu:
    """The time of an SOP step: the printed text and, for a quantity, value and unit."""

    text: str | None = None
    value: float | None = None
    unit: WaktuUnit | None = None


@dataclass(frozen=True)
class Step:
    """One row of an SOP flowchart."""

    no: int
    kegiatan: str
    pelaksana: str | None = None
    kelengkapan: str | None = None
    waktu: Waktu | None = None
    output: str | None = None
    keterangan: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class Indicator:
    """One performance-measurement row (LKjIP, form, Perjanjian Kinerja, RKT lampiran)."""

    indikator: str
    sasaran: str | None = None
    satuan: str | None = None
    target: float | None = None
    realisasi: float | None = None
    capaian: float | None = None
    target_triwulan: tuple[float | None, ...] = ()
    target_text: str | None = None
    realisasi_text: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class Program:
    """One row of a Perjanjian Kinerja program/budget table."""

    program: str
    anggaran: float | None = None
    keterangan: str | None = None


@dataclass(frozen=True)
class Extraction:
    """Everything read from one PDF."""

    doc_type: DocType = "other"
    scanned: bool = False
    pages: int = 0
    pemerintah: str | None = None
    instansi: str | None = None
    title: str | None = None
    nomor: str | None = None
    tahun: int | None = None
    tanggal: str | None = None
    tanggal_pembuatan: str | None = None
    tanggal_revisi: str | None = None
    tanggal_efektif: str | None = None
    tanggal_pengesahan: str | None = None
    perihal: str | None = None
    kepada: str | None = None
    disahkan_oleh: Official | None = None
    pihak_pertama: Official | None = None
    pihak_kedua: Official | None = None
    dasar_hukum: tuple[str, ...] = ()
    kualifikasi_pelaksana: tuple[str, ...] = ()
    keterkaitan: tuple[str, ...] = ()
    peralatan: tuple[str, ...] = ()
    peringatan: tuple[str, ...] = ()
    pencatatan: tuple[str, ...] = ()
    pelaksana: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    programs: tuple[Program, ...] = ()
    warnings: tuple[str, ...] = ()
    page_texts: tuple[str, ...] = field(default=(), repr=False)
    # Where OCR was used: field path ('nomor', 'disahkan_oleh.nama', 'steps[2].kegiatan') ->
    # 0..1, the mean OCR confidence of the words the value was read from (ingest.confidence).
    # Empty for born-digital files, and then left out of the JSON.  A parser sets caps here for
    # the fields its self-checks doubt (amounts that miss the Jumlah, dates out of order, a NIP
    # of a broken structure), beside the warning that tells a person why: the one way a parser
    # marks a doubt.  `extract.with_confidence` keeps the lower of the cap and the OCR confidence.
    confidence: dict[str, float] = field(default_factory=dict, hash=False)

    def replace(self, **changes: Any) -> Extraction:
        """A copy with some fields changed (the dataclasses are frozen)."""
        return dataclasses.replace(self, **changes)

    def to_json(self, *, with_page_texts: bool = False) -> dict[str, Any]:
        """The schema's JSON object (tuples as lists; page texts only on request)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name == "page_texts" and not with_page_texts:
                continue
            if f.name == "confidence" and not self.confidence:
                continue
            out[f.name] = _plain(getattr(self, f.name))
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extraction:
        """Rebuild an Extraction from `to_json()` output (as stored in the archive)."""
        kw: dict[str, Any] = {}
        names = {f.name for f in dataclasses.fields(cls)}
        for key, value in data.items():
            if key not in names:
                continue
            if key in ("disahkan_oleh", "pihak_pertama", "pihak_kedua"):
                value = Official(**value) if value else None
            elif key == "steps":
                value = tuple(
                    Step(**{**s, "waktu": Waktu(**s["waktu"]) if s.get("waktu") else None})
                    for s in value
                )
            elif key == "indicators":
                value = tuple(
                    Indicator(**{**i, "target_triwulan": tuple(i.get("target_triwulan") or ())})
                    for i in value
                )
            elif key == "programs":
                value = tuple(Program(**p) for p in value)
            elif key == "confidence":
                value = {str(k): float(v) for k, v in (value or {}).items()}
            elif isinstance(value, list):
                value = tuple(value)
            kw[key] = value
        return cls(**kw)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value
