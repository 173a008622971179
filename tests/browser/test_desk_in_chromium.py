"""In real Chromium: an arsiparis finds a marked version in the queue, corrects the field in place
with a reason, and sees the machine's reading in the history; an auditor sees no form.
Screenshots (desktop and a 390 px phone) of the document page and the queue."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from archive.documents import add_version
from archive.store import StoredFile
from tests.browser.conftest import Served, artifact
from tests.browser.test_roles_in_chromium import log_in

pytestmark = pytest.mark.slow

READING = {"doc_type": "sop", "scanned": True, "instansi": "Dinas Komunikasi dan Informatika",
           "nomor": "G7/DISKOMINF0/2024", "title": "Pengelolaan Pengaduan Masyarakat",
           "tanggal_efektif": "2024-02-01",
           "disahkan_oleh": {"jabatan": "Kepala Dinas", "nama": "Budi Santoso",
                             "nip": "198204252009022002", "pangkat": None},
           "dasar_hukum": ["Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik"],
           "steps": [{"no": 1, "kegiatan": "Menerima pengaduan", "page": 2},
                     {"no": 2, "kegiatan": "Memverifikasi pengaduan", "page": 2}],
           "page_texts": ["SOP G7/DISKOMINF0/2024 Pengelolaan Pengaduan Masyarakat",
                          "Menerima pengaduan"],
           "confidence": {"nomor": 0.52}}


@pytest.fixture(scope="module")
def marked(served: Served) -> int:
    sha = hashlib.sha256(b"desk-in-chromium").hexdigest()
    with served.state.sessions.begin() as session:
        placed = add_version(session, READING, StoredFile(sha, 1, f"{sha[:2]}/{sha}", created=True))
    served.state.index_document(placed.document_id)
    return placed.document_id


def test_an_arsiparis_corrects_a_marked_field_from_the_queue(page: Any, served: Served,
                                                             marked: int) -> None:
    log_in(page, served, "uji-arsiparis")
    page.goto(f"{served.url}/periksa")
    page.screenshot(path=str(artifact("periksa.png")), full_page=True)
    page.get_by_role("link", name="Pengelolaan Pengaduan Masyarakat").click()
    page.wait_for_load_state()
    assert f"/dokumen/{marked}" in page.url
    row = page.locator("#kolom-nomor")
    assert "periksa" in row.inner_text() and "keyakinan baca 52 %" in row.inner_text()
    page.screenshot(path=str(artifact("dokumen-hasil-baca.png")), full_page=True)
    row.locator("summary").click()
    row.locator("input[name=nilai]").fill("067/DISKOMINFO/2024")
    row.locator("input[name=alasan]").fill("tercetak 067, terbaca G7")
    row.get_by_role("button", name="Simpan koreksi").click()
    page.wait_for_load_state()
    row = page.locator("#kolom-nomor")
    assert "067/DISKOMINFO/2024" in row.inner_text()
    assert "hasil baca mesin: G7/DISKOMINF0/2024" in row.inner_text()
    history = page.locator("table.riwayat").inner_text()
    assert "tercetak 067, terbaca G7" in history and "uji-arsiparis" in history
    assert page.locator("h2#hasil-baca").inner_text().endswith("diperiksa")
    page.goto(f"{served.url}/cari?q=Pengaduan")
    assert "067/DISKOMINFO/2024" in page.content()
    page.goto(f"{served.url}/periksa")
    assert "Pengelolaan Pengaduan Masyarakat" not in page.content()


def test_an_auditor_sees_the_reading_but_no_form(page: Any, served: Served, marked: int) -> None:
    log_in(page, served, "uji-auditor")
    page.goto(f"{served.url}/dokumen/{marked}")
    assert page.locator("table.hasil-baca").count() == 1
    assert page.locator("form[action$='/koreksi']").count() == 0


def test_phone_screenshots(browser: Any, served: Served, marked: int) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    page = context.new_page()
    try:
        log_in(page, served, "uji-arsiparis")
        for path, name in ((f"/dokumen/{marked}", "dokumen-hasil-baca-390.png"),
                           ("/periksa", "periksa-390.png")):
            page.goto(f"{served.url}{path}")
            page.screenshot(path=str(artifact(name)), full_page=True)
            # wide tables scroll inside their box instead of widening the page
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    finally:
        context.close()
