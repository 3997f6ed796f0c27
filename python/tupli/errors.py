"""The exceptions tupli raises.

``TupliStorageError`` is the base class, as pytupli names it, so code that
catches pytupli's error keeps working. Below it there is one class per kind
of failure; each carries ``status`` (the HTTP status, or ``None`` when no
server answered) and ``detail`` (the server's ``detail``: a message, the list
of validation errors of a 422, or ``None``).

Inputs that are wrong before anything is sent raise ``InvalidInputError``
(also a ``ValueError``) or ``TypeError``, with a message naming the argument.
"""

from __future__ import annotations

from typing import Any, Optional

__all__ = [
    "TupliStorageError",
    "ApiError",
    "AuthenticationError",
    "SessionExpiredError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "ServerValidationError",
    "RateLimitedError",
    "ServerError",
    "TransportError",
    "DecodeError",
    "InvalidInputError",
    "ShapeError",
    "EmptySelectionError",
    "IntegrityError",
    "StorageIOError",
    "WorkerError",
    "ExportError",
    "RecordingError",
]


class TupliStorageError(Exception):
    """Base class of every error tupli raises (pytupli's name for it)."""

    status: Optional[int] = None
    """The HTTP status the server answered, or ``None``."""
    detail: Any = None
    """The server's ``detail``: a message, a 422's validation errors, or ``None``."""


class ApiError(TupliStorageError):
    """The server answered an error status not covered by a subclass."""


class AuthenticationError(ApiError):
    """401: not logged in, or the credentials or tokens were refused."""


class SessionExpiredError(AuthenticationError):
    """The tokens expired and could not be refreshed; they were cleared: log in again."""


class PermissionDeniedError(ApiError):
    """403: the user lacks the right (a guest, or a missing role)."""


class NotFoundError(ApiError):
    """404 from a server, or an id a folder does not hold (``status`` is ``None`` then)."""


class ConflictError(ApiError):
    """409: the object exists already (a user, a group, a role)."""


class ServerValidationError(ApiError, ValueError):
    """422: the server refused the request's shape; ``detail`` lists why."""


class RateLimitedError(ApiError):
    """429, or the server asked to retry later than the retry policy waits."""


class ServerError(ApiError):
    """5xx: the server failed (after the retries an idempotent call gets)."""


class TransportError(TupliStorageError, ConnectionError):
    """No answer: the connection failed or timed out. The message names the URL."""


class DecodeError(TupliStorageError):
    """The server's answer could not be read as the API describes it."""


class InvalidInputError(TupliStorageError, ValueError):
    """An input refused before anything was sent; the message names the argument."""


class ShapeError(InvalidInputError):
    """A tuple's value cannot be a column (ragged, nested, text); names episode, step, field."""


class EmptySelectionError(TupliStorageError):
    """No episode matches the selection: nothing was written."""


class IntegrityError(TupliStorageError):
    """An artifact's bytes do not match its recorded hash."""


class StorageIOError(TupliStorageError, OSError):
    """A file could not be read or written (nothing partial is left behind)."""


class WorkerError(TupliStorageError, RuntimeError):
    """A background task of tupli's stopped before it answered."""


class ExportError(TupliStorageError):
    """A dataset export's writer failed (nothing partial is left behind)."""


class RecordingError(TupliStorageError):
    """Episodes handed to a recorder could not be stored; ``failed`` lists them."""

    failed: list
    """One dict per episode: ``key``, ``n_tuples``, ``attempts``, ``maybe_stored``, ``error``."""

    def __init__(self, message: str, failed: Optional[list] = None) -> None:
        super().__init__(message)
        self.failed = list(failed or [])
