"""Preferences ▸ AI Provider: a preset chooser, the server's address, model names, the API key, and
"Test connection", which lists the server's models.

Nothing here blocks the GUI thread: the keyring (which can stall on D-Bus or a locked wallet)
and the provider are only touched through :func:`run_off_gui` — a ``QueryOp`` on the service
loop when the app's services run, else a worker thread (the dialog also works before the
database is up, and in tests without a service loop).

Keys are per provider (``secrets.key_account``): the field shows the selected provider's key,
and switching presets keeps what was typed for each until OK writes them all to the keyring.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop import secrets
from ghostline_desktop.ai.presets import OPENAI_BASE_URL, PRESETS, get_preset, guess_preset
from ghostline_desktop.config import AISettings
from ghostline_desktop.errors import GhostlineError
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.dialogs._common import role_label

#: "Test connection" answers within this long even when the server hangs (one retry at most).
TEST_TIMEOUT_S = 15.0
#: How many model names the result line spells out (the completer offers them all).
SHOWN_MODELS = 8


class _Relay(QObject):
    """Carries a worker thread's result back to the GUI thread (a queued signal)."""

    done = Signal(object, object)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.done.connect(lambda callback, value: callback(value))


def run_off_gui(
    parent: QWidget,
    *,
    work: Callable[[], Any] | None = None,
    coro: Callable[[], Coroutine[Any, Any, Any]] | None = None,
    success: Callable[[Any], object],
    failure: Callable[[BaseException], object],
    name: str | None = None,
    timeout: float = 30.0,
) -> None:
    """Run blocking ``work`` or async ``coro`` away from the GUI thread; answer on the GUI thread."""
    if ops.installed():

        async def run() -> Any:
            return await coro() if coro is not None else await asyncio.to_thread(work)  # type: ignore[arg-type]

        op = ops.QueryOp(parent, run).success(success).failure(failure).with_timeout(timeout)
        if name:
            op = op.named(name)
        if op.run() is not None:
            return
    relay = _Relay(parent)

    def thread_main() -> None:
        try:
            value: Any = asyncio.run(coro()) if coro is not None else work()  # type: ignore[misc]
        except BaseException as exc:
            outcome: tuple[Callable[[Any], object], Any] = (failure, exc)
        else:
            outcome = (success, value)
        with contextlib.suppress(RuntimeError):  # the dialog closed meanwhile: nobody to tell
            relay.done.emit(*outcome)

    threading.Thread(target=thread_main, name=f"prefs-{name or 'work'}", daemon=True).start()


async def list_server_models(ai: AISettings, typed_key: str | None) -> tuple[str, list[str]]:
    """(the server's label, its model ids) for the settings in the form; raises ProviderError."""
    from ghostline_desktop.ai.provider import Provider, config_from_settings
    from ghostline_desktop.errors import ProviderNotConfigured

    ai = replace(ai, api_key=typed_key or ai.api_key)
    # The keyring may block: in a thread, not on the loop that serves everyone else.
    config = await asyncio.to_thread(config_from_settings, ai, stored_key="keyring" if not typed_key else None)
    if config is None:
        raise ProviderNotConfigured("Enter an API key, or choose a local server, then test again.")
    config = replace(config, timeout=min(config.timeout, TEST_TIMEOUT_S / 2), max_retries=1, backoff_cap=1.0)
    async with Provider(config) as provider:
        return config.label, await provider.list_models()


