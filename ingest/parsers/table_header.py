"""The header of an indicator table: which column holds what, over one to three header rows.

- `header_role` names the role of one header cell from its words and their common variants and
  OCR slips ('Indikator Kinerja Utama', 'IKU', 'lndikator' -> `indikator`; 'Rencana', 'Tgt' ->
  `target`; 'Persentase Capaian', '(%)' -> `capaian`).
- `read_header` finds the header rows (they may sit under a title row spanning the table), and
  reads each column from every header cell that covers it, by the cells' boxes: a spanning cell
  ('INDIKATOR KINERJA TAHUN 2016' over 'TARGET | REALISASI') gives its year to the columns below
  it, and the lowest cell that names a role decides the column's role.  Rows that number the
  columns ('1 2 3', '(6)=(5)/(4)') end the header and are never data.  A cell spanning columns
  that have no header of their own ('Anggaran' over 'Rp' | amount) makes them one value
  (`Layout.joined`); 'Target | Capaian | %' has its realised figure under 'Capaian'.
- `is_summary_label` tells the label of a summary row ('Rata-rata', 'Jumlah', 'Total',
  'Capaian Sasaran 1') from an indicator's name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.layout import Cell, Table

ROLES = ("no", "sasaran", "indikator", "satuan", "target", "realisasi", "capaian",
         "tw1", "tw2", "tw3", "tw4", "program", "anggaran", "keterangan")

_TW_RE = re.compile(r"\b(?:tw|triwulan|tri\s*wulan|trw)\s*[-.]?\s*(iv|iii|ii|i|[1-4])\b", re.I)
_TW_NUM = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEAR_RE = re.compile(r"\b((?:19|20)\d\d)\b")

# Role words with the variants offices print and the slips OCR makes ('l'/'1' for 'i', a space
# inside a word).  Order matters: the first rule that matches names the role.
_RULES: tuple[tuple[str, str], ...] = (
    (r"^(no|nomor|no\s*urut|nmr)\s*[.,]?$", "no"),
    (r"[il1|]\s*nd\s*[il1|]\s*ka\s*t\s*[o0]\s*r|\bindicator|^iku\b|\biku$|\(iku\)", "indikator"),
    (r"^sumber\s*(dana|anggaran|pembiayaan)\b", "keterangan"),  # where the money comes from
    (r"\banggaran|\bpagu\b|alokasi|\bdana\b|\bbiaya\b", "anggaran"),  # not 'pelanggaran'
    (r"sasaran|tujuan", "sasaran"),
    (r"capa\s*[il1]\s*an|\bcapai\b|\bpencapaian|^\(?%\)?$|^persen(tase)?$|^pers?\.?\s*\(?%\)?$", "capaian"),
    (r"satuan|^sat\.?$|\bunit\b", "satuan"),
    (r"real\s*[il1]\s*[sz]\s*as\s*[il1]|real[il1]sa[il1]?|relisasi|^real\.?\b", "realisasi"),
    (r"targ\s*e\s*t|\btarget|^tgt\.?\b|^trgt\.?\b|\brencana\b|\bsasaran\s+target", "target"),
    (r"program|kegiatan", "program"),
    (r"^(keterangan|ket)\s*\.?$", "keterangan"),
)


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "")).strip().lower()


def header_role(text: str | None) -> str | None:
    """The column role a header cell names ('Indikator Kinerja' -> 'indikator'), or None."""
    t = _norm(text)
    if not t:
        return None
    if re.search(r"renstra|rpjmd|akhir\s+periode|jangka\s+menengah", t):
        return None  # the plan's end target, not the year's
    if re.search(r"real[il1]sasi", t) and re.search(r"\bs\.?\s*[d/]|sampai|kumulatif", t):
        return "realisasi"  # 'Realisasi s.d. Triwulan IV' is the year's realisation
    tw = _TW_RE.search(t)
    if tw:
        return f"tw{_TW_NUM[tw.group(1).lower()]}"
    for pattern, role in _RULES:
        if re.search(pattern, t):
            return role
    return None


def header_year(text: str | None) -> int | None:
    """The year a header cell names ('Target 2022', 'TAHUN 2016'), or None."""
    m = _YEAR_RE.search(text or "")
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class Layout:
    """What the header of a table says: a role (or None) and a year (or None) per column.

    `header_rows` is the index of the first body row (title, header and column-number rows
    come before it).
    """

    roles: tuple[str | None, ...]
    years: tuple[int | None, ...]
    header_rows: int
    # columns one header cell spans with no header of their own below it ('Anggaran' over a
    # 'Rp' column and the amount's): one value printed in several cells
    joined: tuple[tuple[int, ...], ...] = ()

    def group(self, col: int) -> tuple[int, ...]:
        """The columns printing one value with column `col` (itself alone when none)."""
        return next((g for g in self.joined if col in g), (col,))

    def columns(self, role: str) -> list[int]:
        """The indexes of the columns with `role`, left to right."""
        return [i for i, r in enumerate(self.roles) if r == role]

    def column(self, role: str, year: int | None = None) -> int | None:
        """The column of `role`; with several, the one headed `year`, else the first not headed
        by another year (a year spanning a group may reach only some of its columns), else the
        first."""
        cols = self.columns(role)
        if year is not None:
            for i in cols:
                if self.years[i] == year:
                    return i
            unheaded = [i for i in cols if self.years[i] is None]
            if unheaded and len(unheaded) < len(cols):
                return unheaded[0]
        return cols[0] if cols else None

    @property
    def role_set(self) -> set[str]:
        """The roles present."""
        return {r for r in self.roles if r}


def texts_of(row: Sequence[Cell | None]) -> list[str | None]:
    """The texts of a row's cells (None for spanned positions)."""
    return [c.text if c else None for c in row]


