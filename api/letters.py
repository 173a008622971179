"""Surat pengantar: the request model, quantities in words, Indonesian dates, rendering to PDF.

One jinja2 Environment renders every letter, with autoescape and StrictUndefined, so a missing field
is an error and never a blank on an official letter.  WeasyPrint turns the HTML into an A4 PDF with
its fonts embedded.  `issue_letter` is the whole flow: check the letter renders, take a number from
the register, render the final PDF (voiding the number with a reason if that fails).
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from archive import numbering
from archive.errors import BadInputError, MissingDependencyError, NotFoundError, StorageError
from archive.models_letters import Letter
from archive.store import FileStore
from ingest.text import format_date

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "letters"
TEMPLATE = "surat_pengantar.html"

_ONES = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
         "sepuluh", "sebelas")
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (1000, "ribu"))


def terbilang(n: int) -> str:
    """A whole number in Indonesian words: 1 -> 'satu', 15 -> 'lima belas', 1100 -> 'seribu seratus'."""
    if n < 0:
        return "minus " + terbilang(-n)
    if n == 0:
        return "nol"
    return _words(n)


def _words(n: int) -> str:
    if n < 12:
        return _ONES[n]
    if n < 20:
        return f"{_ONES[n - 10]} belas"
    if n < 100:
        return _join(f"{_ONES[n // 10]} puluh", n % 10)
    if n < 1000:
        head = "seratus" if n < 200 else f"{_ONES[n // 100]} ratus"
        return _join(head, n % 100)
    if n < 2000:
        return _join("seribu", n - 1000)
    for size, name in _SCALES:
        if n >= size:
            return _join(f"{_words(n // size)} {name}", n % size)
    raise AssertionError("unreachable")


def _join(head: str, rest: int) -> str:
    return f"{head} {_words(rest)}" if rest else head


def quantity_text(n: int, unit: str = "berkas") -> str:
    """How a letter writes a quantity: '1 (satu) berkas', '12 (dua belas) eksemplar'."""
    return f"{n} ({terbilang(n)}) {unit}".strip()


def format_nip(nip: str) -> str:
    """An 18-digit NIP the way it is printed: '19820425 200902 2 002' (other text kept as given)."""
    digits = re.sub(r"\D", "", nip)
    if len(digits) != 18:
        return nip.strip()
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


# --- the request -------------------------------------------------------------------------------
class Kop(BaseModel):
    """The letterhead of the sending office."""

    model_config = ConfigDict(extra="forbid")
    pemerintah: str = Field(min_length=1)
    instansi: str = Field(min_length=1)
    alamat: str = Field(min_length=1)
    telepon: str = ""
    faksimile: str = ""
    laman: str = ""
    email: str = ""
    logo: str | None = None


class Kepada(BaseModel):
    """The recipient: `Yth. <nama>` / `di` / `<di>`."""

    model_config = ConfigDict(extra="forbid")
    nama: str = Field(min_length=1)
    di: str = Field(min_length=1)


class Item(BaseModel):
    """One row of the table of what is sent."""

    model_config = ConfigDict(extra="forbid")
    uraian: str = Field(min_length=1)
    banyaknya: int = Field(default=1, ge=1)
    satuan: str = "berkas"
    keterangan: str = ""
    version_id: int | None = None


class Pengirim(BaseModel):
    """Who signs: jabatan, name, pangkat/golongan, NIP."""

    model_config = ConfigDict(extra="forbid")
    jabatan: str = Field(min_length=1)
    nama: str = Field(min_length=1)
    pangkat: str = ""
    nip: str = Field(min_length=1)

    @field_validator("nip")
    @classmethod
    def _nip_has_18_digits(cls, v: str) -> str:
        if len(re.sub(r"\D", "", v)) != 18:
            raise ValueError("NIP harus 18 angka")
        return v


class LetterRequest(BaseModel):
    """Everything a surat pengantar needs; `kop` and `pengirim` may come from the office profile."""

    model_config = ConfigDict(extra="forbid")
    office: str = Field(min_length=1)
    tanggal: date
    tempat: str = Field(min_length=1)
    kka: str | None = None
    perihal: str = ""
    kepada: Kepada
    items: list[Item] = Field(min_length=1)
    pengirim: Pengirim
    kop: Kop
    tembusan: list[str] = []
    # the web form's one-time token: the same form sent twice gets the number it got the first time
    formulir: str | None = Field(default=None, max_length=64)


def parse_request(data: dict[str, Any], profile: dict[str, Any] | None = None) -> LetterRequest:
    """Validate a letter request, filling kop/pengirim/tempat from the office profile when absent."""
    merged = {**(profile or {}), **{k: v for k, v in data.items() if v is not None}}
    try:
        return LetterRequest.model_validate(merged)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {_problem(err)}"
                             for err in e.errors())
        raise BadInputError(f"Data surat tidak lengkap atau salah: {problems}.") from e


# pydantic's messages are English: the common ones said in Indonesian, by error type.
_PROBLEMS = {
    "missing": "wajib diisi",
    "string_too_short": "tidak boleh kosong",
    "too_short": "harus berisi sedikitnya {min_length} butir",
    "extra_forbidden": "isian tidak dikenal; hapus atau periksa ejaannya",
    "string_type": "harus berupa teks",
    "int_parsing": "harus berupa bilangan bulat",
    "list_type": "harus berupa daftar",
    "model_type": "harus berupa objek JSON",
    "date_parsing": "harus berupa tanggal TTTT-BB-HH",
    "date_from_datetime_parsing": "harus berupa tanggal TTTT-BB-HH",
    "date_type": "harus berupa tanggal TTTT-BB-HH",
}


def _problem(err: Any) -> str:
    """One validation problem in Indonesian (our own validators' messages as they are)."""
    if err["type"] == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    template = _PROBLEMS.get(err["type"])
    return template.format(**err.get("ctx", {})) if template else str(err["msg"])


def to_entry(request: LetterRequest) -> numbering.LetterEntry:
    """What the register keeps of a request."""
    items = tuple(numbering.ItemEntry(i.uraian, i.banyaknya, i.satuan, i.keterangan, i.version_id)
                  for i in request.items)
    subject = request.perihal or "; ".join(i.uraian for i in request.items)
    return numbering.LetterEntry(
        tanggal=request.tanggal, kka=request.kka, recipient=f"{request.kepada.nama}, {request.kepada.di}",
        subject=subject, items=items, content=request.model_dump(mode="json"),
    )


# --- rendering ---------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def letter_environment() -> Environment:
    """The one jinja2 Environment for letters: autoescape, StrictUndefined."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )


def render_html(request: LetterRequest, nomor: str) -> str:
    """The letter as HTML; a blank `nomor` prints the draft gap that is filled at signing."""
    kop = request.kop
    contacts = [("Telepon", kop.telepon), ("Faksimile", kop.faksimile), ("Laman", kop.laman),
                ("Pos-el", kop.email)]
    logo = logo_url(kop.logo)
    context = {
        "kop": kop, "kontak": [(k, v) for k, v in contacts if v], "logo_url": logo,
        "tempat": request.tempat, "tanggal": format_date(request.tanggal.isoformat()),
        "kepada": request.kepada, "nomor": nomor, "perihal": request.perihal,
        "items": [{**i.model_dump(), "banyaknya_teks": quantity_text(i.banyaknya, i.satuan)}
                  for i in request.items],
        "pengirim": request.pengirim, "nip": format_nip(request.pengirim.nip),
        "tembusan": request.tembusan,
    }
    try:
        return letter_environment().get_template(TEMPLATE).render(**context)
    except TemplateError as e:
        raise BadInputError(f"Templat surat gagal diisi: {e}.") from e


def logo_url(logo: str | None) -> str:
    """Where the kop's logo comes from: an image kept in the profile (`data:image/...`, what the
    office form stores), a file path (profiles written for `arsip letter format`), else the
    template's own emblem."""
    if not logo:
        return "logo.svg"
    if logo.startswith(("data:image/png;base64,", "data:image/jpeg;base64,")):
        return logo
    return Path(logo).resolve().as_uri()


