"""`arsip backup` / `arsip restore`: the round trip of a populated archive, taken while it is being written.

An archive with a scan, two versions of one document, a correction, letters (sent, reserved, voided), and a stamped
copy is backed up while a thread keeps ingesting; the backup is restored into a fresh data dir (and a
fresh database on PostgreSQL).  Every row the backup holds comes back equal (documents, versions,
files and their hashes, letter numbers, copies, the audit trail and any table added later: the comparison reads
every table there is), rows ingested after the snapshot are absent, and the issued copy still
verifies as valid (SAH).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session

from api.cli import cli
from api.settings import Settings
from archive.db import make_engine, scratch_database
from archive.store import FileStore, sha256_file
from tests.ingest.scan_images import scan_pdf, text_page

pytestmark = pytest.mark.archive_db  # runs again on PostgreSQL (tests/backend.py)

DATA = Path(__file__).resolve().parent.parent / "data"
CONCURRENT = ["lkjip-bkpsdm-2024-03.pdf", "sop-bpkad-03.pdf", "sop-bakesbangpol-02.pdf",
              "sop-dinkes-07-rev1.pdf", "sop-bkpsdm-10.pdf", "sop-bkpsdm-10-rev1.pdf"]
NIP = "198204252009022002"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str | None, str | None]]:
    """(source database URL, restore target URL): None is SQLite in the data dir."""
    if request.param == "sqlite":
        yield None, None
        return
    server = os.environ.get("ARSIP_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("ARSIP_TEST_POSTGRES_URL not set (scripts/test.sh starts a server)")
    with ExitStack() as stack:
        yield (stack.enter_context(scratch_database(server, "arsip_bk")),
               stack.enter_context(scratch_database(server, "arsip_rs")))


class Arsip:
    """The `arsip` command line on one data dir and database."""

    def __init__(self, data: Path, url: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
        self.data, self.url, self.mp = data, url, monkeypatch

    def settings(self) -> Settings:
        return Settings(data_dir=self.data, database_url=self.url, ocr_jobs=1)

    def __call__(self, *args: str, code: int = 0) -> str:
        self.mp.setenv("ARSIP_DATA_DIR", str(self.data))
        self.mp.setenv("ARSIP_OCR_JOBS", "1")
        if self.url:
            self.mp.setenv("ARSIP_DATABASE_URL", self.url)
        else:
            self.mp.delenv("ARSIP_DATABASE_URL", raising=False)
        r = CliRunner().invoke(cli, list(args))
        assert r.exit_code == code, (args, r.output, r.exception)
        return r.stdout


def sop_scan(path: Path) -> Path:
    """A one-page scan (an image, no text layer) of a short SOP-like page."""
    return scan_pdf(path, text_page(["PEMERINTAH KOTA SAMARINDA", "STANDAR OPERASIONAL PROSEDUR",
                                     "Pengarsipan Surat Masuk", "Nomor: 800/112/BKPSDM"]))


def populate(arsip: Arsip, corpus: Path, tmp_path: Path) -> tuple[str, Path]:
    """Scans, versions, a correction, letters in three states, a stamped copy; the copy's code and PDF."""
    out = arsip("ingest", str(corpus / "sop-bkpsdm-01.pdf"), str(corpus / "sop-bkpsdm-01-rev1.pdf"),
                str(sop_scan(tmp_path / "pindaian.pdf")))
    assert "versi baru 2" in out and "dokumen baru #2" in out, out
    arsip("revoke", "2:1", "--on", "2026-01-01", "--reason", "Diganti SOP baru")  # a correction
    arsip("correct", "1:2", "--set", "title=Pengelolaan Arsip Dinamis", "--reason",
          "judul dicocokkan dengan berkas cetak")  # a field corrected by hand
    data = json.loads((DATA / "letter-lkjip.json").read_text(encoding="utf-8"))
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"kop": data["kop"], "pengirim": data["pengirim"],
                                   "tempat": "Samarinda"}), encoding="utf-8")
    arsip("letter", "format", "bappeda-smd", "--unit", "35.73.411", "--kka", "000.5.3.1",
          "--profile", str(profile))
    arsip("letter", "new", "--from", str(DATA / "letter-lkjip.json"))  # sent
    reserve = ["letter", "new", "--office", "bappeda-smd", "--date", "2026-12-01", "--to",
               "Kepala BPKAD", "--di", "Samarinda", "--item", "LKjIP 2025|3|eksemplar|Untuk arsip",
               "--reserve"]
    arsip(*reserve)
    voided = arsip(*reserve).split("\t")[0]
    arsip("letter", "void", voided, "--reason", "Draf batal")
    out = arsip("copy", "1:2", "--for", "Inspektorat", "--jabatan", "Kepala Bagian Umum",
                "--nama", "Dra. Siti Aminah", "--nip", NIP, "--out", str(tmp_path / "salinan.pdf"))
    m = re.search(r"salinan (\S+) ", out)
    assert m, out
    return m.group(1), tmp_path / "salinan.pdf"


