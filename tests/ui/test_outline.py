"""Outline panel against the real OutlineService: add, rename, move (Ctrl+Up/Down and drop),
delete with confirmation, undo/redo, approve → chapters, versions (view, restore, archived),
an AI draft listed beside the current one."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QLineEdit, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui.main_window import MainWindow
from ghostline_desktop.ui.panels import outline_model as om
from ghostline_desktop.ui.panels.outline import OutlinePanel
from ghostline_desktop.ui.panels.outline_tree import KIND_ROLE, ORPHAN, ORPHANS, TITLE_ROLE
from tests.ui.conftest import WAIT_MS, DialogRecorder, open_and_wait

Run = Callable[[Any], Any]

BOOK = {
    "parts": [
        {"title": "Before", "chapters": [{"title": "Arrival", "scenes": ["Rain"]}, {"title": "The Inn", "scenes": []}]},
        {"title": "After", "chapters": [{"title": "Departure", "scenes": []}]},
    ]
}


def _project(services: Services, user: UserInfo, run: Run, structure: dict[str, Any] | None = None) -> Any:
    project = run(services.projects.create(user.id, f"Outline book {uuid.uuid4().hex[:6]}"))
    if structure is not None:
        run(services.outline.save(project.id, structure, title="Plan"))
    return project


def _titles(panel: OutlinePanel) -> list[str]:
    return [str(i.data(0, TITLE_ROLE)) for i in panel.chapter_items()]


def _saved(services: Services, run: Run, project_id: uuid.UUID) -> list[str]:
    current = run(services.outline.current(project_id))
    return [c["title"] for p in current.structure["parts"] for c in p["chapters"]] if current else []


def _item(panel: OutlinePanel, title: str) -> QTreeWidgetItem:
    for item in panel.tree._items():
        if item.data(0, TITLE_ROLE) == title:
            return item
    raise AssertionError(f"no item {title!r}")


def _select(panel: OutlinePanel, title: str) -> QTreeWidgetItem:
    item = _item(panel, title)
    panel.tree.setCurrentItem(item)
    return item


def _title_editor(panel: OutlinePanel) -> QLineEdit:
    """The open title editor (a closed one may linger until Qt deletes it)."""
    editors = [e for e in panel.tree.findChildren(QLineEdit, "outlineTitleEditor") if e.isVisible()]
    assert len(editors) == 1
    return editors[0]


def _wait_saved(qtbot: QtBot, panel: OutlinePanel) -> None:
    qtbot.waitUntil(lambda: not panel._dirty and not panel._saving, timeout=WAIT_MS)


def test_start_add_rename_and_save(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project = _project(services, user, run)
    open_and_wait(window, project.id, qtbot)
    panel = window.outline
    assert panel.stack.currentWidget() is panel.empty and panel.start_button.isVisible()
    panel.start_button.click()
    assert _titles(panel) == ["New chapter"]
    editor = _title_editor(panel)
    assert editor.hasFocus()  # the title is ready to type
    editor.setText("The Storm")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _titles(panel) == ["The Storm"], timeout=WAIT_MS)
    _wait_saved(qtbot, panel)
    assert _saved(services, run, project.id) == ["The Storm"]
    assert panel.outline is not None and panel.outline.version == 1 and panel.outline.status == "DRAFT"
    # Insert adds a sibling; F2 renames; the summary line edits a one-line summary
    _select(panel, "The Storm")
    qtbot.keyClick(panel.tree, Qt.Key.Key_Insert)
    editor = _title_editor(panel)
    editor.setText("Calm")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _titles(panel) == ["The Storm", "Calm"], timeout=WAIT_MS)
    _select(panel, "Calm")
    panel.summary_edit.setText("The morning after, quiet.")
    panel.summary_edit.editingFinished.emit()
    panel.editing.add(om.SCENE, "Breakfast", edit=False)
    _wait_saved(qtbot, panel)
    saved = run(services.outline.current(project.id))
    chapter = saved.structure["parts"][0]["chapters"][1]
    assert chapter["summary"] == "The morning after, quiet." and chapter["scenes"] == ["Breakfast"]
    assert saved.version == 1  # a DRAFT is edited in place


def test_move_by_keyboard_and_by_drop_with_undo(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project = _project(services, user, run, BOOK)
    open_and_wait(window, project.id, qtbot)
    panel = window.outline
    assert _titles(panel) == ["Arrival", "The Inn", "Departure"]
    _select(panel, "The Inn")
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert _titles(panel) == ["The Inn", "Arrival", "Departure"]
    current = panel.tree.currentItem()
    assert current is not None and current.data(0, TITLE_ROLE) == "The Inn"  # the moved entry stays selected
    # at the end of its part, Ctrl+Down carries a chapter into the next part
    _select(panel, "Arrival")
    qtbot.keyClick(panel.tree, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert [p.title for p in panel.editing.tree] == ["Before", "After"]
    assert [c.title for c in panel.editing.tree[1].children] == ["Arrival", "Departure"]
    _wait_saved(qtbot, panel)
    assert _saved(services, run, project.id) == ["The Inn", "Arrival", "Departure"]
    # undo and redo (Ctrl+Z / Ctrl+Shift+Z in the tree; the editor keeps its own undo)
    qtbot.keyClick(panel.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [c.title for c in panel.editing.tree[0].children] == ["The Inn", "Arrival"]
    qtbot.keyClick(panel.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _titles(panel) == ["Arrival", "The Inn", "Departure"]
    qtbot.keyClick(panel.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert _titles(panel) == ["The Inn", "Arrival", "Departure"]
    _wait_saved(qtbot, panel)
    assert _saved(services, run, project.id) == ["The Inn", "Arrival", "Departure"]
    # drag "Departure" onto the middle of part "Before": it goes to the end of that part
    dragged = _select(panel, "Departure")
    target = _item(panel, "Before")
    rect = panel.tree.visualItemRect(target)
    event = QDropEvent(
        QPointF(rect.center()),
        Qt.DropAction.MoveAction,
        QMimeData(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    assert panel.tree.currentItem() is dragged
    panel.tree.dropEvent(event)
    qtbot.waitUntil(lambda: [c.title for c in panel.editing.tree[0].children] == ["The Inn", "Arrival", "Departure"])
    assert panel.editing.tree[1].children == ()
    # and a scene dropped above a chapter's row goes to the end of the chapter before it
    _select(panel, "Arrival")
    panel.tree.expandAll()
    _select(panel, "Rain")
    rect = panel.tree.visualItemRect(_item(panel, "Arrival"))
    above = QDropEvent(
        QPointF(rect.center().x(), rect.top() + 1),
        Qt.DropAction.MoveAction,
        QMimeData(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    panel.tree.dropEvent(above)
    qtbot.waitUntil(lambda: [s.title for s in panel.editing.tree[0].children[0].children] == ["Rain"])
    _wait_saved(qtbot, panel)
    saved = run(services.outline.current(project.id))
    assert saved.structure["parts"][0]["chapters"][0] == {"title": "The Inn", "scenes": ["Rain"]}
    assert saved.structure["parts"][0]["chapters"][1] == {"title": "Arrival", "scenes": []}


def test_delete_asks_when_the_chapter_has_text(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run, dialogs: DialogRecorder
) -> None:
    project = _project(services, user, run, BOOK)
    run(services.chapters.create(project.id, "Arrival", content="It rained all the way to the coast."))
    open_and_wait(window, project.id, qtbot)
    panel = window.outline
    # an empty chapter goes without a question
    _select(panel, "Departure")
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert _titles(panel) == ["Arrival", "The Inn"] and not dialogs.questions
    # one with text asks; "Keep" keeps it
    dialogs.confirm_answer = False
    _select(panel, "Arrival")
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert len(dialogs.questions) == 1 and "8 words" in dialogs.questions[0].message
    assert _titles(panel) == ["Arrival", "The Inn"]
    dialogs.confirm_answer = True
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert _titles(panel) == ["The Inn"]
    # deleting a part that holds it would ask too; undo brings the chapter back
    panel.editing.stack.undo()
    assert _titles(panel) == ["Arrival", "The Inn"]
    _wait_saved(qtbot, panel)


def test_approve_creates_chapters_and_flags_removed_ones(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project = _project(services, user, run, BOOK)
    kept = run(services.chapters.create(project.id, "The Inn", content="The innkeeper was asleep."))
    open_and_wait(window, project.id, qtbot)
    panel = window.outline
    assert panel.approve_button.isEnabled()
    panel.approve_button.click()
    qtbot.waitUntil(lambda: panel.approval is not None, timeout=WAIT_MS)
    assert panel.approval is not None
    assert len(panel.approval.created) == 2 and panel.approval.updated == [kept.id]
    assert panel.banner.isVisible() and "2 chapter(s) created" in panel.banner_text.text()
    chapters = run(services.chapters.list_chapters(project.id))
    assert [c.title for c in chapters] == ["Arrival", "The Inn", "Departure"]
    qtbot.waitUntil(lambda: "Approved" in panel.heading.text(), timeout=WAIT_MS)
    assert not panel.approve_button.isEnabled()  # approved: nothing to approve until an edit
    # the next edit starts version 2 as a DRAFT; removing "The Inn" orphans it on approval
    _select(panel, "The Inn")
    panel.editing.delete(panel.tree.current_uid() or 0)
    _wait_saved(qtbot, panel)
    assert panel.outline is not None and (panel.outline.version, panel.outline.status) == (2, "DRAFT")
    panel.approve_button.click()
    qtbot.waitUntil(lambda: panel.approval is not None and panel.approval.orphaned == [kept.id], timeout=WAIT_MS)
    assert "not in the outline" in panel.banner_text.text()
    qtbot.waitUntil(lambda: any(i.data(0, KIND_ROLE) == ORPHANS for i in panel.tree._items()), timeout=WAIT_MS)
    orphan = next(i for i in panel.tree._items() if i.data(0, KIND_ROLE) == ORPHAN)
    assert orphan.data(0, TITLE_ROLE) == "The Inn"
    # clicking it opens the chapter; "Add back to the outline" puts it in again
    panel.tree.itemClicked.emit(orphan, 0)
    qtbot.waitUntil(lambda: window.editor.chapter_id == kept.id, timeout=WAIT_MS)
    panel.tree.setCurrentItem(_item(panel, "Before"))
    panel.editing.add_back_at_end(str(kept.id), "The Inn")
    assert _titles(panel) == ["Arrival", "The Inn", "Departure"]
    assert not any(i.data(0, KIND_ROLE) == ORPHANS for i in panel.tree._items())
    panel.approve_button.click()
    qtbot.waitUntil(lambda: panel.approval is not None and panel.approval.outline.version == 3, timeout=WAIT_MS)
    assert kept.id in panel.approval.updated and not panel.approval.orphaned  # linked again by its id


def test_versions_view_restore_and_ai_draft(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project = _project(services, user, run, BOOK)
    first = run(services.outline.current(project.id))
    run(services.outline.approve(first.id))
    second = run(services.outline.save(project.id, {"parts": [{"title": "Only", "chapters": [{"title": "One"}]}]}))
    run(services.outline.approve(second.id))  # version 1 is archived now
    open_and_wait(window, project.id, qtbot)
    panel = window.outline
    assert _titles(panel) == ["One"]
    assert [v.version for v in panel.versions.versions] == [2]  # archived hidden by default
    panel.versions.toggle.click()
    panel.versions.show_archived.click()
    qtbot.waitUntil(lambda: [v.version for v in panel.versions.versions] == [2, 1], timeout=WAIT_MS)
    # view version 1: read-only, with a way back and a restore
    panel.versions.versionChosen.emit(first.id)
    assert panel.viewing is not None and panel.tree.read_only
    assert _titles(panel) == ["Arrival", "The Inn", "Departure"]
    assert "read-only" in panel.banner_text.text() and panel.restore_button.isVisible()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)  # nothing happens to a version being viewed
    assert _titles(panel) == ["Arrival", "The Inn", "Departure"] and not panel._dirty
    panel.back_button.click()
    assert panel.viewing is None and _titles(panel) == ["One"]
    panel.versions.versionChosen.emit(first.id)
    panel.restore_button.click()
    qtbot.waitUntil(lambda: panel.outline is not None and panel.outline.version == 3, timeout=WAIT_MS)
    assert panel.outline.status == "DRAFT" and _titles(panel) == ["Arrival", "The Inn", "Departure"]
    assert not panel.tree.read_only
    # an AI outline arrives as a new DRAFT: listed beside the one being edited
    ai = run(services.outline.save(project.id, {"parts": [{"title": "AI", "chapters": []}]}, new_version=True))
    qtbot.waitUntil(lambda: any(v.id == ai.id for v in panel.versions.versions), timeout=WAIT_MS)
    assert panel.outline.version == 3 and _titles(panel) == ["Arrival", "The Inn", "Departure"]
    assert "2 drafts" in panel.versions.toggle.text()


def test_closing_the_window_saves_a_pending_edit(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    from PySide6.QtGui import QCloseEvent

    project = _project(services, user, run, BOOK)
    open_and_wait(window, project.id, qtbot)
    panel = window.outline
    _select(panel, "Departure")
    panel.editing.rename(panel.tree.current_uid() or 0, "Farewell")
    assert panel._dirty and panel._save_timer.isActive()  # the debounced save has not run yet
    panel.eventFilter(window, QCloseEvent())  # what the window's close sends the panel first
    assert not panel._dirty
    assert _saved(services, run, project.id) == ["Arrival", "The Inn", "Farewell"]