_COLNUM_CELL_RE = re.compile(r"^\(?\s*(\d{1,2})\s*\)?(?P<rest>[\s\d()=/:x×*%+.\-]*)$", re.I)


def is_column_number_row(texts: Sequence[str | None]) -> bool:
    """True for a row that only numbers the columns ('1 2 3 4 5', '(1) (2) ... (6)=(5)/(4)')."""
    values: list[int] = []
    for t in texts:
        if not t or not t.strip():
            continue
        m = _COLNUM_CELL_RE.match(re.sub(r"\s+", " ", t.strip()))
        if m is None:
            return False
        values.append(int(m.group(1)))
    if len(values) < 2:
        return False
    steps = [b - a for a, b in zip(values, values[1:], strict=False)]
    return values[0] <= 2 and all(1 <= d <= 3 for d in steps)  # merged columns may skip one


def _is_subheader(texts: Sequence[str | None]) -> bool:
    """A header row below the first: every cell a role word, a year, a quarter or a unit mark."""
    cells = [_norm(t) for t in texts if t and t.strip()]
    if not cells:
        return False
    if len(cells) == 1 and len(texts) > 2 and header_role(cells[0]) is not None:
        return False  # one heading across the table ('Tujuan: ...') is a body row
    plain = (r"((19|20)\d\d|tw.*|triwulan.*|[ivx]{1,4}|\(?%\)?|\d\s*-\s*\d|tahun\s*(19|20)\d\d|n|n-\d|"
             r"(kinerja|nilai|angka|fisik|keuangan|kumulatif|tahun\s+(ini|lalu|berjalan))(\s+(19|20)\d\d)?)")
    return all(re.fullmatch(plain, c) or (header_role(c) is not None and len(c) <= 40)
               for c in cells)


def _column_centres(table: Table) -> list[float | None]:
    """A point inside each grid column: near the left of its narrowest cell (a column that only
    holds merged cells still gets a point of its own)."""
    n = max((len(r) for r in table.rows), default=0)
    out: list[float | None] = []
    for j in range(n):
        cells = [c for r in table.rows if j < len(r) and (c := r[j]) is not None]
        narrow = min(cells, key=lambda c: c.box.width) if cells else None
        out.append(narrow.box.x0 + min(narrow.box.width, 40.0) / 2 if narrow else None)
    return out


def _covered(table: Table, centres: list[float | None], i: int, j: int, first: bool) -> list[int]:
    """The columns the header cell at (i, j) covers: by its box; in the first header row also
    the spanned positions to its right (nothing above them can span down)."""
    row = table.rows[i]
    cell = row[j]
    assert cell is not None
    cols = {k for k, cx in enumerate(centres)
            if cx is not None and cell.box.x0 - 1 <= cx <= cell.box.x1 + 1}
    cols.add(j)
    k = j + 1
    while first and k < len(row) and row[k] is None:
        cols.add(k)
        k += 1
    return sorted(cols)


def _header_start(table: Table) -> int | None:
    for i in range(min(3, len(table.rows))):
        roles = {header_role(t) for t in texts_of(table.rows[i])} - {None}
        if len(roles) >= 2:
            return i
    return None


