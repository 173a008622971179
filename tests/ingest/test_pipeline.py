"""The ingest pipeline with a fake extraction: duplicates, versions, the crash between file and rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from archive.db import make_sessionmaker, upgrade
from archive.errors import EmptyFileError, StorageError
from archive.models import Document, IndicatorRow, Job, StepRow, StoredFileRow, Version
from archive.store import FileStore
from ingest import pipeline
from ingest.model import Extraction, Step
from ingest.pipeline import IngestOptions, ingest_file
from tests.archive.fixtures import count_rows, new_archive, postgres_database, stored_files

OFFICE = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kabupaten Way Kanan"
SOP = Extraction(doc_type="sop", instansi=OFFICE, nomor="800.1.11/121/767.07/2023",
                 title="Pengumpulan Data Kinerja", tanggal_efektif="2023-04-25", pages=2,
                 steps=(Step(no=1, kegiatan="Menyiapkan format"), Step(no=2, kegiatan="Validasi")))
SOP_REV1 = SOP.replace(nomor="800.1.11 / 121 / 767.07 / 2023", tanggal_revisi="2024-03-27",
                       tanggal_efektif="2024-04-07")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def archive(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[sessionmaker[Session], FileStore]]:
    """A migrated archive on SQLite, and on PostgreSQL when the test server is up."""
    if request.param == "sqlite":
        yield new_archive(tmp_path / "data")
        return
    with postgres_database() as engine:
        upgrade(engine)
        yield make_sessionmaker(engine), FileStore(tmp_path / "data" / "files")


@pytest.fixture
def fake_extract(monkeypatch: pytest.MonkeyPatch) -> dict[str, Extraction]:
    """Extraction by file name, so these tests do not depend on the parsers."""
    extractions: dict[str, Extraction] = {}

    def extract(path: Path, options: IngestOptions) -> Extraction:
        return extractions[path.name]

    monkeypatch.setattr(pipeline, "extract", extract)
    return extractions


def _pdf(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_bytes(f"%PDF-1.4\n{body}\n%%EOF\n".encode())
    return path


def test_new_document(archive: Any, fake_extract: dict[str, Extraction], tmp_path: Path) -> None:
    session_factory, store = archive
    fake_extract["sop-x.pdf"] = SOP
    result = ingest_file(_pdf(tmp_path, "sop-x.pdf", "one"), session_factory, store,
                         IngestOptions(uploader="tester"))
    assert result.outcome == "new_document" and result.version_no == 1
    assert result.summary() == f"dokumen baru #{result.document_id}"
    assert store.exists(result.sha256) and result.extraction == SOP
    with session_factory() as session:
        version = session.get_one(Version, result.version_id)
        assert (version.uploader, version.source_filename, version.status) == (
            "tester", "sop-x.pdf", "berlaku")
        assert version.extraction["nomor"] == SOP.nomor
        assert [f.storage_path for f in version.files] == [store.relative_path(result.sha256)]
        assert session.scalars(select(Job.status)).all() == ["done"]
    assert count_rows(session_factory, StepRow) == 2


def test_same_bytes_again_is_reported_and_adds_nothing(
    archive: Any, fake_extract: dict[str, Extraction], tmp_path: Path
) -> None:
    session_factory, store = archive
    fake_extract["a.pdf"] = SOP
    first = ingest_file(_pdf(tmp_path, "a.pdf", "same"), session_factory, store)
    fake_extract.clear()  # a duplicate must not even be extracted again
    again = ingest_file(_pdf(tmp_path, "copy-of-a.pdf", "same"), session_factory, store)
    assert again.outcome == "duplicate" and again.extraction is None
    assert (again.document_id, again.version_id, again.version_no) == (
        first.document_id, first.version_id, 1)
    assert again.summary() == f"sudah diarsipkan sebagai versi 1 dari #{first.document_id}"
    assert count_rows(session_factory, Version) == 1
    assert count_rows(session_factory, StoredFileRow) == 1
    assert len(stored_files(store)) == 1
    with session_factory() as session:
        assert session.scalars(select(Job.status).order_by(Job.id)).all() == ["done", "duplicate"]


def test_a_revision_becomes_the_second_version(
    archive: Any, fake_extract: dict[str, Extraction], tmp_path: Path
) -> None:
    session_factory, store = archive
    fake_extract.update({"sop-x.pdf": SOP, "sop-x-rev1.pdf": SOP_REV1})
    first = ingest_file(_pdf(tmp_path, "sop-x.pdf", "v1"), session_factory, store)
    second = ingest_file(_pdf(tmp_path, "sop-x-rev1.pdf", "v2"), session_factory, store)
    assert second.outcome == "new_version" and second.document_id == first.document_id
    assert second.summary() == f"versi baru 2 dari #{first.document_id}"
    assert count_rows(session_factory, Document) == 1
    with session_factory() as session:
        statuses = session.execute(select(Version.version_no, Version.status)
                                   .order_by(Version.version_no)).all()
    assert [tuple(r) for r in statuses] == [(1, "digantikan"), (2, "berlaku")]
    assert count_rows(session_factory, StepRow) == 4  # each version keeps its own steps


def test_crash_between_file_and_commit_keeps_file_and_no_rows(
    archive: Any, fake_extract: dict[str, Extraction], tmp_path: Path
) -> None:
    session_factory, store = archive
    lkjip = Extraction(doc_type="lkjip", instansi=OFFICE, tahun=2024)
    fake_extract["lkjip.pdf"] = lkjip.replace(indicators=())

    def note_versions(session: Session, _context: Any, _instances: Any) -> None:
        # the identity map holds flushed objects weakly: a Version nobody references any more can
        # be collected before the commit, so what was flushed is noted here
        if any(isinstance(obj, Version) for obj in session.new):
            session.info["version_rows"] = True

    def fail_first_commit(session: Session) -> None:
        """The commit of the version rows fails, as on a full disk or a lost server."""
        if session.info.get("version_rows") or any(
                isinstance(obj, Version) for obj in [*session.new, *session.identity_map.values()]):
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(session_factory, "before_flush", note_versions)
    event.listen(session_factory, "before_commit", fail_first_commit)
    path = _pdf(tmp_path, "lkjip.pdf", "report")
    with pytest.raises(StorageError, match="belum ada yang dicatat"):
        ingest_file(path, session_factory, store)
    assert store.exists(pipeline.hash_file(path))
    event.remove(session_factory, "before_commit", fail_first_commit)
    event.remove(session_factory, "before_flush", note_versions)

    [kept] = stored_files(store)
    assert kept.read_bytes() == path.read_bytes()
    for model in (Document, Version, StoredFileRow, StepRow, IndicatorRow):
        assert count_rows(session_factory, model) == 0, model
    with session_factory() as session:
        job = session.scalars(select(Job)).one()
    assert (job.status, job.error_code, job.sha256) == ("failed", "storage_error", kept.name)
    assert job.version_id is None and "lkjip.pdf" in (job.message or "")

    retry = ingest_file(path, session_factory, store)  # the stored file is reused as is
    assert retry.outcome == "new_document" and stored_files(store) == [kept]


def test_unexpected_errors_are_logged_and_raised(
    archive: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    session_factory, store = archive

    def broken_parser(path: Path, options: IngestOptions) -> Extraction:
        raise ModuleNotFoundError("No module named 'ingest.parsers.lkjip'")

    monkeypatch.setattr(pipeline, "extract", broken_parser)
    with pytest.raises(ModuleNotFoundError):
        ingest_file(_pdf(tmp_path, "x.pdf", "x"), session_factory, store)
    assert stored_files(store) == []
    with session_factory() as session:
        job = session.scalars(select(Job)).one()
    assert (job.status, job.error_code) == ("failed", "ModuleNotFoundError")


def test_a_refused_file_stores_nothing_and_is_logged(archive: Any, tmp_path: Path) -> None:
    session_factory, store = archive
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFileError):
        ingest_file(empty, session_factory, store)  # the real extract: triage refuses it
    assert stored_files(store) == []
    assert count_rows(session_factory, Version) == 0
    with session_factory() as session:
        job = session.scalars(select(Job)).one()
    assert (job.status, job.error_code) == ("refused", "empty_file")


def test_a_concurrent_upload_of_the_same_bytes_is_a_duplicate(
    archive: Any, fake_extract: dict[str, Extraction], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Both passed the duplicate check; the unique hash decides at commit and nothing breaks."""
    session_factory, store = archive
    fake_extract.update({"a.pdf": SOP, "b.pdf": SOP})
    first = ingest_file(_pdf(tmp_path, "a.pdf", "same"), session_factory, store)
    real_check = pipeline.find_duplicate
    calls: list[str] = []

    def check_too_early(*args: Any) -> pipeline.IngestResult | None:
        calls.append("check")
        return None if len(calls) == 1 else real_check(*args)

    monkeypatch.setattr(pipeline, "find_duplicate", check_too_early)
    second = ingest_file(_pdf(tmp_path, "b.pdf", "same"), session_factory, store)
    assert second.outcome == "duplicate" and second.version_id == first.version_id
    assert count_rows(session_factory, Version) == 1 and calls == ["check", "check"]


