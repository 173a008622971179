"""Versions on the web: numbered by date with the upload order shown, standings that agree with
"berlaku hari ini", the diff of any two, move / split / revoke with a reason (arsiparis only,
audited, the index updated), and the command line numbering the same way."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.cli import cli
from api.settings import Settings
from api.web import create_app
from archive.documents import add_version
from archive.models_accounts import AuditRow
from archive.store import StoredFile
from tests.api.webutil import login_as, make_user, state_of

pytestmark = pytest.mark.archive_db

OFFICE = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Pontianak"
STEPS = [{"no": 1, "kegiatan": "Menginstruksikan penyusunan"},
         {"no": 2, "kegiatan": "Menyiapkan draft perjanjian kinerja"}]


def _sop(efektif: str | None, nomor: str = "800.1.11/148/973.05/2021",
         steps: list[dict[str, Any]] | None = None, **kw: Any) -> dict[str, Any]:
    return {"doc_type": "sop", "instansi": OFFICE, "nomor": nomor,
            "title": "Penyusunan Perjanjian Kinerja", "tanggal_efektif": efektif,
            "steps": STEPS if steps is None else steps, **kw}


def _add(client: TestClient, extraction: dict[str, Any], tag: str) -> tuple[int, int]:
    state = state_of(client)
    sha = hashlib.sha256(tag.encode()).hexdigest()
    with state.sessions.begin() as session:
        placed = add_version(session, extraction, StoredFile(sha, 1, f"{sha[:2]}/{sha}", True),
                             source_filename=f"{tag}.pdf")
    state.index_document(placed.document_id)
    return placed.document_id, placed.version_id


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    data = tmp_path / "data"
    monkeypatch.setenv("ARSIP_DATA_DIR", str(data))
    with TestClient(create_app(Settings(data_dir=data, search_engine="whoosh"))) as c:
        for role in ("arsiparis", "auditor"):
            make_user(c, role, role)
        yield c


def _version_rows(html: str) -> list[str]:
    body = html.split('<table class="versi">')[1].split("</table>")[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r'<tr id="versi-\d+".*?</tr>', body, re.S)]


def test_versions_are_numbered_by_date_and_the_cli_agrees(app: TestClient) -> None:
    changed = [STEPS[0], {"no": 2, "kegiatan": "Menyusun draft berdasarkan Renstra"}]
    doc, v2024 = _add(app, _sop("2024-01-15", steps=changed), "sop-2024")  # uploaded first
    _, v2021 = _add(app, _sop("2021-04-25"), "sop-2021")
    login_as(app, "auditor")
    html = app.get(f"/dokumen/{doc}").text
    rows = _version_rows(html)
    assert rows[0].startswith("versi 1 digantikan digantikan oleh versi 2 sejak 15 Januari 2024")
    assert "unggahan ke-2" in rows[0] and "sop-2021.pdf" in rows[0]
    assert rows[1].startswith("versi 2 berlaku berlaku sejak 15 Januari 2024")
    assert "unggahan ke-1" in rows[1]
    assert "versi 2 (berlaku sejak 15 Januari 2024)" in html  # "berlaku hari ini"
    assert "/versi/" not in html  # an auditor has no move / split / revoke forms
    # the command line numbers them the same way
    shown = CliRunner().invoke(cli, ["versions", str(doc), "--json"])
    assert shown.exit_code == 0, shown.output
    assert [(v["id"], v["version_no"], v["upload_no"], v["standing"])
            for v in json.loads(shown.stdout)] == [(v2021, 1, 2, "digantikan"),
                                                   (v2024, 2, 1, "berlaku")]
    # and so does the JSON API
    from archive import accounts
    from archive.audit import Actor

    with state_of(app).sessions.begin() as session:
        token = accounts.new_token(session, Actor("uji"), accounts.get_user(session, "auditor"))
    api = app.get(f"/api/v1/dokumen/{doc}", headers={"authorization": f"Bearer {token.secret}"})
    assert [(v["id"], v["version_no"], v["upload_no"]) for v in api.json()["versions"]] == [
        (v2021, 1, 2), (v2024, 2, 1)]
    cli_diff = CliRunner().invoke(cli, ["versions", str(doc), "--diff", "1", "2"]).stdout
    assert 'tanggal_efektif: "2021-04-25" -> "2024-01-15"' in cli_diff
    # the diff of any two on the web, from the same code
    diff = app.get(f"/dokumen/{doc}/beda", params={"a": 1, "b": 2})
    assert diff.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", diff.text))
    assert "tanggal_efektif berubah 2021-04-25 2024-01-15" in text
    assert ("langkah 2 · kegiatan berubah Menyiapkan draft perjanjian kinerja "
            "Menyusun draft berdasarkan Renstra") in text
    assert app.get(f"/dokumen/{doc}/beda", params={"a": 1, "b": 3}).status_code == 404


def test_an_undated_version_never_shows_berlaku(app: TestClient) -> None:
    doc, _ = _add(app, _sop(None, nomor="800/9/2020"), "undated")
    login_as(app, "auditor")
    html = app.get(f"/dokumen/{doc}").text
    [row] = _version_rows(html)
    assert row.startswith("versi 1 terbaru, tanpa tanggal")
    assert "status berlaku" not in html.split('<table class="versi">')[1].split("</table>")[0]
    assert "tidak dapat ditentukan" in html


def test_move_split_and_revoke_with_a_reason(app: TestClient) -> None:
    doc, v2021 = _add(app, _sop("2021-04-25"), "a-2021")
    _, v2022 = _add(app, _sop("2022-08-18"), "a-2022")
    other, _ = _add(app, _sop("2023-01-02", nomor="800/77/2023"), "b-2023")
    csrf = login_as(app, "auditor")
    refused = app.post(f"/versi/{v2021}/cabut", data={"csrf": csrf, "tanggal": "2024-01-01",
                                                       "alasan": "uji"})
    assert refused.status_code == 403
    csrf = login_as(app, "arsiparis")
    assert f'action="/versi/{v2022}/pindah"' in app.get(f"/dokumen/{doc}").text
    # a reason is required
    r = app.post(f"/versi/{v2022}/cabut", data={"csrf": csrf, "tanggal": "2024-01-01",
                                                 "alasan": " "})
    assert r.status_code == 400 and "alasan" in r.text.lower()
    # revoke: the version before it is in force again
    r = app.post(f"/versi/{v2022}/cabut", data={"csrf": csrf, "tanggal": "2024-01-01",
                                                 "alasan": "diganti SOP gabungan"},
                 follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/dokumen/{doc}?versi=2#riwayat-versi"
    rows = _version_rows(app.get(f"/dokumen/{doc}").text)
    assert rows[0].startswith("versi 1 berlaku") and rows[1].startswith("versi 2 dicabut")
    assert "diganti SOP gabungan" in app.get(f"/dokumen/{doc}").text
    # move the 2021 version into the other document: it takes its place there by date
    r = app.post(f"/versi/{v2021}/pindah", data={"csrf": csrf, "dokumen": str(other),
                                                  "alasan": "salah dikelompokkan"},
                 follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/dokumen/{other}?versi=1")
    rows = _version_rows(app.get(f"/dokumen/{other}").text)
    # uploaded before the other document's version, so first in upload order there too
    assert rows[0].startswith("versi 1 digantikan") and "unggahan ke-1" in rows[0]
    assert rows[1].startswith("versi 2 berlaku") and "unggahan ke-2" in rows[1]
    # split it off again into a document of its own
    r = app.post(f"/versi/{v2021}/pisah", data={"csrf": csrf, "alasan": "dokumen tersendiri"},
                 follow_redirects=False)
    assert r.status_code == 303
    new_doc = int(r.headers["location"].split("/dokumen/")[1].split("?")[0])
    assert new_doc not in (doc, other)
    with state_of(app).sessions() as session:
        actions = [(a.action, a.actor) for a in session.scalars(
            select(AuditRow).where(AuditRow.action.like("version.%")).order_by(AuditRow.id))]
    assert actions == [("version.revoke", "arsiparis"), ("version.move", "arsiparis"),
                       ("version.split", "arsiparis")]
    # the index follows at once: searching the moved version finds it in its new document
    found = app.get("/cari", params={"q": "Penyusunan", "riwayat": "1"}).text
    assert f"/dokumen/{new_doc}" in found


def test_a_corrected_date_moves_the_version_to_its_place(app: TestClient) -> None:
    doc, v2021 = _add(app, _sop("2021-04-25"), "c-2021")
    _, v2024 = _add(app, _sop("2024-01-15"), "c-2024")
    csrf = login_as(app, "arsiparis")
    r = app.post(f"/dokumen/{doc}/koreksi", data={
        "csrf": csrf, "versi": "2", "kolom": "tanggal_efektif", "nilai": "2020-01-02",
        "alasan": "tercetak 2020, terbaca 2024"}, follow_redirects=False)
    # the corrected version is now the older one: versi 1, and the page follows it there
    assert r.status_code == 303 and "?versi=1#" in r.headers["location"]
    rows = _version_rows(app.get(f"/dokumen/{doc}").text)
    assert rows[0].startswith("versi 1 digantikan") and "c-2024.pdf" in rows[0]
    assert rows[1].startswith("versi 2 berlaku") and "c-2021.pdf" in rows[1]