class AIProviderPage(QWidget):
    """The AI Provider tab. ``ai_settings()`` and ``key_writes()`` give what OK should keep."""

    keysLoaded = Signal()  # the keyring's answer arrived (tests wait on it)
    testFinished = Signal(bool)  # "Test connection" answered: True when models were listed

    def __init__(self, ai: AISettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ai = ai
        self._loaded: dict[str, str] = {}  # account → key as the keyring holds it
        self._typed: dict[str, str] = {}  # account → what the author typed for it
        self._account: str | None = None  # the account the key field shows now
        self.keyring_ok: bool | None = None  # None until the keyring answered
        self.models: list[str] = []

        self.preset_combo = QComboBox(self)
        self.preset_combo.setObjectName("aiPreset")
        for preset in PRESETS:
            self.preset_combo.addItem(self.tr(preset.label), preset.id)
        self.preset_hint = role_label("", "hint", self)
        self.base_url_edit = QLineEdit(ai.base_url or "", self)
        self.base_url_edit.setObjectName("aiBaseUrl")
        self.key_edit = QLineEdit(self)
        self.key_edit.setObjectName("aiKey")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setEnabled(False)  # until the keyring has answered
        self.key_edit.setPlaceholderText(self.tr("Reading the keyring…"))
        self.show_key_check = QCheckBox(self.tr("Show"), self)
        self.show_key_check.toggled.connect(
            lambda on: self.key_edit.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        )
        self.key_hint = role_label("", "hint", self)
        self.key_error = role_label("", "error", self)
        self.key_error.hide()
        self.chat_model_edit = QLineEdit(ai.chat_model, self)
        self.embedding_model_edit = QLineEdit(ai.embedding_model, self)
        self.transcription_model_edit = QLineEdit(ai.transcription_model, self)
        self._completers: list[QCompleter] = []
        self.timeout_spin = QDoubleSpinBox(self)
        self.timeout_spin.setObjectName("aiTimeout")
        self.timeout_spin.setRange(5, 3600)
        self.timeout_spin.setDecimals(0)
        self.timeout_spin.setSuffix(self.tr(" s"))
        self.timeout_spin.setValue(ai.timeout_s)
        self.test_button = QPushButton(self.tr("&Test connection"), self)
        self.test_button.setObjectName("aiTestConnection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = role_label("", "hint", self)
        self.test_result.setObjectName("aiTestResult")
        self.test_result.hide()

        self._build_layout()
        preset_id = ai.preset or guess_preset(ai.base_url)
        self.preset_combo.setCurrentIndex(max(0, self.preset_combo.findData(preset_id)))
        self._show_preset_hint()
        if not ai.base_url:
            self.base_url_edit.setText(get_preset(preset_id).base_url if preset_id != "openai" else "")
        # Connected after the initial values, so opening the dialog never overwrites the author's models.
        self.preset_combo.currentIndexChanged.connect(self._preset_changed)
        self._initial_account = self._current_account()
        self._load_keys(self._initial_account)

    def _build_layout(self) -> None:
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key_check)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        form = QFormLayout()
        form.addRow(self._buddy(self.tr("&Provider"), self.preset_combo), self.preset_combo)
        form.addRow("", self.preset_hint)
        form.addRow(self._buddy(self.tr("Server &address"), self.base_url_edit), self.base_url_edit)
        if os.environ.get("OPENAI_BASE_URL", "").strip():
            env_hint = "OPENAI_BASE_URL is set in the environment and takes precedence; it is never saved."
            form.addRow("", role_label(self.tr(env_hint), "hint", self))
        form.addRow(self._buddy(self.tr("API &key"), self.key_edit), key_row)
        form.addRow("", self.key_hint)
        form.addRow("", self.key_error)
        form.addRow(self._buddy(self.tr("&Chat model"), self.chat_model_edit), self.chat_model_edit)
        form.addRow(self._buddy(self.tr("&Embedding model"), self.embedding_model_edit), self.embedding_model_edit)
        form.addRow(
            self._buddy(self.tr("T&ranscription model"), self.transcription_model_edit), self.transcription_model_edit
        )
        form.addRow(self._buddy(self.tr("&Wait for an answer up to"), self.timeout_spin), self.timeout_spin)
        form.addRow("", test_row)
        form.addRow("", self.test_result)
        layout = QVBoxLayout(self)
        layout.addWidget(
            role_label(
                self.tr(
                    "Without a provider GhostLine works fully offline: sources, search, outline, writing, "
                    "QA rules and export. AI drafting, revision and feedback need one."
                ),
                "hint",
                self,
            )
        )
        layout.addLayout(form)
        layout.addStretch(1)

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(widget)
        return label

    # -- presets ----------------------------------------------------------------------------
    def preset_id(self) -> str:
        return str(self.preset_combo.currentData())

    def _show_preset_hint(self) -> None:
        preset = get_preset(self.preset_id())
        self.preset_hint.setText(self.tr(preset.hint))
        self.base_url_edit.setPlaceholderText(
            OPENAI_BASE_URL if preset.id == "openai" else preset.base_url or "https://my-server.example/v1"
        )

    def _preset_changed(self) -> None:
        self._stash_typed_key()
        preset = get_preset(self.preset_id())
        self.base_url_edit.setText("" if preset.id == "openai" else preset.base_url)
        self.chat_model_edit.setText(preset.chat_model)
        self.embedding_model_edit.setText(preset.embedding_model)
        self.transcription_model_edit.setText(preset.transcription_model)
        self._show_preset_hint()
        self.test_result.hide()
        self._set_models([])
        self._show_key(self._current_account())

    # -- keys -------------------------------------------------------------------------------
    def _current_account(self) -> str:
        return secrets.key_account(self.preset_id(), self.base_url_edit.text().strip() or None)

    def _stash_typed_key(self) -> None:
        if self._account is not None and self.key_edit.isEnabled():
            self._typed[self._account] = self.key_edit.text().strip()

    def _load_keys(self, account: str) -> None:
        # Settings from before presets kept every key in the OpenAI entry. A hosted server's key
        # (a gateway, OpenRouter) moves to its own entry on OK; a local server never needs one.
        carry_legacy = (
            self._ai.preset is None
            and account == self._initial_account
            and self.preset_id() in ("custom", "openrouter")
        )

        def read() -> tuple[bool, str, str]:
            if not secrets.keyring_available():
                return False, "", ""
            key = secrets.stored_api_key(account) or ""
            legacy = (secrets.stored_api_key(secrets.USERNAME) or "") if carry_legacy and not key else ""
            return True, key, legacy

        def loaded(result: tuple[bool, str, str]) -> None:
            self.keyring_ok, key, legacy = result
            self._loaded[account] = key
            if legacy and account not in self._typed:
                self._typed[account] = legacy
            self._show_key(self._current_account())
            self.keysLoaded.emit()

        def failed(exc: BaseException) -> None:
            self.keyring_ok = False
            self._show_key(self._current_account())
            self.keysLoaded.emit()

        run_off_gui(self, work=read, success=loaded, failure=failed, name="prefs.keyring", timeout=30.0)

    def _show_key(self, account: str) -> None:
        """Put ``account``'s key in the field (reading the keyring first if it was never read)."""
        if self.keyring_ok is None:
            return  # the first answer will call us again
        if self.keyring_ok and account not in self._loaded and account not in self._typed:
            self.key_edit.setEnabled(False)
            self.key_edit.setPlaceholderText(self.tr("Reading the keyring…"))
            self._load_keys(account)
            return
        self._account = account
        self.key_edit.setText(self._typed.get(account, self._loaded.get(account, "")))
        self.key_edit.setEnabled(bool(self.keyring_ok))
        self.show_key_check.setEnabled(bool(self.keyring_ok))
        preset = get_preset(self.preset_id())
        self.key_edit.setPlaceholderText(self.tr("sk-…") if preset.needs_key else self.tr("Not needed"))
        if not self.keyring_ok:
            hint = secrets.NO_KEYRING_MESSAGE
        elif secrets.environment_api_key_set():
            hint = "OPENAI_API_KEY is set in the environment and takes precedence."
        else:
            hint = "Stored in the system keyring, never in a file; one key per provider."
        self.key_hint.setText(self.tr(hint))

    def key_writes(self) -> dict[str, str | None]:
        """Keyring changes OK must make: account → new key (None removes it)."""
        self._stash_typed_key()
        writes: dict[str, str | None] = {}
        for account, typed in self._typed.items():
            if typed != self._loaded.get(account, ""):
                writes[account] = typed or None
        return writes

    def show_key_error(self, message: str) -> None:
        self.key_error.setText(message)
        self.key_error.setVisible(bool(message))

    # -- result -----------------------------------------------------------------------------
    def ai_settings(self) -> AISettings:
        """The form's settings. ``api_key`` stays as it was (only the environment's ever is there)."""
        preset = get_preset(self.preset_id())
        url = self.base_url_edit.text().strip() or None
        if preset.id == "openai" and url and url.rstrip("/") == OPENAI_BASE_URL:
            url = None  # OpenAI's own address: leave it to the default
        return replace(
            self._ai,
            preset=preset.id,
            base_url=url,
            chat_model=self.chat_model_edit.text().strip() or preset.chat_model,
            embedding_model=self.embedding_model_edit.text().strip() or preset.embedding_model,
            transcription_model=self.transcription_model_edit.text().strip() or preset.transcription_model,
            timeout_s=float(self.timeout_spin.value()),
        )

    # -- test connection --------------------------------------------------------------------
    def test_connection(self) -> None:
        ai = self.ai_settings()
        typed = self.key_edit.text().strip() if self.key_edit.isEnabled() else ""
        self.test_button.setEnabled(False)
        self.test_result.setProperty("role", "hint")
        self.test_result.setText(self.tr("Connecting…"))
        self.test_result.show()
        run_off_gui(
            self,
            coro=lambda: list_server_models(ai, typed or None),
            success=self._test_succeeded,
            failure=self._test_failed,
            name="prefs.test_connection",
            timeout=TEST_TIMEOUT_S + 5,
        )

    def _test_succeeded(self, result: tuple[str, list[str]]) -> None:
        label, models = result
        self._set_models(models)
        self.test_button.setEnabled(True)
        if not models:
            text = self.tr("Connected to {0}, but it offers no models. Load or pull one first.").format(label)
        else:
            shown = ", ".join(models[:SHOWN_MODELS]) + (" …" if len(models) > SHOWN_MODELS else "")
            text = self.tr("Connected to {0}: {1} models — {2}").format(label, len(models), shown)
            chat = self.chat_model_edit.text().strip()
            if chat and chat not in models and self.preset_id() != "llamacpp":
                text += "\n" + self.tr("It does not list the chat model “{0}”.").format(chat)
        self._show_result(text, "hint")
        self.testFinished.emit(True)

    def _test_failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        if isinstance(exc, GhostlineError):
            text = f"{exc.title}: {exc}"
        else:
            text = self.tr("The test failed unexpectedly ({0}).").format(type(exc).__name__)
        self._show_result(secrets.redact(text), "error")
        self.testFinished.emit(False)

    def _show_result(self, text: str, role: str) -> None:
        self.test_result.setText(text)
        self.test_result.setProperty("role", role)
        self.test_result.style().unpolish(self.test_result)
        self.test_result.style().polish(self.test_result)
        self.test_result.show()

    def _set_models(self, models: list[str]) -> None:
        """Offer the server's models as completions in the three model fields."""
        self.models = list(models)
        for edit in (self.chat_model_edit, self.embedding_model_edit, self.transcription_model_edit):
            completer = QCompleter(self.models, edit)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            edit.setCompleter(completer)
