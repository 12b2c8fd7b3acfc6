"""The outline panel: edit parts → chapters → scenes, approve, and browse versions.

Edits go to the version being edited in place while it is a DRAFT (debounced, through
``OutlineService.save``); editing an approved version makes the next version, as the service
decides. Approve freezes the version and lays the chapters out after it; a chapter with text
the outline no longer lists shows under "Not in outline". Older versions are viewed read-only
and can be restored as a new version; an AI outline arriving as a new DRAFT is listed beside
the current one. The tree, the editing rules and the versions list live in ``outline_tree``,
``outline_edit`` and ``outline_versions``; this module loads, saves and shows state.
"""

from __future__ import annotations

import uuid
from typing import Any

import shiboken6
from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.services.dto import ChapterSummary, OutlineApproval, OutlineInfo
from ghostline_desktop.services.labels import OUTLINE_STATUS_LABELS, label
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.dialogs import prompts
from ghostline_desktop.ui.ops import QueryOp
from ghostline_desktop.ui.panels import outline_model as om
from ghostline_desktop.ui.panels.base import PanelDock
from ghostline_desktop.ui.panels.outline_edit import OutlineEditing
from ghostline_desktop.ui.panels.outline_store import OutlineStore
from ghostline_desktop.ui.panels.outline_tree import (
    CHAPTER_ID_ROLE,
    KIND_ROLE,
    ORPHAN,
    POSITION_ROLE,
    SUMMARY_ROLE,
    TITLE_ROLE,
    UID_ROLE,
    OutlineTree,
)
from ghostline_desktop.ui.panels.outline_versions import OutlineVersions

__all__ = ["KIND_ROLE", "POSITION_ROLE", "TITLE_ROLE", "OutlinePanel"]

#: Edits are saved this long after the last one (a burst of Ctrl+Down is one write).
SAVE_DELAY_MS = 600