def test_concurrent_new_documents_with_one_key_become_two_versions(
    archive: Any, fake_extract: dict[str, Extraction], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Another upload creates the document between our lookup and our commit: retry as a version."""
    from archive import identity

    session_factory, store = archive
    fake_extract.update({"a.pdf": SOP, "b.pdf": SOP_REV1})
    ingest_file(_pdf(tmp_path, "a.pdf", "v1"), session_factory, store)
    real_find = identity._find_document
    calls: list[str] = []

    def stale_lookup(session: Session, key: str | None) -> Document | None:
        calls.append("find")
        return None if len(calls) == 1 else real_find(session, key)

    monkeypatch.setattr(identity, "_find_document", stale_lookup)
    second = ingest_file(_pdf(tmp_path, "b.pdf", "v2"), session_factory, store)
    assert second.outcome == "new_version" and second.version_no == 2
    assert count_rows(session_factory, Document) == 1 and len(calls) == 2


def test_the_users_file_name_is_recorded_for_an_upload_in_a_temp_file(
    archive: Any, fake_extract: dict[str, Extraction], tmp_path: Path
) -> None:
    session_factory, store = archive
    fake_extract["tmp123.upload"] = SOP
    options = IngestOptions(source_filename="SOP Pengumpulan Data.pdf")
    result = ingest_file(_pdf(tmp_path, "tmp123.upload", "x"), session_factory, store, options)
    with session_factory() as session:
        version = session.get_one(Version, result.version_id)
        job = session.scalars(select(Job)).one()
    assert version.source_filename == job.source_filename == "SOP Pengumpulan Data.pdf"
