"""The one error tree.  Every error the project raises derives from `ArchiveError`.

Each subclass carries an HTTP status, a stable `code` and a message telling the user what to do;
only `api/errors.py` turns them into responses, and the CLI prints the message with a non-zero exit.
"""

from __future__ import annotations


class ArchiveError(Exception):
    """Base of every error we raise on purpose."""

    status: int = 500
    code: str = "internal_error"
    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInputError(ArchiveError):
    """The request or file cannot be used as given."""

    status = 400
    code = "bad_input"
    exit_code = 2


class NotFoundError(ArchiveError):
    """The thing asked for does not exist."""

    status = 404
    code = "not_found"
    exit_code = 3


class ConflictError(ArchiveError):
    """The request conflicts with what the archive holds."""

    status = 409
    code = "conflict"
    exit_code = 4


# --- files refused at upload -------------------------------------------------------------------
class RejectedFileError(BadInputError):
    """A file the archive refuses; nothing was stored."""

    status = 422
    code = "rejected_file"
    exit_code = 5


class EmptyFileError(RejectedFileError):
    code = "empty_file"


class NotAPdfError(RejectedFileError):
    code = "not_a_pdf"


class DamagedPdfError(RejectedFileError):
    code = "damaged_pdf"


class EncryptedPdfError(RejectedFileError):
    code = "encrypted_pdf"


class TooLargeError(RejectedFileError):
    status = 413
    code = "too_large"


class TooManyPagesError(RejectedFileError):
    status = 413
    code = "too_many_pages"


class DecompressionBombError(RejectedFileError):
    code = "decompression_bomb"


# --- tools and configuration -------------------------------------------------------------------
class MissingDependencyError(ArchiveError):
    """An outside program (Tesseract, a language pack, a renderer) is not installed."""

    status = 503
    code = "missing_dependency"
    exit_code = 6


class StorageError(ArchiveError):
    """The file store or database could not complete a write."""

    status = 500
    code = "storage_error"
    exit_code = 7


# --- people and trust --------------------------------------------------------------------------
class NotAuthenticatedError(ArchiveError):
    """No valid login (session or API token) came with the request."""

    status = 401
    code = "not_authenticated"
    exit_code = 8


class ForbiddenError(ArchiveError):
    """The account may not do this (its role), or the request was not sent from our own pages."""

    status = 403
    code = "forbidden"
    exit_code = 8


class TooManyAttemptsError(ArchiveError):
    """Too many failed logins for one account or one address in a short time."""

    status = 429
    code = "too_many_attempts"
    exit_code = 8


class AuditChainError(ArchiveError):
    """The audit trail was changed outside the program (a row edited, deleted or inserted)."""

    status = 500
    code = "audit_broken"
    exit_code = 9
