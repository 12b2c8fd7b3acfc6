"""File ▸ Export Manuscript (issue 12). SKELETON laid by the lead."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from ghostline_desktop.ui.main_window import MainWindow


class ExportController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.win = window

    def attach(self, services: Any, user: Any) -> None:
        pass

    def export(self, fmt: str) -> None:
        """``fmt`` is one of menus.EXPORT_FORMATS."""
