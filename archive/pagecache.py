"""Files derived from a stored PDF, kept beside the store: its word boxes and page images.

`<data dir>/halaman/ab/<sha256>/` holds, for the stored file of that hash, `kata.json.gz` (the
words with their boxes, written when the file is read: `ingest/wordboxes.py`) and the page images
rendered on demand (`h3.png` a page, `h3-kecil.png` its thumbnail, `potongan-...png` a field's
crop).  Everything here can be made again from the stored files (the word boxes of a scan from
its searchable copy), so it is neither backed up nor checked: a missing file is rebuilt on use.
Writes go to a temp file renamed into place, so two requests rendering the same image at once
never leave half a file.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_HEX64 = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,80}")
WORDS = "kata.json.gz"


class PageCache:
    """Derived files of stored PDFs, by the PDF's SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def folder(self, sha256: str) -> Path:
        """The folder of one stored file's derived files."""
        if not _HEX64.fullmatch(sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def path(self, sha256: str, name: str) -> Path:
        """Where a derived file of `sha256` lives (it may not exist yet)."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"bad derived file name: {name!r}")
        return self.folder(sha256) / name

    def read(self, sha256: str, name: str) -> bytes | None:
        """A derived file's bytes, None when it was not made yet."""
        try:
            return self.path(sha256, name).read_bytes()
        except FileNotFoundError:
            return None

    def write(self, sha256: str, name: str, data: bytes) -> Path:
        """Keep a derived file (whole or not at all)."""
        target = self.path(sha256, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target
