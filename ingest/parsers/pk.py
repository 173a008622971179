"""Perjanjian Kinerja: the parties, the target table and the program/budget table.

The parties come from `_pk_parties` (labelled lines, prose, side-by-side signature blocks).  The
target table `No | Sasaran | Indikator | (Satuan) | Target` may hold several numbered indicators in
one cell and lettered or dashed sub-items with their own targets: items are separated by their
vertical positions (`indicators.row_items`), so OCR words work the same way as a text layer.  A
table measuring a year (Realisasi / Capaian columns, a PENGUKURAN title, another year in its
title) is not the agreement's.  The program table is ruled or a list aligned in columns; its
`Jumlah` row is the total, not a program.

Self-checks that become warnings, never values: the amounts against the printed Jumlah, the
title's year against the signing date, PIHAK PERTAMA's NIP structure and its TMT against the year.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from ingest import nip as nips
from ingest.layout import Box, Cell, DocumentContent, PageContent, Table, Word
from ingest.model import Extraction, Indicator, Official, Program
from ingest.parsers._pk_parties import parties
from ingest.parsers.aligned import aligned_tables
from ingest.parsers.indicators import (
    Layout,
    body_rows,
    find_office,
    is_column_number_row,
    parse_rupiah,
    pemerintah_of,
    read_header,
    row_items,
    split_value,
)
from ingest.parsers.signatory import group_lines, is_place_date
from ingest.parsers.table_rows import is_heading, sasaran_heading
from ingest.text import TAHUN_RE, clean, join_lines, parse_date

log = logging.getLogger(__name__)



def parse(doc: DocumentContent) -> Extraction:
    """Read a Perjanjian Kinerja: parties, tahun, instansi, tanggal, indicators and programs."""
    first, second, warnings = parties(doc)
    if first is None:
        warnings.append("PIHAK PERTAMA tidak ditemukan")
    instansi = _instansi(doc)
    tanggal = _tanggal(doc)
    year, checks = pk_year(doc, tanggal)
    warnings += checks
    indicators = _indicators(doc, year)
    if not indicators:
        warnings.append("tabel target (Sasaran | Indikator | Target) tidak ditemukan")
    programs, checks = _programs(doc)
    warnings += checks
    warnings += _nip_checks(first, year)
    return Extraction(
        confidence=_doubted(warnings, programs),
        doc_type="perjanjian_kinerja", tahun=year,
        instansi=instansi, pemerintah=pemerintah_of(instansi), tanggal=tanggal,
        pihak_pertama=first, pihak_kedua=second, indicators=tuple(indicators),
        programs=tuple(programs), warnings=tuple(warnings),
    )


# --- metadata ---------------------------------------------------------------------------------

DOUBTED = 0.3  # the confidence cap of a field a failed self-check doubts


def _doubted(warnings: list[str], programs: list[Program]) -> dict[str, float]:
    """Confidence caps for the fields the warnings of the self-checks name."""
    out: dict[str, float] = {}
    for w in warnings:
        if w.startswith("jumlah anggaran"):
            out.update({f"programs[{i}].anggaran": DOUBTED for i in range(len(programs))})
        elif w.startswith("tahun perjanjian"):
            out["tahun"] = DOUBTED
        elif w.startswith("NIP PIHAK PERTAMA"):
            out["pihak_pertama.nip"] = DOUBTED
    return out


def _nip_checks(first: Official | None, year: int | None) -> list[str]:
    """A warning when PIHAK PERTAMA's NIP says service began after the agreement's year."""
    if first and nips.year_mismatch(first.nip, year):
        return [f"NIP PIHAK PERTAMA ({first.nip}) menyebut TMT sesudah tahun {year}: periksa NIP-nya"]
    return []


def _instansi(doc: DocumentContent) -> str | None:
    for page in doc.pages[:4]:
        head = [ln for ln in page.text.splitlines() if ln.strip()][:8]
        office = find_office(head)
        if office:
            return office
    return None


def _tanggal(doc: DocumentContent) -> str | None:
    for page in doc.pages:
        for line in page.text.splitlines():
            if is_place_date(line.strip()):
                found = parse_date(line)
                if found:
                    return found
    return None


# --- tables -----------------------------------------------------------------------------------

def _indicators(doc: DocumentContent, year: int | None) -> list[Indicator]:
    """The PK's target table(s): tables of indicators with targets, not measurement pages.

    A table with Realisasi or Capaian columns, or under a heading that says PENGUKURAN /
    REALISASI / CAPAIAN or names another year, measures a year (often the previous one printed
    with the PK) and is not the agreement; it is used only when no target table exists.
    """
    out = _target_tables(doc, year, lambda page: list(page.tables))
    # no ruled target table: tables aligned in columns (borderless or partly ruled)
    return out or _target_tables(doc, year, aligned_tables)


def _target_tables(doc: DocumentContent, year: int | None,
                   tables_of: Callable[[PageContent], list[Table]]) -> list[Indicator]:
    targets: list[tuple[PageContent, Table, Layout]] = []
    measures: list[tuple[PageContent, Table, Layout]] = []
    for page in doc.pages:
        for table in tables_of(page):
            layout = read_header(table)
            if layout is None and targets and _continues(targets[-1], page, table):
                prev = targets[-1][2]  # the table runs on from the last page without its header
                targets.append((page, table, Layout(prev.roles, prev.years, 0, prev.joined)))
                continue
            if layout is None or not {"indikator", "target"} <= layout.role_set:
                continue
            heading = _heading_above(page, table)
            other_year = bool(year) and any(y != year for y in _heading_years(heading))
            measuring = bool({"realisasi", "capaian"} & layout.role_set) or bool(
                re.search(r"pengukuran|realisasi|capaian", heading, re.I))
            (measures if measuring or other_year else targets).append((page, table, layout))
    out: list[Indicator] = []
    carried: str | None = None
    for page, table, layout in targets or [m for m in measures if _same_year(m, year)]:
        found, carried = table_indicators(page, table, layout, carried)
        out += found
    return out


def _continues(last: tuple[PageContent, Table, Layout], page: PageContent, table: Table) -> bool:
    """True for a headerless table at the top of the page after a target table, with as many
    columns: the same table continued."""
    prev_page, prev_table, _ = last
    if page.number != prev_page.number + 1 or not table.rows or not prev_table.rows:
        return False
    if len(table.rows[0]) != len(prev_table.rows[-1]):
        return False
    return not any(t.box.bottom <= table.box.top for t in page.tables if t is not table)


def _heading_above(page: PageContent, table: Table) -> str:
    """The lines printed above a table, up to 120 pt (its title)."""
    return " ".join(text for text, top, bottom in group_lines(page.words)
                    if table.box.top - 120 <= top and bottom <= table.box.top + 2)


def _same_year(entry: tuple[PageContent, Table, Layout], year: int | None) -> bool:
    heading = _heading_above(entry[0], entry[1])
    years = _heading_years(heading)
    return not years or year in years


def _heading_years(heading: str) -> set[int]:
    """The years a table title names ('... TAHUN 2020'), not those of cited regulations."""
    return {int(y) for y in re.findall(r"\btahun\s*(?:anggaran\s*)?((?:19|20)\d\d)\b", heading, re.I)}


_PK_YEAR_RE = re.compile(r"perjanjian\s+kinerja\b.{0,80}?\btahun\s*(?:anggaran\s*)?((?:19|20)\d\d)",
                         re.I | re.S)


def pk_year(doc: DocumentContent, tanggal: str | None) -> tuple[int | None, list[str]]:
    """The PK's year: its `PERJANJIAN KINERJA TAHUN N` title, else the signing year, else the
    first `Tahun N`; a warning when the title and the signing date disagree (a PK for year N is
    signed in N or at the end of N-1)."""
    signed = _signing_year(doc, tanggal)
    title = _PK_YEAR_RE.search(doc.text)
    if title:
        year = int(title.group(1))
        if signed and signed not in (year, year - 1):
            return year, [f"tahun perjanjian ({year}) tidak cocok dengan tahun penandatanganan "
                          f"({signed}): periksa tahun dan tanggalnya"]
        return year, []
    if signed:
        return signed, []
    first = TAHUN_RE.search(doc.text)
    return (int(first.group(1)) if first else None), []


def _signing_year(doc: DocumentContent, tanggal: str | None) -> int | None:
    if tanggal:
        return int(tanggal[:4])
    for page in doc.pages:
        for line in page.text.splitlines():
            m = re.search(r"\b((?:19|20)\d\d)\s*$", line)
            if m and is_place_date(line.strip()):
                return int(m.group(1))
    return None


def _programs(doc: DocumentContent) -> tuple[list[Program], list[str]]:
    """The program/anggaran table and the warnings of its self-check (amounts vs Jumlah)."""
    for i, page in enumerate(doc.pages):
        for table in page.tables:
            layout = program_layout(table)
            if layout and {"program", "anggaran"} <= layout.role_set:
                rows, total = _programs_from_table(table, layout)
                last = (page, table, layout)
                for nxt in doc.pages[i + 1:i + 3]:  # the table run on over the next pages
                    more = next((t for t in nxt.tables if program_layout(t) is None
                                 and _continues(last, nxt, t)), None)
                    if more is None:
                        break
                    cont = Layout(layout.roles, layout.years, 0, layout.joined)
                    extra, extra_total = _programs_from_table(more, cont)
                    rows, total = rows + extra, extra_total if extra_total is not None else total
                    last = (nxt, more, cont)
                return rows, _total_check(rows, total)
    for page in doc.pages:  # no ruled program table: one aligned in columns
        for table in aligned_tables(page):
            layout = program_layout(table)
            if layout is not None:
                rows, total = _programs_from_table(table, layout)
                if rows and all(p.anggaran is not None for p in rows):
                    return rows, _total_check(rows, total)
        rows, total = program_list_from_words(page)
        if rows:
            return rows, _total_check(rows, total)
    return [], []


def program_layout(table: Table) -> Layout | None:
    """The roles of a program table's columns (the shared header vocabulary names `Kegiatan` /
    `Sub Kegiatan` the program column and `Sumber Dana` the keterangan), or None when the table
    has no program and anggaran columns."""
    layout = read_header(table)
    if layout is None or not {"program", "anggaran"} <= layout.role_set:
        return None
    return layout


_SUMMARY_RE = re.compile(r"^\s*(?:jumlah|total|sub\s*total)\b", re.I)


def _programs_from_table(table: Table, layout: Layout) -> tuple[list[Program], float | None]:
    out, total = [], None
    for row in body_rows(table, layout):
        name = clean(re.sub(r"^\s*\d{1,2}[.)]?\s+", "", join_lines(row.get("program"))))
        if any(_SUMMARY_RE.match(v or "") for v in row.values()):
            total = rupiah(row.get("anggaran"))
            continue
        if not name:
            continue
        out.append(Program(program=name, anggaran=rupiah(row.get("anggaran")),
                           keterangan=clean(join_lines(row.get("keterangan")))))
    return out, total


def rupiah(text: str | None) -> float | None:
    """An amount as printed, also when OCR split it after a group dot ('9.985.639. 757,-')."""
    if text:
        text = re.sub(r"(\d{3})\.\s+(\d{3})(?!\d)", r"\1.\2", text)
    return parse_rupiah(text)


def _total_check(rows: list[Program], total: float | None) -> list[str]:
    """A warning when the amounts do not add up to the printed Jumlah (a misread amount)."""
    amounts = [p.anggaran for p in rows]
    if total is None or not amounts or any(a is None for a in amounts):
        return []
    found = sum(a or 0.0 for a in amounts)
    if abs(found - total) < 1:
        return []
    return [f"jumlah anggaran program ({found:,.0f}) tidak sama dengan baris Jumlah ({total:,.0f}): "
            "periksa angka anggaran yang terbaca".replace(",", ".")]


def table_indicators(page: PageContent, table: Table, layout: Layout, carried: str | None,
                     ) -> tuple[list[Indicator], str | None]:
    """The indicators of one target table; `carried` is the sasaran running in from above."""
    has_satuan = "satuan" in layout.role_set
    out: list[Indicator] = []
    body = [r for r in table.rows[layout.header_rows:]
            if not is_column_number_row([c.text if c else None for c in r])]
    texts = [_by_role(r, layout) for r in body]
    for k, row in enumerate(body):
        if is_heading(texts[k], texts[k + 1] if k + 1 < len(texts) else None):
            carried = sasaran_heading(texts[k], plain="sasaran" not in layout.role_set) or carried
            continue
        for item in row_items(page, row, layout):
            carried = item.sasaran or carried
            target = split_value(item.values.get("target"))
            satuan = clean(join_lines(item.values.get("satuan"))) if has_satuan else target.unit
            out.append(Indicator(indikator=item.indikator, sasaran=carried, satuan=satuan,
                                 target=target.number, target_text=target.text, page=page.number))
    return out, carried


def _by_role(row: Sequence[Cell | None], layout: Layout) -> dict[str, str | None]:
    """A row's cell texts by role (None for a merged position)."""
    out: dict[str, str | None] = {}
    for role in layout.role_set:
        idx = layout.column(role)
        if idx is not None and idx < len(row):
            cell = row[idx]
            out[role] = cell.text if cell is not None else None
    return out


