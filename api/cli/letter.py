"""`arsip letter ...`: number formats, new surat pengantar, the register, confirm and void."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archive.errors import BadInputError
from archive.localtime import today as local_today

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from api.settings import Settings


def register(cli: click.Group) -> None:
    """Add the `letter` command family to the group."""
    cli.add_command(letter)


@click.group()
def letter() -> None:
    """Surat pengantar: nomor dari buku agenda, PDF, dan pengarsipan."""


def _engine(settings: Settings) -> Engine:
    from api.wiring import open_database  # shared with the web app

    return open_database(settings)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BadInputError(f"{path}: bukan berkas JSON yang dapat dibaca ({e}).") from e
    if not isinstance(data, dict):
        raise BadInputError(f"{path}: harus berisi satu objek JSON.")
    return data


# How the counter's scope reads in the confirmation line.
_SCOPE_LABELS = {"unit": "unit", "kka": "KKA", "office": "kantor"}


@letter.command("format")
@click.argument("office")
@click.option("--pattern", default="{kka}/{urut:03d}/{unit}/{tahun}", show_default=True,
              help="Pola nomor; isian: kka, urut, unit, tahun, bulan, romawi.")
@click.option("--scope", type=click.Choice(["unit", "kka", "office"]), default="unit",
              show_default=True,
              help="Nomor urut tahunan dihitung per unit, per KKA, atau per kantor (office).")
@click.option("--unit", default="", help="Kode unit kantor, misalnya 35.73.411.")
@click.option("--kka", "default_kka", default="",
              help="Kode klasifikasi bawaan, misalnya 000.5.3.1.")
@click.option("--sisipan-style", type=click.Choice(["dot", "letter"]), default="dot",
              show_default=True, help="Gaya nomor sisipan: dot (015.01) atau letter (15a).")
@click.option("--profile", "profile_file",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON berisi kop, pengirim, dan tempat kantor untuk setiap surat.")
def set_format(office: str, pattern: str, scope: str, unit: str, default_kka: str,
               sisipan_style: str, profile_file: Path | None) -> None:
    """Atur cara OFFICE menomori suratnya (dan, bila perlu, kop serta penanda tangannya)."""
    from api.settings import Settings
    from api.wiring import audit_event, cli_actor
    from archive.db import make_sessionmaker
    from archive.numbering import NumberFormat, set_format

    fmt = NumberFormat(pattern, scope, unit, default_kka, sisipan_style)
    profile = _read_json(profile_file) if profile_file else None
    engine = _engine(Settings())
    set_format(engine, office, fmt, profile)
    audit_event(make_sessionmaker(engine), cli_actor(), "office.format", f"office:{office}", None,
                {"pattern": pattern, "scope": scope, "unit": unit, "kka": default_kka,
                 "sisipan_style": sisipan_style, "profile": profile})
    click.echo(f"{office}: {pattern} (nomor urut per {_SCOPE_LABELS[scope]} dan tahun)")



def _item(text: str) -> dict[str, Any]:
    from api.wiring import parse_item  # shared with the web app's letter form

    return parse_item(text)


@letter.command("new")
@click.option("--from", "from_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Isi surat sebagai JSON (contoh: tests/data/letter-lkjip.json).")
@click.option("--office", help="Kantor pengirim (pola nomornya harus sudah diatur).")
@click.option("--date", "tanggal", type=click.DateTime(["%Y-%m-%d"]),
              help="Tanggal surat (bawaan: hari ini).")
@click.option("--kka", help="Kode klasifikasi (bawaan: KKA kantor).")
@click.option("--to", "kepada", help="Penerima, sesudah 'Yth.'.")
@click.option("--di", help="Tempat penerima, sesudah 'di'.")
@click.option("--perihal", help="Perihal untuk buku agenda.")
@click.option("--item", "items", multiple=True,
              help="'uraian|banyaknya|satuan|keterangan' (boleh diulang).")
@click.option("--reserve", is_flag=True,
              help="Pesan nomor untuk konsep surat; konfirmasikan saat ditandatangani.")
@click.option("--sisipan-after", type=int, help="Beri nomor sisipan sesudah nomor urut ini.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Tulis juga PDF-nya ke sini.")
@click.option("--no-archive", is_flag=True, help="Jangan simpan PDF-nya ke arsip.")
def new(from_file: Path | None, office: str | None, tanggal: Any, kka: str | None, kepada: str | None,
        di: str | None, perihal: str | None, items: tuple[str, ...], reserve: bool,
        sisipan_after: int | None, out: Path | None, no_archive: bool) -> None:
    """Beri nomor, cetak, dan arsipkan surat pengantar; menampilkan nomornya."""
    from api import letters
    from api.settings import Settings

    data = _read_json(from_file) if from_file else {}
    flags = {"office": office, "kka": kka, "perihal": perihal,
             "tanggal": tanggal.date().isoformat() if tanggal else None}
    data.update({k: v for k, v in flags.items() if v})
    if kepada or di:
        data["kepada"] = {**data.get("kepada", {}), **({"nama": kepada} if kepada else {}),
                          **({"di": di} if di else {})}
    if items:
        data["items"] = [_item(t) for t in items]
    data.setdefault("tanggal", local_today().isoformat())
    settings = Settings()
    engine = _engine(settings)
    request = letters.load_request(engine, data)
    issued = letters.issue_letter(engine, request, reserve=reserve, sisipan_after=sisipan_after)
    from api.wiring import audit_letter_issued, cli_actor

    audit_letter_issued(engine, cli_actor(), issued, request)
    if out:
        out.write_bytes(issued.pdf)
    click.echo(f"{issued.allocated.number}\t{_status(issued.allocated.status)}")
    if not no_archive:
        _archive(settings, engine, issued, request)


def _archive(settings: Settings, engine: Engine, issued: Any, request: Any) -> None:
    from api.wiring import archive_new_letter  # shared with the web app's letter form

    doc_id = archive_new_letter(settings, engine, issued, request)  # searchable at once
    click.echo(f"diarsipkan sebagai dokumen #{doc_id}")


def _status(status: str) -> str:
    """A letter's status as the register prints it (`confirmed` -> `terkirim`)."""
    from archive.letters import STATUS_LABELS

    return STATUS_LABELS.get(status, status)


