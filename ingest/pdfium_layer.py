"""A page's characters and drawn paths read by pdfium, in the form pdfplumber gives them.

pdfminer (under pdfplumber) interprets every content stream in Python: a long Word-exported
report costs a fifth of a second a page.  pdfium reads the same page in C, about ten times
faster.  This module turns what pdfium reports into pdfplumber's own objects (char dicts with
`text x0 x1 top bottom upright size`, rects, lines and curves as pdfminer classifies paths), so
`ingest.textlayer` builds words, lines, tables and shapes from them with the code it always used.
A page is given in pdfminer's frame for its /Rotate; a page whose text mostly lies one way (a
landscape table across a portrait page) in the frame of the page turned to read upright, as
`ingest.textlayer` has pdfplumber read it; characters that stay not upright are boxed through
their matrix as pdfminer boxes them.

pdfium's text page is written for reading, not for layout: it drops text objects whose glyphs
have no extent (the separate space objects of Word exports), merges doubled text objects, puts
ActualText in place of the glyphs and marks a line-end hyphen with U+0002.  Where such a change
could alter the words, the page is not read here: `read_pages` returns None for it and the
caller reads that page with pdfplumber, as before.  What is repaired instead: a dropped
blank object becomes a space character again (it only ever separated two words), the hyphen
mark becomes '-'.  One known difference is kept: points are rounded to the content stream's
few decimals, so a rectangle drawn under a matrix leaning by rounding noise (a pasted figure) is
a rect here where pdfminer, comparing unrounded corners, made it a curve.  Every use of pdfium
goes through the process-wide lock of `ingest.raster`.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ingest.charwords import level

log = logging.getLogger(__name__)

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_HYPHEN_MARK = 0x2  # pdfium's stand-in for a hyphen at a line end
_NO_TEXT = {0, 0xFFFE, 0xFFFF}
# A symbol font's glyph (a Wingdings bullet) has no Unicode; pdfium and pdfminer both give its
# code in this corner of the private use area.
_SYMBOL_AREA = (0xF000, 0xF0FF)


@dataclass
class RawPage:
    """One page as pdfplumber would report it: chars in content order, rects, lines, curves."""

    page_number: int
    width: float
    height: float
    chars: list[dict[str, Any]] = field(default_factory=list)
    rects: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    curves: list[dict[str, Any]] = field(default_factory=list)
    rotation: int = 0  # the page's /Rotate, plus `turn`: the frame its objects are given in
    turn: int = 0  # degrees the page was turned beyond its /Rotate because its text lies sideways
    image_cover: float = 0.0  # share of the page its largest image covers (`ingest.layertrust`)

    _words: list[dict[str, Any]] | None = None

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """The page box in pdfplumber's top-left coordinates."""
        return (0.0, 0.0, self.width, self.height)

    @property
    def edges(self) -> list[dict[str, Any]]:
        """Ruling edges of the lines, rects and curves, as pdfplumber's table finder takes them."""
        from pdfplumber.utils import curve_to_edges, line_to_edge, rect_to_edges

        return ([line_to_edge(ln) for ln in self.lines]
                + [e for r in self.rects for e in rect_to_edges(r)]
                + [e for c in self.curves for e in curve_to_edges(c)])

    def extract_words(self, **kwargs: Any) -> list[dict[str, Any]]:
        """pdfplumber's words of these chars (default settings: what `Page.extract_words` gives)."""
        from ingest.charwords import extract_words

        if kwargs.get("keep_blank_chars") or kwargs.get("use_text_flow"):
            from pdfplumber.utils import extract_words as plumber_words

            return list(plumber_words(self.chars, **kwargs))
        if self._words is None:
            self._words = extract_words(self.chars)
        return self._words

    def extract_text(self) -> str:
        """`Page.extract_text()`: the words, lines clustered by top in reading order."""
        from ingest.charwords import page_text

        return page_text(self.extract_words())

    def may_hold_table(self) -> bool:
        """Whether pdfplumber's ruled-table finder can find anything here: it needs two
        horizontal and two vertical edges of at least 1 pt (its first filter)."""
        horizontal = vertical = 0
        for e in self.edges:
            if e["orientation"] == "h" and e["width"] >= 1:
                horizontal += 1
            elif e["orientation"] == "v" and e["height"] >= 1:
                vertical += 1
            if horizontal >= 2 and vertical >= 2:
                return True
        return False

    def find_tables(self, settings: dict[str, Any]) -> list[Any]:
        """pdfplumber's tables on this page, looked for only where rules could make one."""
        if not self.may_hold_table():
            return []
        from pdfplumber.table import TableFinder, TableSettings

        return list(TableFinder(self, TableSettings.resolve(settings)).tables)  # type: ignore[arg-type]


