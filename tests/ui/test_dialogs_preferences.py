"""Preferences: URL validation inline; keys and database passwords land in the keyring (never settings.json,
never from the GUI thread); presets fill the form; "Test connection" lists a real server's models and says
clearly what went wrong."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from keyring.errors import PasswordSetError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from ghostline_desktop.config import SETTINGS_FILE, AISettings, Settings, load_settings, save_settings
from ghostline_desktop.ui.dialogs import preferences_ai
from ghostline_desktop.ui.dialogs.preferences import PreferencesDialog
from tests.support.openai_fixture import TEST_API_KEY
from tests.support.openai_server import OpenAITestServer
from tests.test_secrets import DictKeyring

WAIT_MS = 10_000


class RefusingKeyring(DictKeyring):
    """A keyring that is present but refuses writes (a locked wallet)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("the wallet is locked")


class ThreadRecordingKeyring(DictKeyring):
    """Records the thread of every call, and is slow, like a wallet on D-Bus."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay
        self.threads: list[str] = []

    def _note(self) -> None:
        self.threads.append(threading.current_thread().name)
        time.sleep(self.delay)

    def get_password(self, service: str, username: str) -> str | None:
        self._note()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._note()
        super().set_password(service, username, password)


@pytest.fixture
def use_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Install a given real keyring backend for one test, restoring the previous one after."""
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "GHOSTLINE_DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config")


def opened(qtbot: QtBot, settings: Settings) -> PreferencesDialog:
    dlg = PreferencesDialog(settings)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.ai_page.keyring_ok is not None, timeout=WAIT_MS)
    return dlg


def press_ok(qtbot: QtBot, dlg: PreferencesDialog) -> None:
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.saving, timeout=WAIT_MS)


def test_external_url_is_validated_inline(qtbot: QtBot, settings: Settings, use_keyring: object) -> None:
    keyring.set_keyring(DictKeyring())
    dlg = opened(qtbot, settings)
    dlg.tabs.setCurrentIndex(1)
    assert dlg.embedded_radio.isChecked() and not dlg.url_edit.isEnabled()
    dlg.external_radio.setChecked(True)
    assert dlg.url_edit.isEnabled()
    qtbot.keyClicks(dlg.url_edit, "mysql://nope")
    assert not dlg.url_error.isHidden()
    assert not dlg.ok_button.isEnabled()

    dlg.url_edit.clear()
    qtbot.keyClicks(dlg.url_edit, "postgres://me@db.example:5432/ghostline")
    assert dlg.url_error.isHidden()
    assert dlg.ok_button.isEnabled()
    assert dlg.result_settings().database_url == "postgresql+psycopg://me@db.example:5432/ghostline"

    dlg.embedded_radio.setChecked(True)
    assert dlg.result_settings().database_url is None


def test_round_trip_key_goes_to_keyring_not_settings_file(
    qtbot: QtBot, settings: Settings, use_keyring: object
) -> None:
    store = DictKeyring()
    keyring.set_keyring(store)
    dlg = opened(qtbot, settings)
    assert dlg.key_edit.echoMode() == dlg.key_edit.EchoMode.Password
    dlg.show_key_check.setChecked(True)
    assert dlg.key_edit.echoMode() == dlg.key_edit.EchoMode.Normal

    qtbot.keyClicks(dlg.key_edit, "sk-secret-value-42")
    dlg.chat_model_edit.clear()
    qtbot.keyClicks(dlg.chat_model_edit, "gpt-4o")
    dlg.theme_combo.setCurrentIndex(dlg.theme_combo.findData("dark"))
    dlg.data_dir_edit.setText(str(settings.config_dir.parent / "elsewhere"))
    press_ok(qtbot, dlg)
    assert dlg.result() == QDialog.DialogCode.Accepted

    assert store.store[("GhostLine", "openai-api-key")] == "sk-secret-value-42"
    result = dlg.result_settings()
    assert result.ai.api_key is None
    assert (result.ai.preset, result.ai.base_url, result.ai.chat_model) == ("openai", None, "gpt-4o")
    assert result.theme == "dark"
    assert result.data_dir == settings.config_dir.parent / "elsewhere"

    save_settings(result)
    raw = (settings.config_dir / SETTINGS_FILE).read_text(encoding="utf-8")
    assert "sk-secret-value-42" not in raw
    assert json.loads(raw)["ai"]["chat_model"] == "gpt-4o"
    reloaded = load_settings(settings.config_dir)
    assert (reloaded.theme, reloaded.ai.preset, reloaded.ai.chat_model) == ("dark", "openai", "gpt-4o")

    # Reopening shows the stored key; clearing it removes it from the keyring.
    again = opened(qtbot, result)
    assert again.key_edit.text() == "sk-secret-value-42"
    again.key_edit.clear()
    press_ok(qtbot, again)
    assert again.result() == QDialog.DialogCode.Accepted
    assert store.store == {}


