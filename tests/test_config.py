"""Settings: URL normalisation, file roundtrip, environment overrides that are never saved, no secret in the file."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from ghostline_desktop.config import (
    AISettings,
    database_url_password,
    database_url_with_password,
    database_url_without_password,
    load_settings,
    mask_database_url,
    normalize_database_url,
    save_settings,
)
from ghostline_desktop.errors import ConfigError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgresql://user:pass@host:5432/db", "postgresql+psycopg://user:pass@host:5432/db"),
        ("postgres://user:pass@host:5432/db", "postgresql+psycopg://user:pass@host:5432/db"),
        ("postgresql+psycopg://user@host/db", "postgresql+psycopg://user@host/db"),
        ("postgresql+psycopg2://user:pw@host:6543/db", "postgresql+psycopg://user:pw@host:6543/db"),
        ("  postgresql://user:pass@host/db  ", "postgresql+psycopg://user:pass@host/db"),
    ],
)
def test_normalize_host_forms(raw: str, expected: str) -> None:
    assert normalize_database_url(raw) == expected


def test_normalize_socket_form_keeps_host_query() -> None:
    url = normalize_database_url("postgresql://user@/db?host=/path/to/socket")
    parsed = make_url(url)
    assert parsed.drivername == "postgresql+psycopg"
    assert parsed.database == "db"
    assert parsed.username == "user"
    assert parsed.query["host"] == "/path/to/socket"


def test_normalized_url_is_idempotent() -> None:
    once = normalize_database_url("postgres://u:p@h:5432/d?sslmode=require")
    assert normalize_database_url(once) == once
    assert make_url(once).query["sslmode"] == "require"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "mysql://user@host/db",
        "sqlite:///x.db",
        "postgresql://user@host",
        "postgresql://user@host/",
        "postgresql:///db",
        "just some text",
    ],
)
def test_bad_urls_raise_config_error(bad: str) -> None:
    with pytest.raises(ConfigError):
        normalize_database_url(bad)


_ENV_VARS = (
    "GHOSTLINE_DATA_DIR",
    "GHOSTLINE_DATABASE_URL",
    "OPENAI_BASE_URL",
    "GHOSTLINE_CHAT_MODEL",
    "GHOSTLINE_EMBEDDING_MODEL",
    "GHOSTLINE_TRANSCRIPTION_MODEL",
    "OPENAI_API_KEY",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in _ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_save_load_roundtrip(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "cfg"
    settings = load_settings(cfg).with_changes(
        data_dir=tmp_path / "data",
        database_url=normalize_database_url("postgres://u:p4ssw0rd@h/db"),
        ai=AISettings(
            preset="ollama",
            base_url="http://127.0.0.1:11434/v1",
            chat_model="llama3",
            transcription_model="whisper-large",
            timeout_s=180.0,
            api_key="sk-secret",
        ),
        theme="dark",
        last_project_id="abc",
        recent_project_ids=("abc", "def"),
    )
    save_settings(settings)
    text = (cfg / "settings.json").read_text()
    assert "sk-secret" not in text  # the key belongs in the keyring, never in the file
    assert "p4ssw0rd" not in text  # so does a database password
    loaded = load_settings(cfg)
    assert loaded.database_url == "postgresql+psycopg://u@h/db"
    assert loaded == settings.with_changes(database_url=loaded.database_url)  # api_key is not compared
    assert loaded.ai.api_key is None
    assert (loaded.ai.preset, loaded.ai.timeout_s, loaded.ai.transcription_model) == ("ollama", 180.0, "whisper-large")
    assert loaded.storage_dir == tmp_path / "data" / "files"
    assert not loaded.uses_embedded_database


def test_settings_file_is_owner_only_and_written_atomically(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "cfg"
    save_settings(load_settings(cfg))
    path = cfg / "settings.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o700
    # A file left world-readable by an older version is rewritten owner-only.
    path.chmod(0o644)
    save_settings(load_settings(cfg).with_changes(theme="dark"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in cfg.iterdir()) == ["settings.json"]  # no temporary file left behind
    assert json.loads(path.read_text())["theme"] == "dark"


def test_a_failed_write_leaves_the_old_file(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "cfg"
    save_settings(load_settings(cfg).with_changes(theme="dark"))
    broken = load_settings(cfg).with_changes(last_project_id=object())  # not JSON-serialisable
    with pytest.raises(TypeError):
        save_settings(broken)
    assert json.loads((cfg / "settings.json").read_text())["theme"] == "dark"
    assert sorted(p.name for p in cfg.iterdir()) == ["settings.json"]


def test_environment_values_are_never_saved(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    """What the environment says is used, but the file keeps the author's own values."""
    cfg = tmp_path / "cfg"
    save_settings(
        load_settings(cfg).with_changes(
            data_dir=tmp_path / "file-data",
            database_url=normalize_database_url("postgresql://me@filehost/filedb"),
            ai=AISettings(base_url="http://file-host:11434/v1", chat_model="file-model"),
        )
    )
    before = json.loads((cfg / "settings.json").read_text())
    clean_env.setenv("GHOSTLINE_DATA_DIR", str(tmp_path / "env-data"))
    clean_env.setenv("GHOSTLINE_DATABASE_URL", "postgresql://envuser:env-db-secret@envhost:5433/envdb")
    clean_env.setenv("OPENAI_BASE_URL", "http://env-host:8080/v1")
    clean_env.setenv("GHOSTLINE_CHAT_MODEL", "env-model")
    clean_env.setenv("GHOSTLINE_EMBEDDING_MODEL", "env-embedder")
    clean_env.setenv("OPENAI_API_KEY", "sk-env-key-0123456789")
    settings = load_settings(cfg)
    assert settings.data_dir == tmp_path / "env-data"
    assert settings.database_url == "postgresql+psycopg://envuser:env-db-secret@envhost:5433/envdb"
    assert settings.database_url_from_env
    assert (settings.ai.base_url, settings.ai.chat_model) == ("http://env-host:8080/v1", "env-model")
    # The app changes something else and saves at shutdown.
    save_settings(settings.with_changes(theme="dark", last_project_id="p1"))
    text = (cfg / "settings.json").read_text()
    for value in ("env-data", "envhost", "env-db-secret", "envuser", "env-host", "env-model", "env-embedder", "sk-env"):
        assert value not in text, value
    after = json.loads(text)
    assert (after["theme"], after["last_project_id"]) == ("dark", "p1")
    for key in ("data_dir", "database_url"):
        assert after[key] == before[key]
    assert after["ai"]["base_url"] == "http://file-host:11434/v1"
    assert after["ai"]["chat_model"] == "file-model"
    assert after["ai"]["embedding_model"] == before["ai"]["embedding_model"]


