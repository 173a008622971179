"""The SOP identity page: labelled cells (Nomor SOP, dates, Disahkan Oleh, Nama SOP), the office
header (pemerintah, instansi) and the six numbered lists of the grid below.

A label's value is the cell to its right (or the rest of its own cell after a colon); a list's
items are the rest of the label's cell, or the cell right below it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.layout import Box, Cell, DocumentContent, PageContent
from ingest.model import Official
from ingest.parsers._sop_label_row import split_label_rows
from ingest.parsers._sop_lines import text_blocks
from ingest.parsers._sop_signature import (
    complete_official,
    parse_official,
    signature_texts,
    text_lines,
)
from ingest.parsers._sop_table import row_cells
from ingest.text import clean, join_lines, parse_date, split_items, title_case_office

FIELD_LABELS: tuple[tuple[str, str], ...] = (
    ("nomor", r"no(mor)?( urut)? (sop|pos)( ap)?|nomor( sop)?|no\.? (sop|pos)( ap)?|no(mor|\.)? dokumen"),
    ("tanggal_pembuatan", r"tanggal pembuatan|tgl\.? pembuatan|tanggal dibuat|tanggal penyusunan|"
                          r"(tanggal|tgl\.?) (disusun|terbit)"),
    ("tanggal_revisi", r"tanggal revisi|tgl\.? revisi|(tanggal|tgl\.?) perubahan"),
    ("tanggal_efektif", r"tanggal efektif|tgl\.? efektif|tanggal pengesahan|tanggal berlaku|"
                        r"(tanggal|tgl\.?) (penetapan|ditetapkan|disahkan|pengesahan|mulai berlaku|"
                        r"diberlakukan|berlaku)"),
    ("tanggal_pembuatan", r"tanggal|tgl\.?"),
    ("disahkan_oleh", r"disahkan oleh|disahkan|ditetapkan oleh|pengesahan|mengesahkan"),
    ("title", r"nama (sop|pos)( ap)?|judul( sop| pos| prosedur)?( ap)?|nama prosedur|"
              r"nama standar operasional prosedur"),
)
# Multi-word labels as printed, for labels that OCR clipped or misread ('Iomor Urut SOP',
# 'anggal Pembuatan', ')isahkan Oleh') and labels followed by their value on the same line.
FUZZY_FIELD_LABELS: tuple[tuple[str, str], ...] = (
    ("nomor", "nomor urut sop"), ("nomor", "nomor sop"),
    ("tanggal_pembuatan", "tanggal pembuatan"), ("tanggal_revisi", "tanggal revisi"),
    ("tanggal_efektif", "tanggal efektif"), ("tanggal_efektif", "tanggal pengesahan"),
    ("disahkan_oleh", "disahkan oleh"), ("title", "nama sop"),
)
_FUZZY = 0.8
LIST_LABELS: tuple[tuple[str, str], ...] = (
    ("dasar_hukum", r"dasar hukum"),
    ("kualifikasi_pelaksana", r"kualifikasi pelaksana|kualitas pelaksana|kualifikasi"),
    ("keterkaitan", r"(keterkaitan|keterikatan)( dengan sop( lain)?)?"),
    ("peralatan", r"peralatan( dan |/)perlengkapan|peralatan|perlengkapan"),
    ("peringatan", r"peringatan"),
    ("pencatatan", r"pencatatan( dan| &|/) ?(pendataan|pendaftaran)|pencatatan"),
)
_OFFICE = re.compile(
    r"^(dinas|badan|inspektorat|kantor|satuan|rumah sakit|rsud|puskesmas|uptd|biro|sekretariat (daerah|dprd)|"
    r"kecamatan|kelurahan|unit pelaksana|dewan)\b", re.I)
# First words of office names, for OCR'd headers that miss a letter ('DMNAS', 'BADAM').
_OFFICE_WORDS = ("dinas", "badan", "inspektorat", "kantor", "kecamatan", "kelurahan")
# An address line ends the office name; OCR reads 'Jl.' as 'Ji.', 'JI.' or 'J1.'.
_STOP = re.compile(r"^(j[l1iI|]n?\.|jl\b|jln\b|jalan|telp|telepon|tlp|fax|laman|website|web\b|e-?mail|"
                   r"kode pos|alamat|bidang|sub ?bag|sub ?bagian|seksi|upt\b|"
                   r"standar(t)? operasi(onal)? prosedur|sop\b|\(sop\))|@|https?:|www\.|"
                   r"\bno\.\s*\d", re.I)
_REGION = re.compile(r"\b(provinsi|provisi|prov\.|kabupaten|kab\.|kota)(?=\s)(\s+[\w.()-]+){1,4}", re.I)
_LIST_CANON: tuple[tuple[str, str], ...] = (
    ("dasar_hukum", "dasar hukum"), ("kualifikasi_pelaksana", "kualifikasi pelaksana"),
    ("kualifikasi_pelaksana", "kualitas pelaksana"), ("keterkaitan", "keterkaitan"),
    ("peralatan", "peralatan/perlengkapan"), ("peralatan", "peralatan"),
    ("peringatan", "peringatan"), ("pencatatan", "pencatatan dan pendataan"),
    ("pencatatan", "pencatatan dan pendaftaran"),
)
# Characters OCR leaves in place of a list number it could not read ('L.', '&.', '!.', ').').
_MARKER = re.compile(r"^\s*(?P<n>\d{1,2})?(?P<c>[lLI|!\]\)(&$§?BSZ])?\s*(?P<p>[.,;:)])?\s+(?=\S)")


@dataclass
class Identity:
    """The fields read from the identity page."""

    values: dict[str, str | None] = field(default_factory=dict)
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    disahkan_oleh: Official | None = None
    warnings: list[str] = field(default_factory=list)


def read_identity(doc: DocumentContent, skip: frozenset[int] = frozenset(),
                  regions: Sequence[tuple[int, Box]] = ()) -> Identity:
    """The identity fields of an SOP; tables whose id() is in `skip` (the flowchart) are ignored,
    and so are the words in `regions` (page, box: a flowchart read from text alignment).

    A page's cells are those of its tables and the text blocks outside them (`_sop_lines`), so
    an identity page printed as `Label : value` lines or without rules reads like a grid.
    """
    ident = Identity()
    signed: list[str] = []  # every cell and text block, for a signature block printed elsewhere
    for page in doc.pages:
        flow = [box for number, box in regions if number == page.number]
        blocks = text_blocks(page, [t.box for t in page.tables] + flow, starts_label)
        cells = [c for t in page.tables if id(t) not in skip for row in t.rows for c in row_cells(row)]
        cells = split_label_rows(page, cells, _whole_label)
        signed += [c.text for t in page.tables if id(t) in skip for row in t.rows for c in row_cells(row)]
        signed += [c.text for c in cells + blocks]
        cells += blocks
        if not cells:
            continue
        _read_fields(page, cells, ident)
        _read_lists(cells, ident)
    _finish(ident, signature_texts(signed))
    return ident


def _whole_label(text: str) -> str | None:
    """The field `text` is the whole label of ('Tanggal Pembuatan'), else None."""
    hit = match_label(text, FIELD_LABELS)
    return hit[0] if hit is not None and not hit[1] else None


def starts_label(text: str) -> bool:
    """Whether a cell or text segment begins with a field or list label."""
    return bool(labelled_segments(text)) or match_list_label(text) is not None


def match_label(text: str | None, labels: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    """(field, rest of the cell) when a cell starts with one of `labels`; the rest may be ''.

    A label may wrap over two lines ('Tanggal' / 'Pembuatan'); a value may follow a colon.
    """
    lines = text_lines(text)
    if not lines:
        return None
    if len(lines) >= 2:
        two = _flat(" ".join(lines[:2]))
        for name, pattern in labels:
            if re.fullmatch(rf"(?:{pattern})", two, re.I):
                return name, "\n".join(lines[2:])
    first = _flat(lines[0])
    for name, pattern in labels:
        m = re.fullmatch(rf"(?:{pattern})\s*(?::\s*(?P<rest>.*))?", first, re.I)
        if m:
            return name, "\n".join([m.group("rest") or "", *lines[1:]]).strip()
    return None


def _flat(text: str) -> str:
    return re.sub(r"\s*/\s*", "/", re.sub(r"\s+", " ", text)).strip(" :")


def _read_fields(page: PageContent, cells: list[Cell], ident: Identity) -> None:
    used: set[int] = set()
    for cell in cells:
        segments = labelled_segments(cell.text)
        if not segments:
            continue
        used.add(id(cell))
        if len(segments) > 1:  # a stamp's speck read after a label ('Disahkan Oleh -') is no value
            segments = [(name, rest if re.search(r"[^\W_]", rest) else "") for name, rest in segments]
        blank = [name for name, rest in segments if not rest]
        beside = _cells_beside(cell, cells) if len(segments) > 1 else []
        for name, rest in segments:
            if ident.values.get(name):
                continue
            if not rest and len(segments) == 1:
                stacked = _cells_beside(cell, cells)
                if len(stacked) > 1 and not any(starts_label(c.text) for c in stacked):
                    # a label beside several cells (the signature block ruled into jabatan,
                    # signature, name and NIP rows): its value is all of them, top to bottom
                    used.update(id(c) for c in stacked)
                    rest = "\n".join(c.text for c in stacked)
                else:
                    value = _value_of(cell, cells)
                    used.add(id(value))
                    rest = _text(value)
            elif not rest and len(beside) == len(blank):
                # label cells merged (a rule lost under a stamp), their values still apart:
                # the labels' values are the cells beside them, top to bottom
                value = beside[blank.index(name)]
                if not starts_label(value.text):
                    used.add(id(value))
                    rest = value.text
            if rest or name not in ident.values:
                ident.values[name] = rest
    if used and "header" not in ident.values:
        ident.values["header"] = _header_text(page, [c for c in cells if id(c) not in used])


def labelled_segments(text: str | None) -> list[tuple[str, str]]:
    """(field, value) for each label line of a cell that starts with a label; a label's value
    is the rest of its line and the lines up to the next label (OCR may merge label cells)."""
    lines = text_lines(text)
    out: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(lines):
        hit = _label_at(lines, i)
        if hit is None and not out:
            return []
        if hit is None:
            out[-1][1].append(lines[i])
            i += 1
            continue
        name, rest, used = hit
        rest = rest.lstrip("|:;! ")  # a column rule or colon read between label and value
        out.append((name, [rest] if rest else []))
        i += used
    return [(name, "\n".join(parts).strip()) for name, parts in out]


def _label_at(lines: Sequence[str], i: int) -> tuple[str, str, int] | None:
    """(field, rest of the line, lines used) when lines[i] starts with a field label."""
    if i + 1 < len(lines):
        two = match_label(f"{lines[i]}\n{lines[i + 1]}", FIELD_LABELS)
        if two is not None and two[1] == "":
            return two[0], "", 2  # a label wrapped over two lines
    one = match_label(lines[i], FIELD_LABELS)
    if one is not None:
        return one[0], one[1], 1
    words = lines[i].split()
    best: tuple[float, str, str] | None = None
    for name, canon in FUZZY_FIELD_LABELS:
        k = len(canon.split())
        ratio = difflib.SequenceMatcher(None, " ".join(words[:k]).lower(), canon).ratio()
        if ratio >= _FUZZY and (best is None or ratio > best[0]):
            best = (ratio, name, " ".join(words[k:]))
    return (best[1], best[2], 1) if best else None


def _read_lists(cells: list[Cell], ident: Identity) -> None:
    for cell in cells:
        hit = match_list_label(cell.text)
        if hit is None or hit[0] in ident.lists:
            continue
        name, rest = hit
        if not rest:
            below = _below(cell, cells)
            if below is not None and match_list_label(below.text) is None:
                rest = below.text
        items = split_items(fix_numbering(rest))
        ident.lists[name] = tuple(re.sub(r"\s+", " ", i).strip() for i in items)


def match_list_label(text: str | None) -> tuple[str, str] | None:
    """(list, rest of the cell) when a cell starts with a list label, also as OCR misreads it
    ('(ualifikasi Pelaksana', 'beringatan', 'PENCATATAN DAN PEDATAAN')."""
    hit = match_label(text, LIST_LABELS)
    if hit is not None:
        return hit
    lines = text_lines(text)
    if not lines:
        return None
    first = _flat(re.sub(r"^[^\w(]+|[^\w)]+$", "", lines[0])).lower()
    if len(first) < 5:
        return None
    best = max(_LIST_CANON, key=lambda lc: _label_ratio(first, lc[1]))
    if _label_ratio(first, best[1]) < _FUZZY:
        return None
    return best[0], "\n".join(lines[1:])


# Letter pairs OCR confuses in small print: 'ri' read as 'n' or 'nn', 'm' as 'rn' and back.
_CONFUSIONS = (("ri", "nn"), ("ri", "n"), ("m", "rn"), ("rn", "m"))


def _label_ratio(text: str, canon: str) -> float:
    """Similarity of an OCR'd label to `canon`, also as `canon` reads with a common OCR confusion
    ('?enngatan' for 'Peringatan')."""
    variants = {canon, *(canon.replace(a, b) for a, b in _CONFUSIONS)}
    return max(difflib.SequenceMatcher(None, text, v).ratio() for v in variants)


def fix_numbering(text: str) -> str:
    """Item numbers as OCR reads them back to 'N. ' in sequence: '2, Undang', '4 Peraturan'
    (the next number only: a wrapped line may start with one), a misread number with its
    full stop ('8.' for 4, 'L.', '&.' or a bare '.'), in a cell that is numbered at all."""
    # '(1) Formulir ...' / '(2) Fotocopy ...': numbers in brackets are item numbers too
    text = re.sub(r"(?m)^(\s*)\((\d{1,2})\)\s+(?=\S)", r"\1\2. ", text)
    lines = text.splitlines()
    if not _is_numbered(lines):
        return text
    out, expected = [], 1
    for i, line in enumerate(lines):
        m = _MARKER.match(line)
        if m and _is_marker(m, expected, first=not i):
            line = f"{expected}. {line[m.end():]}"
            expected += 1
        out.append(line)
    return "\n".join(out)


def _is_numbered(lines: Sequence[str]) -> bool:
    """A cell with a printed item number, or with two numbers OCR misread ('|. Bila')."""
    if any(re.match(r"^\s*\d{1,2}[.)]\s", ln) for ln in lines):
        return True
    if lines and re.match(r"^\s*1\s+[A-Z]", lines[0]):
        return True
    marks = [m for m in map(_MARKER.match, lines) if m and m.group("p") == "." and m.group("c")]
    return len(marks) >= 2


def _is_marker(m: re.Match[str], expected: int, *, first: bool) -> bool:
    """Whether a line start read by `_MARKER` is the item number `expected`."""
    n, c, punct = m.group("n"), m.group("c"), m.group("p")
    if n and not c:
        return int(n) == expected or punct in (".", ",")
    if c and not n:
        return punct in (".", ",")
    return not n and not c and punct == "." and (expected > 1 or first)


def _text(cell: Cell | None) -> str:
    return cell.text if cell is not None else ""


def _value_of(label: Cell, cells: Sequence[Cell]) -> Cell | None:
    """The value of a label alone in its cell: the cell to its right, or, when that is another
    label (labels printed in one row, values in the row below), the cell under it."""
    right = _right_of(label, cells)
    seen = {id(label)}
    while right is not None and _is_colon_cell(right, label) and id(right) not in seen:
        seen.add(id(right))  # a colon cell narrower than 3 pt is "right of" itself
        right = _right_of(right, cells)  # the colon printed in a column of its own
    if right is not None and _is_colon_cell(right, label):
        right = None
    if right is not None and not starts_label(right.text):
        return right
    below = _below(label, cells)
    if below is not None and not starts_label(below.text):
        return below
    return None


def _is_colon_cell(cell: Cell, label: Cell) -> bool:
    """A cell of the colon column between labels and values: only a colon (OCR may read it as
    a rule or drop it as a speck), far narrower than the label."""
    return bool(re.fullmatch(r"\s*[:;|!.]?\s*", cell.text or "")) and cell.box.width < 0.4 * label.box.width


def _cells_beside(label: Cell, cells: Sequence[Cell]) -> list[Cell]:
    """The value column's cells beside `label` (past a colon column), top to bottom."""
    right = [c for c in cells if c.box.x0 >= label.box.x1 - 3 and not _is_colon_cell(c, label)
             and min(c.box.bottom, label.box.bottom) - max(c.box.top, label.box.top) >= 0.5 * c.box.height]
    if not right:
        return []
    x0 = min(c.box.x0 for c in right)
    return sorted((c for c in right if c.box.x0 <= x0 + 5), key=lambda c: c.box.top)


