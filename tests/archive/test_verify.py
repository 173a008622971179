"""Verification of originals and copies, by file and by code; a one-byte change is rejected."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from archive.copies import CopyRequest, issue_copy
from archive.verify import normalise_code, verify_code, verify_file
from tests.archive.test_copies import BASE_URL, CERTIFIER, _archive_file

pytestmark = pytest.mark.archive_db  # runs again on PostgreSQL (tests/backend.py)


def _flip_one_byte(data: bytes) -> bytes:
    """Change one byte in the middle of the file (inside content, not the trailer)."""
    i = len(data) // 2
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]


@pytest.mark.parametrize("name", ["sop-bkpsdm-10.pdf", "sop-dinkes-04-scan.pdf"])
def test_original_and_copy_are_valid_and_a_changed_byte_is_not(
    tmp_path: Path, corpus_dir: Path, name: str
) -> None:
    session_factory, store, version_id = _archive_file(tmp_path, corpus_dir / name)
    with session_factory.begin() as session:
        issued = issue_copy(session, store, CopyRequest(version_id, CERTIFIER, BASE_URL,
                                                        issued_for="Inspektorat"),
                            today=date(2026, 11, 21))
    copy_path = tmp_path / "salinan.pdf"
    copy_path.write_bytes(store.read(issued.sha256))
    altered = tmp_path / "salinan-diubah.pdf"
    altered.write_bytes(_flip_one_byte(copy_path.read_bytes()))
    with session_factory() as session:
        original = verify_file(session, corpus_dir / name)
        copy = verify_file(session, copy_path)
        changed = verify_file(session, altered)
        by_code = verify_code(session, issued.code.lower().replace("-", " "))
    assert original.ok and original.kind == "original" and original.version_id == version_id
    assert copy.ok and copy.kind == "copy" and copy.code == issued.code
    assert copy.message.startswith("SAH: salinan ") and "untuk Inspektorat" in copy.message
    assert "disahkan oleh Dr. Siti Aminah" in copy.message
    assert not changed.ok and changed.kind == "altered_copy" and changed.code == issued.code
    assert changed.message.startswith("TIDAK SAH: ")
    assert by_code.ok and by_code.sha256 == issued.sha256


def test_a_file_the_archive_never_held(tmp_path: Path, corpus_dir: Path) -> None:
    session_factory, _, _ = _archive_file(tmp_path, corpus_dir / "sop-bkpsdm-10.pdf")
    with session_factory() as session:
        verdict = verify_file(session, corpus_dir / "sop-bkpsdm-10-rev1.pdf")
        unknown = verify_code(session, "ZZZZ-ZZZZ-ZZ")
    assert not verdict.ok and verdict.kind == "unknown"
    assert not unknown.ok and unknown.kind == "unknown_code"


def test_normalise_code() -> None:
    assert normalise_code(" k7qd m2xp 9a ") == "K7QD-M2XP-9A"
    assert normalise_code("K7QDM2XP9A") == "K7QD-M2XP-9A"
    assert normalise_code("hello") is None


def test_cli_copy_versions_verify_retention(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commands end to end on the born-digital SOP and its revision."""
    monkeypatch.setenv("ARSIP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ARSIP_DATABASE_URL", raising=False)
    monkeypatch.setenv("ARSIP_CERTIFIER_JABATAN", "Sekretaris Badan")
    monkeypatch.setenv("ARSIP_CERTIFIER_NAMA", "Rina Marlina, S.E.")
    monkeypatch.setenv("ARSIP_VERIFY_BASE_URL", BASE_URL)
    runner = CliRunner()
    files = [str(corpus_dir / f"sop-bkpsdm-10{s}.pdf") for s in ("", "-rev1")]
    assert runner.invoke(cli, ["ingest", "--why", *files]).exit_code == 0
    shown = runner.invoke(cli, ["versions", "1"])
    assert shown.exit_code == 0 and "versi 1 (id 1, unggahan ke-1) [digantikan] 2021-04-25 .. 2022-08-18" in (
        shown.stdout), shown.stdout
    on = runner.invoke(cli, ["versions", "1", "--on", "2022-01-01"])
    assert on.stdout.strip() == "berlaku pada 2022-01-01: versi 1 (id 1) dari #1"
    diff = runner.invoke(cli, ["versions", "1", "--diff", "1", "2"])
    assert 'tanggal_efektif: "2021-04-25" -> "2022-08-18"' in diff.stdout, diff.stdout
    assert "langkah 1 berubah:" in diff.stdout, diff.stdout
    out = tmp_path / "salinan.pdf"
    made = runner.invoke(cli, ["copy", "1:2", "--for", "BPK", "--out", str(out)])
    assert made.exit_code == 0 and f"{BASE_URL}/verifikasi/" in made.stdout, made.output
    assert re.match(r"salinan \S+ \(versi 2 dari #1\): 2 halaman, SHA-256 ", made.stdout)
    assert runner.invoke(cli, ["verify", str(out)]).exit_code == 0
    out.write_bytes(_flip_one_byte(out.read_bytes()))
    rejected = runner.invoke(cli, ["verify", str(out)])
    assert rejected.exit_code == 1 and rejected.stdout.startswith("TIDAK SAH: ")
    due = runner.invoke(cli, ["retention", "--on", "2030-01-01"])
    assert due.exit_code == 0 and "000.8.3.3" in due.stdout
    assert "#1 versi 1 (id 1) sop 000.8.3.3" in due.stdout  # superseded 2022: 2+3 years passed
    assert "jatuh tempo per 2030-01-01: 1" in due.stdout
    assert "serahkan ke lembaga kearsipan daerah (permanen)" in due.stdout
    trail = runner.invoke(cli, ["audit", "list"]).stdout.splitlines()  # each change, by the CLI user
    assert [line.split("\t")[4] for line in trail] == [
        "upload.new_document", "upload.new_version", "copy.issue"], trail
    assert all(line.split("\t")[2].startswith("cli:") for line in trail)
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0


def test_copy_from_the_command_line_refuses_a_made_up_nip(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A certifier typed by the server's operator still needs a NIP that can exist."""
    monkeypatch.setenv("ARSIP_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    made = runner.invoke(cli, ["copy", "1:1", "--jabatan", "Kepala", "--nama", "Pejabat Palsu",
                               "--nip", "123"])
    assert made.exit_code != 0
    assert "NIP" in made.output and "18 angka" in made.output
