"""Drawing the zoo's SOPs (`tests/ingest/sop_zoo.py`): born-digital with reportlab, and scans of them.

`write_zoo_pdf(spec, path)` draws the identity page and the flowchart pages; `scan_of(pdf, out, seed)`
rasterises every page (100-200 DPI) and stores the pictures as an image-only PDF, as a scanner
does: a slight skew, noise, a stamp over the signatory, greyscale or bilevel.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import cv2
import numpy as np
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from tests.ingest.scan_images import skewed, stamped
from tests.ingest.sop_fixtures import wrap
from tests.ingest.sop_zoo import Step, ZooSpec, printed_date

PAGE_W, PAGE_H = landscape(A4)
X0, X1 = 30.0, 812.0


class _Pen:
    """A canvas with the spec's font, top-based coordinates and the stamp spots drawn so far."""

    def __init__(self, c: Canvas, spec: ZooSpec) -> None:
        self.c, self.spec = c, spec
        self.lead = spec.size * 1.3
        self.page = 0
        self.stamps: list[tuple[int, float, float]] = []  # (page, x, top) in points
        c.setFont(spec.font, spec.size)

    def text(self, x: float, top: float, s: str, center: bool = False) -> None:
        y = PAGE_H - top - self.spec.size
        if center:
            self.c.drawCentredString(x, y, s)
        else:
            self.c.drawString(x, y, s)

    def wrap(self, text: str, width: float) -> list[str]:
        return wrap(self.c, text, width, self.spec.font, self.spec.size)

    def lines(self, x0: float, top: float, x1: float, text: str, center: bool = False) -> float:
        """`text` wrapped into x0..x1 from `top`; returns the height used."""
        rows = self.wrap(text, x1 - x0 - 6)
        for i, line in enumerate(rows):
            if line:
                self.text((x0 + x1) / 2 if center else x0 + 3, top + 3 + i * self.lead, line, center)
        return len(rows) * self.lead + 6

    def box(self, x0: float, top: float, x1: float, bottom: float) -> None:
        self.c.rect(x0, PAGE_H - bottom, x1 - x0, bottom - top, stroke=1, fill=0)

    def hline(self, x0: float, x1: float, top: float) -> None:
        self.c.line(x0, PAGE_H - top, x1, PAGE_H - top)

    def next_page(self) -> None:
        self.c.showPage()
        self.c.setFont(self.spec.font, self.spec.size)
        self.page += 1


def write_zoo_pdf(spec: ZooSpec, path: Path) -> list[tuple[int, float, float]]:
    """Draw `spec` to `path`; returns where a stamp goes (page, x, top in points)."""
    pen = _Pen(Canvas(str(path), pagesize=(PAGE_W, PAGE_H)), spec)
    _identity(pen)
    pen.next_page()
    _flow(pen)
    pen.c.save()
    return pen.stamps


# -- the identity page ------------------------------------------------------------------------

def _signature(spec: ZooSpec) -> str:
    nip = spec.nip
    return "\n".join((*spec.jabatan, "", "", spec.nama, spec.pangkat, f"NIP. {nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"))


def _values(spec: ZooSpec) -> list[tuple[str, str]]:
    made, revised, effective = spec.dates
    lab = spec.labels
    return [(lab["nomor"], spec.nomor), (lab["pembuatan"], printed_date(made)), (lab["revisi"], printed_date(revised)),
            (lab["efektif"], printed_date(effective)), (lab["disahkan"], _signature(spec)), (lab["nama"], spec.title)]


def _items(spec: ZooSpec, key: str) -> list[str]:
    items = spec.lists[key]
    if not items:
        return ["-"] if spec.seed % 2 else []
    if len(items) == 1 and not spec.numbered:
        return list(items)
    return [f"{i + 1}. {item}" if spec.numbered else f"- {item}" for i, item in enumerate(items)]


def _stamp_at(pen: _Pen, x: float, top: float) -> None:
    pen.stamps.append((pen.page, x, top + 2.5 * pen.lead))  # over the blank lines above the name


def _kop_centred(pen: _Pen) -> float:
    top = 24.0
    for line in pen.spec.kop:
        pen.text(PAGE_W / 2, top, line, center=True)
        top += pen.lead
    pen.hline(X0, X1, top + 3)
    return top + 12


def _identity(pen: _Pen) -> None:
    spec = pen.spec
    if spec.identity in ("grid", "colon-grid"):
        top = _label_grid(pen, colon=spec.identity == "colon-grid")
        _list_grid(pen, top + 8)
    elif spec.identity == "four-col":
        top = _four_col(pen, _kop_centred(pen))
        _list_grid(pen, top + 8)
    elif spec.identity == "lines":
        top = _label_lines(pen, _kop_centred(pen))
        _list_lines(pen, top + 6)
    else:
        top = _label_row(pen, _kop_centred(pen))
        _list_lines(pen, top + 6)


