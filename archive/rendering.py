"""Page images for the archive's own use (where a stamped copy's certification can go).

pdfium is not thread-safe: two threads inside it at once abort the process.  This module holds
the one lock every use of pdfium in this process takes (`ingest/raster.py` uses it too); OCR
worker processes each have their own pdfium.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

# pdfium is not thread-safe: two threads inside it at once abort the process (the web app's two
# queue workers read two uploads side by side).  Every use of it in a process goes through this
# lock (here, ingest/raster.py, ingest/pdfium_layer.py); OCR worker processes have their own.
PDFIUM_LOCK = threading.RLock()


@contextmanager
def opened(source: Path | bytes) -> Iterator[Any]:
    """A PDF opened by pdfium (a path or its bytes), holding the pdfium lock until it is closed."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(str(source) if isinstance(source, Path) else source)
        try:
            yield pdf
        finally:
            pdf.close()


def render_as_seen(source: Path | bytes, index: int, dpi: float = 72.0,
                   top_pt: float | None = None) -> np.ndarray:
    """Page `index` (0-based) as RGB pixels, as a reader sees it: its /Rotate applied, its crop
    box, every image on it (digital stamps and signatures included); `top_pt`: only that much
    of its top."""
    with opened(source) as pdf:
        page = pdf[index]
        try:
            crop = (0.0, 0.0, 0.0, 0.0)
            if top_pt is not None:
                height = page.get_height() if page.get_rotation() % 180 == 0 else page.get_width()
                crop = (0.0, max(0.0, float(height) - top_pt), 0.0, 0.0)
            bitmap = page.render(scale=dpi / 72.0, crop=crop)
            return np.asarray(bitmap.to_pil().convert("RGB"))
        finally:
            page.close()
