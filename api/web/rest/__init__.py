"""The JSON API under /api/v1: bearer tokens, one error shape, OpenAPI at /api/v1/openapi.json.

Every route does what a page does (`api/web/rest/*_api.py`), with request/response models of its
own (`models.py`).  Errors are `{"error": {"code", "message"}}` (`api.web.errors`); the schema
says so for every status an operation can answer.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse

from api.web.access import POLICY, PUBLIC, flat_routes, is_api
from api.web.render import page
from api.web.rest import archive_api, office_api, people_api
from api.web.rest.models import ErrorOut

ERROR_STATUSES = {400: "Isian tidak sah", 401: "Perlu token API", 403: "Peran tidak berwenang",
                  404: "Tidak ditemukan", 409: "Bertentangan dengan isi arsip",
                  413: "Kiriman terlalu besar", 415: "Bukan berkas PDF", 422: "Berkas ditolak",
                  429: "Terlalu banyak percobaan", 503: "Layanan belum siap"}

# What each operation does, for people (the docstrings are for developers, in English).
DESCRIPTIONS = {
    ("GET", "/api/v1/dokumen"): "Dokumen, terbaru dulu; `jenis` menyaring jenis dokumen, `limit`/`offset` memilih halaman.",
    ("GET", "/api/v1/dokumen/{doc_id}"): "Sebuah dokumen, versi-versinya (terlama dulu), dan versi yang berlaku hari ini.",
    ("GET", "/api/v1/versi/{version_id}"): "Sebuah versi: tanggal, berkas, langkah SOP, baris indikator, dan hasil bacaan lengkap (JSON).",
    ("GET", "/api/v1/versi/{version_id}/koreksi"): "Pemeriksaan hasil baca sebuah versi: kolom bertanda beserta alasannya, yang belum diperiksa, setiap revisi koreksi (siapa, kapan, alasan, nilai lama dan baru), hasil baca mesin, dan hasil baca yang dipakai.",
    ("POST", "/api/v1/versi/{version_id}/koreksi"): "Koreksi hasil baca sebuah versi: `set` berisi kolom (mis. `nomor`, `disahkan_oleh.nip`, `steps[2].kegiatan`, `indicators[0].target`; baris dari 0) dan nilainya (tanggal TTTT-BB-HH, angka 95,5), `confirm` kolom bertanda yang sudah benar, `add`/`remove` baris yang ditambah (diisi lewat `set`) atau dihapus, `reason` alasannya. Satu revisi, tercatat di jejak audit; indeks pencarian langsung diperbarui.",
    ("GET", "/api/v1/berkas/{sha256}"): "Berkas yang disimpan, byte demi byte (asli, salinan yang dapat dicari, atau salinan bercap).",
    ("GET", "/api/v1/cari"): "Pencarian seperti halaman Cari: kata, \"frasa\", -pengecualian, dan saringan; satu hasil per versi.",
    ("GET", "/api/v1/indikator"): "Baris indikator kinerja yang cocok (sasaran, indikator, satuan, target, realisasi, capaian).",
    ("POST", "/api/v1/unggahan"): "Unggah satu atau beberapa PDF (multipart, isian `berkas`); dibaca di latar belakang atas nama akun pemanggil. Pantau dengan GET /api/v1/unggahan/{batch_id}.",
    ("GET", "/api/v1/unggahan/{batch_id}"): "Kemajuan unggahan: status dan hasil setiap berkas.",
    ("GET", "/api/v1/surat"): "Buku agenda surat keluar: setiap nomor (terkirim, dipesan, batal), urut nomor; `tahun` menyaring.",
    ("POST", "/api/v1/surat"): "Beri nomor, cetak, dan arsipkan surat pengantar (kop dan pengirim dari profil kantor); `reserve` hanya memesan nomor.",
    ("POST", "/api/v1/salinan"): "Terbitkan salinan bercap sebuah versi, disahkan dengan profil pejabat akun pemanggil.",
    ("GET", "/api/v1/verifikasi/{code}"): "Arti sebuah kode verifikasi salinan (tanpa masuk).",
    ("POST", "/api/v1/verifikasi"): "Apakah sebuah berkas (multipart, isian `berkas`) asli atau salinan yang tidak diubah dari arsip ini (tanpa masuk).",
    ("GET", "/api/v1/saya"): "Akun pemilik token: peran dan profil pejabat.",
    ("GET", "/api/v1/pengguna"): "Semua akun (tanpa kata sandi atau token).",
    ("POST", "/api/v1/pengguna"): "Tambah akun, dengan profil pejabat bila diberikan (NIP diperiksa).",
    ("POST", "/api/v1/pengguna/{name}/nonaktif"): "Nonaktifkan akun: sesi dan tokennya langsung berhenti berlaku.",
    ("GET", "/api/v1/audit"): "Jejak audit terbaru (terlama dulu di antaranya) dan apakah rantai hash-nya utuh.",
}

meta = APIRouter(prefix="/api/v1")


def openapi_schema(app: FastAPI) -> dict[str, Any]:
    """The API's schema: its routes only, every error status with the one error shape."""
    routes = [r for r in flat_routes(app.routes) if is_api(getattr(r, "path", ""))
              and getattr(getattr(r, "route", r), "include_in_schema", False)]
    schema = get_openapi(title="Arsip Kinerja API", version="1", routes=routes,
                         description="API arsip kinerja. Kirim token sebagai "
                         "`Authorization: Bearer TOKEN` (`arsip user token NAMA`).")
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["ErrorOut"] = ErrorOut.model_json_schema(
        ref_template="#/components/schemas/{model}")
    for name, sub in components["schemas"]["ErrorOut"].pop("$defs", {}).items():
        components["schemas"][name] = sub
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    for name in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(name, None)
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            roles = POLICY.get((method.upper(), path))
            operation["description"] = DESCRIPTIONS.get((method.upper(), path), "")
            if roles is not PUBLIC:
                operation["security"] = [{"bearer": []}]
            operation["x-peran"] = sorted(roles) if roles and roles is not PUBLIC else ["publik"]
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status, text in ERROR_STATUSES.items():
                responses[str(status)] = {"description": text, **error}
    return schema


@meta.get("/openapi.json", include_in_schema=False)
def openapi_json(request: Request) -> JSONResponse:
    """The OpenAPI schema of /api/v1."""
    return JSONResponse(_cached(request.app))


@lru_cache(maxsize=4)
def _cached(app: FastAPI) -> dict[str, Any]:
    return openapi_schema(app)


@meta.get("/docs", include_in_schema=False, response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """The API's documentation as a page (for logged-in users; no scripts)."""
    schema = _cached(request.app)
    operations = [{"method": method.upper(), "path": path, **op}
                  for path, ops in schema["paths"].items() for method, op in ops.items()]
    return page(request, "api_docs.html", {"operations": operations})


def install(app: FastAPI, guard: Any) -> None:
    """Add the API's routers and its OpenAPI schema and docs page."""
    for router in (archive_api.router, office_api.router, people_api.router):
        app.include_router(router, dependencies=[Depends(guard)])
    app.include_router(meta, dependencies=[Depends(guard)])