def _label_grid(pen: _Pen, colon: bool) -> float:
    xm, xl, x1 = 330.0, 450.0, X1
    xv = xl + 12 if colon else xl
    top = 24.0
    heights = [max(pen.lead * len(pen.wrap(v, x1 - xv - 6)) + 8, 20.0) for _, v in _values(pen.spec)]
    pen.box(X0, top, xm, top + sum(heights))
    pen.lines(X0, top + sum(heights) / 2 - 2 * pen.lead, xm, "\n".join(pen.spec.kop), center=True)
    for (label, value), h in zip(_values(pen.spec), heights, strict=True):
        pen.box(xm, top, xl, top + h)
        pen.lines(xm, top, xl, label)
        if colon:
            pen.box(xl, top, xv, top + h)
            pen.text(xl + 4, top + 3, ":")
        pen.box(xv, top, x1, top + h)
        pen.lines(xv, top, x1, value)
        if label == pen.spec.labels["disahkan"]:
            _stamp_at(pen, xv + 40, top)
        top += h
    return top


def _four_col(pen: _Pen, top: float) -> float:
    xs = (X0, 150.0, 420.0, 540.0, X1)
    vals = _values(pen.spec)
    rows = [(vals[0], vals[1]), (vals[2], vals[3])]
    for pair in rows:
        h = 22.0
        for j, (label, value) in enumerate(pair):
            pen.box(xs[2 * j], top, xs[2 * j + 1], top + h)
            pen.lines(xs[2 * j], top, xs[2 * j + 1], label)
            pen.box(xs[2 * j + 1], top, xs[2 * j + 2], top + h)
            pen.lines(xs[2 * j + 1], top, xs[2 * j + 2], value)
        top += h
    for label, value in (vals[5], vals[4]):
        h = max(22.0, pen.lead * len(pen.wrap(value, X1 - xs[1])) + 8)
        pen.box(xs[0], top, xs[1], top + h)
        pen.lines(xs[0], top, xs[1], label)
        pen.box(xs[1], top, X1, top + h)
        pen.lines(xs[1], top, X1, value)
        if label == pen.spec.labels["disahkan"]:
            _stamp_at(pen, xs[1] + 40, top)
        top += h
    return top


def _label_lines(pen: _Pen, top: float) -> float:
    for label, value in _values(pen.spec):
        top = _label_line(pen, top, label, value)
    return top


def _label_line(pen: _Pen, top: float, label: str, value: str) -> float:
    """`Label : value` at `top` (the value's lines under each other); the top below it."""
    pen.text(40, top, label)
    pen.text(190, top, ":")
    if label == pen.spec.labels["disahkan"]:
        _stamp_at(pen, 240, top)
    for line in value.split("\n"):
        if line:
            pen.text(200, top, line)
        top += pen.lead
    return top


def _label_row(pen: _Pen, top: float) -> float:
    vals = _values(pen.spec)
    ruled = pen.spec.seed % 2 == 0
    xs = (X0, 225.0, 420.0, 615.0, X1)
    for j, (label, value) in enumerate(vals[:4]):
        if ruled:
            pen.box(xs[j], top, xs[j + 1], top + 16)
            pen.box(xs[j], top + 16, xs[j + 1], top + 34)
        pen.text(xs[j] + 4, top + 3, label)
        pen.text(xs[j] + 4, top + 19, value)
    top += 46
    for label, value in (vals[5], vals[4]):
        top = _label_line(pen, top, label, value) + 4
    return top


def _list_grid(pen: _Pen, top: float) -> None:
    keys = list(pen.spec.lists)
    half = (X0 + X1) / 2
    for i in range(0, len(keys), 2):
        texts = [f"{pen.spec.labels[k]} :\n" + "\n".join(_items(pen.spec, k)) for k in keys[i:i + 2]]
        h = max(len(pen.wrap(t, half - X0 - 6)) for t in texts) * pen.lead + 8
        for j, t in enumerate(texts):
            xa = X0 if j == 0 else half
            pen.box(xa, top, xa + half - X0, top + h)
            pen.lines(xa, top, xa + half - X0, t.strip())
        top += h


def _list_lines(pen: _Pen, top: float) -> None:
    for key in pen.spec.lists:
        pen.text(40, top, f"{pen.spec.labels[key]} :")
        top += pen.lead
        for item in _items(pen.spec, key):
            pen.text(52, top, item)
            top += pen.lead
        top += 3


# -- the flowchart ------------------------------------------------------------------------------

