"""A version's pages on the web: the word boxes kept at ingest, a marked field's crop beside it,
thumbnails, the page view with the page's words, rows added and removed (arsiparis only)."""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.settings import Settings
from api.web import create_app
from archive.pagecache import WORDS
from ingest.pipeline import page_cache
from ingest.wordboxes import decode
from tests.api.webutil import csrf_of, login, make_user, state_of
from tests.ingest.sop_fixtures import FlowSpec, IdentitySpec, StepSpec, write_sop_pdf

pytestmark = pytest.mark.archive_db

FLOW = FlowSpec(("Pengguna Layanan", "Petugas Arsip"),
                (StepSpec(1, "Mengisi formulir peminjaman", 0),
                 StepSpec(2, "Memeriksa formulir dan mencari arsip", 1)))
# the made date printed incompletely: the reading warns, so tanggal_pembuatan is marked
IDENTITY = IdentitySpec(fields=tuple((k, "3 Jan" if k == "Tanggal Pembuatan" else v)
                                     for k, v in IdentitySpec().fields))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One archive for the module (the row test, which changes the reading, runs last).

    Opening the archive points TMPDIR at its scratch folder (archive/scratch.py); the per-test
    reset of tests/conftest.py would keep that for the rest of the session when it happens in
    a module fixture, so it is put back here at once."""
    saved = tempfile.tempdir, os.environ.get("TMPDIR")
    tmp_path = tmp_path_factory.mktemp("pages")
    settings = Settings(data_dir=tmp_path / "data", database_url=None, search_engine="whoosh")
    pdf = write_sop_pdf(tmp_path / "sop.pdf", FLOW, IDENTITY)
    with TestClient(create_app(settings)) as c:
        state = state_of(c)
        made = state.ingest(pdf, "sop.pdf", "arsiparis")
        assert made.exit_code == 0 and made.result is not None, made.message
        for role in ("arsiparis", "auditor"):
            make_user(c, role, role)
        tempfile.tempdir = saved[0]
        if saved[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved[1]
        yield c


@pytest.fixture(autouse=True)
def logged_out(app: TestClient) -> None:
    app.cookies.clear()


def _png(data: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.size


def test_word_boxes_are_kept_with_the_reading(app: TestClient) -> None:
    state = state_of(app)
    [sha] = [f for f in page_cache(state.store).root.glob("*/*")]
    pages = decode((sha / WORDS).read_bytes())
    assert [p.number for p in pages] == [1, 2]
    assert any(text == "045.2" for text, _ in pages[0].words)
    assert any(text == "formulir" for text, _ in pages[1].words)


def test_a_marked_field_shows_the_crop_it_was_read_from(app: TestClient) -> None:
    login(app, "auditor")
    html = app.get("/dokumen/1").text
    row = html[html.index('id="kolom-tanggal_pembuatan"'):]
    row = row[:row.index("</tr>")]
    crop = re.search(r'src="(/versi/1/potongan\?kolom=[^"]+)"', row)
    assert crop, row
    width, height = _png(app.get(crop[1].replace("&amp;", "&")).content)
    assert width > 200 and 20 < height < 200  # the label and the space beside it, not the page
    assert "tercetak di halaman 1" in row
    # fields not marked carry no crop; any field can still be located on request
    assert html.count('class="potongan"') == 1
    assert _png(app.get("/versi/1/potongan", params={"kolom": "steps[1].kegiatan"}).content)
    missing = app.get("/versi/1/potongan", params={"kolom": "kepada"})
    assert missing.status_code == 404 and "tidak ditemukan" in missing.text
    assert app.get("/versi/1/potongan", params={"kolom": "x]"}).status_code == 400


def test_the_queue_shows_the_crop(app: TestClient) -> None:
    login(app, "arsiparis")
    html = app.get("/periksa").text
    assert "/versi/1/potongan?kolom=tanggal_pembuatan" in html
    assert "Tanggal pembuatan, hlm 1" in html and "<code>tanggal_pembuatan</code>" not in html  # in words


def test_crops_work_for_a_version_read_before_word_boxes_were_kept(app: TestClient) -> None:
    state = state_of(app)
    cache = page_cache(state.store)
    for kept in cache.root.glob("*/*/*"):
        kept.unlink()
    login(app, "auditor")
    assert "/versi/1/potongan?kolom=tanggal_pembuatan" in app.get("/dokumen/1").text
    crop = app.get("/versi/1/potongan", params={"kolom": "nomor"})
    assert crop.status_code == 200, crop.text[:500]
    assert _png(crop.content)
    assert list(cache.root.glob(f"*/*/{WORDS}"))  # rebuilt from the text layer, then kept


def test_thumbnails_and_the_page_view(app: TestClient) -> None:
    login(app, "auditor")
    html = app.get("/dokumen/1").text
    assert html.count('loading="lazy" width="110"') == 2
    small = _png(app.get("/versi/1/halaman/2/gambar", params={"kecil": "1"}).content)
    big = _png(app.get("/versi/1/halaman/2/gambar").content)
    assert small[0] <= 150 < big[0] and big[0] > big[1]  # a landscape page
    view = app.get("/versi/1/halaman/2", params={"q": "formulir"}).text
    assert re.search(r"<text [^>]*>Mengisi</text>", view)
    assert view.count('class="kena"') >= 2 and "halaman 1" in view
    assert app.get("/versi/1/halaman/3").status_code == 404
    found = app.get("/cari", params={"q": "formulir peminjaman"}).text
    assert "/versi/1/halaman/2?q=formulir" in found


def test_rows_are_added_and_removed_as_revisions(app: TestClient) -> None:
    csrf = login(app, "arsiparis")
    page = app.get("/dokumen/1").text
    assert "tambah langkah" in page and "hapus baris" in page
    added = app.post("/dokumen/1/baris", data={
        "csrf": csrf, "versi": "1", "aksi": "tambah", "daftar": "steps", "posisi": "3",
        "isi.kegiatan": "Mengembalikan arsip ke tempatnya", "isi.pelaksana": "Petugas Arsip",
        "alasan": "langkah 3 di halaman 2 terlewat"}, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"].endswith("#kolom-steps-2-no")
    no_text = app.post("/dokumen/1/baris", data={
        "csrf": csrf, "versi": "1", "aksi": "tambah", "daftar": "dasar_hukum", "posisi": "1",
        "isi": " ", "alasan": "x"})
    assert no_text.status_code == 400 and "dasar_hukum[0]" in no_text.text
    removed = app.post("/dokumen/1/baris", data={
        "csrf": csrf, "versi": "1", "aksi": "hapus", "baris": "dasar_hukum[1]",
        "alasan": "sambungan butir 1, bukan butir sendiri"}, follow_redirects=False)
    assert removed.status_code == 303
    html = app.get("/dokumen/1").text
    assert "Mengembalikan arsip ke tempatnya" in html and "Langkah 3" in html
    history = html[html.index('class="riwayat"'):]
    assert "baris ditambah" in history and "baris dihapus" in history
    assert "sambungan butir 1" in history
    api = app.get("/dokumen/1").text
    assert api.count("Undang-Undang Nomor 43 Tahun 2009") >= 1
    csrf = login(app, "auditor")
    refused = app.post("/dokumen/1/baris", data={"csrf": csrf, "versi": "1", "aksi": "hapus",
                                                  "baris": "steps[0]", "alasan": "x"})
    assert refused.status_code == 403
    assert "/baris" not in app.get("/dokumen/1").text
    assert csrf_of(app.get("/profil").text)
