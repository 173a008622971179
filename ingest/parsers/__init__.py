"""One parser per document type: `parse(doc: DocumentContent) -> Extraction`.

Adding a document type: write `ingest/parsers/<type>.py` with a `parse` function, add its cues
to `ingest/classify.py`, and register it in `PARSERS` below.
"""

from __future__ import annotations

from collections.abc import Callable

from ingest.layout import DocumentContent
from ingest.model import DocType, Extraction

Parser = Callable[[DocumentContent], Extraction]


def get_parser(doc_type: DocType) -> Parser | None:
    """The parser for `doc_type`, imported on first use (keeps `arsip` start-up fast)."""
    import importlib

    module = _MODULES.get(doc_type)
    if module is None:
        return None
    parse: Parser = importlib.import_module(f"ingest.parsers.{module}").parse
    return parse


_MODULES: dict[str, str] = {
    "sop": "sop",
    "lkjip": "lkjip",
    "form_data_kinerja": "form",
    "perjanjian_kinerja": "pk",
    "surat": "naskah",
    "keputusan": "naskah",
}