def read_header(table: Table) -> Layout | None:
    """The column roles of `table` from its header rows; None when fewer than two roles are named.

    The header starts at the first of the top three rows naming two roles; the rows below it
    that only hold role words, years or quarters belong to it; column-number rows end it.
    """
    if not table.rows:
        return None
    start = _header_start(table)
    if start is None:
        return None
    end = start + 1
    while end < len(table.rows) and end <= start + 2:
        texts = texts_of(table.rows[end])
        if is_column_number_row(texts) or not _is_subheader(texts):
            break
        end += 1
    n = max(len(r) for r in table.rows)
    centres = _column_centres(table)
    roles: list[str | None] = [None] * n
    years: list[int | None] = [None] * n
    headed: list[int] = [0] * n  # header cells naming something over each column
    spans: list[tuple[int, ...]] = []
    for i in range(start, end):
        for j, cell in enumerate(table.rows[i]):
            if cell is not None and cell.text.strip():
                for k in _covered(table, centres, i, j, i == start):
                    headed[k] += 1
    for i in range(start, end):
        row = table.rows[i]
        for j, cell in enumerate(row):
            if cell is None or not cell.text.strip():
                continue
            role, year = header_role(cell.text), header_year(cell.text)
            cols = _covered(table, centres, i, j, i == start)
            if role is not None and len(cols) >= 2 and all(headed[k] == 1 for k in cols):
                spans.append(tuple(cols))
            # The lowest cell naming a role decides (a quarter under 'Target' is a quarter), but
            # a lower cell spanning columns that already differ only gives its year.
            if role is not None and (len(cols) == 1 or len({roles[k] for k in cols} - {None}) <= 1):
                for k in cols:
                    roles[k] = role
            if year is not None:
                for k in cols:
                    years[k] = year
    if len({r for r in roles if r}) < 2:
        return None
    head_texts = [_header_text(table, start, end, k, centres) for k in range(n)]
    capaian_as_realisasi(roles, years, head_texts)
    tujuan_beside_sasaran(roles, head_texts)
    while end < len(table.rows) and is_column_number_row(texts_of(table.rows[end])):
        end += 1
    return Layout(tuple(roles), tuple(years), end, tuple(spans))


def _header_text(table: Table, start: int, end: int, k: int, centres: list[float | None]) -> str:
    """The header words over column `k` (every header cell covering it, top to bottom)."""
    out = []
    for i in range(start, end):
        for j, cell in enumerate(table.rows[i]):
            if cell is not None and k in _covered(table, centres, i, j, i == start):
                out.append(cell.text)
    return " ".join(out)


def tujuan_beside_sasaran(roles: list[str | None], texts: list[str]) -> None:
    """'Tujuan | Sasaran | Indikator': a Tujuan column beside a Sasaran column is not the
    sasaran (a column headed 'Tujuan/Sasaran' alone still is); changed in place."""
    cols = [k for k, r in enumerate(roles) if r == "sasaran"]
    named = [k for k in cols if re.search(r"sasaran", texts[k], re.I)]
    if named and len(named) < len(cols):
        for k in cols:
            if k not in named:
                roles[k] = None


def capaian_as_realisasi(roles: list[str | None], years: list[int | None], texts: list[str]) -> None:
    """'Target | Capaian | %': without a Realisasi column, a Capaian column beside one headed by
    '%' or 'Persentase' alone holds the realised figure (same year); changed in place."""
    if "realisasi" in roles or "target" not in roles:
        return
    ratio = [k for k, r in enumerate(roles)
             if r == "capaian" and re.search(r"%|persen", texts[k], re.I)]
    plain = [k for k, r in enumerate(roles) if r == "capaian" and k not in ratio]
    for k in plain:
        if any(years[k] == years[q] for q in ratio):
            roles[k] = "realisasi"


# --- summary rows ------------------------------------------------------------------------------

_SUMMARY_RE = re.compile(
    r"^(jum[l1i]ah\s+)?(rata[\s-]*ra[a-z]a|rata2|rerata|jum[l1i]ah|tota[l1i]|sub\s*tota[l1i]|"
    r"nilai\s+rata[\s-]*rata)"
    r"(\s+(capaian|nilai|kinerja|sasaran|strategis|keseluruhan|seluruh|iku|indikator|total|"
    r"rata[\s-]*rata|\(?%\)?|\d+))*\s*[:.]?$"
    r"|^capaian\s+(rata[\s-]*rata|sasaran|kinerja\s+sasaran|total|keseluruhan)\b", re.I)


def is_summary_label(text: str | None) -> bool:
    """True for the label of a summary row: 'Rata-rata', 'Jumlah', 'Total', 'Rata-rata Capaian',
    'Capaian Sasaran Strategis 1'; an indicator named 'Jumlah pengaduan' is not one."""
    t = re.sub(r"\s+", " ", text or "").strip()
    return bool(t) and bool(_SUMMARY_RE.match(t))
