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
@click.version_option(VERSION, prog_name="arsip")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (to stderr).")
def cli(verbose: bool) -> None:
    """Arsip Kinerja: archive, extraction and search of SAKIP documents."""
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


_register()


def main() -> None:
    """Entry point of the `arsip` script."""
    cli(prog_name="arsip")
