"""Rows of an indicator table that are not one indicator each, read from their texts by role.

- heading rows: a misi, tujuan or sasaran named inside the table (`heading_row`: 'Sasaran 1:
  ...'; `merged_heading`: a label merged over the value columns; `numbered_heading`: numbered
  with a roman numeral or a letter, or 'N' over rows 'N.1'), and the sasaran they give the rows
  below (`sasaran_heading`);
- `stacked`: several numbered indicators in one cell, one value line each.

Shared by the LKjIP measurement table and the Perjanjian Kinerja target table.
"""

from __future__ import annotations

import re

from ingest.parsers.indicators import Row
from ingest.text import clean, join_lines

VALUES = ("satuan", "target", "realisasi", "capaian")
_HEADING_RE = re.compile(r"^\s*(misi|tujuan|sasaran|ss)\b", re.I)
_ITEM_RE = re.compile(r"^\s*\d{1,2}\s*[.)]\s+\S")


def is_heading(row: Row, nxt: Row | None) -> bool:
    """Any of the heading rows below (`nxt` is the row after it, if any)."""
    return heading_row(row) or merged_heading(row) or numbered_heading(row, nxt)


def heading_row(row: Row) -> bool:
    """A row naming a misi, tujuan or sasaran inside the table, with no value of its own."""
    if any(clean(row.get(k)) for k in VALUES):
        return False
    label = next((clean(row.get(k)) for k in ("no", "sasaran", "indikator") if clean(row.get(k))), None)
    return bool(label and _HEADING_RE.match(label))


def stacked(row: Row) -> list[Row]:
    """A row whose indicator cell numbers several indicators ('1. ...', '2. ...') and whose
    value cells hold one line per indicator: one row per indicator.  Left whole when any value
    cell has another number of lines (which line belongs to which item is then unknown)."""
    lines = [ln for ln in (row.get("indikator") or "").splitlines() if ln.strip()]
    items: list[list[str]] = []
    for ln in lines:
        if _ITEM_RE.match(ln) or not items:
            items.append([ln])
        else:
            items[-1].append(ln)
    if len(items) < 2 or not _ITEM_RE.match(lines[0]):
        return [row]
    split: dict[str, list[str]] = {}
    for role in VALUES:
        values = [ln for ln in (row.get(role) or "").splitlines() if ln.strip()]
        if values and len(values) != len(items):
            return [row]
        if values:
            split[role] = values
    if not {"target", "realisasi"} & set(split):
        return [row]
    return [{**row, "indikator": "\n".join(item), **{r: v[i] for r, v in split.items()}}
            for i, item in enumerate(items)]


def numbered_heading(row: Row, nxt: Row | None) -> bool:
    """A row without values numbered with a roman numeral or a letter ('II', 'B.'), or numbered
    'N' when the next row is numbered 'N.1': the sasaran heading of the indicators under it."""
    no = clean(row.get("no"))
    if not no or any(clean(row.get(k)) for k in VALUES):
        return False
    if re.fullmatch(r"(?:[IVX]{1,4}|[A-H])\.?", no):
        return True
    if nxt is None:
        return False
    m = re.fullmatch(r"([0-9]{1,2}|[A-Z]|[IVX]{1,4})\.?", no)
    sub = clean(nxt.get("no")) or ""
    return m is not None and re.match(rf"{re.escape(m.group(1))}\.\d", sub) is not None


def merged_heading(row: Row) -> bool:
    """A row whose label runs over the value columns merged into it (no value cell of its own):
    a sasaran heading of a ruled table."""
    values = [k for k in ("target", "realisasi", "capaian") if k in row]
    label = any(clean(row.get(k)) for k in ("sasaran", "indikator"))
    return label and bool(values) and all(row[k] is None for k in values)


def sasaran_heading(row: Row, plain: bool) -> str | None:
    """The sasaran a heading row inside the table names ('Sasaran 1: Meningkatnya ...'; with
    `plain`, in a table without a sasaran column, also the words alone); None for a misi or
    tujuan heading."""
    text = next((t for k in ("sasaran", "indikator", "no")
                 if (t := clean(join_lines(row.get(k)))) and not re.fullmatch(r"[\dIVX.]+", t)), None)
    if not text or re.match(r"^\s*(misi|tujuan|visi)\b", text, re.I):
        return None
    m = re.match(r"^\s*(sasaran(\s+strategis)?|ss)\s*(ke-?)?\s*\d*\s*[:.)-]?\s*(?P<rest>.+)$", text, re.I)
    return clean(m.group("rest")) if m else text if plain else None
