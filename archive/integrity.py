"""The store checked against the database: every file's SHA-256 (or only its size) against its name
and its row, what is missing or rotten named with the fix that works, and the repair from a backup.

A backup folder (`arsip backup`) holds the files under `files/` in the store's own layout; any
folder holding a file under its hash (`ab/abcdef...`, `files/ab/abcdef...` or just `abcdef...`)
will do, and a file is taken only when its bytes hash to the name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.errors import NotFoundError
from archive.models import StoredFileRow, Version
from archive.store import FileStore, sha256_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileProblem:
    """One stored file that is not as its row says: where it belongs and what is wrong."""

    sha256: str
    problem: str  # "hilang" (missing), "rusak" (content or size changed)
    document_id: int
    version_no: int
    role: str
    detail: str = ""


@dataclass
class StoreReport:
    """What `check_store` found."""

    quick: bool
    checked: int = 0
    problems: list[FileProblem] = field(default_factory=list)
    unreferenced: list[str] = field(default_factory=list)  # in the store, no row
    repaired: list[str] = field(default_factory=list)
    not_in_backup: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row has its file, intact, and every file has its row."""
        return not (self.problems or self.unreferenced)


def check_store(session: Session, store: FileStore, *, quick: bool = False) -> StoreReport:
    """Every file row against the store: present, the right size, and (unless `quick`) the bytes
    still hashing to the name; plus files in the store that no row refers to."""
    report = StoreReport(quick=quick)
    rows = session.execute(
        select(StoredFileRow.sha256, StoredFileRow.size, StoredFileRow.role, Version.document_id,
               Version.version_no).join(Version, StoredFileRow.version_id == Version.id))
    known: set[str] = set()
    for sha256, size, role, document_id, version_no in rows:
        known.add(sha256)
        report.checked += 1
        problem = _file_problem(store, sha256, size, quick)
        if problem:
            report.problems.append(FileProblem(sha256, problem[0], document_id, version_no, role,
                                               problem[1]))
    report.unreferenced = sorted(set(store.iter_hashes()) - known)
    log.info("store check: %d files, %d problems", report.checked, len(report.problems))
    return report


def _file_problem(store: FileStore, sha256: str, size: int, quick: bool) -> tuple[str, str] | None:
    path = store.path(sha256)
    try:
        actual = path.stat().st_size
    except FileNotFoundError:
        return "hilang", "tidak ada di penyimpanan"
    if actual != size:
        return "rusak", f"ukurannya {actual} bita, seharusnya {size}"
    if not quick and sha256_file(path) != sha256:
        return "rusak", "isinya berubah (SHA-256 tidak cocok dengan namanya)"
    return None


def repair_from(report: StoreReport, store: FileStore, source: Path) -> None:
    """Bring back each missing or rotten file of `report` from a backup folder (hash checked)."""
    if not source.is_dir():
        raise NotFoundError(f"Folder cadangan {source} tidak ada; sebutkan folder hasil "
                            "`arsip backup` (yang berisi folder files/).")
    fixed: set[str] = set()
    for problem in report.problems:
        if problem.sha256 in fixed:
            continue
        candidate = find_in_backup(source, problem.sha256)
        if candidate is None:
            report.not_in_backup.append(problem.sha256)
            continue
        store.restore(problem.sha256, candidate)
        fixed.add(problem.sha256)
        report.repaired.append(problem.sha256)
    report.problems = [p for p in report.problems if p.sha256 not in fixed]


def find_in_backup(source: Path, sha256: str) -> Path | None:
    """A file under `source` named by `sha256` whose bytes hash to it (None if there is none)."""
    relative = Path(sha256[:2]) / sha256
    candidates = [source / "files" / relative, source / relative, source / sha256]
    candidates += [p for p in source.rglob(sha256) if p not in candidates]
    for candidate in candidates:
        if candidate.is_file() and sha256_file(candidate) == sha256:
            return candidate
    return None
