"""QA findings: a sortable table filterable by status, type, severity, chapter and text;
Resolve / Waive / Reopen a selection in one call (with a note); double-click jumps to the
passage in the editor (``jumpRequested``, handled by QAController.jump_to)."""

from __future__ import annotations

import html
import time
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
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
FINDING_ROLE = Qt.ItemDataRole.UserRole + 3
COLUMNS = ("Severity", "Type", "Chapter", "Blocking", "Status", "Title", "Passage")
SEVERITY_COLORS = {"CRITICAL": "#c53030", "HIGH": "#dd6b20", "MEDIUM": "#b7791f", "LOW": "#718096"}
SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")

Index = QModelIndex | QPersistentModelIndex


class FindingsModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []
        self.chapter_order: dict[uuid.UUID, int] = {}

    def set_rows(self, rows: list[Any], chapter_order: dict[uuid.UUID, int] | None = None) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        if chapter_order is not None:
            self.chapter_order = dict(chapter_order)
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
        if role == FINDING_ROLE:
            return f
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                label(SEVERITY_LABELS, f.severity),
                label(FINDING_TYPE_LABELS, f.finding_type),
                f.chapter_title or self.tr("Whole book"),
                self.tr("Yes") if f.is_blocking else "",
                label(FINDING_STATUS_LABELS, f.status),
                f.title,
                " ".join((f.excerpt or "").split()),
            )[col]
        if role == SORT_ROLE:
            if col == 0:
                return SEVERITY_RANK.get(f.severity, -1)  # by rank, not alphabet
            if col == 2:  # book order, then position in the chapter
                order = self.chapter_order.get(f.chapter_id, 1 << 30) if f.chapter_id else 1 << 31
                return order * 10_000_000 + (f.start or 0)
            if col == 3:
                return int(bool(f.is_blocking))
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == 0:
                return QColor(SEVERITY_COLORS.get(f.severity, "#718096"))
            if f.status != "OPEN":
                return QColor("#8a8f98")
        if role == Qt.ItemDataRole.FontRole and col == 4 and f.status != "OPEN":
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(f)
        return None


def tooltip(f: Any) -> str:
    parts = [f.description or f.title]
    if f.excerpt:
        parts.append(f"“{f.excerpt}”")
    if f.suggestion:
        parts.append(f"Suggestion: {f.suggestion}")
    if f.status != "OPEN":
        parts.append(settled(f))
    return "\n\n".join(parts)


def settled(f: Any) -> str:
    """“Waived by Ada on 26 Nov 2026 16:20: house style” — who, when, why."""
    verb = label(FINDING_STATUS_LABELS, f.status)
    who = f" by {f.resolved_by_name}" if f.resolved_by_name else (" by a QA run" if f.auto_resolved else "")
    when = f" on {f.resolved_at.astimezone():%d %b %Y %H:%M}" if f.resolved_at else ""
    note = f": {f.resolution_note}" if f.resolution_note else ""
    return f"{verb}{who}{when}{note}"


