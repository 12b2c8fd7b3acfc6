"""QA findings: a sortable, filterable table with Resolve / Waive."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.services.labels import (
    FINDING_STATUS_LABELS,
    FINDING_TYPE_LABELS,
    SEVERITY_LABELS,
    SEVERITY_RANK,
    label,
)
from ghostline_desktop.ui.ops import CollectionOp, QueryOp
from ghostline_desktop.ui.panels.base import PanelDock

SORT_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("Severity", "Type", "Chapter", "Blocking", "Status", "Title")
SEVERITY_COLORS = {"CRITICAL": "#c53030", "HIGH": "#dd6b20", "MEDIUM": "#b7791f", "LOW": "#718096"}

Index = QModelIndex | QPersistentModelIndex


class FindingsModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        f = self.rows[index.row()]
        col = index.column()
        if role == ID_ROLE:
            return f.id
        if role == STATUS_ROLE:
            return f.status
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                label(SEVERITY_LABELS, f.severity),
                label(FINDING_TYPE_LABELS, f.finding_type),
                f.chapter_title or "—",
                self.tr("Yes") if f.is_blocking else "",
                label(FINDING_STATUS_LABELS, f.status),
                f.title,
            )[col]
        if role == SORT_ROLE:
            if col == 0:
                return SEVERITY_RANK.get(f.severity, -1)  # by rank, not alphabet
            if col == 3:
                return int(bool(f.is_blocking))
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return QColor(SEVERITY_COLORS.get(f.severity, "#718096"))
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f.description or f.title
            return f"{tip}\n\n“{f.excerpt}”" if f.excerpt else tip
        return None


class FindingsFilter(QSortFilterProxyModel):
    """Status filter (exact) + text filter (title, type, chapter, description)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status: str | None = "OPEN"
        self.text = ""
        self.setSortRole(SORT_ROLE)

    def set_status(self, status: str | None) -> None:
        self._refilter(lambda: setattr(self, "status", status))

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "text", text.strip().lower()))

    def _refilter(self, change: Callable[[], None]) -> None:
        # Qt 6.9+ wants begin/endFilterChange (invalidateFilter is deprecated there); older Qt lacks them.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, FindingsModel)
        f = model.rows[source_row]
        if self.status and f.status != self.status:
            return False
        if self.text:
            hay = " ".join(
                str(x or "")
                for x in (f.title, f.description, f.chapter_title, label(FINDING_TYPE_LABELS, f.finding_type))
            ).lower()
            return self.text in hay
        return True


class FindingsPanel(PanelDock):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("QA findings"), "panel.findings", parent)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        bar = QHBoxLayout()
        self.status_filter = QComboBox(body)
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItem(self.tr("Open"), "OPEN")
        self.status_filter.addItem(self.tr("Resolved"), "RESOLVED")
        self.status_filter.addItem(self.tr("Waived"), "WAIVED")
        self.status_filter.addItem(self.tr("All"), None)
        self.text_filter = QLineEdit(body)
        self.text_filter.setPlaceholderText(self.tr("Filter findings…"))
        self.text_filter.setClearButtonEnabled(True)
        self.resolve_button = QPushButton(self.tr("Resolve"), body)
        self.waive_button = QPushButton(self.tr("Waive"), body)
        self.summary = QLabel(body)
        self.summary.setObjectName("panelFooter")
        bar.addWidget(QLabel(self.tr("Show:"), body))
        bar.addWidget(self.status_filter)
        bar.addWidget(self.text_filter, 1)
        bar.addWidget(self.summary)
        bar.addWidget(self.resolve_button)
        bar.addWidget(self.waive_button)
        layout.addLayout(bar)
        self.model = FindingsModel(self)
        self.proxy = FindingsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(body)
        self.table.setObjectName("findingsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.setWidget(body)
        self.status_filter.currentIndexChanged.connect(lambda _i: self._apply_status())
        self.text_filter.textChanged.connect(self.proxy.set_text)
        self.resolve_button.clicked.connect(lambda: self.set_selected_status("RESOLVED"))
        self.waive_button.clicked.connect(lambda: self.set_selected_status("WAIVED"))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.proxy.modelReset.connect(self._update_summary)
        self.proxy.layoutChanged.connect(self._update_summary)
        self.proxy.rowsInserted.connect(self._update_summary)
        self.proxy.rowsRemoved.connect(self._update_summary)
        self.clear()

    def _apply_status(self) -> None:
        self.proxy.set_status(self.status_filter.currentData())
        self._update_summary()
        self._update_buttons()

    def refresh(self) -> None:
        if self.services is None or self.project_id is None:
            return
        project_id = self.project_id
        QueryOp(self, self.services.qa.list_findings(project_id)).named(f"qa.list.{id(self)}").success(
            lambda rows: self._show(project_id, rows)
        ).run()

    def _show(self, project_id: uuid.UUID, rows: list[Any]) -> None:
        if project_id != self.project_id:
            return
        self.model.set_rows(rows)
        self._update_summary()
        self._update_buttons()

    def clear(self) -> None:
        self.model.set_rows([])
        self._update_summary()
        self._update_buttons()

    def selected_ids(self) -> list[uuid.UUID]:
        rows = self.table.selectionModel().selectedRows()
        return [self.proxy.data(r, ID_ROLE) for r in rows]

    def set_selected_status(self, status: str) -> None:
        ids = self.selected_ids()
        if not ids or self.services is None:
            return
        services, user_id = self.services, (self.user.id if self.user else None)

        async def apply() -> None:
            for fid in ids:
                await services.qa.set_status(fid, status, user_id=user_id)

        # FindingsChanged from the service refreshes the table.
        CollectionOp(self, apply()).run()

    def _update_buttons(self) -> None:
        has = bool(self.table.selectionModel().selectedRows()) if self.table.selectionModel() else False
        self.resolve_button.setEnabled(has)
        self.waive_button.setEnabled(has)

    def _update_summary(self) -> None:
        total = len(self.model.rows)
        blocking = sum(1 for f in self.model.rows if f.is_blocking and f.status == "OPEN")
        shown = self.proxy.rowCount()
        text = self.tr("{0} of {1} shown").format(shown, total)
        if blocking:
            text += self.tr(" · {0} blocking").format(blocking)
        self.summary.setText(text)
