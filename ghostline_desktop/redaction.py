"""Secrets never reach a log line: every record is redacted when it is created.

What is masked (with ``***``): every secret the app handed out in this process (the API key
in use, a database password — remembered in memory only, see :func:`remember_secret`),
anything shaped like an OpenAI key (``sk-…``), and the password of any URL
(``scheme://user:password@host``).

Kept apart from :mod:`ghostline_desktop.secrets` so that settings loading can install it
without importing the keyring (start-up time).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from ghostline_desktop.config import mask_database_url

_KEY_SHAPE = re.compile(r"\b(sk-[A-Za-z0-9_\-]{4})[A-Za-z0-9_\-]{6,}")
#: Shorter values would mask ordinary words ("ab" in "cab"); no real key or password is this short.
MIN_SECRET_LENGTH = 4
_known: set[str] = set()
_lock = threading.Lock()
_installed = False


def remember_secret(value: str | None) -> None:
    """Mask ``value`` in every log record from now on (kept in memory only, for this process)."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    """``text`` without any remembered secret, OpenAI-shaped key or URL password."""
    if not text:
        return text
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, "***")
    return mask_database_url(_KEY_SHAPE.sub(r"\1***", text))


def install_log_redaction() -> None:
    """Make every log record redacted at creation, whatever handler it reaches (idempotent).

    A record factory rather than a handler filter: it covers handlers added later (the CLI and
    the app each add their own) and third-party loggers alike. The message is formatted once
    here, and a traceback rendered and redacted, so no handler formats the raw text again.
    """
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it for logging's own error report
            return record
        cleaned = redact(message)
        if cleaned != message:  # only then: other records keep their msg and args for whoever reads them
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(factory)


__all__ = ["MIN_SECRET_LENGTH", "install_log_redaction", "redact", "remember_secret"]
