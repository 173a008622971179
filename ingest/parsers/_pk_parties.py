"""The two parties of a Perjanjian Kinerja, from the pernyataan text, the signature blocks, or both.

The pernyataan names them in one of three common forms:

- label/value lines: ``Nama : ...`` / ``Jabatan : ...`` (``NIP``, ``Pangkat``) then
  ``selanjutnya disebut PIHAK PERTAMA`` (or ``KESATU``);
- prose: ``yang bertanda tangan di bawah ini: Drs. A, M.Si, Kepala Dinas X, selanjutnya disebut
  PIHAK PERTAMA. B, Gubernur Y, selaku atasan PIHAK PERTAMA, selanjutnya disebut PIHAK KEDUA``;
- none at all: then only the signature blocks, side by side at the foot of a page, name them.

Signature blocks are read in two columns; a column is the party its label above says
(``PIHAK PERTAMA``), else the one whose jabatan is an elected head or the left one is PIHAK KEDUA
(the layout of the Permenpan form).  Both sources are reconciled per party: the pernyataan's
name and jabatan first, the blocks filling what it lacks; the NIP is chosen among every reading
of it by its structure (`ingest.nip`), and a block's name is not taken when it is only a line of
its jabatan (a signature or stamp hid the name).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest import nip as nips
from ingest.layout import DocumentContent, PageContent
from ingest.model import Official
from ingest.parsers.signatory import column_lines, group_lines, is_place_date, read_signature
from ingest.text import clean, title_case_office

_PARTY_RE = re.compile(r"pihak\s+(pertama|kesatu|kedua)", re.I)
_NAMED_AS_RE = re.compile(r"disebut\s*:?\s*(?:sebagai\s+)?pihak\s+(pertama|kesatu|kedua)", re.I)
# 'Nama : ...'; OCR may drop the colon or read it as ';' or '.'; items may be numbered ('1. Nama')
_LABEL_RE = re.compile(
    r"^\s*(?:\d[.)]\s*|[a-c][.)]\s*)?(nama|jabatan|nip|pangkat(?:\s*/\s*gol(?:ongan)?)?)"
    r"(?:\s*[:;.]\s*|\s+(?=[A-Z0-9]))(.*)$", re.I)
# where a jabatan starts inside prose: the office-holder words of Indonesian administration
JABATAN_START_RE = re.compile(
    r"^\s*(?:plt\.?|plh\.?|pj\.?|pj\s+|penjabat\s+)?\s*(?:kepala|sekretaris|gubernur|wakil|bupati|"
    r"wali\s*kota|inspektur|camat|direktur|asisten|kabag|kabid|kasubag|kepala\s+bagian|lurah|"
    r"ketua|menteri|deputi|staf\s+ahli|pimpinan)\b", re.I)
_ELECTED_RE = re.compile(r"^\s*(?:plt\.?\s*|pj\.?\s*)?(?:gubernur|bupati|wali\s*kota|menteri)\b",
                         re.I)
_PROSE_END_RE = re.compile(r",?\s*(?:selaku\s+atasan.*|dalam\s+hal\s+ini.*|yang\s+selanjutnya.*|"
                           r"selanjutnya.*|berkedudukan.*)$", re.I | re.S)


@dataclass
class PartyReading:
    """What one source says of one party; `nip_lines` keeps raw NIP text for the vote."""

    official: Official
    nip_lines: list[str] = field(default_factory=list)


def parties(doc: DocumentContent) -> tuple[Official | None, Official | None, list[str]]:
    """(pihak pertama, pihak kedua, warnings) of a PK."""
    named = named_parties(doc)
    signed = signed_parties(doc)
    warnings: list[str] = []
    out: dict[str, Official | None] = {}
    for key in ("pertama", "kedua"):
        text = named.get(key)
        blocks = [r for label, r in signed if label == key and _may_be(text, r)]
        if text is not None:
            blocks += [r for label, r in signed if label != key and _same_person(
                text.official.nama, r.official.nama)]
        out[key] = _reconcile(key, text, blocks, warnings)
    return out["pertama"], out["kedua"], warnings


# --- the pernyataan text ---------------------------------------------------------------------

def named_parties(doc: DocumentContent) -> dict[str, PartyReading]:
    """Parties named in the pernyataan, by labelled lines or in prose."""
    out: dict[str, PartyReading] = {}
    for page in doc.pages[:4]:
        for key, reading in _labelled(page.text).items():
            out.setdefault(key, reading)
        for key, reading in _prose(page.text).items():
            out.setdefault(key, reading)
    return out


def _labelled(text: str) -> dict[str, PartyReading]:
    """Parties from `Nama :` / `Jabatan :` lines, each closed by 'disebut PIHAK ...'."""
    out: dict[str, PartyReading] = {}
    fields: dict[str, list[str]] = {}
    current: str | None = None
    for line in _joined_lines(text):
        # 'selaku atasan PIHAK KESATU, selanjutnya disebut PIHAK KEDUA': the one named
        party = _NAMED_AS_RE.search(line) or _PARTY_RE.search(line)
        label = _LABEL_RE.match(line)
        if party and re.search(r"disebut", line, re.I) and fields.get("nama"):
            out.setdefault(_key(party.group(1)), _from_fields(fields))
            fields, current = {}, None
        elif label:
            current = label.group(1).lower().split("/")[0].strip()
            fields[current] = [label.group(2)]
        elif current == "jabatan" and not party and _continues_jabatan(line):
            fields[current].append(line)
        else:
            current = None
    return out


def _joined_lines(text: str) -> list[str]:
    """Stripped lines, a 'disebut' line joined with the 'PIHAK ...' line it runs on to."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if out and re.search(r"disebut\s*(?:sebagai)?\s*:?$", out[-1], re.I) and re.match(
                r"^pihak\b", line, re.I):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _continues_jabatan(line: str) -> bool:
    """A wrapped jabatan line: capitals, or a short capitalised phrase without a full stop
    ('Kabupaten Contoh'), never a label or the start of a sentence."""
    if not line or _LABEL_RE.match(line):
        return False
    if line.isupper():
        return True
    return bool(re.match(r"^[A-Z]", line)) and len(line.split()) <= 6 and not re.search(
        r"[.;:]\s*$|\b(?:yang|dalam|akan|untuk|dengan|berjanji|selanjutnya)\b", line, re.I)


