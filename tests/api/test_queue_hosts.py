"""Separate "hosts": PostgreSQL and two workers each in a network namespace of its own.

The database host reaches each worker host over a veth pair (10.203.1.0/30 and 10.203.2.0/30,
addresses that exist only inside these namespaces); PostgreSQL listens on its two veth
addresses and the workers connect over TCP; the data dir (store and uploads) is a folder both
mount, as a province's NFS share would be.  One worker is SIGKILLed in mid-job; every file still
ends archived exactly once.  Needs root, `ip` and PostgreSQL's binaries; skips cleanly without.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from archive.db import make_engine
from tests.api.queue_flow import (
    all_done,
    arsip,
    assert_archived_once,
    env,
    file_states,
    kill_in_mid_job,
    make_pdfs,
    start,
    stop,
    wait_until,
)

pytestmark = pytest.mark.slow
COUNT = 20


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


@dataclass
class Hosts:
    db: str
    workers: list[str]
    urls: list[str]  # the database as each worker host reaches it (TCP)
    local_url: str  # the same database through its Unix socket (the test's own checks)


@pytest.fixture
def hosts() -> Iterator[Hosts]:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("network namespaces need root and `ip` (iproute2)")
    pg = _pg_bin()
    if pg is None:
        pytest.skip("PostgreSQL is not installed (scripts/install.sh --dev)")
    tag = secrets.token_hex(3)
    db, workers = f"arsip-db-{tag}", [f"arsip-w{n}-{tag}" for n in (1, 2)]
    made: list[str] = []
    pgdir = Path(tempfile.mkdtemp(prefix="arsip-netns-pg."))
    try:
        try:
            _run("ip", "netns", "add", db)
        except subprocess.CalledProcessError as e:
            pytest.skip(f"cannot make a network namespace here: {e.stderr.decode().strip()}")
        made.append(db)
        urls = []
        for n, ns in enumerate(workers, 1):
            _run("ip", "netns", "add", ns)
            made.append(ns)
            near, far = f"vd{n}-{tag}", f"vw{n}-{tag}"
            _run("ip", "link", "add", near, "type", "veth", "peer", "name", far)
            _run("ip", "link", "set", near, "netns", db)
            _run("ip", "link", "set", far, "netns", ns)
            _run("ip", "-n", db, "addr", "add", f"10.203.{n}.1/30", "dev", near)
            _run("ip", "-n", ns, "addr", "add", f"10.203.{n}.2/30", "dev", far)
            _run("ip", "-n", db, "link", "set", near, "up")
            _run("ip", "-n", ns, "link", "set", far, "up")
            _run("ip", "-n", ns, "link", "set", "lo", "up")
            urls.append(f"postgresql+psycopg://arsip@10.203.{n}.1:5432/postgres")
        _run("ip", "-n", db, "link", "set", "lo", "up")
        subprocess.run(["id", "postgres"], capture_output=True).returncode == 0 or _run(
            "useradd", "-r", "postgres")
        shutil.chown(pgdir, "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
        _run(*as_pg, str(pg / "initdb"), "-D", str(pgdir / "data"), "-U", "arsip", "-A", "trust")
        with (pgdir / "data" / "pg_hba.conf").open("a") as hba:
            hba.write("host all all 10.203.0.0/16 trust\n")
        _run("ip", "netns", "exec", db, *as_pg, str(pg / "pg_ctl"), "-D", str(pgdir / "data"),
             "-l", str(pgdir / "log"), "-w", "-o",
             f"-k {pgdir} -c listen_addresses='10.203.1.1,10.203.2.1' -c fsync=off", "start")
        yield Hosts(db, workers, urls, f"postgresql+psycopg://arsip@/postgres?host={pgdir}")
    finally:
        if (pgdir / "data" / "postmaster.pid").exists():
            subprocess.run(["runuser", "-u", "postgres", "--", str(pg / "pg_ctl"), "-D",
                            str(pgdir / "data"), "-m", "immediate", "stop"], capture_output=True)
        for ns in made:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(pgdir, ignore_errors=True)


def test_workers_on_two_hosts_reach_postgresql_over_tcp(tmp_path: Path, hosts: Hosts) -> None:
    pdfs = make_pdfs(tmp_path / "masuk", COUNT, long_every=6)
    data = tmp_path / "data"  # the shared folder both hosts mount
    uploads = data / "uploads"
    on = [["ip", "netns", "exec", ns] for ns in hosts.workers]
    e1, e2 = (env(data, url) for url in hosts.urls)
    arsip(["ingest", "--queue", str(tmp_path / "masuk")], e1, prefix=on[0])
    w1 = start(["worker"], e1, tmp_path / "w1.log", prefix=on[0])
    w2 = start(["worker"], e2, tmp_path / "w2.log", prefix=on[1])
    try:
        killed = kill_in_mid_job(w1, uploads, w1.pid)
        wait_until(lambda: all_done(uploads, COUNT), 150, "every file read")
        engine = make_engine(hosts.local_url)
        with engine.connect() as c:
            clients = {str(r[0]) for r in c.execute(text(
                "SELECT DISTINCT client_addr FROM pg_stat_activity WHERE client_addr IS NOT NULL"))}
        engine.dispose()
        assert "10.203.2.2" in clients, clients  # the live worker, over its veth
    finally:
        stop(w1)
        stop(w2)
    final = next(s for s in file_states(uploads)
                 if s["batch"] == killed["batch"] and s["file"] == killed["file"])
    assert final["state"] == "selesai" and int(final["attempt"]) >= 2
    assert str(final["worker"]).endswith(f":{w2.pid}")
    assert_archived_once(hosts.local_url, pdfs, uploads)
    assert "semua cocok" in arsip(["check"], e2, prefix=on[1]).stdout
