"""Stamped copies (salinan): SALINAN on every page, the certification with a QR code on the last.

The original in the store is only read; the stamped PDF is a new file in the same store (role
'stamped') and every copy handed out is a row in `copies` (who, when, for whom, why, certified by
whom) with a short code that its QR code and verification URL carry.  The overlay is drawn with
reportlab and merged onto each page with pypdf (pages stored rotated are turned upright first,
so the stamp sits at the top of the page as it is seen).
"""

from __future__ import annotations

import io
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import qrcode
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from reportlab.lib.colors import Color
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.orm import Session

from archive.errors import BadInputError, NotFoundError
from archive.models import CopyRow, StoredFileRow, Version
from archive.store import FileStore

log = logging.getLogger(__name__)

BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
STAMP_RED = Color(0.72, 0.05, 0.05)
CODE_KEY = "/ArsipKinerjaSalinan"  # the copy's code in the PDF's document information


@dataclass(frozen=True)
class Certifier:
    """The official who certifies that a copy matches the original."""

    jabatan: str
    nama: str
    nip: str | None = None
    account: str | None = None  # the account whose profile this is (None: the settings')


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
class Stamp:
    """What the stamp says: the certification block drawn on the last page."""

    code: str
    url: str
    reference: str
    short_hash: str
    tanggal: date
    certifier: Certifier


@dataclass(frozen=True)
class IssuedCopy:
    """A copy handed out: its row, code, verification URL and file in the store."""

    copy_id: int
    code: str
    url: str
    sha256: str
    pages: int
    storage_path: str


def issue_copy(
    session: Session, store: FileStore, request: CopyRequest, today: date | None = None
) -> IssuedCopy:
    """Stamp a copy of a version's file, store it and record it (the caller commits)."""
    _check_certifier(request.certifier)
    version = session.get(Version, request.version_id)
    if version is None:
        raise NotFoundError(f"Versi {request.version_id} tidak ada; `arsip versions DOC` "
                            "menampilkan versi-versi sebuah dokumen beserta id-nya.")
    source = pick_file(version, request.file_sha256)
    code = new_code()
    stamp = Stamp(code, verification_url(request.verify_base_url, code),
                  f"Arsip #{version.document_id} versi {version.version_no}",
                  source.sha256[:12], today or date.today(), request.certifier)
    data, pages = stamp_pdf(store.read(source.sha256), stamp)
    stored = store.put_bytes(data)
    row = StoredFileRow(sha256=stored.sha256, size=stored.size, pages=pages, role="stamped",
                        storage_path=stored.relative_path, scanned=source.scanned)
    version.files.append(row)
    session.flush()
    copy = _copy_row(request, version, source, row, code)
    session.add(copy)
    session.flush()
    log.info("copy %s of version %d issued for %s", code, version.id, request.issued_for)
    return IssuedCopy(copy.id, code, stamp.url, stored.sha256, pages, stored.relative_path)


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
                            f"`arsip versions {version.document_id}` menampilkan berkasnya.")
    return originals[0]


def new_code() -> str:
    """A short random code for the verification URL, e.g. `K7QD-M2XP-9A`."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def verification_url(base_url: str, code: str) -> str:
    """Where a copy's QR code points: `<base>/verifikasi/<code>`."""
    return f"{base_url.rstrip('/')}/verifikasi/{code}"


def tanggal_indonesia(value: date) -> str:
    """`21 November 2026`."""
    return f"{value.day} {BULAN[value.month - 1]} {value.year}"


# --- stamping ------------------------------------------------------------------------------------
def stamp_pdf(original: bytes, stamp: Stamp) -> tuple[bytes, int]:
    """The stamped copy of a PDF (bytes, page count); the input bytes are not modified."""
    try:
        return _stamped(original, stamp)
    except _BROKEN_PDF as e:  # an archived original pypdf cannot rewrite (damaged, odd objects)
        raise BadInputError(f"Berkas arsip tidak dapat dibaca untuk dibuatkan salinan ({e}); "
                            "periksa arsip dengan `arsip check`, atau salin berkas aslinya "
                            "tanpa cap.") from e


# what pypdf raises on damaged objects (a number where a dictionary should be, a missing object)
_BROKEN_PDF = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
               RecursionError)


