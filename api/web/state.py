"""The state every request of the web app shares (built once by `create_app`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from api.web.auth import LoginLimiter
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
    login_limiter: LoginLimiter = field(default_factory=LoginLimiter)
    accounts_exist: bool = False  # cached once true: the set-up page is closed for good

    def index_document(self, doc_id: int) -> str | None:
        """The ingest hook: bring one document (and whatever lags) up to date in the search index;
        a warning in words when the index could not follow."""
        return self.search.update_after_ingest(doc_id)

    def ingest(self, path: Path, name: str, uploader: str | None,
               progress: Callable[[int, int], None] | None = None) -> FileOutcome:
        """Archive one uploaded file exactly as `arsip ingest` does (audited as the uploading
        account); `progress` is told the pages read so far (the upload page's counter)."""
        from archive.audit import Actor

        options = ingest_options(self.settings, uploader=uploader, on_recorded=self.index_document,
                                 source_filename=name, progress=progress)
        actor = Actor(uploader or "anonim", "web (unggahan)")
        return ingest_one(path, self.sessions, self.store, options, actor)
