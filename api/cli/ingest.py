"""`arsip ingest PATH...` (archive PDFs) and `arsip show ID` (a document with its versions)."""

from __future__ import annotations

import getpass
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from api.wiring import open_archive
from archive.localtime import waktu_singkat

__all__ = ["open_archive"]  # shared with the web app (api/wiring.py); imported from here too
log = logging.getLogger(__name__)


def register(cli: click.Group) -> None:
    """Add the commands to the group."""
    cli.add_command(ingest)
    cli.add_command(show)


def find_pdfs(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders searched recursively for *.pdf (any case), sorted, no repeats."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            pdfs = (p for p in sorted(path.rglob("*")) if p.suffix.lower() == ".pdf")
            found.update(dict.fromkeys(p for p in pdfs if p.is_file()))
        else:
            found[path] = None
    return list(found)


@dataclass
class Tally:
    """How a batch went; the exit code is the first error's."""

    counts: dict[str, int] = field(default_factory=dict)
    exit_code: int = 0

    def add(self, outcome: str, exit_code: int = 0) -> None:
        """Count one file."""
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if exit_code and not self.exit_code:
            self.exit_code = exit_code

    def line(self) -> str:
        """The final count line (Indonesian nouns take no plural ending)."""
        names = [("new_document", "dokumen baru"), ("new_version", "versi baru"),
                 ("duplicate", "sudah diarsipkan"), ("refused", "ditolak"), ("failed", "gagal")]
        if self.counts.get("new_file"):  # only then, so the usual line stays as it was
            names.insert(2, ("new_file", "berkas tambahan"))
        total = sum(self.counts.values())
        parts = [f"{self.counts.get(key, 0)} {label}" for key, label in names]
        return f"{total} berkas: " + ", ".join(parts)


# How the file roles stored in the database read in the command line's output.
ROLE_LABELS = {"original": "asli", "scan": "pindaian", "searchable": "salinan dapat dicari",
               "stamped": "salinan"}


def role_label(role: str) -> str:
    """A stored file's role in words (`original` -> `asli`); an unknown role as it is."""
    return ROLE_LABELS.get(role, role)


@click.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--uploader", default=None,
              help="Nama pengunggah yang dicatat (bawaan: nama login Anda).")
@click.option("--why", is_flag=True,
              help="Tampilkan di bawah setiap berkas alasan berkas itu dicatat demikian.")
@click.option("--queue", "to_queue", is_flag=True,
              help="Jangan baca di sini: masukkan ke antrean (dibaca `arsip worker` atau `arsip serve`), "
                   "sama seperti unggahan web.")
def ingest(paths: tuple[Path, ...], uploader: str | None, why: bool, to_queue: bool) -> None:
    """Arsipkan PDF: berkas, atau folder (dicari *.pdf di semua subfoldernya)."""
    from api.settings import Settings
    from api.wiring import index_updater, ingest_options
    from archive.store import FileStore

    settings = Settings()
    if to_queue:
        _enqueue(settings, find_pdfs(paths), uploader or _login())
        return
    session_factory = open_archive(settings)
    store = FileStore(settings.files_dir)
    options = ingest_options(settings, uploader=uploader or _login(),
                             on_recorded=index_updater(settings, session_factory))
    files = find_pdfs(paths)
    tally = Tally()
    for path, line in _with_progress(files, _ingest_each(files, session_factory, store, options,
                                                          tally, why)):
        click.echo(f"{path}: {line}")
    click.echo(tally.line())
    if tally.exit_code:
        sys.exit(tally.exit_code)


def _enqueue(settings: Any, files: list[Path], uploader: str | None) -> None:
    """Queue the files as one upload batch, exactly as the web's Unggah page does."""
    from contextlib import ExitStack

    from api.queue.engine import JobQueue
    from api.queue.uploads import UploadFolder
    from api.web.jobs import UploadQueue

    if not files:
        raise click.UsageError("Tidak ada berkas PDF di jalur yang diberikan.")
    open_archive(settings)  # the data dir and the newest schema, as a worker expects
    root = settings.data_dir / "uploads"
    queue = JobQueue(settings, UploadFolder(root, settings.max_file_mb))
    try:
        with ExitStack() as stack:
            streams = [(p.name, stack.enter_context(p.open("rb"))) for p in files]
            batch = UploadQueue(root, queue, settings.max_file_mb).submit(streams, uploader)
    finally:
        queue.close()
    for f in batch.files:
        click.echo(f"{f.name}: {f.message or 'masuk antrean'}")
    click.echo(f"unggahan {batch.id}: {batch.pending} berkas masuk antrean; lihat kemajuannya dengan "
               "`arsip jobs`.")


def _ingest_each(files: list[Path], session_factory: Any, store: Any, options: Any,
                 tally: Tally, why: bool = False) -> Iterator[tuple[Path, str]]:
    """Ingest file by file; one failure never stops the batch."""
    from api.wiring import ingest_one

    for path in files:
        done = ingest_one(path, session_factory, store, options)
        tally.add(done.outcome, done.exit_code)
        result = done.result
        reason = f"\n    alasan: {result.reason}" if why and result and result.reason else ""
        yield path, done.message + reason


def _with_progress(files: list[Path], lines: Iterator[tuple[Path, str]]
                   ) -> Iterator[tuple[Path, str]]:
    """A progress bar on a terminal (lines printed above it); plain lines otherwise."""
    if not sys.stdout.isatty() or len(files) < 2:
        yield from lines
        return
    with click.progressbar(length=len(files), label="mengarsipkan", show_pos=True) as bar:
        for item in lines:
            click.echo("\r\x1b[K", nl=False)  # clear the bar's line before printing over it
            yield item
            bar.update(1)


def _login() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return None


@click.command()
@click.argument("document_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Cetak dokumen sebagai JSON.")
def show(document_id: int, as_json: bool) -> None:
    """Tampilkan dokumen beserta versi dan berkasnya."""
    from api.settings import Settings
    from archive.documents import document_to_json, get_document

    session_factory = open_archive(Settings())
    with session_factory() as session:
        data = document_to_json(session, get_document(session, document_id))
    if as_json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    for line in _show_lines(data):
        click.echo(line)


def _show_lines(doc: dict[str, Any]) -> Iterator[str]:
    yield f"#{doc['id']} {doc['doc_type']}: {doc['title'] or '(tanpa judul)'}"
    for label in ("nomor", "instansi", "tahun"):
        if doc[label]:
            yield f"  {label}: {doc[label]}"
    for v in doc["versions"]:
        dates = ", ".join(f"{k.removeprefix('tanggal_')} {v[k]}" for k in
                          ("tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif",
                           "tanggal_pengesahan") if v[k])
        yield (f"  versi {v['version_no']} [{v['status']}] {v['source_filename'] or ''}"
               f"{' (' + dates + ')' if dates else ''}")
        yield (f"    diunggah {waktu_singkat(v['uploaded_at'])} oleh {v['uploader'] or '-'}; "
               f"{v['steps']} langkah, {v['indicators']} indikator")
        for f in v["files"]:
            pages = f" {f['pages']} hlm" if f["pages"] else ""
            scan = " pindaian" if f["scanned"] else ""
            yield f"    {role_label(f['role'])}: {f['sha256']} ({f['size']} bita{pages}{scan})"
