"""Search errors, in the project's one error tree (`archive.errors`)."""

from __future__ import annotations

from archive.errors import ArchiveError, BadInputError


class BadQueryError(BadInputError):
    """The query text cannot be read; the message says what to change."""

    code = "bad_query"


class IndexUnavailableError(ArchiveError):
    """The search index cannot be opened or written; `arsip reindex` rebuilds it."""

    status = 503
    code = "index_unavailable"
    exit_code = 8