def ingest_while(arsip: Arsip, files: list[Path], first: threading.Event, stop: threading.Event,
                 done: list[str]) -> None:
    """Keep ingesting `files` until `stop` is set (the app's worker, in effect); `first` after one."""
    from api.wiring import ingest_one, ingest_options, open_archive

    settings = arsip.settings()
    sessions = open_archive(settings)
    store = FileStore(settings.files_dir)
    options = ingest_options(settings, uploader="pekerja", on_recorded=None)
    for path in files:
        if stop.is_set():
            break
        done.append(ingest_one(path, sessions, store, options).outcome)
        first.set()


def tables(url: str) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    """Every row of every table (search tables aside), keyed by primary key."""
    engine = make_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        out: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
        with Session(engine) as session:
            for table in meta.sorted_tables:
                if table.name.startswith("search_"):
                    continue
                pk = [c.name for c in table.primary_key.columns] or [c.name for c in table.columns]
                rows = session.execute(select(table)).mappings()
                out[table.name] = {tuple(r[c] for c in pk): dict(r) for r in rows}
        return out
    finally:
        engine.dispose()


def test_backup_while_ingesting_and_restore_round_trip(
        urls: tuple[str | None, str | None], corpus_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    source = Arsip(tmp_path / "data", urls[0], monkeypatch)
    code, copy_pdf = populate(source, corpus_dir, tmp_path)
    first, stop, outcomes = threading.Event(), threading.Event(), []
    worker = threading.Thread(target=ingest_while, args=(
        source, [corpus_dir / n for n in CONCURRENT], first, stop, outcomes))
    worker.start()
    try:
        assert first.wait(120) and worker.is_alive()  # the worker is busy with its next file
        out = source("backup", str(tmp_path / "backups"), "--json")
    finally:
        stop.set()
        worker.join()
    made = json.loads(out)
    folder = Path(made["folder"])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == ("postgresql" if urls[0] else "sqlite")
    assert manifest["schema_revision"] and manifest["tool_version"]
    assert not any(folder.rglob("index"))  # the search index is rebuilt, not copied

    target = Arsip(tmp_path / "restored", urls[1], monkeypatch)
    out = target("restore", str(folder), "--json")
    report = json.loads(out)
    assert report["ok"] and report["files"] == len(manifest["files"]), report

    before, after = tables(source.settings().resolved_database_url), \
        tables(target.settings().resolved_database_url)
    assert {t: len(rows) for t, rows in after.items() if t != "alembic_version"} == \
        {t: n for t, n in manifest["counts"].items() if t != "alembic_version"}
    for name, rows in after.items():  # every restored row equals the live one
        for key, row in rows.items():
            assert before[name].get(key) == row, (name, key)
    # rows only the live archive has were written by the worker after the snapshot
    later = {k for k, v in before["versions"].items() if k not in after["versions"]}
    assert all(before["versions"][k]["uploader"] == "pekerja" for k in later)
    assert len(later) < len(outcomes)  # some of the worker's files are in the backup
    assert {r["sha256"] for r in after["files"].values()} == \
        {f["sha256"] for f in manifest["files"]}
    restored = FileStore(target.settings().files_dir)
    assert all(sha256_file(restored.path(r["sha256"])) == r["sha256"] for r in after["files"].values())
    numbers = {(r["number"], r["status"]) for r in after["letters"].values()}
    assert {s for _, s in numbers} == {"confirmed", "reserved", "void"}, numbers
    scan = next(v for v in after["versions"].values() if v["document_id"] == 2)
    assert scan["status"] == "dicabut"  # the correction came back
    assert any(f["scanned"] and f["version_id"] == scan["id"] for f in after["files"].values())
    assert len(after["copies"]) == 1
    actions = {r["action"] for r in after["audit_log"].values()}  # the audit trail came back
    assert {"copy.issue", "version.revoke", "letter.void", "koreksi"} <= actions, actions
    assert len(after["extraction_revisions"]) == 1 and len(after["machine_readings"]) == 1

    verdict = json.loads(target("verify", str(copy_pdf), "--json"))  # the copy's bytes
    assert verdict["ok"] and verdict["kind"] == "copy" and verdict["code"] == code, verdict
    assert verdict["message"].startswith("SAH:"), verdict
    assert json.loads(target("verify", code, "--json"))["ok"]
    assert json.loads(target("search", "Pengarsipan", "--riwayat", "--json"))["hits"]
    assert "semua cocok" in target("check")


def test_incremental_backup_copies_only_new_files(tmp_path: Path, corpus_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    arsip = Arsip(tmp_path / "data", None, monkeypatch)
    arsip("ingest", str(corpus_dir / "sop-bkpsdm-01.pdf"), str(corpus_dir / "form-bpkad-2023-03.pdf"))
    dest = tmp_path / "backups"
    (dest / ".arsip-20260101-000000.partial" / "files").mkdir(parents=True)  # a killed backup
    first = json.loads(arsip("backup", str(dest), "--incremental", "--json"))
    assert first["base"] is None and first["files"] == 2 and first["reused"] == 0
    assert "sisa cadangan yang terputus dihapus: .arsip-20260101-000000.partial" in first["notes"]
    assert not list(dest.glob(".*.partial"))
    arsip("ingest", str(corpus_dir / "sop-bappeda-05.pdf"))
    second = json.loads(arsip("backup", str(dest), "--incremental", "--json"))
    assert Path(second["base"]) == Path(first["folder"])
    assert (second["files"], second["reused"], second["copied"] + second["linked"]) == (3, 2, 1)
    old, new = Path(first["folder"]) / "files", Path(second["folder"]) / "files"
    for path in old.rglob("*"):  # the reused files are the same inode, not a second copy
        if path.is_file():
            assert (new / path.relative_to(old)).stat().st_ino == path.stat().st_ino
    # a full backup next to them is independent of the earlier ones
    full = json.loads(arsip("backup", str(dest), "--json"))
    assert full["reused"] == 0 and full["files"] == 3


def test_backup_refuses_a_rotten_file_and_restore_a_non_empty_dir(
        tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    arsip = Arsip(tmp_path / "data", None, monkeypatch)
    arsip("ingest", str(corpus_dir / "form-bpkad-2023-03.pdf"))
    made = json.loads(arsip("backup", str(tmp_path / "b"), "--json"))
    Arsip(tmp_path / "data", None, monkeypatch)("restore", made["folder"], code=4)
    stored = next(p for p in (tmp_path / "data" / "files").rglob("*") if p.is_file())
    stored.chmod(0o644)
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0x01
    stored.write_bytes(bytes(data))
    r = CliRunner().invoke(cli, ["backup", str(tmp_path / "b2")])
    assert r.exit_code == 7 and "tidak cocok lagi dengan hash" in r.stderr, r.output
    left = {p.name for p in (tmp_path / "b2").iterdir()}
    assert left == {".arsip-backup.lock"}, left  # nothing half-made is left, nothing looks like a backup
    with (tmp_path / "b2" / ".arsip-backup.lock").open("a+b") as held:  # another backup running
        fcntl.flock(held, fcntl.LOCK_EX)
        r = CliRunner().invoke(cli, ["backup", str(tmp_path / "b2")])
    assert r.exit_code == 4 and "Pencadangan lain sedang berjalan" in r.stderr, r.output
    r = CliRunner().invoke(cli, ["restore", str(tmp_path)])
    assert r.exit_code == 2 and "bukan folder cadangan" in r.stderr, r.output
    manifest = Path(made["folder"]) / "manifest.json"  # a backup made by a newer program
    data = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**data, "schema_revision": "0999_masa_depan"}), encoding="utf-8")
    Arsip(tmp_path / "baru", None, monkeypatch)("restore", made["folder"], code=2)
    assert not (tmp_path / "baru").exists()
