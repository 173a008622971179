"""Settings in one place: environment variables with the prefix ARSIP_, built at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from ingest.ocr import OcrOptions
    from ingest.triage import Limits


class Settings(BaseSettings):
    """Every setting of Arsip Kinerja; each one is documented in README.md (a test checks)."""

    model_config = SettingsConfigDict(env_prefix="ARSIP_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="Where the database, files and index live.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: SQLite file `arsip.db` in the data dir.",
    )
    max_file_mb: float = Field(default=200.0, gt=0, description="Largest PDF accepted, in MB.")
    max_pages: int = Field(default=1000, gt=0, description="Most pages accepted in one PDF.")
    max_stream_mb: float = Field(
        default=64.0, gt=0, description="Largest size one PDF stream may inflate to, in MB."
    )
    max_upload_mb: float = Field(
        default=1000.0, gt=0,
        description="Largest upload request the web app accepts (all its files together), in MB.",
    )
    search_engine: Literal["whoosh", "postgres"] = Field(
        default="whoosh",
        description="Search engine: whoosh (index in the data dir) or postgres (archive on PostgreSQL).",
    )
    certifier_jabatan: str = Field(
        default="", description="Position (jabatan) of the official certifying stamped copies."
    )
    certifier_nama: str = Field(default="", description="Name of the certifying official.")
    certifier_nip: str | None = Field(default=None, description="NIP of the certifying official.")
    session_hours: float = Field(
        default=12.0, gt=0, description="Hours a web login lasts before the user logs in again."
    )
    login_attempts: int = Field(
        default=5, ge=1,
        description="Failed logins allowed per account in 15 minutes (per address: four times as many).",
    )
    verify_base_url: str | None = Field(
        default=None,
        description="Public base URL a copy's QR code points to (<base>/verifikasi/<code>); "
                    "default: the address the request came in on (web), http://localhost:8000 (CLI).",
    )

    timezone: str = Field(
        default="Asia/Jakarta",
        description="Zone times are shown in: Asia/Jakarta (WIB), Asia/Makassar (WITA), "
                    "Asia/Jayapura (WIT); stored times stay UTC.",
    )

    ocr_languages: str = Field(
        default="ind", description="Tesseract languages for scans, joined by '+' (e.g. `ind+eng`)."
    )
    ocr_jobs: int = Field(default=2, ge=1, description="Scanned pages read in parallel (worker processes).")
    ocr_page_timeout: float = Field(
        default=300.0, gt=0, description="Seconds one scanned page may take before it is skipped with a warning."
    )
    ocr_dpi: float | None = Field(
        default=None, gt=0,
        description="Resolution scans are read at; default: what each page's letters need, at most 300 (ingest/textscale.py).",
    )
    pg_bindir: Path | None = Field(
        default=None,
        description="Folder of pg_dump/pg_restore for backups; default: newest /usr/lib/postgresql/*/bin, then PATH.",
    )

    queue_tries: int = Field(
        default=3, ge=1, description="Tries of one uploaded file (errors, or its worker dying) before it fails.")
    queue_keep_hours: int = Field(
        default=168, ge=1,
        description="Hours a finished job and its finished upload are kept before the hourly cleanup removes them.")
    queue_keep_failed_days: int = Field(
        default=30, ge=1,
        description="Days a failed job, and an upload with a failed or refused file, are kept (their reasons stay visible).")
    queue_small_pages: int = Field(
        default=10, ge=1,
        description="Files of at most this many pages go to queue `kecil`, longer ones to `besar`.")
    worker_heartbeat: float = Field(
        default=10.0, gt=0, description="Seconds between a worker's heartbeats to the queue.")
    worker_stalled_after: float = Field(
        default=60.0, gt=0,
        description="Seconds without a heartbeat after which a worker's job is put back (or failed after ARSIP_QUEUE_TRIES).")
    serve_worker: bool = Field(
        default=True, description="`arsip serve` reads uploads itself (a worker in the web process).")

    def apply_zone(self) -> None:
        """Show times in this process in `timezone` (web app and CLI call it at start-up)."""
        from archive.localtime import set_zone

        set_zone(self.timezone)

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'arsip.db').resolve()}"

    @property
    def files_dir(self) -> Path:
        """The content-addressed store of originals."""
        return self.data_dir / "files"

    def ocr_options(self) -> OcrOptions:
        """How scanned pages are read (languages, parallel pages, time limit, resolution)."""
        from ingest.ocr import OcrOptions

        return OcrOptions(lang=self.ocr_languages, jobs=self.ocr_jobs,
                          page_timeout=self.ocr_page_timeout, dpi=self.ocr_dpi)

    def limits(self) -> Limits:
        """The file limits triage enforces (size, pages, inflated stream size)."""
        from ingest.triage import Limits

        return Limits(
            max_bytes=int(self.max_file_mb * 1024 * 1024),
            max_pages=self.max_pages,
            max_stream_bytes=int(self.max_stream_mb * 1024 * 1024),
        )