T = TypeVar("T")


def read_pages(path: Path) -> list[RawPage | None] | None:
    """Every page of `path` read by pdfium; None for a page pdfium cannot read as pdfminer
    would (the caller reads it with pdfplumber), None for the whole file when pdfium cannot
    open it."""
    return read_pages_as(path, lambda raw: raw)


def read_pages_as(path: Path, convert: Callable[[RawPage], T]) -> list[T | None] | None:
    """`read_pages` with each page handed to `convert` as soon as it is read, so that one page's
    raw characters are held at a time, not the whole file's (an 85-page report: ~110 MB of raw
    pages against ~30 MB of converted ones)."""
    import pypdfium2 as pdfium

    from archive.rendering import PDFIUM_LOCK

    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except (pdfium.PdfiumError, OSError) as e:
            log.info("%s: pdfium cannot open the file (%s)", path.name, e)
            return None
        try:
            out: list[T | None] = []
            for index in range(len(pdf)):
                try:
                    page = pdf[index]
                except pdfium.PdfiumError:
                    out.append(None)
                    continue
                try:
                    raw = _read_page(page, index + 1)
                    raw.image_cover = image_cover(page)
                except _NotExact as e:
                    log.debug("%s page %d: read by pdfplumber (%s)", path.name, index + 1, e)
                    out.append(None)
                    continue
                finally:
                    page.close()
                out.append(convert(raw))
            return out
        finally:
            pdf.close()


def image_cover(page: Any) -> float:
    """Share of the loaded `page` its largest image covers (a scan: about 1.0; none: 0.0),
    measured as `ingest.raster.image_covers` measures it, while the page is loaded anyway."""
    import pypdfium2.raw as R

    width, height = page.get_size()
    best = 0.0
    for obj in page.get_objects(filter=[R.FPDF_PAGEOBJ_IMAGE]):
        left, bottom, right, top = obj.get_bounds()
        best = max(best, (right - left) * (top - bottom))
    return min(1.0, best / (width * height)) if width * height > 0 else 0.0


class _NotExact(Exception):
    """pdfium's reading of this page may differ from pdfminer's."""


def _read_page(page: Any, number: int) -> RawPage:
    """The page in pdfminer's frame for its /Rotate; a page whose text lies sideways (a
    landscape table printed across a portrait page) in the frame of the page turned so that
    it reads upright, as `ingest.textlayer` has pdfplumber read it."""
    import pypdfium2.raw as R

    rotation = page.get_rotation() % 360
    if rotation % 90:
        raise _NotExact("page rotation not a quarter turn")
    left, bottom, right, top = page.get_mediabox()
    if left or bottom:
        raise _NotExact("media box not at the origin")
    # pdfium keeps the box in 32-bit floats; the file wrote it with a few decimals
    width, height = round(float(right - left), 4), round(float(top - bottom), 4)
    textpage = page.get_textpage()
    try:
        try:
            return _read_in(page, textpage, _Frame(rotation, width, height), number, R)
        except _Sideways:
            turn = _sideways_turn(textpage.raw, _Frame(rotation, width, height), R)
            if turn is None:
                raise _NotExact("too close to call whether the page is sideways") from None
            # some text not upright (a column heading printed upwards): pdfplumber reads those
            # characters as words running down; they are given to it as pdfminer places them
            raw = _read_in(page, textpage, _Frame((rotation + turn) % 360, width, height), number, R,
                           mixed=True)
            raw.turn = turn
            return raw
    finally:
        textpage.close()


