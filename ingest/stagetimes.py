"""Opt-in timings of the extraction's stages, for profiling (`bench/ocr_throughput.py --profile`).

With `ARSIP_STAGE_TIMES=FILE` set, every `stage(name)` block appends one JSON line to FILE:
`{"file", "page", "stage", "s", "cpu"}` (page 0: the whole document; `cpu`: seconds of CPU of
this process and the children it waited for, such as Tesseract, so a loaded machine does not
blur where the work goes).  OCR worker processes inherit the
variable and append to the same file (one short write per line, opened in append mode, so lines
from several processes never interleave).  Unset, `stage` costs one dictionary lookup.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENV = "ARSIP_STAGE_TIMES"
_where: dict[str, object] = {"file": "", "page": 0}


def at(file: str, page: int = 0) -> None:
    """Name the file and page (1-based; 0 for the whole document) the next stages belong to."""
    _where["file"], _where["page"] = file, page


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as stage `name` of the current file and page, when timings are on."""
    target = os.environ.get(ENV)
    if not target:
        yield
        return
    where = dict(_where)  # the block may name the pages it reads
    start, cpu = time.perf_counter(), _cpu()
    try:
        yield
    finally:
        line = json.dumps({"file": where["file"], "page": where["page"], "stage": name,
                           "s": round(time.perf_counter() - start, 4), "cpu": round(_cpu() - cpu, 4)})
        with Path(target).open("a", encoding="utf-8") as out:
            out.write(line + "\n")