_AMOUNT_RE = re.compile(r"^(?:rp\.?)?\d{1,3}(?:\.\d{3})+(?:,\d{2}|,-+)?$", re.I)
_RP_RE = re.compile(r"^rp\.?$", re.I)


def program_rows_from_words(page: PageContent) -> list[Program]:
    """The programs of a program table without rulings (see `program_list_from_words`)."""
    return program_list_from_words(page)[0]


def program_list_from_words(page: PageContent) -> tuple[list[Program], float | None]:
    """A program table without rulings: one row per amount in the Anggaran column, and the
    amount of its `Jumlah` row (not a program) when there is one.

    The columns come from the text's alignment: the amounts' column, the words left of it are
    the program name, those right of it the keterangan; each word belongs to the row of the
    last program line above it, else to the amount nearest to it vertically.
    """
    head = next((ln for ln in group_lines(page.words)
                 if re.search(r"\b(?:program|kegiatan)\b", ln[0], re.I)
                 and re.search(r"\b(?:anggaran|pagu)\b", ln[0], re.I)), None)
    if head is None:
        return [], None
    body = _join_split_amounts([w for w in page.words if w.box.top > head[2]])
    amounts = [w for w in body if _AMOUNT_RE.match(w.text)]
    if not amounts:
        return [], None
    rupiah_marks = [w for w in body if _RP_RE.match(w.text)
                    and any(abs(w.box.cy - a.box.cy) < 3 for a in amounts)]
    col_left = min(w.box.x0 for w in amounts + rupiah_marks)
    col_right = max(w.box.x1 for w in amounts)
    summary = [a for a in amounts if _is_summary_line(body, a, col_left)]
    total = rupiah(summary[-1].text) if summary else None
    amounts = [a for a in amounts if a not in summary]
    if not amounts:
        return [], total
    bottom = min((a.box.top for a in summary), default=float("inf"))
    last = min(max(a.box.bottom for a in amounts) + 20, bottom - 1)
    rows: list[dict[str, list[Word]]] = [{"program": [], "keterangan": []} for _ in amounts]
    starts = _row_starts([w for w in body if w.box.x1 <= col_left + 1 and w.box.top < last],
                         len(amounts))
    for w in body:
        if w.box.top > last or w in amounts or w in rupiah_marks:
            continue
        role = "program" if w.box.x1 <= col_left + 1 else "keterangan" if w.box.x0 >= col_right - 1 else None
        if role:
            k = _row_of(w, amounts, starts)
            rows[k][role].append(w)
    out = [_program(r, a.text) for r, a in zip(rows, amounts, strict=True)]
    return [p for p in out if p.program], total


