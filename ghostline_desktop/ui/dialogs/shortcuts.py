"""Keyboard shortcuts: a read-only, filterable table of (action, keys) the main window passes in."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def native_keys(keys: str) -> str:
    """Show "Ctrl+S" as the platform writes it ("⌘S" on macOS); unknown text passes through."""
    seq = QKeySequence(keys)
    text = seq.toString(QKeySequence.SequenceFormat.NativeText)
    return text or keys


class ShortcutsDialog(QDialog):
    def __init__(self, shortcuts: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard Shortcuts"))
        self.resize(460, 480)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(self.tr("Filter…"))
        self.filter_edit.setClearButtonEnabled(True)

        self.table = QTableWidget(len(shortcuts), 2, self)
        self.table.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Shortcut")])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        # Keep the shown text alongside the table so filtering never has to read items back.
        self._rows = [(action.replace("&", ""), native_keys(keys)) for action, keys in shortcuts]
        for row, (action, keys) in enumerate(self._rows):
            self.table.setItem(row, 0, QTableWidgetItem(action))
            key_item = QTableWidgetItem(keys)
            key_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, 1, key_item)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.filter_edit.textChanged.connect(self._apply_filter)

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for row, (action, keys) in enumerate(self._rows):
            self.table.setRowHidden(row, bool(needle) and needle not in f"{action} {keys}".casefold())

    def visible_rows(self) -> list[tuple[str, str]]:
        return [entry for row, entry in enumerate(self._rows) if not self.table.isRowHidden(row)]