def _read_in(page: Any, textpage: Any, frame: _Frame, number: int, R: Any, mixed: bool = False) -> RawPage:
    """The page's characters and paths in `frame`; characters not upright in it raise
    `_Sideways` unless `mixed`."""
    raw = RawPage(page_number=number, width=frame.width, height=frame.height, rotation=frame.rotation)
    represented = _read_chars(textpage.raw, raw, frame, R, mixed)
    for obj, matrix in _objects(page.raw, R):
        kind = R.FPDFPageObj_GetType(obj)
        if kind == R.FPDF_PAGEOBJ_PATH:
            _read_path(obj, matrix, raw, frame, R)
        elif kind == R.FPDF_PAGEOBJ_TEXT:
            _check_text_object(obj, matrix, represented, raw, frame, R)
    return raw


class _Sideways(_NotExact):
    """Some text on the page is not upright in the frame it was read in."""


@dataclass(frozen=True)
class _Frame:
    """pdfminer's page space for a page turned `rotation` degrees clockwise: what its
    interpreter's initial matrix makes of the stored page (a media box at the origin,
    `media_width` by `media_height`), with the turned page's width and height."""

    rotation: int
    media_width: float
    media_height: float

    @property
    def width(self) -> float:
        return self.media_height if self.rotation % 180 else self.media_width

    @property
    def height(self) -> float:
        return self.media_width if self.rotation % 180 else self.media_height

    def point(self, x: float, y: float) -> tuple[float, float]:
        """A point of the stored page in this frame (pdfminer's `process_page` matrices)."""
        r = self.rotation
        if r == 0:
            return x, y
        if r == 90:
            return y, self.media_width - x
        if r == 180:
            return self.media_width - x, self.media_height - y
        return self.media_height - y, x

    def linear(self, a: float, b: float, c: float, d: float) -> tuple[float, float, float, float]:
        """The linear part of a matrix of the stored page, followed by this frame's turn."""
        r = self.rotation
        if r == 0:
            return a, b, c, d
        if r == 90:
            return b, -a, d, -c
        if r == 180:
            return -a, -b, -c, -d
        return -b, a, -d, c

    def right(self, box: Any) -> float:
        """The right edge, in this frame, of a box of the stored page (pdfium's FS_RECTF)."""
        r = self.rotation
        if r == 0:
            return float(box.right)
        if r == 90:
            return float(box.top)
        if r == 180:
            return self.media_width - float(box.left)
        return self.media_height - float(box.bottom)


# `ingest.textlayer.sideways_turn` turns a page of 40 characters or more when 60% lie one way.
# pdfium and pdfminer count a blank or a ligature differently: a page is turned here, or left
# unturned, only when its counts are clearly on one side; closer calls go to pdfplumber.
_SIDEWAYS_SHARE = (0.55, 0.65)
_SIDEWAYS_MIN_CHARS = (35, 50)


def _sideways_turn(tp: Any, frame: _Frame, R: Any) -> int | None:
    """`ingest.textlayer.sideways_turn` on pdfium's characters: 90 or 270 when most of them
    lie one way, 0 when clearly not, None when too close to call."""
    matrix = R.FS_MATRIX()
    object_of = _address_function(R)
    tp_address = _address(tp)
    kinds: dict[int, int] = {}
    total = up = down = 0
    for i in range(R.FPDFText_CountChars(tp)):
        if R.FPDFText_IsGenerated(tp, i):
            continue
        key = object_of(tp_address, i) or 0
        kind = kinds.get(key)
        if kind is None:
            R.FPDFText_GetMatrix(tp, i, matrix)
            a, b, c, d = frame.linear(matrix.a, matrix.b, matrix.c, matrix.d)
            kind = kinds[key] = 0 if (a * d > 0 and b * c <= 0) or level(a, b, c, d) else (
                1 if b > 0 else -1 if b < 0 else 2)
        total += 1
        up += kind == 1
        down += kind == -1
    if total < _SIDEWAYS_MIN_CHARS[0] or max(up, down) < _SIDEWAYS_SHARE[0] * total:
        return 0
    if total < _SIDEWAYS_MIN_CHARS[1] or max(up, down) < _SIDEWAYS_SHARE[1] * total:
        return None
    return 90 if up >= down else 270


