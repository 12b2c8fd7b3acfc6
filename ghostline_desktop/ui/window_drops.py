"""Drag and drop onto the main window, and what happens to the dropped files.

A mixin so main_window.py stays small; it only uses attributes MainWindow defines
(status, drop_overlay, sources, services, project).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import QMainWindow

from ghostline_desktop.services.dto import ImportBatch, ProjectSummary
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.drops import split_drop
from ghostline_desktop.ui.panels.sources import SourcesPanel
from ghostline_desktop.ui.status_bar import StatusBar
from ghostline_desktop.ui.widgets.drop_overlay import DropOverlay

if TYPE_CHECKING:
    from ghostline_desktop.services.container import Services

    _Base = QMainWindow
else:
    _Base = object  # a plain mixin at run time; QMainWindow comes from MainWindow's own bases


class DropHandling(_Base):
    status: StatusBar
    drop_overlay: DropOverlay
    sources: SourcesPanel
    services: Services | None
    project: ProjectSummary | None

    @staticmethod
    def _local_paths(urls: list[QUrl]) -> list[Path]:
        return [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        paths = self._local_paths(event.mimeData().urls()) if event.mimeData().hasUrls() else []
        accepted, refused = split_drop(paths)
        if accepted:
            event.acceptProposedAction()
            n = len(accepted)
            self.drop_overlay.show_for(self.tr("Drop to add {0} file(s) to the source library").format(n))
            if refused:
                self.status.showMessage(self._refusal_text(refused), 8000)
        else:
            event.ignore()
            if refused:
                self.status.showMessage(self._refusal_text(refused), 8000)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_overlay.hide()
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_overlay.hide()
        accepted, refused = split_drop(self._local_paths(event.mimeData().urls()))
        if refused:
            self.status.showMessage(self._refusal_text(refused), 10000)
        if not accepted:
            event.ignore()
            return
        event.acceptProposedAction()
        self.sources.receive_paths(accepted)

    def _refusal_text(self, refused: list[tuple[Path, str]]) -> str:
        first, reason = refused[0]
        text = self.tr("Not added: “{0}” — {1}.").format(first.name, reason)
        if len(refused) > 1:
            text += self.tr(" (and {0} more)").format(len(refused) - 1)
        return text

    def import_paths(self, paths: list[Path]) -> None:
        """Dropped or chosen files and folders join the library through the ingestion jobs."""
        if self.services is None or self.project is None:
            ops.show_info(self, self.tr("No project open"), self.tr("Open a project first, then drop files on it."))
            return

        def done(batch: ImportBatch) -> None:
            if batch.refused:
                self.status.showMessage(self._refusal_text([(Path(n), r) for n, r in batch.refused]), 10000)
            elif batch.accepted:
                self.status.showMessage(self.tr("Importing {0} file(s)…").format(len(batch.accepted)), 5000)

        ops.run_op(self.services.ingestion.import_paths(self.project.id, paths), on_success=done, parent=self)
