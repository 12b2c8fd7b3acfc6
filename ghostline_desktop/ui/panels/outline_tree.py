"""The outline's tree widget: draws an ``outline_model`` tree and turns keys and drops into
requests. It never changes the tree itself — the panel makes each edit an undo step and
redraws — so a drop or a key always goes through the same path as the menu does.

Keys: Enter or F2 renames, Delete deletes, Ctrl+Up/Down moves, Insert adds a sibling,
Ctrl+Z / Ctrl+Shift+Z undo and redo. The window's own shortcuts for those keys (the
editor's undo) would otherwise win, so the tree claims them while it has the focus
(``ShortcutOverride``), as a line edit does for Ctrl+Z.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QDropEvent, QKeyEvent, QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from ghostline_desktop.core.outline_tree import MAX_TITLE
from ghostline_desktop.ui.panels import outline_model as om

KIND_ROLE = Qt.ItemDataRole.UserRole
POSITION_ROLE = Qt.ItemDataRole.UserRole + 1
TITLE_ROLE = Qt.ItemDataRole.UserRole + 2
UID_ROLE = Qt.ItemDataRole.UserRole + 3
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 4
CHAPTER_ID_ROLE = Qt.ItemDataRole.UserRole + 5  # orphans: the chapter's id
ORPHANS, ORPHAN = "orphans", "orphan"

Index = QModelIndex | QPersistentModelIndex


class OutlineDelegate(QStyledItemDelegate):
    """Title, then the one-line summary in a muted colour; editing edits the title only."""

    def __init__(self, tree: OutlineTree) -> None:
        super().__init__(tree)
        self.tree = tree

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        summary = index.data(SUMMARY_ROLE)
        if not summary:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else self.tree.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget).adjusted(2, 0, -2, 0)
        metrics = opt.fontMetrics
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = opt.palette
        ink = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        title = metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.save()
        painter.setFont(opt.font)
        painter.setPen(ink)
        flags = int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        painter.drawText(rect, flags, title)
        used = metrics.horizontalAdvance(title)
        rest = rect.adjusted(used, 0, 0, 0)
        if rest.width() > metrics.horizontalAdvance(" — …"):
            painter.setPen(muted)
            painter.drawText(
                rest, flags, metrics.elidedText(f" — {summary}", Qt.TextElideMode.ElideRight, rest.width())
            )
        painter.restore()

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QLineEdit(parent)
        editor.setMaxLength(MAX_TITLE)
        editor.setObjectName("outlineTitleEditor")
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QLineEdit):
            editor.setText(str(index.data(TITLE_ROLE) or ""))
            editor.selectAll()

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        # The tree is redrawn from the outline; the item itself is never written here.
        if isinstance(editor, QLineEdit):
            uid = index.data(UID_ROLE)
            text = " ".join(editor.text().split())
            if uid is not None and text and text != index.data(TITLE_ROLE):
                self.tree.request(self.tree.renameRequested, int(uid), text)


class OutlineTree(QTreeWidget):
    renameRequested = Signal(int, str)  # uid, new title
    moveRequested = Signal(int, object, int)  # uid, new parent uid (None: top), index (move() terms)
    shiftRequested = Signal(int, int)  # uid, -1 up / +1 down
    deleteRequested = Signal(int)
    addRequested = Signal(str)  # "sibling" | "child"
    addBackRequested = Signal(str, str, object, int)  # orphan chapter id, title, part uid, index
    undoRequested = Signal()
    redoRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outlineTree")
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setItemDelegate(OutlineDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # Enter/F2 handled below
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDropIndicatorShown(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.read_only = False
        self.expanded_uids: dict[int, bool] = {}
        self.itemExpanded.connect(lambda item: self._remember(item, True))
        self.itemCollapsed.connect(lambda item: self._remember(item, False))

    def request(self, signal: Any, *args: Any) -> None:
        """Emit after the current event: a redraw in the middle of an edit or a drag would
        delete the item Qt is still working on."""
        QTimer.singleShot(0, lambda: signal.emit(*args))

    def _remember(self, item: QTreeWidgetItem, expanded: bool) -> None:
        uid = item.data(0, UID_ROLE)
        if uid is not None:
            self.expanded_uids[int(uid)] = expanded

    # -- drawing ------------------------------------------------------------------------------
    def show_tree(
        self, tree: om.Tree, *, read_only: bool, orphans: list[tuple[str, str, int]], select: int | None
    ) -> None:
        """Redraw. ``orphans``: (chapter id, title, words) of chapters the outline no longer lists."""
        self.read_only = read_only
        self.setDragEnabled(not read_only)
        self.setAcceptDrops(not read_only)
        self.clear()
        number = 0
        selected: QTreeWidgetItem | None = None
        for p_i, part in enumerate(tree):
            part_item = self._item(part, part.title or self.tr("Part {0}").format(p_i + 1))
            font = part_item.font(0)
            font.setBold(True)
            part_item.setFont(0, font)
            self.addTopLevelItem(part_item)
            selected = part_item if part.uid == select else selected
            for c_i, chapter in enumerate(part.children):
                number += 1
                ch_item = self._item(chapter, f"{number}. {chapter.title}")
                ch_item.setData(0, POSITION_ROLE, {"part": p_i, "chapter": c_i, "number": number})
                part_item.addChild(ch_item)
                selected = ch_item if chapter.uid == select else selected
                for scene in chapter.children:
                    sc_item = self._item(scene, scene.title)
                    ch_item.addChild(sc_item)
                    selected = sc_item if scene.uid == select else selected
                ch_item.setExpanded(self.expanded_uids.get(chapter.uid, False))
            part_item.setExpanded(self.expanded_uids.get(part.uid, True))
        if orphans:
            self._add_orphans(orphans)
        if selected is not None:
            self.setCurrentItem(selected)
            self.scrollToItem(selected)

    def _item(self, node: om.Node, text: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([text])
        item.setData(0, KIND_ROLE, node.kind)
        item.setData(0, TITLE_ROLE, node.title)
        item.setData(0, UID_ROLE, node.uid)
        item.setData(0, SUMMARY_ROLE, node.summary)
        tip = node.title + (f"\n{node.summary}" if node.summary else "")
        item.setToolTip(0, tip)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self.read_only:
            flags |= Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled
        item.setFlags(flags)
        return item

    def _add_orphans(self, orphans: list[tuple[str, str, int]]) -> None:
        head = QTreeWidgetItem([self.tr("Not in outline")])
        head.setData(0, KIND_ROLE, ORPHANS)
        head.setFlags(Qt.ItemFlag.ItemIsEnabled)
        head.setToolTip(
            0, self.tr("Chapters with text that the approved outline no longer lists. Nothing was deleted.")
        )
        font = head.font(0)
        font.setItalic(True)
        head.setFont(0, font)
        self.addTopLevelItem(head)
        for chapter_id, title, words in orphans:
            item = QTreeWidgetItem([title])
            item.setData(0, KIND_ROLE, ORPHAN)
            item.setData(0, TITLE_ROLE, title)
            item.setData(0, CHAPTER_ID_ROLE, chapter_id)
            item.setData(0, SUMMARY_ROLE, self.tr("not in outline · {0:,} words").format(words))
            item.setToolTip(
                0,
                self.tr("“{0}” is not in the outline. Drag it into a part, or use “Add back to the outline”.").format(
                    title
                ),
            )
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if not self.read_only:
                flags |= Qt.ItemFlag.ItemIsDragEnabled
            item.setFlags(flags)
            head.addChild(item)
        head.setExpanded(True)

    # -- lookups ------------------------------------------------------------------------------
    def current_uid(self) -> int | None:
        item = self.currentItem()
        uid = item.data(0, UID_ROLE) if item is not None else None
        return int(uid) if uid is not None else None

    def item_for(self, uid: int) -> QTreeWidgetItem | None:
        for item in self._items():
            if item.data(0, UID_ROLE) == uid:
                return item
        return None

    def _items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []

        def visit(item: QTreeWidgetItem) -> None:
            out.append(item)
            for i in range(item.childCount()):
                child = item.child(i)
                if child is not None:
                    visit(child)

        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            if top is not None:
                visit(top)
        return out

    def rename_current(self) -> None:
        item = self.currentItem()
        if item is not None and not self.read_only and item.data(0, UID_ROLE) is not None:
            self.editItem(item, 0)

    # -- keyboard -----------------------------------------------------------------------------
    def _command(self, event: QKeyEvent) -> str | None:
        key, mods = event.key(), event.modifiers()
        ctrl = Qt.KeyboardModifier.ControlModifier
        if event.matches(QKeySequence.StandardKey.Undo):
            return "undo"
        if event.matches(QKeySequence.StandardKey.Redo):
            return "redo"
        if self.state() == QAbstractItemView.State.EditingState:
            return None
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2) and not mods & ctrl:
            return "rename"
        if key == Qt.Key.Key_Delete:
            return "delete"
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and mods & ctrl:
            return "up" if key == Qt.Key.Key_Up else "down"
        if key == Qt.Key.Key_Insert:
            return "child" if mods & ctrl else "sibling"
        return None

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._command(event) is not None
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        command = self._command(event)
        if command is None:
            super().keyPressEvent(event)
            return
        event.accept()
        if command == "undo":
            self.undoRequested.emit()
            return
        if command == "redo":
            self.redoRequested.emit()
            return
        if self.read_only:
            return
        uid = self.current_uid()
        if command == "rename":
            self.rename_current()
        elif command in ("sibling", "child"):
            self.addRequested.emit(command)
        elif uid is None:
            return
        elif command == "delete":
            self.deleteRequested.emit(uid)
        else:
            self.shiftRequested.emit(uid, -1 if command == "up" else 1)

    # -- drag and drop ------------------------------------------------------------------------
    def drop_zone(self, target: QTreeWidgetItem, pos: QPoint) -> str:
        """Where in ``target``'s row a drop lands: "above", "below" or "on".

        The top and bottom quarter of a row are its edges."""
        rect = self.visualItemRect(target)
        quarter = max(2, rect.height() // 4)
        if pos.y() < rect.top() + quarter:
            return "above"
        if pos.y() > rect.bottom() - quarter:
            return "below"
        return "on"

    def drop_target(
        self, dragged: QTreeWidgetItem, target: QTreeWidgetItem, zone: str
    ) -> tuple[int | None, int] | None:
        """Where a drop puts the dragged node: (new parent uid, index in ``move()`` terms)."""
        kind = dragged.data(0, KIND_ROLE)
        kind = om.CHAPTER if kind == ORPHAN else kind
        t_kind = target.data(0, KIND_ROLE)
        if t_kind in (ORPHANS, ORPHAN) or kind not in (om.PART, om.CHAPTER, om.SCENE):
            return None
        # Climb until the target is a node of the dragged kind or of its parent kind.
        while t_kind not in (kind, om.PARENT_KIND.get(kind)):
            parent = target.parent()
            if parent is None:
                return None
            target, t_kind, zone = parent, parent.data(0, KIND_ROLE), "below"
        holder = target.parent()
        index = holder.indexOfChild(target) if holder is not None else self.indexOfTopLevelItem(target)
        if t_kind == kind:  # a sibling: before or after it
            parent_uid = holder.data(0, UID_ROLE) if holder is not None else None
            return parent_uid, index + (0 if zone == "above" else 1)
        # The parent kind: into it (on: at the end; below an expanded one: first; above: the end of the one before)
        uid = int(target.data(0, UID_ROLE))
        if zone == "above":
            before = None
            if index:
                before = holder.child(index - 1) if holder is not None else self.topLevelItem(index - 1)
            if before is not None and before.data(0, KIND_ROLE) == t_kind:
                return int(before.data(0, UID_ROLE)), before.childCount()
            return uid, 0
        if zone == "below" and target.isExpanded():
            return uid, 0
        return uid, target.childCount()

    def dropEvent(self, event: QDropEvent) -> None:
        # Qt would move the items itself; the outline is the truth, so ask for the move instead.
        dragged = self.currentItem()
        pos = event.position().toPoint()
        target = self.itemAt(pos)
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if dragged is None or target is None or target is dragged or self.read_only:
            return
        where = self.drop_target(dragged, target, self.drop_zone(target, pos))
        if where is None:
            return
        parent_uid, index = where
        if dragged.data(0, KIND_ROLE) == ORPHAN:
            cid, title = str(dragged.data(0, CHAPTER_ID_ROLE)), str(dragged.data(0, TITLE_ROLE))
            self.request(self.addBackRequested, cid, title, parent_uid, index)
        else:
            self.request(self.moveRequested, int(dragged.data(0, UID_ROLE)), parent_uid, index)
