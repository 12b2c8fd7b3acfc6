"""Secrets: AI provider keys and database passwords live in the system keyring, never in a file.

``OPENAI_API_KEY`` in the environment wins over the keyring, as it does for the openai
library itself. On machines without a usable keyring (headless Linux often has only
keyring's "fail" backend) reading gives ``None`` and storing raises a
:class:`~ghostline_desktop.errors.ConfigError` telling the author to use the environment
(or ``~/.pgpass`` for a database) instead: silently falling back to a file would leak it.

One key per provider (``key_account``): the OpenAI key is never sent to OpenRouter, a local
server or a custom URL just because the author switched presets.

Every call here may block (a locked wallet asks the user, D-Bus can stall): call them off
the GUI thread — on the service loop, or through ``asyncio.to_thread``.

Redaction (:mod:`ghostline_desktop.redaction`): every secret this module hands out is
remembered (in memory only), and log records are redacted of them — and of anything shaped
like an OpenAI key or a URL password — before any handler sees them.
"""

from __future__ import annotations

import contextlib
import os
from urllib.parse import urlsplit

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from ghostline_desktop.config import (
    database_url_password,
    database_url_with_password,
    database_url_without_password,
)
from ghostline_desktop.errors import ConfigError
from ghostline_desktop.redaction import install_log_redaction as install_log_redaction  # re-exported
from ghostline_desktop.redaction import redact, remember_secret

SERVICE = "GhostLine"
USERNAME = "openai-api-key"  # the OpenAI key (and every key of settings written before presets)
ENV_VAR = "OPENAI_API_KEY"

NO_KEYRING_MESSAGE = "No system keyring is available: set OPENAI_API_KEY in your environment instead."
NO_KEYRING_DATABASE_MESSAGE = (
    "No system keyring is available to keep the database password. Leave the password out of the URL and put "
    "it in ~/.pgpass, or set GHOSTLINE_DATABASE_URL in your environment."
)


# ---- the keyring ----------------------------------------------------------------------------------------------
def _usable_backend() -> KeyringBackend | None:
    """The active keyring backend, or None when it can only fail.

    keyring's fail backend (and a chainer with nothing in it) has priority 0 and
    raises on every call; we treat it as "no keyring" up front rather than by
    catching its error messages.
    """
    backend = keyring.get_keyring()
    try:
        priority = float(backend.priority)
    except Exception:  # some backends compute priority lazily and can raise when unavailable
        return None
    if priority <= 0:
        return None
    return backend


def keyring_available() -> bool:
    """True when a secret can be stored (the preferences dialog uses this to explain the fallback)."""
    return _usable_backend() is not None


def _read(account: str) -> str | None:
    backend = _usable_backend()
    if backend is None:
        return None
    try:
        value = backend.get_password(SERVICE, account) or None
    except keyring.errors.KeyringError:
        return None  # a locked or broken keyring must not stop the app: it simply runs without
    remember_secret(value)
    return value


def _write(account: str, value: str | None, what: str) -> None:
    backend = _usable_backend()
    if backend is None:
        raise ConfigError(NO_KEYRING_MESSAGE if what == "API key" else NO_KEYRING_DATABASE_MESSAGE)
    try:
        if value:
            backend.set_password(SERVICE, account, value)
            remember_secret(value)
        else:
            # Nothing stored means removing is already done.
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                backend.delete_password(SERVICE, account)
    except keyring.errors.KeyringError as exc:
        raise ConfigError(f"The system keyring refused to store the {what}: {redact(str(exc))}") from None


# ---- API keys -------------------------------------------------------------------------------------------------
def key_account(preset: str | None = None, base_url: str | None = None) -> str:
    """The keyring entry holding the key for this provider.

    OpenAI (and settings from before presets, ``preset=None``) use the historical entry; a
    custom server's key is filed under its host:port, so two custom servers keep two keys.
    """
    if preset in (None, "", "openai"):
        return USERNAME
    if preset == "custom":
        host = urlsplit(base_url or "").netloc.lower() if base_url else ""
        return f"api-key:custom:{host}" if host else "api-key:custom"
    return f"api-key:{preset}"


def get_api_key(account: str = USERNAME) -> str | None:
    """The API key from the environment, else the keyring, else None."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        remember_secret(env)
        return env
    return stored_api_key(account)


def stored_api_key(account: str = USERNAME) -> str | None:
    """Only what the keyring holds (ignoring the environment), for prefilling the preferences form."""
    return _read(account)


def environment_api_key_set() -> bool:
    return bool(os.environ.get(ENV_VAR, "").strip())


def set_api_key(key: str | None, account: str = USERNAME) -> None:
    """Store ``key`` in the keyring; ``None`` or blank removes it."""
    _write(account, (key or "").strip() or None, "API key")


# ---- database passwords -----------------------------------------------------------------------------------------
def _database_account(url: str) -> str:
    """The keyring entry for a database URL's password: the URL without it (user@host:port/db)."""
    return "database:" + database_url_without_password(url)


def store_database_password(url: str) -> str:
    """Move a password typed into a database URL to the keyring; returns the URL without it.

    A URL without a password is returned as is (any stored password for it stays: the author
    may have typed the URL without it on purpose).
    """
    password = database_url_password(url)
    if password is None:
        return url
    _write(_database_account(url), password, "database password")
    return database_url_without_password(url)


def forget_database_password(url: str) -> None:
    with contextlib.suppress(ConfigError):
        _write(_database_account(url), None, "database password")


def resolve_database_url(url: str, *, keep: bool = False) -> str:
    """The URL to connect with: ``url`` itself when it has a password, else with the keyring's.

    Without a stored password the URL is returned as is: libpq then asks ``~/.pgpass`` / PGPASSWORD.
    ``keep``: a password in ``url`` is also put in the keyring when one is usable (a settings
    file from before passwords moved out of it; the next save leaves it out). Never for a URL
    from the environment.
    """
    typed = database_url_password(url)
    if typed is not None:
        remember_secret(typed)
        if keep and keyring_available() and _read(_database_account(url)) != typed:
            with contextlib.suppress(ConfigError):
                _write(_database_account(url), typed, "database password")
        return url
    stored = _read(_database_account(url))
    return database_url_with_password(url, stored) if stored else url
