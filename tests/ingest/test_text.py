"""Indonesian text helpers: dates, numbers, NIPs, lists, line joining."""

from __future__ import annotations

import pytest

from ingest.text import (
    clean,
    find_nip,
    format_date,
    join_lines,
    parse_date,
    parse_number,
    split_items,
)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("16 Februari 2023", "2023-02-16"),
        ("Jombang, 30 Januari 2023", "2023-01-30"),
        ("5 JANUARI 2024", "2024-01-05"),
        ("1 Nopember 2019", "2019-11-01"),
        ("9 Agustus 2023.", "2023-08-09"),
        ("16-02-2023", "2023-02-16"),
        ("31 Februari 2023", None),
        ("Januari 2016", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text: str | None, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_format_date_round_trips() -> None:
    assert format_date("2026-11-21") == "21 November 2026"
    assert parse_date(format_date("2024-03-18")) == "2024-03-18"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234,56", 1234.56),
        ("95,00", 95.0),
        ("82.7", 82.7),
        ("12.317.066 ton", 12317066.0),
        ("Rp. 18.972.674.100,-", 18972674100.0),
        ("Rp 6.006.780.000,00", 6006780000.0),
        ("10,90 %", 10.9),
        ("1.234", 1234.0),
        ("106,04%", 106.04),
        ("-", None),
        ("WTP", None),
        (None, None),
    ],
)
def test_parse_number(text: str | None, value: float | None) -> None:
    assert parse_number(text) == value


def test_find_nip_with_and_without_spaces() -> None:
    assert find_nip("NIP. 19650714 199101 2 005") == "196507141991012005"
    assert find_nip("NIP 196507141991012005") == "196507141991012005"
    assert find_nip("NIP. 1965071419910120") is None


def test_split_items_numbered_and_plain() -> None:
    cell = "1. Peraturan Pemerintah Nomor 13\ntentang Laporan\n2. Undang-Undang Nomor 25"
    assert split_items(cell) == ["Peraturan Pemerintah Nomor 13 tentang Laporan", "Undang-Undang Nomor 25"]
    assert split_items("Komputer dan jaringan internet") == ["Komputer dan jaringan internet"]
    assert split_items("- Disimpan sebagai arsip") == ["Disimpan sebagai arsip"]
    assert split_items("") == []


def test_join_lines_rejoins_hyphenation_but_keeps_reduplication() -> None:
    assert join_lines("pelaksa-\nnaan tugas") == "pelaksanaan tugas"
    assert join_lines("masing-\nmasing bidang") == "masing-masing bidang"
    assert join_lines("Dokumen format\ndata") == "Dokumen format data"


def test_clean_treats_dash_as_empty() -> None:
    assert clean(" - ") is None
    assert clean("  a \n b ") == "a b"


def test_a_misread_month_is_read_only_when_asked_and_unambiguous() -> None:
    from ingest.text import parse_date

    assert parse_date("5 JANUARL 2024") is None  # strict by default
    assert parse_date("5 JANUARL 2024", fuzzy_month=True) == "2024-01-05"
    assert parse_date("7 Desembar 2023", fuzzy_month=True) == "2023-12-07"
    assert parse_date("2Januari2024") == "2024-01-02"
    # no month close enough, a 4-letter month one letter off (Juni or Juli?), an impossible day
    for text in ("9 MArUATA 2014", "12 Bulan 2023", "8 JUNl 2024", "31 Febuari 2024", "Januari 2024"):
        assert parse_date(text, fuzzy_month=True) is None, text
