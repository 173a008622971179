"""What every engine offers, and the query flow they share.

`Engine.search()` parses the query once, asks the engine for exact matches, falls back to
OCR-tolerant fuzzy matching when the exact terms find little, and computes highlights from the
page text with the shared analysis, so both engines answer the same query the same way.
Engines implement the underscore methods only.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

from search.analysis import is_fuzzy_match, lexemes, max_edits
from search.highlight import highlights
from search.query import ParsedQuery, parse
from search.records import (
    DocumentRecord,
    IndicatorHit,
    IndicatorResults,
    PageHit,
    SearchQuery,
    SearchResults,
)

log = logging.getLogger(__name__)

FUZZY_MIN_HITS = 3  # fewer exact hits than this: try fuzzy too
MAX_EXPANSIONS = 20  # fuzzy variants kept per term

Expansions = dict[str, tuple[str, ...]]
T = TypeVar("T")


@dataclass(frozen=True)
class RawPageHit:
    """An engine's page hit before highlighting: the hit plus the page text."""

    hit: PageHit
    text: str


class Engine(ABC):
    """One search engine: writes `DocumentRecord`s, answers `SearchQuery`s."""

    name: str = "engine"
    needs_rebuild: bool = False  # the stored index is missing or of another schema version
    # True only when an index of another schema version was found (not merely missing, as in a
    # fresh archive, or left empty by a rebuild that never finished)
    outdated: bool = False

    # --- writing -------------------------------------------------------------------------------
    @abstractmethod
    def replace_documents(self, docs: Iterable[DocumentRecord]) -> int:
        """Replace every entry of these documents (all versions); returns entries written."""

    @abstractmethod
    def delete_documents(self, doc_ids: Iterable[int]) -> None:
        """Remove every entry of these documents."""

    @abstractmethod
    def rebuild(self, docs: Iterable[DocumentRecord], mark: dict[str, int] | None = None) -> int:
        """Empty the index, write all `docs`, store the schema version and the archive's
        high-water mark `mark` with them; returns entries written."""

    @abstractmethod
    def stored_mark(self) -> dict[str, int] | None:
        """The archive's high-water mark the index last caught up to (None: unknown)."""

    @abstractmethod
    def store_mark(self, mark: dict[str, int]) -> None:
        """Record that the index holds every change up to `mark`."""

    @abstractmethod
    def indexed_versions(self) -> dict[int, set[int]]:
        """doc_id -> version ids that have entries (for `arsip check`)."""

    @abstractmethod
    def size_bytes(self) -> int:
        """Disk space used by the index."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files and connections."""

    # --- engine-specific reading -----------------------------------------------------------------
    @abstractmethod
    def _pages(
        self, q: SearchQuery, parsed: ParsedQuery, exp: Expansions, deadline: float
    ) -> tuple[list[RawPageHit], bool]:
        """Best page per matching version, best first, and whether the time limit cut it short."""

    @abstractmethod
    def _indicators(
        self, q: SearchQuery, parsed: ParsedQuery, exp: Expansions, deadline: float
    ) -> tuple[list[IndicatorHit], bool]:
        """Matching indicator rows, best first, and whether the time limit cut it short."""

    @abstractmethod
    def _vocabulary_near(self, term: str) -> list[str]:
        """Indexed lexemes that may be fuzzy matches of `term` (checked afterwards)."""

    @abstractmethod
    def _words_near(self, word: str) -> list[str]:
        """Indexed written words (`analysis.surface_words`) that may be fuzzy matches of `word`."""

    # --- the shared flow -----------------------------------------------------------------------
    def search(self, q: SearchQuery) -> SearchResults:
        """Pages matching `q`, one per version, with highlights; fuzzy fallback when few match."""
        parsed = parse(q.text)
        deadline = time.monotonic() + q.time_limit
        exp: Expansions = {}
        raw, partial = ([], False) if q.fuzzy == "always" else self._pages(q, parsed, {}, deadline)
        used_fuzzy = False
        if self._want_fuzzy(q, parsed, len(raw), partial):
            exp = self.expansions(parsed)
            if any(len(v) > 1 for v in exp.values()):
                more, partial = self._pages(q, parsed, exp, deadline)
                raw = _merge(raw, more, lambda r: r.hit.version_id, q.limit)
                used_fuzzy = True
            elif q.fuzzy == "always":  # no near spellings indexed: the exact terms still count
                raw, partial = self._pages(q, parsed, {}, deadline)
        wanted = parsed.all_lexemes | {w for v in exp.values() for w in v}
        hits = tuple(
            replace(r.hit, highlights=highlights(r.hit.page, r.text, wanted)) for r in raw[: q.limit]
        )
        return SearchResults(hits, partial=partial, fuzzy=used_fuzzy, expansions=exp)

    def search_indicators(self, q: SearchQuery) -> IndicatorResults:
        """Indicator rows matching `q` (words in indikator, sasaran, satuan), fuzzy when few match."""
        parsed = parse(q.text)
        deadline = time.monotonic() + q.time_limit
        rows, partial = ([], False) if q.fuzzy == "always" else self._indicators(q, parsed, {}, deadline)
        used_fuzzy = False
        if self._want_fuzzy(q, parsed, len(rows), partial):
            exp = self.expansions(parsed)
            if any(len(v) > 1 for v in exp.values()):
                more, partial = self._indicators(q, parsed, exp, deadline)
                rows = _merge(rows, more, lambda h: (h.version_id, h.row), q.limit)
                used_fuzzy = True
            elif q.fuzzy == "always":
                rows, partial = self._indicators(q, parsed, {}, deadline)
        return IndicatorResults(tuple(rows[: q.limit]), partial=partial, fuzzy=used_fuzzy)

    def expansions(self, parsed: ParsedQuery) -> Expansions:
        """Each fuzzable required term with its indexed near matches (itself first)."""
        out: Expansions = {}
        written = dict(parsed.written)
        for term in parsed.terms:
            near = {t for t in self._vocabulary_near(term) if t != term and is_fuzzy_match(term, t)}
            if (form := written.get(term)) and max_edits(form):
                # the written words near the one asked for, as the lexemes they index under
                near |= {x for w in self._words_near(form) if is_fuzzy_match(form, w)
                         for x in lexemes(w) if x != term}
            if max_edits(term) or near:
                out[term] = (term, *sorted(near)[:MAX_EXPANSIONS])
        return out

    @staticmethod
    def _want_fuzzy(q: SearchQuery, parsed: ParsedQuery, found: int, partial: bool) -> bool:
        if q.fuzzy == "never" or parsed.empty or partial:
            return False
        return q.fuzzy == "always" or found < min(FUZZY_MIN_HITS, q.limit)


def _merge(first: list[T], more: list[T], key: Callable[[T], Hashable], limit: int) -> list[T]:
    """Exact hits first, then fuzzy hits not already present."""
    seen = {key(x) for x in first}
    out = list(first)
    for x in more:
        if len(out) >= limit:
            break
        if key(x) not in seen:
            seen.add(key(x))
            out.append(x)
    return out
