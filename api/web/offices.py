"""Kantor: an office's letter set-up as a form (number pattern, counter scope, unit, default
classification code, kop with its logo, sender, place), as `arsip letter format` does; the profile
is stored as the JSON `arsip letter format --profile` reads (README, "The office profile")."""

from __future__ import annotations

import base64
import hashlib
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select

from api.letters import Kop, Pengirim
from api.web.auth import actor_of
from api.web.deps import DbSession, State
from api.web.render import page
from api.wiring import audit_event
from archive.errors import BadInputError
from archive.models_letters import SCOPES, LetterFormat
from archive.numbering import NumberFormat, set_format

router = APIRouter()

LOGO_MAX_BYTES = 512 * 1024
_LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
SCOPE_LABELS = {"unit": "per unit dan tahun", "kka": "per kode klasifikasi (KKA) dan tahun",
                "office": "satu urutan per kantor dan tahun"}
Field = Annotated[str, Form(max_length=500)]


@router.get("/surat/kantor", response_class=HTMLResponse)
def kantor(request: Request, session: DbSession,
           ubah: Annotated[str, Query(max_length=64)] = "") -> HTMLResponse:
    """The offices that number letters, and the form to set one up or change it."""
    rows = session.scalars(select(LetterFormat).order_by(LetterFormat.office)).all()
    chosen = next((r for r in rows if r.office == ubah), None)
    profile = dict(chosen.profile or {}) if chosen else {}
    return page(request, "kantor.html", {
        "rows": rows, "chosen": chosen, "kop": profile.get("kop") or {},
        "pengirim": profile.get("pengirim") or {}, "tempat": profile.get("tempat") or "",
        "scopes": SCOPE_LABELS})


def read_logo(upload: UploadFile | None) -> str | None:
    """An uploaded logo as a `data:` URI kept in the profile (PNG or JPEG, at most 512 kB), so
    it travels with the database (backups) and never points at a file that may move."""
    if upload is None or not upload.filename:
        return None
    data = upload.file.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        raise BadInputError("Logo terlalu besar (lebih dari 512 kB): perkecil gambarnya "
                            "(lebar 300 piksel sudah cukup untuk kop), lalu unggah lagi.")
    mime = next((m for magic, m in _LOGO_TYPES.items() if data.startswith(magic)), None)
    if mime is None:
        raise BadInputError("Logo harus gambar PNG atau JPEG; simpan logonya dalam salah satu "
                            "format itu, lalu unggah lagi.")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def office_profile(values: dict[str, str], logo: str | None) -> dict[str, Any]:
    """The profile (kop, pengirim, tempat) from the form, checked as a letter would check it."""
    kop = {k: values[k].strip() for k in ("pemerintah", "instansi", "alamat", "telepon",
                                          "faksimile", "laman", "email")}
    pengirim = {k: values[f"pengirim_{k}"].strip() for k in ("jabatan", "nama", "pangkat", "nip")}
    try:
        Kop.model_validate({**kop, "logo": logo})
        Pengirim.model_validate(pengirim)
    except ValidationError as e:
        from api.letters import _problem

        problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {_problem(err)}"
                             for err in e.errors())
        raise BadInputError(f"Profil kantor belum lengkap: {problems}.") from e
    profile: dict[str, Any] = {"kop": {**kop, **({"logo": logo} if logo else {})},
                               "pengirim": pengirim}
    if values["tempat"].strip():
        profile["tempat"] = values["tempat"].strip()
    return profile


def _for_audit(profile: dict[str, Any]) -> dict[str, Any]:
    """The profile as the audit row keeps it: the logo by its hash, not its bytes."""
    kop = dict(profile.get("kop") or {})
    if kop.get("logo"):
        kop["logo"] = "sha256:" + hashlib.sha256(kop["logo"].encode()).hexdigest()
    return {**profile, "kop": kop}


@router.post("/surat/kantor")
def kantor_simpan(request: Request, session: DbSession, state: State,
                  office: Annotated[str, Form(max_length=64)],
                  pattern: Annotated[str, Form(max_length=200)],
                  scope: Annotated[str, Form(max_length=16)] = "unit",
                  unit: Annotated[str, Form(max_length=64)] = "",
                  kka: Annotated[str, Form(max_length=32)] = "",
                  sisipan: Annotated[str, Form(max_length=8)] = "dot",
                  pemerintah: Field = "", instansi: Field = "", alamat: Field = "",
                  telepon: Field = "", faksimile: Field = "", laman: Field = "", email: Field = "",
                  pengirim_jabatan: Field = "", pengirim_nama: Field = "",
                  pengirim_pangkat: Field = "", pengirim_nip: Field = "", tempat: Field = "",
                  hapus_logo: Field = "",
                  logo: Annotated[UploadFile | None, File()] = None) -> RedirectResponse:
    """Save an office's number format and profile (audited as `office.format`, like the CLI)."""
    name = office.strip()
    if not name:
        raise BadInputError("Isi kode kantor (mis. bappeda-smd): nama pendek yang dipilih di "
                            "formulir surat.")
    if scope not in SCOPES:
        raise BadInputError("Pilih cakupan penomoran: per unit, per KKA, atau per kantor.")
    fmt = NumberFormat(pattern.strip(), scope, unit.strip(), kka.strip(), sisipan)
    existing = session.scalar(select(LetterFormat).where(LetterFormat.office == name))
    before = dict(existing.profile or {}) if existing else {}
    kept = (before.get("kop") or {}).get("logo")
    new_logo = read_logo(logo) or (None if hapus_logo else kept)
    profile = office_profile({
        "pemerintah": pemerintah, "instansi": instansi, "alamat": alamat, "telepon": telepon,
        "faksimile": faksimile, "laman": laman, "email": email, "tempat": tempat,
        "pengirim_jabatan": pengirim_jabatan, "pengirim_nama": pengirim_nama,
        "pengirim_pangkat": pengirim_pangkat, "pengirim_nip": pengirim_nip}, new_logo)
    profile = {**{k: v for k, v in before.items() if k != "tempat"}, **profile}  # tembusan stays
    session.close()
    set_format(state.engine, name, fmt, profile)
    audit_event(state.sessions, actor_of(request), "office.format",
                f"office:{name}", None,
                {"pattern": fmt.pattern, "scope": scope, "unit": fmt.unit, "kka": fmt.default_kka,
                 "sisipan_style": sisipan, "profile": _for_audit(profile)})
    return RedirectResponse(f"/surat/kantor?ubah={quote(name)}#kantor-form", status_code=303)
