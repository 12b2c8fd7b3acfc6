"""What every dock panel shares: an objectName (so saveState/restoreState remember the layout),
the services it reads from, and the open/close project hooks the main window calls."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QWidget

from ghostline_desktop.services.dto import UserInfo

if TYPE_CHECKING:
    from ghostline_desktop.services.container import Services


class PanelDock(QDockWidget):
    def __init__(self, title: str, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setObjectName(object_name)
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.setAllowedAreas(Qt.DockWidgetArea.AllDockWidgetAreas)
        self.services: Services | None = None
        self.user: UserInfo | None = None
        self.project_id: uuid.UUID | None = None

    def attach(self, services: Services, user: UserInfo) -> None:
        """Called once the database is up; before that the panel shows its empty state."""
        self.services = services
        self.user = user

    def open_project(self, project_id: uuid.UUID) -> None:
        self.project_id = project_id
        self.refresh()

    def close_project(self) -> None:
        self.project_id = None
        self.clear()

    # Every panel overrides both; failing loudly beats a panel that silently keeps stale rows.
    def refresh(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def clear(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError
