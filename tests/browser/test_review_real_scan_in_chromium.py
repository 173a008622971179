"""Acceptance of the archivist's desk on a real scan, in real Chromium.

An arsiparis uploads a scanned Perjanjian Kinerja from ../shared/real (4 pages, OCR'd by the
app's own queue), opens the queue "perlu diperiksa", sees a marked field with the crop of the
page it was read from, corrects it to what is printed (the ground truth of ../shared/real), and
the corrected value is what search and the document's JSON return, while the machine's reading
stays in the history; an indicator row edited the same way is what the indicator export
returns; the page view finds the OCR words (find-in-page); an auditor has no form.
Screenshots (desktop and 390 px) of the queue, the document page and the page view.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest

from archive import accounts
from archive.audit import Actor
from tests.browser.conftest import Served, artifact
from tests.browser.test_roles_in_chromium import log_in
from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.tesseract]

SCAN = REPO.parent / "shared" / "real" / "pk-sulut-1.pdf"
TRUTH = SCAN.with_suffix(".json")
UPLOAD_TIMEOUT = 600  # seconds: four OCR'd pages on a busy machine


def _field(data: dict[str, Any], path: str) -> Any:
    """The value at a field path (`programs[1].program`) of an extraction's JSON."""
    value: Any = data
    for name, index in re.findall(r"([a-z_]+)(?:\[(\d+)\])?", path):
        value = value.get(name) if isinstance(value, dict) else None
        if index and isinstance(value, list):
            value = value[int(index)] if int(index) < len(value) else None
    return value


FIND_ON_PAGE = """w => {
  for (let i = 0; i < 50; i++) {
    if (!window.find(w)) return false;
    const node = window.getSelection().anchorNode;
    if (node && node.parentElement && node.parentElement.closest('.lembar svg')) return true;
  }
  return false;
}"""


def _loaded(image: Any) -> tuple[int, int]:
    """An <img>'s natural size once it has loaded (0, 0 when it failed)."""
    image.scroll_into_view_if_needed()
    image.page.wait_for_function("i => i.complete", arg=image.element_handle(), timeout=60_000)
    size: list[int] = image.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    return size[0], size[1]


@pytest.fixture(scope="module")
def uploaded(browser: Any, served: Served) -> int:
    """The scan uploaded through the upload page by an arsiparis; its document id."""
    if not SCAN.is_file():
        pytest.skip(f"{SCAN} not found (../shared beside the checkout)")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    try:
        log_in(page, served, "uji-arsiparis")
        page.goto(f"{served.url}/unggah")
        page.set_input_files("input[name=berkas]", str(SCAN))
        page.get_by_role("button", name="Unggah").click()
        page.wait_for_load_state()
        # the status page refreshes itself until the file is read
        link = page.locator("table.unggahan a[href^='/dokumen/']")
        link.first.wait_for(timeout=UPLOAD_TIMEOUT * 1000)
        return int(link.first.get_attribute("href").rsplit("/", 1)[1])
    finally:
        context.close()


