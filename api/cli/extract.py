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
@click.option("--json", "as_json", is_flag=True, help="Print the extraction JSON (schema of the project).")
@click.option("--pages", "with_pages", is_flag=True, help="With --json: include each page's text.")
@click.option("--searchable", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a searchable copy of a scan (original pages + invisible OCR text) here.")
def extract(file: Path, as_json: bool, with_pages: bool, searchable: Path | None) -> None:
    """Extract metadata, steps and indicators from FILE without storing anything."""
    from api.settings import Settings
    from ingest.extract import ExtractOptions, extract_file

    settings = Settings()
    options = ExtractOptions(limits=settings.limits(), ocr=settings.ocr_options(), searchable_copy=searchable)
    result = extract_file(file, options)
    if as_json:
        json.dump(result.to_json(with_page_texts=with_pages), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    click.echo(f"{file.name}: {result.doc_type}{' (scan)' if result.scanned else ''}, {result.pages} halaman")
    for label, value in (("nomor", result.nomor), ("judul", result.title), ("instansi", result.instansi),
                         ("tahun", result.tahun)):
        if value:
            click.echo(f"  {label}: {value}")
    if result.steps:
        click.echo(f"  langkah: {len(result.steps)}")
    if result.indicators:
        click.echo(f"  indikator: {len(result.indicators)}")
    for w in result.warnings:
        click.echo(f"  peringatan: {w}")
