"""The `arsip` command line: one click group; each command family lives in its own module."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

import click

from archive.errors import ArchiveError

VERSION = "0.1.0"


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
    """Give every command a --help option that speaks Indonesian (click's own text is English)."""
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
