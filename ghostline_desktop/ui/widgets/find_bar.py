"""A small find/replace bar over a QPlainTextEdit (Edit ▸ Find/Replace)."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QToolButton, QWidget


class FindBar(QWidget):
    def __init__(self, editor: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.editor = editor
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        self.find_edit = QLineEdit(self)
        self.find_edit.setPlaceholderText(self.tr("Find"))
        self.replace_edit = QLineEdit(self)
        self.replace_edit.setPlaceholderText(self.tr("Replace with"))
        self.next_button = QPushButton(self.tr("Next"), self)
        self.prev_button = QPushButton(self.tr("Previous"), self)
        self.replace_button = QPushButton(self.tr("Replace"), self)
        self.replace_all_button = QPushButton(self.tr("Replace all"), self)
        self.result = QLabel(self)
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip(self.tr("Close (Esc)"))
        close.setAutoRaise(True)
        for w in (
            self.find_edit,
            self.prev_button,
            self.next_button,
            self.replace_edit,
            self.replace_button,
            self.replace_all_button,
            self.result,
            close,
        ):
            layout.addWidget(w)
        layout.setStretch(0, 2)
        layout.setStretch(3, 2)
        self.find_edit.returnPressed.connect(self.find_next)
        self.next_button.clicked.connect(self.find_next)
        self.prev_button.clicked.connect(self.find_previous)
        self.replace_button.clicked.connect(self.replace_one)
        self.replace_all_button.clicked.connect(self.replace_all)
        close.clicked.connect(self.hide)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Cancel), self, self.hide)
        self.hide()

    def open(self) -> None:
        selected = self.editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.find_edit.setText(selected)
        self.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    def find_next(self) -> bool:
        return self._find(QTextDocument.FindFlag(0))

    def find_previous(self) -> bool:
        return self._find(QTextDocument.FindFlag.FindBackward)

    def _find(self, flags: QTextDocument.FindFlag) -> bool:
        needle = self.find_edit.text()
        if not needle:
            return False
        found = self.editor.find(needle, flags)
        if not found:  # wrap around
            cursor = self.editor.textCursor()
            cursor.movePosition(
                QTextCursor.MoveOperation.End
                if flags & QTextDocument.FindFlag.FindBackward
                else QTextCursor.MoveOperation.Start
            )
            self.editor.setTextCursor(cursor)
            found = self.editor.find(needle, flags)
        self.result.setText("" if found else self.tr("Not found"))
        return found

    def replace_one(self) -> None:
        cursor = self.editor.textCursor()
        if cursor.hasSelection() and cursor.selectedText().lower() == self.find_edit.text().lower():
            cursor.insertText(self.replace_edit.text())
        self.find_next()

    def replace_all(self) -> int:
        needle, repl = self.find_edit.text(), self.replace_edit.text()
        if not needle:
            return 0
        count = 0
        cursor = self.editor.textCursor()
        cursor.beginEditBlock()  # one undo step for the whole replace
        doc = self.editor.document()
        found = doc.find(needle, 0)
        while not found.isNull():
            found.insertText(repl)
            count += 1
            found = doc.find(needle, found.position())
        cursor.endEditBlock()
        self.result.setText(self.tr("{0} replaced").format(count))
        return count