def test_an_arsiparis_corrects_a_marked_field_of_a_real_scan(page: Any, served: Served,
                                                             uploaded: int) -> None:
    log_in(page, served, "uji-arsiparis")
    page.goto(f"{served.url}/periksa")
    item = page.locator("table.antrean tr", has=page.locator(f"a[href^='/dokumen/{uploaded}?']"))
    assert item.count() == 1, "the uploaded scan is not in the queue"
    crop = item.locator("img.potongan").first
    width, height = _loaded(crop)
    assert width >= 150 and height >= 20, (width, height)
    page.screenshot(path=str(artifact("periksa-pindaian.png")), full_page=True)

    item.locator(f"a[href^='/dokumen/{uploaded}?']").first.click()
    page.wait_for_load_state()
    row = page.locator("tr.ditandai", has=page.locator("img.potongan")).first
    path = row.locator("code").first.inner_text()
    machine = row.locator("td").nth(1).inner_text().split("\n")[0].strip()
    width, height = _loaded(row.locator("img.potongan"))
    assert width >= 150 and height >= 20, (path, width, height)
    for thumb in page.locator("ul.halaman-kecil img").all():
        assert _loaded(thumb)[0] >= 100
    page.screenshot(path=str(artifact("dokumen-pindaian.png")), full_page=True)
    _phone_screenshots(page, served, uploaded, "")  # before the queue empties

    truth = _field(json.loads(TRUTH.read_text()), path)
    assert isinstance(truth, str) and truth != machine, (path, machine, truth)
    page.goto(f"{served.url}/dokumen/{uploaded}")
    row = page.locator(f"tr[id='kolom-{re.sub(r'[^a-z0-9_]+', '-', path).strip('-')}']")
    row.locator("summary", has_text="koreksi").click()
    row.locator("input[name=nilai]").fill(truth)
    row.locator("input[name=alasan]").fill("dicocokkan dengan halaman tercetak")
    row.get_by_role("button", name="Simpan koreksi").click()
    page.wait_for_load_state()
    row = page.locator(f"tr[id='kolom-{re.sub(r'[^a-z0-9_]+', '-', path).strip('-')}']")
    assert truth in row.inner_text()
    assert f"hasil baca mesin: {machine}" in row.inner_text()
    history = page.locator("table.riwayat").inner_text()
    assert "dicocokkan dengan halaman tercetak" in history and "uji-arsiparis" in history
    assert machine in history and truth in history

    # search finds the printed words the machine misread, exactly (not as a near spelling)
    page.goto(f"{served.url}/cari?q={quote(chr(34) + truth + chr(34))}")
    hits = page.locator("ol.hasil")
    assert hits.locator(f"a[href^='/dokumen/{uploaded}?']").count() == 1
    assert page.locator("p.catatan", has_text="ejaannya mirip").count() == 0

    # an indicator row corrected in place is what the indicator export gives
    page.goto(f"{served.url}/dokumen/{uploaded}#hasil-baca")
    satuan = page.locator("tr#kolom-indicators-0-satuan")
    satuan.locator("summary", has_text="koreksi").click()
    satuan.locator("input[name=nilai]").fill("persen")
    satuan.locator("input[name=alasan]").fill("satuan ditulis dengan kata")
    satuan.get_by_role("button", name="Simpan koreksi").click()
    page.wait_for_load_state()
    indikator = _field(json.loads(TRUTH.read_text()), "indicators[0].indikator")
    export = page.request.get(f"{served.url}/indikator.csv?q={quote(indikator)}")
    assert export.ok
    lines = [ln for ln in export.text().splitlines() if indikator[:40] in ln]
    assert lines and all("persen" in ln for ln in lines), export.text()[:800]

    # the document's JSON: the reading in use and the machine's reading
    with served.state.sessions.begin() as session:
        token = accounts.new_token(session, Actor("uji"),
                                   accounts.get_user(session, "uji-auditor")).secret
    doc = page.request.get(f"{served.url}/api/v1/dokumen/{uploaded}",
                           headers={"Authorization": f"Bearer {token}"}).json()
    version_id = doc["versions"][0]["id"]
    review = page.request.get(f"{served.url}/api/v1/versi/{version_id}/koreksi",
                              headers={"Authorization": f"Bearer {token}"}).json()
    assert _field(review["extraction"], path) == truth
    assert _field(review["machine_reading"], path) == machine
    assert _field(review["extraction"], "indicators[0].satuan") == "persen"
    assert path not in review["open"]


def test_the_page_view_finds_the_ocr_words(page: Any, served: Served, uploaded: int) -> None:
    log_in(page, served, "uji-arsiparis")
    page.goto(f"{served.url}/dokumen/{uploaded}")
    thumbs = page.locator("ul.halaman-kecil img")
    assert thumbs.count() == 4
    width, height = _loaded(thumbs.nth(1))
    assert width >= 100 and height > width, (width, height)
    indikator = _field(json.loads(TRUTH.read_text()), "indicators[0].indikator")
    word = max(indikator.split(), key=len)
    page.goto(f"{served.url}/cari?q={quote(word)}")
    page.locator("ol.hasil a[href*='/halaman/']").first.click()
    page.wait_for_load_state()
    assert re.search(r"/versi/\d+/halaman/\d+\?q=", page.url), page.url
    image = page.request.get(served.url + page.locator(".lembar svg image").get_attribute("href"))
    assert image.ok and image.headers["content-type"] == "image/png" and len(image.body()) > 20_000
    assert page.locator(".lembar svg rect.kena").count() >= 1
    # the browser's find-in-page lands on the page's own (invisible) words
    assert page.evaluate(FIND_ON_PAGE, word)
    page.screenshot(path=str(artifact("halaman-pindaian.png")), full_page=True)


def test_an_auditor_cannot_edit_the_scan(page: Any, served: Served, uploaded: int) -> None:
    log_in(page, served, "uji-auditor")
    page.goto(f"{served.url}/dokumen/{uploaded}")
    assert page.locator("table.hasil-baca").count() == 1
    assert page.locator("img.potongan").count() >= 1
    assert page.locator("form[action$='/koreksi'], form[action$='/baris']").count() == 0
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    refused = page.request.post(f"{served.url}/dokumen/{uploaded}/baris",
                                form={"csrf": csrf, "versi": "1", "aksi": "hapus",
                                      "baris": "programs[0]", "alasan": "uji"})
    assert refused.status == 403


def _phone_screenshots(page: Any, served: Served, uploaded: int, suffix: str) -> None:
    """The queue, the document page and its first page at 390 px; nothing wider than the phone."""
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        for path, name in (("/periksa", "periksa-pindaian"),
                           (f"/dokumen/{uploaded}", "dokumen-pindaian"),
                           (f"/dokumen/{uploaded}", "halaman-pindaian")):
            page.goto(f"{served.url}{path}")
            if name == "halaman-pindaian":
                page.locator("ul.halaman-kecil a").first.click()
                page.wait_for_load_state()
            for image in page.locator("img.potongan, ul.halaman-kecil img").all():
                _loaded(image)
            page.screenshot(path=str(artifact(f"{name}{suffix}-390.png")), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def test_phone_screenshots_after_the_correction(page: Any, served: Served, uploaded: int) -> None:
    log_in(page, served, "uji-arsiparis")
    _phone_screenshots(page, served, uploaded, "-dikoreksi")
