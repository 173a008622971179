"""Verification: is this file (or this code) an unaltered original or stamped copy of the archive?

A file is checked by its SHA-256 against every file the archive holds (originals, scans, stamped
copies).  A file the archive does not hold but that carries a copy's code (in its document
information or its stamp text) is a copy that was changed after it was issued: rejected, and
the message says which copy it claims to be.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.copies import CODE_KEY, superseded_note, tanggal_indonesia
from archive.errors import BadInputError
from archive.localtime import local
from archive.models import CopyRow, StoredFileRow, Version
from archive.store import sha256_file

log = logging.getLogger(__name__)

VerdictKind = Literal["original", "copy", "altered_copy", "unknown", "unknown_code"]
_CODE = re.compile(r"\b([A-Z2-9]{4})-?([A-Z2-9]{4})-?([A-Z2-9]{2})\b")
_CODE_IN_TEXT = re.compile(r"(?:Kode verifikasi:|/verifikasi/)\s*([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2})")


@dataclass(frozen=True)
class Verdict:
    """The answer: `ok` only for an unaltered original or copy; `message` says which, in words."""

    ok: bool
    kind: VerdictKind
    message: str
    sha256: str | None = None
    document_id: int | None = None
    version_id: int | None = None
    version_no: int | None = None
    code: str | None = None
    superseded: str | None = None  # "Versi ini sudah digantikan oleh versi 2 sejak ..." (today)


def verify_file(session: Session, path: Path) -> Verdict:
    """Check a file by its bytes; a changed copy is recognised by the code it still carries."""
    try:
        sha256 = sha256_file(path)
    except OSError as e:
        raise BadInputError(f"{path.name}: Berkas tidak dapat dibaca ({e.strerror or e}); periksa "
                            "berkas dan izin aksesnya.") from e
    row = session.scalars(select(StoredFileRow).where(StoredFileRow.sha256 == sha256)).first()
    if row is not None:
        return _known_file(session, row)
    code = code_in_file(path)
    copy = _copy_by_code(session, code) if code else None
    if copy is None:
        return Verdict(False, "unknown", f"{path.name} bukan berkas arsip ini: bukan berkas asli "
                       "dan bukan salinan yang diterbitkan di sini "
                       f"(SHA-256 {sha256[:12]}…).", sha256=sha256)
    return Verdict(False, "altered_copy",
                   f"TIDAK SAH: {path.name} mengaku sebagai salinan {copy.code} "
                   f"({_describe(copy)}), tetapi isinya berbeda dari salinan yang diterbitkan "
                   f"(seharusnya SHA-256 {copy.file.sha256[:12]}…, ternyata {sha256[:12]}…): "
                   "berkas ini diubah setelah diterbitkan.",
                   sha256, *_where(copy.version), copy.code)


def verify_code(session: Session, code: str) -> Verdict:
    """What a verification code (from a QR code or typed in) stands for."""
    copy = _copy_by_code(session, code)
    if copy is None:
        return Verdict(False, "unknown_code", f"Tidak ada salinan berkode {code!r} yang "
                       "diterbitkan di sini; periksa kembali kodenya.")
    return Verdict(True, "copy", f"Salinan {copy.code}: {_describe(copy)}; berkasnya harus "
                   f"ber-SHA-256 {copy.file.sha256}.", copy.file.sha256, *_where(copy.version),
                   copy.code, superseded_note(session, copy.version))


def _known_file(session: Session, row: StoredFileRow) -> Verdict:
    version = row.version
    if row.role == "stamped":
        copy = session.scalars(select(CopyRow).where(CopyRow.file_id == row.id)).one()
        return Verdict(True, "copy", f"SAH: salinan {copy.code} tanpa perubahan, "
                       f"{_describe(copy)}.", row.sha256, *_where(version), copy.code,
                       superseded_note(session, version))
    kind = "pindaian asli bertanda tangan" if row.role == "scan" else "berkas asli"
    return Verdict(True, "original",
                   f"SAH: {kind} tanpa perubahan dari {_version_label(version)}.",
                   row.sha256, *_where(version), superseded=superseded_note(session, version))


def _describe(copy: CopyRow) -> str:
    issued = tanggal_indonesia(local(copy.issued_at).date())
    whom = f" untuk {copy.issued_for}" if copy.issued_for else ""
    nip = f" (NIP {copy.certifier_nip})" if copy.certifier_nip else ""
    account = f" (akun {copy.certifier_account})" if copy.certifier_account else ""
    return (f"dari {_version_label(copy.version)}, diterbitkan {issued}{whom}, disahkan oleh "
            f"{copy.certifier_nama}{nip}, {copy.certifier_jabatan}{account}")


def _version_label(version: Version) -> str:
    title = version.document.title or version.document.doc_type
    return (f"versi {version.version_no} dokumen #{version.document_id} "
            f"\"{title}\" ({version.status})")


def _where(version: Version) -> tuple[int, int, int]:
    return version.document_id, version.id, version.version_no


def normalise_code(code: str) -> str | None:
    """`k7qd m2xp 9a` -> `K7QD-M2XP-9A`; None when it is not shaped like a code."""
    match = _CODE.search(re.sub(r"\s+", "", code.upper()))
    return "-".join(match.groups()) if match else None


def _copy_by_code(session: Session, code: str) -> CopyRow | None:
    normal = normalise_code(code)
    if normal is None:
        return None
    return session.scalars(select(CopyRow).where(CopyRow.code == normal)).first()


def code_in_file(path: Path) -> str | None:
    """The copy code a PDF carries: its document information, else the stamp on its last page."""
    try:
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        value = reader.metadata.get(CODE_KEY) if reader.metadata else None
        if isinstance(value, str):
            return value
        text = reader.pages[-1].extract_text() if reader.pages else ""
    except (PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, OSError,
            RecursionError) as e:
        log.info("%s: no code readable (%s)", path.name, e)
        return None
    match = _CODE_IN_TEXT.search(text or "")
    return match.group(1) if match else None
