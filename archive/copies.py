"""Stamped copies (salinan): SALINAN on every page, the certification with a QR code where it
covers nothing (drawn by `archive/stamping.py`).

The original in the store is only read; the stamped PDF is a new file in the same store (role
'stamped') and every copy handed out is a row in `copies` (who, when, for whom, why, certified by
whom) with a short code that its QR code and verification URL carry.  A copy of a version that
another version has replaced says so on its certification.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pypdf.errors import PyPdfError
from sqlalchemy.orm import Session

from archive.errors import BadInputError, NotFoundError
from archive.localtime import today as local_today
from archive.models import CopyRow, StoredFileRow, Version
from archive.stamping import CODE_KEY, Certifier, Placement, Stamp, stamped, tanggal_indonesia
from archive.store import FileStore
from archive.timeline import successor

__all__ = ["CODE_KEY", "Certifier", "CopyRequest", "IssuedCopy", "Stamp", "issue_copy",
           "stamp_pdf", "superseded_note", "tanggal_indonesia"]

log = logging.getLogger(__name__)

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


@dataclass(frozen=True)
class CopyRequest:
    """Who asks for a copy of which version, for whom and why; `file_sha256` picks the file."""

    version_id: int
    certifier: Certifier
    verify_base_url: str
    issued_by: str | None = None
    issued_for: str | None = None
    purpose: str | None = None
    file_sha256: str | None = None  # a prefix is enough; default: the version's first original


@dataclass(frozen=True)
class IssuedCopy:
    """A copy handed out: its row, code, verification URL and file in the store."""

    copy_id: int
    code: str
    url: str
    sha256: str
    pages: int
    storage_path: str
    on_added_page: bool = False  # the certification is on a page added after the original's


def issue_copy(
    session: Session, store: FileStore, request: CopyRequest, today: date | None = None
) -> IssuedCopy:
    """Stamp a copy of a version's file, store it and record it (the caller commits)."""
    _check_certifier(request.certifier)
    version = session.get(Version, request.version_id)
    if version is None:
        raise NotFoundError(f"Versi {request.version_id} tidak ada; pilih versi dari riwayat "
                            "versi di halaman dokumennya (baris perintah: `arsip versions DOC`).")
    source = pick_file(version, request.file_sha256)
    code = new_code()
    stamp = Stamp(code, verification_url(request.verify_base_url, code),
                  f"Arsip #{version.document_id} versi {version.version_no}",
                  source.sha256[:12], today or local_today(), request.certifier,
                  superseded_note(session, version))
    data, pages, placement = stamp_with_placement(store.read(source.sha256), stamp)
    stored = store.put_bytes(data)
    row = StoredFileRow(sha256=stored.sha256, size=stored.size, pages=pages, role="stamped",
                        storage_path=stored.relative_path, scanned=source.scanned)
    version.files.append(row)
    session.flush()
    copy = _copy_row(request, version, source, row, code)
    session.add(copy)
    session.flush()
    log.info("copy %s of version %d issued for %s", code, version.id, request.issued_for)
    return IssuedCopy(copy.id, code, stamp.url, stored.sha256, pages, stored.relative_path,
                      placement.spot is None)


def superseded_note(session: Session, version: Version) -> str | None:
    """`Versi ini sudah digantikan oleh versi 2 sejak 1 Maret 2025` (or `Versi ini dicabut sejak
    ...` for a revoked one), None for a version in force."""
    if version.status == "dicabut":
        when = f" sejak {tanggal_indonesia(version.tanggal_dicabut)}" if version.tanggal_dicabut else ""
        return f"Versi ini dicabut{when}"
    later = successor(session, version)
    if later is None:
        return None
    replacement, since = later
    when = f" sejak {tanggal_indonesia(since)}" if since else ""
    return f"Versi ini sudah digantikan oleh versi {replacement.version_no}{when}"


def _copy_row(request: CopyRequest, version: Version, source: StoredFileRow,
              row: StoredFileRow, code: str) -> CopyRow:
    c = request.certifier
    return CopyRow(code=code, version_id=version.id, source_file_id=source.id, file_id=row.id,
                   issued_at=datetime.now(UTC), issued_by=request.issued_by,
                   issued_for=request.issued_for, purpose=request.purpose,
                   certifier_jabatan=c.jabatan, certifier_nama=c.nama, certifier_nip=c.nip,
                   certifier_account=c.account)


def _check_certifier(certifier: Certifier) -> None:
    if certifier.account and not (certifier.jabatan.strip() and certifier.nama.strip()
                                  and certifier.nip):
        raise BadInputError(f"Profil pejabat akun {certifier.account} belum lengkap (jabatan, "
                            "nama, NIP): minta admin mengisinya di halaman Admin atau dengan "
                            "`arsip user profile`.")
    if not (certifier.jabatan.strip() and certifier.nama.strip()):
        raise BadInputError("Salinan memerlukan pejabat yang mengesahkan: isi pengaturan "
                            "ARSIP_CERTIFIER_JABATAN, ARSIP_CERTIFIER_NAMA, dan "
                            "ARSIP_CERTIFIER_NIP (atau berikan --jabatan, --nama, --nip).")


def pick_file(version: Version, sha256_prefix: str | None = None) -> StoredFileRow:
    """The file of a version to copy: the one named by hash prefix, else the first original."""
    originals = [f for f in version.files if f.role != "stamped"]
    if sha256_prefix:
        originals = [f for f in originals if f.sha256.startswith(sha256_prefix.lower())]
    if not originals:
        which = f" dengan hash {sha256_prefix}" if sha256_prefix else ""
        raise NotFoundError(f"Versi {version.id} tidak punya berkas{which} untuk disalin; "
                            "pilih berkas yang tercantum di halaman dokumennya.")
    return originals[0]


def new_code() -> str:
    """A short random code for the verification URL, e.g. `K7QD-M2XP-9A`."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def verification_url(base_url: str, code: str) -> str:
    """Where a copy's QR code points: `<base>/verifikasi/<code>`."""
    return f"{base_url.rstrip('/')}/verifikasi/{code}"


# --- stamping ------------------------------------------------------------------------------------
def stamp_pdf(original: bytes, stamp: Stamp) -> tuple[bytes, int]:
    """The stamped copy of a PDF (bytes, page count); the input bytes are not modified."""
    data, pages, _ = stamp_with_placement(original, stamp)
    return data, pages


def stamp_with_placement(original: bytes, stamp: Stamp) -> tuple[bytes, int, Placement]:
    """`stamp_pdf` and where the certification went."""
    try:
        return stamped(original, stamp)
    except _BROKEN_PDF as e:  # an archived original pypdf cannot rewrite (damaged, odd objects)
        raise BadInputError(f"Berkas arsip tidak dapat dibaca untuk dibuatkan salinan ({e}); "
                            "unduh berkas aslinya tanpa cap dan sahkan secara manual, lalu "
                            "hubungi admin agar arsipnya diperiksa (`arsip check`).") from e


# what pypdf raises on damaged objects (a number where a dictionary should be, a missing object)
_BROKEN_PDF = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
               RecursionError)
