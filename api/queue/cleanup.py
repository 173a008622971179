"""Finished jobs and upload records removed after their retention, by a periodic job.

Every hour (`CLEANUP_CRON`) procrastinate's periodic deferrer, which runs in every worker,
queues one cleanup job in queue `rawat` (every worker serves it; the deferrer's own lock in
the queue's storage makes it one job per hour however many workers run).  The job runs
procrastinate's builtin `remove_old_jobs` twice: succeeded jobs older than ARSIP_QUEUE_KEEP_HOURS,
then failed, cancelled and aborted ones older than ARSIP_QUEUE_KEEP_FAILED_DAYS (a failed file's
reason stays visible that long), and removes upload batches (`<data dir>/uploads/<id>/`) whose
every file has its outcome, after the same times (a batch with a failed or refused file is kept
as long as failed jobs).  What was archived stays in the archive and its ingest log: only the
queue's own bookkeeping goes.  `arsip jobs --bersihkan` runs the same cleanup at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from procrastinate import JobContext, builtin_tasks

if TYPE_CHECKING:
    import procrastinate

    from api.queue.uploads import UploadFolder
    from api.settings import Settings

log = logging.getLogger(__name__)

CLEANUP_TASK = "arsip.bersihkan_antrean"
MAINTENANCE = "rawat"  # the queue every worker serves besides its own
CLEANUP_CRON = "7 * * * *"  # hourly, at minute 7


@dataclass(frozen=True)
class Cleaned:
    """What one cleanup removed: jobs per status, and upload batches."""

    jobs: dict[str, int]
    uploads: int

    def summary(self) -> str:
        """One line for people."""
        jobs = ", ".join(f"{n} {status}" for status, n in sorted(self.jobs.items()) if n) or "0"
        return f"dihapus: pekerjaan {jobs}; unggahan {self.uploads}"


def register(app: procrastinate.App) -> None:
    """Register the cleanup task and its hourly schedule on `app`."""
    task = app.task(name=CLEANUP_TASK, queue=MAINTENANCE, pass_context=True)(_cleanup_job)
    app.periodic(cron=CLEANUP_CRON, periodic_id="bersihkan")(task)


async def _cleanup_job(context: JobContext, timestamp: int) -> str:
    reader = context.additional_context["reader"]
    done = await clean(context, reader.settings, reader.uploads)
    log.info("queue cleanup: %s", done.summary())
    return done.summary()


async def clean(context: JobContext, settings: Settings, uploads: UploadFolder) -> Cleaned:
    """Remove what is past its retention (see the module); what was removed."""
    app = context.app
    assert app is not None
    before = await _counts(app)
    await builtin_tasks.remove_old_jobs(context, max_hours=settings.queue_keep_hours)
    await builtin_tasks.remove_old_jobs(context, max_hours=settings.queue_keep_failed_days * 24,
                                        remove_failed=True, remove_cancelled=True,
                                        remove_aborted=True)
    after = await _counts(app)
    removed = await asyncio.to_thread(uploads.remove_finished, settings.queue_keep_hours,
                                      settings.queue_keep_failed_days * 24.0)
    return Cleaned({k: before[k] - after.get(k, 0) for k in before}, removed)


async def _counts(app: Any) -> dict[str, int]:
    totals: dict[str, int] = {}
    for queue in await app.job_manager.list_queues_async():
        for status in ("succeeded", "failed", "cancelled", "aborted"):
            totals[status] = totals.get(status, 0) + int(queue.get(status) or 0)
    return totals


def clean_now(settings: Settings, uploads: UploadFolder) -> Cleaned:
    """The cleanup at once, outside a worker (`arsip jobs --bersihkan`), on an App of its own."""
    from api.queue.engine import ensure_schema, make_app

    ensure_schema(settings)
    app = make_app(settings)

    async def run() -> Cleaned:
        async with app.open_async():
            # remove_old_jobs reads only the context's app
            context = JobContext(app=app, job=cast(Any, None), start_timestamp=time.time(),
                                 abort_reason=lambda: None)
            return await clean(context, settings, uploads)

    return asyncio.run(run())
