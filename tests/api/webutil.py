"""Helpers of the web tests: accounts made directly in the archive, logging in as a browser does."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient

from api.web.state import WebState
from archive import accounts
from archive.audit import Actor

PASSWORD = "sandi-uji-yang-panjang"
NIP = "198204252009022002"
OFFICIAL = {"jabatan": "Sekretaris Daerah", "nama": "Budi Santoso, S.H.", "nip": NIP,
            "pangkat": "Pembina Utama Muda (IV/c)", "kantor": "Sekretariat Daerah"}


def state_of(client: TestClient) -> WebState:
    """The app's shared state."""
    state: WebState = client.app.state.arsip  # type: ignore[attr-defined]
    return state


def make_user(client: TestClient, name: str, role: str, *, official: bool = False) -> None:
    """An account (with the test official's profile when `official`)."""
    with state_of(client).sessions.begin() as session:
        user = accounts.add_user(session, Actor("uji"), name, role, PASSWORD)
        if official:
            accounts.set_profile(session, Actor("uji"), user, **OFFICIAL)


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return unescape(match.group(1))


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log in through the login page; the CSRF token of the logged-in pages."""
    form = client.get("/masuk")
    r = client.post("/masuk", data={"nama": name, "sandi": password, "lanjut": "/",
                                    "csrf": csrf_of(form.text)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/profil").text)


def login_as(client: TestClient, name: str) -> str:
    """Log in afresh as `name` (the previous account's cookies dropped); the CSRF token."""
    client.cookies.clear()
    return login(client, name)
