"""The main measurement table of a report: chosen by what it holds, read, and checked.

A long report holds several tables with targets and figures (the executive summary's, an IKU
list, the measurement table, comparisons with earlier years, the reviewer's statement page).
Every table (ruled, or found from text alignment by `ingest.parsers.aligned`) whose header names
an indicator, a target and a realisation is a candidate.  Each is read in full (continued over
the next pages, summary and heading rows left out, merged sasaran carried down) and scored by:

- the words above it (`Pengukuran Kinerja`, `Capaian Kinerja Sasaran Tahun N`, `Target dan
  Realisasi`) and the chapter it stands in (BAB III), against an executive summary or a
  reviewer's statement page;
- the reporting year in its header or heading, and no other year for its target and realisasi;
- its own arithmetic: how many printed capaian agree with realisasi / target under either
  direction (higher or lower is better) - a misread table rarely agrees with itself;
- being organised by sasaran and holding a capaian column.

The checks choose between candidates and produce warnings; they never change a printed value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ingest.layout import DocumentContent, PageContent, Table
from ingest.model import FAILED_CHECK, Indicator
from ingest.parsers.aligned import continued_aligned
from ingest.parsers.indicators import (
    Layout,
    Row,
    body_rows,
    carry_down,
    continuation_tables,
    is_span_row,
    is_summary_row,
    read_header,
    split_value,
)
from ingest.parsers.signatory import group_lines
from ingest.parsers.table_rows import is_heading, sasaran_heading, stacked
from ingest.text import clean, join_lines

_COMPARE_RE = re.compile(
    r"perbandingan\s+(antara\s+)?target\s+(dan|dengan)\s+realisasi|pengukuran\s+(capaian\s+)?kinerja|"
    r"capaian\s+(indikator\s+)?kinerja\s+(utama|sasaran)|target\s+dan\s+realisasi|"
    r"realisasi\s+(dan|terhadap)\s+target|capaian\s+kinerja\s+(tahun|organisasi|perangkat)|"
    r"hasil\s+pengukuran", re.I)
_SUMMARY_PAGE_RE = re.compile(r"ikhtisar\s+eksekutif|ringkasan\s+eksekutif|executive\s+summary", re.I)
_REVIEW_PAGE_RE = re.compile(r"pernyataan\s+telah\s+direviu|telah\s+(kami\s+)?(lakukan\s+)?reviu|"
                             r"laporan\s+hasil\s+reviu|lembar\s+reviu", re.I)
_BAB_RE = re.compile(r"^\s*BAB\s+([IVX]+|\d)\b", re.I | re.M)
_LOWER_BETTER_RE = re.compile(
    r"kematian|kemiskinan|pengangguran|temuan|pelanggaran|kecelakaan|stunting|gizi\s+buruk|"
    r"kerugian|inflasi|ketimpangan|gini|penurunan|kasus|waktu\s+(tunggu|penyelesaian|pelayanan)|"
    r"tunggakan|kebakaran|banjir|kriminal|sengketa|pengaduan\s+yang\s+belum|sisa|kerusakan", re.I)
_REQUIRED = {"indikator", "target", "realisasi"}
_CAPS = {100.0, 105.0, 110.0, 115.0, 120.0, 125.0, 150.0}

TableSource = Callable[[PageContent], list[Table]]


@dataclass
class Candidate:
    """One candidate table read in full, with its score and what its checks found."""

    table: Table
    layout: Layout
    indicators: list[Indicator]
    score: float = 0.0
    agree: int = 0
    disagree: list[Indicator] = field(default_factory=list)
    sasaran: str | None = None  # the `Sasaran N: ...` heading over a table without a sasaran column


def capaian_agrees(ind: Indicator) -> bool | None:
    """Whether the printed capaian follows from target and realisasi; None when not checkable.

    Higher is better: realisasi / target x 100; lower is better: (2 x target - realisasi) /
    target x 100, or target / realisasi x 100.  Rounding to the printed decimals is allowed, and
    a round cap (100, 110, 120 %...) under a higher ratio.
    """
    t, r, c = ind.target, ind.realisasi, ind.capaian
    if t is None or r is None or c is None or t == 0:
        return None
    options = [r / t * 100, (2 * t - r) / t * 100]
    if r:
        options.append(t / r * 100)
    tol = max(0.6, abs(c) * 0.006)
    if any(abs(o - c) <= tol for o in options):
        return True
    return c in _CAPS and any(o > c for o in options)  # an office caps capaian (110 %, 120 %)


DOUBTED = FAILED_CHECK  # the confidence cap of a value a check contradicts


def doubted_fields(indicators: list[Indicator]) -> dict[str, float]:
    """Confidence caps (`Extraction.confidence`) for the target, realisasi and capaian of every
    indicator whose capaian does not follow from its target and realisasi."""
    return {f"indicators[{i}].{name}": DOUBTED for i, ind in enumerate(indicators)
            if capaian_agrees(ind) is False for name in ("target", "realisasi", "capaian")}


def lower_is_better(indikator: str) -> bool:
    """True when the indicator's name says a smaller figure is the better one."""
    return bool(_LOWER_BETTER_RE.search(indikator))


