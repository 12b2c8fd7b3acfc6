"""The AI provider's API key: kept in the system keyring, never in a plain file.

``OPENAI_API_KEY`` in the environment wins over the keyring, as it does for the
openai library itself. On machines without a usable keyring (headless Linux often
has only keyring's "fail" backend) reading gives ``None`` and storing raises a
:class:`~ghostline_desktop.errors.ConfigError` telling the author to use the
environment variable instead: silently falling back to a file would leak the key.
"""

from __future__ import annotations

import contextlib
import os

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from ghostline_desktop.errors import ConfigError

SERVICE = "GhostLine"
USERNAME = "openai-api-key"
ENV_VAR = "OPENAI_API_KEY"

NO_KEYRING_MESSAGE = "No system keyring is available: set OPENAI_API_KEY in your environment instead."


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
    """True when a key can be stored (the preferences dialog uses this to explain the fallback)."""
    return _usable_backend() is not None


def get_api_key() -> str | None:
    """The API key from the environment, else the keyring, else None."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    # A locked or broken keyring must not stop the app: it simply runs offline.
    return stored_api_key()


def stored_api_key() -> str | None:
    """Only what the keyring holds (ignoring the environment), for prefilling the preferences form."""
    backend = _usable_backend()
    if backend is None:
        return None
    try:
        return backend.get_password(SERVICE, USERNAME) or None
    except keyring.errors.KeyringError:
        return None


def environment_api_key_set() -> bool:
    return bool(os.environ.get(ENV_VAR, "").strip())


def set_api_key(key: str | None) -> None:
    """Store ``key`` in the keyring; ``None`` or blank removes it."""
    backend = _usable_backend()
    if backend is None:
        raise ConfigError(NO_KEYRING_MESSAGE)
    cleaned = (key or "").strip()
    try:
        if cleaned:
            backend.set_password(SERVICE, USERNAME, cleaned)
        else:
            # Nothing stored means removing is already done.
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                backend.delete_password(SERVICE, USERNAME)
    except keyring.errors.KeyringError as exc:
        raise ConfigError(f"The system keyring refused to store the API key: {exc}") from exc
