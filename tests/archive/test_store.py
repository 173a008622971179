"""The content-addressed store: hash names, temp file + rename, idempotent, nothing partial."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from archive.errors import NotFoundError, StorageError
from archive.store import FileStore
from tests.archive.fixtures import stored_files


def _source(tmp_path: Path, data: bytes, name: str = "in.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_put_names_the_file_by_its_hash_and_reads_it_back(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    data = b"%PDF-1.4 some bytes"
    sha = hashlib.sha256(data).hexdigest()
    stored = store.put(_source(tmp_path, data))
    assert stored.sha256 == sha and stored.size == len(data) and stored.created
    assert stored.relative_path == f"{sha[:2]}/{sha}"
    assert (tmp_path / "files" / sha[:2] / sha).read_bytes() == data
    assert store.read(sha) == data and store.verify(sha)
    assert list(store.iter_hashes()) == [sha]


def test_same_bytes_twice_is_a_no_op(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    first = store.put(_source(tmp_path, b"same", "a.pdf"))
    mtime = store.path(first.sha256).stat().st_mtime_ns
    second = store.put(_source(tmp_path, b"same", "b.pdf"))
    third = store.put_bytes(b"same")
    assert second.sha256 == third.sha256 == first.sha256
    assert not second.created and not third.created
    assert store.path(first.sha256).stat().st_mtime_ns == mtime
    assert stored_files(store) == [store.path(first.sha256)]


def test_stored_files_are_read_only(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    stored = store.put_bytes(b"original")
    assert not os.access(store.path(stored.sha256), os.W_OK) or os.geteuid() == 0
    assert store.path(stored.sha256).stat().st_mode & 0o222 == 0


def test_written_to_a_temp_file_in_the_scratch_folder_then_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FileStore(tmp_path / "files")
    seen: list[tuple[Path, Path, bytes, bool]] = []
    real_replace = Path.replace

    def spy(self: Path, target: Path) -> Path:
        seen.append((self, Path(target), self.read_bytes(), Path(target).exists()))
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", spy)
    stored = store.put(_source(tmp_path, b"content"))
    [(tmp, final, data, existed)] = seen
    assert final == store.path(stored.sha256)
    assert tmp.parent.parent == tmp_path / "tmp" and tmp.name.startswith(".incoming-")
    assert data == b"content" and not existed


def test_failed_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FileStore(tmp_path / "files")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(StorageError, match="penuh"):
        store.put(_source(tmp_path, b"x" * 100_000))
    monkeypatch.undo()
    assert stored_files(store) == []
    assert list(store.iter_hashes()) == []


def test_a_changed_source_is_refused(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    wrong = hashlib.sha256(b"what was hashed").hexdigest()
    with pytest.raises(StorageError, match="berubah ketika sedang disimpan"):
        store.put(_source(tmp_path, b"what is there now"), expected_sha256=wrong)
    assert stored_files(store) == []


def test_missing_and_malformed_hashes(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    with pytest.raises(NotFoundError):
        store.read("0" * 64)
    with pytest.raises(NotFoundError):
        store.path("../../etc/passwd")