def measurement_table(doc: DocumentContent, tahun: int | None,
                      extra: TableSource | None = None) -> tuple[list[Indicator], list[str]]:
    """The indicators of the main measurement table and the warnings of its checks."""
    chapters = _chapters(doc)
    best: Candidate | None = None
    cands: list[Candidate] = []
    for page in doc.pages:
        tables = list(page.tables) + (extra(page) if extra else [])
        for table in tables:
            cand = _candidate(doc, page, table, tahun)
            if cand is None:
                continue
            cand.score += _context_score(page, table, cand.layout, tahun, chapters.get(page.number))
            cands.append(cand)
            if best is None or cand.score > best.score + 1e-9:
                best = cand
    if best is None:
        return [], []
    return _with_siblings(best, cands, chapters), _warnings(best, tahun)


def _with_siblings(best: Candidate, cands: list[Candidate], chapters: dict[int, str]) -> list[Indicator]:
    """The chosen table's indicators, and, when the report prints one table per sasaran (each
    under its `Sasaran N: ...` heading, no sasaran column), those of its siblings: tables of the
    same header in the same chapter, a few pages apart at most, in reading order."""
    if "sasaran" in best.layout.role_set or best.sasaran is None:
        return best.indicators
    chapter = chapters.get(best.table.page)
    group = [c for c in cands if c.layout.roles == best.layout.roles and c.sasaran is not None
             and chapters.get(c.table.page) == chapter and abs(c.table.page - best.table.page) <= 3]
    group.sort(key=lambda c: (c.table.page, c.table.box.top))
    out: list[Indicator] = []
    seen: set[tuple[int | None, str]] = set()
    for c in group:
        for ind in c.indicators:
            key = (ind.page, ind.indikator)
            if key not in seen:  # a sibling may also have been read as a continuation
                seen.add(key)
                out.append(ind)
    return out


def _candidate(doc: DocumentContent, page: PageContent, table: Table,
               tahun: int | None) -> Candidate | None:
    layout = read_header(table)
    if layout is None or not layout.role_set >= _REQUIRED:
        return None
    indicators = read_indicators(doc, table, layout, tahun)
    sasaran = None if "sasaran" in layout.role_set else sasaran_above(page, table)
    if sasaran:
        indicators = [i if i.sasaran else replace(i, sasaran=sasaran) for i in indicators]
    valued = [i for i in indicators if (i.target is not None or i.target_text)
              and (i.realisasi is not None or i.realisasi_text)]
    if not valued:
        return None
    cand = Candidate(table, layout, indicators, sasaran=sasaran)
    for ind in indicators:
        ok = capaian_agrees(ind)
        if ok is True:
            cand.agree += 1
        elif ok is False:
            cand.disagree.append(ind)
    checked = cand.agree + len(cand.disagree)
    if checked:
        cand.score += 2.0 * (cand.agree - len(cand.disagree)) / checked
    cand.score += 0.3 * len(valued) / len(indicators)
    return cand


def read_indicators(doc: DocumentContent, table: Table, layout: Layout,
                    tahun: int | None) -> list[Indicator]:
    """Every indicator of `table` and its continuation on the next pages."""
    rows = [{**r, "page": str(table.page)} for r in body_rows(table, layout, year=tahun)]
    for cont, repeats in continuation_tables(doc, table, layout, follow=continued_aligned):
        own = read_header(cont) if repeats else None  # a repeated header may stand lower
        rows += [{**r, "page": str(cont.page)}
                 for r in body_rows(cont, own or layout, skip_header=repeats, year=tahun)]
    first = layout.roles[0]
    kept: list[Row] = []
    heading: str | None = None
    for k, r in enumerate(rows):
        if is_summary_row(r):
            continue
        if is_span_row(r, first) or is_heading(r, rows[k + 1] if k + 1 < len(rows) else None):
            heading = sasaran_heading(r, plain="sasaran" not in layout.role_set) or heading
            continue
        if clean(r.get("sasaran")):
            heading = None  # the table's own sasaran cell; blanks below carry it down
        elif heading:
            r = {**r, "sasaran": heading}
        kept.append(r)
    kept = carry_down([part for r in kept for part in stacked(r)])
    has_satuan = "satuan" in layout.role_set
    return [ind for r in kept if (ind := _indicator(r, has_satuan))]


def _indicator(row: Row, has_satuan: bool) -> Indicator | None:
    indikator = clean(re.sub(r"^\s*\d{1,2}[.)]\s+", "", join_lines(row.get("indikator"))))
    if not indikator:
        return None
    target = split_value(row.get("target"))
    realisasi = split_value(row.get("realisasi"))
    satuan = clean(join_lines(row.get("satuan"))) if has_satuan else target.unit
    return Indicator(
        indikator=indikator,
        sasaran=clean(join_lines(row.get("sasaran"))),
        satuan=satuan,
        target=target.number,
        realisasi=realisasi.number,
        capaian=split_value(row.get("capaian")).number,
        target_text=target.text,
        realisasi_text=realisasi.text,
        page=int(row.get("page") or 0),
    )


