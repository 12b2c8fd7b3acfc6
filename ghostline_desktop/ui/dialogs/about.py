"""About GhostLine: version, what it is, where its data lives."""

from __future__ import annotations

import platform
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ghostline_desktop.resources import resource_path
from ghostline_desktop.ui.dialogs._common import role_label


def app_version() -> str:
    try:
        return metadata.version("ghostline-desktop")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "development"


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, data_dir: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About GhostLine"))
        self.setMinimumWidth(420)

        icon_label = QLabel(self)
        icon_path = resource_path("icons", "ghostline.svg")
        if icon_path.exists():
            icon_label.setPixmap(QIcon(str(icon_path)).pixmap(64, 64))
        title = role_label(self.tr("GhostLine %1").replace("%1", app_version()), "heading", self)
        tagline = role_label(
            self.tr("Turn your notes, documents and memories into a finished book — in your own voice."), "hint", self
        )
        head = QVBoxLayout()
        head.addWidget(title)
        head.addWidget(tagline)
        top = QHBoxLayout()
        top.addWidget(icon_label, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(head, 1)

        lines = [
            self.tr("Python %1 · Qt for Python %2")
            .replace("%1", platform.python_version())
            .replace("%2", pyside_version),
            self.tr("Stores your work in PostgreSQL with pgvector, on your own machine by default."),
        ]
        if data_dir:
            lines.append(self.tr("Data folder: %1").replace("%1", data_dir))
        self.details = role_label("\n".join(lines), "hint", self)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details)
        layout.addWidget(buttons)
