"""The bounded fuzz run: mutated PDFs through extraction in a child process, with limits.

Every input must end in a result or a refusal from the error tree (`RejectedFileError`: exit 5 on
the command line, a 4xx on the web).  A traceback, an answer later than the per-input timeout
(the child is killed and restarted) or a peak resident memory over the limit is a finding; each
finding's input is kept under tests/data/fuzz/ (named by its hash, with a note of how it was
made) so that `test_fuzz.py::test_saved_inputs_end_cleanly` replays it from then on.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fuzz.mutate import Mutant, mutants

REPO = Path(__file__).resolve().parents[2]
SAVED = REPO / "tests" / "data" / "fuzz"
CLEAN = {"ok", "refused"}


@dataclass
class FuzzReport:
    """What a run did: inputs, outcomes by kind, findings (saved inputs), peak memory, seconds."""

    inputs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    findings: list[str] = field(default_factory=list)
    max_rss_mb: float = 0.0
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for the test log and the closing note."""
        return (f"{self.inputs} masukan dalam {self.seconds:.0f} s: {dict(self.outcomes)}; "
                f"penolakan {dict(self.refusals)}; memori puncak {self.max_rss_mb:.0f} MB; "
                f"temuan {len(self.findings)}")


class Child:
    """`python -m tests.fuzz.child` in its own process group, restarted after a hang or a crash."""

    def __init__(self, memory_cap_mb: int) -> None:
        self.cap = memory_cap_mb
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fuzz.child", str(self.cap)], cwd=REPO, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            start_new_session=True)

    def ask(self, path: Path, timeout: float) -> dict[str, Any] | None:
        """The child's answer for `path`, or None after `timeout` seconds (the child is then killed)."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc and self.proc.stdin and self.proc.stdout
        try:
            self.proc.stdin.write(f"{path}\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.stop()
            return {"outcome": "crash", "message": "the child died before reading the input"}
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            died = self.proc.poll() is not None
            self.stop()
            return {"outcome": "crash", "message": "the child died (signal or abort)"} if died \
                else None
        answer: dict[str, Any] = json.loads(line)
        return answer

    def stop(self) -> None:
        """Kill the child and anything it started (its process group)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream:
                stream.close()
        self.proc = None


def save_finding(mutant: Mutant, outcome: str, message: str) -> Path:
    """Keep a finding's input (and how it was made) as a regression fixture."""
    SAVED.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(mutant.data).hexdigest()[:16]
    path = SAVED / f"{name}.pdf"
    path.write_bytes(mutant.data)
    note = {"origin": mutant.origin, "steps": list(mutant.steps), "outcome": outcome,
            "message": message.strip().splitlines()[-1] if message.strip() else ""}
    (SAVED / f"{name}.json").write_text(json.dumps(note, indent=1) + "\n", encoding="utf-8")
    return path


def fuzz(seeds: dict[str, bytes], seed: int, budget_s: float, workdir: Path, *,
         timeout: float = 30.0, rss_limit_mb: float = 768.0, memory_cap_mb: int = 2048,
         max_inputs: int | None = None) -> FuzzReport:
    """Feed mutants of `seeds` to a child for `budget_s` seconds (or `max_inputs`)."""
    report, child, start = FuzzReport(), Child(memory_cap_mb), time.monotonic()
    child.start()
    path = workdir / "masukan.pdf"
    try:
        for mutant in mutants(seeds, seed):
            if time.monotonic() - start > budget_s or report.inputs == max_inputs:
                break
            path.write_bytes(mutant.data)
            answer = child.ask(path, timeout) or {"outcome": "hang", "message": f"> {timeout} s"}
            report.inputs += 1
            outcome = answer["outcome"]
            rss = float(answer.get("rss_mb", 0.0))
            if rss > rss_limit_mb:
                outcome, answer["message"] = "memory", f"peak RSS {rss:.0f} MB > {rss_limit_mb:.0f} MB"
            report.max_rss_mb = max(report.max_rss_mb, rss)
            report.outcomes[outcome] += 1
            if outcome == "refused":
                report.refusals[answer["code"]] += 1
            if outcome not in CLEAN:
                report.findings.append(f"{save_finding(mutant, outcome, answer.get('message', ''))}: "
                                       f"{outcome}: {answer.get('message', '')[-300:]}")
                child.stop()  # a fresh child: its peak memory and state start again
    finally:
        child.stop()
        report.seconds = time.monotonic() - start
    return report
