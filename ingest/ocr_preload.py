"""Imported by the OCR fork server before it forks workers (`ingest.scan.worker_pool`).

It loads the second engine's models (RapidOCR, about 75 MB) once, so every OCR worker forked
from the server shares them copy-on-write instead of loading its own copy on its first doubtful
cell.  A failure here is silent: the worker then loads the models itself (or says what is missing).
"""

from __future__ import annotations

import contextlib

from ingest import scan  # noqa: F401  (imported first: what every worker needs)
from ingest.ocr_rapid import DEFAULT_MAX_SIDE, load_rapidocr

with contextlib.suppress(Exception):  # the fork server must start whatever happens here
    load_rapidocr(DEFAULT_MAX_SIDE)
