"""Stamped copies on the web: the QR points where the request came in (or the setting), the admin
page warns about an address only the server can open, a superseded version's copy says so."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from fastapi.testclient import TestClient

from api.settings import Settings
from api.web import create_app
from tests.api.webutil import login, make_user, state_of
from tests.conftest import REPO

pytestmark = pytest.mark.archive_db

SAMPLES = REPO / "samples"


def _client(tmp_path: Path, base_url: str, **settings: object) -> Iterator[TestClient]:
    app = create_app(Settings(data_dir=tmp_path / "data", search_engine="whoosh", **settings))
    with TestClient(app, base_url=base_url) as c:
        make_user(c, "petugas", "admin", official=True)
        c.headers["x-csrf-token"] = login(c, "petugas")
        yield c


def _upload(client: TestClient, *names: str) -> None:
    for name in names:  # one at a time: the second is a new version of the first
        r = client.post("/unggah", files=[("berkas", (name, (SAMPLES / name).read_bytes(),
                                                     "application/pdf"))], follow_redirects=False)
        assert r.status_code == 303, r.text
        state_of(client).uploads.wait()


def _last_page_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return pdf.pages[-1].extract_text() or ""


def test_the_qr_points_to_the_address_the_request_came_in_on(tmp_path: Path) -> None:
    for client in _client(tmp_path, "https://arsip.dinas.go.id"):
        _upload(client, "sop-bkpsdm-01.pdf")
        copy = client.post("/dokumen/1/salinan", data={"versi": "1"})
        assert copy.status_code == 200, copy.text
        code = copy.headers["x-kode-verifikasi"]
        assert f"https://arsip.dinas.go.id/verifikasi/{code}" in _last_page_text(copy.content)
        assert "hanya dapat dibuka di server ini" not in client.get("/admin").text


def test_the_admin_page_warns_when_copies_would_point_to_localhost(tmp_path: Path) -> None:
    for client in _client(tmp_path, "http://127.0.0.1:8000"):
        admin = client.get("/admin").text
        assert "hanya dapat dibuka di server ini" in admin and "http://127.0.0.1:8000" in admin


def test_the_setting_overrides_the_request(tmp_path: Path) -> None:
    for client in _client(tmp_path, "http://127.0.0.1:8000",
                          verify_base_url="https://arsip.example.go.id/"):
        assert "hanya dapat dibuka di server ini" not in client.get("/admin").text
        _upload(client, "sop-bkpsdm-01.pdf")
        copy = client.post("/dokumen/1/salinan", data={"versi": "1"})
        code = copy.headers["x-kode-verifikasi"]
        assert f"https://arsip.example.go.id/verifikasi/{code}" in _last_page_text(copy.content)


def test_a_copy_of_a_superseded_version_says_by_which_and_since_when(tmp_path: Path) -> None:
    for client in _client(tmp_path, "https://arsip.dinas.go.id"):
        _upload(client, "sop-bkpsdm-01.pdf", "sop-bkpsdm-01-rev1.pdf")
        versions = client.get("/api/v1/dokumen/1", headers={"accept": "application/json"})
        old = client.post("/dokumen/1/salinan", data={"versi": "1"})
        assert old.status_code == 200, (old.text, versions.text)
        text = " ".join(_last_page_text(old.content).split())
        assert "Versi ini sudah digantikan oleh versi 2 sejak" in text, text
        page = client.get(f"/verifikasi/{old.headers['x-kode-verifikasi']}").text
        assert "Versi ini sudah digantikan oleh versi 2 sejak" in page
        current = client.post("/dokumen/1/salinan", data={"versi": "2"})
        assert "digantikan" not in _last_page_text(current.content)
        page = client.get(f"/verifikasi/{current.headers['x-kode-verifikasi']}").text
        assert "sudah digantikan" not in page


def test_a_copy_of_a_revoked_version_says_so(tmp_path: Path) -> None:
    for client in _client(tmp_path, "https://arsip.dinas.go.id"):
        _upload(client, "sop-bkpsdm-01.pdf")
        from archive.documents import revoke_version

        with state_of(client).sessions.begin() as session:
            revoke_version(session, 1, date(2025, 1, 31), reason="diganti peraturan baru")
        copy = client.post("/dokumen/1/salinan", data={"versi": "1"})
        assert copy.status_code == 200, copy.text
        assert "Versi ini dicabut sejak 31 Januari 2025" in " ".join(
            _last_page_text(copy.content).split())
