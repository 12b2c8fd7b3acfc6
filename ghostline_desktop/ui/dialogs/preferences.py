"""Preferences: data folder and theme, database, AI provider.

A pure form over :class:`~ghostline_desktop.config.Settings`: the main window passes the
current settings in, reads :meth:`PreferencesDialog.result_settings` after ``exec()``
and saves them. The one side effect is the API key, which goes to the system keyring on
accept (never into settings.json), because the key must not travel through any object
that gets written to disk.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop import secrets
from ghostline_desktop.config import DEFAULT_CHAT_MODEL, DEFAULT_EMBEDDING_MODEL, Settings, normalize_database_url
from ghostline_desktop.errors import ConfigError
from ghostline_desktop.ui.dialogs._common import role_label

THEME_CHOICES = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preferences"))
        self.setMinimumWidth(560)
        self._settings = settings
        self._initial_key = secrets.stored_api_key() or ""

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._general_tab(), self.tr("General"))
        self.tabs.addTab(self._database_tab(), self.tr("Database"))
        self.tabs.addTab(self._ai_tab(), self.tr("AI Provider"))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.buttons)
        self.data_dir_edit.textChanged.connect(self._validate_url)
        self._validate_url()

    # -- tabs -------------------------------------------------------------------------------

    def _general_tab(self) -> QWidget:
        page = QWidget(self)
        self.data_dir_edit = QLineEdit(str(self._settings.data_dir), page)
        self.browse_button = QPushButton(self.tr("Browse…"), page)
        self.browse_button.clicked.connect(self._browse_data_dir)
        row = QHBoxLayout()
        row.addWidget(self.data_dir_edit, 1)
        row.addWidget(self.browse_button)

        self.theme_combo = QComboBox(page)
        for value, text in THEME_CHOICES:
            self.theme_combo.addItem(self.tr(text), value)
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(self._settings.theme)))

        form = QFormLayout(page)
        form.addRow(self._buddy(self.tr("&Data folder"), self.data_dir_edit, page), row)
        hint = self.tr("Your projects, sources and the embedded database live here. A change applies on restart.")
        if os.environ.get("GHOSTLINE_DATA_DIR"):
            hint += " " + self.tr("GHOSTLINE_DATA_DIR is set in the environment and takes precedence.")
        form.addRow("", role_label(hint, "hint", page))
        form.addRow(self.tr("&Theme"), self.theme_combo)

        # One size limit for everything the library imports, checked before anything is copied.
        self.max_import_spin = QSpinBox(page)
        self.max_import_spin.setObjectName("maxImportMb")
        self.max_import_spin.setRange(1, 100_000)
        self.max_import_spin.setSuffix(self.tr(" MB"))
        self.max_import_spin.setValue(self._settings.max_import_mb)
        form.addRow(
            self._buddy(self.tr("&Largest file to import"), self.max_import_spin, page), self.max_import_spin
        )

        # Autosave keeps the working text; a revision is a checkpoint. After a pause this long,
        # the next save starts a new writing session and so becomes a revision of its own.
        self.checkpoint_spin = QSpinBox(page)
        self.checkpoint_spin.setObjectName("checkpointAfterMinutes")
        self.checkpoint_spin.setRange(1, 24 * 60)
        self.checkpoint_spin.setSuffix(self.tr(" minutes"))
        self.checkpoint_spin.setValue(self._settings.checkpoint_after_minutes)
        form.addRow(
            self._buddy(self.tr("&New revision after a pause of"), self.checkpoint_spin, page), self.checkpoint_spin
        )
        form.addRow(
            "",
            role_label(
                self.tr("Your text is saved as you type; Save Revision (Ctrl+S) makes a revision at any time."),
                "hint",
                page,
            ),
        )
        return page

    def _database_tab(self) -> QWidget:
        page = QWidget(self)
        self.embedded_radio = QRadioButton(self.tr("Built-in database (recommended)"), page)
        self.external_radio = QRadioButton(self.tr("External PostgreSQL server with pgvector"), page)
        group = QButtonGroup(page)
        group.addButton(self.embedded_radio)
        group.addButton(self.external_radio)
        self.url_edit = QLineEdit(self._settings.database_url or "", page)
        self.url_edit.setPlaceholderText("postgresql://user:password@host:5432/ghostline")
        self.url_error = role_label("", "error", page)
        self.url_error.hide()
        (self.external_radio if self._settings.database_url else self.embedded_radio).setChecked(True)

        layout = QVBoxLayout(page)
        layout.addWidget(self.embedded_radio)
        layout.addWidget(role_label(self.tr("GhostLine runs its own PostgreSQL in your data folder."), "hint", page))
        layout.addWidget(self.external_radio)
        form = QFormLayout()
        form.addRow(self.tr("Server &URL"), self.url_edit)
        form.addRow("", self.url_error)
        layout.addLayout(form)
        layout.addWidget(
            role_label(self.tr("A change of database applies the next time GhostLine starts."), "hint", page)
        )
        layout.addStretch(1)

        self.external_radio.toggled.connect(self._validate_url)
        self.url_edit.textChanged.connect(self._validate_url)
        return page

    def _ai_tab(self) -> QWidget:
        page = QWidget(self)
        ai = self._settings.ai
        self.key_edit = QLineEdit(self._initial_key, page)
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(self.tr("sk-…"))
        self.show_key_check = QCheckBox(self.tr("Show"), page)
        self.show_key_check.toggled.connect(
            lambda on: self.key_edit.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        )
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key_check)
        self.key_error = role_label("", "error", page)
        self.key_error.hide()

        self.base_url_edit = QLineEdit(ai.base_url or "", page)
        self.base_url_edit.setPlaceholderText(self.tr("Default: OpenAI. For Ollama: http://localhost:11434/v1"))
        self.chat_model_edit = QLineEdit(ai.chat_model, page)
        self.chat_model_edit.setPlaceholderText(DEFAULT_CHAT_MODEL)
        self.embedding_model_edit = QLineEdit(ai.embedding_model, page)
        self.embedding_model_edit.setPlaceholderText(DEFAULT_EMBEDDING_MODEL)

        layout = QVBoxLayout(page)
        layout.addWidget(
            role_label(
                self.tr(
                    "AI drafting and revision arrive in later versions. Without a key GhostLine works fully "
                    "offline: sources, search, outline, writing, QA rules and export."
                ),
                "hint",
                page,
            )
        )
        form = QFormLayout()
        form.addRow(self._buddy(self.tr("API &key"), self.key_edit, page), key_row)
        form.addRow("", self.key_error)
        if not secrets.keyring_available():
            self.key_edit.setEnabled(False)
            self.show_key_check.setEnabled(False)
            form.addRow("", role_label(self.tr(secrets.NO_KEYRING_MESSAGE), "hint", page))
        elif secrets.environment_api_key_set():
            form.addRow(
                "", role_label(self.tr("OPENAI_API_KEY is set in the environment and takes precedence."), "hint", page)
            )
        else:
            form.addRow("", role_label(self.tr("Stored in the system keyring, never in a file."), "hint", page))
        form.addRow(self.tr("&Base URL"), self.base_url_edit)
        form.addRow(self.tr("&Chat model"), self.chat_model_edit)
        form.addRow(self.tr("&Embedding model"), self.embedding_model_edit)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    @staticmethod
    def _buddy(text: str, widget: QWidget, parent: QWidget) -> QLabel:
        """A form label whose mnemonic focuses ``widget`` (QFormLayout only does that for widget rows)."""
        label = QLabel(text, parent)
        label.setBuddy(widget)
        return label

    # -- behaviour --------------------------------------------------------------------------

    def _browse_data_dir(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Choose Data Folder"), self.data_dir_edit.text())
        if chosen:
            self.data_dir_edit.setText(chosen)

    def _url_problem(self) -> str | None:
        if not self.external_radio.isChecked():
            return None
        try:
            normalize_database_url(self.url_edit.text())
        except ConfigError as exc:
            return str(exc)
        return None

    def _validate_url(self) -> None:
        external = self.external_radio.isChecked()
        self.url_edit.setEnabled(external)
        problem = self._url_problem()
        # An empty field is not an error to shout about while the author is still typing.
        show = problem is not None and bool(self.url_edit.text().strip())
        self.url_error.setText(problem or "")
        self.url_error.setVisible(show)
        self.url_edit.setProperty("invalid", show)
        self.url_edit.style().unpolish(self.url_edit)
        self.url_edit.style().polish(self.url_edit)
        self.ok_button.setEnabled(problem is None and bool(self.data_dir_edit.text().strip()))

    def accept(self) -> None:
        if self._url_problem() is not None:
            self.tabs.setCurrentIndex(1)
            return
        key = self.key_edit.text().strip()
        if key != self._initial_key.strip():
            try:
                secrets.set_api_key(key or None)
            except ConfigError as exc:
                self.key_error.setText(str(exc))
                self.key_error.show()
                self.tabs.setCurrentIndex(2)
                return
        super().accept()

    def result_settings(self) -> Settings:
        """The edited settings. ``ai.api_key`` is carried over unchanged (it only ever holds the
        environment's key); the key typed here lives in the keyring, read with secrets.get_api_key()."""
        url = normalize_database_url(self.url_edit.text()) if self.external_radio.isChecked() else None
        ai = replace(
            self._settings.ai,
            base_url=self.base_url_edit.text().strip() or None,
            chat_model=self.chat_model_edit.text().strip() or DEFAULT_CHAT_MODEL,
            embedding_model=self.embedding_model_edit.text().strip() or DEFAULT_EMBEDDING_MODEL,
        )
        data_dir = Path(self.data_dir_edit.text().strip()).expanduser()
        return self._settings.with_changes(
            data_dir=data_dir,
            database_url=url,
            ai=ai,
            theme=str(self.theme_combo.currentData()),
            checkpoint_after_minutes=self.checkpoint_spin.value(),
            max_import_mb=self.max_import_spin.value(),
        )