def _is_summary_line(body: list[Word], amount: Word, col_left: float) -> bool:
    """True when the words left of `amount` on its line say Jumlah / Total."""
    left = sorted((w for w in body if w.box.x1 <= col_left + 1 and abs(w.box.cy - amount.box.cy) < 4),
                  key=lambda w: w.box.x0)
    return bool(left) and bool(_SUMMARY_RE.match(" ".join(w.text for w in left)))


def _join_split_amounts(words: list[Word]) -> list[Word]:
    """'9.985.639.' and '757,-' side by side on one line are one amount OCR split in two."""
    out: list[Word] = []
    for w in sorted(words, key=lambda w: (round(w.box.cy), w.box.x0)):
        prev = out[-1] if out else None
        if (prev is not None and re.fullmatch(r"(?:rp\.?)?\d{1,3}(?:\.\d{3})*\.", prev.text, re.I)
                and re.match(r"^\d{3}(?:[.,]|$)", w.text) and abs(prev.box.cy - w.box.cy) < 4
                and w.box.x0 - prev.box.x1 < 3 * prev.box.height):
            out[-1] = Word(prev.text + w.text, Box(prev.box.x0, min(prev.box.top, w.box.top),
                                                   w.box.x1, max(prev.box.bottom, w.box.bottom)),
                           conf=prev.conf)
            continue
        out.append(w)
    return out