def _right_of(label: Cell, cells: Sequence[Cell]) -> Cell | None:
    """The nearest cell to the right of `label` on its line."""
    cy = label.box.cy
    right = [c for c in cells if c is not label and c.box.x0 >= label.box.x1 - 3 and c.box.top <= cy <= c.box.bottom]
    return min(right, key=lambda c: c.box.x0, default=None)


def _below(label: Cell, cells: Sequence[Cell]) -> Cell | None:
    """The cell right under `label`, overlapping it horizontally."""
    under = [c for c in cells if c is not label and c.box.top >= label.box.bottom - 3
             and min(c.box.x1, label.box.x1) - max(c.box.x0, label.box.x0) > 0.5 * label.box.width]
    return min(under, key=lambda c: c.box.top, default=None)


def _header_text(page: PageContent, cells: Sequence[Cell]) -> str:
    """The office header: every cell (not a label or value) with a 'PEMERINTAH', region or
    office line, top to bottom (a scan may split the header over cells); else the page text."""
    heads = [c for c in cells if any(_is_header_line(ln) for ln in c.text.splitlines())]
    if not heads:
        return page.text
    return "\n".join(c.text for c in sorted(heads, key=lambda c: (round(c.box.top), c.box.x0)))


def _is_office(line: str) -> bool:
    """A line that starts an office name, also with its first word misread ('DMNAS')."""
    if _OFFICE.match(line):
        return True
    first = (line.split() or [""])[0].lower()
    return line.isupper() and len(first) >= 5 and len(line.split()) >= 2 and any(
        difflib.SequenceMatcher(None, first, w).ratio() >= _FUZZY for w in _OFFICE_WORDS)


