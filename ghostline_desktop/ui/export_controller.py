"""File ▸ Export Manuscript ▸ PDF…/DOCX…/EPUB…/Markdown…/HTML… (issue 12).

Loads the chapters, the dialog defaults and the export history, shows the options dialog,
starts the EXPORT job, follows its progress through the bridge's ``jobChanged``, and ends
with "Show in folder" / "Open". A refused export (open blocking QA findings) shows the
gating dialog, whose "Go to Finding" goes through ``win.qa_control.jump_to``.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QStandardPaths

from ghostline_desktop.core.enums import TaskStatus
from ghostline_desktop.errors import ExportBlockedError, GhostlineError
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.dialogs import export_options
from ghostline_desktop.ui.dialogs.blocking_findings import BlockingFindingsDialog
from ghostline_desktop.ui.dialogs.export_options import ExportOptionsDialog
from ghostline_desktop.ui.ops import CollectionOp, QueryOp

if TYPE_CHECKING:
    from ghostline_desktop.services.export_types import ExportInfo, ExportStarted
    from ghostline_desktop.ui.main_window import MainWindow


def default_output_dir() -> Path:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs) if docs else Path.home()


class ExportController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.win = window
        self.services: Any = None
        self.user: Any = None
        self.dialog: ExportOptionsDialog | None = None
        self.blocked: BlockingFindingsDialog | None = None
        self.job_id: uuid.UUID | None = None
        self.export_id: uuid.UUID | None = None
        self.destination: Path | None = None
        self.output_dir: Path | None = None
        window.bridge.jobChanged.connect(self._job_changed)
        window.bridge.exportsChanged.connect(self._exports_changed)

    def attach(self, services: Any, user: Any) -> None:
        self.services = services
        self.user = user

    # -- the menu ----------------------------------------------------------------------------
    def export(self, fmt: str) -> None:
        """``fmt`` is one of menus.EXPORT_FORMATS."""
        project = self.win.project
        if self.services is None or project is None:
            return
        if self.dialog is not None and self.dialog.running:
            # An export is still running (its dialog may have been closed): show its progress.
            self.dialog.open()
            self.dialog.raise_()
            return
        services, project_id, user_id = self.services, project.id, self.user.id if self.user else None

        async def load() -> tuple[list[Any], dict[str, Any], list[ExportInfo]]:
            chapters = await services.chapters.list_chapters(project_id)
            defaults = await services.exports.defaults(project_id, user_id)
            history = await services.exports.history(project_id)
            return chapters, defaults, history

        QueryOp(self.win, load).named("export.load").success(lambda r: self._show(fmt, project_id, *r)).run()

    def _show(
        self, fmt: str, project_id: uuid.UUID, chapters: list[Any], defaults: dict[str, Any], history: list[Any]
    ) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        if not chapters:
            ops.show_info(self.win, self.tr("Nothing to export"), self.tr("This book has no chapters yet."))
            return
        dlg = ExportOptionsDialog(
            fmt, chapters, defaults, output_dir=self.output_dir or default_output_dir(), parent=self.win
        )
        dlg.set_history(history)
        dlg.exportRequested.connect(lambda: self._start(project_id))
        dlg.cancelRequested.connect(self._cancel)
        dlg.historyOpenRequested.connect(self._open_history)
        self.dialog = dlg
        dlg.open()

    # -- running -----------------------------------------------------------------------------
    def _start(self, project_id: uuid.UUID) -> None:
        dlg = self.dialog
        if dlg is None or self.services is None:
            return
        try:
            request = dlg.request(project_id, self.user.id if self.user else None)
        except GhostlineError as exc:
            dlg.status.setText(str(exc))
            return
        self.destination = Path(request.destination) if request.destination else None
        if self.destination is not None:
            self.output_dir = self.destination.parent
        dlg.set_running(True, self.tr("Starting the export…"))
        services = self.services

        def started(result: ExportStarted) -> None:
            self.job_id, self.export_id = result.job_id, result.export_id

        def failed(exc: BaseException) -> None:
            dlg.set_running(False)
            if isinstance(exc, ExportBlockedError):
                self.show_blocked(list(exc.findings))
            else:
                dlg.show_failed(str(exc) if isinstance(exc, GhostlineError) else self.tr("The export failed."))
                ops.report_error(exc, dlg)

        CollectionOp(dlg, lambda: services.exports.start(request)).success(started).failure(failed).run()

    def show_blocked(self, findings: list[Any]) -> None:
        dlg = BlockingFindingsDialog(findings, self.dialog or self.win)
        dlg.jumpRequested.connect(self._jump)
        self.blocked = dlg
        dlg.open()

    def _jump(self, finding: Any) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        self.win.qa_control.jump_to(finding)

    def _cancel(self) -> None:
        if self.job_id is None or self.services is None:
            return
        services, job_id = self.services, self.job_id
        CollectionOp(self.win, lambda: _cancel_job(services, job_id)).run()

    def _job_changed(self, event: Any) -> None:
        job = event.job
        dlg = self.dialog
        if dlg is None or job.id != self.job_id:
            return
        if job.status is TaskStatus.RUNNING:
            dlg.set_progress(job.progress, job.message)
        elif job.status is TaskStatus.COMPLETED:
            self.job_id = None
            if self.destination is not None:
                dlg.show_done(self.destination)
            self._reload_history()
        elif job.status in (TaskStatus.FAILED, TaskStatus.CANCELLED):
            self.job_id = None
            text = self.tr("Export cancelled.") if job.status is TaskStatus.CANCELLED else (job.error or "")
            dlg.show_failed(text)
            self._reload_history()

    def _exports_changed(self, event: Any) -> None:
        if self.dialog is not None and self.win.project is not None and event.project_id == self.win.project.id:
            self._reload_history()

    def _reload_history(self) -> None:
        dlg, project = self.dialog, self.win.project
        if dlg is None or project is None or self.services is None:
            return
        services, project_id = self.services, project.id
        QueryOp(dlg, lambda: services.exports.history(project_id)).named("export.history").success(
            dlg.set_history
        ).run()

    def _open_history(self, info: ExportInfo) -> None:
        if info.path is not None and info.path.exists():
            export_options.open_path(info.path)
        else:
            ops.show_info(self.win, self.tr("File not found"), self.tr("That export's file is no longer there."))


async def _cancel_job(services: Any, job_id: uuid.UUID) -> bool:
    return bool(services.exports.cancel(job_id))
