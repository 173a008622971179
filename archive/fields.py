"""The fields of an extraction a person may correct: paths, their types, reading typed values.

A path names one value of the schema JSON: `nomor`, `tanggal_efektif`, `disahkan_oleh.nip`,
`dasar_hukum[0]`, `steps[2].kegiatan`, `indicators[0].target` (rows counted from 0, as the
confidence paths of `ingest/confidence.py`).  Each path has a type; `coerce` turns what a person
typed into that type or says, in Indonesian, what to type instead.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from archive.errors import BadInputError
from archive.officials import check_nip

Kind = Literal["text", "required", "int", "year", "date", "nip", "number", "waktu"]

TOP: dict[str, Kind] = {
    "pemerintah": "text", "instansi": "text", "title": "text", "nomor": "text",
    "perihal": "text", "kepada": "text", "tahun": "year", "tanggal": "date",
    "tanggal_pembuatan": "date", "tanggal_revisi": "date", "tanggal_efektif": "date",
    "tanggal_pengesahan": "date",
}
OFFICIALS = ("disahkan_oleh", "pihak_pertama", "pihak_kedua")
OFFICIAL: dict[str, Kind] = {"jabatan": "text", "nama": "text", "nip": "nip", "pangkat": "text"}
LISTS = ("dasar_hukum", "kualifikasi_pelaksana", "keterkaitan", "peralatan", "peringatan",
         "pencatatan", "pelaksana")
ROWS: dict[str, dict[str, Kind]] = {
    "steps": {"no": "int", "kegiatan": "required", "pelaksana": "text", "kelengkapan": "text",
              "waktu": "waktu", "output": "text", "keterangan": "text"},
    "indicators": {"sasaran": "text", "indikator": "required", "satuan": "text",
                   "target": "number", "realisasi": "number", "capaian": "number",
                   "target_text": "text", "realisasi_text": "text"},
    "programs": {"program": "required", "anggaran": "number", "keterangan": "text"},
}
# a number typed into a field that also has a text form replaces that text form
TEXT_TWIN = {"target": "target_text", "realisasi": "realisasi_text"}

_PATH = re.compile(r"(?P<root>[a-z_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<leaf>[a-z_]+))?")
_WAKTU = re.compile(r"(\d+(?:[.,]\d+)?)\s*(menit|jam|hari|minggu|bulan)?", re.I)
EXAMPLES = ("nomor, title, tanggal_efektif, disahkan_oleh.nip, dasar_hukum[0], "
            "steps[2].kegiatan, indicators[0].target")


def kind_of(path: str) -> Kind:
    """The type of the value at `path`; BadInputError for a path that names no correctable field."""
    m = _PATH.fullmatch(path.strip())
    root, index, leaf = (m["root"], m["index"], m["leaf"]) if m else ("", None, None)
    kind: Kind | None = None
    if root in TOP and index is None and leaf is None:
        kind = TOP[root]
    elif root in OFFICIALS and index is None and leaf in OFFICIAL:
        kind = OFFICIAL[leaf]
    elif root in LISTS and index is not None and leaf is None:
        kind = "required"
    elif root in ROWS and index is not None and leaf in ROWS[root]:
        kind = ROWS[root][leaf]
    if kind is None:
        raise BadInputError(f"Kolom {path!r} tidak dikenal atau tidak dapat dikoreksi; tulis "
                            f"jalurnya seperti {EXAMPLES}.")
    return kind


def split(path: str) -> tuple[str, int | None, str | None]:
    """`steps[2].kegiatan` -> ('steps', 2, 'kegiatan')."""
    m = _PATH.fullmatch(path.strip())
    assert m is not None
    return m["root"], int(m["index"]) if m["index"] is not None else None, m["leaf"]


def get_value(extraction: Mapping[str, Any], path: str) -> Any:
    """The value at `path` (None when the field or its parent is empty)."""
    root, index, leaf = split(path)
    value = extraction.get(root)
    if index is not None:
        value = value[index] if isinstance(value, list) and index < len(value) else None
    if leaf is not None:
        value = value.get(leaf) if isinstance(value, Mapping) else None
    return value


def exists(extraction: Mapping[str, Any], path: str) -> bool:
    """False when `path` points at a row the reading does not have."""
    root, index, _ = split(path)
    return index is None or index < len(extraction.get(root) or ())


def set_value(extraction: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `extraction` with `value` at `path` (a missing official is created)."""
    out = copy.deepcopy(extraction)
    root, index, leaf = split(path)
    if index is None and leaf is None:
        out[root] = value
        return out
    if index is None:
        assert leaf is not None
        parent = out.get(root) or dict.fromkeys(OFFICIAL)
        parent[leaf] = value
        out[root] = parent
        return out
    rows = list(out.get(root) or [])
    if index >= len(rows):
        raise BadInputError(f"{path}: baris ke-{index} tidak ada (hasil baca memuat {len(rows)} "
                            f"baris, dihitung dari 0); tambahkan dulu barisnya (--add {root}[{index}]).")
    if leaf is None:
        rows[index] = value
    else:
        rows[index] = {**rows[index], leaf: value}
    out[root] = rows
    return out


