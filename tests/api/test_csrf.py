"""CSRF: a form post and a multipart upload from another site, or without the page's token, are
refused (403) and change nothing; the same with the token of the user's own page succeed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.settings import Settings
from api.web import create_app
from archive.models_accounts import User
from tests.api.webutil import csrf_of, login, make_user, state_of

pytestmark = pytest.mark.archive_db  # run again on PostgreSQL (scripts/test.sh)

OWN = "http://testserver"
FOREIGN = "https://penyerang.example"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data_dir=tmp_path / "data"))) as c:
        make_user(c, "admin1", "admin")
        login(c, "admin1")
        yield c


def _users(client: TestClient) -> int:
    with state_of(client).sessions() as session:
        return session.scalar(select(func.count(User.id))) or 0


def _batches(client: TestClient) -> int:
    return len(state_of(client).uploads.batches())


def test_a_form_post_needs_our_origin_and_the_pages_token(client: TestClient) -> None:
    form = {"nama": "baru1", "peran": "staf", "sandi": "sandi-baru-panjang"}
    token = csrf_of(client.get("/admin").text)
    before = _users(client)
    forged = [({"origin": FOREIGN}, {**form, "csrf": token}),  # the right token, another site
              ({"origin": FOREIGN}, form),                     # no token, another site
              ({"referer": f"{FOREIGN}/halaman"}, form),        # no Origin, a foreign Referer
              ({}, form),                                       # no token at all
              ({"origin": OWN}, {**form, "csrf": "0" * 64})]    # a made-up token
    for headers, data in forged:
        r = client.post("/admin/pengguna", data=data, headers=headers, follow_redirects=False)
        assert r.status_code == 403, (headers, r.status_code)
        assert _users(client) == before
    ok = client.post("/admin/pengguna", data={**form, "csrf": token}, headers={"origin": OWN},
                     follow_redirects=False)
    assert ok.status_code == 303 and _users(client) == before + 1


def test_a_multipart_upload_needs_our_origin_and_the_pages_token(client: TestClient,
                                                                 corpus_dir: Path) -> None:
    pdf = (corpus_dir / "sop-bkpsdm-01.pdf").read_bytes()
    files = [("berkas", ("a.pdf", pdf, "application/pdf"))]
    token = csrf_of(client.get("/unggah").text)
    for headers, data in [({"origin": FOREIGN}, {}), ({"origin": FOREIGN}, {"csrf": token}),
                          ({}, {}), ({"origin": "null"}, {})]:
        r = client.post("/unggah", files=files, data=data, headers=headers, follow_redirects=False)
        assert r.status_code == 403, (headers, r.status_code)
    assert _batches(client) == 0
    assert not any((state_of(client).settings.data_dir / "uploads").glob("*/*"))
    ok = client.post("/unggah", files=files, data={"csrf": token}, headers={"origin": OWN},
                     follow_redirects=False)
    assert ok.status_code == 303 and _batches(client) == 1
    state_of(client).uploads.wait()


def test_login_session_is_renewed_and_cookies_are_strict(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path / "data"))) as c:
        make_user(c, "staf1", "staf")
        c.get("/masuk")
        seed_before = c.cookies.get("arsip_csrf")
        c.cookies.set("arsip_sesi", "ditanam-penyerang")  # session fixation attempt
        form = c.get("/masuk")
        r = c.post("/masuk", data={"nama": "staf1", "sandi": "sandi-uji-yang-panjang",
                                   "csrf": csrf_of(form.text)}, follow_redirects=False)
        assert r.status_code == 303
        cookies = r.headers.get_list("set-cookie")
        session_cookie = next(h for h in cookies if h.startswith("arsip_sesi="))
        assert "ditanam-penyerang" not in session_cookie
        assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
        assert "Secure" not in session_cookie  # plain HTTP here; Secure over HTTPS (next test)
        assert any(h.startswith("arsip_csrf=") for h in cookies)
        assert c.cookies.get("arsip_csrf") != seed_before


def test_cookies_are_secure_over_https(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path / "data")),
                    base_url="https://arsip.test") as c:
        make_user(c, "staf1", "staf")
        form = c.get("/masuk")
        r = c.post("/masuk", data={"nama": "staf1", "sandi": "sandi-uji-yang-panjang",
                                   "csrf": csrf_of(form.text)},
                   headers={"origin": "https://arsip.test"}, follow_redirects=False)
        assert r.status_code == 303
        assert all("Secure" in h for h in r.headers.get_list("set-cookie"))