class OutlinePanel(OutlineStore, PanelDock):
    #: (position dict {"part": i, "chapter": j}, chapter title) — an entry with no chapter linked yet.
    chapterRequested = Signal(dict, str)
    #: A chapter the outline entry is linked to (by the id an approval wrote, or its title).
    chapterOpenRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Outline"), "panel.outline", parent)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        self.heading = QLabel(body)
        self.heading.setObjectName("panelHeading")
        self.heading.setWordWrap(True)
        self.state_label = QLabel(body)
        self.state_label.setObjectName("outlineSaveState")
        self.state_label.setProperty("role", "hint")
        head = QHBoxLayout()
        head.addWidget(self.heading, 1)
        head.addWidget(self.state_label)
        layout.addLayout(head)
        layout.addLayout(self._toolbar(body))
        self.banner = QFrame(body)
        self.banner.setObjectName("outlineBanner")
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner_text = QLabel(self.banner)
        self.banner_text.setWordWrap(True)
        self.banner_text.setObjectName("outlineBannerText")
        self.restore_button = QPushButton(self.tr("Restore as new version"), self.banner)
        self.back_button = QPushButton(self.tr("Back to current"), self.banner)
        self.dismiss_button = QToolButton(self.banner)
        self.dismiss_button.setText("×")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.setToolTip(self.tr("Dismiss"))
        banner_layout = QVBoxLayout(self.banner)
        banner_layout.setContentsMargins(8, 6, 6, 6)
        top = QHBoxLayout()
        top.addWidget(self.banner_text, 1)
        top.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        banner_layout.addLayout(top)
        row = QHBoxLayout()
        row.addWidget(self.restore_button)
        row.addWidget(self.back_button)
        row.addStretch(1)
        banner_layout.addLayout(row)
        self.banner.hide()
        layout.addWidget(self.banner)

        self.stack = QStackedWidget(body)
        self.tree = OutlineTree(self.stack)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.empty = QWidget(self.stack)
        self.empty.setObjectName("outlineEmpty")
        empty_layout = QVBoxLayout(self.empty)
        self.empty_label = QLabel(self.empty)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.start_button = QPushButton(self.tr("Start an outline"), self.empty)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(1)
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        self.summary_edit = QLineEdit(body)
        self.summary_edit.setObjectName("outlineSummary")
        self.summary_edit.setPlaceholderText(self.tr("One-line summary (optional)"))
        self.summary_edit.setMaxLength(300)
        layout.addWidget(self.summary_edit)
        self.versions = OutlineVersions(body)
        layout.addWidget(self.versions)
        self.setWidget(body)

        self.editing = OutlineEditing(self.tree, self._redraw, self._confirm_delete)
        self.outline: OutlineInfo | None = None  # the version being edited
        self.viewing: OutlineInfo | None = None  # another version, shown read-only
        self.version_list: list[OutlineInfo] = []
        self.chapters: list[ChapterSummary] = []
        self.approval: OutlineApproval | None = None
        self._dirty = False
        self._saving = False
        self._summary_uid: int | None = None
        self._drawn: tuple[Any, Any] = ((), ())
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_now)
        self._connect()
        if parent is not None:
            parent.installEventFilter(self)  # quitting saves a pending edit first
        self.clear()

    def _toolbar(self, body: QWidget) -> QHBoxLayout:
        self.add_button = QToolButton(body)
        self.add_button.setObjectName("outlineAdd")
        self.add_button.setText(self.tr("Add ▾"))
        # The style's own arrow sits on the text in a narrow button; the label carries one.
        self.add_button.setStyleSheet("QToolButton#outlineAdd::menu-indicator { image: none; width: 0px; }")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        add_menu = QMenu(self.add_button)
        self.add_part_action = add_menu.addAction(self.tr("Part"))
        self.add_chapter_action = add_menu.addAction(self.tr("Chapter"))
        self.add_scene_action = add_menu.addAction(self.tr("Scene"))
        self.add_button.setMenu(add_menu)
        self.add_button.setToolTip(self.tr("Add a part, chapter or scene (Insert adds one like the selection)"))
        self.up_button = self._tool(body, "↑", self.tr("Move up (Ctrl+Up)"))
        self.down_button = self._tool(body, "↓", self.tr("Move down (Ctrl+Down)"))
        self.undo_button = self._tool(body, "↶", self.tr("Undo (Ctrl+Z)"))
        self.redo_button = self._tool(body, "↷", self.tr("Redo (Ctrl+Shift+Z)"))
        self.approve_button = QPushButton(self.tr("Approve"), body)
        self.approve_button.setObjectName("outlineApprove")
        bar = QHBoxLayout()
        bar.setSpacing(2)
        for w in (self.add_button, self.up_button, self.down_button, self.undo_button, self.redo_button):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.approve_button)
        return bar

    @staticmethod
    def _tool(body: QWidget, text: str, tip: str) -> QToolButton:
        button = QToolButton(body)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button

    def _connect(self) -> None:
        e, t = self.editing, self.tree
        self.add_part_action.triggered.connect(lambda: e.add(om.PART))
        self.add_chapter_action.triggered.connect(lambda: e.add(om.CHAPTER))
        self.add_scene_action.triggered.connect(lambda: e.add(om.SCENE))
        self.up_button.clicked.connect(lambda: self._shift(-1))
        self.down_button.clicked.connect(lambda: self._shift(1))
        self.undo_button.clicked.connect(e.stack.undo)
        self.redo_button.clicked.connect(e.stack.redo)
        e.stack.canUndoChanged.connect(lambda _b: self._update_actions())
        e.stack.canRedoChanged.connect(lambda _b: self._update_actions())
        e.changed.connect(self._edited)
        self.approve_button.clicked.connect(self.approve)
        self.start_button.clicked.connect(self.start_outline)
        self.restore_button.clicked.connect(self.restore_viewed)
        self.back_button.clicked.connect(self.back_to_current)
        self.dismiss_button.clicked.connect(self.banner.hide)
        t.itemClicked.connect(self._clicked)
        t.currentItemChanged.connect(lambda *_a: self._selection_changed())
        t.customContextMenuRequested.connect(self._context_menu)
        self.summary_edit.editingFinished.connect(self._summary_edited)
        self.versions.versionChosen.connect(self.view_version)
        self.versions.archivedToggled.connect(lambda _on: self.refresh())

    # -- loading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.services is None or self.project_id is None:
            return
        services, project_id = self.services, self.project_id
        archived = self.versions.show_archived.isChecked()

        async def load() -> tuple[OutlineInfo | None, list[OutlineInfo], list[ChapterSummary]]:
            current = await services.outline.current(project_id)
            versions = await services.outline.versions(project_id, include_archived=archived)
            return current, versions, await services.chapters.list_chapters(project_id)

        QueryOp(self, load).named(f"outline.load.{id(self)}").success(lambda r: self._loaded(project_id, *r)).run()

    def on_outline_changed(self, event: Any) -> None:
        """An outline changed: ours (a save from this panel) needs no reload."""
        if not ops.is_own(event, self):
            self.refresh()

    def refresh_chapters(self) -> None:
        if self.services is None or self.project_id is None:
            return
        services, project_id = self.services, self.project_id
        QueryOp(self, lambda: services.chapters.list_chapters(project_id)).named(
            f"outline.chapters.{id(self)}"
        ).success(lambda rows: self._chapters_loaded(project_id, rows)).run()

    def _chapters_loaded(self, project_id: uuid.UUID, rows: list[ChapterSummary]) -> None:
        if project_id == self.project_id:
            self.chapters = rows
            if self.outline is not None or self.editing.tree:
                self._sync()

    def _loaded(
        self,
        project_id: uuid.UUID,
        current: OutlineInfo | None,
        versions: list[OutlineInfo],
        chapters: list[ChapterSummary],
    ) -> None:
        if project_id != self.project_id:
            return
        self.chapters = chapters
        self.version_list = versions
        mine = next((v for v in versions if self.outline is not None and v.id == self.outline.id), None)
        if mine is not None and mine.status == "ARCHIVED":
            mine = None
        working = mine or current
        if working is None:
            if not (self._dirty or self._saving or self.editing.tree):
                self._show_empty()
                return
        elif not self._dirty and not self._saving:
            same = self.outline is not None and working.id == self.outline.id
            changed = not same or self.outline is None or working.structure != self.outline.structure
            self.outline = working
            if changed:
                self.editing.load(om.from_structure(working.structure), keep_history=same)
        elif self.outline is not None and working.id == self.outline.id:
            self.outline = working  # status from elsewhere; our pending edit still wins
        if self.viewing is not None and not any(v.id == self.viewing.id for v in versions):
            self.viewing = None if self.versions.show_archived.isChecked() else self.viewing
        self._sync()

    def _show_empty(self) -> None:
        self.outline = None
        self.viewing = None
        self.editing.load(())
        self.heading.setText("")
        self.state_label.setText("")
        self.empty_label.setText(
            self.tr("No outline yet.\n\nStart one here, generate one from your sources, or write chapters directly.")
        )
        self.start_button.setVisible(self.project_id is not None)
        self.stack.setCurrentWidget(self.empty)
        self.versions.clear()
        self._update_actions()

    # -- drawing ------------------------------------------------------------------------------
    def _redraw(self, select: int | None) -> None:
        """Draw the tree (the edited outline, or the version being viewed) and its surroundings."""
        shown = self.viewing
        if shown is None and self.outline is None and not self.editing.tree:
            return
        if shown is not None:
            self.tree.show_tree(om.from_structure(shown.structure), read_only=True, orphans=[], select=None)
            self._drawn = ("viewing", shown.id)
        else:
            orphans = self._orphans()
            self.tree.show_tree(self.editing.tree, read_only=False, orphans=orphans, select=select)
            self._drawn = (self.editing.tree, tuple(orphans))
        self.stack.setCurrentWidget(self.tree)
        self._show_state()
        self._selection_changed()

    def _sync(self) -> None:
        """After a reload: redraw the tree only if what it shows changed. A redraw would
        close a title the author is typing, for a save that changed nothing visible."""
        wanted: tuple[Any, Any] = (
            ("viewing", self.viewing.id) if self.viewing is not None else (self.editing.tree, tuple(self._orphans()))
        )
        if wanted != self._drawn and self.tree.state() != QAbstractItemView.State.EditingState:
            self._redraw(self.tree.current_uid())
        else:
            self._show_state()

    def _show_state(self) -> None:
        shown = self.viewing
        version = shown or self.outline
        if version is not None:
            status = label(OUTLINE_STATUS_LABELS, version.status)
            self.heading.setText(
                self.tr("{0} — version {1} · {2}").format(version.title or self.tr("Outline"), version.version, status)
            )
        self.versions.set_versions(
            self.version_list, self.outline.id if self.outline else None, shown.id if shown else None
        )
        self._update_actions()

    def _orphans(self) -> list[tuple[str, str, int]]:
        listed = om.chapter_ids(self.editing.tree)
        return [
            (str(c.id), c.title, c.word_count) for c in self.chapters if not c.in_outline and str(c.id) not in listed
        ]

    def _update_actions(self) -> None:
        if not shiboken6.isValid(self.stack):
            return  # the undo stack says "nothing to undo" while the window is being deleted
        editable = self.viewing is None and self.project_id is not None and self.stack.currentWidget() is self.tree
        for w in (self.add_button, self.up_button, self.down_button):
            w.setEnabled(editable)
        self.undo_button.setEnabled(editable and self.editing.stack.canUndo())
        self.redo_button.setEnabled(editable and self.editing.stack.canRedo())
        draft = self.outline is not None and (self.outline.status == "DRAFT" or self._dirty)
        self.approve_button.setEnabled(editable and (draft or (self.outline is None and bool(self.editing.tree))))
        self.approve_button.setToolTip(
            self.tr("Freeze this version and lay the chapters out after it.")
            if self.approve_button.isEnabled()
            else self.tr("This version is approved. Edit the outline to start the next version.")
        )

    def _selection_changed(self) -> None:
        item = self.tree.currentItem()
        uid = item.data(0, UID_ROLE) if item is not None else None
        self._summary_uid = int(uid) if uid is not None else None
        self.summary_edit.setText(str(item.data(0, SUMMARY_ROLE) or "") if uid is not None and item else "")
        self.summary_edit.setEnabled(uid is not None and not self.tree.read_only)

    # -- editing ------------------------------------------------------------------------------
    def _shift(self, step: int) -> None:
        uid = self.tree.current_uid()
        if uid is not None:
            self.editing.shift(uid, step)

    def _summary_edited(self) -> None:
        if self._summary_uid is not None and not self.tree.read_only:
            self.editing.set_summary(self._summary_uid, self.summary_edit.text())

    def _confirm_delete(self, node: om.Node) -> bool:
        """Ask before deleting an entry whose chapter has text (the text itself stays)."""
        words = sum(self._words(n) for n, _p in om.walk((node,)) if n.kind == om.CHAPTER)
        if words == 0:
            return True
        what = {om.PART: self.tr("part"), om.CHAPTER: self.tr("chapter"), om.SCENE: self.tr("scene")}[node.kind]
        return prompts.confirm(
            self,
            self.tr("Delete “{0}”?").format(node.title),
            self.tr(
                "The {0} holds {1:,} words of text. Deleting it from the outline keeps the text: once you "
                "approve, the chapter shows under “Not in outline”."
            ).format(what, words),
            self.tr("Delete"),
            self.tr("Keep"),
        )

    def chapter_for(self, node: om.Node) -> ChapterSummary | None:
        """The chapter an outline entry stands for: by the id an approval wrote, else by title."""
        cid = node.chapter_id
        if cid is not None:
            found = next((c for c in self.chapters if str(c.id) == cid), None)
            if found is not None:
                return found
        wanted = node.title.casefold()
        return next((c for c in self.chapters if c.title.casefold() == wanted), None)

    def _words(self, node: om.Node) -> int:
        chapter = self.chapter_for(node)
        return chapter.word_count if chapter is not None else 0

    def _edited(self) -> None:
        self._dirty = True
        self.state_label.setText(self.tr("Edited"))
        self._save_timer.start()
        self._update_actions()

    def start_outline(self) -> None:
        """An empty project: a first part with a first chapter, its title ready to type."""
        self.stack.setCurrentWidget(self.tree)
        self.editing.load(())
        self.editing.add(om.CHAPTER)

    # -- the tree's other actions -----------------------------------------------------------------
    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        kind = item.data(0, KIND_ROLE)
        if kind == ORPHAN:
            self.chapterOpenRequested.emit(uuid.UUID(str(item.data(0, CHAPTER_ID_ROLE))))
            return
        if kind != om.CHAPTER:
            return
        if self.viewing is not None:
            pos = item.data(0, POSITION_ROLE)
            node = om.node_at(om.from_structure(self.viewing.structure), (pos["part"], pos["chapter"]))
        else:
            found = om.find(self.editing.tree, int(item.data(0, UID_ROLE)))
            if found is None:
                return
            node = found
        chapter = self.chapter_for(node) if node is not None else None
        if chapter is not None:
            self.chapterOpenRequested.emit(chapter.id)
        else:
            self.chapterRequested.emit(dict(item.data(0, POSITION_ROLE)), str(item.data(0, TITLE_ROLE)))

    def _context_menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        menu = QMenu(self)
        if item is not None and item.data(0, KIND_ROLE) == ORPHAN and not self.tree.read_only:
            cid, title = str(item.data(0, CHAPTER_ID_ROLE)), str(item.data(0, TITLE_ROLE))
            menu.addAction(self.tr("Add back to the outline"), lambda: self.editing.add_back_at_end(cid, title))
        elif not self.tree.read_only:
            uid = item.data(0, UID_ROLE) if item is not None else None
            if uid is not None:
                menu.addAction(self.tr("Rename\tF2"), self.tree.rename_current)
                menu.addAction(self.tr("Edit summary"), self.summary_edit.setFocus)
                menu.addSeparator()
            menu.addAction(self.tr("Add part"), lambda: self.editing.add(om.PART))
            menu.addAction(self.tr("Add chapter"), lambda: self.editing.add(om.CHAPTER))
            menu.addAction(self.tr("Add scene"), lambda: self.editing.add(om.SCENE))
            if uid is not None:
                menu.addSeparator()
                menu.addAction(self.tr("Move up\tCtrl+Up"), lambda: self._shift(-1))
                menu.addAction(self.tr("Move down\tCtrl+Down"), lambda: self._shift(1))
                menu.addAction(self.tr("Delete\tDel"), lambda: self.editing.delete(int(uid)))
        if not menu.isEmpty():
            menu.exec(self.tree.viewport().mapToGlobal(pos))

    def chapter_items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        for i in range(self.tree.topLevelItemCount()):
            part = self.tree.topLevelItem(i)
            if part is not None and part.data(0, KIND_ROLE) == om.PART:
                out.extend(c for j in range(part.childCount()) if (c := part.child(j)) is not None)
        return out

    # -- project lifecycle --------------------------------------------------------------------------
    def close_project(self) -> None:
        self.save_now()  # a pending edit still reaches its project
        super().close_project()

    def clear(self) -> None:
        self._save_timer.stop()
        self._dirty = self._saving = False
        self.outline = None
        self.viewing = None
        self.approval = None
        self.version_list = []
        self.chapters = []
        self.editing.load(())
        self.tree.clear()
        self.banner.hide()
        self.heading.setText("")
        self.state_label.setText("")
        self.empty_label.setText(self.tr("Open a project to see its outline."))
        self.start_button.hide()
        self.versions.clear()
        self.stack.setCurrentWidget(self.empty)
        self._update_actions()
