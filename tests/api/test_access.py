"""Every route, for every role and for no login, against a table of who may use what.

The routes are discovered from the app (`app.routes`), so a new route fails this test until it is
added to `ALLOWED` below: the table is kept here, apart from `api/web/access.py`, on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.settings import Settings
from api.web import create_app
from api.web.access import endpoints
from archive import accounts
from archive.audit import Actor
from tests.api.webutil import csrf_of, login, make_user, state_of

pytestmark = pytest.mark.archive_db  # run again on PostgreSQL (scripts/test.sh)

ANY = frozenset({"admin", "arsiparis", "auditor", "staf"})
PUBLIC = ANY | {None}
ADMIN = frozenset({"admin"})
ARCHIVIST = frozenset({"admin", "arsiparis"})
LETTERS = frozenset({"admin", "staf"})
COPIES = frozenset({"admin", "staf", "arsiparis"})
AUDIT = frozenset({"admin", "auditor"})

ALLOWED: dict[tuple[str, str], frozenset[str | None]] = {
    ("GET", "/"): ANY, ("GET", "/cari"): ANY, ("GET", "/indikator"): ANY,
    ("GET", "/indikator.csv"): ANY, ("GET", "/indikator.xlsx"): ANY,
    ("GET", "/dokumen/{doc_id}"): ANY, ("GET", "/berkas/{sha256}"): ANY,
    ("GET", "/versi/{version_id}/asli"): ANY, ("POST", "/dokumen/{doc_id}/salinan"): COPIES,
    ("GET", "/versi/{version_id}/halaman/{nomor}"): ANY,
    ("GET", "/versi/{version_id}/halaman/{nomor}/gambar"): ANY,
    ("GET", "/versi/{version_id}/potongan"): ANY,
    ("POST", "/dokumen/{doc_id}/koreksi"): ARCHIVIST, ("POST", "/dokumen/{doc_id}/baris"): ARCHIVIST,
    ("GET", "/periksa"): ANY,
    ("GET", "/dokumen/{doc_id}/beda"): ANY, ("POST", "/versi/{version_id}/pindah"): ARCHIVIST,
    ("POST", "/versi/{version_id}/pisah"): ARCHIVIST, ("POST", "/versi/{version_id}/cabut"): ARCHIVIST,
    ("GET", "/unggah"): ARCHIVIST, ("POST", "/unggah"): ARCHIVIST,
    ("GET", "/unggah/{batch_id}"): ARCHIVIST,
    ("GET", "/surat"): ANY, ("POST", "/surat"): LETTERS, ("GET", "/surat/agenda.xlsx"): ANY,
    ("GET", "/surat/pilih-versi"): LETTERS, ("GET", "/surat/kantor"): ANY,
    ("POST", "/surat/kantor"): LETTERS, ("GET", "/surat/{letter_id}"): ANY,
    ("GET", "/surat/{letter_id}/pratinjau.png"): ANY,
    ("POST", "/surat/{letter_id}/konfirmasi"): LETTERS, ("POST", "/surat/{letter_id}/batal"): LETTERS,
    ("GET", "/verifikasi"): PUBLIC, ("POST", "/verifikasi"): PUBLIC,
    ("GET", "/verifikasi/{code}"): PUBLIC,
    ("GET", "/masuk"): PUBLIC, ("POST", "/masuk"): PUBLIC, ("POST", "/keluar"): PUBLIC,
    ("GET", "/siapkan"): PUBLIC, ("POST", "/siapkan"): PUBLIC,
    ("GET", "/profil"): ANY, ("POST", "/profil/sandi"): ANY,
    ("GET", "/admin"): ADMIN, ("POST", "/admin/pengguna"): ADMIN,
    ("POST", "/admin/pengguna/{name}"): ADMIN, ("POST", "/admin/pengguna/{name}/token"): ADMIN,
    ("GET", "/admin/audit"): AUDIT,
    ("GET", "/api/v1/openapi.json"): ANY, ("GET", "/api/v1/docs"): ANY,
    ("GET", "/api/v1/saya"): ANY, ("GET", "/api/v1/dokumen"): ANY,
    ("GET", "/api/v1/dokumen/{doc_id}"): ANY, ("GET", "/api/v1/versi/{version_id}"): ANY,
    ("GET", "/api/v1/versi/{version_id}/koreksi"): ANY,
    ("POST", "/api/v1/versi/{version_id}/koreksi"): ARCHIVIST,
    ("GET", "/api/v1/berkas/{sha256}"): ANY, ("GET", "/api/v1/cari"): ANY,
    ("GET", "/api/v1/indikator"): ANY,
    ("POST", "/api/v1/unggahan"): ARCHIVIST, ("GET", "/api/v1/unggahan/{batch_id}"): ARCHIVIST,
    ("GET", "/api/v1/surat"): ANY, ("POST", "/api/v1/surat"): LETTERS,
    ("POST", "/api/v1/salinan"): COPIES,
    ("GET", "/api/v1/verifikasi/{code}"): PUBLIC, ("POST", "/api/v1/verifikasi"): PUBLIC,
    ("GET", "/api/v1/pengguna"): ADMIN, ("POST", "/api/v1/pengguna"): ADMIN,
    ("POST", "/api/v1/pengguna/{name}/nonaktif"): ADMIN, ("GET", "/api/v1/audit"): AUDIT,
}
ROLES: tuple[str | None, ...] = (None, "admin", "arsiparis", "auditor", "staf")
LAST = {("POST", "/keluar")}  # ends the session it is sent with


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Iterator[dict[str, object]]:
    data = tmp_path_factory.mktemp("access") / "data"
    settings = Settings(data_dir=data, search_engine="whoosh", verify_base_url="http://arsip.test")
    with TestClient(create_app(settings)) as client:
        for role in ROLES[1:]:
            make_user(client, f"uji-{role}", str(role), official=True)
        make_user(client, "korban", "staf")
        pages, tokens = {}, {}
        for role in ROLES[1:]:
            client.cookies.clear()
            csrf = login(client, f"uji-{role}")
            pages[role] = (dict(client.cookies.items()), csrf)
            with state_of(client).sessions.begin() as session:
                user = accounts.get_user(session, f"uji-{role}")
                tokens[role] = accounts.new_token(session, Actor("uji"), user).secret
        client.cookies.clear()
        anon_csrf = csrf_of(client.get("/masuk").text)
        pages[None] = (dict(client.cookies.items()), anon_csrf)
        # something for every path parameter to name
        client.cookies.update(pages["admin"][0])
        pdf = corpus_dir / "sop-bkpsdm-01.pdf"
        r = client.post("/unggah", files=[("berkas", (pdf.name, pdf.read_bytes(), "application/pdf"))],
                        headers={"x-csrf-token": pages["admin"][1]}, follow_redirects=False)
        batch = r.headers["location"].rsplit("/", 1)[1]
        state_of(client).uploads.wait()
        copy = client.post("/dokumen/1/salinan", data={"versi": "1"},
                           headers={"x-csrf-token": pages["admin"][1]})
        assert copy.status_code == 200, copy.text
        version = state_of(client).sessions().get(__import__("archive.models").models.Version, 1)
        params = {"doc_id": "1", "version_id": "1", "sha256": version.files[0].sha256,
                  "batch_id": batch, "code": copy.headers["x-kode-verifikasi"], "name": "korban",
                  "letter_id": "1", "nomor": "1"}
        yield {"client": client, "pages": pages, "tokens": tokens, "params": params}


def _call(walk: dict[str, object], method: str, template: str, role: str | None) -> tuple[bool, int]:
    """Send one request as `role`; (allowed, status)."""
    client: TestClient = walk["client"]  # type: ignore[assignment]
    params: dict[str, str] = walk["params"]  # type: ignore[assignment]
    path = re.sub(r"\{(\w+)\}", lambda m: params[m.group(1)], template)
    api = path.startswith("/api/")
    cookies, csrf = walk["pages"][role]  # type: ignore[index]
    headers = {"x-csrf-token": csrf}
    client.cookies.clear()
    if api and role is not None:
        headers["authorization"] = f"Bearer {walk['tokens'][role]}"  # type: ignore[index]
    else:
        client.cookies.update(cookies)
    r = client.request(method, path, headers=headers, follow_redirects=False)
    if role is None:
        if api:
            if r.status_code == 401:
                assert r.json()["error"]["code"] == "not_authenticated"
            return r.status_code != 401, r.status_code
        # the guard's redirect says where to come back to (logging out goes to a bare /masuk)
        to_login = r.status_code == 303 and r.headers["location"].startswith("/masuk?lanjut=")
        return not to_login, r.status_code
    assert r.status_code != 401 and not r.headers.get("location", "").startswith("/masuk?"), \
        f"{role} lost its login at {method} {path}: {r.status_code}"
    return r.status_code != 403, r.status_code


def test_the_table_names_every_route(walk: dict[str, object]) -> None:
    app = walk["client"].app  # type: ignore[attr-defined]
    assert set(endpoints(app.routes)) == set(ALLOWED)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonim")
def test_each_role_reaches_exactly_what_the_table_allows(walk: dict[str, object],
                                                         role: str | None) -> None:
    app = walk["client"].app  # type: ignore[attr-defined]
    routes = sorted(set(endpoints(app.routes)), key=lambda e: e in LAST)
    wrong = []
    for method, template in routes:
        allowed, status = _call(walk, method, template, role)
        if allowed != (role in ALLOWED[(method, template)]):
            wrong.append(f"{method} {template}: {status}")
    assert not wrong, f"{role or 'anonim'}: {wrong}"


def test_anonymous_pages_go_to_the_login_page(walk: dict[str, object]) -> None:
    client: TestClient = walk["client"]  # type: ignore[assignment]
    client.cookies.clear()
    r = client.get("/dokumen/1?versi=1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/masuk?lanjut=%2Fdokumen%2F1%3Fversi%3D1"
    page = client.get(r.headers["location"])
    assert "Masuk" in page.text and 'name="lanjut" value="/dokumen/1?versi=1"' in page.text
    assert client.get("/api/v1/dokumen").status_code == 401
    # the API never takes a session cookie's word for it
    client.cookies.update(walk["pages"]["admin"][0])  # type: ignore[index]
    assert client.get("/api/v1/dokumen").status_code == 401
    assert client.get("/dokumen/1").status_code == 200
