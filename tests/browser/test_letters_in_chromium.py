"""In real Chromium: staf sets up an office (kop with a logo), issues a letter for an archived
version picked through the search-as-you-type list, reloads the letter's page (no new number),
finds it in the register, and voids it with a reason; an arsiparis sees versions ordered by
date, compares two and revokes one.  Screenshots (desktop and a 390 px phone) of the letters,
letter and office pages, and the letter's PDF rendered to PNG, under tests/artifacts/."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from archive.documents import add_version
from archive.models_letters import Letter
from archive.store import StoredFile
from tests.browser.conftest import Served, artifact
from tests.browser.test_roles_in_chromium import log_in

pytestmark = pytest.mark.slow

OFFICE = {"office": "bapperida-uji", "unit": "35.73.411", "kka": "000.8.6.3",
          "pemerintah": "Pemerintah Kota Samarinda",
          "instansi": "Badan Perencanaan, Riset dan Inovasi Daerah",
          "alamat": "Jalan Dahlia Nomor 81, Samarinda 75121", "telepon": "(0541) 741 234",
          "pengirim_jabatan": "Kepala Badan", "pengirim_nama": "Dr. Siti Rahmawati, M.Si.",
          "pengirim_pangkat": "Pembina Utama Muda (IV/c)", "pengirim_nip": "197204151998032004",
          "tempat": "Samarinda"}
RENSTRA = {"doc_type": "lkjip", "instansi": "Badan Perencanaan, Riset dan Inovasi Daerah",
           "title": "Laporan Kinerja Instansi Pemerintah Bapperida Tahun 2025", "tahun": 2025,
           "tanggal_pengesahan": "2026-02-20",
           "page_texts": ["Laporan Kinerja Instansi Pemerintah Bapperida Tahun 2025"]}


def _stored(tag: str) -> StoredFile:
    sha = hashlib.sha256(tag.encode()).hexdigest()
    return StoredFile(sha, 1, f"{sha[:2]}/{sha}", created=True)


@pytest.fixture(scope="module")
def archived(served: Served) -> int:
    with served.state.sessions.begin() as session:
        placed = add_version(session, RENSTRA, _stored("bapperida-lkjip-2025"))
    served.state.index_document(placed.document_id)
    return placed.version_id


def _logo(tmp_path: Any) -> str:
    path = tmp_path / "logo.png"
    img = Image.new("RGB", (120, 140), (255, 255, 255))
    for x in range(20, 100):
        for y in range(20, 120):
            img.putpixel((x, y), (30, 90, 160) if (x + y) % 7 else (230, 180, 30))
    img.save(path)
    return str(path)


def _letters(served: Served) -> int:
    with served.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Letter)) or 0)


def _fits_a_phone(browser: Any, served: Served, paths: list[tuple[str, str]]) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    page = context.new_page()
    try:
        log_in(page, served, "uji-staf")
        for path, name in paths:
            page.goto(f"{served.url}{path}")
            page.screenshot(path=str(artifact(name)), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    finally:
        context.close()


def test_staf_issues_a_letter_for_an_archived_version(page: Any, browser: Any, served: Served,
                                                      archived: int, tmp_path: Any) -> None:
    errors: list[str] = []
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400
            and not r.url.endswith("/favicon.ico") else None)
    log_in(page, served, "uji-staf")
    # the office, set up through its form (with a logo)
    page.goto(f"{served.url}/surat/kantor")
    form = page.locator("form.kantor")
    for name, value in OFFICE.items():
        form.locator(f"input[name={name}]").fill(value)
    form.locator("input[name=logo]").set_input_files(_logo(tmp_path))
    form.get_by_role("button", name="Simpan kantor").click()
    page.wait_for_load_state()
    assert "bapperida-uji" in page.locator("table.kantor").inner_text()
    assert page.locator("p.logo-kini img").count() == 1
    page.screenshot(path=str(artifact("surat-kantor.png")), full_page=True)

    # the letter: the first item picked from the archive as you type
    page.goto(f"{served.url}/surat")
    form = page.locator("form#surat-baru")
    form.locator("select[name=office]").select_option("bapperida-uji")
    uraian = form.locator("input[name=uraian]").first
    uraian.press_sequentially("laporan kinerja bapper", delay=30)
    pick = form.locator("ul.saran button").first
    pick.wait_for(timeout=10_000)
    assert "versi 1" in pick.inner_text()
    page.screenshot(path=str(artifact("surat-pilih-versi.png")), full_page=True)
    pick.click()
    assert form.locator("input[name=versi]").first.input_value() == str(archived)
    assert uraian.input_value().startswith("LKjIP Laporan Kinerja Instansi Pemerintah Bapperida")
    assert "tertaut ke arsip" in form.locator(".pilihan").first.inner_text()
    form.locator("input[name=uraian]").nth(1).fill("Daftar hadir rapat reviu")
    form.locator("input[name=kepada]").fill("Inspektur Kota Samarinda")
    form.locator("input[name=di]").fill("Samarinda")
    form.locator("input[name=perihal]").fill("Penyampaian LKjIP 2025")
    before = _letters(served)
    # a double click (the old form's "second click silently takes the next number"): one number
    form.get_by_role("button", name="Beri nomor dan cetak (PDF)").dblclick()
    page.wait_for_url(re.compile(r"/surat/\d+\?baru=1"))
    number = page.locator("p.putusan strong.nomor").inner_text()
    assert re.fullmatch(r"000\.8\.6\.3/\d{3}/35\.73\.411/\d{4}", number)
    assert _letters(served) == before + 1
    assert page.locator(f"a[href='/dokumen/{_doc_of(served, archived)}?versi=1']").count() == 1
    page.locator("img[alt^='Halaman pertama surat']").wait_for()
    page.screenshot(path=str(artifact("surat-terbit.png")), full_page=True)
    letter_url = page.url.split("?")[0]

    # a reload shows the same letter and takes no number
    page.reload()
    page.wait_for_load_state()
    assert page.locator("h1 .nomor").inner_text() == number
    assert _letters(served) == before + 1

    # the letter's PDF, rendered to a picture (looked at by a person: tests/artifacts)
    href = page.locator("a", has_text="Unduh PDF").get_attribute("href")
    pdf = page.request.get(f"{served.url}{href}").body()
    _render_pdf(pdf, "surat-pdf.png")

    # the register shows it; then voided with a reason
    page.goto(f"{served.url}/surat")
    assert number in page.locator("table.agenda").inner_text()
    page.screenshot(path=str(artifact("surat.png")), full_page=True)
    page.goto(letter_url)
    page.locator("input[name=alasan]").fill("salah alamat tujuan")
    page.get_by_role("button", name="Batalkan nomor").click()
    page.wait_for_load_state()
    assert "batal" in page.locator("table.meta").inner_text()
    assert "salah alamat tujuan" in page.locator("table.meta").inner_text()
    page.goto(f"{served.url}/surat?status=void")
    assert number in page.locator("table.agenda").inner_text()
    assert not errors, errors
    _fits_a_phone(browser, served, [("/surat", "surat-390.png"),
                                    ("/surat/kantor", "surat-kantor-390.png"),
                                    (letter_url.removeprefix(served.url), "surat-terbit-390.png")])


def _doc_of(served: Served, version_id: int) -> int:
    from archive.models import Version

    with served.state.sessions() as session:
        version = session.get(Version, version_id)
        assert version is not None
        return version.document_id


def _render_pdf(pdf: bytes, name: str) -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(io.BytesIO(pdf))
    try:
        document[0].render(scale=1.5).to_pil().save(artifact(name))
    finally:
        document.close()


def _sop(efektif: str, kegiatan: str) -> dict[str, Any]:
    return {"doc_type": "sop", "instansi": "Dinas Perhubungan Kota Uji", "nomor": "551/12/DISHUB",
            "title": "Penerbitan Izin Trayek", "tanggal_efektif": efektif,
            "steps": [{"no": 1, "kegiatan": "Menerima permohonan"},
                      {"no": 2, "kegiatan": kegiatan}],
            "page_texts": ["SOP Penerbitan Izin Trayek"]}


def test_versions_by_date_diff_and_revoke(page: Any, browser: Any, served: Served) -> None:
    with served.state.sessions.begin() as session:
        late = add_version(session, _sop("2025-03-01", "Memeriksa kelengkapan berkas"),
                           _stored("trayek-2025"))
        add_version(session, _sop("2022-01-10", "Memeriksa berkas"), _stored("trayek-2022"))
    doc = late.document_id
    served.state.index_document(doc)
    log_in(page, served, "uji-arsiparis")
    page.goto(f"{served.url}/dokumen/{doc}")
    rows = page.locator("table.versi tr[id^=versi-]")
    first, second = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert first.startswith("versi 1") and "digantikan oleh versi 2" in first
    assert "unggahan ke-2" in first and "10 Januari 2022" in first
    assert second.startswith("versi 2") and "berlaku sejak 1 Maret 2025" in second
    page.get_by_role("button", name="Lihat perbedaan").click()
    page.wait_for_url(re.compile(r"/beda\?a=1&b=2"))
    diff = page.locator("table.beda").inner_text()
    assert "Memeriksa berkas" in diff and "Memeriksa kelengkapan berkas" in diff
    page.screenshot(path=str(artifact("dokumen-beda.png")), full_page=True)
    page.goto(f"{served.url}/dokumen/{doc}?versi=2")
    page.locator("details.atur-versi summary").click()
    revoke = page.locator("form[action$='/cabut']")
    revoke.locator("input[name=tanggal]").fill("2026-01-01")
    revoke.locator("input[name=alasan]").fill("diganti Perwali baru")
    revoke.get_by_role("button", name="Cabut versi 2").click()
    page.wait_for_load_state()
    rows = page.locator("table.versi tr[id^=versi-]")
    assert rows.nth(0).inner_text().startswith("versi 1") and "berlaku" in rows.nth(0).inner_text()
    assert "dicabut" in rows.nth(1).inner_text()
    assert "diganti Perwali baru" in page.locator("table.versi").inner_text()
    page.screenshot(path=str(artifact("dokumen-versi.png")), full_page=True)