def test_environment_value_without_a_file_value_saves_nothing(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("GHOSTLINE_DATA_DIR", str(tmp_path / "env-data"))
    clean_env.setenv("GHOSTLINE_DATABASE_URL", "postgresql://u:pw-from-env@h/db")
    save_settings(load_settings(tmp_path / "cfg"))
    data = json.loads((tmp_path / "cfg" / "settings.json").read_text())
    assert data["data_dir"] is None and data["database_url"] is None
    clean_env.delenv("GHOSTLINE_DATA_DIR")
    clean_env.delenv("GHOSTLINE_DATABASE_URL")
    loaded = load_settings(tmp_path / "cfg")
    assert loaded.uses_embedded_database and loaded.data_dir != tmp_path / "env-data"


def test_a_value_changed_after_the_environment_set_it_is_the_authors(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    """Preferences changed what the environment had set: that is a choice, and it is saved."""
    clean_env.setenv("GHOSTLINE_CHAT_MODEL", "env-model")
    settings = load_settings(tmp_path / "cfg")
    save_settings(settings.with_changes(ai=replace(settings.ai, chat_model="chosen-model")))
    assert json.loads((tmp_path / "cfg" / "settings.json").read_text())["ai"]["chat_model"] == "chosen-model"


def test_legacy_file_with_password_loads_it_but_never_writes_it_back(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "settings.json").write_text(json.dumps({"database_url": "postgresql://u:old-file-pw@h/db"}))
    settings = load_settings(cfg)
    assert settings.database_url == "postgresql+psycopg://u:old-file-pw@h/db"  # still works this run
    assert not settings.database_url_from_env
    save_settings(settings)
    assert "old-file-pw" not in (cfg / "settings.json").read_text()


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://user:s3cret@host:5432/db", "postgresql://user:***@host:5432/db"),
        ("postgresql+psycopg://u:p%40ss@h/db?sslmode=require", "postgresql+psycopg://u:***@h/db?sslmode=require"),
        ("postgresql://user@host/db", "postgresql://user@host/db"),
        ("http://localhost:11434/v1", "http://localhost:11434/v1"),
        ("failed for postgres://a:b@c/d today", "failed for postgres://a:***@c/d today"),
    ],
)
def test_mask_database_url(url: str, masked: str) -> None:
    assert mask_database_url(url) == masked


