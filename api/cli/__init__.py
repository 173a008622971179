"""The `arsip` command line: one click group; each command family lives in its own module."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any

import click

from archive.errors import ArchiveError

VERSION = "0.1.0"


class _Formatter(click.HelpFormatter):
    """Help pages in Indonesian: click's own headings and option notes translated."""

    HEADINGS = {"Options": "Opsi", "Commands": "Perintah", "Positional arguments": "Argumen"}
    NOTES = (("[default: ", "[bawaan: "), ("; default: ", "; bawaan: "), ("[required]", "[wajib]"),
             ("; required]", "; wajib]"))

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        """The usage line, headed `Cara pakai:`."""
        super().write_usage(prog, args, "Cara pakai: " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        """A section heading (`Opsi`, `Perintah`)."""
        super().write_heading(self.HEADINGS.get(heading, heading))

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        """Option rows, with click's `[default: ...]` and `[required]` notes in Indonesian."""
        super().write_dl([(term, self._notes(text)) for term, text in rows], col_max, col_spacing)

    def _notes(self, text: str) -> str:
        for english, indonesian in self.NOTES:
            text = text.replace(english, indonesian)
        return text


class _Context(click.Context):
    formatter_class = _Formatter


class _Group(click.Group):
    """Turns our errors into a one-line message and the error's exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArchiveError as e:
            click.echo(f"galat ({e.code}): {e.message}", err=True)
            sys.exit(e.exit_code)


@click.group(cls=_Group)
@click.version_option(VERSION, prog_name="arsip", message="%(prog)s, versi %(version)s",
                      help="Tampilkan versi program lalu keluar.")
@click.option("-v", "--verbose", is_flag=True, help="Tampilkan log proses (ke stderr).")
def cli(verbose: bool) -> None:
    """Arsip Kinerja: pengarsipan, pembacaan, dan pencarian dokumen SAKIP."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def _register() -> None:
    from api.cli import extract

    modules: list[Any] = [extract]
    for optional in ("ingest", "letter", "search", "archive"):
        try:
            modules.append(__import__(f"api.cli.{optional}", fromlist=["register"]))
        except ModuleNotFoundError as e:
            if e.name != f"api.cli.{optional}":
                raise
    for module in modules:
        register: Callable[[click.Group], None] = module.register
        register(cli)
    _localise_help(cli)


def _localise_help(command: click.Command) -> None:
    """Give every command a help page and --help option in Indonesian (click's own are English)."""
    command.context_class = _Context
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = "[OPSI]"
    if isinstance(command, click.Group) and command.subcommand_metavar in (
            "COMMAND [ARGS]...", None):
        command.subcommand_metavar = "PERINTAH [ARGUMEN]..."
    if command.add_help_option:
        command.add_help_option = False
        click.help_option("--help", help="Tampilkan bantuan ini lalu keluar.")(command)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _localise_help(sub)


_register()


def main() -> None:
    """Entry point of the `arsip` script."""
    cli(prog_name="arsip")
