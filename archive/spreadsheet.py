"""Exports that never write a formula: user text starting like one stays text.

A spreadsheet treats a cell that starts with `=`, `+`, `-`, `@`, tab or CR as a formula (CSV
injection: `=HYPERLINK(...)` in a letter's perihal would become a live link or worse).  In CSV
such text gets a leading apostrophe (the OWASP advice; spreadsheets show the rest as text);
in XLSX the cell is typed as a string, so it shows exactly what was written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    """True for text a spreadsheet would evaluate."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_safe(value: Any) -> Any:
    """A CSV cell value: formula-like text behind an apostrophe, everything else unchanged."""
    return f"'{value}" if looks_like_formula(value) else value


def xlsx_as_text(cells: Iterable[Any]) -> None:
    """Type the formula-like string cells of an openpyxl row as plain strings."""
    for cell in cells:
        if looks_like_formula(cell.value) or cell.data_type == "f":
            cell.data_type = "s"
