"""In real Chromium: staf issues a stamped copy of a real scanned SOP from its document page; the
copy's signature block is the original's (rendered pixels compared in the region where OCR finds
the signer's name and NIP), its QR address opens the verification page on this server."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pdfplumber
import pytest
from PIL import Image

from archive.documents import add_version
from archive.rendering import render_as_seen
from tests.archive.test_copy_placement import DPI, _signature_region
from tests.browser.conftest import Served, artifact
from tests.browser.test_roles_in_chromium import log_in

pytestmark = [pytest.mark.slow, pytest.mark.tesseract]

SCAN = "sop-kalbar-3"


@pytest.fixture(scope="module")
def scanned_sop(served: Served, real_dir: Path) -> tuple[int, Path, dict[str, Any]]:
    """The real scan archived as it is (its reading kept short: OCR is not what is tested here)."""
    source = real_dir / f"{SCAN}.pdf"
    signer = json.loads((real_dir / f"{SCAN}.json").read_text())["disahkan_oleh"]
    stored = served.state.store.put(source)
    with served.state.sessions.begin() as session:
        placed = add_version(session, {"doc_type": "sop", "scanned": True, "pages": 2,
                                       "title": "Pelayanan Pengajuan Keberatan Informasi Publik",
                                       "tanggal_pembuatan": "2024-01-02", "disahkan_oleh": signer},
                             stored, source_filename=source.name)
    served.state.index_document(placed.document_id)
    return placed.document_id, source, signer


def test_staf_issues_a_copy_that_leaves_the_signature_visible(
        page: Any, served: Served, scanned_sop: tuple[int, Path, dict[str, Any]]) -> None:
    doc_id, source, signer = scanned_sop
    log_in(page, served, "uji-staf")
    page.goto(f"{served.url}/dokumen/{doc_id}")
    page.fill("input[name=untuk]", "Inspektorat Daerah")
    with page.expect_download() as download:
        page.get_by_role("button", name="Terbitkan salinan (PDF)").click()
    data = Path(download.value.path()).read_bytes()
    original = source.read_bytes()
    last = 1
    before, after = render_as_seen(original, last, DPI), render_as_seen(data, last, DPI)
    Image.fromarray(after).save(artifact("salinan-web-halaman-akhir.png"))
    region = _signature_region(Image.fromarray(before), signer["nama"], signer["nip"])
    assert region is not None, "the signer's name and NIP were not found on the last page"
    left, top, right, bottom = region
    diff = np.abs(before[top:bottom, left:right].astype(int) - after[top:bottom, left:right].astype(int))
    assert float(np.any(diff > 8, axis=2).mean()) < 0.001
    assert np.any(np.any(before != after, axis=2))  # the certification is on that page
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = pdf.pages[-1].extract_text() or ""
    url = re.search(r"(http://\S+/verifikasi/[A-Z0-9-]+)", text)
    assert url is not None and url.group(1).startswith(served.url), text
    page.goto(url.group(1))
    assert "SAH" in page.locator("section.putusan").inner_text()
