"""Source library: the author's raw material with type, status and size, and a search box."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QStackedWidget, QVBoxLayout, QWidget

from ghostline_desktop.services.labels import MATERIAL_TYPE_LABELS, PROCESSING_STATUS_LABELS, label
from ghostline_desktop.ui.ops import run_op
from ghostline_desktop.ui.panels.base import PanelDock
from ghostline_desktop.ui.widgets.icons import material_icon

SEARCH_DEBOUNCE_MS = 250


class SourcesPanel(PanelDock):
    #: Files dropped on the window (or on this panel) that the author wants imported.
    importRequested = Signal(list)
    #: The author picked a source (id), e.g. to show it later in a viewer.
    sourceActivated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Source library"), "panel.sources", parent)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        self.search = QLineEdit(body)
        self.search.setPlaceholderText(self.tr("Search sources…"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.stack = QStackedWidget(body)
        self.list = QListWidget(self.stack)
        self.list.setObjectName("sourceList")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.empty = QLabel(self.stack)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        self.count_label = QLabel(body)
        self.count_label.setObjectName("panelFooter")
        layout.addWidget(self.count_label)
        self.setWidget(body)
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.list.itemActivated.connect(lambda item: self.sourceActivated.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.rows: list[Any] = []
        self.clear()

    # -- data -----------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.services is None or self.project_id is None:
            return
        project_id = self.project_id
        search = self.search.text().strip() or None
        run_op(
            self.services.sources.list_sources(project_id, search=search),
            on_success=lambda rows: self._show(project_id, rows, search),
            parent=self,
            name=f"sources.list.{id(self)}",
        )

    def _show(self, project_id: uuid.UUID, rows: list[Any], search: str | None) -> None:
        if project_id != self.project_id:
            return  # an answer for a project that is no longer open
        self.rows = list(rows)
        self.list.clear()
        for row in self.rows:
            item = QListWidgetItem(material_icon(row.material_type), self._item_text(row))
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            item.setToolTip(self._tooltip(row))
            self.list.addItem(item)
        if self.rows:
            self.stack.setCurrentWidget(self.list)
        else:
            self.empty.setText(
                self.tr("No source matches “{0}”.").format(search)
                if search
                else self.tr("Drag files here…\n\nPDF, Word, EPUB, text, Markdown, images and audio.")
            )
            self.stack.setCurrentWidget(self.empty)
        n = len(self.rows)
        self.count_label.setText(self.tr("{0} source(s)").format(n) if n != 1 else self.tr("1 source"))

    def _item_text(self, row: Any) -> str:
        status = label(PROCESSING_STATUS_LABELS, row.processing_status)
        kind = label(MATERIAL_TYPE_LABELS, row.material_type)
        words = self.tr("{0:,} words").format(row.word_count or 0)
        return f"{row.title}\n{kind} · {status} · {words}"

    def _tooltip(self, row: Any) -> str:
        parts = [row.title]
        if row.original_filename:
            parts.append(row.original_filename)
        if row.error_message:
            parts.append(self.tr("Error: {0}").format(row.error_message))
        return "\n".join(parts)

    def clear(self) -> None:
        self.rows = []
        self.list.clear()
        self.empty.setText(self.tr("Drag files here…\n\nOpen a project to see its sources."))
        self.stack.setCurrentWidget(self.empty)
        self.count_label.setText("")

    # -- drops ------------------------------------------------------------------------------
    def receive_paths(self, paths: list[Path]) -> None:
        """The main window routes dropped files here; the panel asks for them to be imported."""
        if paths:
            self.importRequested.emit(list(paths))
