"""`create_app(settings)`: the FastAPI app, its shared state, and the routers of each page."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web import documents, errors, letters, pages, uploads, verification
from api.web.jobs import UploadQueue
from api.web.render import STATIC_DIR
from api.web.state import WebState
from api.wiring import open_database, open_search_service

if TYPE_CHECKING:
    from api.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    """The web app over the archive in `settings` (data dir created, schema upgraded, index built)."""
    from archive.db import make_sessionmaker
    from archive.store import FileStore

    engine = open_database(settings)
    sessions = make_sessionmaker(engine)
    search = open_search_service(settings, sessions)
    state = WebState(settings, engine, sessions, FileStore(settings.files_dir), search,
                     UploadQueue(settings.data_dir / "uploads", lambda *a: state.ingest(*a),
                                 settings.max_file_mb))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state.uploads.resume()
        yield
        state.uploads.stop()
        state.search.close()
        engine.dispose()

    app = FastAPI(title="Arsip Kinerja", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.arsip = state
    app.mount("/statis", StaticFiles(directory=STATIC_DIR), name="statis")
    for module in (pages, documents, verification, uploads, letters):
        router: Any = module.router
        app.include_router(router)
    errors.install(app)
    errors.limit_uploads(app, settings.max_upload_mb)
    return app
