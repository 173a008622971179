"""The fuzz run's child process: reads PDF paths on stdin, extracts each, answers one JSON line.

Run as `python -m tests.fuzz.child MEMORY_MB`.  Its address space is capped (resource.setrlimit)
so a runaway allocation ends as MemoryError here instead of hurting the machine; its peak
resident memory (ru_maxrss) is reported with every answer, so the parent can hold it to a limit.
A scan's pages are rendered and read by the fake OCR engine (rendering is what damage breaks;
Tesseract's reading is not under test here).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import traceback
from pathlib import Path


def _answer(out: object, **fields: object) -> None:
    fields["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.write(json.dumps(fields) + "\n")  # type: ignore[attr-defined]
    out.flush()  # type: ignore[attr-defined]


def main() -> None:
    """Answer `ok`, `refused` (with the error's code and message) or `crash` (with the traceback)."""
    cap = int(sys.argv[1]) if len(sys.argv) > 1 else 2048
    resource.setrlimit(resource.RLIMIT_AS, (cap * 1024 * 1024, cap * 1024 * 1024))
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything a library prints goes to stderr, not into the answers
    sys.stdout = sys.stderr

    from archive.errors import ArchiveError
    from ingest.extract import ExtractOptions, extract_file
    from ingest.ocr import OcrOptions

    options = ExtractOptions(ocr=OcrOptions(engine="fake", jobs=1, second="", page_timeout=20))
    for line in sys.stdin:
        path = Path(line.strip())
        try:
            result = extract_file(path, options)
        except ArchiveError as e:
            kind = "refused" if 400 <= e.status < 500 else "error"
            _answer(out, outcome=kind, code=e.code, exit_code=e.exit_code, message=e.message)
        except MemoryError:
            _answer(out, outcome="memory", message="MemoryError")
        except Exception:  # what the fuzz run looks for: anything not in the error tree
            _answer(out, outcome="crash", message=traceback.format_exc(limit=8))
        else:
            _answer(out, outcome="ok", doc_type=result.doc_type, pages=result.pages)


if __name__ == "__main__":
    main()
