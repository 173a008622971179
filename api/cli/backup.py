"""`arsip backup` and `arsip restore`: a consistent snapshot of a running archive, and bringing one back."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click


def register(cli: click.Group) -> None:
    """Add the commands to the group."""
    cli.add_command(backup)
    cli.add_command(restore)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


@click.command()
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--incremental", is_flag=True,
              help="Pakai ulang (tautan keras) berkas yang sudah ada di cadangan terakhir DEST; "
                   "hanya berkas baru yang disalin.")
@click.option("--base", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              metavar="FOLDER",
              help="Cadangan sebelumnya yang dipakai ulang (bawaan: yang terbaru di DEST); "
                   "menyiratkan --incremental.")
@click.option("--json", "as_json", is_flag=True, help="Cetak JSON.")
def backup(dest: Path, incremental: bool, base: Path | None, as_json: bool) -> None:
    """Cadangkan arsip ke folder baru di DEST sambil aplikasi tetap berjalan.

    Basis data disalin lebih dulu (satu titik waktu), lalu berkas asli yang dirujuknya
    (diperiksa SHA-256-nya), dan manifest.json. Indeks pencarian tidak ikut: dibangun ulang
    saat pemulihan.
    """
    from api.cli import VERSION
    from api.settings import Settings
    from api.wiring import open_database
    from archive.backup import BackupOptions, take_backup

    settings = Settings()
    engine = open_database(settings)
    try:
        options = BackupOptions(VERSION, incremental or base is not None, base, settings.pg_bindir)
        result = take_backup(engine, settings.files_dir, dest, options)
    finally:
        engine.dispose()
    if as_json:
        _echo_json({**asdict(result), "folder": str(result.folder),
                    "base": str(result.base) if result.base else None})
        return
    for note in result.notes:
        click.echo(f"catatan: {note}")
    kind = f"inkremental dari {result.base.name}" if result.base else "penuh"
    click.echo(f"cadangan {kind}: {result.folder}")
    click.echo(f"basis data {result.engine} (revisi skema {result.schema_revision}): "
               f"{sum(result.counts.values())} baris di {len(result.counts)} tabel")
    click.echo(f"berkas: {result.files} ({_size(result.bytes)}); disalin {result.copied}, "
               f"ditautkan dari penyimpanan {result.linked}, dipakai ulang dari cadangan "
               f"sebelumnya {result.reused}")


@click.command()
@click.argument("src", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Cetak JSON.")
def restore(src: Path, as_json: bool) -> None:
    """Pulihkan cadangan SRC ke folder data kosong (atau basis data PostgreSQL kosong).

    Berkas dipulihkan dan diperiksa SHA-256-nya, lalu basis data; indeks pencarian dibangun
    ulang dan arsip diperiksa seperti `arsip check` (keluar 1 bila ada yang tidak cocok).
    """
    from api.settings import Settings
    from api.wiring import open_search_service
    from archive.db import make_engine, make_sessionmaker, upgrade
    from archive.integrity import check_store
    from archive.restore import restore_backup
    from archive.store import FileStore

    settings = Settings()
    engine = make_engine(settings.resolved_database_url)
    try:
        result = restore_backup(src, engine, settings.data_dir, settings.files_dir,
                                pg_bindir=settings.pg_bindir)
        upgrade(engine)  # a backup made by an older version is brought to the newest schema
        service = open_search_service(settings, make_sessionmaker(engine), rebuild=False)
        try:
            entries = service.reindex()
            store = FileStore(settings.files_dir)
            with service.sessions() as session:  # every row has its file (hashed while restored)
                files = check_store(session, store, quick=True)
            report = service.check(store.iter_hashes(), store.exists)
        finally:
            service.close()
    finally:
        engine.dispose()
    if as_json:
        _echo_json({"source": str(src), "engine": result.engine, "counts": result.counts,
                    "files": result.files, "bytes": result.bytes, "index_entries": entries,
                    "check": asdict(report), "store": {**asdict(files), "ok": files.ok},
                    "ok": report.ok and files.ok})
    else:
        click.echo(f"dipulihkan dari {src}: basis data {result.engine}, "
                   f"{sum(result.counts.values())} baris di {len(result.counts)} tabel "
                   "(sama dengan manifest)")
        click.echo(f"berkas: {result.files} ({_size(result.bytes)}), semuanya cocok dengan SHA-256")
        click.echo(f"indeks pencarian dibangun ulang: {entries} entri")
        for name, values in asdict(report).items():
            if values:
                click.echo(f"{name.replace('_', ' ')}: {values if values is not True else 'ya'}")
        for p in files.problems:
            click.echo(f"{p.problem.upper()}: {p.sha256} (versi {p.version_no} dari #{p.document_id}): "
                       f"{p.detail}")
        click.echo("pemeriksaan: semua cocok" if report.ok and files.ok else
                   "pemeriksaan: ada yang tidak cocok (lihat di atas); jalankan `arsip check`")
    if not (report.ok and files.ok):
        sys.exit(1)


def _echo_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1, default=str)
    sys.stdout.write("\n")
