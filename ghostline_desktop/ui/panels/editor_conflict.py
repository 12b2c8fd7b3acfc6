"""The conflict dialog: the chapter changed elsewhere while the author was writing.

Neither text is ever dropped silently: the dialog shows both side by side and the author
chooses. "Keep mine" saves the author's text as a new revision on top of theirs (their text
stays in the history); "Take theirs" puts their text in the editor (the author's stays one
Ctrl+Z away, since the editor replaces its text as an undoable edit). "Decide later" leaves
the chapter in conflict: nothing more is saved until the author answers.

:func:`ask_conflict` is module-level so tests replace it, as they do the other modal dialogs.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.core.editor_session import Resolution
from ghostline_desktop.core.words import count_words
from ghostline_desktop.ui.dialogs._common import role_label


class ConflictDialog(QDialog):
    def __init__(self, chapter_title: str, mine: str, theirs: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setWindowTitle(self.tr("Chapter changed elsewhere"))
        self.resize(980, 600)
        self.choice: Resolution | None = None

        heading = role_label(
            self.tr("“{0}” was changed somewhere else while you were writing.").format(chapter_title),
            "heading",
            self,
        )
        hint = role_label(
            self.tr(
                "Both texts are kept until you choose. Keeping yours saves it as a new revision; "
                "theirs stays in the chapter's history either way."
            ),
            "hint",
            self,
        )
        hint.setWordWrap(True)

        grid = QGridLayout()
        self.mine_view = self._pane(mine)
        self.mine_view.setObjectName("conflictMine")
        self.theirs_view = self._pane(theirs)
        self.theirs_view.setObjectName("conflictTheirs")
        grid.addWidget(self._caption(self.tr("Your text (in the editor)"), mine), 0, 0)
        grid.addWidget(self._caption(self.tr("Their text (saved elsewhere)"), theirs), 0, 1)
        grid.addWidget(self.mine_view, 1, 0)
        grid.addWidget(self.theirs_view, 1, 1)
        grid.setRowStretch(1, 1)
        # Scroll the two panes together: the author compares the same place in both.
        self.mine_view.verticalScrollBar().valueChanged.connect(self._sync_scroll)

        self.buttons = QDialogButtonBox(self)
        self.keep_button = QPushButton(self.tr("Keep Mine as a New Revision"), self)
        self.keep_button.setDefault(True)
        self.take_button = QPushButton(self.tr("Take Theirs"), self)
        self.later_button = QPushButton(self.tr("Decide Later"), self)
        self.buttons.addButton(self.keep_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.take_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.buttons.addButton(self.later_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.keep_button.clicked.connect(lambda: self._choose(Resolution.KEEP_MINE))
        self.take_button.clicked.connect(lambda: self._choose(Resolution.TAKE_THEIRS))
        self.later_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(hint)
        layout.addLayout(grid, 1)
        layout.addWidget(self.buttons)

    def _pane(self, text: str) -> QPlainTextEdit:
        view = QPlainTextEdit(self)
        view.setPlainText(text)
        view.setReadOnly(True)
        view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        return view

    def _caption(self, title: str, text: str) -> QLabel:
        words = count_words(text)
        label = QLabel(self.tr("<b>{0}</b> — {1:,} words").format(title, words), self)
        return label

    def _sync_scroll(self, value: int) -> None:
        mine = self.mine_view.verticalScrollBar()
        theirs = self.theirs_view.verticalScrollBar()
        if mine.maximum() > 0:
            theirs.setValue(round(value / mine.maximum() * theirs.maximum()))

    def _choose(self, choice: Resolution) -> None:
        self.choice = choice
        self.accept()


def ask_conflict(parent: QWidget | None, chapter_title: str, mine: str, theirs: str) -> Resolution | None:
    """Show both texts; the author's choice, or None for "Decide Later"."""
    dlg = ConflictDialog(chapter_title, mine, theirs, parent)
    try:
        dlg.exec()
        return dlg.choice
    finally:
        dlg.deleteLater()
