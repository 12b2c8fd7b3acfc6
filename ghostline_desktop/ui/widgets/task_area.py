"""The status bar's task area: a compact button ("2 tasks · 40%") that opens a list of the running,
queued and failed background jobs, each with its progress, message, and Cancel / Retry / Dismiss.

Fed by the bridge's ``jobChanged`` signal (every change of every job) plus one
``jobs.list_jobs(active_only=False)`` when the services attach, so jobs started before the window
existed (resumed imports) show too. Finished jobs leave the list (their closing message flashes in
the status bar); failed ones stay until retried or dismissed.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.core.enums import TaskStatus
from ghostline_desktop.services.dto import JobInfo
from ghostline_desktop.ui.ops import CollectionOp, QueryOp

if TYPE_CHECKING:
    from ghostline_desktop.services.container import Services

#: Rows the popup shows at most (a folder of 1,000 files queues 1,000 jobs).
MAX_ROWS = 50
_ORDER = {TaskStatus.FAILED: 0, TaskStatus.RUNNING: 1, TaskStatus.PENDING: 2}


def _shown(job: JobInfo) -> bool:
    return job.active or job.status is TaskStatus.FAILED


class JobRow(QFrame):
    """One job: label, progress bar, message or error, and its buttons."""

    cancelClicked = Signal(object)
    retryClicked = Signal(object)
    dismissClicked = Signal(object)

    def __init__(self, job: JobInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobRow")
        self.job = job
        self.title = QLabel(self)
        self.title.setObjectName("jobTitle")
        self.title.setWordWrap(True)
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("jobProgress")
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        self.detail = QLabel(self)
        self.detail.setObjectName("jobDetail")
        self.detail.setWordWrap(True)
        self.detail.setProperty("role", "hint")
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.retry_button = QPushButton(self.tr("Retry"), self)
        self.dismiss_button = QPushButton(self.tr("Dismiss"), self)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addStretch(1)
        for b in (self.cancel_button, self.retry_button, self.dismiss_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.bar)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        self.cancel_button.clicked.connect(lambda: self.cancelClicked.emit(self.job))
        self.retry_button.clicked.connect(lambda: self.retryClicked.emit(self.job))
        self.dismiss_button.clicked.connect(lambda: self.dismissClicked.emit(self.job))
        self.set_job(job)

    def set_job(self, job: JobInfo) -> None:
        self.job = job
        failed = job.status is TaskStatus.FAILED
        self.title.setText(job.label)
        self.bar.setVisible(job.active)
        if job.status is TaskStatus.PENDING:
            self.detail.setText(self.tr("Queued"))
            self.bar.setValue(0)
        elif job.active:
            pct = round(max(0.0, min(1.0, job.progress)) * 100)
            self.bar.setValue(pct)
            self.detail.setText(f"{pct}% · {job.message}" if job.message else f"{pct}%")
        else:
            self.detail.setText(job.error or self.tr("Failed"))
        self.detail.setProperty("role", "error" if failed else "hint")
        self.detail.style().unpolish(self.detail)
        self.detail.style().polish(self.detail)
        self.cancel_button.setVisible(job.active)
        self.retry_button.setVisible(failed and job.retryable)
        self.dismiss_button.setVisible(failed)


class JobsPopup(QFrame):
    """The list that drops up from the task button; closes when the author clicks elsewhere."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("jobsPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(380)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.heading = QLabel(self.tr("Background tasks"), self)
        self.heading.setProperty("role", "heading")
        outer.addWidget(self.heading)
        self.scroller = QScrollArea(self)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QWidget(self.scroller)
        self.rows_layout = QVBoxLayout(self.body)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(2)
        self.rows_layout.addStretch(1)
        self.scroller.setWidget(self.body)
        outer.addWidget(self.scroller, 1)
        self.more = QLabel(self)
        self.more.setProperty("role", "hint")
        outer.addWidget(self.more)
        self.empty = QLabel(self.tr("Nothing is running."), self)
        self.empty.setProperty("role", "hint")
        outer.addWidget(self.empty)

    def show_above(self, anchor: QWidget) -> None:
        self.resize(max(self.minimumWidth(), 380), min(420, self.sizeHint().height() + 40))
        top_right = anchor.mapToGlobal(QPoint(anchor.width(), 0))
        self.move(top_right.x() - self.width(), top_right.y() - self.height() - 2)
        self.show()


