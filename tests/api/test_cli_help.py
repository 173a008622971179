"""Every help page of `arsip` speaks Indonesian: command and option texts, and click's own headings."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from api.cli import cli

# Words of English prose; Indonesian help text has none of them (option names like --for aside).
ENGLISH = re.compile(r"(?<![-\w])(the|of|and|is|with|this|from|for|to|Usage|Options|Commands|"
                     r"Show|required|default)(?![-\w])")


def _paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += _paths(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


@pytest.mark.parametrize("path", _paths(cli), ids=lambda p: " ".join(p) or "arsip")
def test_help_page_is_indonesian(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="arsip")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Cara pakai: {' '.join(('arsip', *path))} [OPSI]")
    assert "Tampilkan bantuan ini lalu keluar." in result.stdout
    assert not ENGLISH.findall(result.stdout), result.stdout


def test_click_notes_are_translated() -> None:
    result = CliRunner().invoke(cli, ["letter", "format", "--help"])
    assert "[bawaan: unit]" in result.stdout and "Opsi:" in result.stdout
    assert "[wajib]" in CliRunner().invoke(cli, ["revoke", "--help"]).stdout


@pytest.mark.parametrize(("args", "message"), [
    (["search"], "galat (bad_input): Argumen QUERY wajib diisi."),
    (["search", "kinerja", "--tahun", "abc"], "Nilai tidak sah untuk --tahun: 'abc' bukan bilangan bulat."),
    (["search", "kinerja", "--tahun"], "Opsi '--tahun' perlu nilai."),
    (["search", "kinerja", "--tahunn", "2023"], "Opsi tidak dikenal: --tahunn. Maksud Anda --tahun?"),
    (["search", "kinerja", "lagi"], "Argumen berlebih: lagi."),
    (["cari"], "Perintah tidak dikenal: 'cari'."),
    (["ingest", "/tidak/ada.pdf"], "'/tidak/ada.pdf' tidak ada."),
])
def test_usage_errors_are_indonesian(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args, prog_name="arsip")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Error" not in result.output and "Usage" not in result.output and "Try " not in result.output


def test_a_group_alone_shows_its_help_and_version_still_works() -> None:
    result = CliRunner().invoke(cli, ["letter"], prog_name="arsip")
    assert result.exit_code == 2 and result.stderr.startswith("Cara pakai: arsip letter")
    version = CliRunner().invoke(cli, ["--version"], prog_name="arsip")
    assert version.exit_code == 0 and "arsip, versi" in version.stdout
