"""Headers, ids out of range, body limits, exports without formulas, logins (limits, disabled
accounts, the one-time set-up page), `arsip user ...` and NIP checks."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.cli import cli
from api.settings import Settings
from api.web import create_app
from api.web.auth import LoginLimiter
from archive import accounts
from archive.audit import Actor
from archive.errors import BadInputError, TooManyAttemptsError
from archive.letters import RegisterRow, export_xlsx
from archive.officials import check_nip
from search.export import write_csv, write_xlsx
from search.records import IndicatorHit, IndicatorRecord
from tests.api.webutil import PASSWORD, csrf_of, login, make_user, state_of

FORMULAS = ["=HYPERLINK(\"http://x.example\",\"klik\")", "+1+1", "-2+3", "@SUM(A1)",
            "\tTAB", "\rCR"]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", max_file_mb=0.05)
    with TestClient(create_app(settings)) as c:
        make_user(c, "arsip1", "arsiparis")
        c.headers["x-csrf-token"] = login(c, "arsip1")
        yield c


def test_security_headers_on_pages_and_api(client: TestClient) -> None:
    for url in ("/", "/masuk", "/api/v1/dokumen", "/tidak-ada"):
        r = client.get(url)
        assert r.headers["x-frame-options"] == "DENY", url
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp


def test_no_inline_script_or_style_in_templates() -> None:
    from api.web.render import TEMPLATES_DIR

    external = re.compile(r'<script src="/statis/[a-z]+\.js" defer></script>')
    for template in TEMPLATES_DIR.glob("*.html"):
        # a script file of our own (CSP: 'self') is allowed; nothing inline
        text = external.sub("", template.read_text(encoding="utf-8").lower())
        for bad in ("<script", "<style", " style=", " onclick=", " onload=", " onsubmit=",
                    "javascript:"):
            assert bad not in text, f"{template.name}: {bad}"


@pytest.mark.parametrize("url", ["/dokumen/99999999999999999999999", "/versi/99999999999999/asli",
                                 "/api/v1/dokumen/99999999999999999999", "/api/v1/versi/2147483648",
                                 "/dokumen/0"])
def test_ids_out_of_range_are_404(client: TestClient, url: str) -> None:
    with state_of(client).sessions.begin() as session:
        token = accounts.new_token(session, Actor("uji"), accounts.get_user(session, "arsip1")).secret
    r = client.get(url, headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 404 and "Tidak ditemukan" in r.text or r.json()["error"]["code"] == "not_found"


def test_years_out_of_range_are_400_not_500(client: TestClient) -> None:
    assert client.get("/surat", params={"tahun": "9" * 25}).status_code == 400
    assert client.get("/surat/agenda.xlsx", params={"tahun": "-5"}).status_code == 400
    assert client.get("/dokumen/1", params={"versi": "9" * 25}).status_code in (400, 404)


def test_verification_upload_is_limited_even_without_a_length(client: TestClient) -> None:
    big = b"%PDF-1.4\n" + b"0" * (80 * 1024)  # over the 0.05 MB of ARSIP_MAX_FILE_MB
    token = client.headers["x-csrf-token"]
    r = client.post("/verifikasi", files={"berkas": ("besar.pdf", big)}, data={"csrf": token})
    assert r.status_code == 413 and "berkas yang diperiksa" in r.text and "ARSIP_" not in r.text

    def chunks() -> Iterator[bytes]:  # chunked transfer: no Content-Length to look at
        boundary = b"--batas\r\n"
        yield boundary + b'Content-Disposition: form-data; name="berkas"; filename="b.pdf"\r\n\r\n'
        for _ in range(20):
            yield b"0" * 8192
        yield b"\r\n--batas--\r\n"

    r = client.post("/verifikasi", content=chunks(),
                    headers={"content-type": "multipart/form-data; boundary=batas"})
    assert r.status_code == 413
    small = client.post("/verifikasi", files={"berkas": ("kecil.pdf", b"%PDF-1.4\n%%EOF")},
                        data={"csrf": token})
    assert small.status_code == 200 and "bukan berkas arsip ini" in small.text
    assert client.post("/api/v1/verifikasi", files={"berkas": ("besar.pdf", big)}).status_code == 413
    client.cookies.clear()  # anyone may verify through the API: no login, no CSRF token
    del client.headers["x-csrf-token"]
    r = client.post("/api/v1/verifikasi", files={"berkas": ("kecil.pdf", b"%PDF-1.4\n%%EOF")})
    assert r.status_code == 200 and r.json()["kind"] == "unknown"


def test_forms_have_a_body_limit(client: TestClient) -> None:
    r = client.post("/profil/sandi", data={"lama": "x" * (3 * 1024 * 1024), "baru": "y", "baru2": "y"})
    assert r.status_code == 413


def test_exports_never_write_a_formula(tmp_path: Path) -> None:
    hits = [IndicatorHit(1, 1, "lkjip", text, "Dinas", 2025, True,
                         IndicatorRecord(indikator=text, sasaran=text, target=-5.0))
            for text in FORMULAS]
    out = io.StringIO()
    write_csv(hits, out, bom=False)
    rows = list(csv.DictReader(io.StringIO(out.getvalue()), delimiter=";"))
    assert [r["Indikator"] for r in rows] == [f"'{t}" for t in FORMULAS]
    assert rows[0]["Target"] == "-5"  # numbers stay numbers
    write_xlsx(hits, tmp_path / "i.xlsx")
    sheet = load_workbook(tmp_path / "i.xlsx").active
    assert sheet is not None
    cells = [sheet.cell(row=i + 2, column=4) for i in range(len(FORMULAS))]
    assert [c.value for c in cells] == FORMULAS and {c.data_type for c in cells} == {"s"}
    assert sheet.cell(row=2, column=6).value == -5.0
    letters = [RegisterRow(f"000/{i}/2026", date(2026, 1, 2), text, text, "confirmed", "K", 2026)
               for i, text in enumerate(FORMULAS)]
    export_xlsx(letters, tmp_path / "a.xlsx")
    agenda = load_workbook(tmp_path / "a.xlsx").active
    assert agenda is not None
    subjects = [agenda.cell(row=i + 3, column=5) for i in range(len(FORMULAS))]
    assert [c.value for c in subjects] == FORMULAS and {c.data_type for c in subjects} == {"s"}


def test_login_is_rate_limited_per_account_and_address(tmp_path: Path) -> None:
    limiter = LoginLimiter(attempts=3)
    for _ in range(3):
        limiter.failed("siti", "10.0.0.1")
    with pytest.raises(TooManyAttemptsError):
        limiter.check("siti", "10.0.0.9")  # the account, from anywhere
    limiter.check("budi", "10.0.0.9")
    for n in range(12):
        limiter.failed(f"orang{n}", "10.0.0.2")
    with pytest.raises(TooManyAttemptsError):
        limiter.check("budi", "10.0.0.2")  # the address, for any account
    with TestClient(create_app(Settings(data_dir=tmp_path / "data", login_attempts=2))) as c:
        make_user(c, "siti1", "staf")
        for _ in range(2):
            r = c.post("/masuk", data={"nama": "siti1", "sandi": "salah-salah-salah",
                                       "csrf": csrf_of(c.get("/masuk").text)})
            assert r.status_code == 401 and "salah" in r.text
        r = c.post("/masuk", data={"nama": "siti1", "sandi": PASSWORD,
                                   "csrf": csrf_of(c.get("/masuk").text)})
        assert r.status_code == 429 and "Terlalu banyak percobaan" in r.text


def test_disabled_accounts_lose_their_sessions_and_tokens(client: TestClient) -> None:
    with state_of(client).sessions.begin() as session:
        token = accounts.new_token(session, Actor("uji"), accounts.get_user(session, "arsip1")).secret
    assert client.get("/api/v1/saya", headers={"authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/unggah").status_code == 200
    with state_of(client).sessions.begin() as session:
        accounts.set_disabled(session, Actor("uji"), accounts.get_user(session, "arsip1"))
    assert client.get("/unggah", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/saya", headers={"authorization": f"Bearer {token}"}).status_code == 401
    r = client.post("/masuk", data={"nama": "arsip1", "sandi": PASSWORD,
                                    "csrf": csrf_of(client.get("/masuk").text)})
    assert r.status_code == 401 and "dinonaktifkan" in r.text


def test_revoked_tokens_stop_working(client: TestClient) -> None:
    env = {"ARSIP_DATA_DIR": str(state_of(client).settings.data_dir)}
    made = CliRunner().invoke(cli, ["user", "token", "arsip1"], env=env)
    secret = made.output.splitlines()[0]
    assert secret.startswith("arsip_")
    auth = {"authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/saya", headers=auth).json()["name"] == "arsip1"
    r = CliRunner().invoke(cli, ["user", "token", "arsip1", "--revoke", "semua"], env=env)
    assert r.exit_code == 0 and "1 token" in r.output
    assert client.get("/api/v1/saya", headers=auth).status_code == 401


def test_first_admin_by_the_set_up_page_from_this_machine_only(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data"))
    with TestClient(app, client=("192.168.1.5", 5000)) as remote:
        assert remote.get("/", follow_redirects=False).headers["location"] == "/siapkan"
        page = remote.get("/siapkan")
        assert page.status_code == 403 and "arsip user add" in page.text
        r = remote.post("/siapkan", data={"nama": "admin", "sandi": "a" * 12, "sandi2": "a" * 12,
                                          "csrf": csrf_of(remote.get("/masuk").text)})
        assert r.status_code == 403
    with TestClient(app, client=("127.0.0.1", 5000)) as local:
        token = csrf_of(local.get("/siapkan").text)
        r = local.post("/siapkan", data={"nama": "kepala", "sandi": "rahasia-kantor",
                                         "sandi2": "rahasia-kantor", "csrf": token},
                       follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/admin"
        assert "kepala" in local.get("/admin").text
        assert local.get("/siapkan").status_code == 404  # closed for good
        local.cookies.clear()
        assert local.get("/", follow_redirects=False).headers["location"].startswith("/masuk")


def test_the_command_line_knows_the_roles() -> None:
    from api.cli import users
    from archive.models_accounts import ROLES

    assert users.ROLES == ROLES


def test_user_commands(tmp_path: Path) -> None:
    env = {"ARSIP_DATA_DIR": str(tmp_path / "data")}
    runner = CliRunner()
    r = runner.invoke(cli, ["user", "add", "Siti", "--role", "auditor"], input="sandi-siti-panjang\n", env=env)
    assert r.exit_code == 0 and "akun siti (auditor) dibuat" in r.output
    r = runner.invoke(cli, ["user", "add", "budi", "--role", "staf"], input="pendek\n", env=env)
    assert r.exit_code == 2 and "terlalu pendek" in r.output
    r = runner.invoke(cli, ["user", "add", "siti", "--role", "staf"], input="sandi-siti-panjang\n", env=env)
    assert r.exit_code == 4 and "sudah ada" in r.output
    r = runner.invoke(cli, ["user", "profile", "siti", "--nip", "19820425 200902 2 002",
                            "--nama", "Siti Aminah", "--jabatan", "Inspektur"], env=env)
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["user", "disable", "siti"], env=env)
    assert r.exit_code == 0
    listed = runner.invoke(cli, ["user", "list"], env=env).output
    assert "siti\tauditor\tnonaktif  Siti Aminah, Inspektur (NIP 198204252009022002)" in listed
    audit = runner.invoke(cli, ["audit", "list"], env=env).output
    assert "user.add" in audit and "user.profile" in audit and "user.disable" in audit


@pytest.mark.parametrize("nip, problem", [
    ("123", "18 angka"), ("19820425200902200", "18 angka"),
    ("198213252009022002", "tanggal lahir"), ("198204252009132002", "bulannya 01-12"),
    ("198204252009023002", "jenis kelamin"), ("198204252009022000", "000"),
    ("198204251990022002", "tidak masuk akal"), ("202504252030022002", "tidak masuk akal"),
])
def test_nip_checks(nip: str, problem: str) -> None:
    with pytest.raises(BadInputError, match=problem):
        check_nip(nip, today=date(2026, 12, 1))


def test_a_good_nip_is_read() -> None:
    read = check_nip("19820425 200902 2 002", today=date(2026, 12, 1))
    assert read.lahir == date(1982, 4, 25) and read.tmt == date(2009, 2, 1)
    assert not read.laki_laki and read.urut == 2


def test_login_goes_back_only_to_this_site(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path / "data"))) as c:
        make_user(c, "staf1", "staf")
        for target, expected in [("//penyerang.example/x", "/"), ("https://penyerang.example", "/"),
                                 ("/\\penyerang.example", "/"), ("/cari?q=sop", "/cari?q=sop")]:
            c.cookies.clear()
            r = c.post("/masuk", data={"nama": "staf1", "sandi": PASSWORD, "lanjut": target,
                                       "csrf": csrf_of(c.get("/masuk").text)},
                       follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == expected, target


def test_every_api_operation_is_described_in_indonesian(client: TestClient) -> None:
    from api.web.rest import DESCRIPTIONS, openapi_schema

    schema = openapi_schema(client.app)  # type: ignore[arg-type]
    operations = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    assert operations == set(DESCRIPTIONS)
    for ops in schema["paths"].values():
        for op in ops.values():
            assert set(op["responses"]) >= {"400", "401", "403", "404", "413"}
            assert op["responses"]["404"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"}


def test_admin_page_edits_accounts_and_shows_a_token_once(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path / "data"))) as c:
        make_user(c, "kepala", "admin")
        make_user(c, "siti1", "staf")
        c.headers["x-csrf-token"] = login(c, "kepala")
        form = {"peran": "staf", "aktif": "1", "jabatan": "Sekretaris", "nama": "Siti",
                "nip": "198204252009022000"}
        r = c.post("/admin/pengguna/siti1", data=form)
        assert r.status_code == 400 and "nomor urut" in r.text
        r = c.post("/admin/pengguna/siti1", data={**form, "nip": "198204252009022002",
                                                   "peran": "arsiparis"}, follow_redirects=False)
        assert r.status_code == 303
        r = c.post("/admin/pengguna/kepala", data={"peran": "staf", "aktif": "1"})
        assert r.status_code == 400 and "akun Anda sendiri" in r.text
        page = c.post("/admin/pengguna/siti1/token", data={})
        secret = re.search(r'<code class="token">(arsip_[^<]+)</code>', page.text)
        assert secret and secret.group(1) not in c.get("/admin").text  # shown once
        me = c.get("/api/v1/saya", headers={"authorization": f"Bearer {secret.group(1)}"}).json()
        assert me["role"] == "arsiparis" and me["can_certify"] and me["profile"]["nama"] == "Siti"
        with state_of(c).sessions() as session:
            from archive import audit

            actions = [(r.actor, r.action, r.target) for r in audit.rows(session)]
        assert ("kepala", "user.role", "user:siti1") in actions
        assert ("kepala", "user.profile", "user:siti1") in actions
        trail = c.get("/admin/audit").text  # the trail names actions in words, the code beside them
        assert "peran diubah" in trail and "token API dibuat" in trail and "<code class=\"kecil\">user.role</code>" in trail
        assert ("kepala", "token.add", "user:siti1") in actions
