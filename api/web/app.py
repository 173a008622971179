"""`create_app(settings)`: the FastAPI app, its shared state, and the routers of each page."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from api.queue.engine import JobQueue, Reader, Worker, WorkerOptions
from api.queue.uploads import UploadFolder, worker_name
from api.web import (
    admin,
    documents,
    errors,
    letters,
    login,
    offices,
    pages,
    pageview,
    review,
    security,
    uploads,
    verification,
    versions,
)
from api.web.access import unlisted
from api.web.auth import LoginLimiter, guard
from api.web.jobs import UploadQueue
from api.web.render import STATIC_DIR
from api.web.state import WebState
from api.wiring import open_database, open_search_service

if TYPE_CHECKING:
    from api.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    """The web app over the archive in `settings` (data dir created, schema upgraded, index built)."""
    from api.web import rest
    from archive.accounts import has_users
    from archive.db import make_sessionmaker
    from archive.store import FileStore

    settings.apply_zone()  # times shown in WIB (or WITA, WIT); stored times stay UTC
    engine = open_database(settings)
    sessions = make_sessionmaker(engine)
    search = open_search_service(settings, sessions)
    uploads_dir = settings.data_dir / "uploads"
    queue = JobQueue(settings, UploadFolder(uploads_dir, settings.max_file_mb))
    state = WebState(settings, engine, sessions, FileStore(settings.files_dir), search,
                     UploadQueue(uploads_dir, queue, settings.max_file_mb),
                     LoginLimiter(attempts=settings.login_attempts))
    with sessions() as session:
        state.accounts_exist = has_users(session)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state.uploads.resume()
        worker = _start_worker(state) if settings.serve_worker else None
        yield
        if worker is not None:
            worker.stop()
        state.uploads.stop()
        queue.close()
        state.search.close()
        engine.dispose()

    app = FastAPI(title="Arsip Kinerja", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.arsip = state
    app.mount("/statis", StaticFiles(directory=STATIC_DIR), name="statis")
    # offices before letters: /surat/kantor before /surat/{letter_id}
    for module in (pages, documents, versions, review, pageview, verification, uploads, offices, letters,
                   login, admin):
        router: Any = module.router
        app.include_router(router, dependencies=[Depends(guard)], include_in_schema=False)
    rest.install(app, guard)
    missing = unlisted(app.routes)
    if missing:  # every route must say who may use it (api/web/access.py)
        raise RuntimeError(f"routes without an access rule: {', '.join(missing)}")
    errors.install(app)
    security.install(app, security.load_secret(settings.data_dir / "secret.key"),
                     settings.max_file_mb, settings.max_upload_mb, errors.error_response)
    return app


class _ServeWorker:
    """The worker `arsip serve` runs in a thread: all queues, plus a lane for small files only."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.thread = threading.Thread(target=self._run, name="arsip-pekerja", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.worker.run()
        except Exception:
            log.exception("the upload worker stopped")

    def stop(self) -> None:
        self.worker.stop()
        self.thread.join(timeout=30)


def _start_worker(state: WebState) -> _ServeWorker:
    from api.queue.engine import QUEUES, lanes_for

    reader = Reader(state.settings, state.uploads.folder, lambda *a: state.ingest(*a), worker_name())
    options = WorkerOptions(queues=QUEUES, install_signal_handlers=False, lanes=lanes_for(QUEUES))
    return _ServeWorker(Worker(state.settings, reader, options))