def _from_fields(fields: dict[str, list[str]]) -> PartyReading:
    jabatan = _office(" ".join(fields.get("jabatan", [])))
    pangkat = clean(" ".join(fields.get("pangkat", [])))
    nip_text = " ".join(fields.get("nip", []))
    official = Official(jabatan=jabatan, nama=clean(" ".join(fields.get("nama", []))),
                        nip=nips.choose(nips.readings("NIP " + nip_text)), pangkat=pangkat)
    return PartyReading(official, ["NIP " + nip_text] if nip_text else [])


def _prose(text: str) -> dict[str, PartyReading]:
    """Parties named in running text: '<name>, <jabatan>, ... selanjutnya disebut PIHAK X'."""
    flat = " ".join(text.split())
    start = re.search(r"bertanda\s*tangan\s+di\s*bawah\s+ini\s*:?", flat, re.I)
    if not start:
        return {}
    out: dict[str, PartyReading] = {}
    pos = start.end()
    for m in _NAMED_AS_RE.finditer(flat, pos):
        segment = flat[pos:m.start()]
        pos = m.end()
        if _LABEL_RE.search(segment[:12]):  # the labelled form: `_labelled` reads it
            continue
        reading = _prose_party(segment)
        if reading:
            out.setdefault(_key(m.group(1)), reading)
    return out


