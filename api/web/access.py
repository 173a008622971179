"""Who may open which route: one table, checked on every request (`auth.guard`).

Each route of the app, pages and API, is a key `(METHOD, path template)`; a route missing from
the table fails `create_app` at start-up, so a new route cannot be left open by forgetting it.
`PUBLIC` routes need no login (the login page, the verification a copy's QR code opens, the
one-time set-up); all others name the roles that may use them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from archive.models_accounts import ROLES

PUBLIC: frozenset[str] = frozenset({"*"})
EVERYONE = frozenset(ROLES)  # read, search, export, download
ARCHIVISTS = frozenset({"admin", "arsiparis"})  # upload, correct, regroup, revoke
LETTERS = frozenset({"admin", "staf"})  # number and issue letters
CERTIFIERS = frozenset({"admin", "staf", "arsiparis"})  # stamped copies (with an official's profile)
ADMINS = frozenset({"admin"})  # accounts, settings
AUDITORS = frozenset({"admin", "auditor"})  # the audit trail

POLICY: dict[tuple[str, str], frozenset[str]] = {
    # pages
    ("GET", "/"): EVERYONE,
    ("GET", "/cari"): EVERYONE,
    ("GET", "/indikator"): EVERYONE,
    ("GET", "/indikator.csv"): EVERYONE,
    ("GET", "/indikator.xlsx"): EVERYONE,
    ("GET", "/dokumen/{doc_id}"): EVERYONE,
    ("GET", "/berkas/{sha256}"): EVERYONE,
    ("GET", "/versi/{version_id}/asli"): EVERYONE,
    ("GET", "/versi/{version_id}/halaman/{nomor}"): EVERYONE,
    ("GET", "/versi/{version_id}/halaman/{nomor}/gambar"): EVERYONE,
    ("GET", "/versi/{version_id}/potongan"): EVERYONE,
    ("POST", "/dokumen/{doc_id}/salinan"): CERTIFIERS,
    ("POST", "/dokumen/{doc_id}/koreksi"): ARCHIVISTS,
    ("POST", "/dokumen/{doc_id}/baris"): ARCHIVISTS,
    ("GET", "/dokumen/{doc_id}/beda"): EVERYONE,
    ("POST", "/versi/{version_id}/pindah"): ARCHIVISTS,
    ("POST", "/versi/{version_id}/pisah"): ARCHIVISTS,
    ("POST", "/versi/{version_id}/cabut"): ARCHIVISTS,
    ("GET", "/periksa"): EVERYONE,
    ("GET", "/unggah"): ARCHIVISTS,
    ("POST", "/unggah"): ARCHIVISTS,
    ("GET", "/unggah/{batch_id}"): ARCHIVISTS,
    ("GET", "/surat"): EVERYONE,
    ("POST", "/surat"): LETTERS,
    ("GET", "/surat/agenda.xlsx"): EVERYONE,
    ("GET", "/surat/pilih-versi"): LETTERS,
    ("GET", "/surat/kantor"): EVERYONE,
    ("POST", "/surat/kantor"): LETTERS,
    ("GET", "/surat/{letter_id}"): EVERYONE,
    ("GET", "/surat/{letter_id}/pratinjau.png"): EVERYONE,
    ("POST", "/surat/{letter_id}/konfirmasi"): LETTERS,
    ("POST", "/surat/{letter_id}/batal"): LETTERS,
    ("GET", "/verifikasi"): PUBLIC,
    ("POST", "/verifikasi"): PUBLIC,
    ("GET", "/verifikasi/{code}"): PUBLIC,
    ("GET", "/masuk"): PUBLIC,
    ("POST", "/masuk"): PUBLIC,
    ("POST", "/keluar"): PUBLIC,
    ("GET", "/siapkan"): PUBLIC,
    ("POST", "/siapkan"): PUBLIC,
    ("GET", "/profil"): EVERYONE,
    ("POST", "/profil/sandi"): EVERYONE,
    ("GET", "/admin"): ADMINS,
    ("POST", "/admin/pengguna"): ADMINS,
    ("POST", "/admin/pengguna/{name}"): ADMINS,
    ("POST", "/admin/pengguna/{name}/token"): ADMINS,
    ("GET", "/admin/audit"): AUDITORS,
    # the JSON API (bearer tokens)
    ("GET", "/api/v1/openapi.json"): EVERYONE,
    ("GET", "/api/v1/docs"): EVERYONE,
    ("GET", "/api/v1/saya"): EVERYONE,
    ("GET", "/api/v1/dokumen"): EVERYONE,
    ("GET", "/api/v1/dokumen/{doc_id}"): EVERYONE,
    ("GET", "/api/v1/versi/{version_id}"): EVERYONE,
    ("GET", "/api/v1/versi/{version_id}/koreksi"): EVERYONE,
    ("POST", "/api/v1/versi/{version_id}/koreksi"): ARCHIVISTS,
    ("GET", "/api/v1/berkas/{sha256}"): EVERYONE,
    ("GET", "/api/v1/cari"): EVERYONE,
    ("GET", "/api/v1/indikator"): EVERYONE,
    ("POST", "/api/v1/unggahan"): ARCHIVISTS,
    ("GET", "/api/v1/unggahan/{batch_id}"): ARCHIVISTS,
    ("GET", "/api/v1/surat"): EVERYONE,
    ("POST", "/api/v1/surat"): LETTERS,
    ("POST", "/api/v1/salinan"): CERTIFIERS,
    ("GET", "/api/v1/verifikasi/{code}"): PUBLIC,
    ("POST", "/api/v1/verifikasi"): PUBLIC,
    ("GET", "/api/v1/pengguna"): ADMINS,
    ("POST", "/api/v1/pengguna"): ADMINS,
    ("POST", "/api/v1/pengguna/{name}/nonaktif"): ADMINS,
    ("GET", "/api/v1/audit"): AUDITORS,
}

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_api(path: str) -> bool:
    """True for the JSON API (bearer tokens, JSON errors, no cookies' authority)."""
    return path == "/api/v1" or path.startswith("/api/v1/")


def rule_for(method: str, path: str) -> frozenset[str] | None:
    """The roles allowed on a route (`PUBLIC` for all), None when the route is not in the table."""
    return POLICY.get(("GET" if method == "HEAD" else method, path))


def may(roles: frozenset[str], role: str | None) -> bool:
    """True when an account of `role` (None: not logged in) may use a route allowing `roles`."""
    return roles is PUBLIC or (role is not None and role in roles)


def flat_routes(routes: Iterable[Any]) -> list[Any]:
    """Every route with its full path (FastAPI >= 0.120 keeps included routers as one entry each)."""
    from fastapi import routing

    walk = getattr(routing, "iter_route_contexts", None)
    return list(walk(list(routes))) if walk is not None else list(routes)


def endpoints(routes: Iterable[Any]) -> list[tuple[str, str]]:
    """`(METHOD, path template)` of every route (HEAD left out; it follows GET)."""
    return [(method, route.path) for route in flat_routes(routes)
            for method in sorted(getattr(route, "methods", None) or ()) if method != "HEAD"]


def unlisted(routes: Iterable[Any]) -> list[str]:
    """The app's routes (with methods) that the table does not name."""
    return [f"{m} {p}" for m, p in endpoints(routes) if rule_for(m, p) is None]