def _row_starts(words: list[Word], count: int) -> list[float] | None:
    """The tops of the program-name lines that begin with 'Program', when there is one per
    amount (rows are then cut there, whatever the amounts' vertical alignment); else None."""
    tops = []
    for text, top, _bottom in group_lines(words):
        first = re.search(r"[A-Za-z]{3,}", text)
        if first and first.group(0).lower() == "program":
            tops.append(top)
    return tops if len(tops) == count else None


def _row_of(w: Word, amounts: list[Word], starts: list[float] | None) -> int:
    """The row of a word: the last row start above it, else the nearest amount."""
    if starts is not None:
        return max((i for i, top in enumerate(starts) if top <= w.box.cy), default=0)
    return min(range(len(amounts)), key=lambda i: abs(amounts[i].box.cy - w.box.cy))


def _program(row: dict[str, list[Word]], amount: str) -> Program:
    letters = [w.box.x0 for w in row["program"] if re.match(r"[A-Za-z]", w.text)]
    left = min(letters, default=0.0)
    words = [w for w in row["program"] if not (re.fullmatch(r"\d{1,2}[.)]?", w.text) and w.box.x1 < left)]
    name = " ".join(t for t, _, _ in group_lines(words))
    # an item number as OCR reads it ('. Program', 'us . Program', '10.Program')
    name = re.sub(r"^[^A-Za-z]*(?:[a-z]{1,2}\b[^A-Za-z]*)?(?=program\b)", "", name, flags=re.I)
    keterangan = " ".join(t for t, _, _ in group_lines(row["keterangan"]))
    return Program(program=clean(name) or "", anggaran=rupiah(amount),
                   keterangan=clean(keterangan))
