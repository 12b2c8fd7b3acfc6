"""Typing autosaves a new revision; a stale revision keeps the author's text and says why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui.main_window import MainWindow
from tests.ui.conftest import DialogRecorder, open_and_wait


def _project_with_chapter(services: Services, user: UserInfo, run: Callable[[Any], Any], text: str) -> Any:
    project = run(services.projects.create(user.id, "Editor book"))
    chapter = run(services.chapters.create(project.id, "Opening", content=text))
    return project, chapter


def _wait_loaded(window: MainWindow, chapter_id: Any, qtbot: QtBot) -> None:
    qtbot.waitUntil(
        lambda: window.editor.chapter_id == chapter_id and window.editor.stack.currentWidget() is window.editor.text
    )


def test_typing_autosaves_a_revision(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    project, chapter = _project_with_chapter(services, user, run, "It was a dark night.")
    open_and_wait(window, project.id, qtbot)
    _wait_loaded(window, chapter.id, qtbot)
    before = run(services.chapters.get(chapter.id)).revision_number
    editor = window.editor
    editor.text.moveCursor(editor.text.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.text, " The rain fell.")
    assert editor.save_state == "unsaved"
    assert window.isWindowModified()
    qtbot.waitUntil(lambda: editor.save_state == "saved", timeout=10_000)
    saved = run(services.chapters.get(chapter.id))
    assert saved.content == "It was a dark night. The rain fell."
    assert saved.revision_number == before + 1
    assert editor.revision == saved.revision_number
    assert "Saved" in editor.state_label.text()
    assert editor.word_label.text() == "8 words"
    # undo comes from the document
    editor.undo()
    assert editor.text.toPlainText() != saved.content


def test_switching_chapters_saves_the_one_left(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    project, first = _project_with_chapter(services, user, run, "First.")
    second = run(services.chapters.create(project.id, "Second", content="Second."))
    open_and_wait(window, project.id, qtbot)
    _wait_loaded(window, first.id, qtbot)
    qtbot.keyClicks(window.editor.text, "Edited ")
    idx = window.editor.combo_index(second.id)
    window.editor.chapter_combo.setCurrentIndex(idx)
    window.editor.chapter_combo.activated.emit(idx)
    _wait_loaded(window, second.id, qtbot)
    qtbot.waitUntil(lambda: run(services.chapters.get(first.id)).content == "Edited First.", timeout=10_000)
    assert window.editor.text.toPlainText() == "Second."


def test_conflict_keeps_the_authors_text(
    window: MainWindow,
    dialogs: DialogRecorder,
    qtbot: QtBot,
    services: Services,
    user: UserInfo,
    run: Callable[[Any], Any],
) -> None:
    project, chapter = _project_with_chapter(services, user, run, "Original.")
    open_and_wait(window, project.id, qtbot)
    _wait_loaded(window, chapter.id, qtbot)
    # Someone else saves first (another window, the CLI): our revision is now stale.
    current = run(services.chapters.get(chapter.id))
    run(services.chapters.save_text(chapter.id, "Theirs.", expected_revision=current.revision_number))
    window.editor.dirty = True  # the event-driven reload only happens with nothing unsaved: type at once
    qtbot.keyClicks(window.editor.text, "Mine ")
    window.editor.save_now()
    qtbot.waitUntil(lambda: window.editor.save_state == "conflict", timeout=10_000)
    assert dialogs.errors and dialogs.errors[-1].title == "Chapter changed elsewhere"
    assert window.editor.text.toPlainText() == "Mine Original."
    assert run(services.chapters.get(chapter.id)).content == "Theirs."
    # File ▸ Save keeps the author's version as a new revision.
    window.menus.save.trigger()
    qtbot.waitUntil(lambda: window.editor.save_state == "saved", timeout=10_000)
    assert run(services.chapters.get(chapter.id)).content == "Mine Original."


def test_find_bar_finds_and_replaces(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    project, chapter = _project_with_chapter(services, user, run, "cat and cat and dog")
    open_and_wait(window, project.id, qtbot)
    _wait_loaded(window, chapter.id, qtbot)
    window.menus.find.trigger()
    bar = window.editor.find_bar
    assert bar.isVisible()
    bar.find_edit.setText("cat")
    assert bar.find_next()
    assert window.editor.text.textCursor().selectedText() == "cat"
    bar.replace_edit.setText("fox")
    assert bar.replace_all() == 2
    assert window.editor.text.toPlainText() == "fox and fox and dog"
    qtbot.keyClick(bar.find_edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    qtbot.waitUntil(lambda: window.editor.save_state == "saved", timeout=10_000)


def test_new_chapter_button_creates_and_opens(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    project = run(services.projects.create(user.id, "Empty book"))
    open_and_wait(window, project.id, qtbot)
    assert window.editor.new_chapter_button.isEnabled()
    window.editor.create_chapter("A beginning")
    qtbot.waitUntil(lambda: window.editor.title_label.text() == "A beginning", timeout=10_000)
    assert [c.title for c in run(services.chapters.list_chapters(project.id))] == ["A beginning"]
    qtbot.waitUntil(lambda: window.editor.chapter_combo.count() == 1)


def test_chapter_changes_elsewhere_refresh_the_editor(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    """A rename or delete made outside this editor (CLI, another window) shows up without reopening."""
    project, first = _project_with_chapter(services, user, run, "First.")
    second = run(services.chapters.create(project.id, "Second", content="Second."))
    open_and_wait(window, project.id, qtbot)
    _wait_loaded(window, first.id, qtbot)
    combo = window.editor.chapter_combo
    run(services.chapters.rename(second.id, "The Second Coming"))
    qtbot.waitUntil(lambda: combo.itemText(window.editor.combo_index(second.id)).endswith("The Second Coming"))
    run(services.chapters.delete(first.id))
    qtbot.waitUntil(lambda: combo.count() == 1)
    _wait_loaded(window, second.id, qtbot)
    qtbot.waitUntil(lambda: window.editor.text.toPlainText() == "Second.")


def test_editor_is_read_only_while_a_chapter_loads(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    """Keys pressed between choosing a chapter and its text arriving must not land in it."""
    project, first = _project_with_chapter(services, user, run, "First.")
    second = run(services.chapters.create(project.id, "Second", content="Second."))
    open_and_wait(window, project.id, qtbot)
    _wait_loaded(window, first.id, qtbot)
    window.editor.open_chapter(second.id)
    assert window.editor.text.isReadOnly()
    qtbot.waitUntil(lambda: window.editor.text.toPlainText() == "Second.")
    assert not window.editor.text.isReadOnly()
