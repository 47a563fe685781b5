"""Exceptions raised by the data-access layer; pages turn them into messages."""

from __future__ import annotations


class DataAccessError(Exception):
    """Base class for errors with a message that is safe to show to a user."""


class NotFound(DataAccessError):
    """The record does not exist, or it belongs to another brand (indistinguishable on purpose)."""


class PermissionDenied(DataAccessError):
    """The signed-in user's role does not allow this operation."""


class NoBrandSelected(DataAccessError):
    """An administrator must choose a brand before brand-level data can be read."""


class DatabaseUnavailable(DataAccessError):
    """The database cannot be reached; the operation can be retried when it is back."""


class ImportRejected(DataAccessError):
    """An import file has problems; nothing was written.

    ``report`` is the :class:`data_access.importing.ImportReport`: ``report.errors`` lists every
    problem (file, row, column, message), not just the first.
    """

    def __init__(self, report) -> None:
        self.report = report
        super().__init__(report.summary())



class ImportFailed(DataAccessError):
    """The database refused an import, or could not be reached while it ran; nothing was
    written (the transaction was rolled back). The message says what happened, in words."""
