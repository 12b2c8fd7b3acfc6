"""Preferences: URL validation inline, and a round trip where the key lands in the keyring, not settings.json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from keyring.errors import PasswordSetError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from ghostline_desktop.config import SETTINGS_FILE, Settings, load_settings, save_settings
from ghostline_desktop.ui.dialogs.preferences import PreferencesDialog
from tests.test_secrets import DictKeyring


class RefusingKeyring(DictKeyring):
    """A keyring that is present but refuses writes (a locked wallet)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("the wallet is locked")


@pytest.fixture
def use_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Install a given real keyring backend for one test, restoring the previous one after."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config")


def test_external_url_is_validated_inline(qtbot: QtBot, settings: Settings, use_keyring: object) -> None:
    keyring.set_keyring(DictKeyring())
    dlg = PreferencesDialog(settings)
    qtbot.addWidget(dlg)
    assert dlg.embedded_radio.isChecked()
    assert not dlg.url_edit.isEnabled()
    assert dlg.ok_button.isEnabled()

    dlg.external_radio.setChecked(True)
    assert dlg.url_edit.isEnabled()
    assert not dlg.ok_button.isEnabled()  # external with no URL yet
    assert dlg.url_error.isHidden()  # ...but no shouting before anything was typed

    qtbot.keyClicks(dlg.url_edit, "mysql://db/x")
    assert not dlg.url_error.isHidden()
    assert "not a PostgreSQL URL" in dlg.url_error.text()
    assert not dlg.ok_button.isEnabled()

    dlg.url_edit.clear()
    qtbot.keyClicks(dlg.url_edit, "postgres://me:pw@db.example:5432/ghostline")
    assert dlg.url_error.isHidden()
    assert dlg.ok_button.isEnabled()
    assert dlg.result_settings().database_url == "postgresql+psycopg://me:pw@db.example:5432/ghostline"

    dlg.embedded_radio.setChecked(True)
    assert dlg.result_settings().database_url is None


def test_round_trip_key_goes_to_keyring_not_settings_file(
    qtbot: QtBot, settings: Settings, use_keyring: object
) -> None:
    store = DictKeyring()
    keyring.set_keyring(store)
    dlg = PreferencesDialog(settings)
    qtbot.addWidget(dlg)
    assert dlg.key_edit.echoMode() == dlg.key_edit.EchoMode.Password
    dlg.show_key_check.setChecked(True)
    assert dlg.key_edit.echoMode() == dlg.key_edit.EchoMode.Normal

    qtbot.keyClicks(dlg.key_edit, "sk-secret-value-42")
    qtbot.keyClicks(dlg.base_url_edit, "http://localhost:11434/v1")
    dlg.chat_model_edit.clear()
    qtbot.keyClicks(dlg.chat_model_edit, "llama3.1")
    dlg.theme_combo.setCurrentIndex(dlg.theme_combo.findData("dark"))
    dlg.data_dir_edit.setText(str(settings.config_dir.parent / "elsewhere"))
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    assert dlg.result() == QDialog.DialogCode.Accepted

    assert store.store[("GhostLine", "openai-api-key")] == "sk-secret-value-42"
    result = dlg.result_settings()
    assert result.ai.api_key is None
    assert result.ai.base_url == "http://localhost:11434/v1"
    assert result.ai.chat_model == "llama3.1"
    assert result.theme == "dark"
    assert result.data_dir == settings.config_dir.parent / "elsewhere"

    save_settings(result)
    raw = (settings.config_dir / SETTINGS_FILE).read_text(encoding="utf-8")
    assert "sk-secret-value-42" not in raw
    assert json.loads(raw)["ai"]["chat_model"] == "llama3.1"
    reloaded = load_settings(settings.config_dir)
    assert (reloaded.theme, reloaded.ai.base_url, reloaded.ai.chat_model) == ("dark", result.ai.base_url, "llama3.1")

    # Reopening shows the stored key; clearing it removes it from the keyring.
    again = PreferencesDialog(result)
    qtbot.addWidget(again)
    assert again.key_edit.text() == "sk-secret-value-42"
    again.key_edit.clear()
    qtbot.mouseClick(again.ok_button, Qt.MouseButton.LeftButton)
    assert store.store == {}


def test_without_keyring_the_key_field_explains_the_environment(
    qtbot: QtBot, settings: Settings, use_keyring: object
) -> None:
    keyring.set_keyring(fail.Keyring())
    dlg = PreferencesDialog(settings)
    qtbot.addWidget(dlg)
    assert not dlg.key_edit.isEnabled()
    page_text = " ".join(label.text() for label in dlg.tabs.widget(2).findChildren(type(dlg.url_error)))
    assert "OPENAI_API_KEY" in page_text
    assert "later versions" in page_text
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    assert dlg.result() == QDialog.DialogCode.Accepted  # untouched key: nothing to store, no error


def test_keyring_refusal_keeps_dialog_open_with_message(qtbot: QtBot, settings: Settings, use_keyring: object) -> None:
    keyring.set_keyring(RefusingKeyring())
    dlg = PreferencesDialog(settings)
    qtbot.addWidget(dlg)
    qtbot.keyClicks(dlg.key_edit, "sk-locked")
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    assert dlg.result() != QDialog.DialogCode.Accepted
    assert "refused" in dlg.key_error.text()
    assert not dlg.key_error.isHidden()
    assert dlg.tabs.currentIndex() == 2


def test_the_import_size_limit_is_edited_in_preferences(qtbot: QtBot, settings: Settings) -> None:
    from ghostline_desktop.config import load_settings, save_settings

    assert settings.max_import_mb == 500  # the default
    dlg = PreferencesDialog(settings.with_changes(max_import_mb=80))
    qtbot.addWidget(dlg)
    assert dlg.max_import_spin.value() == 80
    dlg.max_import_spin.setValue(1200)
    changed = dlg.result_settings()
    assert changed.max_import_mb == 1200 and changed.max_import_bytes == 1200 * 1024 * 1024
    save_settings(changed)
    assert load_settings(settings.config_dir).max_import_mb == 1200
