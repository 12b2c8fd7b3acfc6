"""Typed errors raised by the service layer.

The UI shows ``str(error)`` to the author, so every message here is written for
a person, not a developer. Code branches on the class, never on the message.
"""

from __future__ import annotations


class GhostlineError(Exception):
    """Base of every error the app raises on purpose."""

    #: Short heading for an error dialog.
    title = "Something went wrong"


class ConfigError(GhostlineError):
    title = "Configuration problem"


class DatabaseError(GhostlineError):
    title = "Database problem"


class DatabaseUnavailableError(DatabaseError):
    """The database could not be reached or started."""

    title = "Database unavailable"


class EmbeddedServerError(DatabaseUnavailableError):
    """The bundled PostgreSQL server failed to start or stop."""


class DataDirInUseError(EmbeddedServerError):
    """Another program holds the data directory in a way we cannot share."""


class MissingExtensionError(DatabaseError):
    """The server lacks an extension GhostLine needs (pgvector)."""

    title = "Database extension missing"


class SchemaOutOfDateError(DatabaseError):
    title = "Database needs an upgrade"


class NotFoundError(GhostlineError):
    title = "Not found"


class ValidationError(GhostlineError):
    title = "Invalid input"


class ConflictError(GhostlineError):
    """A unique value (email, username, …) is already taken."""

    title = "Already exists"


class JobCancelledError(GhostlineError):
    """A background job was asked to stop."""

    title = "Cancelled"


class JobTimeoutError(GhostlineError):
    """A background job ran past its time limit and was stopped."""

    title = "Took too long"


class ServiceStoppedError(GhostlineError):
    """Work was submitted after the service loop stopped (the app is closing)."""

    title = "Closing"
