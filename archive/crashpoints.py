"""Named points where the crash-matrix test kills a running command (a no-op otherwise).

`ARSIP_TEST_KILL_AT=<point>` makes the process SIGKILL itself on reaching that point, so the
test can check what a power cut there leaves: every original archived once or absent, no orphan
rows, files or temp files, the index caught up by the next command.
"""

from __future__ import annotations

import os
import signal

ENV = "ARSIP_TEST_KILL_AT"
POINTS = ("stored", "before_commit", "committed", "searchable", "store_write", "letter", "index")


def crash_point(name: str) -> None:
    """SIGKILL this process when ARSIP_TEST_KILL_AT names `name`; nothing otherwise."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
