"""Generic reading of an SOP flowchart table header: which rows are the header, which column is what.

Works on cell boxes only (never on grid indices), so a table rebuilt from OCR with slightly uneven
edges reads the same as one from a PDF text layer.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ingest.layout import Cell, Table
from ingest.model import WaktuUnit
from ingest.parsers._sop_waktu import header_unit
from ingest.text import join_lines

# "actor": one column per actor, the step's symbol drawn in its actor's column; "pelaksana": one
# column holding the actor's name as text in each row.
Role = Literal["no", "kegiatan", "actor", "pelaksana", "kelengkapan", "waktu", "output", "keterangan", "other"]

# A header text that names the column itself (matched against the whole normalised cell text).
_LEAF_ROLES: tuple[tuple[Role, re.Pattern[str]], ...] = (
    ("no", re.compile(r"no|nomor|no urut")),
    ("kegiatan", re.compile(r"kegiatan|aktivitas|aktifitas|uraian( prosedur| kegiatan)?|prosedur|"
                            r"uraian aktivitas|langkah( kegiatan)?|langkah-langkah( kegiatan)?|"
                            r"tahapan( kegiatan)?|uraian tugas|deskripsi( kegiatan)?")),
    ("pelaksana", re.compile(r"pelaksana( kegiatan)?|pelaku( kegiatan)?|penanggung ?jawab|unit pelaksana")),
    ("kelengkapan", re.compile(r"kelengkapan|persyaratan|syarat|persyaratan/perlengkapan")),
    ("waktu", re.compile(r"waktu( \(?(menit|jam|hari)\)?)?|menit|jam|waktu penyelesaian|durasi|"
                         r"lama( waktu)?|jangka waktu")),
    ("output", re.compile(r"output|keluaran|hasil|output/keluaran")),
    ("keterangan", re.compile(r"keterangan|ket|catatan")),
)
# Canonical header words, for OCR'd headers that miss a letter ('Palakeana', 'Kegiatam').
_FUZZY_LEAVES: tuple[tuple[Role, str], ...] = (
    ("kegiatan", "kegiatan"), ("kegiatan", "aktivitas"), ("kegiatan", "uraian prosedur"),
    ("kegiatan", "uraian kegiatan"), ("kegiatan", "uraian aktivitas"), ("kegiatan", "langkah kegiatan"),
    ("pelaksana", "pelaksana"),
    ("kelengkapan", "kelengkapan"), ("kelengkapan", "persyaratan"), ("waktu", "waktu"),
    ("output", "output"), ("keterangan", "keterangan"),
)
_FUZZY = 0.8
_ACTOR_GROUP = re.compile(r"unit kerja|pejabat( pelaksana)?|pihak( terkait| yang terlibat)?|aktor|pelaku( kegiatan)?")
_QUALITY_ROLES: tuple[Role, ...] = ("kelengkapan", "waktu", "output")
_OCR_DIGITS = str.maketrans({"l": "1", "I": "1", "|": "1", "!": "1", "O": "0", "o": "0", "s": "5", "S": "5"})
_STEP_NO = re.compile(r"^\s*(\d{1,3})\s*[.)]?\s*$")
_EDGE_TOL = 3.0


@dataclass(frozen=True)
class Column:
    """One leaf column of a flowchart table: its x-range, role, header text and Waktu unit."""

    x0: float
    x1: float
    role: Role
    name: str
    unit: WaktuUnit = "menit"

    @property
    def cx(self) -> float:
        """Horizontal centre."""
        return (self.x0 + self.x1) / 2


def norm_label(text: str | None) -> str:
    """A header or label as compared: lower case, single spaces, no colon or trailing dot."""
    s = join_lines(text or "").lower()
    s = re.sub(r"\s*/\s*", "/", s)
    return s.strip(" :.;").strip()


def leaf_role(text: str | None) -> Role | None:
    """The role named by a header cell on its own ('Uraian Prosedur' -> kegiatan), or None."""
    label = norm_label(text)
    for role, pattern in _LEAF_ROLES:
        if pattern.fullmatch(label):
            return role
    parts = {leaf_role(part) for part in label.split("/") if part.strip()} if "/" in label else set()
    if len(parts) == 1 and None not in parts:
        return parts.pop()  # 'Persyaratan/ Kelengkapan', 'Output/Hasil': two names of one role
    for role, word in _FUZZY_LEAVES:
        if len(label) >= 5 and similar(label, word):
            return role
    return None


def similar(a: str, b: str, threshold: float = _FUZZY) -> bool:
    """True when two labels read alike (OCR drops or swaps a letter)."""
    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio() >= threshold


def column_role(path: Sequence[str]) -> Role:
    """The role of a column from its header texts, top to bottom (group header first)."""
    leaf = path[-1] if path else ""
    if any(similar(norm_label(g), "pelaksana", 0.75) or leaf_role(g) == "pelaksana" or _ACTOR_GROUP.fullmatch(
            norm_label(g)) for g in path[:-1]):
        return "actor"  # 'Pelaksana', 'Pelaksana Kegiatan', 'Pelaku', 'Unit Kerja' over one column per actor
    return leaf_role(leaf) or "other"


def step_number(text: str | None) -> int | None:
    """The step number printed in a No cell ('1.', '12'), or None."""
    raw = (text or "").strip()
    if len(raw) <= 4:
        raw = raw.translate(_OCR_DIGITS)
    m = _STEP_NO.match(raw)
    return int(m.group(1)) if m else None


def row_cells(row: Sequence[Cell | None]) -> list[Cell]:
    """The real cells of a row (spanned positions dropped)."""
    return [c for c in row if c is not None]


def is_column_number_row(row: Sequence[Cell | None]) -> bool:
    """True for the row of column numbers (1 2 3 ... n) printed under some headers.

    OCR may misread or miss some of them ('5' as 's', '1' as '4', a small digit in a wide cell
    not read at all): a row of short cells whose numbers sit at their place in one run
    (position + constant), all but one of those read, still counts; so does a row whose
    No and activity cells hold two numbers in sequence and nothing else holds a letter.
    """
    cells = row_cells(row)
    texts = [c.text.strip() for c in cells]
    if len(texts) < 3 or any(len(t) > 4 for t in texts):
        return False
    filled = [(i, t) for i, t in enumerate(texts) if t]
    read = [(i, n) for i, t in filled if (n := _column_number(t)) is not None]
    if len(filled) - len(read) > 1 or len(read) < 2:
        return False
    # one number may be misread ('1' as '4') when all the others sit at their place in one run
    offsets = [n - i for i, n in read]
    agree = max(offsets.count(o) for o in set(offsets))
    if len(read) == 2:
        # only two read: the first two cells (No, activity) as 1 2 (or n, n+1), the rest blank
        return agree == 2 and len(filled) == 2 and read[0][0] == 0 and read[1][0] == 1
    if agree < 3:
        return False
    return agree == len(filled) or (agree >= 4 and agree >= len(filled) - 1)


def _column_number(text: str) -> int | None:
    m = re.fullmatch(r"\(?(\d{1,2})\)?", text.translate(_OCR_DIGITS))
    return int(m.group(1)) if m else None


def find_header(table: Table) -> tuple[int, int] | None:
    """(first, end) row indices of the flowchart header, or None when the table has none.

    The header starts at the first row naming the activity column (Kegiatan, Aktivitas, ...)
    and ends before the first row that is a step or the column-number row.
    """
    start = next(
        (i for i, row in enumerate(table.rows)
         if any(leaf_role(c.text) == "kegiatan" for c in row_cells(row))),
        None,
    )
    if start is None:
        return None
    activity = next(c for c in row_cells(table.rows[start]) if leaf_role(c.text) == "kegiatan")
    end = start + 1
    while end < len(table.rows) and end - start < 4:
        row = table.rows[end]
        if is_column_number_row(row) or _looks_like_step(row) or _has_activity(row, activity):
            break
        end += 1
    return start, end


def _has_activity(row: Sequence[Cell | None], header: Cell) -> bool:
    """A row with text of its own under the activity header is a step (its number unread), not
    a header row: the activity header spans the header's rows."""
    cell = next((c for c in row_cells(row) if c.box.x0 <= header.box.cx <= c.box.x1), None)
    return (cell is not None and cell is not header and bool(cell.text.strip())
            and leaf_role(cell.text) is None and cell.box.top >= header.box.bottom - 1)


