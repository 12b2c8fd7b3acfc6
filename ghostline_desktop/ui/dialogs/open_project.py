"""Open project: a filterable table of the author's projects, most recently used first."""

from __future__ import annotations

import uuid
from datetime import datetime

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.services.dto import ProjectSummary
from ghostline_desktop.services.labels import GENRE_LABELS, label
from ghostline_desktop.ui.dialogs._common import format_count, humanize_time, ordinal_word, role_label

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

COL_TITLE, COL_GENRE, COL_WORDS, COL_MODIFIED, COL_EDITION, COL_FORKED = range(6)


def last_modified(project: ProjectSummary) -> datetime:
    """When the author last touched the project: opening counts, as in every recent-files list."""
    return project.last_opened_at or project.updated_at


class OpenProjectDialog(QDialog):
    def __init__(self, projects: list[ProjectSummary], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Open Project"))
        self.resize(820, 460)
        self._projects = list(projects)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(self.tr("Filter by title, genre or edition…"))
        self.filter_edit.setClearButtonEnabled(True)

        self.model = QStandardItemModel(0, 6, self)
        self.model.setHorizontalHeaderLabels(
            [
                self.tr("Title"),
                self.tr("Genre"),
                self.tr("Words"),
                self.tr("Last modified"),
                self.tr("Edition"),
                self.tr("Based on"),
            ]
        )
        for project in sorted(self._projects, key=last_modified, reverse=True):
            self.model.appendRow(self._row(project))

        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setSortRole(SORT_ROLE)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_MODIFIED, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._on_double_clicked)

        self.empty_label = role_label(
            self.tr("No projects yet.\nCreate one with File ▸ New Project, or try File ▸ New Demo Project."),
            "empty",
            self,
        )
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)
        self.stack.setCurrentWidget(self.table if self._projects else self.empty_label)
        self.filter_edit.setEnabled(bool(self._projects))

        self.no_match_label = role_label("", "hint", self)
        self.no_match_label.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        self.open_button = self.buttons.button(QDialogButtonBox.StandardButton.Open)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.no_match_label)
        layout.addWidget(self.buttons)

        self.filter_edit.textChanged.connect(self._apply_filter)
        self.table.selectionModel().selectionChanged.connect(self._update_open)
        if self.proxy.rowCount():
            self.table.selectRow(0)
        self._update_open()
        (self.filter_edit if self._projects else self.buttons).setFocus()

    def _row(self, p: ProjectSummary) -> list[QStandardItem]:
        def item(text: str, sort: object) -> QStandardItem:
            it = QStandardItem(text)
            it.setData(sort, SORT_ROLE)
            it.setData(str(p.id), ID_ROLE)
            it.setEditable(False)
            return it

        modified = last_modified(p)
        edition = ordinal_word(p.edition) if p.edition > 1 else self.tr("First")
        forked = self.tr("forked from “%1”").replace("%1", p.forked_from_title) if p.forked_from_title else ""
        title = item(p.title + (self.tr("  (archived)") if p.archived else ""), p.title.casefold())
        title.setToolTip(p.title)
        words = item(format_count(p.word_count), p.word_count)
        words.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        when = item(humanize_time(modified), modified.timestamp())
        when.setToolTip(modified.astimezone().strftime("%Y-%m-%d %H:%M"))
        return [
            title,
            item(label(GENRE_LABELS, p.genre), label(GENRE_LABELS, p.genre)),
            words,
            when,
            item(edition, p.edition),
            item(forked, forked.casefold()),
        ]

    def _apply_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if self.proxy.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        none = bool(self._projects) and self.proxy.rowCount() == 0
        self.no_match_label.setText(self.tr("No project matches “%1”.").replace("%1", text.strip()) if none else "")
        self.no_match_label.setVisible(none)
        self._update_open()

    def _update_open(self) -> None:
        self.open_button.setEnabled(self.selected_project_id() is not None)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.table.selectRow(index.row())
            self.accept()

    def accept(self) -> None:
        if self.selected_project_id() is None:
            return
        super().accept()

    def selected_project_id(self) -> uuid.UUID | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        value = rows[0].data(ID_ROLE)
        return uuid.UUID(value) if value else None
