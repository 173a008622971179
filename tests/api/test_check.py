"""`arsip check` checks the store: every file's SHA-256 against its name and row, what is missing
or rotten named with the fix that works, and `--repair FOLDER` bringing it back from a backup."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from api.cli import cli
from archive.store import FileStore
from tests.archive.fixtures import new_archive
from tests.search.test_service import add, extraction


@pytest.fixture()
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARSIP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ARSIP_DATABASE_URL", raising=False)
    monkeypatch.delenv("ARSIP_SEARCH_ENGINE", raising=False)
    return tmp_path / "data"


def _check(*args: str) -> tuple[int, str, dict[str, Any]]:
    runner = CliRunner()
    text = runner.invoke(cli, ["check", *args])
    as_json = runner.invoke(cli, ["check", "--json", *args])
    return text.exit_code, text.output, json.loads(as_json.output)


def _two_documents(data: Path) -> tuple[FileStore, list[str]]:
    sessions, store = new_archive(data)
    add(sessions, store, extraction())
    add(sessions, store, extraction(title="Laporan Kinerja Dinas Perikanan", instansi="Dinas Perikanan"))
    return store, sorted(store.iter_hashes())


def _flip_a_byte(path: Path) -> None:
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_new_archive_is_clean(data: Path) -> None:
    code, out, report = _check()
    assert code == 0 and "semua cocok" in out and report["ok"]


def test_a_flipped_byte_and_a_missing_file_are_named_with_the_fix(data: Path) -> None:
    store, (rotten, missing) = _two_documents(data)
    assert _check()[0] == 0
    _flip_a_byte(store.path(rotten))
    store.path(missing).unlink()
    code, out, report = _check()
    assert code == 1 and "semua cocok" not in out
    assert f"RUSAK: {rotten}" in out and f"HILANG: {missing}" in out
    assert out.count("arsip check --repair") == 2 and "arsip reindex" not in out
    assert {(p["sha256"], p["problem"]) for p in report["store"]["problems"]} == {
        (rotten, "rusak"), (missing, "hilang")}
    quick = CliRunner().invoke(cli, ["check", "--quick"])  # sizes only: the flip goes unseen
    assert quick.exit_code == 1 and f"HILANG: {missing}" in quick.output and rotten not in quick.output


def test_repair_from_a_backup_folder(data: Path, tmp_path: Path) -> None:
    store, (rotten, missing) = _two_documents(data)
    backup = tmp_path / "cadangan"
    shutil.copytree(store.root, backup / "files")  # the layout `arsip backup` writes
    _flip_a_byte(store.path(rotten))
    store.path(missing).unlink()
    _flip_a_byte(backup / "files" / rotten[:2] / rotten)  # the backup's copy is rotten too
    done = CliRunner().invoke(cli, ["check", "--repair", str(backup)])
    assert done.exit_code == 1, done.output
    assert f"dipulihkan dari {backup}: {missing}" in done.output
    assert f"RUSAK: {rotten}" in done.output and "tidak ada di cadangan" in done.output
    flat = tmp_path / "flat"  # any folder holding the file under its hash will do
    flat.mkdir()
    (flat / rotten).write_bytes(_original(rotten, tmp_path))
    done = CliRunner().invoke(cli, ["check", "--repair", str(flat)])
    assert done.exit_code == 0 and "semua cocok" in done.output, done.output
    assert store.verify(rotten) and store.verify(missing)


def _original(sha256: str, tmp_path: Path) -> bytes:
    """The bytes `add` stored for this hash (the fixture stores repr(extraction))."""
    for ex in (extraction(), extraction(title="Laporan Kinerja Dinas Perikanan",
                                        instansi="Dinas Perikanan")):
        data = repr(ex).encode()
        if hashlib.sha256(data).hexdigest() == sha256:
            return data
    raise AssertionError(tmp_path)
