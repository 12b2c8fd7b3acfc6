"""Small dialogs of the Generate menu: pick a chapter, write feedback for a revision, read the AI's
feedback, see the passages a revision drew on (issue 8)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.ui.dialogs._common import role_label

if TYPE_CHECKING:
    from ghostline_desktop.services.dto import ChapterSummary
    from ghostline_desktop.services.generation import RevisionAI, SourcePassage


class ChapterPickDialog(QDialog):
    """Which chapter to draft (default: the one open)."""

    def __init__(self, chapters: list[ChapterSummary], current: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Draft Chapter"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            role_label(
                self.tr(
                    "The AI drafts the chapter from its outline entry and the passages of your sources that fit "
                    "its scenes. The draft becomes a new revision; your current text is kept in the history."
                ),
                "hint",
                self,
            )
        )
        self.combo = QComboBox(self)
        self.combo.setObjectName("draftChapter")
        for pos, ch in enumerate(chapters, 1):
            self.combo.addItem(f"{pos}. {ch.title}", pos)
            if ch.id == current:
                self.combo.setCurrentIndex(pos - 1)
        layout.addWidget(self.combo)
        buttons = QDialogButtonBox(self)
        self.preview_button = QPushButton(self.tr("Preview Prompt…"), self)
        self.draft_button = QPushButton(self.tr("Draft"), self)
        self.draft_button.setDefault(True)
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.HelpRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.draft_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def position(self) -> int:
        return int(self.combo.currentData())


class ReviseDialog(QDialog):
    """Revise with Feedback: what should change in this revision."""

    def __init__(self, heading: str, feedback: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Revise with Feedback"))
        self.resize(520, 300)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(heading, self))
        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName("reviseFeedback")
        self.edit.setPlaceholderText(self.tr("What should change? e.g. “Shorter sentences; open with the storm.”"))
        self.edit.setPlainText(feedback or "")
        layout.addWidget(self.edit, 1)
        layout.addWidget(
            role_label(self.tr("The AI writes a new revision; this one stays in the history."), "hint", self)
        )
        buttons = QDialogButtonBox(self)
        self.preview_button = QPushButton(self.tr("Preview Prompt…"), self)
        self.revise_button = QPushButton(self.tr("Revise"), self)
        self.revise_button.setDefault(True)
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.HelpRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.revise_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def feedback(self) -> str:
        return self.edit.toPlainText().strip()

    def _accept(self) -> None:
        if self.feedback():
            self.accept()
        else:
            self.edit.setFocus()


class TextDialog(QDialog):
    """A read-only text (the AI's feedback on a revision)."""

    def __init__(self, title: str, heading: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(620, 480)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(heading, self))
        self.view = QPlainTextEdit(self)
        self.view.setObjectName("aiFeedbackText")
        self.view.setReadOnly(True)
        self.view.setPlainText(text)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class RevisionSourcesDialog(QDialog):
    """The passages an AI revision was written from; "Open Source" shows one in its source."""

    def __init__(
        self, info: RevisionAI, open_passage: Callable[[SourcePassage], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.info = info
        self.setWindowTitle(self.tr("Sources of Revision %d") % info.revision_number)
        self.resize(760, 480)
        layout = QVBoxLayout(self)
        state = self.tr(" (incomplete: the draft was cut short)") if info.incomplete else ""
        heading = self.tr("%n passage(s) the AI was given for this revision", "", len(info.sources)) + state
        layout.addWidget(QLabel(heading, self))
        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.list = QListWidget(split)
        self.list.setObjectName("revisionSources")
        for p in info.sources:
            where = f", p. {p.page}" if p.page else ""
            self.list.addItem(QListWidgetItem(f"{p.rank}. {p.source_title}{where}"))
        self.text = QPlainTextEdit(split)
        self.text.setReadOnly(True)
        split.addWidget(self.list)
        split.addWidget(self.text)
        split.setSizes([260, 500])
        layout.addWidget(split, 1)
        if not info.sources:
            layout.addWidget(role_label(self.tr("This revision records no passages."), "hint", self))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.open_button = QPushButton(self.tr("Open Source"), self)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.currentRowChanged.connect(self._show)
        self.open_button.clicked.connect(lambda: self._open(open_passage))
        self.list.itemDoubleClicked.connect(lambda *_: self._open(open_passage))
        self.open_button.setEnabled(bool(info.sources))
        if info.sources:
            self.list.setCurrentRow(0)

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.info.sources):
            self.text.setPlainText(self.info.sources[row].text)

    def _open(self, open_passage: Callable[[SourcePassage], None]) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.info.sources):
            open_passage(self.info.sources[row])