def _looks_like_step(row: Sequence[Cell | None]) -> bool:
    """A row starting with a step number, in a No cell or before the activity ('1. Menerima')."""
    cells = row_cells(row)
    if not cells:
        return False
    first = min(cells, key=lambda c: c.box.x0).text
    return step_number(first) is not None or bool(re.match(r"^\s*\d{1,3}[.)]\s+[^\W\d]", first))


def columns_of(table: Table, first: int, end: int) -> list[Column]:
    """The leaf columns of `table` with their roles, read from header rows first..end-1."""
    edges = _edges(table)
    header = [row_cells(r) for r in table.rows[first:end]]
    columns: list[Column] = []
    leaves: list[Cell | None] = []
    for x0, x1 in zip(edges, edges[1:], strict=False):
        cx = (x0 + x1) / 2
        cells = [c for row in header for c in row if c.box.x0 - 1 <= cx <= c.box.x1 + 1]
        leaf = cells[-1] if cells else None
        if columns and leaf is not None and leaves[-1] is leaf:
            # A stray vertical edge (e.g. a connector line) split one column: both halves
            # sit under the same header cell, so they are one column.
            prev = columns[-1]
            columns[-1] = Column(prev.x0, x1, prev.role, prev.name, prev.unit)
            continue
        named = [c for c in cells if c.text.strip()]
        path = [join_lines(c.text) for c in named]
        role = column_role(path)
        if role == "pelaksana" and (named[-1].box.x0 < x0 - _EDGE_TOL or named[-1].box.x1 > x1 + _EDGE_TOL):
            # 'Pelaksana' over several columns whose own names were not read: actor columns
            role = "actor"
        unit = header_unit(" ".join(path)) if role == "waktu" else "menit"
        columns.append(Column(x0, x1, role, header_name(path[-1]) if path else "", unit))
        leaves.append(leaf)
    return infer_roles(columns)


