"""Measurement tables drawn with the reportlab canvas, in the styles offices export them.

`draw_table` draws a grid of cell texts (explicit line breaks, merged cells as spans) in one of
four styles:
- `ruled`: every cell border stroked;
- `filled`: every cell a filled rectangle with a thin white gap around it, no stroke (Word exports
  of shaded tables); `filled-spaced`: the same with gaps wide enough to part the rectangles;
- `borderless`: text only, columns shown by alignment;
- `header-ruled`: the header rows ruled, the body text only (partly ruled);
- `hrules` / `vrules`: only the rules between rows / between columns (partly ruled).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

Grid = Sequence[Sequence[str | None]]
Span = tuple[int, int, int, int]  # row, col, rowspan, colspan

LINE = 11.0
PAD = 4.0
FONT = 9


def row_heights(rows: Grid, spans: Sequence[Span] = (), pad: float = PAD) -> list[float]:
    covered = _covered(spans)
    out = []
    for r, row in enumerate(rows):
        lines = [len((t or "").split("\n")) for c, t in enumerate(row)
                 if t is not None and (r, c) not in covered and not _spans_down(spans, r, c)]
        out.append(max(lines or [1]) * LINE + 2 * pad)
    return out


def _spans_down(spans: Sequence[Span], r: int, c: int) -> bool:
    return any(sr == r and sc == c and rs > 1 for sr, sc, rs, _ in spans)


def _covered(spans: Sequence[Span]) -> set[tuple[int, int]]:
    out = set()
    for r, c, rs, cs in spans:
        out |= {(r + i, c + j) for i in range(rs) for j in range(cs)} - {(r, c)}
    return out


def draw_table(c: Canvas, x: float, top: float, widths: Sequence[float], rows: Grid, *,
               spans: Sequence[Span] = (), style: str = "ruled", header_rows: int = 1,
               page_height: float | None = None, pad: float = PAD, font: str = "Helvetica",
               overprint: Sequence[int] = ()) -> float:
    """Draw `rows` with its top-left at (x, top) in top-down points; returns the bottom.
    The header and the columns `overprint` are made bold by printing them twice 0.4 pt apart."""
    height = page_height or c._pagesize[1]
    heights = row_heights(rows, spans, pad)
    xs = [x]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [top]
    for h in heights:
        ys.append(ys[-1] + h)
    covered = _covered(spans)
    span_of = {(r, col): (rs, cs) for r, col, rs, cs in spans}
    c.setFont(font, FONT)
    for r, row in enumerate(rows):
        for col, text in enumerate(row):
            if (r, col) in covered:
                continue
            rs, cs = span_of.get((r, col), (1, 1))
            x0, x1, y0, y1 = xs[col], xs[col + cs], ys[r], ys[r + rs]
            ruled = style == "ruled" or (style == "header-ruled" and r < header_rows)
            if style in ("filled", "filled-spaced"):
                inset = 1.5 if style == "filled" else 4.0
                c.setFillGray(0.85 if r < header_rows else 0.95)
                c.rect(x0 + inset, height - y1 + inset, x1 - x0 - 2 * inset, y1 - y0 - 2 * inset,
                       stroke=0, fill=1)
                c.setFillGray(0)
            elif ruled:
                c.setLineWidth(0.6)
                c.rect(x0, height - y1, x1 - x0, y1 - y0, stroke=1, fill=0)
            elif style == "hrules":  # rules between rows only (no vertical rule)
                c.setLineWidth(0.6)
                c.line(x0, height - y1, x1, height - y1)
                if r == 0:
                    c.line(x0, height - y0, x1, height - y0)
            elif style == "vrules":  # rules between columns only (no horizontal rule)
                c.setLineWidth(0.6)
                c.line(x0, height - y0, x0, height - y1)
                c.line(x1, height - y0, x1, height - y1)
            lines = (text or "").split("\n")
            ty = y0 + pad + FONT
            if rs > 1 or r < header_rows:  # merged and header cells centred vertically
                ty = (y0 + y1) / 2 - (len(lines) - 1) * LINE / 2 + FONT / 3
            twice = (0.0, 0.4) if overprint and (col in overprint or r < header_rows) else (0.0,)
            for i, ln in enumerate(lines):
                for dx in twice:
                    if r < header_rows or _numeric(ln):
                        c.drawCentredString((x0 + x1) / 2 + dx, height - (ty + i * LINE), ln)
                    else:
                        c.drawString(x0 + PAD + dx, height - (ty + i * LINE), ln)
    return ys[-1]


def _numeric(text: str) -> bool:
    t = text.strip().rstrip("%").replace(".", "").replace(",", "")
    return t.isdigit()


def text(c: Canvas, x: float, top: float, line: str, size: int = 10,
         page_height: float | None = None) -> None:
    c.setFont("Helvetica", size)
    c.drawString(x, (page_height or c._pagesize[1]) - top, line)


def sideways(c: Canvas) -> float:
    """Turn the drawing frame so the next drawing lies across a portrait page (read by turning
    the paper clockwise); returns the frame's height to pass as `page_height`."""
    width = c._pagesize[0]
    c.translate(width, 0)
    c.rotate(90)
    return width


def canvas(path: Path, sideways: bool = False) -> Canvas:
    return Canvas(str(path), pagesize=landscape(A4) if sideways else A4)


def cover(c: Canvas, year: int, office: str = "DINAS PERHUBUNGAN KABUPATEN SUKAMAJU") -> None:
    """A cover page and a foreword with the signature."""
    text(c, 120, 200, "LAPORAN KINERJA INSTANSI PEMERINTAH", 14)
    text(c, 120, 222, f"TAHUN {year}", 14)
    text(c, 120, 260, office, 12)
    c.showPage()
    text(c, 72, 80, "KATA PENGANTAR", 12)
    text(c, 72, 110, "Laporan ini disusun sebagai pertanggungjawaban kinerja.")
    text(c, 330, 200, f"Sukamaju, 20 Februari {year + 1}")
    text(c, 330, 214, "Kepala Dinas,")
    text(c, 330, 260, "Drs. Bambang Wijaya, M.Si.")
    text(c, 330, 274, "NIP. 19700101 199503 1 002")
    c.showPage()
