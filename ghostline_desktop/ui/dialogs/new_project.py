"""New project: a title, a genre and an optional word-count target."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.services.labels import GENRE_LABELS
from ghostline_desktop.ui.dialogs._common import role_label

DEFAULT_TARGET_WORDS = 80_000
MAX_TARGET_WORDS = 2_000_000
DEFAULT_GENRE = "FICTION"


@dataclass(frozen=True)
class NewProjectValues:
    title: str
    genre: str  # enum member name, e.g. "FICTION"
    target_word_count: int | None


class NewProjectDialog(QDialog):
    """A pure form: the main window reads :meth:`values` after ``exec()`` and calls the service."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New Project"))
        self.setMinimumWidth(420)

        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText(self.tr("Working title — you can change it later"))
        self.title_edit.setMaxLength(500)

        self.genre_combo = QComboBox(self)
        for name, label in GENRE_LABELS.items():
            self.genre_combo.addItem(label, name)
        self.genre_combo.setCurrentIndex(max(0, self.genre_combo.findData(DEFAULT_GENRE)))

        self.target_spin = QSpinBox(self)
        self.target_spin.setRange(0, MAX_TARGET_WORDS)
        self.target_spin.setSingleStep(5_000)
        self.target_spin.setGroupSeparatorShown(True)
        self.target_spin.setValue(DEFAULT_TARGET_WORDS)
        self.target_spin.setSuffix(self.tr(" words"))
        self.target_spin.setSpecialValueText(self.tr("No target"))

        form = QFormLayout()
        form.addRow(self.tr("&Title"), self.title_edit)
        form.addRow(self.tr("&Genre"), self.genre_combo)
        form.addRow(self.tr("Target &length"), self.target_spin)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Create"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(role_label(self.tr("Start a new book"), "heading", self))
        layout.addWidget(
            role_label(self.tr("Sources, outline and chapters all live inside the project."), "hint", self)
        )
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self.title_edit.textChanged.connect(self._update_ok)
        self._update_ok()
        self.title_edit.setFocus()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.title_edit.text().strip()))

    def accept(self) -> None:
        # Enter in the title field must not create an untitled project.
        if not self.title_edit.text().strip():
            return
        super().accept()

    def values(self) -> NewProjectValues:
        target = self.target_spin.value()
        return NewProjectValues(
            title=" ".join(self.title_edit.text().split()),
            genre=str(self.genre_combo.currentData()),
            target_word_count=target or None,
        )
