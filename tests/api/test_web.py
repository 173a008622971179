"""The web app in-process (`TestClient(create_app(settings))`, the data dir under tmp_path)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import threading
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.queue.engine import JobQueue, Reader, Worker, WorkerOptions
from api.queue.uploads import UploadFolder
from api.settings import Settings
from api.web import create_app
from api.web.jobs import DONE, STATUS_FILE, WORKING, UploadQueue
from api.web.state import WebState
from api.wiring import FileOutcome
from archive import numbering
from archive.db import scratch_database
from archive.store import sha256_file
from archive.verify import code_in_file
from search.errors import BadQueryError
from search.export import COLUMNS
from search.query import parse
from tests import backend
from tests.api.webutil import NIP, login, make_user
from tests.conftest import REPO

pytestmark = pytest.mark.archive_db  # runs again on PostgreSQL (tests/backend.py)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=None, search_engine="whoosh",
                    certifier_jabatan="Sekretaris Daerah", certifier_nama="Budi Santoso, S.H.",
                    certifier_nip=NIP, verify_base_url="http://arsip.test")


def _logged_in(settings: Settings, role: str = "admin") -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        make_user(c, "petugas", role, official=True)
        c.headers["x-csrf-token"] = login(c, "petugas")
        yield c


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """Logged in as an admin whose profile is an official (certifies copies)."""
    yield from _logged_in(settings)


def _state(client: TestClient) -> WebState:
    state: WebState = client.app.state.arsip  # type: ignore[attr-defined]
    return state


def _upload(client: TestClient, *files: tuple[str, bytes]) -> str:
    """Upload files, wait until the background worker is done; the status page's address."""
    parts = [("berkas", (name, data, "application/pdf")) for name, data in files]
    r = client.post("/unggah", files=parts, follow_redirects=False)
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    _state(client).uploads.wait()
    return location


def _truth(corpus_dir: Path, name: str) -> dict[str, Any]:
    truth: dict[str, Any] = json.loads((corpus_dir / f"{name}.json").read_text(encoding="utf-8"))
    return truth