def _chapters(doc: DocumentContent) -> dict[int, str]:
    """The chapter (BAB I, II, III ..., or IKHTISAR for an executive summary before BAB I) each
    page stands in; a table of contents, naming every chapter, changes nothing."""
    out: dict[int, str] = {}
    current = ""
    for page in doc.pages:
        found = _BAB_RE.findall(page.text)
        if len(found) == 1:
            current = found[0].upper().replace("3", "III")
        elif not found and _SUMMARY_PAGE_RE.search(" ".join(page.text.splitlines()[:6])):
            current = "IKHTISAR"
        out[page.number] = current
    return out


_SASARAN_HEAD_RE = re.compile(
    r"^\s*(?:[\dA-Za-z]{1,3}[.)]\s*)?sasaran(?:\s+strategis)?(?:\s+(?:ke\s*-?\s*)?(?:\d{1,2}|[ivx]{1,4}))?"
    r"\s*[:.\-]\s*(?P<s>\S.{8,})$", re.I)


def sasaran_above(page: PageContent, table: Table) -> str | None:
    """The sasaran a heading just above `table` names ('Sasaran Strategis 1: Meningkatnya ...'),
    over one or two lines; None without one."""
    above = [w for w in page.words if table.box.top - 60 < w.box.bottom <= table.box.top + 1
             and w.box.x1 > table.box.x0 - 40 and w.box.x0 < table.box.x1 + 40]
    lines = [t for t, _, _ in group_lines(above)]
    for k in range(len(lines) - 1, max(-1, len(lines) - 3), -1):
        m = _SASARAN_HEAD_RE.match(lines[k])
        if m:
            text = " ".join([m.group("s"), *lines[k + 1:]])
            return clean(re.sub(r"\s*\(?\b(tabel|table)\b.*$", "", text, flags=re.I)) or None
    return None


def _heading(page: PageContent, table: Table) -> str:
    above = [w for w in page.words if table.box.top - 220 < w.box.bottom <= table.box.top + 1
             and w.box.x1 > table.box.x0 - 40 and w.box.x0 < table.box.x1 + 40]
    lines = [t for t, _, _ in group_lines(above)]
    first = [c for c in table.rows[0] if c is not None] if table.rows else []
    if len(first) == 1:  # a title row spanning the table
        lines.append(first[0].text)
    return " ".join(lines[-4:])


def _context_score(page: PageContent, table: Table, layout: Layout, tahun: int | None,
                   chapter: str | None) -> float:
    score = 0.0
    heading = _heading(page, table)
    if _COMPARE_RE.search(heading):
        score += 2
    top = " ".join(page.text.splitlines()[:6])
    if _SUMMARY_PAGE_RE.search(top) or _SUMMARY_PAGE_RE.search(heading):
        score -= 2
    if _REVIEW_PAGE_RE.search(page.text):
        score -= 3
    if chapter == "III":
        score += 1
    elif chapter == "IKHTISAR":
        score -= 1
    value_years = {layout.years[i] for r in ("target", "realisasi") for i in layout.columns(r)}
    value_years.discard(None)
    if tahun is not None:
        if tahun in value_years:
            score += 1
        elif value_years:
            score -= 2
        heading_years = {int(y) for y in re.findall(r"\b(20\d\d)\b", heading)}
        if tahun in heading_years:
            score += 0.5
        elif heading_years:
            score -= 0.5
    if len(layout.columns("realisasi")) > 1 or len(layout.columns("target")) > 1:
        score -= 1
    if "capaian" in layout.role_set:
        score += 0.5
    if "sasaran" in layout.role_set:
        score += 0.3
    return score


def expected_capaian(ind: Indicator) -> float | None:
    """The capaian target and realisasi give under the indicator's direction (by its name)."""
    t, r = ind.target, ind.realisasi
    if t is None or r is None or t == 0:
        return None
    return (2 * t - r) / t * 100 if lower_is_better(ind.indikator) else r / t * 100


def _warnings(best: Candidate, tahun: int | None) -> list[str]:
    out = []
    for ind in best.disagree[:5]:
        out.append(f"capaian indikator '{ind.indikator[:60]}' tertulis {_fmt(ind.capaian)}, "
                   f"sedangkan realisasi {_fmt(ind.realisasi)} dari target {_fmt(ind.target)} "
                   f"memberi {_fmt(expected_capaian(ind))} (halaman {ind.page}): periksa angka di tabel")
    years = {y for i, y in enumerate(best.layout.years)
             if y is not None and best.layout.roles[i] in ("target", "realisasi")}
    if tahun is not None and years and tahun not in years:
        out.append(f"tabel pengukuran kinerja menyebut tahun {', '.join(map(str, sorted(years)))}, "
                   f"bukan tahun laporan {tahun}: periksa apakah tabelnya benar")
    return out


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
