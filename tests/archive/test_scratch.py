"""No orphans: temp files live in `<data dir>/tmp`, a stopped process's are removed at the next
start, and OCR workers die with the process that started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import scratch

REPO = Path(__file__).resolve().parents[2]
HOLD = """
import sys, time
from pathlib import Path
from archive import scratch
print(scratch.start(Path(sys.argv[1])), flush=True)
(scratch.process_dir(Path(sys.argv[1])) / "half-written.pdf").write_bytes(b"%PDF-1.4 ...")
time.sleep(60)
"""


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True,
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})


def test_a_stopped_process_leftovers_go_a_running_one_stays(tmp_path: Path) -> None:
    live, dead = _python(HOLD, str(tmp_path)), _python(HOLD, str(tmp_path))
    try:
        live_dir, dead_dir = Path(live.stdout.readline().strip()), Path(dead.stdout.readline().strip())
        assert live_dir.parent == dead_dir.parent == tmp_path.resolve() / "tmp"
        dead.send_signal(signal.SIGKILL)
        dead.wait()
        assert scratch.clean(tmp_path) == 1
        assert live_dir.is_dir() and not dead_dir.exists()
        assert scratch.start(tmp_path).parent == live_dir.parent
        assert os.environ["TMPDIR"].startswith(str(live_dir.parent))
    finally:
        for p in (live, dead):
            p.kill()
            p.wait()


WORKERS = """
import os, sys, time
from ingest import scan
pool = scan.worker_pool(2)
futures = [pool.submit(time.sleep, 60) for _ in range(2)]
time.sleep(1.0)
print(" ".join(str(pid) for pid in pool._processes), flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")
def test_ocr_workers_die_with_a_killed_parent() -> None:
    parent = _python(WORKERS)
    try:
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert len(workers) == 2
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.1)
        assert not any(_alive(p) for p in workers)
    finally:
        parent.kill()
        parent.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its reaper is gone too
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False
