"""Source library: the author's raw material with its state (queued, uploading, processing with
progress, ready, failed with the reason), and a search box over the passages of every source.

The panel reads (list, search) itself; anything with a dialog or a write (import, retry with a
password, cancel, delete, notes, the source viewer) it asks for with a …Requested signal, which
the main window routes to ``ui/library_controller.py``.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.core.enums import TaskType
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.ops import QueryOp
from ghostline_desktop.ui.panels.base import PanelDock
from ghostline_desktop.ui.panels.source_rows import (
    HTML_ROLE,
    JOB_ROLE,
    ROW_ROLE,
    HtmlDelegate,
    SourceRowDelegate,
    describe,
)
from ghostline_desktop.ui.widgets.icons import material_icon

if TYPE_CHECKING:
    from ghostline_desktop.services.dto import JobInfo, SearchHit, SourceSummary

SEARCH_DEBOUNCE_MS = 250
REFRESH_COALESCE_MS = 150  # a folder import finishes many files a second: one reload for a burst
SEARCH_LIMIT = 30
ID_ROLE = Qt.ItemDataRole.UserRole


def where_text(hit: Any) -> str:
    parts = []
    if hit.page:
        parts.append(f"p. {hit.page}")
    if hit.section:
        parts.append(str(hit.section))
    return " · ".join(parts)


class SourcesPanel(PanelDock):
    #: Files or folders dropped on the window (or on this panel) to import.
    importRequested = Signal(list)
    #: The Import… button: choose files to import.
    importFilesRequested = Signal()
    newNoteRequested = Signal()
    editNoteRequested = Signal(object)  # SourceSummary of a NOTE
    retryRequested = Signal(object)  # SourceSummary (FAILED)
    cancelRequested = Signal(object)  # SourceSummary (being processed)
    deleteRequested = Signal(object)  # SourceSummary
    #: Show a source's text from the start.
    sourceActivated = Signal(object)  # SourceSummary
    #: Show a source's text at a search result's passage, the query's words marked.
    passageRequested = Signal(object, list)  # SearchHit, query words

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Source library"), "panel.sources", parent)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        self.search = QLineEdit(body)
        self.search.setObjectName("sourceSearch")
        self.search.setPlaceholderText(self.tr("Search passages in your sources…"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.embedder_label = QLabel(body)
        self.embedder_label.setObjectName("embedderLabel")
        self.embedder_label.setProperty("role", "hint")
        self.embedder_label.setWordWrap(True)
        self.embedder_label.hide()
        layout.addWidget(self.embedder_label)

        self.stack = QStackedWidget(body)
        self.list = QListWidget(self.stack)
        self.list.setObjectName("sourceList")
        self.list.setItemDelegate(SourceRowDelegate(self.list))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setUniformItemSizes(False)
        self.empty = QLabel(self.stack)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.results = QListWidget(self.stack)
        self.results.setObjectName("searchResults")
        self.results.setItemDelegate(HtmlDelegate(self.results))
        self.results.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.results.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # results wrap
        self.results.setSpacing(2)
        self.no_results = QLabel(self.stack)
        self.no_results.setObjectName("noResults")
        self.no_results.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_results.setWordWrap(True)
        for w in (self.list, self.empty, self.results, self.no_results):
            self.stack.addWidget(w)
        layout.addWidget(self.stack, 1)

        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        self.import_button = self._button(self.tr("Import…"), self.importFilesRequested.emit, body)
        self.note_button = self._button(self.tr("New note"), self.newNoteRequested.emit, body)
        self.retry_button = self._button(self.tr("Retry"), lambda: self._on_selected(self.retryRequested), body)
        self.cancel_button = self._button(self.tr("Cancel"), lambda: self._on_selected(self.cancelRequested), body)
        self.delete_button = self._button(self.tr("Delete"), lambda: self._on_selected(self.deleteRequested), body)
        for b in (self.import_button, self.note_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.retry_button, self.cancel_button, self.delete_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.count_label = QLabel(body)
        self.count_label.setObjectName("panelFooter")
        layout.addWidget(self.count_label)
        self.setWidget(body)

        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.run_search)
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_COALESCE_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.list.itemActivated.connect(lambda item: self.sourceActivated.emit(item.data(ROW_ROLE)))
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.results.itemActivated.connect(
            lambda item: self.passageRequested.emit(item.data(ID_ROLE), (self.searched or "").split())
        )
        self.rows: list[SourceSummary] = []
        self.items: dict[uuid.UUID, QListWidgetItem] = {}
        self.jobs: dict[uuid.UUID, JobInfo] = {}  # active job per source id, from JobChanged
        self.hits: list[SearchHit] = []
        self.searched: str | None = None  # the query the results list shows
        self.embedder = ""  # services.search.embedder_label(), from the last search
        self.indexing: JobInfo | None = None  # the project's running embedding job
        self._seen_jobs: set[uuid.UUID] = set()
        self.clear()

    @staticmethod
    def _button(text: str, slot: Callable[[], object], parent: QWidget) -> QToolButton:
        b = QToolButton(parent)
        b.setText(text)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        b.clicked.connect(lambda _c=False: slot())
        return b

    # -- library rows ---------------------------------------------------------------------
    def refresh(self) -> None:
        if self.services is None or self.project_id is None:
            return
        services, project_id = self.services, self.project_id
        QueryOp(self, lambda: services.sources.list_sources(project_id)).named(f"sources.list.{id(self)}").success(
            lambda rows: self._show(project_id, rows)
        ).run()

    def open_project(self, project_id: uuid.UUID) -> None:
        super().open_project(project_id)
        if self.services is not None:
            # Jobs already running (imports resumed at start-up, indexing): their later events
            # update the rows; this gives the rows their state until the next event arrives.
            services = self.services
            QueryOp(self, lambda: services.jobs.list_jobs(project_id)).success(
                lambda jobs: self._seed_jobs(project_id, jobs)
            ).run()

    def _seed_jobs(self, project_id: uuid.UUID, jobs: list[JobInfo]) -> None:
        if project_id != self.project_id:
            return
        for job in jobs:
            if job.id in self._seen_jobs:
                continue  # an event already told us something fresher
            if job.source_id is not None:
                self.jobs.setdefault(job.source_id, job)
                item = self.items.get(job.source_id)
                if item is not None:
                    self._apply(item, item.data(ROW_ROLE))
            elif job.task_type is TaskType.EMBEDDING and self.indexing is None:
                self.indexing = job
        self._update_buttons()

    def schedule_refresh(self) -> None:
        self._refresh_timer.start()

    def on_sources_changed(self, event: Any) -> None:
        """Bridge slot. Our own change (a delete started here) is already on screen."""
        if event.project_id != self.project_id or ops.is_own(event, self):
            return
        self.schedule_refresh()

    def on_job_changed(self, event: Any) -> None:
        """Bridge slot: live progress for a row; a job that ended means the row changed."""
        job: JobInfo = event.job
        if job.project_id != self.project_id:
            return
        self._seen_jobs.add(job.id)
        if job.source_id is None:
            if job.task_type is TaskType.EMBEDDING:  # the project's passages getting their vectors
                self.indexing = job if job.active else None
                self._show_embedder()
            return
        if job.active:
            self.jobs[job.source_id] = job
        else:
            self.jobs.pop(job.source_id, None)
            self.schedule_refresh()
        item = self.items.get(job.source_id)
        if item is None:
            if job.active:
                self.schedule_refresh()  # a row this panel has not seen yet
            return
        self._apply(item, item.data(ROW_ROLE))
        self._update_buttons()

    def _show(self, project_id: uuid.UUID, rows: list[SourceSummary]) -> None:
        if project_id != self.project_id:
            return  # an answer for a project that is no longer open
        selected = self.selected_row()
        scroll = self.list.verticalScrollBar().value()
        self.rows = list(rows)
        self.list.clear()
        self.items = {}
        for row in self.rows:
            item = QListWidgetItem(material_icon(row.material_type), "")
            item.setData(ID_ROLE, row.id)
            self._apply(item, row)
            self.list.addItem(item)
            self.items[row.id] = item
        if selected is not None and selected.id in self.items:
            self.list.setCurrentItem(self.items[selected.id])
        self.list.verticalScrollBar().setValue(scroll)
        if not self.searched:
            self._show_library()
        self._update_buttons()

    def _apply(self, item: QListWidgetItem, row: SourceSummary) -> None:
        job = self.jobs.get(row.id)
        view = describe(row, job)
        item.setData(ROW_ROLE, row)
        item.setData(JOB_ROLE, job)
        item.setText(f"{row.title}\n{view.meta}" + (f"\n{view.detail}" if view.detail else ""))
        tip = [row.title]
        if row.original_filename and row.original_filename != row.title:
            tip.append(row.original_filename)
        if view.detail:
            tip.append(view.detail)
        item.setToolTip("\n".join(tip))

    def remove_row(self, source_id: uuid.UUID) -> None:
        """Drop a row at once (this panel deleted it; the echo event is skipped)."""
        item = self.items.pop(source_id, None)
        if item is not None:
            self.list.takeItem(self.list.row(item))
        self.rows = [r for r in self.rows if r.id != source_id]
        if not self.searched:
            self._show_library()
        self._update_buttons()

    def _show_library(self) -> None:
        self.embedder_label.hide()
        if self.rows:
            self.stack.setCurrentWidget(self.list)
        else:
            self.empty.setText(
                self.tr("Drag files or folders here…\n\nPDF, Word, EPUB, text, Markdown, HTML, images and audio.")
            )
            self.stack.setCurrentWidget(self.empty)
        n = len(self.rows)
        busy = sum(1 for r in self.rows if r.id in self.jobs)
        text = self.tr("1 source") if n == 1 else self.tr("{0} sources").format(n)
        if busy:
            text += self.tr(" · {0} importing").format(busy)
        self.count_label.setText(text)

    def selected_row(self) -> SourceSummary | None:
        item = self.list.currentItem()
        return item.data(ROW_ROLE) if item is not None and item.isSelected() else None

    def _on_selected(self, signal: Any) -> None:
        row = self.selected_row()
        if row is not None:
            signal.emit(row)

    def _can(self, row: SourceSummary | None) -> dict[str, bool]:
        busy = row is not None and (row.id in self.jobs or row.processing_status in ("UPLOADING", "PROCESSING"))
        return {
            "retry": row is not None and row.processing_status == "FAILED" and row.id not in self.jobs,
            "cancel": busy and row is not None and row.processing_status != "READY",
            "delete": row is not None,
            "edit": row is not None and row.material_type == "NOTE",
        }

    def _update_buttons(self) -> None:
        ready = self.project_id is not None and self.services is not None
        can = self._can(self.selected_row())
        self.import_button.setEnabled(ready)
        self.note_button.setEnabled(ready)
        self.retry_button.setEnabled(can["retry"])
        self.cancel_button.setEnabled(can["cancel"])
        self.delete_button.setEnabled(can["delete"])
        self.retry_button.setVisible(can["retry"] or not can["cancel"])
        self.cancel_button.setVisible(can["cancel"])

    def row_actions(self, row: SourceSummary | None) -> list[tuple[str, Callable[[], object]]]:
        """The context menu's entries for ``row`` (None: the empty area)."""
        out: list[tuple[str, Callable[[], object]]] = []
        if row is not None:
            can = self._can(row)
            out.append((self.tr("Open"), lambda: self.sourceActivated.emit(row)))
            if can["edit"]:
                out.append((self.tr("Edit Note…"), lambda: self.editNoteRequested.emit(row)))
            if can["cancel"]:
                out.append((self.tr("Cancel Import"), lambda: self.cancelRequested.emit(row)))
            if can["retry"]:
                out.append((self.tr("Retry"), lambda: self.retryRequested.emit(row)))
            out.append((self.tr("Delete…"), lambda: self.deleteRequested.emit(row)))
        if self.project_id is not None:
            out.append((self.tr("New Note…"), self.newNoteRequested.emit))
            out.append((self.tr("Import Sources…"), self.importFilesRequested.emit))
        return out

    def _context_menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is not None:
            self.list.setCurrentItem(item)
        actions = self.row_actions(item.data(ROW_ROLE) if item is not None else None)
        if not actions:
            return
        menu = QMenu(self.list)
        for text, slot in actions:
            menu.addAction(text).triggered.connect(lambda _c=False, s=slot: s())
        menu.exec(self.list.viewport().mapToGlobal(pos))

    # -- search -----------------------------------------------------------------------------
    def run_search(self) -> None:
        query = " ".join(self.search.text().split())
        if not query:
            self.searched = None
            self.hits = []
            self.results.clear()
            if ops.installed():
                ops.registry().cancel(f"sources.search.{id(self)}")  # a stale answer must not show
            self._show_library()
            return
        if self.services is None or self.project_id is None:
            return
        services, project_id = self.services, self.project_id

        async def search() -> tuple[list[SearchHit], str]:
            hits = await services.search.search(project_id, query, limit=SEARCH_LIMIT)
            return hits, services.search.embedder_label()

        QueryOp(self, search).named(f"sources.search.{id(self)}").success(
            lambda result: self._show_results(project_id, query, *result)
        ).run()

    def _show_results(self, project_id: uuid.UUID, query: str, hits: list[SearchHit], embedder: str) -> None:
        if project_id != self.project_id or query != " ".join(self.search.text().split()):
            return  # the author typed on (or switched project) meanwhile
        self.searched = query
        self.hits = list(hits)
        self.embedder = embedder
        self._show_embedder()
        self.results.clear()
        hint = self.palette().color(self.palette().ColorRole.PlaceholderText).name()
        for hit in self.hits:
            where = where_text(hit)
            head = f"<b>{html.escape(hit.source_title)}</b>"
            if where:
                head += f' <span style="color:{hint}">· {html.escape(where)}</span>'
            item = QListWidgetItem(f"{hit.source_title}" + (f" · {where}" if where else "") + f"\n{hit.text[:200]}")
            item.setData(ID_ROLE, hit)
            item.setData(HTML_ROLE, f"{head}<br>{hit.snippet_html}")
            item.setToolTip(self.tr("Relevance {0:.3f} — press Enter or double-click to open").format(hit.score))
            self.results.addItem(item)
        if self.hits:
            self.stack.setCurrentWidget(self.results)
            n = len(self.hits)
            self.count_label.setText(self.tr("1 passage") if n == 1 else self.tr("{0} passages").format(n))
        else:
            self.no_results.setText(
                self.tr("No passage matches “{0}”.\n\nSources still importing are searchable once Ready.").format(query)
            )
            self.stack.setCurrentWidget(self.no_results)
            self.count_label.setText(self.tr("No results"))

    def _show_embedder(self) -> None:
        """Which embedder ranks results, and whether meaning search is still catching up."""
        text = self.embedder
        if self.indexing is not None:
            pct = round(self.indexing.progress * 100)
            text += self.tr(" · still indexing new passages ({0}%): until then they match by words only").format(pct)
        self.embedder_label.setText(text)
        self.embedder_label.setVisible(bool(self.searched))

    # -- lifecycle ---------------------------------------------------------------------------
    def clear(self) -> None:
        self.rows = []
        self.items = {}
        self.jobs = {}
        self.hits = []
        self.searched = None
        self.indexing = None
        self._seen_jobs = set()
        self.list.clear()
        self.results.clear()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.embedder_label.hide()
        self.empty.setText(self.tr("Drag files here…\n\nOpen a project to see its sources."))
        self.stack.setCurrentWidget(self.empty)
        self.count_label.setText("")
        self._update_buttons()

    # -- drops ------------------------------------------------------------------------------
    def receive_paths(self, paths: list[Path]) -> None:
        """The main window routes dropped files here; the panel asks for them to be imported."""
        if paths:
            self.importRequested.emit(list(paths))