def _columns(spec: ZooSpec) -> tuple[list[float], list[str]]:
    """Column edges and each column's role: no, kegiatan, actor:i / pelaksana, quality, keterangan."""
    roles = ["no", "kegiatan"]
    widths = [28.0, 190.0]
    if spec.flow == "symbols":
        roles += [f"actor:{i}" for i in range(len(spec.actors))]
        widths += [56.0] * len(spec.actors)
    else:
        roles.append("pelaksana")
        widths.append(120.0)
    roles += ["kelengkapan", "waktu", "output", "keterangan"]
    widths += [96.0, 66.0, 96.0, 56.0]
    scale = min(1.0, (X1 - X0) / sum(widths))
    xs = [X0]
    for w in widths:
        xs.append(xs[-1] + w * scale)
    return xs, roles


def _flow(pen: _Pen) -> None:
    spec = pen.spec
    xs, roles = _columns(spec)
    pen.text(X0, 24, f"SOP {spec.title}")
    top = _header(pen, xs, roles, 40.0)
    steps = list(spec.steps)
    for start in range(0, len(steps), spec.rows_per_page):
        if start:
            pen.next_page()
            top = _header(pen, xs, roles, 30.0) if spec.repeat_header else 30.0
            if spec.rules != "none":
                pen.hline(xs[0], xs[-1], top)
        centres: list[tuple[float, float, float]] = []
        for step in steps[start:start + spec.rows_per_page]:
            top = _step_row(pen, xs, roles, step, top, centres)
        for (xa, ya, ha), (xb, yb, hb) in zip(centres, centres[1:], strict=False):
            _connector(pen, xa, ya + ha, xb, yb - hb)
    if spec.legend:  # a note under the table, then the signatory
        top += 3 * pen.lead
        pen.text(X0, top, "Catatan: SOP ini berlaku sejak tanggal ditetapkan.")
        for i, line in enumerate(_signature(spec).split("\n")):
            pen.text(560, top + (i + 2) * pen.lead, line)


def _rule(pen: _Pen, xs: list[float], top: float, bottom: float, cells: list[tuple[int, int]]) -> None:
    """Rules of one band of cells (column index spans), as the spec's ruling says."""
    if pen.spec.rules == "full":
        for a, b in cells:
            pen.box(xs[a], top, xs[b], bottom)
    elif pen.spec.rules == "rows":
        pen.hline(xs[0], xs[-1], top)
        pen.hline(xs[0], xs[-1], bottom)


def _header(pen: _Pen, xs: list[float], roles: list[str], top: float) -> float:
    spec = pen.spec
    mid = top + pen.lead + 8  # the group names above, the sub-headers (two lines at most) below
    h = mid - top + 2 * pen.lead + 8
    first_actor = roles.index("actor:0") if "actor:0" in roles else None
    q0 = roles.index("kelengkapan")
    spans: list[tuple[int, int]] = []
    for j, role in enumerate(roles):
        if role in ("no", "kegiatan", "pelaksana", "keterangan"):
            name = spec.headers.get(role, "Pelaksana")
            pen.lines(xs[j], top + h / 2 - pen.lead / 2 - 3, xs[j + 1], name, center=True)
            spans.append((j, j + 1))
    if first_actor is not None:
        last = first_actor + len(spec.actors)
        pen.lines(xs[first_actor], top, xs[last], "Pelaksana", center=True)
        spans.append((first_actor, last))
        for i, actor in enumerate(spec.actors):
            pen.lines(xs[first_actor + i], mid, xs[first_actor + i + 1], actor, center=True)
    pen.lines(xs[q0], top, xs[q0 + 3], spec.headers["group"], center=True)
    for j, role in enumerate(("kelengkapan", "waktu", "output")):
        pen.lines(xs[q0 + j], mid, xs[q0 + j + 1], spec.headers[role], center=True)
    if spec.rules == "full":
        for a, b in spans:
            if b - a > 1:  # a spanning group: its cell over the sub-headers
                pen.box(xs[a], top, xs[b], mid)
                for k in range(a, b):
                    pen.box(xs[k], mid, xs[k + 1], top + h)
            else:
                pen.box(xs[a], top, xs[b], top + h)
        pen.box(xs[q0], top, xs[q0 + 3], mid)
        for k in range(q0, q0 + 3):
            pen.box(xs[k], mid, xs[k + 1], top + h)
    elif spec.rules == "rows":
        pen.hline(xs[0], xs[-1], top)
        pen.hline(xs[0], xs[-1], top + h)
    top += h
    if spec.column_numbers:
        for j in range(len(roles)):
            pen.text((xs[j] + xs[j + 1]) / 2, top + 2, str(j + 1), center=True)
        _rule(pen, xs, top, top + 13, [(j, j + 1) for j in range(len(roles))])
        top += 13
    return top


