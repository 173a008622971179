"""Indonesian analysis: stems, protected words, codes, stop words, folding, the query language."""

from __future__ import annotations

import pytest

from search.analysis import fold, is_fuzzy_match, lexemes, positions, stem, tokens
from search.errors import BadQueryError
from search.query import parse


def test_inflections_share_a_stem() -> None:
    assert {stem(w) for w in ("pengukuran", "mengukur", "diukur", "ukur")} == {"ukur"}


@pytest.mark.parametrize(("word", "other"), [
    ("kinerja", "kerja"), ("capaian", "capai"), ("sasaran", "sasar"), ("satuan", "satu"),
    ("pemerintah", "perintah"), ("realisasi", "realisas"),
])
def test_protected_words_stay_distinct(word: str, other: str) -> None:
    assert stem(word) == word
    assert stem(word) != stem(other)


def test_codes_and_numbers_are_kept_whole_and_in_parts() -> None:
    lex = lexemes("Nomor 800.1.11/121/767.07/2023 dan SOP 000.8.3.3 tahun 2023")
    assert "800.1.11/121/767.07/2023" in lex
    assert {"800.1.11", "121", "767.07", "2023", "000.8.3.3"} <= set(lex)
    # a query for the whole number is not split into its parts
    assert lexemes("800.1.11/121/767.07/2023", index=False) == ["800.1.11/121/767.07/2023"]


def test_stop_words_dropped_and_accents_folded() -> None:
    assert lexemes("yang dan untuk Kinerja") == ["kinerja"]
    assert fold("PÉRSENTASE") == "persentase"


def test_fuzzy_rule() -> None:
    assert is_fuzzy_match("kinerja", "kincrja")
    assert not is_fuzzy_match("kinerja", "kerja")
    assert not is_fuzzy_match("2023", "2024")  # numbers only match exactly


def test_query_language() -> None:
    q = parse('pengukuran "capaian kinerja" -kerja')
    assert q.terms == ("ukur",)
    assert q.phrases == (("capaian", "kinerja"),)
    assert q.excluded == (("kerja",),)
    assert parse("").empty


@pytest.mark.parametrize("text", ['"capaian kinerja', '""', "yang dan", "-kerja", "x" * 600])
def test_bad_queries_raise_a_clear_error(text: str) -> None:
    with pytest.raises(BadQueryError) as e:
        parse(text)
    assert e.value.code == "bad_query" and e.value.status == 400


def test_positions_agree_with_tokens() -> None:
    text = "Nomor 800.1.11/121/767.07/2023: pengukuran kinerja, diukur ulang; kinerja dan capaian 2023."
    grouped: dict[str, list[int]] = {}
    for t in tokens(text):
        if t.pos not in grouped.setdefault(t.text, []):
            grouped[t.text].append(t.pos)
    found, last = positions(text)
    assert found == grouped and last == max(t.pos for t in tokens(text))
    assert found["kinerja"] == [3, 6] and found["2023"] == [1, 8]  # a code part shares its position
    assert positions("") == ({}, -1)


def test_tsvector_literal_weights_and_gap() -> None:
    from search.pg_engine import tsvector

    literal, lex = tsvector([("Laporan Kinerja", "A"), ("kinerja dinas", "D")])
    assert literal == "'lapor':1A 'kinerja':2A,4D 'dinas':5D" and lex == {"lapor", "kinerja", "dinas"}


@pytest.mark.postgres
def test_stems_agree_with_postgresql_indonesian_configuration(pg_url: str) -> None:
    """PyStemmer and the server's `indonesian` Snowball dictionary stem alike (protected words aside)."""
    from sqlalchemy import create_engine, text

    words = ["pengukuran", "diukur", "mengukur", "pelayanan", "dilaksanakan", "pemeriksaan", "ditindaklanjuti",
             "keterbatasan", "meningkatkan", "penyederhanaan", "berkala", "pertanggungjawaban", "kegiatan",
             "persentase", "pendidikan", "perhubungan", "menetapkan", "kesehatan", "pembangunan"]
    db = create_engine(pg_url)
    with db.connect() as conn:
        server = {w: conn.execute(text("SELECT ts_lexize('indonesian_stem', :w)"), {"w": w}).scalar_one()[0]
                  for w in words}
    db.dispose()
    assert {w: stem(w) for w in words} == server
    assert server["pengukuran"] == server["diukur"] == server["mengukur"] == "ukur"


def test_a_paragraph_repeated_on_a_page_is_highlighted_once() -> None:
    from search.highlight import FRAGMENT_CHARS, highlights

    para = "Pengukuran kinerja dilakukan dengan membandingkan realisasi dengan target indikator. "
    filler = "lain " * (FRAGMENT_CHARS // 4)
    text = (filler + para) * 4 + filler + "Pengukuran ulang kinerja pegawai tahunan."
    found = highlights(3, text, {"ukur", "kinerja"})
    assert len(found) == 2 and found[0].text != found[1].text
    assert all(h.page == 3 for h in found)
