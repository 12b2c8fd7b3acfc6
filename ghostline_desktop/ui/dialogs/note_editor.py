"""A small editor for a note in the source library: a title and Markdown text.

Saving does not close the dialog by itself: the controller runs the save and calls :meth:`saved`
on success; on failure (an empty title, a database hiccup) the dialog stays open with the text
still in it, so nothing the author typed is lost.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from ghostline_desktop.core.words import count_words


class NoteEditorDialog(QDialog):
    #: (title, text): the author pressed Save.
    saveRequested = Signal(str, str)

    def __init__(
        self, title: str = "", text: str = "", *, note_id: uuid.UUID | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("noteEditor")
        self.note_id = note_id
        self.setWindowTitle(self.tr("Edit note") if note_id else self.tr("New note"))
        self.resize(560, 480)
        self.title_edit = QLineEdit(title, self)
        self.title_edit.setPlaceholderText(self.tr("Title"))
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setPlainText(text)
        self.text_edit.setPlaceholderText(self.tr("Write the note (Markdown is fine)…"))
        self.words = QLabel(self)
        self.words.setProperty("role", "hint")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_edit)
        layout.addWidget(self.text_edit, 1)
        layout.addWidget(self.words)
        layout.addWidget(self.buttons)
        self.text_edit.textChanged.connect(self._count)
        self._count()
        (self.text_edit if title else self.title_edit).setFocus()

    def _count(self) -> None:
        n = count_words(self.text_edit.toPlainText())
        self.words.setText(self.tr("1 word") if n == 1 else self.tr("{0:,} words").format(n))

    def _save(self) -> None:
        self.buttons.setEnabled(False)  # one save at a time
        self.saveRequested.emit(self.title_edit.text().strip(), self.text_edit.toPlainText())

    def saved(self) -> None:
        self.accept()

    def save_failed(self) -> None:
        self.buttons.setEnabled(True)