@letter.command("list")
@click.option("--office", help="Hanya surat kantor ini.")
@click.option("--year", type=int, help="Hanya surat tahun ini.")
@click.option("--status", type=click.Choice(["reserved", "confirmed", "void"]),
              help="Hanya nomor berstatus ini: reserved (dipesan), confirmed (terkirim), "
                   "void (batal).")
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path),
              help="Ekspor buku agenda ke berkas XLSX ini.")
def list_letters(office: str | None, year: int | None, status: str | None, xlsx: Path | None) -> None:
    """Buku agenda surat keluar."""
    from sqlalchemy.orm import Session

    from api.settings import Settings
    from archive.letters import export_xlsx, register_rows

    with Session(_engine(Settings())) as session:
        rows = register_rows(session, office=office, year=year, status=status)
    for r in rows:
        note = f"\t{r.void_reason}" if r.void_reason else ""
        click.echo(f"{r.number}\t{r.tanggal.isoformat()}\t{r.status_label}\t{r.recipient}\t{r.subject}{note}")
    if xlsx:
        export_xlsx(rows, xlsx)
        click.echo(f"{len(rows)} nomor ditulis ke {xlsx}", err=True)


@letter.command("void")
@click.argument("number")
@click.option("--reason", required=True,
              help="Alasan nomor dibatalkan (dicatat di buku agenda).")
@click.option("--office", help="Kantor pemilik nomor (bila nomornya ada di beberapa kantor).")
@click.option("--year", type=int, help="Tahun nomor (bila nomornya ada di beberapa tahun).")
def void_letter(number: str, reason: str, office: str | None, year: int | None) -> None:
    """Batalkan NUMBER dengan alasan; nomornya tetap tercatat di buku agenda dan suratnya dicabut dari arsip."""
    from api.settings import Settings
    from api.wiring import void_letter

    settings = Settings()
    done, doc_id = void_letter(settings, _engine(settings), number, reason, office=office, year=year)
    click.echo(f"{done.number}\tbatal" + (f"\tdokumen #{doc_id} dicabut" if doc_id else ""))


@letter.command("confirm")
@click.argument("number")
@click.option("--date", "tanggal", type=click.DateTime(["%Y-%m-%d"]),
              help="Tanggal penandatanganan.")
@click.option("--office", help="Kantor pemilik nomor (bila nomornya ada di beberapa kantor).")
@click.option("--year", type=int, help="Tahun nomor (bila nomornya ada di beberapa tahun).")
def confirm_letter(number: str, tanggal: Any, office: str | None, year: int | None) -> None:
    """Konfirmasikan NUMBER yang dipesan saat surat ditandatangani."""
    from api.settings import Settings
    from api.wiring import confirm_letter

    settings = Settings()
    done, doc_id = confirm_letter(settings, _engine(settings), number, office=office, year=year,
                                  tanggal=tanggal.date() if tanggal else None)
    click.echo(f"{done.number}\t{_status(done.status)}"
               + (f"\tdicetak ulang bertanggal {tanggal.date().isoformat()}: versi baru dokumen #{doc_id}"
                  if doc_id else ""))