def test_presets_fill_the_form_and_keep_one_key_each(qtbot: QtBot, settings: Settings, use_keyring: object) -> None:
    store = DictKeyring()
    store.store[("GhostLine", "openai-api-key")] = "sk-openai-stored-123456"
    keyring.set_keyring(store)
    dlg = opened(qtbot, settings)
    page = dlg.ai_page
    assert page.preset_id() == "openai" and dlg.key_edit.text() == "sk-openai-stored-123456"

    page.preset_combo.setCurrentIndex(page.preset_combo.findData("ollama"))
    assert dlg.base_url_edit.text() == "http://localhost:11434/v1"
    assert (dlg.chat_model_edit.text(), dlg.embedding_model_edit.text()) == ("llama3.1", "nomic-embed-text")
    qtbot.waitUntil(lambda: dlg.key_edit.isEnabled(), timeout=WAIT_MS)
    assert dlg.key_edit.text() == ""  # the OpenAI key is not offered to another server
    assert "no key" in page.preset_hint.text().lower()

    page.preset_combo.setCurrentIndex(page.preset_combo.findData("openrouter"))
    assert dlg.base_url_edit.text() == "https://openrouter.ai/api/v1"
    assert dlg.chat_model_edit.text() == "openai/gpt-4o-mini"
    qtbot.waitUntil(lambda: dlg.key_edit.isEnabled(), timeout=WAIT_MS)
    qtbot.keyClicks(dlg.key_edit, "sk-or-v1-typed-0123456789")

    page.preset_combo.setCurrentIndex(page.preset_combo.findData("openai"))
    assert dlg.key_edit.text() == "sk-openai-stored-123456"  # each provider keeps its own
    page.preset_combo.setCurrentIndex(page.preset_combo.findData("openrouter"))
    assert dlg.key_edit.text() == "sk-or-v1-typed-0123456789"  # typed, not yet stored, not lost

    for preset, url in (("lmstudio", "http://localhost:1234/v1"), ("llamacpp", "http://localhost:8080/v1")):
        page.preset_combo.setCurrentIndex(page.preset_combo.findData(preset))
        assert dlg.base_url_edit.text() == url
    page.preset_combo.setCurrentIndex(page.preset_combo.findData("custom"))
    dlg.base_url_edit.setText("http://gpu-box:8000/v1")
    page.preset_combo.setCurrentIndex(page.preset_combo.findData("openrouter"))
    page.timeout_spin.setValue(300)
    press_ok(qtbot, dlg)
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert store.store[("GhostLine", "api-key:openrouter")] == "sk-or-v1-typed-0123456789"
    assert store.store[("GhostLine", "openai-api-key")] == "sk-openai-stored-123456"
    ai = dlg.result_settings().ai
    assert (ai.preset, ai.base_url, ai.timeout_s) == ("openrouter", "https://openrouter.ai/api/v1", 300.0)