def _prose_party(segment: str) -> PartyReading | None:
    """One party from '1. Drs. A, M.Si, NIP ..., Kepala Dinas X, selanjutnya' (end cut off)."""
    body = _PROSE_END_RE.sub("", segment)
    body = re.sub(r"^[\s.:;,]*(?:\d[.)]|[a-c][.)])?\s*", "", body).strip(" .,;")
    # 'Drs. A selaku Kepala ...', 'Drs. A NIP. 1969... Kepala ...': make the parts comma-separated
    body = re.sub(r",?\s+(?:selaku|sebagai|jabatan\s*:?)\s+(?!atasan)", ", ", body, flags=re.I)
    body = re.sub(r",?\s+(nip\b\.?\s*:?\s*[\d ]{18,26})\s*,?\s*", r", \1, ", body, flags=re.I)
    parts = [p.strip() for p in body.split(",")]
    cut = next((i for i, p in enumerate(parts) if i > 0 and JABATAN_START_RE.match(p)), None)
    if cut is None:
        return None
    name_parts = [p for p in parts[:cut] if not re.match(r"^\s*nip\b", p, re.I)]
    nip_parts = [p for p in parts if re.match(r"^\s*nip\b", p, re.I)]
    jabatan_parts = [p for p in parts[cut:] if not re.match(r"^\s*nip\b", p, re.I)]
    nama = clean(", ".join(name_parts))
    if not nama or len(nama) > 80:
        return None
    official = Official(jabatan=_office(", ".join(jabatan_parts)), nama=nama,
                        nip=nips.choose(r for p in nip_parts for r in nips.readings(p)))
    return PartyReading(official, nip_parts)


def _office(text: str) -> str | None:
    jabatan = clean(text)
    if jabatan and jabatan.isupper():
        jabatan = title_case_office(jabatan)
    return jabatan


def _key(word: str) -> str:
    return "kedua" if word.lower() == "kedua" else "pertama"


# --- the signature blocks --------------------------------------------------------------------

def signed_parties(doc: DocumentContent) -> list[tuple[str, PartyReading]]:
    """Signature blocks of every page with the party each stands for."""
    out: list[tuple[str, PartyReading]] = []
    for page in doc.pages:
        out += _blocks_on(page)
    return out


def _blocks_on(page: PageContent) -> list[tuple[str, PartyReading]]:
    lines = group_lines(page.words)
    nip_tops = [top for text, top, _ in lines if re.match(r"^\s*nip\b", text, re.I)]
    if not nip_tops:
        return []
    last_nip = max(nip_tops)
    start = _signature_top(page, lines, last_nip)
    mid = page.width / 2
    labels = _labels(page, start, last_nip)
    found: list[tuple[str | None, PartyReading]] = []
    for x0, x1 in ((0.0, mid), (mid, page.width)):
        block = column_lines(page.words, x0, x1, start, last_nip + 15)
        if any(re.match(r"^\s*(?:\d[.)]\s*)?(?:nama|jabatan)\s*:", ln, re.I) for ln in block):
            continue  # the pernyataan's `Nama : / Jabatan :` lines, not a signature
        official = read_signature(block)
        if official and (official.nama or official.nip):
            label = next((k for k, cx in labels if x0 <= cx < x1), None)
            nip_lines = [ln for ln in block if re.match(r"^\s*nip\b", ln, re.I)]
            found.append((label, PartyReading(official, nip_lines)))
    return _label_blocks(found)


def _label_blocks(found: list[tuple[str | None, PartyReading]]) -> list[tuple[str, PartyReading]]:
    """Give unlabelled blocks a party: two side by side are one each (an elected head, else the
    left one, is PIHAK KEDUA); a lone one is not guessed."""
    if all(label for label, _ in found):
        return [(label, r) for label, r in found if label]
    if len(found) != 2:
        return []
    (la, a), (lb, b) = found
    if la or lb:
        other = {"pertama": "kedua", "kedua": "pertama"}
        la = la or other[lb or ""]
        lb = lb or other[la]
        return [(la, a), (lb, b)]
    if _ELECTED_RE.match(b.official.jabatan or "") and not _ELECTED_RE.match(a.official.jabatan or ""):
        return [("pertama", a), ("kedua", b)]
    return [("kedua", a), ("pertama", b)]


