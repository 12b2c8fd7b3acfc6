"""Typed settings: environment variables over a JSON settings file over defaults.

The settings file lives in the user config dir (or ``GHOSTLINE_CONFIG_DIR``) and
never holds secrets: the AI provider's key goes to the system keyring.
"""

from __future__ import annotations

import json
import os
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
    scheme = parts.scheme.lower()
    if scheme not in {"postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg2", "postgresql+asyncpg"}:
        raise ConfigError(
            f"'{raw}' is not a PostgreSQL URL. Use the form postgresql://user:password@host:5432/database."
        )
    path = parts.path.lstrip("/")
    if not path:
        raise ConfigError(f"The database URL '{raw}' names no database (…/database_name at the end).")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if not parts.hostname and "host" not in query:
        raise ConfigError(f"The database URL '{raw}' names no host. Give host:port, or a socket dir as ?host=/path.")
    return urlunsplit(("postgresql+psycopg", parts.netloc, "/" + path, urlencode(query), ""))


@dataclass(frozen=True)
class AISettings:
    base_url: str | None = None
    chat_model: str = DEFAULT_CHAT_MODEL
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    transcription_model: str = DEFAULT_TRANSCRIPTION_MODEL
    # The key itself is never stored here; see ghostline_desktop.secrets.
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


def load_settings(config_dir: Path | None = None) -> Settings:
    """Read settings: env vars win over the settings file, which wins over defaults."""
    cfg_dir = config_dir or default_config_dir()
    stored = _read_file(cfg_dir)
    data_dir = (
        Path(os.environ["GHOSTLINE_DATA_DIR"]).expanduser()
        if os.environ.get("GHOSTLINE_DATA_DIR")
        else Path(stored["data_dir"]).expanduser()
        if stored.get("data_dir")
        else default_data_dir()
    )
    db_url = os.environ.get("GHOSTLINE_DATABASE_URL") or stored.get("database_url") or None
    ai_stored = stored.get("ai") or {}
    ai = AISettings(
        base_url=os.environ.get("OPENAI_BASE_URL") or ai_stored.get("base_url") or None,
        chat_model=os.environ.get("GHOSTLINE_CHAT_MODEL") or ai_stored.get("chat_model") or DEFAULT_CHAT_MODEL,
        embedding_model=os.environ.get("GHOSTLINE_EMBEDDING_MODEL")
        or ai_stored.get("embedding_model")
        or DEFAULT_EMBEDDING_MODEL,
        transcription_model=os.environ.get("GHOSTLINE_TRANSCRIPTION_MODEL")
        or ai_stored.get("transcription_model")
        or DEFAULT_TRANSCRIPTION_MODEL,
        api_key=os.environ.get("OPENAI_API_KEY") or None,
    )
    return Settings(
        data_dir=data_dir,
        config_dir=cfg_dir,
        database_url=normalize_database_url(db_url) if db_url else None,
        ai=ai,
        theme=str(stored.get("theme") or "system"),
        last_project_id=stored.get("last_project_id"),
        recent_project_ids=tuple(stored.get("recent_project_ids") or ()),
        max_import_mb=_positive_int(stored.get("max_import_mb"), DEFAULT_MAX_IMPORT_MB),
        checkpoint_after_minutes=_positive_int(
            stored.get("checkpoint_after_minutes"), DEFAULT_CHECKPOINT_AFTER_MINUTES
        ),
    )


def _positive_int(value: Any, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def save_settings(settings: Settings) -> None:
    """Write the non-secret settings atomically, so a crash never leaves half a file."""
    settings.config_dir.mkdir(parents=True, exist_ok=True)
    ai = asdict(settings.ai)
    ai.pop("api_key", None)
    data = {
        "data_dir": str(settings.data_dir),
        "database_url": settings.database_url,
        "ai": ai,
        "theme": settings.theme,
        "last_project_id": settings.last_project_id,
        "recent_project_ids": list(settings.recent_project_ids),
        "max_import_mb": settings.max_import_mb,
        "checkpoint_after_minutes": settings.checkpoint_after_minutes,
    }
    path = settings.config_dir / SETTINGS_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, path)
