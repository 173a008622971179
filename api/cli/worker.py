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
@click.option("--tanpa-jalur-kecil", "no_small_lane", is_flag=True,
              help="Tanpa jalur khusus berkas pendek (bawaan: pekerja yang melayani antrean besar "
                   "juga membaca berkas kecil di jalur kedua, agar tidak menunggu pindaian panjang).")
def worker(queues: tuple[str, ...], paralel: int, no_small_lane: bool) -> None:
    """Jalankan pekerja yang membaca berkas antrean (hentikan dengan Ctrl+C)."""
    from api.queue.engine import QUEUES, Worker, WorkerOptions, file_reader, is_postgres, lanes_for
    from api.queue.uploads import UploadFolder
    from api.settings import Settings

    settings = Settings()
    reader = file_reader(settings, UploadFolder(settings.data_dir / "uploads"))
    where = "PostgreSQL" if is_postgres(settings) else f"SQLite di {settings.data_dir.resolve()}"
    chosen = queues or QUEUES
    lanes = [] if no_small_lane else lanes_for(chosen)
    extra = "; jalur kedua untuk berkas kecil" if lanes else ""
    click.echo(f"pekerja {reader.name}: antrean {', '.join(chosen)} ({where}{extra}); "
               "hentikan dengan Ctrl+C.", err=True)
    Worker(settings, reader, WorkerOptions(queues=chosen, concurrency=paralel, lanes=lanes)).run()


@click.command()
@click.option("--semua", "show_all", is_flag=True, help="Tampilkan juga unggahan yang sudah selesai.")
@click.option("--json", "as_json", is_flag=True, help="Cetak sebagai JSON.")
@click.option("--bersihkan", "clean", is_flag=True,
              help="Hapus sekarang pekerjaan dan unggahan selesai yang melewati masa simpannya "
                   "(ARSIP_QUEUE_KEEP_HOURS, ARSIP_QUEUE_KEEP_FAILED_DAYS; pekerja melakukannya tiap jam).")
def jobs(show_all: bool, as_json: bool, clean: bool) -> None:
    """Tampilkan antrean: jumlah pekerjaan per status, lalu tiap berkas unggahan dan kemajuannya."""
    from api.queue.cleanup import clean_now
    from api.queue.engine import JobQueue
    from api.queue.uploads import UploadFolder
    from api.settings import Settings
    from api.web.jobs import UploadQueue

    settings = Settings()
    root = settings.data_dir / "uploads"
    queue = JobQueue(settings, UploadFolder(root))
    try:
        if clean:
            click.echo(clean_now(settings, queue.uploads).summary(), err=as_json)
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