def _objects(parent: Any, R: Any, form: bool = False, outer: Matrix = _IDENTITY,
             depth: int = 0) -> Iterator[tuple[Any, Matrix]]:
    """(object, its matrix to page space) for every object, forms opened."""
    count = R.FPDFFormObj_CountObjects(parent) if form else R.FPDFPage_CountObjects(parent)
    for i in range(count):
        obj = R.FPDFFormObj_GetObject(parent, i) if form else R.FPDFPage_GetObject(parent, i)
        if not obj:
            raise _NotExact("object missing")
        matrix = _matrix(obj, R)
        if form:
            matrix = _multiply(matrix, outer)
        if R.FPDFPageObj_GetType(obj) == R.FPDF_PAGEOBJ_FORM:
            if depth > 12:
                raise _NotExact("forms nested too deep")
            yield from _objects(obj, R, True, matrix, depth + 1)
        else:
            yield obj, matrix


def _matrix(obj: Any, R: Any) -> Matrix:
    m = R.FS_MATRIX()
    if not R.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _address(obj: Any) -> int:
    return ctypes.cast(obj, ctypes.c_void_p).value or 0


@dataclass
class _FontState:
    size: float  # the font size in page space (Tf times the text matrix's vertical scale)
    descent: float  # pdfminer's descent, in units of the font size
    font: Any  # pdfium's font
    tf: float  # the font size as set (Tf)
    scale: float  # the text matrix's horizontal scale
    widths: dict[int, float] = field(default_factory=dict)  # box width per character
    matrix: tuple[float, float, float, float] | None = None  # set when the text is not level


def _slanted_char(tp: Any, i: int, code: int, state: _FontState, x: float, y: float, height: float,
                  R: Any) -> dict[str, Any]:
    """A character not upright in the frame, boxed as pdfminer's `LTChar` boxes it: the glyph's
    advance by the font size, from the descent up, through the character's matrix."""
    if code in _NO_TEXT or code == _HYPHEN_MARK or R.FPDFText_HasUnicodeMapError(tp, i):
        raise _NotExact("slanted character without Unicode")
    advance = ctypes.c_float()
    if not R.FPDFFont_GetGlyphWidth(state.font, code, ctypes.c_float(state.tf), advance):
        raise _NotExact("slanted character without a width")
    assert state.matrix is not None
    a, b, c, d = state.matrix
    low = state.descent * state.tf
    xs, ys = [], []
    for u, v in ((0.0, low), (float(advance.value), low), (float(advance.value), low + state.tf),
                 (0.0, low + state.tf)):
        xs.append(a * u + c * v + x)
        ys.append(b * u + d * v + y)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    upright = a * d > 0 and b * c <= 0
    return {"text": chr(code), "x0": x0, "x1": x1, "top": height - y1, "bottom": height - y0,
            "doctop": height - y1, "width": x1 - x0, "height": y1 - y0, "upright": upright,
            "size": y1 - y0, "object_type": "char"}


