"""Typed settings: environment variables over a JSON settings file over defaults.

The settings file lives in the user config dir (or ``GHOSTLINE_CONFIG_DIR``) and never holds
a secret nor anything the environment said:

- the AI provider's key goes to the system keyring (:mod:`ghostline_desktop.secrets`);
- a database URL's password goes to the keyring too; the file keeps the URL without it
  (the password is put back on the service loop, :func:`secrets.database_url_with_password`);
- a value taken from an environment variable (``GHOSTLINE_DATA_DIR``, ``GHOSTLINE_DATABASE_URL``,
  ``OPENAI_BASE_URL``, ``GHOSTLINE_*_MODEL``) is remembered with the file's own value under it,
  and saving writes the file's value back: an environment set for one run (a test, a shell
  with a throw-away database) never becomes the author's settings;
- the file is written atomically and readable by its owner only (0600, in a 0700 folder).

Nothing here touches the keyring, so loading and saving are safe on the GUI thread.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import platformdirs

from ghostline_desktop.errors import ConfigError

APP_NAME = "GhostLine"
SETTINGS_FILE = "settings.json"
DEFAULT_CHAT_MODEL = "gpt-4o-mini"
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
DEFAULT_TRANSCRIPTION_MODEL = "whisper-1"
DEFAULT_AI_TIMEOUT_S = 60.0
DEFAULT_MAX_IMPORT_MB = 500
#: The first save after a pause longer than this (minutes) becomes a revision (issue 7's "N").
DEFAULT_CHECKPOINT_AFTER_MINUTES = 10


def default_data_dir() -> Path:
    env = os.environ.get("GHOSTLINE_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_dir() -> Path:
    env = os.environ.get("GHOSTLINE_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def normalize_database_url(url: str) -> str:
    """Turn the URL forms people paste into the one SQLAlchemy's psycopg 3 driver takes.

    Accepts ``postgres://``, ``postgresql://``, ``postgresql+psycopg2://`` and
    ``postgresql+psycopg://``, with a host or a unix socket dir in ``?host=``.
    """
    raw = url.strip()
    if not raw:
        raise ConfigError("The database URL is empty.")
    parts = urlsplit(raw)
    shown = mask_database_url(raw)  # messages end up in dialogs and logs: never the password
    scheme = parts.scheme.lower()
    if scheme not in {"postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg2", "postgresql+asyncpg"}:
        raise ConfigError(
            f"'{shown}' is not a PostgreSQL URL. Use the form postgresql://user:password@host:5432/database."
        )
    path = parts.path.lstrip("/")
    if not path:
        raise ConfigError(f"The database URL '{shown}' names no database (…/database_name at the end).")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if not parts.hostname and "host" not in query:
        raise ConfigError(f"The database URL '{shown}' names no host. Give host:port, or a socket dir as ?host=/path.")
    return urlunsplit(("postgresql+psycopg", parts.netloc, "/" + path, urlencode(query), ""))


_URL_PASSWORD = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.\-]*://[^:/@\s]*:)(?P<password>[^@/\s]+)(?P<tail>@)", re.IGNORECASE
)


def mask_database_url(url: str) -> str:
    """``url`` with any password shown as ``***`` (for messages and logs); also works inside longer text."""
    return _URL_PASSWORD.sub(r"\g<head>***\g<tail>", url)


def database_url_password(url: str | None) -> str | None:
    """The password in a database URL as written there (percent-encoded), or None."""
    if not url:
        return None
    with contextlib.suppress(ValueError):
        password = urlsplit(url).password
        return password or None
    return None


def database_url_without_password(url: str) -> str:
    """The URL with its password taken out (user, host, port, database and query kept)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit((parts.scheme, f"{user}@{hostinfo}", parts.path, parts.query, parts.fragment))


def database_url_with_password(url: str, password: str) -> str:
    """The URL with ``password`` (percent-encoded, as :func:`database_url_password` returns it) put in."""
    parts = urlsplit(database_url_without_password(url))
    userinfo, at, hostinfo = parts.netloc.rpartition("@")
    if not at:
        raise ConfigError("A database password needs a user name in the URL (postgresql://user@host/db).")
    return urlunsplit((parts.scheme, f"{userinfo}:{password}@{hostinfo}", parts.path, parts.query, parts.fragment))


@dataclass(frozen=True)
class AISettings:
    #: Which preset the author chose (ai/presets.py: openai, ollama, lmstudio, llamacpp, openrouter,
    #: custom); None for files written before presets existed (then guessed from ``base_url``).
    preset: str | None = None
    base_url: str | None = None
    chat_model: str = DEFAULT_CHAT_MODEL
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    transcription_model: str = DEFAULT_TRANSCRIPTION_MODEL
    #: Seconds of silence allowed per read before a call counts as hung (local models can be slow).
    timeout_s: float = DEFAULT_AI_TIMEOUT_S
    # The key itself is never stored here (only the environment's, never saved); see ghostline_desktop.secrets.
    api_key: str | None = field(default=None, repr=False, compare=False)

    @property
    def configured(self) -> bool:
        return bool(self.api_key or self.base_url)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    config_dir: Path
    database_url: str | None = None
    ai: AISettings = field(default_factory=AISettings)
    theme: str = "system"  # system | light | dark
    last_project_id: str | None = None
    recent_project_ids: tuple[str, ...] = ()
    #: Largest file the library imports; bigger ones are refused before anything is copied.
    max_import_mb: int = DEFAULT_MAX_IMPORT_MB
    #: The editor's first save after a pause longer than this many minutes is a revision.
    checkpoint_after_minutes: int = DEFAULT_CHECKPOINT_AFTER_MINUTES
    #: Values the environment set, by file key ("data_dir", "database_url", "ai.base_url", …):
    #: (the environment's value, the file's value under it). See save_settings.
    env_overrides: Mapping[str, tuple[Any, Any]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def database_url_from_env(self) -> bool:
        """True when the database URL in use is the environment's (never persisted, never sent to the keyring)."""
        env = self.env_overrides.get("database_url")
        return env is not None and env[0] == self.database_url

    @property
    def max_import_bytes(self) -> int:
        return self.max_import_mb * 1024 * 1024

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def pgdata_dir(self) -> Path:
        return self.data_dir / "pgdata"

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _read_file(config_dir: Path) -> dict[str, Any]:
    path = config_dir / SETTINGS_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"The settings file {path} could not be read: {exc}") from exc
    return data if isinstance(data, dict) else {}