def _is_sub_unit(line: str) -> bool:
    """A unit under the office ('SUB BAGIAN UMUM', also misread 'SUE BAGIAM'): not the office."""
    head = " ".join(line.lower().split()[:2])
    return any(difflib.SequenceMatcher(None, head, w).ratio() >= _FUZZY
               for w in ("sub bagian", "subbagian umum", "bidang", "seksi"))


def _is_header_line(line: str) -> bool:
    text = line.strip()
    return _is_pemerintah(text) or _is_office(text) or bool(
        re.match(r"^(provinsi|kabupaten|kota)\b", text, re.I))


def _is_pemerintah(line: str) -> bool:
    return bool(re.match(r"^\s*pemerintah\b", line, re.I))


def split_header(text: str, jabatan: str | None = None) -> tuple[str | None, str | None]:
    """(pemerintah, instansi) from the header lines; instansi gets the region when it lacks one."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    pemerintah = next((ln for ln in lines if _is_pemerintah(ln)), None)
    if pemerintah is None:
        region_line = next((ln for ln in lines if re.match(r"^(provinsi|kabupaten|kota)\b", ln, re.I)), None)
        pemerintah = f"Pemerintah {region_line}" if region_line else None
    office: list[str] = []
    for ln in lines:
        if office and _is_sub_unit(ln):
            break
        if not office:
            if _is_office(ln):
                office.append(ln)
        elif _STOP.search(ln) or _is_office(ln) or _is_pemerintah(ln):
            break
        else:
            office.append(ln)
    instansi = title_case_office(" ".join(office)) if office else None
    if instansi and not _REGION.search(instansi):
        region = _REGION.search(jabatan or "") or _REGION.search(pemerintah or "")
        if region:
            instansi = f"{instansi} {title_case_office(region.group(0))}"
    return (title_case_office(pemerintah) if pemerintah else None), instansi


def clean_title(text: str | None) -> str | None:
    """Nama SOP without a leading 'SOP' and a trailing full stop; ALL-CAPS in title case."""
    title = clean(join_lines(text))
    if title is None:
        return None
    title = re.sub(r"^(sop|standar(t)? operasional prosedur)\b\s*[:\-]?\s*", "", title, flags=re.I)
    title = title.rstrip(" .,")
    if title.isupper():
        title = re.sub(r"/(\w)", lambda m: "/" + m.group(1).upper(), title_case_office(title))
    return title or None


def clean_nomor(text: str | None) -> str | None:
    """The SOP number without spaces, a trailing full stop or a leading rule ('|'); a slash
    that OCR read as 'I', 'l' or '|' before 'SOP' is put back ('44 ISOP/' -> '44/SOP/')."""
    nomor = clean(text)
    if not nomor:
        return None
    nomor = re.sub(r"(?<=[\d\s])[Il|1](?=SOP/)", "/", nomor)
    nomor = re.sub(r"\s+", "", nomor).strip("|:;").rstrip(".,").replace("!", "")
    nomor = "/".join(_digit_part(part) for part in nomor.split("/"))
    return nomor or None


_LOOKALIKE = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0", "o": "0"})


def _digit_part(part: str) -> str:
    """A number between slashes with a letter OCR reads for a digit ('I4' -> '14', 'O4' -> '04'):
    only when the part has a real digit and no other letter, so words ('SOP', 'IP') stay."""
    if re.search(r"\d", part) and re.fullmatch(r"[\dIl|Oo.]+", part):
        return part.translate(_LOOKALIKE)
    return part


def nomor_doubts(nomor: str | None) -> list[str]:
    """Parts of a number where a letter touches a digit ('I4C', 'DISK0M1INF0'): a handwritten or
    misread part to check by eye (never corrected here)."""
    return [p for p in (nomor or "").split("/") if re.search(r"\d[A-Za-z]|[A-Za-z]\d", p)]


def _finish(ident: Identity, signatures: Sequence[str] = ()) -> None:
    v = ident.values
    ident.disahkan_oleh = complete_official(parse_official(v.get("disahkan_oleh")), signatures)
    v["nomor"] = clean_nomor(v.get("nomor"))
    if v["nomor"] and re.search(r"//|^/|/$", v["nomor"]):
        # a blank left in the printed number for a handwritten part that was not read
        ident.warnings.append(f"nomor: hanya bagian cetaknya terbaca ({v['nomor']}), bagian tulisan tangan "
                              "kosong; isi nomor dari dokumen")
        v["nomor"] = None
    doubts = nomor_doubts(v["nomor"])
    if doubts:
        ident.warnings.append(f"nomor: bagian {', '.join(doubts)} mencampur huruf dan angka (tulisan tangan "
                              "atau salah baca); periksa pada dokumen")
    v["title"] = clean_title(v.get("title"))
    jabatan = ident.disahkan_oleh.jabatan if ident.disahkan_oleh else None
    v["pemerintah"], v["instansi"] = split_header(v.get("header") or "", jabatan)
    for name in ("tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif"):
        printed = clean(v.get(name))
        v[name] = parse_date(printed, fuzzy_month=True)
        if printed and v[name] is None:
            ident.warnings.append(f"{name}: '{printed}' tidak terbaca sebagai tanggal lengkap "
                                  "(tulisan tangan atau tertutup cap?); isi dari dokumen")
