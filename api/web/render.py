"""The web pages' one jinja2 Environment (autoescape) and the labels and filters they share."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from api.cli.ingest import ROLE_LABELS
from api.web.auth import role_may
from api.wiring import OUTCOME_LABELS
from archive.copies import tanggal_indonesia
from archive.localtime import local, waktu

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates" / "web"
STATIC_DIR = TEMPLATES_DIR / "static"

DOC_TYPE_LABELS = {"sop": "SOP", "lkjip": "LKjIP", "form_data_kinerja": "Formulir data kinerja",
                   "perjanjian_kinerja": "Perjanjian Kinerja", "surat": "Surat",
                   "keputusan": "Keputusan", "other": "Lainnya"}
AUDIT_ACTION_LABELS = {
    "upload.new_document": "unggah: dokumen baru", "upload.new_version": "unggah: versi baru",
    "upload.new_file": "unggah: berkas baru", "copy.issue": "salinan diterbitkan",
    "letter.issue": "nomor surat diberikan", "letter.reserve": "nomor surat dipesan",
    "letter.confirm": "surat dikukuhkan", "letter.void": "surat dibatalkan",
    "office.format": "format kantor diubah", "retention.set": "masa simpan diatur",
    "version.reextract": "versi dibaca ulang", "version.revoke": "versi dicabut",
    "version.move": "versi dipindah", "version.split": "versi dipisah", "koreksi": "koreksi hasil baca",
    "user.add": "akun dibuat", "user.password": "kata sandi diganti", "user.role": "peran diubah",
    "user.disable": "akun dinonaktifkan", "user.enable": "akun diaktifkan",
    "user.profile": "profil pejabat diubah", "token.add": "token API dibuat",
    "token.revoke": "token API dicabut",
}
STATUS_LABELS = {"berlaku": "berlaku", "digantikan": "digantikan", "dicabut": "dicabut"}


def anchor_of(path: str) -> str:
    """The HTML id of a field's row on the document page (`steps[1].kegiatan` -> `kolom-steps-1-kegiatan`)."""
    return "kolom-" + re.sub(r"[^a-z0-9_]+", "-", path).strip("-")


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one Environment of the web pages: autoescape, and a missing variable is an error."""
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(tanggal=tanggal, waktu=waktu, angka=angka, jenis=doc_type_label, ukuran=ukuran,
                       peran=lambda role: ROLE_LABELS.get(role, role), jangkar=anchor_of,
                       tindakan=lambda action: AUDIT_ACTION_LABELS.get(action, action))
    env.globals.update(DOC_TYPE_LABELS=DOC_TYPE_LABELS, OUTCOME_LABELS=OUTCOME_LABELS)
    return env


def page(request: Request, template: str, context: dict[str, Any],
         status_code: int = 200) -> HTMLResponse:
    """Render one page of the web app (inside the base layout)."""
    user = getattr(request.state, "user", None)
    extras = {"user": user, "csrf": getattr(request.state, "csrf", ""),
              "may": lambda method, path: role_may(user, method, path)}
    html = environment().get_template(template).render(request=request, **{**extras, **context})
    return HTMLResponse(html, status_code=status_code)


def tanggal(value: date | datetime | str | None) -> str:
    """A date the Indonesian way (`21 November 2026`); a stored time's date where the office is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = local(value).date()
    return tanggal_indonesia(value)


def angka(value: float | int | str | None) -> str:
    """A number the Indonesian way: `1.234,5`; whole numbers without decimals."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def ukuran(size: int | None) -> str:
    """A file size in kB or MB."""
    if size is None:
        return ""
    if size >= 1024 * 1024:
        return f"{angka(round(size / 1024 / 1024, 1))} MB"
    return f"{angka(max(1, round(size / 1024)))} kB"


def doc_type_label(doc_type: str | None) -> str:
    """A document type in words (`form_data_kinerja` -> `Formulir data kinerja`)."""
    return DOC_TYPE_LABELS.get(doc_type or "", doc_type or "")