def _read_chars(tp: Any, raw: RawPage, frame: _Frame, R: Any, mixed: bool = False) -> set[int]:
    """Fill `raw.chars` (in `frame`); the addresses of the text objects they came from.
    Characters not upright in `frame` raise `_Sideways`, unless `mixed`."""
    n = R.FPDFText_CountChars(tp)
    box = R.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    matrix = R.FS_MATRIX()
    states: dict[int, _FontState] = {}
    fonts: dict[tuple[int, float, float, float], _FontState] = {}
    height = raw.height
    chars = raw.chars
    object_of = _address_function(R)
    tp_address = _address(tp)
    is_generated, unicode_of, origin = R.FPDFText_IsGenerated, R.FPDFText_GetUnicode, R.FPDFText_GetCharOrigin
    codes = _codes(tp, n, R)
    turned = frame.rotation != 0
    last_key, last_x, last_y = -1, 0.0, 0.0
    for i in range(n):
        code = codes[i]
        if code <= 0x20 and is_generated(tp, i):  # pdfium's own spaces and line breaks
            continue
        if code == 0xFFFE:  # the text call's stand-in, for the hyphen mark among others
            code = unicode_of(tp, i)
        key = object_of(tp_address, i) or 0
        state = states.get(key)
        if state is None:
            R.FPDFText_GetMatrix(tp, i, matrix)
            a, b, c, d = frame.linear(matrix.a, matrix.b, matrix.c, matrix.d)
            slanted = bool(b or c or a <= 0 or d <= 0) and not level(a, b, c, d)
            if slanted and not mixed:
                raise _Sideways("text not upright")
            obj = R.FPDFText_GetTextObject(tp, i)
            if slanted:
                state = states[key] = _font_state(obj, a, d, R)
                state.matrix = (a, b, c, d)
            else:
                state = states[key] = _shared_font_state(obj, a, d, fonts, R)
        origin(tp, i, ox, oy)
        x, y = frame.point(ox.value, oy.value) if turned else (ox.value, oy.value)
        if state.matrix is not None:
            if key == last_key and x == last_x and y == last_y:
                raise _NotExact("several characters on one slanted glyph")
            last_key, last_x, last_y = key, x, y
            chars.append(_slanted_char(tp, i, code, state, x, y, height, R))
            continue
        text = chr(code) if code != _HYPHEN_MARK else "-"
        if key == last_key and x == last_x and y == last_y:
            # one glyph, several characters (a ligature 'ﬁ' pdfium splits, or a ToUnicode
            # entry of several letters): pdfminer has one character over the glyph's advance
            R.FPDFText_GetLooseCharBox(tp, i, box)
            merged = chars[-1]
            merged["text"] += text
            merged["x1"] = max(merged["x1"], frame.right(box))
            merged["width"] = merged["x1"] - merged["x0"]
            continue
        last_key, last_x, last_y = key, x, y
        width = state.widths.get(code)
        if width is None:
            width = state.widths[code] = _width(tp, i, code, state, x, box, frame, R)
        y0 = y + state.descent * state.size
        chars.append(_char(text, x, x + width, height - (y0 + state.size), height - y0, state.size))
    return set(states)


def _width(tp: Any, i: int, code: int, state: _FontState, x: float, box: Any, frame: _Frame,
           R: Any) -> float:
    """Character `i`'s box width as pdfminer has it: its advance width.

    The loose box runs from the origin over the advance, widened to the glyph (an italic
    overhang), so the advance comes from the font; the loose box is taken when the font does
    not know the character (a symbol) or gives a wider advance (another code pdfium mapped the
    character back to).  The same character in the same font, size and scale always measures
    the same.
    """
    if code in _NO_TEXT or (R.FPDFText_HasUnicodeMapError(tp, i)
                            and not _SYMBOL_AREA[0] <= code <= _SYMBOL_AREA[1]):
        raise _NotExact("character without Unicode")
    R.FPDFText_GetLooseCharBox(tp, i, box)
    loose = frame.right(box) - x
    out = ctypes.c_float()
    if not R.FPDFFont_GetGlyphWidth(state.font, code, ctypes.c_float(state.tf), out):
        return float(loose)
    advance = float(out.value) * state.scale
    return advance if 0 < advance <= loose + 0.01 else float(loose)


_ADDRESS_FUNCTION: Any = None


def _address_function(R: Any) -> Any:
    """`FPDFText_GetTextObject` answering a plain address (cheaper than a pointer object)."""
    global _ADDRESS_FUNCTION
    if _ADDRESS_FUNCTION is None:
        pointer = ctypes.cast(R.FPDFText_GetTextObject, ctypes.c_void_p).value or 0
        _ADDRESS_FUNCTION = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(pointer)
    return _ADDRESS_FUNCTION