def header_name(text: str) -> str:
    """A column header as a name; a Roman 'I' that OCR read as '|' or 'l' after a word is put back
    ('Asisten |' -> 'Asisten I')."""
    return re.sub(r"(?<=\w)\s+[|l]$", " I", text.strip())


def infer_roles(columns: list[Column]) -> list[Column]:
    """Fill roles an unreadable header left open, from position: the column left of the
    activity is No; unnamed columns between the activity and the quality columns are actors."""
    roles = [c.role for c in columns]
    if "kegiatan" not in roles:
        return columns
    k = roles.index("kegiatan")
    out = list(columns)
    if "no" not in roles and k > 0 and roles[k - 1] == "other":
        out[k - 1] = replace(out[k - 1], role="no")
    if "actor" not in roles:
        q = next((i for i, r in enumerate(roles) if r in _QUALITY_ROLES), len(roles))
        for i in range(k + 1, q):
            if roles[i] == "other" and out[i].name:
                out[i] = replace(out[i], role="actor")
    return out


def _edges(table: Table) -> list[float]:
    xs = sorted(
        x for row in table.rows for c in row_cells(row) for x in (c.box.x0, c.box.x1)
    )
    edges: list[float] = []
    for x in xs:
        if not edges or x - edges[-1] > _EDGE_TOL:
            edges.append(x)
    return edges
