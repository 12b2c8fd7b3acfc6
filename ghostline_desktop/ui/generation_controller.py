"""Generate menu flows (issue 8). SKELETON laid by the lead; issue 8 fills it in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from ghostline_desktop.ui.main_window import MainWindow


class GenerationController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.win = window

    def attach(self, services: Any, user: Any) -> None:
        pass

    def outline_from_sources(self) -> None:
        pass

    def draft_chapter(self) -> None:
        pass

    def revise_with_feedback(self) -> None:
        pass

    def ai_feedback(self) -> None:
        pass

    def preview_prompt(self) -> None:
        pass