class FindingsFilter(QSortFilterProxyModel):
    """Exact filters (status, type, severity, chapter) + a text filter (title, type, chapter, description)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status: str | None = "OPEN"
        self.finding_type: str | None = None
        self.severity: str | None = None
        # The chapter's id as a string (a combo box finds strings by value, not UUIDs); "BOOK": book-level.
        self.chapter_id: str | None = None
        self.text = ""
        self.setSortRole(SORT_ROLE)

    def set_status(self, status: str | None) -> None:
        self._refilter(lambda: setattr(self, "status", status))

    def set_type(self, finding_type: str | None) -> None:
        self._refilter(lambda: setattr(self, "finding_type", finding_type))

    def set_severity(self, severity: str | None) -> None:
        self._refilter(lambda: setattr(self, "severity", severity))

    def set_chapter(self, chapter_id: str | None) -> None:
        self._refilter(lambda: setattr(self, "chapter_id", chapter_id))

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
        if self.finding_type and f.finding_type != self.finding_type:
            return False
        if self.severity and f.severity != self.severity:
            return False
        if self.chapter_id is not None and str(f.chapter_id or "BOOK") != self.chapter_id:
            return False
        if self.text:
            hay = " ".join(
                str(x or "")
                for x in (
                    f.title,
                    f.description,
                    f.chapter_title,
                    f.excerpt,
                    label(FINDING_TYPE_LABELS, f.finding_type),
                )
            ).lower()
            return self.text in hay
        return True


class FindingsPanel(PanelDock):
    #: Double-click / Enter on a finding: show its passage in the editor.
    jumpRequested = Signal(object)
    #: The panel's Run QA button (the window's QAController runs the book).
    runRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("QA findings"), "panel.findings", parent)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        bar = QHBoxLayout()
        self.status_filter = self._combo(body, "statusFilter", [(self.tr("Open"), "OPEN")])
        for text, value in ((self.tr("Resolved"), "RESOLVED"), (self.tr("Waived"), "WAIVED"), (self.tr("All"), None)):
            self.status_filter.addItem(text, value)
        self.type_filter = self._combo(body, "typeFilter", [(self.tr("All types"), None)])
        self.severity_filter = self._combo(body, "severityFilter", [(self.tr("All severities"), None)])
        for sev in SEVERITIES:
            self.severity_filter.addItem(label(SEVERITY_LABELS, sev), sev)
        self.chapter_filter = self._combo(body, "chapterFilter", [(self.tr("All chapters"), None)])
        self.chapter_filter.setMinimumContentsLength(12)
        self.text_filter = QLineEdit(body)
        self.text_filter.setPlaceholderText(self.tr("Filter findings…"))
        self.text_filter.setClearButtonEnabled(True)
        self.summary = QLabel(body)
        self.summary.setObjectName("panelFooter")
        self.run_button = QPushButton(self.tr("Run QA"), body)
        self.run_button.setToolTip(self.tr("Check the whole book (F7)"))
        bar.addWidget(QLabel(self.tr("Show:"), body))
        for w in (self.status_filter, self.type_filter, self.severity_filter, self.chapter_filter):
            bar.addWidget(w)
        bar.addWidget(self.text_filter, 1)
        bar.addWidget(self.summary)
        bar.addWidget(self.run_button)
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
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.detail = QLabel(body)
        self.detail.setObjectName("findingDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumWidth(220)
        side = QWidget(body)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(6, 0, 0, 0)
        side_layout.addWidget(self.detail, 1)
        buttons = QHBoxLayout()
        self.resolve_button = QPushButton(self.tr("Resolve…"), side)
        self.waive_button = QPushButton(self.tr("Waive…"), side)
        self.reopen_button = QPushButton(self.tr("Reopen"), side)
        self.resolve_button.setToolTip(self.tr("Mark the selected findings fixed, with a note"))
        self.waive_button.setToolTip(self.tr("Keep the text as it is: the selected findings are accepted, with a note"))
        for b in (self.resolve_button, self.waive_button, self.reopen_button):
            buttons.addWidget(b)
        side_layout.addLayout(buttons)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, body)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout.addWidget(self.splitter, 1)
        self.setWidget(body)
        self.status_filter.currentIndexChanged.connect(
            lambda _i: self._apply(self.proxy.set_status, self.status_filter)
        )
        self.type_filter.currentIndexChanged.connect(lambda _i: self._apply(self.proxy.set_type, self.type_filter))
        self.severity_filter.currentIndexChanged.connect(
            lambda _i: self._apply(self.proxy.set_severity, self.severity_filter)
        )
        self.chapter_filter.currentIndexChanged.connect(
            lambda _i: self._apply(self.proxy.set_chapter, self.chapter_filter)
        )
        self.text_filter.textChanged.connect(self.proxy.set_text)
        self.resolve_button.clicked.connect(lambda: self.set_selected_status("RESOLVED"))
        self.waive_button.clicked.connect(lambda: self.set_selected_status("WAIVED"))
        self.reopen_button.clicked.connect(lambda: self.set_selected_status("OPEN", note=""))
        self.run_button.clicked.connect(self.runRequested)
        self._last_jump: tuple[uuid.UUID | None, float] = (None, 0.0)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.running: set[uuid.UUID] = set()  # QA jobs of this book in flight (QAController tells)
        self.table.doubleClicked.connect(self._activated)
        self.table.activated.connect(self._activated)  # Enter on a row
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())
        for sig in (self.proxy.modelReset, self.proxy.layoutChanged, self.proxy.rowsInserted, self.proxy.rowsRemoved):
            sig.connect(self._update_summary)
        self.clear()

    @staticmethod
    def _combo(parent: QWidget, name: str, items: list[tuple[str, Any]]) -> QComboBox:
        box = QComboBox(parent)
        box.setObjectName(name)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(8)
        for text, value in items:
            box.addItem(text, value)
        return box

    def _apply(self, setter: Callable[[Any], None], box: QComboBox) -> None:
        setter(box.currentData())
        self._update_summary()
        self._update_buttons()
        self._show_detail()

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.services is None or self.project_id is None:
            return
        project_id, services = self.project_id, self.services

        async def load() -> tuple[list[Any], list[Any]]:
            return await services.qa.list_findings(project_id), await services.chapters.list_chapters(project_id)

        QueryOp(self, load).named(f"qa.list.{id(self)}").success(lambda r: self._show(project_id, *r)).run()

    def _show(self, project_id: uuid.UUID, rows: list[Any], chapters: list[Any]) -> None:
        if project_id != self.project_id:
            return
        selected = set(self.selected_ids())
        self.model.set_rows(rows, {c.id: i for i, c in enumerate(chapters)})
        self._fill_filters(rows, chapters)
        self._reselect(selected)
        self._update_summary()
        self._update_buttons()
        self._show_detail()

    def _fill_filters(self, rows: list[Any], chapters: list[Any]) -> None:
        """Types present and the book's chapters; the current choice survives a refresh."""
        types = sorted({f.finding_type for f in rows}, key=lambda t: label(FINDING_TYPE_LABELS, t))
        self._refill(self.type_filter, [(label(FINDING_TYPE_LABELS, t), t) for t in types])
        items: list[tuple[str, Any]] = [(c.title, str(c.id)) for c in chapters]
        if any(f.chapter_id is None for f in rows):
            items.append((self.tr("Whole book"), "BOOK"))
        self._refill(self.chapter_filter, items)

    @staticmethod
    def _refill(box: QComboBox, items: list[tuple[str, Any]]) -> None:
        current = box.currentData()
        box.blockSignals(True)
        try:
            while box.count() > 1:
                box.removeItem(1)
            for text, value in items:
                box.addItem(text, value)
            idx = box.findData(current) if current is not None else 0
            box.setCurrentIndex(max(0, idx))
        finally:
            box.blockSignals(False)
        if current is not None and box.currentData() != current:
            box.currentIndexChanged.emit(box.currentIndex())  # the chosen chapter is gone: show all

    def _reselect(self, ids: set[uuid.UUID]) -> None:
        if not ids:
            return
        from PySide6.QtCore import QItemSelection, QItemSelectionModel

        selection = QItemSelection()
        for r in range(self.proxy.rowCount()):
            idx = self.proxy.index(r, 0)
            if idx.data(ID_ROLE) in ids:
                selection.select(idx, self.proxy.index(r, len(COLUMNS) - 1))
        self.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def clear(self) -> None:
        self.running.clear()
        self.model.set_rows([], {})
        self._fill_filters([], [])
        self._update_summary()
        self._update_buttons()
        self._show_detail()

    # -- selection and actions ----------------------------------------------------------------
    def selected_rows(self) -> list[Any]:
        return [self.proxy.data(r, FINDING_ROLE) for r in self.table.selectionModel().selectedRows()]

    def selected_ids(self) -> list[uuid.UUID]:
        return [f.id for f in self.selected_rows()]

    def _activated(self, index: QModelIndex) -> None:
        f = index.data(FINDING_ROLE)
        if f is None:
            return
        # A double-click is also an activation on most styles: one jump, not two.
        now = time.monotonic()
        if self._last_jump[0] == f.id and now - self._last_jump[1] < 0.5:
            return
        self._last_jump = (f.id, now)
        self.jumpRequested.emit(f)

    def _context_menu(self, pos: Any) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        f = index.data(FINDING_ROLE)
        menu = QMenu(self)
        go = menu.addAction(self.tr("Go to Passage"))
        go.setEnabled(f.chapter_id is not None)
        go.triggered.connect(lambda: self.jumpRequested.emit(f))
        menu.addSeparator()
        for text, button in (
            (self.tr("Resolve…"), self.resolve_button),
            (self.tr("Waive…"), self.waive_button),
            (self.tr("Reopen"), self.reopen_button),
        ):
            act = menu.addAction(text)
            act.setEnabled(button.isEnabled())
            act.triggered.connect(button.click)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def set_running(self, job_id: uuid.UUID, active: bool) -> None:
        """A QA run of this book started or ended: the footer says so, Run QA waits."""
        if active:
            self.running.add(job_id)
        else:
            self.running.discard(job_id)
        self._update_summary()
        self._update_buttons()

    def ask_note(self, status: str, count: int) -> str | None:
        """The note for a Resolve or Waive (None: the author cancelled). Tests replace this."""
        # Whole sentences for one and for several ("Why can 1 finding(s) stay…" read as a glitch).
        if status == "WAIVED":
            title = self.tr("Waive")
            prompt = (
                self.tr("Why can this finding stay as written?")
                if count == 1
                else self.tr("Why can these {0} findings stay as written?").format(count)
            )
        else:
            title = self.tr("Resolve")
            prompt = (
                self.tr("How was this finding dealt with? (optional)")
                if count == 1
                else self.tr("How were these {0} findings dealt with? (optional)").format(count)
            )
        prompt += "\n" + self.tr("The note is recorded with your name and the time.")
        text, ok = QInputDialog.getMultiLineText(self, title, prompt, "")
        return text.strip() if ok else None

    def set_selected_status(self, status: str, *, note: str | None = None) -> None:
        """Resolve, waive or reopen the whole selection in ONE service call (one transaction)."""
        ids = self.selected_ids()
        if not ids or self.services is None:
            return
        if note is None:
            note = self.ask_note(status, len(ids))
            if note is None:
                return
        services, user_id = self.services, (self.user.id if self.user else None)
        # FindingsChanged from the service refreshes the table.
        CollectionOp(self, lambda: services.qa.set_status_many(ids, status, note=note or None, user_id=user_id)).run()

    def _update_buttons(self) -> None:
        rows = self.selected_rows() if self.table.selectionModel() else []
        self.resolve_button.setEnabled(any(f.status != "RESOLVED" for f in rows))
        self.waive_button.setEnabled(any(f.status != "WAIVED" for f in rows))
        self.reopen_button.setEnabled(any(f.status != "OPEN" for f in rows))
        self.run_button.setEnabled(self.services is not None and self.project_id is not None)
        self.run_button.setText(self.tr("Checking…") if self.running else self.tr("Run QA"))

    def _update_summary(self) -> None:
        total = len(self.model.rows)
        blocking = sum(1 for f in self.model.rows if f.is_blocking and f.status == "OPEN")
        shown = self.proxy.rowCount()
        text = self.tr("{0} of {1} shown").format(shown, total)
        if blocking:
            text += self.tr(" · {0} blocking").format(blocking)
        self.summary.setText(text)

    def _show_detail(self) -> None:
        current = self.table.currentIndex()
        f = current.data(FINDING_ROLE) if current.isValid() else None
        if f is None:
            hint = self.tr("Double-click a finding to see it in the text.") if self.model.rows else ""
            self.detail.setText(f"<span style='color:#8a8f98'>{hint}</span>")
            return
        e = html.escape
        parts = [f"<b>{e(f.title)}</b>"]
        where = f.chapter_title or self.tr("Whole book")
        parts.append(
            f"<span style='color:#8a8f98'>{e(label(FINDING_TYPE_LABELS, f.finding_type))} · {e(where)}"
            + (f" · {e(self.tr('blocks export'))}" if f.is_blocking else "")
            + "</span>"
        )
        if f.description:
            parts.append(e(f.description).replace("\n", "<br>"))
        if f.excerpt:
            parts.append(f"<i>“{e(f.excerpt)}”</i>")
        if f.suggestion:
            parts.append(e(self.tr("Suggestion: {0}").format(f.suggestion)))
        if f.status != "OPEN":
            parts.append(f"<span style='color:#2f855a'>{e(settled(f))}</span>")
        self.detail.setText("<br>".join(parts))