def test_password_helpers_round_trip() -> None:
    url = "postgresql+psycopg://writer:p%40ss%2Fw0rd@db.example:5433/books?sslmode=require"
    assert database_url_password(url) == "p%40ss%2Fw0rd"
    bare = database_url_without_password(url)
    assert bare == "postgresql+psycopg://writer@db.example:5433/books?sslmode=require"
    assert database_url_password(bare) is None
    assert database_url_with_password(bare, "p%40ss%2Fw0rd") == url
    assert make_url(url).password == "p@ss/w0rd"  # what the driver will use
    with pytest.raises(ConfigError):
        database_url_with_password("postgresql://host/db", "pw")


def test_url_errors_never_show_the_password() -> None:
    for bad in (
        "mysql://u:hunter2-secret@h/db",
        "postgresql://u:hunter2-secret@h",
        "postgresql://u:hunter2-secret@/db",
    ):
        with pytest.raises(ConfigError) as info:
            normalize_database_url(bad)
        assert "hunter2-secret" not in str(info.value)
        assert "***" in str(info.value)


def test_env_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "cfg"
    monkeypatch.delenv("GHOSTLINE_DATABASE_URL", raising=False)
    monkeypatch.delenv("GHOSTLINE_DATA_DIR", raising=False)
    save_settings(
        load_settings(cfg).with_changes(data_dir=tmp_path / "file-data", ai=AISettings(chat_model="file-model"))
    )
    monkeypatch.setenv("GHOSTLINE_DATA_DIR", str(tmp_path / "env-data"))
    monkeypatch.setenv("GHOSTLINE_DATABASE_URL", "postgres://env@dbhost/envdb")
    monkeypatch.setenv("GHOSTLINE_CHAT_MODEL", "env-model")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    s = load_settings(cfg)
    assert s.data_dir == tmp_path / "env-data"
    assert s.database_url == "postgresql+psycopg://env@dbhost/envdb"
    assert s.ai.chat_model == "env-model"
    assert s.ai.api_key == "sk-env" and s.ai.configured


def test_config_dir_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GHOSTLINE_CONFIG_DIR", str(tmp_path / "c"))
    assert load_settings().config_dir == tmp_path / "c"


def test_bad_url_in_env_is_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GHOSTLINE_DATABASE_URL", "mysql://nope/db")
    with pytest.raises(ConfigError):
        load_settings(tmp_path)


def test_unreadable_settings_file_is_config_error(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text("{not json")
    with pytest.raises(ConfigError):
        load_settings(tmp_path)
