"""`arsip extract FILE [--json]`: read one PDF and print what was found; stores nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


def register(cli: click.Group) -> None:
    """Add the command to the group."""
    cli.add_command(extract)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Cetak hasil ekstraksi sebagai JSON (skema proyek).")
@click.option("--pages", "with_pages", is_flag=True,
              help="Bersama --json: sertakan teks setiap halaman.")
@click.option("--searchable", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Tulis ke sini salinan pindaian yang dapat dicari (halaman asli + teks OCR "
                   "tak terlihat).")
def extract(file: Path, as_json: bool, with_pages: bool, searchable: Path | None) -> None:
    """Baca metadata, langkah, dan indikator dari FILE tanpa menyimpan apa pun."""
    from api.settings import Settings
    from ingest.extract import ExtractOptions, extract_file

    settings = Settings()
    options = ExtractOptions(limits=settings.limits(), ocr=settings.ocr_options(), searchable_copy=searchable)
    result = extract_file(file, options)
    if as_json:
        json.dump(result.to_json(with_page_texts=with_pages), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    scan = " (pindaian)" if result.scanned else ""
    click.echo(f"{file.name}: {result.doc_type}{scan}, {result.pages} halaman")
    for label, value in (("nomor", result.nomor), ("judul", result.title), ("instansi", result.instansi),
                         ("tahun", result.tahun)):
        if value:
            click.echo(f"  {label}: {value}")
    if result.steps:
        click.echo(f"  langkah: {len(result.steps)}")
    if result.indicators:
        click.echo(f"  indikator: {len(result.indicators)}")
    for w in result.warnings:
        click.echo(f"  catatan pembacaan: {w}")  # not "peringatan", an SOP field
