"""Keys and database passwords go to a real keyring backend (one key per provider), a missing keyring
gives a clear error, and logs never show a secret."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError

from ghostline_desktop import secrets
from ghostline_desktop.errors import ConfigError


class DictKeyring(KeyringBackend):
    """A real keyring backend that keeps passwords in a dict, for tests."""

    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise PasswordDeleteError("not found")
        del self.store[(service, username)]


@pytest.fixture
def dict_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[DictKeyring]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    previous = keyring.get_keyring()
    backend = DictKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def fail_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_round_trip_through_keyring(dict_keyring: DictKeyring) -> None:
    assert secrets.get_api_key() is None
    secrets.set_api_key("  sk-test-123  ")
    assert dict_keyring.store[("GhostLine", "openai-api-key")] == "sk-test-123"
    assert secrets.get_api_key() == "sk-test-123"
    assert secrets.keyring_available()


def test_clearing_removes_the_key(dict_keyring: DictKeyring) -> None:
    secrets.set_api_key("sk-abc")
    secrets.set_api_key(None)
    assert dict_keyring.store == {}
    assert secrets.get_api_key() is None
    secrets.set_api_key("")  # removing twice is fine
    assert secrets.get_api_key() is None


def test_environment_wins(dict_keyring: DictKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets.set_api_key("sk-from-keyring")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    assert secrets.get_api_key() == "sk-from-env"


def test_fail_backend_reads_none_and_refuses_to_store(fail_keyring: None, tmp_path: object) -> None:
    assert secrets.get_api_key() is None
    assert not secrets.keyring_available()
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        secrets.set_api_key("sk-nowhere")


def test_fail_backend_still_honours_environment(fail_keyring: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-only")
    assert secrets.get_api_key() == "sk-env-only"


def test_stored_key_ignores_environment(dict_keyring: DictKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets.set_api_key("sk-stored")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    assert secrets.stored_api_key() == "sk-stored"
    assert secrets.environment_api_key_set()


def test_one_key_per_provider(dict_keyring: DictKeyring) -> None:
    """Switching presets never sends the OpenAI key to another server."""
    assert secrets.key_account(None) == secrets.key_account("openai") == "openai-api-key"  # settings before presets
    assert secrets.key_account("openrouter") == "api-key:openrouter"
    assert secrets.key_account("custom", "https://LLM.example.com:8443/v1") == "api-key:custom:llm.example.com:8443"
    assert secrets.key_account("custom", None) == "api-key:custom"
    secrets.set_api_key("sk-openai-0123456789")
    secrets.set_api_key("sk-or-v1-abcdefghij", secrets.key_account("openrouter"))
    assert secrets.stored_api_key() == "sk-openai-0123456789"
    assert secrets.stored_api_key(secrets.key_account("openrouter")) == "sk-or-v1-abcdefghij"
    assert secrets.stored_api_key(secrets.key_account("ollama")) is None
    secrets.set_api_key(None, secrets.key_account("openrouter"))
    assert secrets.stored_api_key() == "sk-openai-0123456789"


def test_database_password_goes_to_the_keyring(dict_keyring: DictKeyring) -> None:
    url = "postgresql+psycopg://writer:db-s3cret%21@dbhost:5433/books"
    bare = secrets.store_database_password(url)
    assert bare == "postgresql+psycopg://writer@dbhost:5433/books"
    assert dict_keyring.store == {("GhostLine", "database:" + bare): "db-s3cret%21"}
    assert secrets.resolve_database_url(bare) == url
    # Another user or database on the same server has its own entry.
    assert secrets.resolve_database_url("postgresql+psycopg://reader@dbhost:5433/books").endswith(
        "reader@dbhost:5433/books"
    )
    assert secrets.store_database_password(bare) == bare  # no password typed: nothing changes
    assert secrets.resolve_database_url(bare) == url
    secrets.forget_database_password(bare)
    assert secrets.resolve_database_url(bare) == bare  # libpq then asks ~/.pgpass


def test_resolve_keeps_a_typed_password_only_when_asked(dict_keyring: DictKeyring) -> None:
    url = "postgresql+psycopg://u:legacy-pw@h/db"
    assert secrets.resolve_database_url(url) == url
    assert dict_keyring.store == {}  # an environment URL is never copied into the keyring
    assert secrets.resolve_database_url(url, keep=True) == url
    assert dict_keyring.store == {("GhostLine", "database:postgresql+psycopg://u@h/db"): "legacy-pw"}


def test_database_password_without_keyring_explains_pgpass(fail_keyring: None) -> None:
    with pytest.raises(ConfigError, match="pgpass"):
        secrets.store_database_password("postgresql://u:pw@h/db")
    assert secrets.resolve_database_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert secrets.resolve_database_url("postgresql://u:pw@h/db", keep=True) == "postgresql://u:pw@h/db"


def test_redact_masks_remembered_secrets_keys_and_url_passwords() -> None:
    secrets.remember_secret("local-token-zz9")
    text = (
        "key sk-proj-abcdefghijklmnop failed; token local-token-zz9; "
        "url postgresql+psycopg://u:pw-in-url@h/db; plain words stay"
    )
    cleaned = secrets.redact(text)
    for secret in ("abcdefghijklmnop", "local-token-zz9", "pw-in-url"):
        assert secret not in cleaned
    assert "plain words stay" in cleaned and "postgresql+psycopg://u:***@h/db" in cleaned
    secrets.remember_secret("ab")  # too short to mask without mangling ordinary text
    assert secrets.redact("ab cab") == "ab cab"


def test_log_records_are_redacted_for_every_handler(dict_keyring: DictKeyring, tmp_path: Path) -> None:
    secrets.install_log_redaction()
    secrets.install_log_redaction()  # idempotent
    secrets.set_api_key("sk-logged-0123456789xyz", secrets.key_account("openrouter"))  # remembered when stored
    path = tmp_path / "test.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    logger = logging.getLogger("ghostline_desktop.test_secrets")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("calling with %s at %s", "sk-logged-0123456789xyz", "postgresql://u:log-db-pw@h/db")
        try:
            raise RuntimeError("server echoed sk-logged-0123456789xyz")
        except RuntimeError:
            logger.exception("failed: %s", "postgresql://u:log-db-pw@h/db")
    finally:
        logger.removeHandler(handler)
        handler.close()
    text = path.read_text()
    assert "sk-logged-0123456789xyz" not in text and "log-db-pw" not in text
    assert "RuntimeError: server echoed ***" in text
