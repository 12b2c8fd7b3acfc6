"""One consistent error dialog: a heading, the message written for a person, an optional hint.

Services raise typed errors whose ``str()`` is already readable and whose class carries a
``title``; :func:`ErrorDialog.for_exception` turns one into a dialog without matching strings.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QStyle, QVBoxLayout, QWidget

from ghostline_desktop.ui.dialogs._common import role_label


class ErrorDialog(QDialog):
    def __init__(
        self, title: str, message: str, details_hint: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)

        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(40, 40))
        self.heading_label = role_label(title, "heading", self)
        self.message_label = role_label(message, "", self)
        self.hint_label = role_label(details_hint or "", "hint", self)
        self.hint_label.setVisible(bool(details_hint))

        text = QVBoxLayout()
        text.addWidget(self.heading_label)
        text.addWidget(self.message_label)
        text.addWidget(self.hint_label)
        row = QHBoxLayout()
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)

    @classmethod
    def for_exception(
        cls, exc: BaseException, parent: QWidget | None = None, details_hint: str | None = None
    ) -> ErrorDialog:
        """A dialog for ``exc``: its class ``title`` (GhostlineError) or a generic heading."""
        title = getattr(exc, "title", None) or "Something went wrong"
        message = str(exc) or exc.__class__.__name__
        return cls(str(title), message, details_hint, parent)
