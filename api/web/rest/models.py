"""The API's request and response models: separate from the tables, one shape per resource."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorBody(BaseModel):
    """What went wrong: a stable code and a message saying what to do."""

    code: str
    message: str


class ErrorOut(BaseModel):
    """Every error of the API has this one shape."""

    error: ErrorBody


class FileOut(BaseModel):
    """A stored file of a version."""

    sha256: str
    role: str
    size: int
    pages: int | None
    scanned: bool
    url: str


class VersionSummary(BaseModel):
    """A version in a document's history."""

    id: int
    version_no: int  # numbered by date: 1 came into force first (undated last)
    upload_no: int  # the order it was uploaded in among the document's versions
    status: str
    tanggal_pembuatan: date | None
    tanggal_revisi: date | None
    tanggal_efektif: date | None
    tanggal_pengesahan: date | None
    tanggal_dicabut: date | None
    uploaded_at: datetime
    uploader: str | None
    source_filename: str | None
    files: list[FileOut]


class DocumentSummary(BaseModel):
    """A document in a list."""

    id: int
    doc_type: str
    nomor: str | None
    title: str | None
    instansi: str | None
    tahun: int | None
    created_at: datetime


class DocumentList(BaseModel):
    """A page of documents, newest first."""

    total: int
    items: list[DocumentSummary]


class DocumentOut(DocumentSummary):
    """A document with its versions (oldest first) and the one in force today."""

    in_force_version_id: int | None
    versions: list[VersionSummary]


class StepOut(BaseModel):
    """One SOP step."""

    no: int | None
    kegiatan: str
    pelaksana: str | None
    kelengkapan: str | None
    waktu_text: str | None
    output: str | None
    keterangan: str | None
    page: int | None


class IndicatorOut(BaseModel):
    """One measurement row."""

    sasaran: str | None
    indikator: str
    satuan: str | None
    target: float | None
    realisasi: float | None
    capaian: float | None
    target_text: str | None
    realisasi_text: str | None
    page: int | None


class VersionOut(VersionSummary):
    """A version with what was read from it."""

    document_id: int
    steps: list[StepOut]
    indicators: list[IndicatorOut]
    extraction: dict[str, object]


class HighlightOut(BaseModel):
    """A fragment of a page; `marks` are [start, end) character spans of the matched words."""

    page: int
    text: str
    marks: list[list[int]]


class HitOut(BaseModel):
    """A version that matched, named by its best page."""

    doc_id: int
    version_id: int
    version_no: int
    page: int
    score: float
    doc_type: str
    title: str | None
    nomor: str | None
    instansi: str | None
    tahun: int | None
    status: str
    in_force: bool
    highlights: list[HighlightOut]


class SearchOut(BaseModel):
    """The hits of a search; `partial` when the time limit cut ranking short."""

    hits: list[HitOut]
    partial: bool
    fuzzy: bool


class IndicatorHitOut(IndicatorOut):
    """A measurement row that matched, with its document."""

    doc_id: int
    version_id: int
    doc_type: str
    title: str | None
    instansi: str | None
    tahun: int | None
    in_force: bool


class IndicatorsOut(BaseModel):
    """The measurement rows of a search."""

    hits: list[IndicatorHitOut]
    partial: bool
    fuzzy: bool


class UploadFileOut(BaseModel):
    """One file of an upload: waiting, being read, or its outcome."""

    name: str
    state: str
    outcome: str | None
    message: str
    document_id: int | None
    pages: int | None = None
    attempt: int = 0
    worker: str | None = None
    stage: str = ""
    pages_done: int | None = None  # pages read so far while the file is being read


class UploadOut(BaseModel):
    """An upload and its progress (`pending` files still waiting or being read)."""

    id: str
    created: str
    uploader: str | None
    pending: int
    files: list[UploadFileOut]


class RegisterEntryOut(BaseModel):
    """One number of the register of outgoing letters."""

    number: str
    tanggal: date | None
    recipient: str | None
    subject: str | None
    status: str
    office: str
    year: int
    void_reason: str | None
    document_id: int | None


class KepadaIn(BaseModel):
    """The recipient."""

    model_config = ConfigDict(extra="forbid")
    nama: str = Field(min_length=1, max_length=500)
    di: str = Field(min_length=1, max_length=200)


class ItemIn(BaseModel):
    """One item sent with the letter."""

    model_config = ConfigDict(extra="forbid")
    uraian: str = Field(min_length=1, max_length=1000)
    banyaknya: str | None = Field(default=None, max_length=50)
    satuan: str | None = Field(default=None, max_length=50)
    keterangan: str | None = Field(default=None, max_length=500)


class LetterIn(BaseModel):
    """A surat pengantar to number, render and archive (kop and sender from the office)."""

    model_config = ConfigDict(extra="forbid")
    office: str = Field(min_length=1, max_length=64)
    tanggal: date | None = None
    kka: str | None = Field(default=None, max_length=64)
    perihal: str | None = Field(default=None, max_length=500)
    tempat: str | None = Field(default=None, max_length=100)
    kepada: KepadaIn
    items: list[ItemIn] = Field(min_length=1, max_length=100)
    reserve: bool = False


