"""Settings: URL normalisation, file roundtrip and environment overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from ghostline_desktop.config import AISettings, load_settings, normalize_database_url, save_settings
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


def test_save_load_roundtrip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "GHOSTLINE_DATA_DIR",
        "GHOSTLINE_DATABASE_URL",
        "OPENAI_BASE_URL",
        "GHOSTLINE_CHAT_MODEL",
        "GHOSTLINE_EMBEDDING_MODEL",
        "OPENAI_API_KEY",
    ):
        monkeypatch.delenv(var, raising=False)
    cfg = tmp_path / "cfg"
    settings = load_settings(cfg).with_changes(
        data_dir=tmp_path / "data",
        database_url=normalize_database_url("postgres://u:p@h/db"),
        ai=AISettings(base_url="http://127.0.0.1:11434/v1", chat_model="llama3", api_key="sk-secret"),
        theme="dark",
        last_project_id="abc",
        recent_project_ids=("abc", "def"),
    )
    save_settings(settings)
    text = (cfg / "settings.json").read_text()
    assert "sk-secret" not in text  # the key belongs in the keyring, never in the file
    loaded = load_settings(cfg)
    assert loaded == settings  # api_key is excluded from comparison
    assert loaded.ai.api_key is None
    assert loaded.storage_dir == tmp_path / "data" / "files"
    assert not loaded.uses_embedded_database


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
