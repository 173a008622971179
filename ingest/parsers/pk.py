"""Perjanjian Kinerja: the parties, the target table and the program/budget table.

The statement page names both parties (`Nama :` / `Jabatan :` ... `Selanjutnya disebut PIHAK
KESATU`), and both sign (labelled blocks or two columns at the foot of a page).  The target table
`No | Sasaran | Indikator | (Satuan) | Target` may hold several numbered indicators in one cell and
lettered or dashed sub-items with their own targets: items are separated by their vertical
positions (`indicators.row_items`), so OCR words work the same way as a text layer.
"""

from __future__ import annotations

import logging
import re

from ingest.layout import DocumentContent, PageContent, Table, Word
from ingest.model import Extraction, Indicator, Official, Program
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
from ingest.parsers.signatory import column_lines, group_lines, is_place_date, read_signature
from ingest.text import TAHUN_RE, clean, find_nip, join_lines, parse_date, title_case_office

log = logging.getLogger(__name__)

_PARTY_RE = re.compile(r"pihak\s+(pertama|kesatu|kedua)", re.I)
_NAMED_AS_RE = re.compile(r"disebut\s*:?\s*pihak\s+(pertama|kesatu|kedua)", re.I)
# 'Nama : ...'; OCR may drop the colon or read it as ';' or '.'.
_LABEL_RE = re.compile(
    r"^\s*(nama|jabatan|nip|pangkat(?:\s*/\s*gol(?:ongan)?)?)(?:\s*[:;.]\s*|\s+(?=[A-Z0-9]))(.*)$", re.I)


def parse(doc: DocumentContent) -> Extraction:
    """Read a Perjanjian Kinerja: parties, tahun, instansi, tanggal, indicators and programs."""
    warnings: list[str] = []
    first, second = _parties(doc)
    if first is None:
        warnings.append("PIHAK PERTAMA tidak ditemukan")
    instansi = _instansi(doc)
    indicators = _indicators(doc)
    if not indicators:
        warnings.append("tabel target (Sasaran | Indikator | Target) tidak ditemukan")
    year = TAHUN_RE.search(doc.text)
    return Extraction(
        doc_type="perjanjian_kinerja", tahun=int(year.group(1)) if year else None,
        instansi=instansi, pemerintah=pemerintah_of(instansi), tanggal=_tanggal(doc),
        pihak_pertama=first, pihak_kedua=second, indicators=tuple(indicators),
        programs=tuple(_programs(doc)), warnings=tuple(warnings),
    )


# --- metadata ---------------------------------------------------------------------------------

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


# --- parties ----------------------------------------------------------------------------------

def _parties(doc: DocumentContent) -> tuple[Official | None, Official | None]:
    named = _named_parties(doc)
    signed = _signed_parties(doc)
    first = _merge(named.get("pertama"), _match(named.get("pertama"), signed, "pertama"))
    second = _merge(named.get("kedua"), _match(named.get("kedua"), signed, "kedua"))
    return first, second


def _named_parties(doc: DocumentContent) -> dict[str, Official]:
    """Parties from `Nama :` / `Jabatan :` lines, each closed by 'disebut PIHAK ...'."""
    out: dict[str, Official] = {}
    for page in doc.pages[:4]:
        fields: dict[str, list[str]] = {}
        current: str | None = None
        for raw in page.text.splitlines():
            line = raw.strip()
            # 'selaku atasan PIHAK KESATU, selanjutnya disebut PIHAK KEDUA': the one named
            party = _NAMED_AS_RE.search(line) or _PARTY_RE.search(line)
            label = _LABEL_RE.match(line)
            if party and re.search(r"disebut", line, re.I) and fields.get("nama"):
                key = "kedua" if party.group(1).lower() == "kedua" else "pertama"
                out.setdefault(key, _official(fields))
                fields, current = {}, None
            elif label:
                current = label.group(1).lower().split("/")[0].strip()
                fields[current] = [label.group(2)]
            elif current == "jabatan" and line and line.isupper() and not party:
                fields[current].append(line)
            else:
                current = None
    return out