def render_pdf(html: str) -> bytes:
    """HTML to an A4 PDF with WeasyPrint (fonts are embedded as subsets)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as e:  # OSError: Pango/Cairo libraries missing
        raise MissingDependencyError(
            f"WeasyPrint tidak dapat dimuat ({e}): pasang paket weasyprint dan pustaka Pango."
        ) from e
    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf()
    return pdf


def render_letter(request: LetterRequest, nomor: str) -> bytes:
    """The letter as PDF bytes."""
    return render_pdf(render_html(request, nomor))


# --- the whole flow ----------------------------------------------------------------------------
@dataclass(frozen=True)
class IssuedLetter:
    """A numbered (or reserved) letter and its PDF."""

    allocated: numbering.Allocated
    pdf: bytes


def load_request(engine: Engine, data: dict[str, Any]) -> LetterRequest:
    """A request completed from the office profile stored with its number format."""
    office = data.get("office")
    with Session(engine) as session:
        profile = numbering.get_profile(session, office) if isinstance(office, str) else {}
    return parse_request(data, profile)


def issue_letter(engine: Engine, request: LetterRequest, *, reserve: bool = False,
                 sisipan_after: int | None = None) -> IssuedLetter:
    """Render a trial copy, take the number, render the final PDF; a failure voids the number."""
    render_html(request, numbering.DRAFT_BLANK)  # a missing field fails here, before any number
    entry = to_entry(request)
    if sisipan_after is not None:
        allocated = numbering.insert_number(engine, request.office, sisipan_after, entry)
    else:
        allocated = numbering.allocate(engine, request.office, entry, reserve=reserve)
    try:
        pdf = render_letter(request, allocated.number)
    except Exception as e:
        numbering.void(engine, allocated.number, f"gagal dicetak: {e}", office=request.office,
                       year=allocated.year)
        raise
    return IssuedLetter(allocated, pdf)


# --- archiving ---------------------------------------------------------------------------------
SessionFactory = Callable[[], Session]


def letter_extraction(issued: IssuedLetter, request: LetterRequest) -> dict[str, Any]:
    """The archive's extraction of the letter: read back like any PDF, typed `surat`, with its number."""
    from ingest.extract import ExtractOptions, extract_file

    with tempfile.TemporaryDirectory(prefix="arsip-surat-") as tmp:
        path = Path(tmp) / "surat.pdf"
        path.write_bytes(issued.pdf)
        extraction = extract_file(path, ExtractOptions(ocr=None)).to_json(with_page_texts=True)
    # the letter's date is the day it is signed: a reprint for another signing date is another version
    extraction.update(
        doc_type="surat", nomor=issued.allocated.number, instansi=request.kop.instansi,
        tahun=request.tanggal.year, title=f"Surat Pengantar {issued.allocated.number}",
        tanggal_pengesahan=request.tanggal.isoformat(),
    )
    return extraction


