"""Dock layout of the main window: saved/restored geometry, docks parked while the welcome page
shows, and focus mode. A mixin so main_window.py stays small; it uses attributes MainWindow
defines (docks(), status, menus, layout_store and the three flags below).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDockWidget, QMainWindow

if TYPE_CHECKING:
    from ghostline_desktop.ui.menus import Menus
    from ghostline_desktop.ui.status_bar import StatusBar

    _Base = QMainWindow
else:
    _Base = object  # a plain mixin at run time; QMainWindow comes from MainWindow's own bases

LAYOUT_VERSION = 1


class DockLayout(_Base):
    status: StatusBar
    menus: Menus
    layout_store: QSettings
    _parked: list[QDockWidget]
    _focus_hidden: list[QDockWidget]
    _in_focus_mode: bool

    # Declared for the type checker only: the class this mixin is combined with defines these.
    def docks(self) -> list[QDockWidget]:
        raise NotImplementedError

    def toggle_focus_mode(self) -> None:
        """F11: only the editor (and its chapter bar) stays; everything returns on the next F11."""
        # A flag of its own: with every panel already closed, the list of docks focus mode
        # hid is empty both in and out of focus mode.
        self._in_focus_mode = not self._in_focus_mode
        if self._in_focus_mode:
            self._focus_hidden = [d for d in self.docks() if d.isVisible()]
            for d in self._focus_hidden:
                d.hide()
            self.status.hide()
            self.menus.focus_mode.setChecked(True)
        else:
            for d in self._focus_hidden:
                d.show()
            self._focus_hidden = []
            self.status.show()
            self.menus.focus_mode.setChecked(False)

    def _park_docks(self) -> None:
        if self._parked or self._in_focus_mode:
            return
        self._parked = [d for d in self.docks() if not d.isHidden()]
        for d in self._parked:
            d.hide()

    def _unpark_docks(self) -> None:
        for d in self._parked:
            d.show()
        self._parked = []

    def docks_for_project(self) -> list[QDockWidget]:
        """The docks that show when a project is open (the saved layout's choice)."""
        if self._parked:
            return list(self._parked)
        return [d for d in self.docks() if not d.isHidden()]

    def _restore_layout(self) -> None:
        geometry = self.layout_store.value("window/geometry")
        state = self.layout_store.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 900)
        if state is not None:
            self.restoreState(state, LAYOUT_VERSION)

    def save_layout(self) -> None:
        self.layout_store.setValue("window/geometry", self.saveGeometry())
        self.layout_store.setValue("window/state", self.saveState(LAYOUT_VERSION))
        self.layout_store.sync()
