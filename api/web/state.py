"""The state every request of the web app shares (built once by `create_app`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from api.web.jobs import UploadQueue
from api.wiring import FileOutcome, ingest_one, ingest_options

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from api.settings import Settings
    from archive.store import FileStore
    from search.service import SearchService


@dataclass
class WebState:
    """What every request shares: settings, the database, the file store, search, the uploads."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: FileStore
    search: SearchService
    uploads: UploadQueue

    def index_document(self, doc_id: int) -> str | None:
        """The ingest hook: bring one document (and whatever lags) up to date in the search index;
        a warning in words when the index could not follow."""
        return self.search.update_after_ingest(doc_id)

    def ingest(self, path: Path, name: str, uploader: str | None) -> FileOutcome:
        """Archive one uploaded file exactly as `arsip ingest` does."""
        options = ingest_options(self.settings, uploader=uploader, on_recorded=self.index_document,
                                 source_filename=name)
        return ingest_one(path, self.sessions, self.store, options)