class TaskArea(QToolButton):
    """The button plus its popup and the model of shown jobs (ordered by id of appearance)."""

    #: A failed import's Retry: the library decides how (it may need a password first).
    sourceRetryRequested = Signal(object)  # source id
    #: A job finished well: the status bar flashes its closing message (e.g. "already in the library").
    jobCompleted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskButton")
        self.setAutoRaise(True)
        self.services: Services | None = None
        self.jobs: dict[uuid.UUID, JobInfo] = {}
        self.rows: dict[uuid.UUID, JobRow] = {}
        self._seen: set[uuid.UUID] = set()  # ids already known from events (fresher than a listing)
        self.popup = JobsPopup(self)
        self.clicked.connect(lambda: self.popup.show_above(self))
        self._render()

    # -- data -------------------------------------------------------------------------------
    def attach(self, services: Services) -> None:
        self.services = services
        QueryOp(self, lambda: services.jobs.list_jobs(active_only=False)).named(f"tasks.list.{id(self)}").success(
            self._listed
        ).run()

    def _listed(self, jobs: list[JobInfo]) -> None:
        for job in jobs:
            if job.id not in self._seen and _shown(job):
                self.jobs[job.id] = job
        self._render()

    def on_job_changed(self, event: object) -> None:
        job: JobInfo = event.job  # type: ignore[attr-defined]
        self._seen.add(job.id)
        if _shown(job):
            if job.id not in self.jobs and job.source_id is not None:
                self._supersede(job)
            self.jobs[job.id] = job
        else:
            self.jobs.pop(job.id, None)
            if job.status is TaskStatus.COMPLETED:
                self.jobCompleted.emit(job)
        self._render()

    def _supersede(self, new: JobInfo) -> None:
        """A new job for a source replaces its failed predecessors (retried from the library)."""
        for old in [j for j in self.jobs.values() if j.source_id == new.source_id and not j.active]:
            self._forget(old)

    def active_count(self) -> int:
        return sum(1 for j in self.jobs.values() if j.active)

    def failed_count(self) -> int:
        return sum(1 for j in self.jobs.values() if j.status is TaskStatus.FAILED)

    # -- actions ----------------------------------------------------------------------------
    def cancel(self, job: JobInfo) -> None:
        if self.services is not None:
            services = self.services
            CollectionOp(self, lambda: services.jobs.cancel(job.id)).run()

    def retry(self, job: JobInfo) -> None:
        if job.source_id is not None:
            self.sourceRetryRequested.emit(job.source_id)
            return
        if self.services is None:
            return
        services = self.services

        def retried(new: JobInfo) -> None:
            self.jobs.pop(job.id, None)
            self.jobs.setdefault(new.id, new)
            self._render()

        CollectionOp(self, lambda: services.jobs.retry(job.id)).success(retried).run()

    def dismiss(self, job: JobInfo) -> None:
        self._forget(job)
        self._render()

    def _forget(self, job: JobInfo) -> None:
        self.jobs.pop(job.id, None)
        if self.services is not None:
            services = self.services
            CollectionOp(self, lambda: services.jobs.dismiss(job.id)).run()

    # -- display ----------------------------------------------------------------------------
    def _render(self) -> None:
        active = [j for j in self.jobs.values() if j.active]
        failed = self.failed_count()
        if not active and not failed:
            self.setText(self.tr("No background tasks"))
            self.setToolTip(self.tr("Imports and other long work show here while they run."))
        else:
            parts = []
            if active:
                pct = round(100 * sum(j.progress for j in active) / len(active))
                n = len(active)
                one, many = self.tr("1 task · {1}%"), self.tr("{0} tasks · {1}%")
                parts.append((one if n == 1 else many).format(n, pct))
            if failed:
                parts.append(self.tr("{0} failed").format(failed))
            self.setText(" · ".join(parts))
            self.setToolTip(self.tr("Show background tasks"))
        self.setProperty("failed", bool(failed))
        self.style().unpolish(self)
        self.style().polish(self)
        self._render_rows()

    def _render_rows(self) -> None:
        ordered = sorted(self.jobs.values(), key=lambda j: (_ORDER.get(j.status, 3), j.created_at))
        shown = ordered[:MAX_ROWS]
        keep = {j.id for j in shown}
        for job_id in [i for i in self.rows if i not in keep]:
            row = self.rows.pop(job_id)
            row.setParent(None)
            row.deleteLater()
        layout = self.popup.rows_layout
        for index, job in enumerate(shown):
            existing = self.rows.get(job.id)
            if existing is None:
                row = JobRow(job, self.popup.body)
                row.cancelClicked.connect(self.cancel)
                row.retryClicked.connect(self.retry)
                row.dismissClicked.connect(self.dismiss)
                self.rows[job.id] = row
            else:
                row = existing
                row.set_job(job)
            if layout.indexOf(row) != index:
                layout.removeWidget(row)
                layout.insertWidget(index, row)
        extra = len(ordered) - len(shown)
        self.popup.more.setText(self.tr("…and {0} more queued").format(extra) if extra > 0 else "")
        self.popup.more.setVisible(extra > 0)
        self.popup.empty.setVisible(not ordered)
