"""The signatory of an SOP: jabatan, nama, pangkat and NIP from the 'Disahkan Oleh' cell as a
scan reads it (stamp and signature lines between them), a jabatan printed alone, and the
signature block printed elsewhere on the pages when that cell gives no name."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from ingest.model import Official
from ingest.parsers.signatory import is_place_date, spaced_name
from ingest.text import clean, find_nip, title_case_office

_REGION_LINE = re.compile(r"\b(provinsi|provisi|kabupaten|kota)\s+\w{3,}", re.I)
_PANGKAT = re.compile(r"^(pembina|penata|pengatur|juru)\b|\((I{1,3}|IV)/[a-e]\)|"
                      r"\(\s*[IVl1|]{1,3}\s*/\s*[a-e]\s*\)?|\butama\s+(madya|muda)\b|"
                      r"\btingkat\s+[I1l|]\b", re.I)
_PANGKAT_WORDS = ("pembina", "penata", "pengatur")
# A name line: an honorific before it or an academic title after a comma ('H. ...', '..., S.T.').
_NAME_CUE = re.compile(r"^(h|hj|ir|dr|drs|dra|prof)\.\s|,\s*(s|m|dr|a\.md)\.?\s?[a-z]{0,4}\.?\s*(,|$)", re.I)


def text_lines(text: str | None) -> list[str]:
    """The lines of a cell that hold a letter or digit (OCR leaves '|' and '.' specks)."""
    return [ln.strip() for ln in (text or "").splitlines() if re.search(r"[^\W_]", ln)]


def parse_official(text: str | None) -> Official | None:
    """Jabatan, nama, pangkat and NIP from a 'Disahkan Oleh' cell.

    The name is the line above the pangkat or NIP; the jabatan ends at a line ending in a
    comma or naming the region; lines between them are the signature and stamp as OCR reads them.
    """
    lines = text_lines(text)
    if not lines:
        return None
    nip_i = next((i for i, ln in enumerate(lines) if find_nip(ln) or ln.upper().startswith("NIP")), None)
    pangkat_i = next((i for i, ln in enumerate(lines) if i and _is_pangkat(ln)), None)
    end = min(i for i in (nip_i, pangkat_i, len(lines)) if i is not None)
    if nip_i is None and pangkat_i is None and _is_jabatan(lines[-1]) \
            and not any(_NAME_CUE.search(ln) for ln in lines):
        # only the office is printed ('KEPALA DPUPR'): no name to take from under it
        jabatan = clean(" ".join(lines).rstrip(",").lstrip(":; "))
        return Official(jabatan=title_case_office(jabatan) if jabatan and jabatan.isupper() else jabatan)
    jabatan_end = _jabatan_end(lines[:max(end - 1, 0)])
    cued = [i for i in range(jabatan_end, end) if _NAME_CUE.search(lines[i])]
    name_i = cued[-1] if cued else end - 1
    jabatan_end = min(jabatan_end, max(name_i, 0))
    jabatan = _clean_jabatan(clean(" ".join(lines[:jabatan_end]).rstrip(",").lstrip(":; ")))
    return Official(
        jabatan=title_case_office(jabatan) if jabatan and jabatan.isupper() else jabatan,
        nama=spaced_name(clean(lines[name_i])) if name_i >= 0 and name_i != nip_i else None,
        nip=find_nip(lines[nip_i]) if nip_i is not None else None,
        pangkat=_clean_pangkat(lines[pangkat_i]) if pangkat_i is not None else None,
    )


def _clean_pangkat(line: str) -> str | None:
    """The pangkat line, its Roman 'I' put back where OCR read '|', 'l' or '1' ('Tingkat |')."""
    return clean(re.sub(r"(?i)\b(tingkat|muda|madya)\s+[|l1](?=\W|$)", r"\1 I", line))


def _clean_jabatan(text: str | None) -> str | None:
    """A jabatan without what a stamp or signature adds as OCR reads it: a lone digit or mark
    between words ('INFORMATIKA 5 PROVINSI'), hyphens joining capitalised words
    ('KEPALA-DINAS-KOMUNIKASI', an underline or stroke through the spaces)."""
    if not text:
        return text
    text = re.sub(r"(?<=\s)(\d|[^\w\s(),./])(?=\s)", "", text)
    if text.isupper():
        text = re.sub(r"(?<=[A-Z]{3})-(?=[A-Z]{3})", " ", text)
    return clean(text)


_JABATAN = re.compile(r"^(plt|plh|pj|pjs)?\.?\s*(kepala|sekretaris|direktur|inspektur|camat|lurah|ketua|"
                      r"bupati|wali ?kota|gubernur|kadis|kaban|kabid|kasubb?ag|kasi)\b", re.I)


def _is_jabatan(line: str) -> bool:
    """A line naming an office holder ('Kepala Dinas ...', 'Plt. Sekretaris ...'), not a person."""
    return bool(_JABATAN.match(line.strip()))


def _jabatan_end(lines: Sequence[str]) -> int:
    """How many leading lines make the jabatan: up to a comma-ended line, else up to the line
    naming the region, else all of them."""
    comma = [i for i, ln in enumerate(lines) if ln.endswith(",")]
    if comma:
        return comma[-1] + 1
    region = next((i for i, ln in enumerate(lines) if _REGION_LINE.search(ln)), None)
    return region + 1 if region is not None else len(lines)


def _is_pangkat(line: str) -> bool:
    """A pangkat line, also as OCR reads it ('Pernbina Utama Madya (1V/d')."""
    if _PANGKAT.search(line):
        return True
    first = re.sub(r"[^a-z]", "", (line.split() or [""])[0].lower())
    return len(first) >= 5 and any(
        difflib.SequenceMatcher(None, first, w).ratio() >= 0.75 for w in _PANGKAT_WORDS)


_BLOCK_LABEL = re.compile(r"^\s*(ditetapkan|disahkan|mengetahui|menyetujui|pada\s+tanggal|tanggal)\b", re.I)


def signature_texts(texts: Sequence[str]) -> list[str]:
    """The cells or text blocks that hold a signature block (a NIP), without the place-and-date
    and role-label lines above it ('Ditetapkan di ...', 'Disahkan Oleh')."""
    out = []
    for text in texts:
        lines = text_lines(text)
        if not any(find_nip(ln) for ln in lines):
            continue
        out.append("\n".join(ln for ln in lines if not _BLOCK_LABEL.match(ln) and not is_place_date(ln)))
    return out


def complete_official(official: Official | None, blocks: Sequence[str]) -> Official | None:
    """`official` with what it misses (name, NIP, pangkat, jabatan) taken from a signature block
    printed elsewhere (under the flowchart, on the last page) of the same person: one whose
    name reads alike, or any when the 'Disahkan Oleh' cell gave no name.  What was read stays."""
    if official is not None and official.nama and official.nip:
        return official
    for text in blocks:
        other = parse_official(text)
        if other is None or not other.nama or not other.nip:
            continue
        if official is None:
            return other
        if official.nama and difflib.SequenceMatcher(None, official.nama.lower(), other.nama.lower()).ratio() < 0.8:
            continue
        return Official(jabatan=official.jabatan or other.jabatan, nama=official.nama or other.nama,
                        nip=official.nip or other.nip, pangkat=official.pangkat or other.pangkat)
    return official
