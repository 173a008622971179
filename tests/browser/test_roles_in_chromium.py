"""In real Chromium: each role logs in, sees only what it may, and logs out; a cross-site page's
forged posts (a form and a no-cors multipart upload) fail; screenshots of the login and admin pages."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from archive.models_accounts import User
from tests.api.webutil import PASSWORD
from tests.browser.conftest import ROLES, Served, artifact, free_port

pytestmark = pytest.mark.slow

NAV = {"Unggah": {"admin", "arsiparis"}, "Admin": {"admin"}, "Jejak audit": {"auditor"},
       "Surat": set(ROLES), "Cari": set(ROLES)}
FORBIDDEN = {"admin": None, "arsiparis": "/admin", "auditor": "/unggah", "staf": "/admin/audit"}


def log_in(page: Any, served: Served, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{served.url}/")
    assert "/masuk" in page.url
    page.fill("input[name=nama]", name)
    page.fill("input[name=sandi]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_logs_in_sees_its_pages_and_logs_out(page: Any, served: Served, role: str) -> None:
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    log_in(page, served, f"uji-{role}")
    assert page.url == f"{served.url}/"
    nav = page.locator("header.atas nav")
    for label, roles in NAV.items():
        assert (nav.get_by_role("link", name=label, exact=True).count() == 1) == (role in roles), label
    assert page.locator("header .akun").inner_text().startswith(f"uji-{role}")
    if FORBIDDEN[role]:
        response = page.goto(f"{served.url}{FORBIDDEN[role]}")
        assert response.status == 403 and "tidak berwenang" in page.content()
    if role == "admin":
        page.goto(f"{served.url}/admin")
        page.screenshot(path=str(artifact("admin.png")), full_page=True)
        page.goto(f"{served.url}/admin/audit")
        page.screenshot(path=str(artifact("admin-audit.png")), full_page=True)
        page.goto(f"{served.url}/api/v1/docs")
        page.screenshot(path=str(artifact("api-docs.png")), full_page=True)
    page.goto(f"{served.url}/")
    page.click("header .akun button")  # Keluar
    page.wait_for_load_state()
    assert page.url.startswith(f"{served.url}/masuk")
    page.goto(f"{served.url}/cari")
    assert "/masuk" in page.url
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def test_first_start_asks_for_the_first_admin(page: Any, fresh: Served) -> None:
    page.goto(f"{fresh.url}/")
    assert page.url == f"{fresh.url}/siapkan"
    page.screenshot(path=str(artifact("siapkan.png")), full_page=True)
    page.fill("input[name=nama]", "kepala")
    page.fill("input[name=sandi]", "rahasia-kantor-1")
    page.fill("input[name=sandi2]", "rahasia-kantor-1")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{fresh.url}/admin" and "kepala" in page.locator("header .akun").inner_text()
    response = page.goto(f"{fresh.url}/siapkan")
    assert response.status == 404  # closed for good


def test_wrong_password_and_login_page_screenshot(page: Any, served: Served) -> None:
    page.goto(f"{served.url}/masuk")
    page.screenshot(path=str(artifact("masuk.png")), full_page=True)
    page.fill("input[name=nama]", "uji-staf")
    page.fill("input[name=sandi]", "bukan-sandinya")
    page.click("button[type=submit]")
    assert "Nama akun atau kata sandi salah" in page.content()
    page.screenshot(path=str(artifact("masuk-salah.png")), full_page=True)


ATTACK = """<!doctype html><html><body>
<form id="f" method="post" action="{app}/admin/pengguna">
<input name="nama" value="penyusup"><input name="peran" value="admin">
<input name="sandi" value="sandi-penyusup-panjang"></form>
<script>
const data = new FormData();
data.append("berkas", new Blob(["%PDF-1.4 palsu"], {{type: "application/pdf"}}), "palsu.pdf");
fetch("{app}/unggah", {{method: "POST", mode: "no-cors", body: data, credentials: "include"}})
  .finally(() => document.getElementById("f").submit());
</script></body></html>"""


@pytest.fixture
def attacker(served: Served) -> Iterator[str]:
    """Another origin (same host, another port: same site, so Lax cookies still travel)."""
    html = ATTACK.format(app=served.url).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: Any) -> None:
            pass

    port = free_port()
    server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()


def test_a_cross_site_pages_forged_posts_fail(page: Any, served: Served, attacker: str) -> None:
    log_in(page, served, "uji-admin")
    with served.state.sessions() as session:
        users = session.scalar(select(func.count(User.id)))
    batches = len(served.state.uploads.batches())
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if r.url.startswith(served.url) else None)
    page.goto(attacker)
    page.wait_for_url(f"{served.url}/admin/pengguna")
    assert "Permintaan dari situs lain" in page.content()
    assert 403 in statuses
    with served.state.sessions() as session:
        assert session.scalar(select(func.count(User.id))) == users
        assert session.scalar(select(User).where(User.name == "penyusup")) is None
    assert len(served.state.uploads.batches()) == batches
    # the same form from the app's own page works
    page.goto(f"{served.url}/admin")
    form = page.locator("form[action='/admin/pengguna']")
    form.locator("input[name=nama]").fill("tamu1")
    form.locator("input[name=sandi]").fill("sandi-tamu-panjang")
    form.locator("button").click()
    page.wait_for_load_state()
    assert page.url == f"{served.url}/admin" and "tamu1" in page.content()
