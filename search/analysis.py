"""Indonesian text analysis shared by both engines: tokens, folding, stop words, Snowball stems.

Both engines index the lexemes produced here (whoosh through `WhooshAnalyzer`, PostgreSQL as a
tsvector literal), so a word is stemmed the same way wherever it is searched.  The Snowball
Indonesian stemmer (PyStemmer) is the same algorithm as PostgreSQL's `indonesian` configuration;
on top of it, `PROTECTED` domain words are kept whole (Snowball turns `satuan` into `satu`,
`capaian` into `capai`, `pemerintah` into `perintah`).

Codes and numbers stay searchable: `800.1.11/121/767.07/2023` is indexed whole and, at the same
position, as its `/`-separated parts (`800.1.11`, `121`, `767.07`, `2023`); a query for the whole
code matches only the whole code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

ANALYSIS_VERSION = 1  # bump when tokens or stems change: the index schema version includes it

# Words whose Snowball stem would collide with an unrelated word or lose the domain meaning.
PROTECTED: frozenset[str] = frozenset({
    "kinerja", "capaian", "realisasi", "sasaran", "indikator", "satuan", "target", "anggaran",
    "pemerintah", "pemerintahan", "penduduk", "kependudukan", "perangkat", "pendapatan",
    "pegawai", "kepegawaian", "perjanjian", "kecamatan", "kelurahan", "triwulan",
})

STOP_WORDS: frozenset[str] = frozenset(["ada", "adalah", "agar", "akan", "aku", "anda", "antara", "apa", "apabila", "atas", "atau", "bagai", "bagaimana", "bagi", "bahwa", "baik", "banyak", "beberapa", "begitu", "belum", "bila", "bisa", "boleh", "bukan", "dalam", "dan", "dapat", "dari", "demikian", "dengan", "di", "dia", "hal", "hanya", "harus", "hingga", "ia", "ialah", "ini", "itu", "jadi", "jika", "juga", "kalau", "kami", "kamu", "karena", "ke", "kemudian", "kepada", "ketika", "kita", "lagi", "lain", "lalu", "maka", "masih", "mereka", "merupakan", "meski", "namun", "oleh", "pada", "para", "per", "perlu", "saat", "saja", "sampai", "sangat", "saya", "se", "sebagai", "sebelum", "sedang", "sehingga", "sejak", "selain", "sementara", "semua", "serta", "sesuai", "setelah", "setiap", "suatu", "sudah", "supaya", "tanpa", "telah", "tentang", "terhadap", "tersebut", "tetapi", "untuk", "walaupun", "yaitu", "yakni", "yang"])

_TOKEN = re.compile(r"[^\W_]+(?:[./,\-][^\W_]+)*")
_SPLIT = re.compile(r"[./,\-]")
_stemmer = Stemmer.Stemmer("indonesian")


@dataclass(frozen=True)
class Token:
    """One lexeme at a position, with the span of the word it came from."""

    text: str
    pos: int
    start: int
    end: int


def fold(text: str) -> str:
    """Lower case without accents (`Pérsentase` -> `persentase`)."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball Indonesian stem of a folded word, protected words and short words unchanged."""
    if word in PROTECTED or len(word) <= 3 or not word.isalpha():
        return word
    return str(_stemmer.stemWord(word))


@lru_cache(maxsize=500_000)
def _lexemes(raw: str, index: bool) -> tuple[tuple[str, bool], ...]:
    """Lexemes of one raw token: (text, starts_new_position); cached, words repeat a lot."""
    word = fold(raw)
    if any(c.isdigit() for c in word):
        if not index or "/" not in word:
            return ((word, True),)
        parts = [p for p in word.split("/") if len(p) >= 2 and p != word]
        return ((word, True), *((p, False) for p in parts))
    return tuple((stem(part), True) for part in _SPLIT.split(word) if part and part not in STOP_WORDS)


def tokens(text: str, *, index: bool = True) -> Iterator[Token]:
    """Analysed tokens of `text`; `index=False` (queries) does not add the parts of codes."""
    pos = -1
    for m in _TOKEN.finditer(text):
        for lexeme, new in _lexemes(m.group(), index):
            if new:
                pos += 1
            yield Token(lexeme, max(pos, 0), m.start(), m.end())


def positions(text: str) -> tuple[dict[str, list[int]], int]:
    """Each indexed lexeme of `text` with its positions (as `tokens`), and the last position.

    The fast path for bulk indexing: no `Token` objects, no spans.
    """
    out: dict[str, list[int]] = {}
    pos = -1
    for raw in _TOKEN.findall(text):
        for lexeme, new in _lexemes(raw, True):
            pos += new
            if (seen := out.get(lexeme)) is None:
                out[lexeme] = [pos]
            elif seen[-1] != pos:
                seen.append(pos)
    return out, pos


@lru_cache(maxsize=500_000)
def _surface(raw: str) -> tuple[str, ...]:
    word = fold(raw)
    if any(c.isdigit() for c in word):
        return ()
    return tuple(p for p in _SPLIT.split(word) if p and p not in STOP_WORDS and max_edits(p))


def surface_words(text: str) -> set[str]:
    """The fuzzable words of `text` as written (folded, not stemmed).

    OCR slips are compared on these: a slip inside an affix changes the stem unpredictably
    (`pelayarian` stems to `layari`, `pelayanan` to `layan`), while the written words stay
    one or two edits apart.
    """
    return {w for raw in _TOKEN.findall(text) for w in _surface(raw)}


def lexemes(text: str, *, index: bool = True) -> list[str]:
    """Just the lexeme texts of `text`, in order."""
    return [t.text for t in tokens(text, index=index)]


def max_edits(term: str) -> int:
    """How many edits a fuzzy match may make: none for short or numeric terms, 1 up to 7 letters, else 2."""
    if len(term) < 4 or not term.isalpha():
        return 0
    return 1 if len(term) <= 7 else 2


def levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance of `a` and `b`, stopping early once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def is_fuzzy_match(term: str, candidate: str) -> bool:
    """Whether `candidate` is an OCR-tolerant match of `term`: same first letter, few edits."""
    limit = max_edits(term)
    if limit == 0 or not candidate or candidate[0] != term[0]:
        return candidate == term
    return levenshtein(term, candidate, limit) <= limit