def test_opens_on_the_ai_tab_and_names_the_environment(
    qtbot: QtBot, settings: Settings, use_keyring: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring.set_keyring(DictKeyring())
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env-host:1234/v1")
    dlg = PreferencesDialog(settings, tab="ai")
    qtbot.addWidget(dlg)
    assert dlg.tabs.currentWidget() is dlg.ai_page
    page_text = " ".join(label.text() for label in dlg.ai_page.findChildren(type(dlg.url_error)))
    assert "OPENAI_BASE_URL is set" in page_text
    qtbot.waitUntil(lambda: dlg.ai_page.keyring_ok is not None, timeout=WAIT_MS)


def test_settings_from_before_presets_open_on_the_matching_preset(
    qtbot: QtBot, settings: Settings, use_keyring: object
) -> None:
    keyring.set_keyring(DictKeyring())
    ai = AISettings(base_url="http://127.0.0.1:11434/v1", chat_model="mistral")
    dlg = opened(qtbot, settings.with_changes(ai=ai))
    assert dlg.ai_page.preset_id() == "ollama"
    assert dlg.chat_model_edit.text() == "mistral"  # opening never overwrites the author's models


def test_a_legacy_key_for_a_hosted_server_moves_to_its_own_entry(
    qtbot: QtBot, settings: Settings, use_keyring: object
) -> None:
    """Before presets every key lived in the OpenAI entry; a gateway's key must not be lost on OK."""
    store = DictKeyring()
    store.store[("GhostLine", "openai-api-key")] = "sk-gateway-key-0123456789"
    keyring.set_keyring(store)
    dlg = opened(qtbot, settings.with_changes(ai=AISettings(base_url="https://llm.example.com/v1")))
    assert dlg.ai_page.preset_id() == "custom"
    assert dlg.key_edit.text() == "sk-gateway-key-0123456789"
    press_ok(qtbot, dlg)
    assert store.store[("GhostLine", "api-key:custom:llm.example.com")] == "sk-gateway-key-0123456789"
    assert dlg.result_settings().ai.preset == "custom"


def test_keyring_is_never_touched_on_the_gui_thread(qtbot: QtBot, settings: Settings, use_keyring: object) -> None:
    slow = ThreadRecordingKeyring(delay=0.4)
    keyring.set_keyring(slow)
    started = time.monotonic()
    dlg = PreferencesDialog(settings)
    qtbot.addWidget(dlg)
    assert time.monotonic() - started < 0.3  # the slow keyring did not hold the window up
    assert not dlg.key_edit.isEnabled()  # "Reading the keyring…"
    qtbot.waitUntil(lambda: dlg.key_edit.isEnabled(), timeout=WAIT_MS)
    qtbot.keyClicks(dlg.key_edit, "sk-typed-0123456789")
    press_ok(qtbot, dlg)
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert slow.threads and threading.main_thread().name not in slow.threads


def test_without_keyring_the_key_field_explains_the_environment(
    qtbot: QtBot, settings: Settings, use_keyring: object
) -> None:
    keyring.set_keyring(fail.Keyring())
    dlg = opened(qtbot, settings)
    assert not dlg.key_edit.isEnabled()
    page_text = " ".join(label.text() for label in dlg.ai_page.findChildren(type(dlg.url_error)))
    assert "OPENAI_API_KEY" in page_text
    press_ok(qtbot, dlg)
    assert dlg.result() == QDialog.DialogCode.Accepted  # untouched key: nothing to store, no error


def test_keyring_refusal_keeps_dialog_open_with_message(qtbot: QtBot, settings: Settings, use_keyring: object) -> None:
    keyring.set_keyring(RefusingKeyring())
    dlg = opened(qtbot, settings)
    qtbot.keyClicks(dlg.key_edit, "sk-locked")
    press_ok(qtbot, dlg)
    assert dlg.result() != QDialog.DialogCode.Accepted
    assert "refused" in dlg.key_error.text()
    assert not dlg.key_error.isHidden()
    assert dlg.tabs.currentIndex() == 2


def test_database_password_goes_to_the_keyring(qtbot: QtBot, settings: Settings, use_keyring: object) -> None:
    store = DictKeyring()
    keyring.set_keyring(store)
    dlg = opened(qtbot, settings)
    dlg.external_radio.setChecked(True)
    qtbot.keyClicks(dlg.url_edit, "postgresql://writer:db-pass-77@db.example:5432/books")
    press_ok(qtbot, dlg)
    assert dlg.result() == QDialog.DialogCode.Accepted
    result = dlg.result_settings()
    assert result.database_url == "postgresql+psycopg://writer@db.example:5432/books"
    assert store.store[("GhostLine", "database:postgresql+psycopg://writer@db.example:5432/books")] == "db-pass-77"
    save_settings(result)
    assert "db-pass-77" not in (settings.config_dir / SETTINGS_FILE).read_text()


def test_database_password_without_keyring_is_refused_on_the_database_tab(
    qtbot: QtBot, settings: Settings, use_keyring: object
) -> None:
    keyring.set_keyring(fail.Keyring())
    dlg = opened(qtbot, settings)
    dlg.external_radio.setChecked(True)
    qtbot.keyClicks(dlg.url_edit, "postgresql://writer:db-pass-77@db.example/books")
    press_ok(qtbot, dlg)
    assert dlg.result() != QDialog.DialogCode.Accepted
    assert dlg.tabs.currentIndex() == 1 and "pgpass" in dlg.url_error.text()


def test_database_url_from_the_environment_is_masked_and_kept(
    qtbot: QtBot, tmp_path: Path, use_keyring: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring.set_keyring(DictKeyring())
    monkeypatch.setenv("GHOSTLINE_DATABASE_URL", "postgresql://envuser:env-pass-99@envhost/envdb")
    settings = load_settings(tmp_path / "cfg")
    dlg = opened(qtbot, settings)
    assert "env-pass-99" not in dlg.url_edit.text() and "***" in dlg.url_edit.text()
    assert not dlg.url_edit.isEnabled() and not dlg.embedded_radio.isEnabled()
    press_ok(qtbot, dlg)
    result = dlg.result_settings()
    assert result.database_url == settings.database_url  # used as given…
    save_settings(result)
    text = (tmp_path / "cfg" / SETTINGS_FILE).read_text()
    assert "env-pass-99" not in text and "envhost" not in text  # …and never saved


def test_the_import_size_limit_is_edited_in_preferences(qtbot: QtBot, settings: Settings) -> None:
    assert settings.max_import_mb == 500  # the default
    dlg = PreferencesDialog(settings.with_changes(max_import_mb=80))
    qtbot.addWidget(dlg)
    assert dlg.max_import_spin.value() == 80
    dlg.max_import_spin.setValue(1200)
    changed = dlg.result_settings()
    assert changed.max_import_mb == 1200 and changed.max_import_bytes == 1200 * 1024 * 1024
    save_settings(changed)
    assert load_settings(settings.config_dir).max_import_mb == 1200


# ---- Test connection, against the real test server, on the service loop ---------------------------------------
def test_connection_lists_the_servers_models(
    qtbot: QtBot, settings: Settings, use_keyring: object, ui_ops: None, openai_server: OpenAITestServer
) -> None:
    keyring.set_keyring(DictKeyring())
    openai_server.models = ["llama3.1", "mistral", "nomic-embed-text"]
    dlg = opened(qtbot, settings)
    page = dlg.ai_page
    page.preset_combo.setCurrentIndex(page.preset_combo.findData("custom"))
    dlg.base_url_edit.setText(openai_server.base_url)
    dlg.chat_model_edit.setText("llama3.1")
    with qtbot.waitSignal(page.testFinished, timeout=WAIT_MS) as signal:
        qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
        assert not page.test_button.isEnabled()
    assert signal.args == [True]
    assert page.test_button.isEnabled()
    assert page.models == ["llama3.1", "mistral", "nomic-embed-text"]
    text = page.test_result.text()
    assert "3 models" in text and "mistral" in text and "does not list" not in text
    assert page.test_result.property("role") == "hint"
    completer = dlg.chat_model_edit.completer()
    assert completer is not None and completer.model().rowCount() == 3
    assert openai_server.requests_to("models")


def test_connection_errors_are_clear_and_never_show_the_key(
    qtbot: QtBot, settings: Settings, use_keyring: object, ui_ops: None, openai_server: OpenAITestServer
) -> None:
    keyring.set_keyring(DictKeyring())
    openai_server.require_api_key = TEST_API_KEY
    dlg = opened(qtbot, settings)
    page = dlg.ai_page
    page.preset_combo.setCurrentIndex(page.preset_combo.findData("custom"))
    dlg.base_url_edit.setText(openai_server.base_url)
    qtbot.waitUntil(lambda: dlg.key_edit.isEnabled(), timeout=WAIT_MS)
    wrong = "sk-wrong-key-abcdefghijklmnop"
    dlg.key_edit.setText(wrong)
    with qtbot.waitSignal(page.testFinished, timeout=WAIT_MS) as signal:
        page.test_connection()
    assert signal.args == [False]
    text = page.test_result.text()
    assert "API key refused" in text and wrong not in text and "abcdefghijklmnop" not in text
    assert page.test_result.property("role") == "error"

    dlg.key_edit.setText(TEST_API_KEY)  # the right key, typed but not saved: the test uses it
    with qtbot.waitSignal(page.testFinished, timeout=WAIT_MS) as signal:
        page.test_connection()
    assert signal.args == [True]
    dlg.chat_model_edit.setText("not-there")
    with qtbot.waitSignal(page.testFinished, timeout=WAIT_MS):
        page.test_connection()
    assert "does not list the chat model “not-there”" in page.test_result.text()


def test_connection_to_nothing_or_a_hanging_server(
    qtbot: QtBot,
    settings: Settings,
    use_keyring: object,
    ui_ops: None,
    openai_server: OpenAITestServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keyring.set_keyring(DictKeyring())
    monkeypatch.setattr(preferences_ai, "TEST_TIMEOUT_S", 1.0)
    dlg = opened(qtbot, settings)
    page = dlg.ai_page
    page.preset_combo.setCurrentIndex(page.preset_combo.findData("custom"))
    dlg.base_url_edit.setText("http://127.0.0.1:9/v1")  # nothing listens there
    with qtbot.waitSignal(page.testFinished, timeout=WAIT_MS) as signal:
        page.test_connection()
    assert signal.args == [False] and "could not be reached" in page.test_result.text()

    openai_server.fail("models", "hang", times=3, hang_seconds=10)
    dlg.base_url_edit.setText(openai_server.base_url)
    started = time.monotonic()
    with qtbot.waitSignal(page.testFinished, timeout=WAIT_MS) as signal:
        page.test_connection()
    assert signal.args == [False] and "in time" in page.test_result.text()
    assert time.monotonic() - started < 5.0


def test_connection_with_nothing_configured_says_what_to_do(
    qtbot: QtBot, settings: Settings, use_keyring: object, ui_ops: None
) -> None:
    keyring.set_keyring(DictKeyring())
    dlg = opened(qtbot, settings)
    with qtbot.waitSignal(dlg.ai_page.testFinished, timeout=WAIT_MS) as signal:
        dlg.ai_page.test_connection()
    assert signal.args == [False] and "Enter an API key" in dlg.ai_page.test_result.text()