def _step_row(pen: _Pen, xs: list[float], roles: list[str], step: Step, top: float,
              centres: list[tuple[float, float, float]]) -> float:
    spec = pen.spec
    texts = {"no": f"{step.no}" if spec.bare_numbers else f"{step.no}.", "kegiatan": step.kegiatan,
             "pelaksana": spec.actors[step.actor], "kelengkapan": step.kelengkapan, "waktu": step.waktu,
             "output": step.output, "keterangan": "-" if step.no % 3 == 0 else ""}
    counts = {r: len(pen.wrap(texts.get(r, ""), xs[j + 1] - xs[j] - 6)) for j, r in enumerate(roles)}
    h = max(max(counts.values()) * pen.lead + 10, 36.0 if spec.flow == "symbols" else 20.0)
    for j, role in enumerate(roles):
        if role in texts:
            drop = (h - counts[role] * pen.lead - 8) / 2 if spec.middle else 0.0
            pen.lines(xs[j], top + 2 + drop, xs[j + 1], texts[role], center=role == "no")
    _rule(pen, xs, top, top + h, [(j, j + 1) for j in range(len(roles))])
    if spec.flow == "symbols":
        j = roles.index(f"actor:{step.actor}")
        cx, cy = (xs[j] + xs[j + 1]) / 2, top + h / 2
        half = _symbol(pen, cx, cy, "diamond" if step.decision else
                       "capsule" if step.no in (1, len(spec.steps)) else "rect")
        if step.decision:  # the branches' words beside the diamond
            pen.text(cx - 27, cy - 13, "Tidak")
            pen.text(cx + 3, cy + 12, "Ya")
        centres.append((cx, cy, half))
    return top + h


def _symbol(pen: _Pen, cx: float, cy: float, shape: str) -> float:
    c, w, h = pen.c, 38.0, 16.0
    if shape == "rect":
        c.rect(cx - w / 2, PAGE_H - cy - h / 2, w, h, stroke=1, fill=0)
    elif shape == "capsule":
        c.roundRect(cx - w / 2, PAGE_H - cy - h / 2, w, h, h / 2, stroke=1, fill=0)
    else:
        p = c.beginPath()
        p.moveTo(cx, PAGE_H - cy + 12)
        p.lineTo(cx + 20, PAGE_H - cy)
        p.lineTo(cx, PAGE_H - cy - 12)
        p.lineTo(cx - 20, PAGE_H - cy)
        p.close()
        c.drawPath(p, stroke=1, fill=0)
        return 12.0
    return h / 2


def _connector(pen: _Pen, xa: float, ya: float, xb: float, yb: float) -> None:
    p = pen.c.beginPath()
    p.moveTo(xa, PAGE_H - ya)
    p.lineTo(xa, PAGE_H - ya - 4)
    p.lineTo(xb, PAGE_H - ya - 4)
    p.lineTo(xb, PAGE_H - yb + 4)
    pen.c.drawPath(p, stroke=1, fill=0)
    head = pen.c.beginPath()
    head.moveTo(xb - 3, PAGE_H - yb + 4)
    head.lineTo(xb + 3, PAGE_H - yb + 4)
    head.lineTo(xb, PAGE_H - yb)
    head.close()
    pen.c.drawPath(head, stroke=1, fill=1)


# -- scans --------------------------------------------------------------------------------------

def scan_of(pdf: Path, out: Path, seed: int, stamps: list[tuple[int, float, float]]) -> Path:
    """`pdf` printed and scanned: each page a picture (100-200 DPI, skew, noise, stamp), no text."""
    import pypdfium2 as pdfium
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    rng = random.Random(seed * 7919 + 1)
    dpi = rng.choice((100, 150, 200))
    bilevel = rng.random() < 0.3
    noise = np.random.default_rng(seed)
    c = Canvas(str(out))
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for index in range(len(doc)):
            page = doc[index]
            w, h = page.get_size()
            img = np.array(page.render(scale=dpi / 72.0).to_numpy()[..., :3])
            for p, x, top in stamps:
                if p == index:
                    img = stamped(img, (int(x * dpi / 72), int(top * dpi / 72)), int(rng.uniform(0.45, 0.6) * dpi))
            img = skewed(img, rng.uniform(-0.8, 0.8))
            grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
            grey = cv2.GaussianBlur(grey, (3, 3), 0) + noise.normal(0, 9, grey.shape)
            grey = np.clip(grey, 0, 255).astype(np.uint8)
            if bilevel:
                grey = np.where(grey > 150, 255, 0).astype(np.uint8)
            buf = io.BytesIO()
            Image.fromarray(grey).save(buf, format="PNG")
            c.setPageSize((w, h))
            c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, w, h)
            c.showPage()
    finally:
        doc.close()
    c.save()
    return out
