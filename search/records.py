"""The neutral shapes the search engines read and return.

Engines never see database rows: `search.source` turns archive rows into `DocumentRecord`s, and
queries come in as `SearchQuery` and go out as `SearchResults` / `IndicatorResults`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

FuzzyMode = Literal["auto", "never", "always"]
# bump when what `search.source` puts into a record changes (an index built before is rebuilt):
# 1: titles of PK, decisions and letters made from their parts, an SOP's year from its dates
RECORDS_VERSION = 1


@dataclass(frozen=True)
class IndicatorRecord:
    """One measurement row of a version, as indexed."""

    indikator: str
    sasaran: str | None = None
    satuan: str | None = None
    target: float | None = None
    realisasi: float | None = None
    capaian: float | None = None
    target_text: str | None = None
    realisasi_text: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class VersionRecord:
    """One version of a document with the metadata and texts that are searched."""

    version_id: int
    version_no: int
    in_force: bool
    status: str
    doc_type: str
    title: str | None = None
    nomor: str | None = None
    instansi: str | None = None
    tahun: int | None = None
    tanggal: date | None = None  # tanggal efektif, else pengesahan, else the document date
    pages: tuple[str, ...] = ()
    indicators: tuple[IndicatorRecord, ...] = ()


@dataclass(frozen=True)
class DocumentRecord:
    """A document and all its versions: the unit the engines add, replace and delete."""

    doc_id: int
    versions: tuple[VersionRecord, ...] = ()


@dataclass(frozen=True)
class SearchQuery:
    """A query: words, "phrases" and -exclusions in `text`, plus filters."""

    text: str = ""
    doc_type: str | None = None
    instansi: str | None = None
    tahun: int | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    history: bool = False  # False: only versions in force
    limit: int = 20
    fuzzy: FuzzyMode = "auto"
    time_limit: float = 2.0  # seconds; slower queries return what they have, marked partial


@dataclass(frozen=True)
class Highlight:
    """A fragment of a page with the matched words marked by character spans."""

    page: int
    text: str
    marks: tuple[tuple[int, int], ...] = ()

    def markup(self, open_tag: str = "<mark>", close_tag: str = "</mark>", escape: bool = True) -> str:
        """The fragment with marks wrapped in tags (HTML-escaped by default)."""
        esc = html.escape if escape else (lambda s: s)
        out, last = [], 0
        for start, end in self.marks:
            out += [esc(self.text[last:start]), open_tag, esc(self.text[start:end]), close_tag]
            last = end
        out.append(esc(self.text[last:]))
        return "".join(out)


@dataclass(frozen=True)
class PageHit:
    """A version that matched, named by its best page."""

    doc_id: int
    version_id: int
    version_no: int
    page: int
    score: float
    doc_type: str
    title: str | None
    nomor: str | None
    instansi: str | None
    tahun: int | None
    status: str
    in_force: bool
    highlights: tuple[Highlight, ...] = ()


@dataclass(frozen=True)
class SearchResults:
    """The hits of one query; `partial` when not every match was ranked (time limit, or PostgreSQL's
    cap on ranked candidates), `fuzzy` when near spellings were used."""

    hits: tuple[PageHit, ...]
    partial: bool = False
    fuzzy: bool = False
    expansions: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class IndicatorHit:
    """One measurement row that matched."""

    doc_id: int
    version_id: int
    doc_type: str
    title: str | None
    instansi: str | None
    tahun: int | None
    in_force: bool
    row: IndicatorRecord
    score: float = 0.0


@dataclass(frozen=True)
class IndicatorResults:
    """The measurement rows of one query."""

    hits: tuple[IndicatorHit, ...]
    partial: bool = False
    fuzzy: bool = False