def _stamped(original: bytes, stamp: Stamp) -> tuple[bytes, int]:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
    pages = list(writer.pages)
    for number, page in enumerate(pages, start=1):
        page.transfer_rotation_to_content()
        box = page.cropbox
        x0, y0 = float(box.left), float(box.bottom)
        width, height = float(box.width), float(box.height)
        last = stamp if number == len(pages) else None
        page.merge_page(PdfReader(io.BytesIO(_overlay(x0, y0, width, height, last))).pages[0])
    writer.add_metadata({CODE_KEY: stamp.code, "/Subject": f"Salinan {stamp.code}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(pages)


def _overlay(x0: float, y0: float, width: float, height: float, stamp: Stamp | None) -> bytes:
    """One page the size of the target: SALINAN at the top, the certification if `stamp`."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(x0 + width, y0 + height))
    scale = max(0.6, min(4.0, min(width, height) / 595.0))
    canvas.translate(x0, y0)
    _draw_salinan(canvas, width, height, scale)
    if stamp is not None:
        _draw_certification(canvas, width, scale, stamp)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_salinan(canvas: Canvas, width: float, height: float, scale: float) -> None:
    size = 16 * scale
    text_width = canvas.stringWidth("SALINAN", "Helvetica-Bold", size)
    # Top right, close to the edge: titles are centred and should stay readable.
    x, y = width - text_width - 26 * scale, height - 24 * scale
    _white_box(canvas, x - 8 * scale, y - 5 * scale, text_width + 16 * scale, size + 8 * scale,
               alpha=0.6)
    canvas.setStrokeColor(STAMP_RED)
    canvas.setLineWidth(1.2 * scale)
    canvas.rect(x - 8 * scale, y - 5 * scale, text_width + 16 * scale, size + 8 * scale)
    canvas.setFillColor(STAMP_RED)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawString(x, y, "SALINAN")


def _draw_certification(canvas: Canvas, width: float, scale: float, stamp: Stamp) -> None:
    """The block at the foot of the last page, right-aligned, with the QR code on its left."""
    lines = list(_certification_lines(stamp))
    size, leading, qr = 7.5 * scale, 9.5 * scale, 62 * scale
    text_width = max(canvas.stringWidth(t, font, size) for t, font in lines)
    box_w, box_h = text_width + qr + 24 * scale, max(qr, leading * len(lines)) + 12 * scale
    left, bottom = width - box_w - 18 * scale, 18 * scale
    _white_box(canvas, left, bottom, box_w, box_h)
    canvas.setStrokeColor(STAMP_RED)
    canvas.rect(left, bottom, box_w, box_h)
    canvas.drawImage(ImageReader(_qr_png(stamp.url)), left + 6 * scale,
                     bottom + (box_h - qr) / 2, qr, qr)
    canvas.setFillColor(Color(0, 0, 0))
    y = bottom + box_h - 6 * scale - size
    for text, font in lines:
        canvas.setFont(font, size)
        canvas.drawString(left + qr + 14 * scale, y, text)
        y -= leading


def _certification_lines(stamp: Stamp) -> Iterator[tuple[str, str]]:
    c = stamp.certifier
    yield "Salinan sesuai dengan aslinya", "Helvetica-Bold"
    yield c.jabatan, "Helvetica"
    yield c.nama, "Helvetica-Bold"
    if c.nip:
        yield f"NIP. {c.nip}", "Helvetica"
    yield f"{stamp.reference}, berkas {stamp.short_hash}", "Helvetica"
    yield f"Tanggal salinan: {tanggal_indonesia(stamp.tanggal)}", "Helvetica"
    yield f"Kode verifikasi: {stamp.code}", "Helvetica-Bold"
    yield stamp.url, "Helvetica"


def _white_box(canvas: Canvas, x: float, y: float, w: float, h: float, alpha: float = 0.9) -> None:
    """A white ground so the stamp stays legible over a scan."""
    canvas.saveState()
    canvas.setFillColor(Color(1, 1, 1, alpha=alpha))
    canvas.rect(x, y, w, h, stroke=0, fill=1)
    canvas.restoreState()


def _qr_png(url: str) -> io.BytesIO:
    image = qrcode.make(url, border=1)
    out = io.BytesIO()
    image.save(out, format="PNG")
    out.seek(0)
    return out
