"""The audit trail's hash chain: `arsip audit verify` catches a row edited, deleted or inserted
with raw SQL, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from api.cli import cli
from api.settings import Settings
from api.wiring import open_archive
from archive import accounts
from archive.audit import Actor, verify
from archive.db import scratch_database

ACTOR = Actor("uji", "127.0.0.1")


def _fill(settings: Settings) -> None:
    """Six rows through the library, as the app writes them."""
    sessions = open_archive(settings)
    with sessions.begin() as session:
        user = accounts.add_user(session, ACTOR, "arsip1", "arsiparis", "sandi-yang-panjang")
        accounts.set_role(session, ACTOR, user, "staf")
    with sessions.begin() as session:
        user = accounts.get_user(session, "arsip1")
        accounts.set_profile(session, ACTOR, user, nama="Siti", jabatan="Kabag", nip="198204252009022002")
        accounts.new_token(session, ACTOR, user)
        accounts.set_disabled(session, ACTOR, user, True)
        accounts.set_disabled(session, ACTOR, user, False)
    sessions.kw["bind"].dispose()


def _run(settings: Settings, sql: str | None = None) -> tuple[int, str]:
    """Apply `sql` to the database, then `arsip audit verify`; (exit code, output)."""
    if sql:
        sessions = open_archive(settings)
        with sessions.begin() as session:
            session.execute(text(sql))
        sessions.kw["bind"].dispose()
    env = {"ARSIP_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env["ARSIP_DATABASE_URL"] = settings.database_url
    r = CliRunner().invoke(cli, ["audit", "verify"], env=env)
    return r.exit_code, r.output


@contextmanager
def _archives(tmp_path: Path, server: str | None) -> Iterator[Settings]:
    if server is None:
        yield Settings(data_dir=tmp_path / "data")
        return
    with scratch_database(server, "arsip_audit") as url:
        yield Settings(data_dir=tmp_path / "data", database_url=url)


def _engines() -> list[object]:
    return ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


TAMPERING = {
    "edited": ("UPDATE audit_log SET after = '{\"role\":\"admin\"}' WHERE id = 2", 2),
    "deleted": ("DELETE FROM audit_log WHERE id = 3", 4),
    "inserted": ("INSERT INTO audit_log (id, at, actor, address, action, target, before, after, "
                 "prev_hash, hash) SELECT 7, '2026-01-01T00:00:00+00:00', 'penyusup', 'x', "
                 "'user.role', 'user:arsip1', NULL, '{\"role\":\"admin\"}', hash, "
                 "'" + "ab" * 32 + "' FROM audit_log WHERE id = 6", 7),
}


@pytest.mark.parametrize("engine", _engines())
@pytest.mark.parametrize("tampering", sorted(TAMPERING))
def test_verify_names_the_first_bad_row(tmp_path: Path, engine: str, tampering: str) -> None:
    server = None
    if engine == "postgres":
        server = os.environ.get("ARSIP_TEST_POSTGRES_URL")
        if not server:
            pytest.skip("ARSIP_TEST_POSTGRES_URL not set (scripts/test.sh starts a server)")
    with _archives(tmp_path, server) as settings:
        _fill(settings)
        code, out = _run(settings)
        assert code == 0 and "jejak audit utuh: 6 baris" in out, out
        sql, bad = TAMPERING[tampering]
        code, out = _run(settings, sql)
        assert code != 0, out
        assert f"baris {bad}" in out and "galat (audit_broken)" in out, out


def test_rows_chain_and_list(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    _fill(settings)
    with open_archive(settings)() as session:
        check = verify(session)
    assert check.ok and check.rows == 6
    env = {"ARSIP_DATA_DIR": str(settings.data_dir)}
    r = CliRunner().invoke(cli, ["audit", "list", "--user", "uji"], env=env)
    lines = r.output.splitlines()
    assert r.exit_code == 0 and len(lines) == 6 and "user.add" in lines[0] and "127.0.0.1" in lines[0]
    r = CliRunner().invoke(cli, ["audit", "list", "--since", "2999-01-01"], env=env)
    assert r.exit_code == 0 and r.output == ""
    r = CliRunner().invoke(cli, ["audit", "list", "--user", "orang-lain"], env=env)
    assert r.output == ""


def test_concurrent_writers_keep_one_chain(tmp_path: Path) -> None:
    import threading

    from api.wiring import audit_event

    settings = Settings(data_dir=tmp_path / "data")
    sessions = open_archive(settings)

    def write(n: int) -> None:
        for i in range(5):
            audit_event(sessions, Actor(f"penulis{n}"), "uji.tulis", f"baris:{n}:{i}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with sessions() as session:
        check = verify(session)
    assert check.ok and check.rows == 40, check