def _text(html: str) -> str:
    """The page's text without tags, whitespace collapsed (for phrases split by markup)."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_data_dir_is_created_and_pages_answer(settings: Settings, client: TestClient) -> None:
    assert (settings.data_dir / "arsip.db").is_file() or backend.on_postgres()
    assert (settings.data_dir / "secret.key").stat().st_mode & 0o077 == 0
    for url, words in {"/": "Arsip masih kosong", "/cari": "Cari dokumen",
                       "/indikator": "Indikator kinerja", "/unggah": "Unggah PDF",
                       "/surat": "Belum ada kantor", "/verifikasi": "Kode verifikasi"}.items():
        r = client.get(url)
        assert r.status_code == 200 and words in r.text, url
        assert '<html lang="id">' in r.text
    assert client.get("/statis/arsip.css").status_code == 200


def test_upload_document_search_download_copy_verify(
    client: TestClient, corpus_dir: Path
) -> None:
    pdf = corpus_dir / "sop-bkpsdm-01.pdf"
    truth = _truth(corpus_dir, "sop-bkpsdm-01")
    status = client.get(_upload(client, (pdf.name, pdf.read_bytes())))
    assert status.status_code == 200 and 'http-equiv="refresh"' not in status.text
    doc_link = re.search(r'href="/dokumen/(\d+)">dokumen baru #\1<', status.text)
    assert doc_link, status.text
    doc_url = f"/dokumen/{doc_link.group(1)}"

    page = client.get(doc_url)
    assert page.status_code == 200
    assert truth["nomor"] in page.text and truth["title"] in page.text
    assert "Berlaku hari ini" in page.text and "oleh petugas" in page.text
    assert "versi 1 (berlaku sejak" in page.text  # its standing, as the versions table says
    for step in truth["steps"]:  # each step's time with its unit ("15" under "Waktu (menit)" -> "15 menit")
        w = step["waktu"]
        if w and w.get("value") and w.get("unit"):
            value = int(w["value"]) if float(w["value"]).is_integer() else w["value"]
            assert f"<td>{value} {w['unit']}</td>" in page.text

    word = truth["title"].split()[0].lower()
    found = client.get("/cari", params={"q": word})
    assert found.status_code == 200
    assert f'href="{doc_url}?versi=1"' in found.text
    assert re.search(r"<mark>[^<]*</mark>", found.text), found.text
    assert re.search(r"hlm \d+", found.text)

    sha = sha256_file(pdf)
    original = client.get(f"/berkas/{sha}")
    assert original.status_code == 200 and original.content == pdf.read_bytes()
    assert pdf.name in original.headers["content-disposition"]
    assert f"/berkas/{sha}" in page.text

    copy = client.post(f"{doc_url}/salinan", data={"versi": "1", "untuk": "Inspektorat"})
    assert copy.status_code == 200 and copy.headers["content-type"] == "application/pdf"
    assert copy.content.startswith(b"%PDF") and copy.content != pdf.read_bytes()
    code = copy.headers["x-kode-verifikasi"]
    verified = client.get(f"/verifikasi/{code}")
    assert verified.status_code == 200 and "SAH" in verified.text
    assert "Inspektorat" in verified.text and "Budi Santoso" in verified.text
    assert "akun petugas" in verified.text
    from archive import audit

    with _state(client).sessions() as session:
        actions = [(r.actor, r.action) for r in audit.rows(session)]
    assert ("petugas", "upload.new_document") in actions and ("petugas", "copy.issue") in actions
    unknown = client.get("/verifikasi/ZZZZ-ZZZZ-ZZ")
    assert unknown.status_code == 404 and "Kode tidak dikenal" in unknown.text


def test_copy_carries_its_code_and_a_changed_copy_is_rejected(
    client: TestClient, corpus_dir: Path, tmp_path: Path
) -> None:
    pdf = corpus_dir / "sop-bkpsdm-01.pdf"
    _upload(client, (pdf.name, pdf.read_bytes()))
    copy = client.post("/dokumen/1/salinan", data={"versi": "1"})
    saved = tmp_path / "salinan.pdf"
    saved.write_bytes(copy.content)
    assert code_in_file(saved) == copy.headers["x-kode-verifikasi"]
    same = client.post("/verifikasi", files={"berkas": ("salinan.pdf", copy.content)})
    assert same.status_code == 200 and "<h2>SAH</h2>" in same.text
    changed = client.post("/verifikasi", files={"berkas": ("salinan.pdf", copy.content + b"\n%x")})
    assert "<h2>TIDAK SAH</h2>" in changed.text and "diubah setelah diterbitkan" in changed.text


def test_refused_files_show_their_reason(client: TestClient, corpus_dir: Path) -> None:
    bad = corpus_dir / "bad"
    status = client.get(_upload(client, ("kosong.pdf", b""),
                                ("gambar.pdf", (bad / "not-a-pdf.pdf").read_bytes())))
    text = _text(status.text)
    assert "ditolak: kosong.pdf: Berkas kosong (0 bita); unggah ulang berkasnya." in text
    assert re.search(r"ditolak: gambar\.pdf: [^<]*gambar PNG", text), text
    assert client.get("/").text.count("Arsip masih kosong") == 1  # nothing was archived


def test_status_page_refreshes_while_files_wait(client: TestClient, corpus_dir: Path) -> None:
    state = _state(client)
    release = threading.Event()
    real_work = state.ingest

    def slow(path: Path, name: str, uploader: str | None, progress: object = None) -> FileOutcome:
        release.wait(30)
        return real_work(path, name, uploader)

    state.ingest = slow  # type: ignore[method-assign]
    pdf = corpus_dir / "sop-bkpsdm-01.pdf"
    r = client.post("/unggah", files=[("berkas", (pdf.name, pdf.read_bytes(), "application/pdf"))],
                    follow_redirects=False)
    waiting = client.get(r.headers["location"])
    assert 'http-equiv="refresh"' in waiting.text and "masih menunggu atau sedang dibaca" in waiting.text
    release.set()
    state.uploads.wait()
    done = client.get(r.headers["location"])
    assert 'http-equiv="refresh"' not in done.text and "Semua berkas selesai" in done.text


def test_uploads_left_by_a_stop_are_read_at_the_next_start(tmp_path: Path) -> None:
    """Files saved but never queued (a stop in between, or the older in-process reader) are queued at start."""
    settings = Settings(data_dir=tmp_path / "data", database_url=None, worker_heartbeat=0.5)
    root = settings.data_dir / "uploads"
    read: list[str] = []

    def work(path: Path, name: str, uploader: str | None, progress: object) -> FileOutcome:
        assert path.read_bytes() == name.encode()
        read.append(name)
        return FileOutcome("duplicate", f"sudah diarsipkan ({name})")

    stopped = UploadQueue(root, None)  # saved, the server stopped before queueing
    batch = stopped.submit([("a.pdf", io.BytesIO(b"a.pdf")), ("b.pdf", io.BytesIO(b"b.pdf"))], None)
    status = json.loads((root / batch.id / STATUS_FILE).read_text())
    status["files"][0]["state"] = WORKING  # the older reader was reading it when the server stopped
    (root / batch.id / STATUS_FILE).write_text(json.dumps(status))

    queue = JobQueue(settings, UploadFolder(root))
    again = UploadQueue(root, queue)
    assert again.resume() == 2 and again.resume() == 0
    worker = Worker(settings, Reader(settings, again.folder, work, "uji"),
                    WorkerOptions(install_signal_handlers=False))
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        again.wait(60)
    finally:
        worker.stop()
        thread.join(30)
        queue.close()
    assert sorted(read) == ["a.pdf", "b.pdf"]
    files = again.batch(batch.id).files
    assert [f.state for f in files] == [DONE, DONE] and files[1].message == "sudah diarsipkan (b.pdf)"
    assert not any(p.is_dir() for p in (root / batch.id).iterdir())  # read files are removed


def test_bad_query_is_400_with_the_engines_message(client: TestClient) -> None:
    with pytest.raises(BadQueryError) as expected:
        parse('"kinerja')
    r = client.get("/cari", params={"q": '"kinerja'})
    assert r.status_code == 400
    assert expected.value.message in _text(r.text)
    year = client.get("/cari", params={"q": "kinerja", "tahun": "dua ribu"})
    assert year.status_code == 400 and "Tahun 'dua ribu' tidak sah" in _text(year.text)


def test_not_found_and_error_shapes(client: TestClient) -> None:
    r = client.get("/dokumen/999")
    assert r.status_code == 404 and "Dokumen #999 tidak ada" in r.text and "Tidak ditemukan" in r.text
    r = client.get("/dokumen/999", headers={"accept": "application/json"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert client.get("/dokumen/bukan-angka").status_code == 400
    assert client.get("/tidak-ada").status_code == 404
    assert client.get("/berkas/" + "0" * 64).status_code == 404
    assert client.get("/unggah/0123456789abcdef").status_code == 404
    assert client.get("/unggah/../../etc").status_code == 404


def test_copy_without_an_officials_profile_is_400(client: TestClient, corpus_dir: Path) -> None:
    pdf = corpus_dir / "sop-bkpsdm-01.pdf"
    _upload(client, (pdf.name, pdf.read_bytes()))
    r = client.post("/dokumen/1/salinan", data={"versi": "7"})
    assert r.status_code == 404
    make_user(client, "staf1", "staf")  # no profile
    client.headers["x-csrf-token"] = login(client, "staf1")
    page = client.get("/dokumen/1")
    assert "belum dapat mengesahkan salinan" in page.text and 'action="/dokumen/1/salinan"' not in page.text
    r = client.post("/dokumen/1/salinan", data={"versi": "1", "nama": "Pejabat Palsu", "nip": "123"})
    assert r.status_code == 400 and "Profil pejabat akun staf1 belum lengkap" in r.text


def test_indicators_and_their_downloads(client: TestClient, corpus_dir: Path) -> None:
    pdf = corpus_dir / "lkjip-bkpsdm-2024-03.pdf"
    truth = _truth(corpus_dir, "lkjip-bkpsdm-2024-03")
    _upload(client, (pdf.name, pdf.read_bytes()))
    first = truth["indicators"][0]
    params = {"q": first["indikator"], "tahun": str(truth["tahun"])}
    r = client.get("/indikator", params=params)
    assert r.status_code == 200 and first["indikator"] in r.text and first["sasaran"] in r.text
    exported = client.get("/indikator.csv", params=params)
    assert exported.content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert rows and list(rows[0]) == list(COLUMNS)
    assert any(row["Indikator"] == first["indikator"]
               and float(row["Target"].replace(",", ".")) == first["target"] for row in rows)
    assert {row["Tautan dokumen"] for row in rows} == {"http://arsip.test/dokumen/1"}  # the setting over the request
    xlsx = client.get("/indikator.xlsx", params=params)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and [c.value for c in sheet[1]] == list(COLUMNS)
    assert sheet.max_row == len(rows) + 1
    assert sheet.cell(row=2, column=len(COLUMNS)).hyperlink.target == "http://arsip.test/dokumen/1"
    doc = client.get("/dokumen/1")
    assert first["indikator"] in doc.text and "Indikator kinerja (versi 1)" in doc.text


def test_letter_is_numbered_rendered_and_registered(client: TestClient, tmp_path: Path) -> None:
    data = json.loads((REPO / "tests" / "data" / "letter-lkjip.json").read_text(encoding="utf-8"))
    profile = {"kop": data["kop"], "pengirim": data["pengirim"], "tempat": data["tempat"]}
    numbering.set_format(_state(client).engine, data["office"],
                         numbering.NumberFormat(unit="35.73.411", default_kka="000.5.3.1"), profile)
    form = {"office": data["office"], "tanggal": data["tanggal"], "kka": data["kka"],
            "kepada": data["kepada"]["nama"], "di": data["kepada"]["di"], "token": "uji-1",
            "perihal": data["perihal"], "uraian": ["LKjIP Tahun 2025", ""],
            "banyaknya": ["2", "1"], "satuan": ["eksemplar", "berkas"],
            "keterangan": ["Untuk reviu", ""], "versi": ["", ""]}
    r = client.post("/surat", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])  # post/redirect/get: the letter's own page
    number = "000.8.6.3/001/35.73.411/2026"
    assert f"Surat diberi nomor <strong class=\"nomor\">{number}</strong>" in page.text
    pdf_link = re.search(r'href="(/berkas/[0-9a-f]{64})" download>Unduh PDF', page.text)
    assert pdf_link, page.text
    letter = tmp_path / "surat.pdf"
    letter.write_bytes(client.get(pdf_link.group(1)).content)
    with pdfplumber.open(letter) as doc:
        flat = re.sub(r"\s+", " ", doc.pages[0].extract_text())
    assert f"Nomor: {number}" in flat and "2 (dua) eksemplar" in flat
    register = client.get("/surat")
    assert number in register.text and data["kepada"]["nama"] in register.text
    doc_id = re.search(r'href="/dokumen/(\d+)">arsipnya', page.text)
    assert doc_id, page.text
    archived = client.get(f"/dokumen/{doc_id.group(1)}")
    assert archived.status_code == 200 and number in archived.text and "Surat" in archived.text
    assert client.get("/cari", params={"q": number}).text.count("Surat Pengantar") >= 1
    agenda = load_workbook(io.BytesIO(client.get("/surat/agenda.xlsx").content)).active
    assert agenda is not None and agenda.cell(row=3, column=2).value == number
    from archive import audit

    with _state(client).sessions() as session:
        rows = [audit.as_dict(r) for r in audit.rows(session)]
    issued = [r for r in rows if r["action"] == "letter.issue"]
    assert issued and issued[0]["actor"] == "petugas" and issued[0]["target"] == f"letter:{number}"
    form.update(uraian=[" ", ""], token="uji-2")
    empty = client.post("/surat", data=form)
    assert empty.status_code == 400 and "sedikitnya satu butir" in empty.text


def test_letter_needs_an_office(client: TestClient) -> None:
    form = {"office": " ", "kepada": "Inspektur", "di": "Samarinda", "uraian": "LKjIP",
            "token": "t"}
    r = client.post("/surat", data=form)
    assert r.status_code == 400 and "Pilih kantor pengirim" in r.text


def test_serve_is_a_documented_command() -> None:
    from click.testing import CliRunner

    from api.cli import cli

    r = CliRunner().invoke(cli, ["serve", "--help"])
    assert r.exit_code == 0 and "--port" in r.output and "127.0.0.1" in r.output
    r = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert r.exit_code == 2 and "galat (bad_input)" in r.output


@pytest.mark.postgres
def test_on_postgresql_with_its_search_engine(tmp_path: Path, corpus_dir: Path) -> None:
    server = os.environ.get("ARSIP_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("ARSIP_TEST_POSTGRES_URL not set (scripts/test.sh starts a server)")
    with scratch_database(server, "arsip_web") as url:
        settings = Settings(data_dir=tmp_path / "data", database_url=url, search_engine="postgres")
        for client in _logged_in(settings):
            pdf = corpus_dir / "sop-bkpsdm-01.pdf"
            truth = _truth(corpus_dir, "sop-bkpsdm-01")
            status = client.get(_upload(client, (pdf.name, pdf.read_bytes())))
            assert "dokumen baru #1" in status.text
            found = client.get("/cari", params={"q": truth["nomor"]})
            assert found.status_code == 200 and 'href="/dokumen/1?versi=1"' in found.text
            assert client.get("/dokumen/1").status_code == 200
            assert client.get("/cari", params={"q": '"'}).status_code == 400


def test_uploads_over_the_limits_are_refused(tmp_path: Path, corpus_dir: Path) -> None:
    """A file over ARSIP_MAX_FILE_MB is refused as it is saved; a request over ARSIP_MAX_UPLOAD_MB before it is read."""
    pdf = corpus_dir / "sop-bkpsdm-01.pdf"  # 47 kB
    small = pdf.read_bytes()[:5000] + b"\n%%EOF\n"  # under the file limit: saved and read (refused as damaged)
    settings = Settings(data_dir=tmp_path / "data", database_url=None, search_engine="whoosh",
                        max_file_mb=0.02, max_upload_mb=0.1)
    for client in _logged_in(settings):
        status = client.get(_upload(client, (pdf.name, pdf.read_bytes()), ("kecil.pdf", small)))
        text = _text(status.text)
        assert f"ditolak: {pdf.name}: melebihi batas 0,02 MB per berkas" in text
        assert "pisahkan berkas" in text and "ARSIP_" not in text  # what to do, not a setting
        assert "kecil.pdf" in text and "melebihi batas" not in text.split("kecil.pdf", 1)[1]
        assert not any((tmp_path / "data" / "uploads").glob("*/*/*.pdf"))  # nothing left waiting
        big = [("berkas", (f"{i}.pdf", pdf.read_bytes(), "application/pdf")) for i in range(3)]
        r = client.post("/unggah", files=big, follow_redirects=False)
        assert r.status_code == 413 and "untuk sekali unggah" in r.text and "ARSIP_" not in r.text