def _char(text: str, x0: float, x1: float, top: float, bottom: float, size: float) -> dict[str, Any]:
    return {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
            "width": x1 - x0, "height": bottom - top, "upright": True, "size": size,
            "object_type": "char"}


def _codes(tp: Any, n: int, R: Any) -> list[int]:
    """The Unicode of the text page's `n` characters, in one call (one call per character cost
    a tenth of the page's reading); per character where the text holds a surrogate pair."""
    buf = (ctypes.c_ushort * (n + 1))()
    R.FPDFText_GetText(tp, 0, n, buf)
    codes = list(buf[:n])
    if any(0xD800 <= c <= 0xDFFF for c in codes):
        return [R.FPDFText_GetUnicode(tp, i) for i in range(n)]
    return codes


def _shared_font_state(obj: Any, x_scale: float, y_scale: float,
                       fonts: dict[tuple[int, float, float, float], _FontState], R: Any) -> _FontState:
    """The state of an upright text object, shared by the page's objects set in the same font,
    size and scale (a Word export writes a line or a word per object): its characters measure
    the same in each."""
    size = ctypes.c_float()
    if not R.FPDFTextObj_GetFontSize(obj, size):
        raise _NotExact("font size unknown")
    font = R.FPDFTextObj_GetFont(obj)
    key = (_address(font), float(size.value), x_scale, y_scale)
    state = fonts.get(key)
    if state is None:
        state = fonts[key] = _FontState(size=float(size.value) * y_scale, descent=_descent(font, R),
                                        font=font, tf=float(size.value), scale=x_scale)
    return state


def _font_state(obj: Any, x_scale: float, y_scale: float, R: Any) -> _FontState:
    size = ctypes.c_float()
    if not R.FPDFTextObj_GetFontSize(obj, size):
        raise _NotExact("font size unknown")
    font = R.FPDFTextObj_GetFont(obj)
    return _FontState(size=float(size.value) * y_scale, descent=_descent(font, R), font=font,
                      tf=float(size.value), scale=x_scale)


_STANDARD_DESCENT: dict[str, float] | None = None


def _descent(font: Any, R: Any) -> float:
    """The font's descent as pdfminer takes it: the AFM metrics for the standard 14 fonts (it
    ignores the file's own), else the font descriptor (pdfium reads the same number)."""
    global _STANDARD_DESCENT
    if _STANDARD_DESCENT is None:
        from pdfminer.fontmetrics import FONT_METRICS

        _STANDARD_DESCENT = {name: float(desc.get("Descent", 0)) / 1000  # type: ignore[arg-type]
                             for name, (desc, _widths) in FONT_METRICS.items()}
    buf = ctypes.create_string_buffer(256)
    size = R.FPDFFont_GetBaseFontName(font, buf, 256)
    name = buf.value.decode("latin-1") if size else ""
    if name in _STANDARD_DESCENT and not R.FPDFFont_GetIsEmbedded(font):
        return _STANDARD_DESCENT[name]
    descent = ctypes.c_float()
    if not R.FPDFFont_GetDescent(font, ctypes.c_float(1000.0), descent):
        raise _NotExact("font descent unknown")
    return float(descent.value) / 1000


def _check_text_object(obj: Any, matrix: Matrix, represented: set[int],
                       raw: RawPage, frame: _Frame, R: Any) -> None:
    """A text object the text page left out: blank glyphs (no extent one way) become one space
    where the run starts; anything else (a doubled object, ActualText, a lone line-end hyphen)
    sends the page to pdfplumber."""
    if _address(obj) in represented:
        return
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not R.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        raise _NotExact("text object without bounds")
    if right.value - left.value >= 0.01 and top.value - bottom.value >= 0.01:
        raise _NotExact("text object left out of the text page")
    a, _b, _c, d = frame.linear(*matrix[:4])
    if a <= 0 or d <= 0:
        raise _NotExact("blank text not upright")
    e, f = frame.point(matrix[4], matrix[5])
    state = _font_state(obj, a, d, R)
    y0 = f + state.descent * state.size
    raw.chars.append(_char(" ", e, e + 0.25 * state.size, raw.height - (y0 + state.size),
                           raw.height - y0, state.size))