def archive_letter(session_factory: SessionFactory, store: FileStore, issued: IssuedLetter,
                   request: LetterRequest, *, into: int | None = None) -> int:
    """Store the PDF and record it as a `surat` document linked from its register row; its id.

    `into`: the letter's document already exists (a reprint): the PDF becomes its new version.
    """
    from archive.documents import add_version

    extraction = letter_extraction(issued, request)
    stored = store.put_bytes(issued.pdf)
    name = "surat-pengantar-" + re.sub(r"[^\w.-]+", "_", issued.allocated.number) + ".pdf"
    try:
        with session_factory() as session, session.begin():
            placement = add_version(session, extraction, stored, source_filename=name, into=into)
            letter = session.get(Letter, issued.allocated.letter_id)
            if letter is None:
                raise NotFoundError(f"Baris buku agenda {issued.allocated.letter_id} hilang.")
            letter.document_id = placement.document_id
    except SQLAlchemyError as e:
        raise StorageError(
            f"Surat {issued.allocated.number} tercatat di buku agenda tetapi PDF-nya gagal diarsipkan "
            f"({e.__class__.__name__}); berkasnya tersimpan sebagai {stored.sha256[:12]}…."
        ) from e
    log.info("letter %s archived as document %d", issued.allocated.number, placement.document_id)
    return placement.document_id
