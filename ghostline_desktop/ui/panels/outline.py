"""Outline tree: parts → chapters → scenes of the project's current outline."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ghostline_desktop.services.labels import OUTLINE_STATUS_LABELS, label
from ghostline_desktop.ui.ops import QueryOp
from ghostline_desktop.ui.panels.base import PanelDock

KIND_ROLE = Qt.ItemDataRole.UserRole
POSITION_ROLE = Qt.ItemDataRole.UserRole + 1
TITLE_ROLE = Qt.ItemDataRole.UserRole + 2


class OutlinePanel(PanelDock):
    #: (position dict {"part": i, "chapter": j}, chapter title) — the main window finds the chapter.
    chapterRequested = Signal(dict, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Outline"), "panel.outline", parent)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        self.heading = QLabel(body)
        self.heading.setObjectName("panelHeading")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.stack = QStackedWidget(body)
        self.tree = QTreeWidget(self.stack)
        self.tree.setObjectName("outlineTree")
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.empty = QLabel(self.stack)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        self.setWidget(body)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemActivated.connect(self._clicked)
        self.outline: Any = None
        self.clear()

    def refresh(self) -> None:
        if self.services is None or self.project_id is None:
            return
        project_id = self.project_id
        QueryOp(self, self.services.outline.current(project_id)).named(f"outline.current.{id(self)}").success(
            lambda outline: self._show(project_id, outline)
        ).run()

    def _show(self, project_id: uuid.UUID, outline: Any) -> None:
        if project_id != self.project_id:
            return
        self.outline = outline
        self.tree.clear()
        if outline is None:
            self.heading.setText("")
            self.empty.setText(
                self.tr("No outline yet.\n\nGenerate one from your sources, or write chapters directly.")
            )
            self.stack.setCurrentWidget(self.empty)
            return
        status = label(OUTLINE_STATUS_LABELS, outline.status)
        self.heading.setText(
            self.tr("{0} — version {1} · {2}").format(outline.title or self.tr("Outline"), outline.version, status)
        )
        chapter_no = 0
        for p_idx, part in enumerate((outline.structure or {}).get("parts") or []):
            part_item = QTreeWidgetItem([part.get("title") or self.tr("Part {0}").format(p_idx + 1)])
            part_item.setData(0, KIND_ROLE, "part")
            font = part_item.font(0)
            font.setBold(True)
            part_item.setFont(0, font)
            self.tree.addTopLevelItem(part_item)
            for c_idx, chapter in enumerate(part.get("chapters") or []):
                chapter_no += 1
                title = chapter.get("title") or self.tr("Chapter {0}").format(chapter_no)
                ch_item = QTreeWidgetItem([f"{chapter_no}. {title}"])
                ch_item.setData(0, KIND_ROLE, "chapter")
                ch_item.setData(0, POSITION_ROLE, {"part": p_idx, "chapter": c_idx, "number": chapter_no})
                ch_item.setData(0, TITLE_ROLE, title)
                ch_item.setToolTip(0, self.tr("Open “{0}” in the editor").format(title))
                part_item.addChild(ch_item)
                for scene in chapter.get("scenes") or []:
                    text = scene if isinstance(scene, str) else str(scene.get("title") or scene)
                    sc_item = QTreeWidgetItem([text])
                    sc_item.setData(0, KIND_ROLE, "scene")
                    sc_item.setToolTip(0, text)
                    ch_item.addChild(sc_item)
            part_item.setExpanded(True)
        self.stack.setCurrentWidget(self.tree)

    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        if item.data(0, KIND_ROLE) == "chapter":
            self.chapterRequested.emit(dict(item.data(0, POSITION_ROLE)), str(item.data(0, TITLE_ROLE)))

    def chapter_items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        for i in range(self.tree.topLevelItemCount()):
            part = self.tree.topLevelItem(i)
            if part is not None:
                out.extend(c for j in range(part.childCount()) if (c := part.child(j)) is not None)
        return out

    def clear(self) -> None:
        self.outline = None
        self.tree.clear()
        self.heading.setText("")
        self.empty.setText(self.tr("Open a project to see its outline."))
        self.stack.setCurrentWidget(self.empty)