def _read_path(obj: Any, matrix: Matrix, raw: RawPage, frame: _Frame, R: Any) -> None:
    """The path's subpaths as pdfminer classifies them: line, rect or curve."""
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not R.FPDFPath_GetDrawMode(obj, fill_mode, stroke):
        raise _NotExact("path without draw mode")
    fill, stroked = bool(fill_mode.value), bool(stroke.value)
    if not fill and not stroked:
        return
    x, y = ctypes.c_float(), ctypes.c_float()
    a, b, c, d, e, f = matrix
    subpaths: list[list[tuple[str, tuple[float, float]]]] = []
    pending_bezier = 0
    turned = frame.rotation != 0
    for k in range(R.FPDFPath_CountSegments(obj)):
        seg = R.FPDFPath_GetPathSegment(obj, k)
        if not seg or not R.FPDFPathSegment_GetPoint(seg, x, y):
            raise _NotExact("path segment unreadable")
        kind = R.FPDFPathSegment_GetType(seg)
        # pdfium keeps points as 32-bit floats; the content stream wrote them with a few
        # decimals, which is what pdfminer computes with (and the table finder's tolerances
        # are sharp edges)
        point = (round(a * x.value + c * y.value + e, 3), round(b * x.value + d * y.value + f, 3))
        if turned:
            point = frame.point(*point)
        if kind == R.FPDF_SEGMENT_MOVETO:
            subpaths.append([("m", point)])
            pending_bezier = 0
        elif not subpaths:
            raise _NotExact("path not starting with a move")
        elif kind == R.FPDF_SEGMENT_LINETO:
            subpaths[-1].append(("l", point))
        elif kind == R.FPDF_SEGMENT_BEZIERTO:
            pending_bezier += 1
            if pending_bezier < 3:  # control, control, end: one 'c' to pdfminer
                continue
            subpaths[-1].append(("c", point))
            pending_bezier = 0
        else:
            raise _NotExact("unknown path segment")
        if R.FPDFPathSegment_GetClose(seg):
            _close(subpaths[-1])
    for sub in subpaths:
        _paint(sub, fill, stroked, raw)


def _close(ops: list[tuple[str, tuple[float, float]]]) -> None:
    """pdfium marks a closed subpath on its last point (adding a line back to the start when
    needed); pdfminer has an 'h' there, and drops a line to the start just before it (when
    the path has more than 'mlh')."""
    start = ops[0][1]
    if len(ops) > 2 and ops[-1][0] == "l" and _same(ops[-1][1], start):
        ops[-1] = ("h", start)
    else:
        ops.append(("h", start))


def _same(p: tuple[float, float], q: tuple[float, float]) -> bool:
    return abs(p[0] - q[0]) < 1e-4 and abs(p[1] - q[1]) < 1e-4


def _paint(ops: list[tuple[str, tuple[float, float]]], fill: bool, stroke: bool, raw: RawPage) -> None:
    shape = "".join(op for op, _ in ops)
    pts = [p for _, p in ops]
    if shape in {"mlh", "ml"}:
        kind, pts = "line", pts[:2]
    elif shape in {"mlllh", "mllll"}:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts[:4]
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
            y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        kind = "rect" if _same(pts[0], pts[4]) and square else "curve"
        if kind == "rect":
            pts = [(x0, y0), (x2, y0), (x2, y2), (x0, y2)]
    else:
        kind = "curve"
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    h = raw.height
    top, bottom = round(h - max(ys), 4), round(h - min(ys), 4)
    obj = {"object_type": kind, "x0": min(xs), "x1": max(xs), "y0": min(ys), "y1": max(ys),
           "top": top, "bottom": bottom, "doctop": top,
           "width": round(max(xs) - min(xs), 4), "height": round(bottom - top, 4),
           "pts": [(px, round(h - py, 4)) for px, py in pts], "fill": fill, "stroke": stroke}
    {"rect": raw.rects, "line": raw.lines, "curve": raw.curves}[kind].append(obj)