def _signature_top(page: PageContent, lines: list[tuple[str, float, float]], nip_top: float,
                   ) -> float:
    """Where the signature area starts: below the last table or paragraph above the NIP."""
    floor = max((t.box.bottom for t in page.tables if t.box.bottom < nip_top), default=0.0)
    floor = max(floor, nip_top - _MAX_BLOCK_HEIGHT)
    candidates = [top for text, top, _ in lines
                  if floor <= top < nip_top and (is_place_date(text) or _LABELS_ONLY_RE.match(text))]
    if candidates:
        return min(candidates)
    return max(floor, nip_top - 160)


# a signature area (date, labels, jabatan, signature, name, pangkat, NIP) is never taller
_MAX_BLOCK_HEIGHT = 260.0
# a line of party labels only ('PIHAK KEDUA,        PIHAK PERTAMA,'), not a sentence naming one
_LABELS_ONLY_RE = re.compile(r"^\s*(?:pihak\s+(?:pertama|kesatu|kedua)\s*[,.:]?\s*){1,2}$", re.I)


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


# --- reconciling -------------------------------------------------------------------------------

def _reconcile(key: str, text: PartyReading | None, blocks: Sequence[PartyReading],
               warnings: list[str]) -> Official | None:
    """One official from the pernyataan and the blocks of the same party."""
    if text is None and not blocks:
        return None
    jabatan = text.official.jabatan if text else None
    names = [text.official.nama] if text and text.official.nama else []
    for b in blocks:
        jabatan = jabatan or b.official.jabatan
    for b in blocks:
        name = b.official.nama
        if name and _plausible_name(name) and not _is_jabatan_line(name, jabatan, b.official.jabatan):
            names.append(name)
    pangkat = next((r.official.pangkat for r in ([text] if text else []) + list(blocks)
                    if r.official.pangkat), None)
    lines = [ln for r in ([text] if text else []) + list(blocks) for ln in r.nip_lines]
    readings = [r for ln in lines for r in nips.readings(ln)]
    nip = nips.choose(readings)
    if nip is None and lines and any(re.search(r"\d{6}", ln) for ln in lines):
        warnings.append(f"NIP PIHAK {key.upper()} tidak terbaca utuh atau tidak sesuai struktur NIP "
                        "(tanggal lahir, TMT, jenis kelamin): isikan dari dokumen aslinya")
    if pangkat and pangkat.isupper():
        pangkat = pangkat.title()
    return Official(jabatan=jabatan, nama=names[0] if names else None, nip=nip, pangkat=pangkat)


def _plausible_name(name: str | None) -> bool:
    """A name has a word of three letters or more (not a stroke of the signature, 'A', 'TAL' is
    allowed: it is checked against the other readings by `_same_person`)."""
    return bool(name and re.search(r"[A-Za-z]{3,}", name))


def _may_be(text: PartyReading | None, block: PartyReading) -> bool:
    """False when a labelled block plainly names someone else than the pernyataan."""
    name = block.official.nama
    if text is None or not text.official.nama or not name:
        return True
    if _is_jabatan_line(name, text.official.jabatan, block.official.jabatan):
        return True
    return _same_person(text.official.nama, name)


def _is_jabatan_line(name: str, *jabatans: str | None) -> bool:
    """True when a block's 'name' is only a line of a jabatan (the name itself was hidden)."""
    low = name.lower().strip(" ,.")
    if JABATAN_START_RE.match(name) or re.match(r"^(provinsi|kabupaten|kota|daerah)\b", low):
        return True
    return any(j and low in j.lower() for j in jabatans)


def _same_person(a: str | None, b: str | None) -> bool:
    def tokens(s: str | None) -> set[str]:
        return {t for t in re.findall(r"[a-z]{3,}", (s or "").lower())}
    ta, tb = tokens(a), tokens(b)
    return bool(ta and tb) and len(ta & tb) >= max(1, min(len(ta), len(tb)) // 2)
