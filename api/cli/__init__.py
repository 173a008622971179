"""The `arsip` command line: one click group; each command family lives in its own module."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

import click

from archive.errors import ArchiveError, BadInputError

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
    """Turns our errors, and click's usage errors, into a one-line Indonesian message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArchiveError as e:
            click.echo(f"galat ({e.code}): {e.message}", err=True)
            sys.exit(e.exit_code)
        except Exception as e:  # a read-only or full disk is the user's to fix: say how
            from archive.faults import storage_fault

            fault = storage_fault(e, _data_dir())
            if fault is None:
                raise
            logging.getLogger(__name__).info("storage fault", exc_info=True)
            click.echo(f"galat ({fault.code}): {fault.message}", err=True)
            sys.exit(fault.exit_code)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """click's `main`, but its own errors (usage, bad values) are reported in Indonesian."""
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            click.echo("Dibatalkan.", err=True)
            sys.exit(1)
        except click.ClickException as e:
            ctx = getattr(e, "ctx", None)
            if isinstance(e, _NO_ARGS_IS_HELP) and ctx is not None:  # a group called alone: its help
                click.echo(ctx.get_help(), err=True)
                sys.exit(BadInputError.exit_code)
            click.echo(f"galat (bad_input): {usage_message(e)}", err=True)
            if ctx is not None:
                click.echo(f"Lihat '{ctx.command_path} --help' untuk bantuan.", err=True)
            sys.exit(BadInputError.exit_code)
        sys.exit(rv if isinstance(rv, int) else 0)  # ctx.exit(n) comes back as n


def _data_dir() -> Any:
    """The data dir the settings name (for messages); None when the settings themselves fail."""
    try:
        from api.settings import Settings

        return Settings().data_dir.resolve()
    except Exception:  # noqa: BLE001 - only for a message
        return None


_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click >= 8.2
# click's own messages (English) and what the user reads instead
_VALUE_MESSAGES = [
    (re.compile(r"^'(.*)' is not a valid integer( range)?\.?$", re.S), "'{0}' bukan bilangan bulat."),
    (re.compile(r"^'(.*)' is not a valid float( range)?\.?$", re.S), "'{0}' bukan bilangan."),
    (re.compile(r"^'(.*)' is not a valid boolean\.?$", re.S), "'{0}' bukan nilai ya/tidak."),
    (re.compile(r"^'(.*)' does not match the formats? (.*)\.$", re.S), "'{0}' tidak sesuai format {1}."),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' does not exist\.?$", re.S), "'{0}' tidak ada."),
    (re.compile(r"^(?:File|Path) '(.*)' is a directory\.?$", re.S), "'{0}' adalah direktori, bukan berkas."),
    (re.compile(r"^(?:Directory|Path) '(.*)' is a file\.?$", re.S), "'{0}' adalah berkas, bukan direktori."),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is not readable\.?$", re.S), "'{0}' tidak dapat dibaca."),
    (re.compile(r"^(.*) is not in the range (.*)\.$", re.S), "{0} di luar rentang {1}."),
]
_USAGE_MESSAGES = [
    (re.compile(r"^No such command '(.*)'\.$"), "Perintah tidak dikenal: '{0}'."),
    (re.compile(r"^Got unexpected extra arguments? \((.*)\)$"), "Argumen berlebih: {0}."),
    (re.compile(r"^Missing command\.$"), "Sebutkan perintahnya."),
    (re.compile(r"^Option '(.*)' requires an argument\.$"), "Opsi '{0}' perlu nilai."),
    (re.compile(r"^Option '(.*)' requires (\d+) arguments\.$"), "Opsi '{0}' perlu {1} nilai."),
    (re.compile(r"^Option '(.*)' does not take a value\.$"), "Opsi '{0}' tidak menerima nilai."),
]


def _translated(message: str, table: list[tuple[re.Pattern[str], str]]) -> str:
    for pattern, indonesian in table:
        m = pattern.match(message.strip())
        if m:
            return indonesian.format(*m.groups())
    return message


def _param_name(param: click.Parameter | None, hint: Any = None) -> str:
    if param is None:
        return str(hint or "nilai")
    if isinstance(param, click.Argument):
        return (param.metavar or param.name or "argumen").upper()
    return "/".join(param.opts)


def usage_message(e: click.ClickException) -> str:
    """An Indonesian message for one of click's errors (its texts are English)."""
    if isinstance(e, click.MissingParameter):
        what = "Argumen" if isinstance(e.param, click.Argument) else "Opsi"
        return f"{what} {_param_name(e.param, e.param_hint)} wajib diisi."
    if isinstance(e, click.NoSuchOption):
        message = f"Opsi tidak dikenal: {e.option_name}."
        if e.possibilities:
            message += f" Maksud Anda {' atau '.join(sorted(e.possibilities))}?"
        return message
    if isinstance(e, click.BadParameter):
        name = _param_name(e.param, e.param_hint)
        if e.param is not None and isinstance(e.param.type, click.Choice):
            return f"Nilai tidak sah untuk {name}: pilih {', '.join(map(str, e.param.type.choices))}."
        return f"Nilai tidak sah untuk {name}: {_translated(e.message, _VALUE_MESSAGES)}"
    if isinstance(e, click.FileError):
        return f"Berkas {e.ui_filename} tidak dapat dibuka: {e.message}"
    if isinstance(e, click.UsageError):
        return _translated(e.message, _USAGE_MESSAGES)
    return e.format_message()


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
    from api.settings import Settings

    Settings().apply_zone()  # times printed in WIB (or WITA, WIT); stored times stay UTC


def _register() -> None:
    from api.cli import extract

    modules: list[Any] = [extract]
    for optional in ("ingest", "letter", "search", "archive", "backup", "serve", "users", "worker"):
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
