"""The one wrapper around Tesseract: an `OcrEngine` protocol, the real engine, and a fake for tests.

Only this module imports pytesseract.  The real engine pins Tesseract to one thread
(`OMP_THREAD_LIMIT=1`: an unbounded OpenMP pool per process oversubscribes the cores when pages run
in parallel), applies a timeout to every call, and turns a missing binary or language pack into
`MissingDependencyError` naming the fix.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from PIL import Image

from archive.errors import ArchiveError, MissingDependencyError

log = logging.getLogger(__name__)

INSTALL_HINT = "pasang dengan `apt-get install tesseract-ocr tesseract-ocr-ind tesseract-ocr-eng`"


class OcrError(ArchiveError):
    """Tesseract ran but failed on one image (timeout, crash); the caller decides what to do."""

    status = 500
    code = "ocr_failed"


@dataclass(frozen=True)
class OcrWord:
    """One recognised word in image pixels; `line` identifies its text line within the call."""

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    line: tuple[int, int, int] = (0, 0, 0)

    @property
    def cy(self) -> float:
        """Vertical centre in pixels."""
        return self.top + self.height / 2


class OcrEngine(Protocol):
    """What the scan reader needs from an OCR engine."""

    def read(self, image: Image.Image, *, psm: int = 3) -> list[OcrWord]:
        """The words of `image` with pixel boxes and confidences (0..100)."""
        ...

    def orientation(self, image: Image.Image) -> int | None:
        """Degrees (0, 90, 180, 270) to rotate `image` clockwise to make it upright; None if unsure."""
        ...


@dataclass
class TesseractEngine:
    """Tesseract through pytesseract: one thread per process, a timeout per call."""

    lang: str = "ind"
    timeout: float = 120.0
    oem: int = 1
    extra_config: str = ""

    def __post_init__(self) -> None:
        # Inherited by the tesseract subprocesses this process starts.
        os.environ["OMP_THREAD_LIMIT"] = "1"
        check_languages(self.lang)

    def read(self, image: Image.Image, *, psm: int = 3) -> list[OcrWord]:
        """The words of `image` (`image_to_data`), empty words dropped."""
        import pytesseract

        config = f"--oem {self.oem} --psm {psm} -c preserve_interword_spaces=0 {self.extra_config}"
        data = _call(
            pytesseract.image_to_data,
            uncompressed(image),
            lang=self.lang,
            config=config.strip(),
            output_type=pytesseract.Output.DICT,
            timeout=self.timeout,
        )
        return _words_from_data(data)

    def orientation(self, image: Image.Image) -> int | None:
        """Tesseract OSD's rotation, or None when it cannot tell (too little text)."""
        import pytesseract

        try:
            osd = _call(
                pytesseract.image_to_osd,
                uncompressed(image),
                config="--psm 0 -c min_characters_to_try=20",
                output_type=pytesseract.Output.DICT,
                timeout=self.timeout,
            )
        except OcrError as e:
            log.debug("OSD gave no answer: %s", e)
            return None
        if float(osd.get("orientation_conf", 0.0)) < 1.5:
            return None
        return int(osd.get("rotate", 0)) % 360


def uncompressed(image: Image.Image) -> Image.Image:
    """`image` marked to reach Tesseract as an uncompressed TIFF, a black-and-white one as 1 bit.

    pytesseract writes a PNG by default; compressing a 300-DPI page costs about as much as
    Tesseract's own layout analysis of it.  Uncompressed TIFF reads back pixel for pixel the
    same (BMP does not: it carries a resolution that changes Tesseract's reading).  An image
    made in memory (no format yet) is marked itself, not copied (pytesseract marks it the same
    way); a grey image holding only black and white (the binarised cell strip) goes as a 1-bit
    image: Tesseract then keeps its page in an eighth of the memory (a 300-DPI strip of cells
    peaked at 44 MB instead of 112 MB) and reads the same words.
    """
    if image.format == "TIFF":
        return image
    if image.mode == "L" and only_black_and_white(image):
        marked = image.convert("1", dither=Image.Dither.NONE)
    elif image.format is None:
        marked = image
    else:
        marked = image.copy()
    marked.format = "TIFF"
    return marked


