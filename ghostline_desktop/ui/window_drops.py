"""Drag and drop onto the main window, and what happens to the dropped files.

A mixin so main_window.py stays small; it only uses attributes MainWindow defines
(status, drop_overlay, sources). Accepted files and folders go to the source library panel, which
asks for them to be imported (``ui/library_controller.py`` runs the import).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import QMainWindow

from ghostline_desktop.ui.drops import split_drop
from ghostline_desktop.ui.panels.sources import SourcesPanel
from ghostline_desktop.ui.status_bar import StatusBar
from ghostline_desktop.ui.widgets.drop_overlay import DropOverlay

if TYPE_CHECKING:
    _Base = QMainWindow
else:
    _Base = object  # a plain mixin at run time; QMainWindow comes from MainWindow's own bases


class DropHandling(_Base):
    status: StatusBar
    drop_overlay: DropOverlay
    sources: SourcesPanel

    @staticmethod
    def _local_paths(urls: list[QUrl]) -> list[Path]:
        return [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        paths = self._local_paths(event.mimeData().urls()) if event.mimeData().hasUrls() else []
        accepted, refused = split_drop(paths)
        if accepted:
            event.acceptProposedAction()
            self.drop_overlay.show_for(self._drop_text(accepted))
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

    def _drop_text(self, accepted: list[Path]) -> str:
        folders = sum(1 for p in accepted if p.is_dir())
        files = len(accepted) - folders
        if not folders:
            return self.tr("Drop to add {0} file(s) to the source library").format(files)
        if not files:
            return self.tr("Drop to add {0} folder(s) to the source library").format(folders)
        return self.tr("Drop to add {0} file(s) and {1} folder(s) to the source library").format(files, folders)

    def _refusal_text(self, refused: list[tuple[Path, str]]) -> str:
        first, reason = refused[0]
        text = self.tr("Not added: “{0}” — {1}.").format(first.name, reason)
        if len(refused) > 1:
            text += self.tr(" (and {0} more)").format(len(refused) - 1)
        return text
