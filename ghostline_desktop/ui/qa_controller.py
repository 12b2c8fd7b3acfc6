"""Tools ▸ Run QA and the background QA after typing (issue 11). SKELETON laid by the lead."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from ghostline_desktop.ui.main_window import MainWindow


class QAController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.win = window

    def attach(self, services: Any, user: Any) -> None:
        pass

    def run_book(self) -> None:
        pass

    def run_chapter(self) -> None:
        pass