class LetterOut(BaseModel):
    """The number handed out and where its archived PDF is."""

    number: str
    status: str
    document_id: int
    pdf_url: str


class CopyIn(BaseModel):
    """A stamped copy of a version, certified by the calling account's official profile."""

    model_config = ConfigDict(extra="forbid")
    version_id: int = Field(ge=1, le=2_147_483_647)
    untuk: str | None = Field(default=None, max_length=512)
    keperluan: str | None = Field(default=None, max_length=2000)


class CopyOut(BaseModel):
    """A stamped copy issued: its code, verification URL and file."""

    code: str
    verify_url: str
    sha256: str
    pdf_url: str
    document_id: int
    version_no: int
    pages: int


class VerdictOut(BaseModel):
    """Whether a code or file is an unaltered original or copy of this archive."""

    ok: bool
    kind: Literal["original", "copy", "altered_copy", "unknown", "unknown_code"]
    message: str
    sha256: str | None
    document_id: int | None
    version_id: int | None
    version_no: int | None
    code: str | None
    superseded: str | None = None


class ProfileOut(BaseModel):
    """The official behind an account."""

    jabatan: str | None
    nama: str | None
    nip: str | None
    pangkat: str | None
    kantor: str | None


class UserOut(BaseModel):
    """An account (never its password or tokens)."""

    name: str
    role: str
    disabled: bool
    profile: ProfileOut
    can_certify: bool


class ProfileIn(BaseModel):
    """An official's profile; the NIP is checked (birth date, TMT, sex digit)."""

    model_config = ConfigDict(extra="forbid")
    jabatan: str | None = Field(default=None, max_length=255)
    nama: str | None = Field(default=None, max_length=255)
    nip: str | None = Field(default=None, max_length=25)
    pangkat: str | None = Field(default=None, max_length=128)
    kantor: str | None = Field(default=None, max_length=255)


class UserIn(BaseModel):
    """A new account."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2, max_length=64)
    role: Literal["admin", "arsiparis", "auditor", "staf"]
    password: str = Field(min_length=10, max_length=1000)
    profile: ProfileIn | None = None


class AuditRowOut(BaseModel):
    """One row of the audit trail."""

    id: int
    at: str
    actor: str
    address: str
    action: str
    target: str
    before: object | None
    after: object | None
    hash: str


class AuditOut(BaseModel):
    """Rows of the audit trail and whether the whole chain is sound."""

    chain_ok: bool
    chain_rows: int
    first_bad_row: int | None
    reason: str
    rows: list[AuditRowOut]


class FieldValueIn(BaseModel):
    """The correct value of one field (as typed: dates TTTT-BB-HH, numbers 95,5 or 95.5)."""

    model_config = ConfigDict(extra="forbid")
    field: str = Field(max_length=200, description="jalur kolom, mis. nomor, disahkan_oleh.nip, "
                       "steps[2].kegiatan, indicators[0].target (baris dari 0)")
    value: str | None = Field(default=None, max_length=20000,
                              description="nilai yang benar; kosong/null mengosongkan kolom")


class CorrectionIn(BaseModel):
    """Corrections of a version's reading, and marked fields confirmed as read, with the reason."""

    model_config = ConfigDict(extra="forbid")
    set: list[FieldValueIn] = Field(default_factory=list, max_length=500)
    confirm: list[str] = Field(default_factory=list, max_length=500,
                               description="kolom bertanda yang sudah dicocokkan dan benar")
    add: list[str] = Field(default_factory=list, max_length=100,
                           description="baris baru, kosong, disisipkan di posisinya (mis. "
                           "steps[3], indicators[2], dasar_hukum[0]; dihitung sesudah `remove`), "
                           "diisi lewat `set`")
    remove: list[str] = Field(default_factory=list, max_length=100,
                              description="baris yang dihapus (dihitung pada hasil baca "
                              "sebelum disimpan), mis. indicators[4]")
    reason: str = Field(min_length=1, max_length=2000)


class ChangeOut(BaseModel):
    """One field of a revision: before and after, a correction or a confirmation."""

    field: str
    old: Any = None
    new: Any = None
    kind: Literal["koreksi", "diperiksa", "tambah", "hapus"]


class RevisionOut(BaseModel):
    """One save of corrections: who, when, why, each field."""

    revision_no: int
    at: datetime
    actor: str
    reason: str
    changes: list[ChangeOut]


class ReviewOut(BaseModel):
    """A version's review: marked fields (with why), those still open, history, the machine's reading."""

    version_id: int
    document_id: int
    diperiksa: bool
    marked: dict[str, list[str]]
    open: list[str]
    revisions: list[RevisionOut]
    machine_reading: dict[str, Any]
    extraction: dict[str, Any]
    index_warning: str | None = None