def _official(fields: dict[str, list[str]]) -> Official:
    jabatan = clean(" ".join(fields.get("jabatan", [])))
    if jabatan and jabatan.isupper():
        jabatan = title_case_office(jabatan)
    pangkat = clean(" ".join(fields.get("pangkat", [])))
    return Official(jabatan=jabatan, nama=clean(" ".join(fields.get("nama", []))),
                    nip=find_nip(" ".join(fields.get("nip", []))), pangkat=pangkat)


def _signed_parties(doc: DocumentContent) -> list[tuple[str | None, Official]]:
    """Signature blocks with the party label above them (None when unlabelled)."""
    out: list[tuple[str | None, Official]] = []
    for page in doc.pages:
        out += _blocks_on(page)
    return out


def _blocks_on(page: PageContent) -> list[tuple[str | None, Official]]:
    lines = group_lines(page.words)
    nip_tops = [top for text, top, _ in lines if re.match(r"^\s*nip\b", text, re.I)]
    if not nip_tops:
        return []
    last_nip = max(nip_tops)
    start = _signature_top(page, lines, last_nip)
    mid = page.width / 2
    labels = _labels(page, start, last_nip)
    out: list[tuple[str | None, Official]] = []
    for x0, x1 in ((0.0, mid), (mid, page.width)):
        block = column_lines(page.words, x0, x1, start, last_nip + 15)
        official = read_signature(block)
        if official and official.nama:
            label = next((k for k, cx in labels if x0 <= cx < x1), None)
            out.append((label, official))
    return out


def _signature_top(page: PageContent, lines: list[tuple[str, float, float]], nip_top: float,
                   ) -> float:
    """Where the signature area starts: below the last table or paragraph above the NIP."""
    floor = max((t.box.bottom for t in page.tables if t.box.bottom < nip_top), default=0.0)
    candidates = [top for text, top, _ in lines
                  if floor <= top < nip_top and (is_place_date(text) or _PARTY_RE.search(text))]
    if candidates:
        return min(candidates)
    return max(floor, nip_top - 160)


def _labels(page: PageContent, top: float, bottom: float) -> list[tuple[str, float]]:
    out = []
    words = [w for w in page.words if top - 2 <= w.box.top <= bottom]
    for i, w in enumerate(words[:-1]):
        if w.text.upper().startswith("PIHAK"):
            nxt = words[i + 1].text.lower()
            key = "kedua" if nxt.startswith("kedua") else "pertama" if nxt[:4] in (
                "pert", "kesa") else None
            if key:
                out.append((key, (w.box.x0 + words[i + 1].box.x1) / 2))
    return out


def _match(named: Official | None, signed: list[tuple[str | None, Official]], key: str,
           ) -> Official | None:
    for label, official in signed:
        if named and _same_person(named.nama, official.nama):
            return official
        if named is None and label == key:
            return official
    return None