def only_black_and_white(gray: Image.Image) -> bool:
    """True when every pixel of the grey image `gray` is 0 or 255 (its histogram: no copy)."""
    counts = gray.histogram()
    return sum(counts) > 0 and not any(counts[1:255])


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one pytesseract function, translating its errors into ours."""
    import pytesseract

    try:
        result = fn(*args, **kwargs)
    except pytesseract.TesseractNotFoundError as e:
        raise MissingDependencyError(f"Tesseract belum terpasang: {INSTALL_HINT}.") from e
    except pytesseract.TesseractError as e:
        if "Failed loading language" in str(e) or "Error opening data file" in str(e):
            raise MissingDependencyError(
                f"paket bahasa Tesseract tidak ada ({e.message.strip()[:200]}): {INSTALL_HINT}."
            ) from e
        raise OcrError(f"Tesseract gagal: {str(e)[:300]}") from e
    except RuntimeError as e:  # pytesseract signals its timeout with a bare RuntimeError
        raise OcrError(f"Tesseract dihentikan: {e}") from e
    return result


@functools.lru_cache(maxsize=8)
def check_languages(lang: str) -> None:
    """Raise `MissingDependencyError` unless Tesseract and every pack in `lang` are installed."""
    import pytesseract

    try:
        have = set(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError as e:
        raise MissingDependencyError(f"Tesseract belum terpasang: {INSTALL_HINT}.") from e
    except pytesseract.TesseractError as e:
        raise MissingDependencyError(f"Tesseract tidak dapat menyebutkan bahasanya ({e}).") from e
    missing = [code for code in lang.split("+") if code not in have]
    if missing:
        raise MissingDependencyError(
            f"paket bahasa Tesseract {', '.join(missing)} belum terpasang: "
            f"apt-get install {' '.join('tesseract-ocr-' + m for m in missing)}."
        )


def _words_from_data(data: dict[str, list[Any]]) -> list[OcrWord]:
    out: list[OcrWord] = []
    for i, raw in enumerate(data["text"]):
        text = str(raw).strip()
        conf = float(str(data["conf"][i]))
        if not text or conf < 0:
            continue
        line = (int(str(data["block_num"][i])), int(str(data["par_num"][i])), int(str(data["line_num"][i])))
        out.append(
            OcrWord(
                text,
                int(str(data["left"][i])),
                int(str(data["top"][i])),
                int(str(data["width"][i])),
                int(str(data["height"][i])),
                conf,
                line,
            )
        )
    return out


@dataclass
class FakeEngine:
    """An OCR engine for fast tests: every ink blob (letters merged by a small dilation) is a word.

    A blob's text is `labels(width, height)` when given, else `w<width rounded to 10 px>`, so a
    test can draw black bars of known sizes and check where their words land.
    """

    rotation: int | None = 0
    labels: dict[int, str] = field(default_factory=dict)
    calls: int = 0

    def read(self, image: Image.Image, *, psm: int = 3) -> list[OcrWord]:
        """Blobs of dark pixels, one word each, grouped into lines by vertical overlap."""
        import cv2

        self.calls += 1
        gray = np.asarray(image.convert("L"))
        ink = np.asarray(cv2.dilate((gray < 128).astype(np.uint8), np.ones((1, 5), np.uint8)))
        n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
        blobs = sorted((tuple(int(v) for v in stats[i][:4]) for i in range(1, n)), key=lambda b: b[1])
        words: list[OcrWord] = []
        line_no, line_bottom = 0, -1
        for x, y, w, h in blobs:
            if w < 4 or h < 3:
                continue
            if y > line_bottom:
                line_no, line_bottom = line_no + 1, y + h
            x, w = x + 2, w - 4  # undo the dilation
            key = int(round(w / 10.0) * 10)
            words.append(OcrWord(self.labels.get(key, f"w{key}"), x, y, w, h, 95.0, (1, 1, line_no)))
        return words

    def orientation(self, image: Image.Image) -> int | None:
        """The rotation the test configured."""
        return self.rotation


@dataclass(frozen=True)
class OcrOptions:
    """How scans are read: engine, languages, parallel pages, time limits, resolution."""

    engine: str = "tesseract"  # or "fake" (tests)
    lang: str = "ind"
    jobs: int = 2
    page_timeout: float = 300.0
    call_timeout: float = 120.0
    dpi: float | None = None  # None: what the page's letters need, at most 300 (ingest/textscale.py)
    # engine for second readings of the few cells Tesseract was unsure of ("rapidocr"; "" none)
    second: str = "rapidocr"
    # True: pages are taken the way up they are stored, as the image pages of a born-digital
    # file are (its author laid them out); only print that plainly runs sideways is turned,
    # and an unsure first reading runs no orientation check (OSD and trial readings)
    as_stored: bool = False


def make_engine(options: OcrOptions) -> OcrEngine:
    """The engine `options` names; raises `MissingDependencyError` when it cannot run."""
    if options.engine == "fake":
        return FakeEngine()
    if options.engine != "tesseract":
        raise MissingDependencyError(f"mesin OCR {options.engine!r} tidak dikenal; gunakan 'tesseract'.")
    return TesseractEngine(lang=options.lang, timeout=options.call_timeout)


def make_second_engine(options: OcrOptions) -> Any:
    """The engine for second readings (`ingest.ocr_rapid.RapidEngine`), or None when off.

    Off for the fake engine (tests).  Raises `MissingDependencyError` when the package is not
    installed; its models load on first use (most pages never need them).
    """
    if not options.second or options.engine == "fake":
        return None
    if options.second != "rapidocr":
        raise MissingDependencyError(f"mesin OCR kedua {options.second!r} tidak dikenal; gunakan 'rapidocr'.")
    from ingest.ocr_rapid import RapidEngine, check_installed

    check_installed()
    return RapidEngine()
