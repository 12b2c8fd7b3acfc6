"""The outline's versions, under the tree: newest first, archived ones only on request.

Choosing a version other than the one being edited shows it read-only (the panel draws it);
an AI outline that arrived as a new DRAFT simply shows here beside the current one.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QListWidget, QListWidgetItem, QToolButton, QVBoxLayout, QWidget

from ghostline_desktop.services.dto import OutlineInfo
from ghostline_desktop.services.labels import OUTLINE_STATUS_LABELS, label
from ghostline_desktop.ui.dialogs._common import humanize_time

ID_ROLE = Qt.ItemDataRole.UserRole


def version_text(v: OutlineInfo, *, editing: bool) -> str:
    status = label(OUTLINE_STATUS_LABELS, v.status)
    chapters = f"{v.chapter_count} chapter{'s' if v.chapter_count != 1 else ''}"
    mark = " · editing" if editing else ""
    return f"Version {v.version} · {status}{mark}\n{humanize_time(v.created_at)} · {chapters}"


class OutlineVersions(QWidget):
    #: The author picked a version to look at (its id).
    versionChosen = Signal(object)
    #: "Show archived" toggled: the panel lists the versions again.
    archivedToggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("outlineVersionsToggle")
        self.toggle.setText(self.tr("Versions"))
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.show_archived = QCheckBox(self.tr("Show archived"), self)
        self.show_archived.setObjectName("outlineShowArchived")
        self.list = QListWidget(self)
        self.list.setObjectName("outlineVersions")
        self.list.setMaximumHeight(150)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.toggle)
        head.addStretch(1)
        head.addWidget(self.show_archived)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addWidget(self.list)
        self.toggle.toggled.connect(self._expand)
        self.show_archived.toggled.connect(self.archivedToggled)
        self.list.itemClicked.connect(self._clicked)
        self.list.itemActivated.connect(self._clicked)
        self.versions: list[OutlineInfo] = []
        self._expand(False)

    def _expand(self, on: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.list.setVisible(on)
        self.show_archived.setVisible(on)

    def set_versions(self, versions: list[OutlineInfo], editing: uuid.UUID | None, viewing: uuid.UUID | None) -> None:
        self.versions = versions
        self.list.clear()
        for v in versions:
            item = QListWidgetItem(version_text(v, editing=v.id == editing))
            item.setData(ID_ROLE, v.id)
            if v.id == editing:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
            if v.id == (viewing or editing):
                self.list.setCurrentItem(item)
        drafts = sum(1 for v in versions if v.status == "DRAFT")
        self.toggle.setText(
            self.tr("Versions ({0})").format(len(versions))
            if drafts < 2
            else self.tr("Versions ({0}, {1} drafts)").format(len(versions), drafts)
        )

    def _clicked(self, item: QListWidgetItem) -> None:
        outline_id = item.data(ID_ROLE)
        if isinstance(outline_id, uuid.UUID):
            self.versionChosen.emit(outline_id)

    def clear(self) -> None:
        self.versions = []
        self.list.clear()
        self.toggle.setText(self.tr("Versions"))
