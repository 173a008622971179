"""Letters on the web: the office set-up form (with a logo), items picked from archived versions,
post/redirect/get (a reload or a resent form never takes another number), reserve / confirm /
void with a reason, the register by year and status, and who may do what."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from api.settings import Settings
from api.web import create_app
from archive.documents import add_version
from archive.models_accounts import AuditRow
from archive.models_letters import Letter, LetterFormat
from archive.store import StoredFile
from tests.api.webutil import login_as, make_user, state_of

pytestmark = pytest.mark.archive_db

OFFICE_FORM = {
    "office": "bappeda-smd", "pattern": "{kka}/{urut:03d}/{unit}/{tahun}", "scope": "unit",
    "unit": "35.73.411", "kka": "000.8.6.3", "sisipan": "dot",
    "pemerintah": "Pemerintah Kota Samarinda", "instansi": "Badan Perencanaan Pembangunan Daerah",
    "alamat": "Jalan Dahlia Nomor 81, Samarinda", "telepon": "(0541) 741 234", "faksimile": "",
    "laman": "bappeda.samarindakota.go.id", "email": "",
    "pengirim_jabatan": "Kepala Badan", "pengirim_nama": "Dr. Siti Rahmawati, M.Si.",
    "pengirim_pangkat": "Pembina Utama Muda (IV/c)", "pengirim_nip": "197204151998032004",
    "tempat": "Samarinda"}
LKJIP = {"doc_type": "lkjip", "instansi": "Badan Perencanaan Pembangunan Daerah Kota Samarinda",
         "title": "Laporan Kinerja Instansi Pemerintah Tahun 2025", "tahun": 2025,
         "tanggal_pengesahan": "2026-02-20",
         "page_texts": ["Laporan Kinerja Instansi Pemerintah Tahun 2025 Bappeda"]}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 60), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data_dir=tmp_path / "data", search_engine="whoosh"))) as c:
        for role in ("staf", "auditor"):
            make_user(c, role, role)
        state = state_of(c)
        sha = hashlib.sha256(b"lkjip-2025").hexdigest()
        with state.sessions.begin() as session:
            add_version(session, LKJIP, StoredFile(sha, 1, f"{sha[:2]}/{sha}", True))
        state.index_document(1)
        yield c


def _set_up_office(client: TestClient, csrf: str) -> None:
    r = client.post("/surat/kantor", data={**OFFICE_FORM, "csrf": csrf},
                    files={"logo": ("logo.png", _png(), "image/png")}, follow_redirects=False)
    assert r.status_code == 303, r.text


def _letter_form(csrf: str, token: str, **kw: Any) -> dict[str, Any]:
    return {"csrf": csrf, "token": token, "office": "bappeda-smd", "tanggal": "2026-11-21",
            "kepada": "Inspektur Kota Samarinda", "di": "Samarinda", "perihal": "Penyampaian LKjIP",
            "uraian": ["LKjIP Tahun 2025", "Daftar hadir rapat"], "banyaknya": ["1", "2"],
            "satuan": ["berkas", "lembar"], "keterangan": ["untuk reviu", ""],
            "versi": ["1", ""], **kw}


def _counter(client: TestClient) -> int:
    with state_of(client).sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Letter)) or 0)


def test_office_set_up_as_a_form_with_a_logo(app: TestClient) -> None:
    csrf = login_as(app, "auditor")
    assert app.post("/surat/kantor", data={**OFFICE_FORM, "csrf": csrf}).status_code == 403
    assert "Simpan kantor" not in app.get("/surat/kantor").text
    csrf = login_as(app, "staf")
    bad = app.post("/surat/kantor", data={**OFFICE_FORM, "csrf": csrf, "pengirim_nip": "1972"})
    assert bad.status_code == 400 and "NIP harus 18 angka" in bad.text
    not_image = app.post("/surat/kantor", data={**OFFICE_FORM, "csrf": csrf},
                         files={"logo": ("logo.png", b"<svg/>", "image/png")})
    assert not_image.status_code == 400 and "PNG atau JPEG" in not_image.text
    _set_up_office(app, csrf)
    with state_of(app).sessions() as session:
        row = session.scalars(select(LetterFormat)).one()
        audit = session.scalars(select(AuditRow).where(AuditRow.action == "office.format")).one()
    assert (row.pattern, row.unit, row.default_kka) == ("{kka}/{urut:03d}/{unit}/{tahun}",
                                                        "35.73.411", "000.8.6.3")
    assert row.profile and row.profile["kop"]["logo"].startswith("data:image/png;base64,")
    assert row.profile["pengirim"]["nip"] == "197204151998032004"
    assert row.profile["tempat"] == "Samarinda"
    assert "sha256:" in (audit.after or "") and "base64" not in (audit.after or "")
    # changed again without a new logo: the logo stays
    page = app.get("/surat/kantor", params={"ubah": "bappeda-smd"}).text
    assert 'alt="Logo kantor"' in page and "Pembina Utama Muda" in page
    r = app.post("/surat/kantor", data={**OFFICE_FORM, "csrf": csrf, "telepon": "(0541) 1"},
                 follow_redirects=False)
    assert r.status_code == 303
    with state_of(app).sessions() as session:
        profile = session.scalars(select(LetterFormat)).one().profile or {}
    assert profile["kop"]["telepon"] == "(0541) 1" and profile["kop"]["logo"]


def test_issue_pick_reload_resend_confirm_void_register(app: TestClient) -> None:
    csrf = login_as(app, "staf")
    _set_up_office(app, csrf)
    picks = app.get("/surat/pilih-versi", params={"q": "laporan kinerja"}).json()["versi"]
    assert picks and picks[0]["version_id"] == 1 and picks[0]["document_id"] == 1
    assert picks[0]["uraian"].startswith("LKjIP Laporan Kinerja Instansi Pemerintah Tahun 2025")
    form = _letter_form(csrf, "form-1")
    r = app.post("/surat", data=form, follow_redirects=False)
    assert r.status_code == 303 and re.fullmatch(r"/surat/\d+\?baru=1", r.headers["location"])
    where = r.headers["location"]
    page = app.get(where).text
    number = "000.8.6.3/001/35.73.411/2026"
    assert number in page and "Memuat ulang halaman ini tidak mengambil nomor baru" in page
    assert 'href="/dokumen/1?versi=1">dokumen #1 versi 1' in page  # linked to the version sent
    assert "diketik (tanpa tautan)" in page  # the typed item
    sent = app.get("/dokumen/1").text  # and the version's page names the letter that sent it
    assert f'dikirim dengan surat <a href="{where.split("?")[0]}">{number}</a>' in sent
    # reload: the same page, no new number; the same form sent again: back to the same letter
    assert number in app.get(where).text and _counter(app) == 1
    again = app.post("/surat", data=form, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].endswith("?ulang=1")
    assert again.headers["location"].split("?")[0] == where.split("?")[0]
    assert _counter(app) == 1
    # the PDF: kop with the uploaded logo, the number; its preview picture
    pdf_link = re.search(r'href="(/berkas/[0-9a-f]{64})" download>Unduh PDF', page)
    assert pdf_link
    reader = PdfReader(io.BytesIO(app.get(pdf_link.group(1)).content))
    assert number in re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert len(reader.pages[0].images) >= 1  # the logo
    preview = app.get(where.split("?")[0] + "/pratinjau.png")
    assert preview.status_code == 200 and preview.content.startswith(b"\x89PNG")
    # a reserved number, confirmed at signing on another date: reprinted as a new version
    reserved = app.post("/surat", data=_letter_form(csrf, "form-2", pesan="1"),
                        follow_redirects=False).headers["location"].split("?")[0]
    assert "dipesan" in app.get(reserved).text
    r = app.post(f"{reserved}/konfirmasi", data={"csrf": csrf, "tanggal": "2026-11-24"},
                 follow_redirects=False)
    assert r.status_code == 303
    assert "terkirim" in app.get(reserved).text
    # void with a reason (required)
    assert app.post(f"{reserved}/batal", data={"csrf": csrf, "alasan": ""}).status_code == 400
    r = app.post(f"{reserved}/batal", data={"csrf": csrf, "alasan": "salah alamat"},
                 follow_redirects=False)
    assert r.status_code == 303
    shown = app.get(reserved).text
    assert "batal" in shown and "salah alamat" in shown and "Batalkan nomor" not in shown
    # the register by year and status
    assert "000.8.6.3/002/35.73.411/2026" in app.get("/surat", params={"status": "void"}).text
    confirmed = app.get("/surat", params={"status": "confirmed", "tahun": 2026}).text
    assert number in confirmed and "000.8.6.3/002/35.73.411/2026" not in confirmed
    assert "Belum ada nomor surat pada tahun 2025" in app.get("/surat", params={"tahun": 2025}).text
    with state_of(app).sessions() as session:
        actions = [a.action for a in session.scalars(
            select(AuditRow).where(AuditRow.action.like("letter.%")).order_by(AuditRow.id))]
    assert actions == ["letter.issue", "letter.reserve", "letter.confirm", "letter.void"]


def test_an_auditor_reads_letters_but_cannot_issue(app: TestClient) -> None:
    _set_up_office(app, login_as(app, "staf"))
    csrf = login_as(app, "auditor")
    assert "Buat surat baru" not in app.get("/surat").text
    assert app.post("/surat", data=_letter_form(csrf, "x")).status_code == 403
    assert app.get("/surat/pilih-versi", params={"q": "laporan"}).status_code == 403
