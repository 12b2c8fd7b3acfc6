"""The token ledger as a lazy table model: the first page arrives with the dialog, the rest as the
view scrolls (``canFetchMore``/``fetchMore`` → one ``QueryOp`` per page of 200, keyset-paged by the
ledger's ``seq``), so a ledger of 100,000 rows opens as fast as one of 100. It needs no row count:
a page shorter than asked for is the end (the dialog shows the count when its totals arrive)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ghostline_desktop.core.enums import TaskType
from ghostline_desktop.ui.ops import QueryOp

TASK_LABELS = {t.name: t.value for t in TaskType}
COLUMNS = ("Date", "Type", "Tokens", "Balance", "Description", "Project", "Task", "Model")
CREDIT_COLOUR = QColor("#2f855a")
_Index = QModelIndex | QPersistentModelIndex


class LedgerModel(QAbstractTableModel):
    def __init__(self, page_loader: Callable[[int | None], Any], parent: QObject | None = None) -> None:
        """``page_loader(before_seq)`` returns a coroutine of the next page (the current filters)."""
        super().__init__(parent)
        self.page_loader = page_loader
        self.rows: list[Any] = []
        self.page_size = 200
        self.exhausted = True
        self.loading = False
        self._generation = 0  # a reset makes pages still in flight for the old filters stale

    # -- contents ---------------------------------------------------------------------------------
    def reset(self, rows: list[Any], page_size: int) -> None:
        self.beginResetModel()
        self._generation += 1
        self.rows = list(rows)
        self.page_size = page_size
        self.exhausted = len(self.rows) < page_size
        self.loading = False
        self.endResetModel()

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008 (Qt's signature)
        return not parent.isValid() and not self.loading and not self.exhausted

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent) or not self.rows:
            return
        self.loading = True
        generation, before = self._generation, self.rows[-1].seq
        owner = self.parent()
        op = QueryOp(owner if isinstance(owner, QObject) else None, lambda: self.page_loader(before))
        op.named(f"tokens.ledger.page.{id(self)}").success(lambda page: self._append(generation, page)).failure(
            lambda _e: self._failed(generation)
        ).run()

    def _append(self, generation: int, page: list[Any]) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self.exhausted = len(page) < self.page_size
        if not page:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self.rows.extend(page)
        self.endInsertRows()

    def _failed(self, generation: int) -> None:
        if generation == self._generation:
            self.loading = False

    # -- the table ---------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(e, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 2 and e.transaction_type == "CREDIT":
            return CREDIT_COLOUR
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(e)
        return None

    def _text(self, e: Any, col: int) -> str:
        if col == 0:
            return e.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if col == 1:
            return self.tr("Credit") if e.transaction_type == "CREDIT" else self.tr("Debit")
        if col == 2:
            return f"{'+' if e.transaction_type == 'CREDIT' else '−'}{e.amount:,}"
        if col == 3:
            return f"{e.balance_after:,}"
        if col == 4:
            return str(e.description)
        if col == 5:
            return e.project_title or ""
        if col == 6:
            return TASK_LABELS.get(e.task_type, e.task_type or "") if e.task_type else ""
        return e.model or ""

    def _tooltip(self, e: Any) -> str:
        parts = [e.description]
        if e.prompt_tokens is not None or e.completion_tokens is not None:
            parts.append(
                self.tr("Reported: {0:,} prompt + {1:,} completion tokens").format(
                    e.prompt_tokens or 0, e.completion_tokens or 0
                )
            )
        return "\n".join(p for p in parts if p)
