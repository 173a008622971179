"""Read a signature block: jabatan, nama with academic titles, pangkat, NIP.

A block, top to bottom, as Indonesian offices print it::

    Jombang, 30 Januari 2023          <- optional place and date
    INSPEKTUR KABUPATEN JOMBANG,      <- jabatan (one or more lines)
    <signature, stamp>
    ABDUL MADJID NINDYAGUNG, SH., MSi. <- nama
    Pembina Tingkat I                  <- pangkat (optional)
    NIP. 19670105 199212 1 001         <- NIP (optional)

The functions take plain lines, so a caller may feed lines from a text layer, from OCR, or from one
column of a two-column signature area (`column_lines`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.layout import Word
from ingest.model import Official
from ingest.text import DATE_RE, clean, find_nip, title_case_office

PANGKAT_RE = re.compile(
    r"^\s*(?:pangkat\s*:?\s*)?(?P<p>(?:pembina|penata|pengatur|juru)\b"
    r"(?:\s+(?:utama|muda|madya|tingkat\s*i{1,2}|tk\.?\s*i{1,2}))*)"
    r"(?:\s*,?\s*\(?\s*(?P<g>i{1,3}v?|iv)\s*/\s*[a-e]\s*\)?)?\s*$",
    re.IGNORECASE,
)
# A pangkat line as OCR may read it: 'Pembina Utama Magya (IV/d', 'Pernbina Tingkat |'.
_LOOSE_PANGKAT_RE = re.compile(
    r"^\s*(?:pangkat\s*:?\s*)?(?:pembina|penata|pengatur|juru|pernbina|pemb\w{2,4}|pen\w{2,4})\b"
    r"[^\d]{0,30}(?:\(\s*[IVl1|]{1,3}\s*/\s*[a-e]\s*\)?)?\s*$", re.IGNORECASE)
_PANGKAT_WORDS_RE = re.compile(r"\b(utama|muda|madya|tingkat|tk\.?)\b|\(\s*[IVl1|]{1,3}\s*/", re.IGNORECASE)
NIP_LINE_RE = re.compile(r"^\s*nip\b", re.IGNORECASE)
_PLACE_DATE_RE = re.compile(rf"^\s*[A-Z][\w .'-]{{1,40}},\s*(?:{DATE_RE.pattern}|.*\b(?:19|20)\d\d\s*$)",
                            re.IGNORECASE)
_LABEL_RE = re.compile(
    r"^\s*(?:pihak\s+(?:pertama|kesatu|kedua)|yang\s+membuat|mengetahui|menyetujui|"
    r"disahkan\s+oleh|ditetapkan\s+di|pada\s+tanggal|an\.?|a\.n\.?)\b[\s,:]*$",
    re.IGNORECASE,
)
_SKIP_RE = re.compile(r"^\s*(?:ttd\.?|cap|\(?\s*materai.*|\.{3,})\s*$", re.IGNORECASE)


def is_place_date(line: str) -> bool:
    """True for a 'Jombang, 30 Januari 2023' line (also with the day left blank)."""
    return bool(_PLACE_DATE_RE.match(line))


def read_signature(lines: Sequence[str], *, title_case_jabatan: bool = True) -> Official | None:
    """The official in a block of lines (top to bottom); None when no name can be found.

    The name is the line just above the pangkat or NIP line, or, without either, the last line.
    Everything above the name (after a place-and-date line and role labels) is the jabatan.
    """
    rows = [ln.strip() for ln in lines if clean(ln) and not _SKIP_RE.match(ln)]
    nip_i = next((i for i, ln in enumerate(rows) if NIP_LINE_RE.match(ln) or _is_bare_nip(ln)), None)
    pangkat_i = next((i for i, ln in enumerate(rows) if is_pangkat(ln)), None)
    anchors = [i for i in (pangkat_i, nip_i) if i is not None]
    name_i = (min(anchors) - 1) if anchors else len(rows) - 1
    if name_i < 0 or not rows:
        return None
    nama = _clean_name(rows[name_i])
    if not nama:
        return None
    top = [ln for ln in rows[:name_i] if not is_place_date(ln) and not _LABEL_RE.match(ln)]
    jabatan = clean(" ".join(top).rstrip(",").strip(" ,"))
    if jabatan and title_case_jabatan and jabatan.isupper():
        jabatan = title_case_office(jabatan)
    pangkat = _pangkat(rows[pangkat_i]) if pangkat_i is not None else None
    nip = find_nip(rows[nip_i]) if nip_i is not None else None
    return Official(jabatan=jabatan, nama=nama, nip=nip, pangkat=pangkat)


def is_pangkat(line: str) -> bool:
    """A pangkat line, also misread by OCR (then it must still name a rank word or golongan)."""
    if PANGKAT_RE.match(line):
        return True
    return bool(_LOOSE_PANGKAT_RE.match(line)) and bool(
        re.match(r"^\s*(?:pangkat\s*:?\s*)?(?:pembina|penata|pengatur|juru)\b", line, re.I)
        or _PANGKAT_WORDS_RE.search(line))


def _is_bare_nip(line: str) -> bool:
    return bool(find_nip(line)) and len(re.sub(r"[\d\s.]", "", line)) <= 4


def _clean_name(line: str) -> str | None:
    name = re.sub(r"^\s*(?:nama\s*:)\s*", "", line, flags=re.IGNORECASE)
    return spaced_name(clean(name.strip(" ,()")))


_HONORIFIC = re.compile(r"^(H|Hj|Ir|Dr|Drs|Dra|Prof)\.(?=[A-Z])")


def spaced_name(name: str | None) -> str | None:
    """A name with the space OCR dropped after a leading honorific put back ('H.Irwan' -> 'H. Irwan')."""
    return _HONORIFIC.sub(r"\1. ", name) if name else name


def _pangkat(line: str) -> str | None:
    if not is_pangkat(line):
        return None
    out = re.sub(r"^\s*pangkat\s*:?\s*", "", line, flags=re.IGNORECASE).strip(" ,")
    return clean(out)


def column_lines(words: Sequence[Word], x0: float, x1: float, top: float, bottom: float,
                 ) -> list[str]:
    """The text lines made by the words whose centre lies in the given area, top to bottom."""
    inside = [w for w in words if x0 <= w.box.cx < x1 and top <= w.box.cy < bottom]
    return [text for text, _top, _bottom in group_lines(inside)]


def group_lines(words: Sequence[Word]) -> list[tuple[str, float, float]]:
    """Words grouped into lines by vertical overlap: (text, top, bottom), top to bottom."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.box.top, w.box.x0)):
        if lines:
            last = lines[-1]
            ref = last[0].box
            if abs(w.box.cy - ref.cy) <= max(2.0, 0.45 * ref.height):
                last.append(w)
                continue
        lines.append([w])
    out = []
    for ws in lines:
        ws.sort(key=lambda w: w.box.x0)
        out.append((" ".join(w.text for w in ws), min(w.box.top for w in ws),
                    max(w.box.bottom for w in ws)))
    return out
