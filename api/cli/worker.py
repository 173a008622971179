"""`arsip worker` (read queued files) and `arsip jobs` (what the queue holds, file by file)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import click

from archive.localtime import waktu_singkat

QUEUE_HELP = "kecil: berkas pendek; besar: berkas panjang"


def register(cli: click.Group) -> None:
    """Add the commands to the group."""
    cli.add_command(worker)
    cli.add_command(jobs)


@click.command()
@click.option("--antrean", "queues", multiple=True, type=click.Choice(["kecil", "besar"]),
              help=f"Hanya antrean ini (boleh diulang; bawaan: semua). {QUEUE_HELP}.")
@click.option("--paralel", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Berkas yang dibaca bersamaan oleh proses ini.")
def worker(queues: tuple[str, ...], paralel: int) -> None:
    """Jalankan pekerja yang membaca berkas antrean (hentikan dengan Ctrl+C)."""
    from api.queue.engine import QUEUES, Worker, WorkerOptions, file_reader, is_postgres
    from api.queue.uploads import UploadFolder
    from api.settings import Settings

    settings = Settings()
    reader = file_reader(settings, UploadFolder(settings.data_dir / "uploads"))
    where = "PostgreSQL" if is_postgres(settings) else f"SQLite di {settings.data_dir.resolve()}"
    click.echo(f"pekerja {reader.name}: antrean {', '.join(queues or QUEUES)} ({where}); "
               "hentikan dengan Ctrl+C.", err=True)
    Worker(settings, reader, WorkerOptions(queues=queues or QUEUES, concurrency=paralel)).run()


@click.command()
@click.option("--semua", "show_all", is_flag=True, help="Tampilkan juga unggahan yang sudah selesai.")
@click.option("--json", "as_json", is_flag=True, help="Cetak sebagai JSON.")
def jobs(show_all: bool, as_json: bool) -> None:
    """Tampilkan antrean: jumlah pekerjaan per status, lalu tiap berkas unggahan dan kemajuannya."""
    from api.queue.engine import JobQueue
    from api.queue.uploads import UploadFolder
    from api.settings import Settings
    from api.web.jobs import UploadQueue

    settings = Settings()
    root = settings.data_dir / "uploads"
    queue = JobQueue(settings, UploadFolder(root))
    try:
        counts = queue.counts()
        batches = [b for b in UploadQueue(root, queue).batches() if show_all or b.pending]
    finally:
        queue.close()
    if as_json:
        json.dump({"jobs": counts, "uploads": [asdict(b) for b in batches]}, sys.stdout,
                  ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    for line in _lines(counts, batches):
        click.echo(line)


STATUS_WORDS = {"todo": "menunggu", "doing": "diproses", "succeeded": "selesai",
                "failed": "gagal", "cancelled": "dibatalkan", "aborted": "dihentikan"}


def _lines(counts: dict[str, int], batches: list[Any]) -> Iterator[str]:
    from api.wiring import OUTCOME_LABELS

    summary = ", ".join(f"{counts.get(k, 0)} {w}" for k, w in STATUS_WORDS.items()
                        if counts.get(k) or k in ("todo", "doing"))
    yield f"pekerjaan: {summary}"
    if not batches:
        yield "tidak ada unggahan yang menunggu (--semua: tampilkan juga yang selesai)"
    for b in batches:
        who = f" oleh {b.uploader}" if b.uploader else ""
        yield f"unggahan {b.id} ({waktu_singkat(b.created)}{who}): " \
              f"{len(b.files) - b.pending}/{len(b.files)} selesai"
        for f in b.files:
            pages = f", {f.pages} hlm" if f.pages else ""
            if f.outcome:
                state = OUTCOME_LABELS.get(f.outcome, f.outcome)
                detail = f.message.removeprefix(state).lstrip(": ")
            else:
                state = f.state
                detail = ", ".join(x for x in (f.stage, f"percobaan {f.attempt}" if f.attempt else "",
                                                f"di {f.worker}" if f.worker and f.state == "diproses"
                                                else "") if x)
            yield f"  {f.name}{pages}: {state}{': ' + detail if detail else ''}"
