"""The API key goes to a real keyring backend, and a missing keyring gives a clear error."""

from __future__ import annotations

from collections.abc import Iterator

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
