"""Every page of the archivist's desk at desktop width and on a 390 px phone, in real Chromium.

Each page is saved as a screenshot under tests/artifacts/ (`layar-<page>-desktop.png`,
`layar-<page>-390.png`) and, at 390 px, must not be wider than the screen: a wide table scrolls
inside its own box, forms stack (document.documentElement.scrollWidth <= 391).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from api.letters import issue_letter, parse_request
from api.wiring import CopyOrder, ingest_one, ingest_options, issue_stamped_copy
from archive import numbering
from tests.browser.conftest import Served, artifact
from tests.browser.test_roles_in_chromium import log_in
from tests.conftest import REPO

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
OFFICE = "dinas-uji"


@dataclass(frozen=True)
class Seeded:
    """What the pages show: an SOP in two versions, an LKjIP with indicator rows, a copy's code,
    a letter."""

    sop: int
    lkjip: int
    code: str
    letter: int


@pytest.fixture(scope="module")
def seeded(served: Served) -> Seeded:
    state = served.state
    ids = {}
    for name in ("sop-bkpsdm-01.pdf", "sop-bkpsdm-01-rev1.pdf", "lkjip-bkpsdm-2024-03.pdf"):
        options = ingest_options(state.settings, uploader="uji-arsiparis",
                                 on_recorded=state.index_document, source_filename=name)
        outcome = ingest_one(REPO / "samples" / name, state.sessions, state.store, options)
        assert outcome.document_id is not None, outcome.message
        ids[name] = outcome.document_id
    assert ids["sop-bkpsdm-01-rev1.pdf"] == ids["sop-bkpsdm-01.pdf"]  # its second version
    made = issue_stamped_copy(state.settings, state.sessions, state.store, CopyOrder(
        f"{ids['sop-bkpsdm-01.pdf']}:1", "uji-staf", "Inspektorat Daerah", "evaluasi SAKIP",
        jabatan="Sekretaris Dinas", nama="Budi Santoso, S.H.", nip="198204252009022002",
        account="uji-staf"), request_base=served.url)
    numbering.set_format(state.engine, OFFICE, numbering.NumberFormat(
        unit="35.73.411", default_kka="000.5.3.1"))
    import json

    data = json.loads((REPO / "tests" / "data" / "letter-lkjip.json").read_text(encoding="utf-8"))
    data["office"] = OFFICE
    letter = issue_letter(state.engine, parse_request(data)).allocated.letter_id
    return Seeded(ids["sop-bkpsdm-01.pdf"], ids["lkjip-bkpsdm-2024-03.pdf"], made.issued.code,
                  letter)


def _pages(s: Seeded) -> dict[str, str]:
    return {
        "beranda": "/", "cari": "/cari?q=kinerja", "indikator": "/indikator?q=persentase",
        "dokumen-sop": f"/dokumen/{s.sop}", "dokumen-lkjip": f"/dokumen/{s.lkjip}",
        "dokumen-beda": f"/dokumen/{s.sop}/beda?a=1&b=2",
        "periksa": "/periksa", "surat": "/surat", "surat-kantor": "/surat/kantor",
        "surat-lihat": f"/surat/{s.letter}", "unggah": "/unggah", "admin": "/admin",
        "admin-audit": "/admin/audit", "profil": "/profil", "verifikasi": f"/verifikasi/{s.code}",
    }


@pytest.fixture(scope="module")
def admin_page(browser: Any, served: Served) -> Any:
    context = browser.new_context(viewport=DESKTOP, locale="id-ID")
    p = context.new_page()
    log_in(p, served, "uji-admin")
    yield p
    context.close()


@pytest.mark.parametrize("name", ["beranda", "cari", "indikator", "dokumen-sop", "dokumen-lkjip",
                                  "dokumen-beda", "periksa", "surat", "surat-kantor",
                                  "surat-lihat", "unggah", "admin", "admin-audit", "profil",
                                  "verifikasi"])
def test_the_page_fits_a_phone_and_is_kept_as_screenshots(admin_page: Any, served: Served,
                                                          seeded: Seeded, name: str) -> None:
    path = _pages(seeded)[name]
    page = admin_page
    page.set_viewport_size(DESKTOP)
    response = page.goto(f"{served.url}{path}")
    assert response is not None and response.status == 200, (path, response and response.status)
    page.screenshot(path=str(artifact(f"layar-{name}-desktop.png")), full_page=True)
    page.set_viewport_size(PHONE)
    page.goto(f"{served.url}{path}")
    page.screenshot(path=str(artifact(f"layar-{name}-390.png")), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > innerWidth + 1
                     && !e.closest('table, .gulir, .lebar'))
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert width <= PHONE["width"] + 1, (path, width, wide)


def test_times_are_shown_in_wib(admin_page: Any, served: Served, seeded: Seeded) -> None:
    admin_page.set_viewport_size(DESKTOP)
    admin_page.goto(f"{served.url}/admin/audit")
    assert " WIB" in admin_page.locator("main").inner_text()
