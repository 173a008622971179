"""The query language both engines share: words, "phrases" and -exclusions, all required.

`parse()` turns the text into analysed lexemes (the same analysis as indexing) or raises
`BadQueryError` with a message that says what to fix; it never lets a syntax error reach an engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.analysis import fold, lexemes
from search.errors import BadQueryError

MAX_QUERY_CHARS = 500
_PART = re.compile(r'(-?)"([^"]*)"|(-?)([^\s"]+)|(")')


@dataclass(frozen=True)
class ParsedQuery:
    """Required terms, required phrases and excluded terms/phrases, as lexemes."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[tuple[str, ...], ...] = ()
    # (term, the word as written) for single-word terms: fuzzy matching compares written words
    written: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing positive is asked (filters only)."""
        return not self.terms and not self.phrases

    @property
    def all_lexemes(self) -> frozenset[str]:
        """Every positive lexeme (for highlighting)."""
        return frozenset(self.terms) | {w for p in self.phrases for w in p}


def parse(text: str) -> ParsedQuery:
    """Parse query text; an empty text means "everything that passes the filters"."""
    text = text.strip()
    if len(text) > MAX_QUERY_CHARS:
        raise BadQueryError(f"Kueri terlalu panjang (lebih dari {MAX_QUERY_CHARS} karakter): persingkat.")
    terms: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    written: list[tuple[str, str]] = []
    for m in _PART.finditer(text):
        if m.group(5):
            raise BadQueryError('Tanda kutip tidak berpasangan: tutup frasa dengan " atau hapus tanda kutipnya.')
        negate = bool(m.group(1) or m.group(3))
        raw = m.group(2) if m.group(2) is not None else m.group(4)
        if m.group(2) is not None and not raw.strip():
            raise BadQueryError('Frasa kosong (""): tulis kata di antara tanda kutip.')
        if not raw and negate:
            raise BadQueryError("Tanda minus harus diikuti kata atau frasa yang dikecualikan, mis. -kerja.")
        words = tuple(lexemes(raw, index=False))
        if not words:
            continue
        if negate:
            excluded.append(words)
        elif len(words) == 1:
            terms.append(words[0])
            if (form := fold(raw)).isalpha():
                written.append((words[0], form))
        else:
            phrases.append(words)
    parsed = ParsedQuery(tuple(dict.fromkeys(terms)), tuple(phrases), tuple(excluded), tuple(dict.fromkeys(written)))
    if text and parsed.empty:
        raise BadQueryError(
            "Kueri tidak berisi kata yang dapat dicari (hanya kata umum atau pengecualian): tambahkan kata kunci."
        )
    return parsed
