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

from ghostline_desktop.services.dto import ProjectSummary
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.drops import NOTE_SUFFIXES, split_drop
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
        """Text and Markdown files join the library right away; the rest waits for import (later version)."""
        if self.services is None or self.project is None:
            ops.show_info(self, self.tr("No project open"), self.tr("Open a project first, then drop files on it."))
            return
        notes = [p for p in paths if p.suffix.lower() in NOTE_SUFFIXES]
        later = [p for p in paths if p.suffix.lower() not in NOTE_SUFFIXES]
        services, project_id = self.services, self.project.id
        for path in notes:
            ops.run_op(
                services.sources.add_note_file(project_id, path),
                on_success=lambda s: self.status.showMessage(
                    self.tr("Added “{0}” to the source library.").format(s.title), 5000
                ),
                parent=self,
            )
        if later:
            names = ", ".join(p.name for p in later[:5]) + (" …" if len(later) > 5 else "")
            ops.show_info(
                self,
                self.tr("Importing files arrives in a later version"),
                self.tr(
                    "GhostLine cannot read {0} yet: importing PDF, Word, EPUB, image and audio files arrives in a "
                    "later version. Text and Markdown files are added to the library right away."
                ).format(names),
            )
