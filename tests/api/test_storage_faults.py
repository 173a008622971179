"""Storage faults in the user's words: a read-only data dir and a full disk, from the command line.

The real faults need a mount namespace (`unshare -m`: a read-only bind mount, a tiny tmpfs);
where that is not allowed (no root), those tests skip and the translation is tested directly.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from archive.errors import StorageError
from archive.faults import storage_fault

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"


@pytest.mark.parametrize(("error", "words"), [
    (OSError(errno.EROFS, "Read-only file system", "/data/arsip.db.lock"), "tidak dapat ditulis"),
    (PermissionError(errno.EACCES, "Permission denied"), "tidak dapat ditulis"),
    (OSError(errno.ENOSPC, "No space left on device"), "penuh"),
    (OperationalError("COMMIT", {}, sqlite3.OperationalError("database or disk is full")), "penuh"),
    (OperationalError("x", {}, sqlite3.OperationalError("attempt to write a readonly database")),
     "tidak dapat ditulis"),
    (OSError(errno.EIO, "Input/output error"), "galat I/O"),
])
def test_faults_are_storage_errors_saying_what_to_do(error: Exception, words: str) -> None:
    fault = storage_fault(error, Path("/data"))
    assert isinstance(fault, StorageError) and fault.exit_code == 7
    assert words in fault.message and ("ulangi" in fault.message or "periksa" in fault.message)


def test_other_errors_are_not_storage_faults() -> None:
    assert storage_fault(ValueError("x")) is None
    assert storage_fault(OSError(errno.ENOENT, "No such file")) is None
    assert storage_fault(OperationalError("x", {}, sqlite3.OperationalError("no such table"))) is None


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    done = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs tmpfs /mnt 2>/dev/null"],
                          capture_output=True)
    return done.returncode == 0


needs_mounts = pytest.mark.skipif(not _can_unshare(), reason="needs unshare -m (root)")


def _arsip_in(mount: str, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`arsip ARGS` inside a mount namespace where `mount` (a shell snippet) prepared `data`."""
    script = (f'{mount} && "$@"; rc=$?; echo "--- left behind:"; '
              f'find {data} -name ".incoming-*" -o -name "arsip-*" -o -name "*.tmp"; exit $rc')
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", sys.executable, "-m",
                           "api.cli", *args], capture_output=True, text=True, cwd=REPO, timeout=300,
                          env={"PYTHONPATH": str(REPO), "ARSIP_DATA_DIR": str(data),
                               "PATH": "/usr/bin:/bin", "HOME": str(data.parent)})


def _arsip(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300, env={"PYTHONPATH": str(REPO), "ARSIP_DATA_DIR": str(data),
                                                      "PATH": "/usr/bin:/bin"})


@needs_mounts
def test_every_command_on_a_read_only_data_dir_says_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert _arsip(data, "ingest", str(SAMPLES / "form-bpkad-2023-03.pdf")).returncode == 0
    read_only = f"mount --bind {data} {data} && mount -o remount,ro,bind {data}"
    for args in (["search", "kinerja"], ["show", "1"], ["check"], ["reindex"],
                 ["ingest", str(SAMPLES / "sop-bkpsdm-01.pdf")], ["versions", "1"]):
        done = _arsip_in(read_only, data, *args)
        assert "Traceback" not in done.stderr, (args, done.stderr)
        assert done.returncode == 7, (args, done.stderr)
        assert "galat (storage_error)" in done.stderr and "izin tulis" in done.stderr


@needs_mounts
def test_a_full_disk_stores_nothing_half_way(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for size in ("120k", "260k", "400k"):
        done = _arsip_in(f"mount -t tmpfs -o size={size} tmpfs {data}", data, "ingest",
                         str(SAMPLES / "sop-bkpsdm-01.pdf"), str(SAMPLES / "form-bpkad-2023-03.pdf"))
        assert "Traceback" not in done.stderr, (size, done.stderr)
        assert "penuh" in done.stdout + done.stderr, (size, done.stdout, done.stderr)
        assert done.returncode == 7, (size, done.stdout, done.stderr)
        assert done.stdout.split("--- left behind:")[1].strip() == "", (size, done.stdout)