def row_path(path: str) -> tuple[str, int]:
    """`steps[3]` -> ('steps', 3): a whole row of a table or an item of a list."""
    m = _PATH.fullmatch(path.strip())
    if not m or m["index"] is None or m["leaf"] or (m["root"] not in ROWS and m["root"] not in LISTS):
        raise BadInputError(f"{path!r} bukan baris: tulis daftar atau tabelnya dengan nomor baris "
                            f"(dari 0), mis. steps[3], indicators[0], dasar_hukum[2]; daftarnya: "
                            f"{', '.join((*ROWS, *LISTS))}.")
    return m["root"], int(m["index"])


def blank_row(root: str, index: int) -> Any:
    """An empty row of `root` (a step numbered by its place), or an empty list item."""
    if root not in ROWS:
        return ""
    row: dict[str, Any] = dict.fromkeys(ROWS[root])
    for twin in TEXT_TWIN.values():
        row.pop(twin, None)
    if root == "steps":
        row["no"] = index + 1
    return row


def insert_row(extraction: dict[str, Any], path: str, row: Any) -> dict[str, Any]:
    """A deep copy of `extraction` with `row` inserted at `path` (`steps[3]`: before the fourth
    row; the number of rows: at the end)."""
    root, index = row_path(path)
    out = copy.deepcopy(extraction)
    rows = list(out.get(root) or [])
    if index > len(rows):
        raise BadInputError(f"{path}: baris baru hanya dapat disisipkan di posisi 0 sampai "
                            f"{len(rows)} (hasil baca memuat {len(rows)} baris).")
    rows.insert(index, copy.deepcopy(row))
    out[root] = rows
    return out


def remove_row(extraction: dict[str, Any], path: str) -> tuple[dict[str, Any], Any]:
    """A deep copy of `extraction` without the row at `path`, and that row."""
    root, index = row_path(path)
    out = copy.deepcopy(extraction)
    rows = list(out.get(root) or [])
    if index >= len(rows):
        raise BadInputError(f"{path}: baris ke-{index} tidak ada (hasil baca memuat {len(rows)} "
                            "baris, dihitung dari 0).")
    removed = rows.pop(index)
    out[root] = rows
    return out, removed


def missing_required(extraction: Mapping[str, Any], path: str) -> str | None:
    """The path of an empty required field of the row at `path` (None when it is complete)."""
    root, index = row_path(path)
    row = get_value(extraction, path)
    if root not in ROWS:
        return None if row else path
    for leaf, kind in ROWS[root].items():
        if kind == "required" and not (row or {}).get(leaf):
            return f"{root}[{index}].{leaf}"
    return None


def coerce(path: str, typed: str | None) -> Any:
    """What a person typed for `path`, as the schema stores it; an empty text clears the field."""
    kind = kind_of(path)
    text = re.sub(r"\s+", " ", typed or "").strip()
    if not text:
        if kind == "required":
            raise BadInputError(f"{path} tidak boleh kosong: isi dengan teks yang tercetak.")
        return None
    reader = _READERS.get(kind)
    return reader(path, text) if reader else text


def _int(path: str, text: str) -> int:
    if not re.fullmatch(r"\d{1,6}", text):
        raise BadInputError(f"{path}: {text!r} bukan bilangan bulat; tulis angka saja, mis. 3.")
    return int(text)


def _year(path: str, text: str) -> int:
    if not re.fullmatch(r"(19|20)\d\d", text):
        raise BadInputError(f"{path}: {text!r} bukan tahun; tulis empat angka, mis. 2024.")
    return int(text)


def _date(path: str, text: str) -> str:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise BadInputError(f"{path}: {text!r} bukan tanggal yang ada; tulis TTTT-BB-HH, "
                            "mis. 2024-03-15.") from None


def _nip(path: str, text: str) -> str:
    try:
        return check_nip(text).nip
    except BadInputError as e:
        raise BadInputError(f"{path}: {e.message}") from None


def parse_number(path: str, text: str) -> float:
    """An Indonesian or plain number: `1.234,56`, `95,00`, `82.7`, `1.500.000`, `87 %`."""
    t = text.replace(" ", "").rstrip("%")
    if "," in t:
        t = t.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", t):
        t = t.replace(".", "")
    try:
        if not re.fullmatch(r"-?\d+(\.\d+)?", t):
            raise ValueError
        return float(t)
    except ValueError:
        raise BadInputError(f"{path}: {text!r} bukan angka; tulis mis. 95,5 atau 1.234,56 "
                            "(tanpa satuan).") from None


def _waktu(path: str, text: str) -> dict[str, Any]:
    m = _WAKTU.fullmatch(text)
    value = float(m[1].replace(",", ".")) if m else None
    unit = m[2].lower() if m and m[2] else None
    return {"text": text, "value": value, "unit": unit}


_READERS = {"int": _int, "year": _year, "date": _date, "nip": _nip, "number": parse_number,
            "waktu": _waktu}


def shown(value: Any) -> str:
    """A stored value as a person reads and types it (waktu as its text, numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return str(value.get("text") or "")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
