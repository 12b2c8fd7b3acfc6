"""Editing the outline: each edit is one undo step holding the tree before and after.

The panel owns loading, saving and versions; this object owns the tree being edited, the
``QUndoStack`` and the rules of where an added or moved node goes. Every change — an edit,
an undo, a redo — ends in :attr:`OutlineEditing.changed`, which the panel answers with a
(debounced) save of the DRAFT.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ghostline_desktop.ui.panels import outline_model as om
from ghostline_desktop.ui.panels.outline_tree import OutlineTree

DEFAULT_TITLES = {om.PART: "New part", om.CHAPTER: "New chapter", om.SCENE: "New scene"}


class TreeEdit(QUndoCommand):
    def __init__(
        self, editing: OutlineEditing, after: om.Tree, text: str, select_after: int | None, select_before: int | None
    ) -> None:
        super().__init__(text)
        self.editing = editing
        self.before = editing.tree
        self.after = after
        self.select_before = select_before
        self.select_after = select_after

    def redo(self) -> None:
        self.editing.set_tree(self.after, self.select_after)

    def undo(self) -> None:
        self.editing.set_tree(self.before, self.select_before)


class OutlineEditing(QObject):
    #: The tree changed (an edit, undo or redo): save it.
    changed = Signal()

    def __init__(
        self,
        view: OutlineTree,
        redraw: Callable[[int | None], None],
        confirm_delete: Callable[[om.Node], bool],
    ) -> None:
        super().__init__(view)
        self.view = view
        self.redraw = redraw
        self.confirm_delete = confirm_delete
        self.tree: om.Tree = ()
        self.stack = QUndoStack(self)
        view.renameRequested.connect(self.rename)
        view.moveRequested.connect(self.move)
        view.shiftRequested.connect(self.shift)
        view.deleteRequested.connect(self.delete)
        view.addRequested.connect(self.add_here)
        view.addBackRequested.connect(self.add_back)
        view.undoRequested.connect(self.stack.undo)
        view.redoRequested.connect(self.stack.redo)

    def load(self, tree: om.Tree, *, keep_history: bool = False) -> None:
        """Start editing ``tree`` (a version loaded or restored): not an undo step."""
        self.tree = tree
        if not keep_history:
            self.stack.clear()
        self.redraw(self.view.current_uid())

    def set_tree(self, tree: om.Tree, select: int | None) -> None:
        self.tree = tree
        self.redraw(select)
        self.changed.emit()

    def _push(self, after: om.Tree, text: str, select: int | None) -> None:
        if after != self.tree:
            self.stack.push(TreeEdit(self, after, text, select, self.view.current_uid()))

    # -- the edits ----------------------------------------------------------------------------
    def add(self, kind: str, title: str | None = None, *, edit: bool = True) -> int | None:
        """Add a part, chapter or scene near the selection; returns its uid (None: no place)."""
        node = om.new_node(kind, title or self.tr(DEFAULT_TITLES[kind]))
        tree = self.tree
        where = self._place(kind)
        if where is None and kind == om.CHAPTER:  # no part yet: make one to hold it
            part = om.new_node(om.PART, self.tr("Part 1"))
            tree = om.insert(tree, None, len(tree), part)
            where = (part.uid, 0)
        if where is None:
            return None
        parent, index = where
        self._push(om.insert(tree, parent, index, node), self.tr("Add {0}").format(kind), node.uid)
        if edit:
            self.view.rename_current()
        return node.uid

    def _place(self, kind: str) -> tuple[int | None, int] | None:
        """Where a new node of ``kind`` goes: after the selected node of its kind, else at the
        end of the selected (or nearest) parent."""
        tree, uid = self.tree, self.view.current_uid()
        path = om.path_of(tree, uid) if uid is not None else None
        depth = {om.PART: 1, om.CHAPTER: 2, om.SCENE: 3}[kind]
        if path is not None and len(path) >= depth:
            anchor = om.node_at(tree, path[:depth])
            parent = om.parent_uid(tree, anchor.uid)
            return parent, path[depth - 1] + 1
        if kind == om.PART:
            return None, len(tree)
        if path is not None and len(path) == depth - 1:
            holder = om.node_at(tree, path)
            return holder.uid, len(holder.children)
        holders = [n for n, _p in om.walk(tree) if n.kind == om.PARENT_KIND[kind]]
        if not holders:
            return None
        if path is not None:  # a part is selected and a scene is wanted: its last chapter
            inside = om.node_at(tree, path[:1]).children
            if inside:
                return inside[-1].uid, len(inside[-1].children)
            return None
        return holders[-1].uid, len(holders[-1].children)

    def add_here(self, how: str) -> None:
        """Insert: a sibling of the selection; Ctrl+Insert: a child of it."""
        uid = self.view.current_uid()
        node = om.find(self.tree, uid) if uid is not None else None
        if node is None:
            self.add(om.PART if not self.tree else om.CHAPTER)
        elif how == "child" and node.kind in om.CHILD_KIND:
            self.add(om.CHILD_KIND[node.kind])
        else:
            self.add(node.kind)

    def rename(self, uid: int, title: str) -> None:
        title = " ".join(title.split())
        node = om.find(self.tree, uid)
        if node is None or not title or title == node.title:
            return
        self._push(om.update(self.tree, uid, title=title), self.tr("Rename “{0}”").format(node.title), uid)

    def set_summary(self, uid: int, summary: str) -> None:
        summary = " ".join(summary.split())
        node = om.find(self.tree, uid)
        if node is None or summary == node.summary:
            return
        self._push(om.update(self.tree, uid, summary=summary), self.tr("Summary of “{0}”").format(node.title), uid)

    def delete(self, uid: int) -> None:
        node = om.find(self.tree, uid)
        if node is None or not self.confirm_delete(node):
            return
        # Select the neighbour, so Delete pressed again goes on down the list.
        path = om.path_of(self.tree, uid)
        after = om.remove(self.tree, uid)
        select = None
        if path is not None:
            siblings = om.node_at(after, path[:-1]).children if len(path) > 1 else after
            if siblings:
                select = siblings[min(path[-1], len(siblings) - 1)].uid
            elif len(path) > 1:
                select = om.node_at(after, path[:-1]).uid
        self._push(after, self.tr("Delete “{0}”").format(node.title), select)

    def move(self, uid: int, parent: int | None, index: int) -> None:
        node = om.find(self.tree, uid)
        if node is None:
            return
        try:
            after = om.move(self.tree, uid, parent, index)
        except (ValueError, KeyError):
            return  # not a place this kind of node can go
        self._push(after, self.tr("Move “{0}”").format(node.title), uid)

    def shift(self, uid: int, step: int) -> None:
        where = om.shifted(self.tree, uid, step)
        if where is not None:
            self.move(uid, *where)

    def add_back(self, chapter_id: str, title: str, parent: int | None, index: int) -> None:
        """A chapter flagged "not in outline" goes back in (approving links it by id again)."""
        if parent is None or chapter_id in om.chapter_ids(self.tree):
            return
        node = om.new_node(om.CHAPTER, title, extra={"chapter_id": chapter_id})
        try:
            after = om.insert(self.tree, parent, index, node)
        except (ValueError, KeyError):
            return
        self._push(after, self.tr("Add “{0}” back").format(title), node.uid)

    def add_back_at_end(self, chapter_id: str, title: str) -> None:
        """The "Add back to the outline" action: at the end of the selected part (or the last one)."""
        if chapter_id in om.chapter_ids(self.tree):
            return
        tree, uid = self.tree, self.view.current_uid()
        path = om.path_of(tree, uid) if uid is not None else None
        part = om.node_at(tree, path[:1]) if path else (tree[-1] if tree else None)
        if part is None:
            part = om.new_node(om.PART, self.tr("Part 1"))
            tree = om.insert(tree, None, 0, part)
        node = om.new_node(om.CHAPTER, title, extra={"chapter_id": chapter_id})
        after = om.insert(tree, part.uid, len(part.children), node)
        self._push(after, self.tr("Add “{0}” back").format(title), node.uid)