_AI_ENV = {
    "base_url": "OPENAI_BASE_URL",
    "chat_model": "GHOSTLINE_CHAT_MODEL",
    "embedding_model": "GHOSTLINE_EMBEDDING_MODEL",
    "transcription_model": "GHOSTLINE_TRANSCRIPTION_MODEL",
}


def load_settings(config_dir: Path | None = None) -> Settings:
    """Read settings: env vars win over the settings file, which wins over defaults.

    The app and the CLI both start here, so this is also where log redaction is installed and
    the secrets the environment or the file hold are remembered for it.
    """
    from ghostline_desktop import redaction

    redaction.install_log_redaction()
    cfg_dir = config_dir or default_config_dir()
    stored = _read_file(cfg_dir)
    overrides: dict[str, tuple[Any, Any]] = {}
    file_data_dir = Path(stored["data_dir"]).expanduser() if stored.get("data_dir") else None
    data_dir = file_data_dir or default_data_dir()
    if os.environ.get("GHOSTLINE_DATA_DIR"):
        data_dir = Path(os.environ["GHOSTLINE_DATA_DIR"]).expanduser()
        overrides["data_dir"] = (data_dir, str(file_data_dir) if file_data_dir else None)
    file_db_url = stored.get("database_url") or None
    if os.environ.get("GHOSTLINE_DATABASE_URL"):
        database_url: str | None = normalize_database_url(os.environ["GHOSTLINE_DATABASE_URL"])
        overrides["database_url"] = (database_url, file_db_url)
    else:
        database_url = normalize_database_url(file_db_url) if file_db_url else None
    raw_ai = stored.get("ai")
    ai_stored: dict[str, Any] = raw_ai if isinstance(raw_ai, dict) else {}
    defaults = AISettings()
    ai_values: dict[str, Any] = {}
    for name, var in _AI_ENV.items():
        file_value = ai_stored.get(name) or None
        ai_values[name] = file_value or (None if name == "base_url" else getattr(defaults, name))
        if os.environ.get(var):
            overrides[f"ai.{name}"] = (os.environ[var], file_value)
            ai_values[name] = os.environ[var]
    preset = ai_stored.get("preset")
    ai = AISettings(
        preset=str(preset) if preset else None,
        timeout_s=_positive_float(ai_stored.get("timeout_s"), DEFAULT_AI_TIMEOUT_S),
        api_key=os.environ.get("OPENAI_API_KEY") or None,
        **ai_values,
    )
    redaction.remember_secret(ai.api_key)
    redaction.remember_secret(database_url_password(database_url))
    return Settings(
        data_dir=data_dir,
        config_dir=cfg_dir,
        database_url=database_url,
        ai=ai,
        theme=str(stored.get("theme") or "system"),
        last_project_id=stored.get("last_project_id"),
        recent_project_ids=tuple(stored.get("recent_project_ids") or ()),
        max_import_mb=_positive_int(stored.get("max_import_mb"), DEFAULT_MAX_IMPORT_MB),
        checkpoint_after_minutes=_positive_int(
            stored.get("checkpoint_after_minutes"), DEFAULT_CHECKPOINT_AFTER_MINUTES
        ),
        env_overrides=overrides,
    )


def _positive_float(value: Any, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def _positive_int(value: Any, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def settings_file_data(settings: Settings) -> dict[str, Any]:
    """What :func:`save_settings` writes: no key, no database password, nothing from the environment."""
    ai = asdict(settings.ai)
    ai.pop("api_key", None)
    data: dict[str, Any] = {
        "data_dir": str(settings.data_dir),
        "database_url": settings.database_url,
        "ai": ai,
        "theme": settings.theme,
        "last_project_id": settings.last_project_id,
        "recent_project_ids": list(settings.recent_project_ids),
        "max_import_mb": settings.max_import_mb,
        "checkpoint_after_minutes": settings.checkpoint_after_minutes,
    }
    for key, (env_value, file_value) in settings.env_overrides.items():
        section, _, name = key.rpartition(".")
        target = data[section] if section else data
        current = target.get(name)
        # Still the environment's value: keep what the file had. Changed since (in Preferences):
        # the author's own choice, which is theirs to keep.
        if current == env_value or current == str(env_value):
            target[name] = file_value
    if data["database_url"]:
        data["database_url"] = database_url_without_password(str(data["database_url"]))
    return data


def save_settings(settings: Settings) -> None:
    """Write the settings file atomically (a crash never leaves half a file), owner-only (0600).

    The password of a database URL is left out: Preferences puts it in the keyring
    (``secrets.store_database_password``) and the service loop puts it back.
    """
    config_dir = settings.config_dir
    config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = json.dumps(settings_file_data(settings), indent=2)
    path = config_dir / SETTINGS_FILE
    # mkstemp creates the file 0600 from the start (no moment where it is world-readable).
    fd, tmp_name = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=config_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o600)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