def _same_person(a: str | None, b: str | None) -> bool:
    def tokens(s: str | None) -> set[str]:
        return {t for t in re.findall(r"[a-z]{3,}", (s or "").lower())}
    ta, tb = tokens(a), tokens(b)
    return bool(ta and tb) and len(ta & tb) >= max(1, min(len(ta), len(tb)) // 2)


def _merge(named: Official | None, signed: Official | None) -> Official | None:
    if named is None:
        return signed
    if signed is None:
        return named
    return Official(jabatan=named.jabatan or signed.jabatan, nama=named.nama or signed.nama,
                    nip=named.nip or signed.nip, pangkat=named.pangkat or signed.pangkat)


# --- tables -----------------------------------------------------------------------------------

def _indicators(doc: DocumentContent) -> list[Indicator]:
    out: list[Indicator] = []
    carried: str | None = None
    for page in doc.pages:
        for table in page.tables:
            layout = read_header(table)
            if layout is None or not {"indikator", "target"} <= layout.role_set:
                continue
            if "realisasi" in layout.role_set:  # a measurement table (last year's), not the agreement
                continue
            found, carried = table_indicators(page, table, layout, carried)
            out += found
    return out


def _programs(doc: DocumentContent) -> list[Program]:
    for page in doc.pages:
        for table in page.tables:
            layout = read_header(table)
            if layout and {"program", "anggaran"} <= layout.role_set:
                return _programs_from_table(table, layout)
    for page in doc.pages:
        rows = program_rows_from_words(page)
        if rows:
            return rows
    return []


def _programs_from_table(table: Table, layout: Layout) -> list[Program]:
    out = []
    for row in body_rows(table, layout):
        name = clean(re.sub(r"^\s*\d{1,2}[.)]?\s+", "", join_lines(row.get("program"))))
        if not name:
            continue
        out.append(Program(program=name, anggaran=parse_rupiah(row.get("anggaran")),
                           keterangan=clean(join_lines(row.get("keterangan")))))
    return out


def table_indicators(page: PageContent, table: Table, layout: Layout, carried: str | None,
                     ) -> tuple[list[Indicator], str | None]:
    """The indicators of one target table; `carried` is the sasaran running in from above."""
    has_satuan = "satuan" in layout.role_set
    out: list[Indicator] = []
    for row in table.rows[layout.header_rows:]:
        if is_column_number_row([c.text if c else None for c in row]):
            continue
        for item in row_items(page, row, layout):
            carried = item.sasaran or carried
            target = split_value(item.values.get("target"))
            satuan = clean(join_lines(item.values.get("satuan"))) if has_satuan else target.unit
            out.append(Indicator(indikator=item.indikator, sasaran=carried, satuan=satuan,
                                 target=target.number, target_text=target.text, page=page.number))
    return out, carried


_AMOUNT_RE = re.compile(r"^(?:rp\.?)?\d{1,3}(?:\.\d{3})+(?:,\d{2}|,-+)?$", re.I)
_RP_RE = re.compile(r"^rp\.?$", re.I)


def program_rows_from_words(page: PageContent) -> list[Program]:
    """A program table without rulings: one row per amount in the Anggaran column.

    The words left of the amounts' column are the program name, those right of it the
    keterangan; each word belongs to the amount nearest to it vertically.
    """
    head = next((ln for ln in group_lines(page.words) if re.search(r"\bprogram\b", ln[0], re.I)
                 and re.search(r"\banggaran\b", ln[0], re.I)), None)
    if head is None:
        return []
    body = [w for w in page.words if w.box.top > head[2]]
    amounts = [w for w in body if _AMOUNT_RE.match(w.text)]
    if not amounts:
        return []
    rupiah = [w for w in body if _RP_RE.match(w.text)
              and any(abs(w.box.cy - a.box.cy) < 3 for a in amounts)]
    col_left = min(w.box.x0 for w in amounts + rupiah)
    col_right = max(w.box.x1 for w in amounts)
    last = max(a.box.bottom for a in amounts) + 20
    rows: list[dict[str, list[Word]]] = [{"program": [], "keterangan": []} for _ in amounts]
    starts = _row_starts([w for w in body if w.box.x1 <= col_left + 1], len(amounts))
    for w in body:
        if w.box.top > last or w in amounts or w in rupiah:
            continue
        role = "program" if w.box.x1 <= col_left + 1 else "keterangan" if w.box.x0 >= col_right - 1 else None
        if role:
            k = _row_of(w, amounts, starts)
            rows[k][role].append(w)
    out = [_program(r, a.text) for r, a in zip(rows, amounts, strict=True)]
    return [p for p in out if p.program]


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
    return Program(program=clean(name) or "", anggaran=parse_rupiah(amount),
                   keterangan=clean(keterangan))
