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


class InsufficientTokensError(GhostlineError):
    """An AI operation's estimate is more than the balance left (services/tokens.py)."""

    title = "Not enough tokens"

    def __init__(self, needed: int, left: int, what: str = "This operation") -> None:
        super().__init__(
            f"{what} needs about {needed:,} tokens but only {left:,} are left. "
            "Add tokens or change the monthly budget in Tools ▸ Token Usage."
        )
        self.needed = needed
        self.left = left


class ExportBlockedError(GhostlineError):
    """Open blocking QA findings stop an export (services/exports.py); ``findings`` lists them."""

    title = "Export blocked"

    def __init__(self, findings: list[object]) -> None:
        n = len(findings)
        super().__init__(
            f"{n} blocking QA finding{'s' if n != 1 else ''} must be resolved or waived before exporting."
        )
        self.findings = findings


# ---- AI provider (ghostline_desktop/ai/provider.py) --------------------------------------------------------------
# Messages say what to do next and never contain the API key (the provider scrubs server text first).


class ProviderError(GhostlineError):
    """The AI provider could not do what was asked. ``detail`` keeps the server's (scrubbed) words for logs."""

    title = "AI provider problem"
    default_message = "The AI provider could not complete the request."

    def __init__(
        self, message: str | None = None, *, status_code: int | None = None, detail: str | None = None
    ) -> None:
        super().__init__(message or self.default_message)
        self.status_code = status_code
        self.detail = detail


class ProviderAuthError(ProviderError):
    title = "API key refused"
    default_message = (
        "The AI provider refused the API key. Check the key in Preferences ▸ AI provider "
        "(or the OPENAI_API_KEY environment variable)."
    )


class ProviderModelNotFound(ProviderError):
    title = "Unknown model"

    def __init__(self, model: str, *, status_code: int | None = None, detail: str | None = None) -> None:
        super().__init__(
            f"The AI provider has no model called '{model}'. Choose one it offers in Preferences ▸ AI provider "
            "(Test connection lists them).",
            status_code=status_code,
            detail=detail,
        )
        self.model = model


class ProviderContextTooLong(ProviderError):
    title = "Too much text for the model"

    def __init__(self, model: str, *, status_code: int | None = None, detail: str | None = None) -> None:
        super().__init__(
            f"The request is longer than the model '{model}' can read at once. Use fewer or shorter sources, "
            "or a model with a larger context.",
            status_code=status_code,
            detail=detail,
        )
        self.model = model


class ProviderRateLimited(ProviderError):
    title = "AI provider busy"
    default_message = (
        "The AI provider is limiting how often it can be asked and kept refusing. Wait a minute and try again."
    )

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: float | None = None,
        status_code: int | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, detail=detail)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    title = "AI provider unavailable"
    default_message = "The AI provider could not be reached or had a server error. Try again later."


class ProviderTimeout(ProviderUnavailable):
    """No answer within the configured timeout (a kind of unavailability: callers may treat both alike)."""

    title = "AI provider too slow"
    default_message = "The AI provider did not answer in time. Try again, or allow slow local models more time."


class ProviderStreamInterrupted(ProviderUnavailable):
    """A streamed reply broke off midway; ``partial_text`` is what arrived, so callers can keep it."""

    title = "AI reply interrupted"
    default_message = "The AI provider's reply broke off midway. The text that arrived so far is kept."

    def __init__(
        self,
        message: str | None = None,
        *,
        partial_text: str = "",
        status_code: int | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, detail=detail)
        self.partial_text = partial_text


class ProviderNotConfigured(ProviderError):
    title = "No AI provider"
    default_message = (
        "No AI provider is configured. Open Preferences ▸ AI provider to enter an OpenAI API key or the address "
        "of a local server (Ollama, LM Studio, …), or set OPENAI_API_KEY."
    )
