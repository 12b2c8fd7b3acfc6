"""Preferences: data folder and theme, database, AI provider (``preferences_ai.py``).

A form over :class:`~ghostline_desktop.config.Settings`: the main window passes the current
settings in, reads :meth:`PreferencesDialog.result_settings` after ``exec()`` and saves them.
The side effects are the secrets, which go to the system keyring on OK (never into
settings.json, never through an object that gets written to disk): the API keys, and the
password of an external database's URL (the URL is kept without it). Keyring calls run off
the GUI thread; OK closes the dialog once they are done, or shows why they failed.

A database URL from ``GHOSTLINE_DATABASE_URL`` is shown masked and cannot be edited here: it
is the environment's, used as given and never saved.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
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
from ghostline_desktop.config import Settings, mask_database_url, normalize_database_url
from ghostline_desktop.errors import ConfigError
from ghostline_desktop.ui.dialogs._common import role_label
from ghostline_desktop.ui.dialogs.preferences_ai import AIProviderPage, run_off_gui

THEME_CHOICES = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))


#: Tab names for ``PreferencesDialog(..., tab=…)`` (the Generate menu opens it on "ai" when offline).
TABS = ("general", "database", "ai")


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None, *, tab: str = "general") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preferences"))
        self.setMinimumWidth(560)
        self._settings = settings
        self._stored_database_url: str | None = None  # the URL without its password, once the keyring has it
        self.saving = False  # OK pressed, secrets being written

        self.ai_page = AIProviderPage(settings.ai, self)
        # The AI page's widgets, under the names the rest of the app and the tests know.
        self.key_edit = self.ai_page.key_edit
        self.show_key_check = self.ai_page.show_key_check
        self.key_error = self.ai_page.key_error
        self.base_url_edit = self.ai_page.base_url_edit
        self.chat_model_edit = self.ai_page.chat_model_edit
        self.embedding_model_edit = self.ai_page.embedding_model_edit

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._general_tab(), self.tr("General"))
        self.tabs.addTab(self._database_tab(), self.tr("Database"))
        self.tabs.addTab(self.ai_page, self.tr("AI Provider"))
        self.tabs.setCurrentIndex(TABS.index(tab) if tab in TABS else 0)

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
        form.addRow(self._buddy(self.tr("&Largest file to import"), self.max_import_spin, page), self.max_import_spin)

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
        self.url_from_env = self._settings.database_url_from_env
        shown_url = self._settings.database_url or ""
        self.url_edit = QLineEdit(mask_database_url(shown_url) if self.url_from_env else shown_url, page)
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
        if self.url_from_env:
            env_hint = "GHOSTLINE_DATABASE_URL is set in the environment and takes precedence; it is never saved."
            form.addRow("", role_label(self.tr(env_hint), "hint", page))
            for widget in (self.embedded_radio, self.external_radio):
                widget.setEnabled(False)
        else:
            pw_hint = "A password in the URL is kept in the system keyring, not in the settings file."
            form.addRow("", role_label(self.tr(pw_hint), "hint", page))
        layout.addLayout(form)
        layout.addWidget(
            role_label(self.tr("A change of database applies the next time GhostLine starts."), "hint", page)
        )
        layout.addStretch(1)

        self.external_radio.toggled.connect(self._validate_url)
        self.url_edit.textChanged.connect(self._validate_url)
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
        if not self.external_radio.isChecked() or self.url_from_env:
            return None
        try:
            normalize_database_url(self.url_edit.text())
        except ConfigError as exc:
            return str(exc)
        return None

    def _validate_url(self) -> None:
        external = self.external_radio.isChecked()
        self.url_edit.setEnabled(external and not self.url_from_env)
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
        """Write the secrets (off the GUI thread), then close; a refusal keeps the dialog open and says why."""
        if self._url_problem() is not None:
            self.tabs.setCurrentIndex(1)
            return
        if self.saving:
            return
        key_writes = self.ai_page.key_writes()
        url = self._typed_database_url()
        has_password = url is not None and secrets.database_url_password(url) is not None
        if not key_writes and not has_password:
            self._stored_database_url = url
            super().accept()
            return
        self.saving = True
        self.ok_button.setEnabled(False)

        def store() -> str | None:
            for account, key in key_writes.items():
                secrets.set_api_key(key, account)
            try:
                return secrets.store_database_password(url) if url is not None else None
            except ConfigError as exc:
                raise _DatabaseSecretError(str(exc)) from None

        run_off_gui(self, work=store, success=self._stored, failure=self._store_failed, name="prefs.store")

    def _typed_database_url(self) -> str | None:
        if not self.external_radio.isChecked() or self.url_from_env:
            return None
        return normalize_database_url(self.url_edit.text())

    def _stored(self, bare_url: str | None) -> None:
        self.saving = False
        self._stored_database_url = bare_url
        self.ok_button.setEnabled(True)
        QDialog.accept(self)

    def _store_failed(self, exc: BaseException) -> None:
        self.saving = False
        self.ok_button.setEnabled(True)
        if isinstance(exc, _DatabaseSecretError):
            self.url_error.setText(str(exc))
            self.url_error.show()
            self.tabs.setCurrentIndex(1)
            return
        message = str(exc) if isinstance(exc, ConfigError) else f"The keyring failed: {type(exc).__name__}"
        self.ai_page.show_key_error(message)
        self.tabs.setCurrentIndex(2)

    def result_settings(self) -> Settings:
        """The edited settings. ``ai.api_key`` is carried over unchanged (it only ever holds the
        environment's key); keys typed here live in the keyring, one per provider. A database URL
        comes back without its password once OK has put that in the keyring."""
        if self.url_from_env:
            url = self._settings.database_url  # the environment's, untouched (never saved)
        elif not self.external_radio.isChecked():
            url = None
        elif self._stored_database_url is not None:
            url = self._stored_database_url
        else:
            url = normalize_database_url(self.url_edit.text())
        data_dir = Path(self.data_dir_edit.text().strip()).expanduser()
        return self._settings.with_changes(
            data_dir=data_dir,
            database_url=url,
            ai=self.ai_page.ai_settings(),
            theme=str(self.theme_combo.currentData()),
            checkpoint_after_minutes=self.checkpoint_spin.value(),
            max_import_mb=self.max_import_spin.value(),
        )


class _DatabaseSecretError(ConfigError):
    """The database password could not go to the keyring (shown on the Database tab)."""
