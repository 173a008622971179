"""The one wrapper around RapidOCR (PP-OCRv4 ONNX models, shipped inside the wheel): second readings.

Only this module imports `rapidocr_onnxruntime`.  Tesseract reads every page; this engine reads
again only the few small crops where Tesseract was unsure (handwritten numbers and dates, names
and NIPs under stamps and signatures).  It reads handwriting and stamped print far better, but
drops the spaces between Latin words: spaces are put back where the crop shows a gap in the ink.
The models load once per process, on first use; onnxruntime runs on one thread per process,
as Tesseract does, because pages are already read in parallel processes.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from archive.errors import MissingDependencyError

log = logging.getLogger(__name__)

INSTALL_HINT = "pasang dengan `pip install rapidocr-onnxruntime` (modelnya ikut dalam paket)"
TILT_MAX = 0.15  # rise over run of a line box; stamp ring text is curved and tilted
SPACE_GAP = 0.28  # an ink gap this many line heights wide between two letters is a space


@dataclass(frozen=True)
class RapidLine:
    """One text line RapidOCR found in a crop: its text (spaces restored), box and confidence 0..100."""

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float


DEFAULT_MAX_SIDE = 1280  # longest side of a crop the detector sees


@dataclass
class RapidEngine:
    """RapidOCR's detector and recogniser on small crops (no page layout, no orientation)."""

    max_side: int = DEFAULT_MAX_SIDE
    _ocr: Any = field(default=None, repr=False)

    def _load(self) -> Any:
        if self._ocr is None:
            self._ocr = load_rapidocr(self.max_side)
        return self._ocr

    def read_lines(self, image: np.ndarray, gaps: np.ndarray | None = None) -> list[RapidLine]:
        """The level text lines of `image` (RGB or grey array), top to bottom.

        `gaps`, a grey image of the same size (say with stamp ink removed), is where the spaces
        between words are looked for; by default `image` itself.
        """
        rgb = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
        try:
            result, _ = self._load()(np.ascontiguousarray(rgb), use_cls=False, return_word_box=True)
        except (RuntimeError, ValueError, cv2.error) as e:  # onnxruntime errors derive from RuntimeError
            log.warning("pembacaan OCR kedua gagal: %s", e)
            return []
        gray = gaps if gaps is not None else cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
        lines = [_line(r, ink) for r in result or []]
        return sorted((ln for ln in lines if ln is not None), key=lambda ln: ln.top)


    def read_word(self, image: np.ndarray) -> tuple[str, float]:
        """The text of a crop holding one word (recogniser only, no line detection), and its
        confidence 0..100; ('', 0) when nothing was read."""
        rgb = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
        try:
            result, _ = self._load()(np.ascontiguousarray(rgb), use_det=False, use_cls=False)
        except (RuntimeError, ValueError, cv2.error) as e:
            log.warning("pembacaan OCR kedua gagal: %s", e)
            return "", 0.0
        if not result:
            return "", 0.0
        return str(result[0][0]).strip(), round(float(result[0][1]) * 100, 1)


def check_installed() -> None:
    """Raise `MissingDependencyError` unless the package and its bundled models are installed."""
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(f"RapidOCR belum terpasang: {INSTALL_HINT}.")
    models = Path(next(iter(spec.submodule_search_locations))) / "models"
    missing = [m for m in MODELS if not (models / m).is_file()]
    if missing:
        raise MissingDependencyError(f"model RapidOCR {', '.join(missing)} tidak ada: {INSTALL_HINT}.")


MODELS = ("ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx")


@functools.cache
def load_rapidocr(max_side: int) -> Any:
    """A RapidOCR instance on one thread, once per process (about 75 MB; the OCR fork server
    loads it before forking workers, `ingest.ocr_preload`); `MissingDependencyError` when the
    package or a model is missing."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as e:
        raise MissingDependencyError(f"RapidOCR belum terpasang: {INSTALL_HINT}.") from e
    try:
        # 'max': crops are small; the default ('min' 736) blows a 60 px high cell up to 736 px.
        return RapidOCR(det_limit_type="max", det_limit_side_len=max_side,
                        intra_op_num_threads=1, inter_op_num_threads=1)
    except (FileNotFoundError, OSError, RuntimeError, ValueError) as e:
        raise MissingDependencyError(f"RapidOCR tidak dapat memuat modelnya ({e}): {INSTALL_HINT}.") from e


def _line(result: list[Any], ink: np.ndarray) -> RapidLine | None:
    """One RapidOCR result as a `RapidLine`; None for a tilted box (stamp text) or an empty text."""
    box = np.asarray(result[0], dtype=float)
    text, conf = str(result[1]).strip(), float(result[2])
    run = abs(box[1][0] - box[0][0]) or 1.0
    if not text or abs(box[1][1] - box[0][1]) / run > TILT_MAX:
        return None
    x0, y0 = int(box[:, 0].min()), int(box[:, 1].min())
    x1, y1 = int(box[:, 0].max()), int(box[:, 1].max())
    if len(result) >= 5 and result[3]:
        text = with_spaces(list(result[4]), list(result[3]), ink[max(y0, 0):y1, max(x0, 0):x1], x0)
    return RapidLine(text, x0, y0, x1 - x0, y1 - y0, round(conf * 100, 1))


def with_spaces(chars: list[str], boxes: list[Any], ink: np.ndarray, x0: int) -> str:
    """The characters of a line joined, with a space wherever the ink between two of them has a gap
    wider than `SPACE_GAP` line heights (RapidOCR's recogniser drops most Latin spaces)."""
    if not chars or len(chars) != len(boxes) or ink.size == 0:
        return "".join(chars).strip()
    empty = np.asarray(~(ink > 0).any(axis=0))
    min_gap = max(3, int(SPACE_GAP * ink.shape[0]))
    gaps = [(a, b) for a, b in _runs(empty) if b - a >= min_gap]
    centres = [float(np.mean([p[0] for p in b])) - x0 for b in boxes]
    out = chars[0]
    for i in range(1, len(chars)):
        prev, cur = centres[i - 1], centres[i]
        if chars[i] != " " and out[-1:] != " " and any(prev < a and b < cur for a, b in gaps):
            out += " "
        out += chars[i]
    # a comma is followed by a space in print ('SAMUEL, SE'); its gap is narrower than a word space
    return " ".join(re.sub(r",(?=[^\W\d_])", ", ", out).split())


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    padded = np.concatenate(([False], flags.astype(bool), [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
