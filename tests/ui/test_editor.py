"""The chapter editor over the real services: autosave keeps one working text (no revision spam),
Ctrl+S makes a revision with a note, the pause rule makes a checkpoint, word counts agree with the
stored ones, chapter status, find/replace, undo, read-only while loading, other writers' text.

Helpers here are shared by the other ``test_editor_*`` modules and ``test_revisions``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFocusEvent, QTextCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ghostline_desktop.core.words import count_words
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui.main_window import MainWindow
from ghostline_desktop.ui.panels.editor import AUTOSAVE_MAX_MS, EditorPanel
from ghostline_desktop.ui.panels.revisions import COL_ORIGIN
from tests.ui.conftest import WAIT_MS, open_and_wait

Run = Callable[[Any], Any]


def make_book(services: Services, user: UserInfo, run: Run, *texts: str, target: int | None = None) -> Any:
    """A project with one chapter per text (each text its revision 1)."""
    project = run(services.projects.create(user.id, f"Editor book {uuid.uuid4().hex[:6]}", target_word_count=target))
    chapters = [
        run(services.chapters.create(project.id, f"Chapter {i}", content=text)) for i, text in enumerate(texts, 1)
    ]
    return project, chapters


def wait_loaded(window: MainWindow, chapter_id: uuid.UUID, qtbot: QtBot) -> None:
    editor = window.editor
    qtbot.waitUntil(
        lambda: editor.shown == chapter_id and not editor.text.isReadOnly() and editor.save_state == "saved",
        timeout=WAIT_MS,
    )


def wait_saved(editor: EditorPanel, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: editor.save_state == "saved" and not editor.dirty, timeout=WAIT_MS)


def type_at_end(editor: EditorPanel, qtbot: QtBot, text: str) -> None:
    editor.text.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor.text, text)


def switch_to(editor: EditorPanel, chapter_id: uuid.UUID) -> None:
    """Pick a chapter in the chapter selector as the author would."""
    idx = editor.combo_index(chapter_id)
    editor.chapter_combo.setCurrentIndex(idx)
    editor.chapter_combo.activated.emit(idx)


def sealed_numbers(services: Services, run: Run, chapter_id: uuid.UUID) -> list[int]:
    return [r.revision_number for r in run(services.chapters.list_revisions(chapter_id, include_working=False))]


def history_cell(editor: EditorPanel, row: int, column: int) -> str:
    item = editor.history.tree.topLevelItem(row)
    assert item is not None, f"no history row {row}"
    return item.text(column)


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


# -- autosave -------------------------------------------------------------------------------------------


def test_typing_autosaves_the_working_text_in_place(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project, [chapter] = make_book(services, user, run, "It was a dark night.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
    editor = window.editor
    type_at_end(editor, qtbot, " The rain fell.")
    assert editor.save_state == "unsaved" and window.isWindowModified()
    wait_saved(editor, qtbot)  # the autosave timer, a couple of seconds after the last key
    assert not window.isWindowModified()
    stored = run(services.chapters.get(chapter.id))
    assert stored.content == "It was a dark night. The rain fell." and stored.working
    assert sealed_numbers(services, run, chapter.id) == [1]

    # A morning of short pauses: every autosave updates the same working text.
    for word in (" Thunder.", " Then silence.", " A door creaked."):
        type_at_end(editor, qtbot, word)
        editor.save_now()  # what the timer does
        wait_saved(editor, qtbot)
    final = "It was a dark night. The rain fell. Thunder. Then silence. A door creaked."
    history = run(services.chapters.list_revisions(chapter.id))
    assert [(r.revision_number, r.sealed) for r in history] == [(2, False), (1, True)]
    assert run(services.chapters.get(chapter.id)).content == final
    # The history beside the editor shows it the same way.
    qtbot.waitUntil(lambda: [r.sealed for r in editor.history.rows] == [False, True], timeout=WAIT_MS)
    assert history_cell(editor, 0, COL_ORIGIN) == "Working text"
    assert editor.footer.revision_label.text() == "Revision 1 + working text"
    # Undo comes from the document.
    editor.undo()
    assert editor.text.toPlainText() != final and final.startswith(editor.text.toPlainText())


def test_focus_loss_saves_at_once(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project, [chapter] = make_book(services, user, run, "Focus.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
    editor = window.editor
    window.activateWindow()
    editor.text.setFocus()
    type_at_end(editor, qtbot, " Then the author clicked elsewhere.")
    assert editor._autosave.isActive()
    editor.history.tree.setFocus()  # the author went to the history (or another window)
    QApplication.sendEvent(editor.text, QFocusEvent(QEvent.Type.FocusOut))  # offscreen: no real focus change
    assert not editor._autosave.isActive() and not editor.dirty  # handed to the session now, not in 2 s
    wait_saved(editor, qtbot)
    assert run(services.chapters.get(chapter.id)).content == "Focus. Then the author clicked elsewhere."


def test_typing_non_stop_still_saves_every_few_seconds(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    """A crash may lose only the last few seconds: the autosave does not wait for a pause forever."""
    project, [chapter] = make_book(services, user, run, "Start.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
    editor = window.editor
    started = time.monotonic()
    typed = "Start."
    # Keep typing a word every half second: the idle timer never fires, the maximum does.
    while run(services.chapters.get(chapter.id)).content == "Start.":
        assert time.monotonic() - started < 30, "nothing was saved while typing"
        type_at_end(editor, qtbot, " go")
        typed += " go"
        qtbot.wait(500)
    assert run(services.chapters.get(chapter.id)).content.startswith("Start. go")
    assert AUTOSAVE_MAX_MS <= 5000  # the promise: at most ~5 s of typing is ever unsaved


def test_ctrl_s_saves_a_revision_with_a_note(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project, [chapter] = make_book(services, user, run, "Draft one.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
    editor = window.editor
    type_at_end(editor, qtbot, " Better.")
    window.menus.save.trigger()  # Ctrl+S
    assert editor.note_bar.isVisible() and editor.note_bar.note_edit.hasFocus()
    qtbot.keyClicks(editor.note_bar.note_edit, "Sharper ending")
    qtbot.keyClick(editor.note_bar.note_edit, Qt.Key.Key_Return)
    assert not editor.note_bar.isVisible()
    qtbot.waitUntil(lambda: sealed_numbers(services, run, chapter.id) == [2, 1], timeout=WAIT_MS)
    newest = run(services.chapters.list_revisions(chapter.id))[0]
    assert (newest.sealed, newest.note, newest.source) == (True, "Sharper ending", "MANUAL")
    assert run(services.chapters.get_revision(chapter.id, 2)).content == "Draft one. Better."
    qtbot.waitUntil(
        lambda: bool(editor.history.rows) and editor.history.rows[0].note == "Sharper ending", timeout=WAIT_MS
    )
    # Ctrl+S twice saves at once, without a note; unchanged text makes no duplicate revision.
    window.menus.save.trigger()
    window.menus.save.trigger()
    wait_saved(editor, qtbot)
    assert sealed_numbers(services, run, chapter.id) == [2, 1]


def test_first_save_after_a_pause_is_a_revision(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run, settings: Any
) -> None:
    editor = window.editor
    window.settings = settings.with_changes(checkpoint_after_minutes=3)  # as Preferences ▸ OK does
    window.settingsChanged.emit(window.settings)
    assert editor.saves.checkpoint_after_s == 180
    clock = FakeClock()
    editor.saves.clock = clock
    editor.saves.attach(services, user.id)  # a session on the test's clock, with the 3 minutes
    project, [chapter] = make_book(services, user, run, "Monday's words.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)

    type_at_end(editor, qtbot, " More.")
    editor.save_now()
    wait_saved(editor, qtbot)
    assert sealed_numbers(services, run, chapter.id) == [1]  # an autosave: working text only

    clock.now += 4 * 60  # the author came back after a longer pause than the setting
    type_at_end(editor, qtbot, " Tuesday.")
    editor.save_now()
    wait_saved(editor, qtbot)
    assert sealed_numbers(services, run, chapter.id) == [2, 1]
    assert run(services.chapters.get_revision(chapter.id, 2)).content == "Monday's words. More. Tuesday."


# -- counts, status, find ---------------------------------------------------------------------------------


def test_footer_counts_agree_with_the_stored_counts(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project, [one, _two] = make_book(
        services, user, run, "# One\n\nIt was *very* dark — don't go.", "Second chapter here.", target=1000
    )
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, one.id, qtbot)
    footer = window.editor.footer
    qtbot.waitUntil(lambda: footer.book is not None and footer.chapter_words is not None, timeout=WAIT_MS)
    assert footer.chapter_words == run(services.chapters.get(one.id)).word_count == 7
    assert footer.book_words() == run(services.chapters.book_words(project.id)).words == 10
    assert footer.word_label.text() == "7 words"
    assert footer.book_label.text() == "· Book 10 of 1,000 words (1%)"

    type_at_end(window.editor, qtbot, " Well-known words, 1,000 of them.")
    qtbot.waitUntil(lambda: footer.chapter_words == 12, timeout=WAIT_MS)  # live, before any save
    assert footer.book_words() == 15
    wait_saved(window.editor, qtbot)
    stored = run(services.chapters.get(one.id))
    assert stored.word_count == count_words(window.editor.text.toPlainText()) == footer.chapter_words
    qtbot.waitUntil(lambda: footer.stored_words == 12, timeout=WAIT_MS)
    assert footer.book_words() == run(services.chapters.book_words(project.id)).words == 15


def test_status_is_shown_and_changeable(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project, [chapter] = make_book(services, user, run, "Words.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
    combo = window.editor.status_combo
    assert combo.isEnabled() and combo.currentData() == "DRAFT" and combo.currentText() == "Draft"
    assert [combo.itemData(i) for i in range(combo.count())] == ["PLANNED", "DRAFT", "REVIEWING", "APPROVED"]
    idx = combo.findData("REVIEWING")
    combo.setCurrentIndex(idx)
    combo.activated.emit(idx)
    qtbot.waitUntil(lambda: run(services.chapters.summary(chapter.id)).status == "REVIEWING", timeout=WAIT_MS)
    run(services.chapters.set_status(chapter.id, "APPROVED"))  # elsewhere (CLI): the editor follows
    qtbot.waitUntil(lambda: combo.currentData() == "APPROVED", timeout=WAIT_MS)


def test_find_bar_finds_and_replaces(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project, [chapter] = make_book(services, user, run, "cat and cat and dog")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
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
    window.editor.undo()  # one undo step for the whole replace
    assert window.editor.text.toPlainText() == "cat and cat and dog"
    window.editor.redo()
    window.editor.save_now()
    wait_saved(window.editor, qtbot)
    assert run(services.chapters.get(chapter.id)).content == "fox and fox and dog"


def test_new_chapter_button_creates_and_opens(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project = run(services.projects.create(user.id, "Empty book"))
    open_and_wait(window, project.id, qtbot)
    assert window.editor.new_chapter_button.isEnabled()
    assert "no chapters yet" in window.editor.placeholder.text()
    window.editor.create_chapter("A beginning")
    qtbot.waitUntil(lambda: window.editor.title_label.text() == "A beginning", timeout=WAIT_MS)
    [created] = run(services.chapters.list_chapters(project.id))
    wait_loaded(window, created.id, qtbot)
    assert window.editor.status_combo.currentData() == "PLANNED"
    type_at_end(window.editor, qtbot, "First words.")
    window.editor.save_now()
    wait_saved(window.editor, qtbot)
    assert run(services.chapters.get(created.id)).content == "First words."


def test_chapter_changes_elsewhere_refresh_the_editor(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    """A rename or delete made outside this editor (CLI, another window) shows up without reopening."""
    project, [first, second] = make_book(services, user, run, "First.", "Second.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, first.id, qtbot)
    combo = window.editor.chapter_combo
    run(services.chapters.rename(second.id, "The Second Coming"))
    qtbot.waitUntil(lambda: combo.itemText(window.editor.combo_index(second.id)).endswith("The Second Coming"))
    run(services.chapters.delete(first.id))
    qtbot.waitUntil(lambda: combo.count() == 1)
    wait_loaded(window, second.id, qtbot)
    assert window.editor.text.toPlainText() == "Second."


def test_another_writers_text_replaces_an_unchanged_editor(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    """An AI draft lands while the author has nothing unsaved: the editor shows it (undoably)."""
    project, [chapter] = make_book(services, user, run, "Mine, saved.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
    run(services.chapters.save_text(chapter.id, "The AI's draft.", source="AI_DRAFT"))
    qtbot.waitUntil(lambda: window.editor.text.toPlainText() == "The AI's draft.", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(window.editor.history.rows), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.editor.history.rows[0].source == "AI_DRAFT", timeout=WAIT_MS)
    assert history_cell(window.editor, 0, COL_ORIGIN) == "AI draft"
    # Typing on goes on top of it without a conflict.
    type_at_end(window.editor, qtbot, " Edited.")
    window.editor.save_now()
    wait_saved(window.editor, qtbot)
    assert run(services.chapters.get(chapter.id)).content == "The AI's draft. Edited."
    assert window.editor.conflicts == {}


def test_editor_is_read_only_while_a_chapter_loads(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    """Keys pressed between choosing a chapter and its text arriving must not land in it."""
    project, [first, second] = make_book(services, user, run, "First.", "Second.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, first.id, qtbot)
    window.editor.open_chapter(second.id)
    assert window.editor.text.isReadOnly() and window.editor.save_state == "loading"
    qtbot.keyClicks(window.editor.text, "lost")
    assert window.editor.text.toPlainText() == "First."
    wait_loaded(window, second.id, qtbot)
    assert window.editor.text.toPlainText() == "Second."
    assert run(services.chapters.get(first.id)).content == "First."


def test_checkpoint_setting_is_stored_and_edited_in_preferences(qtbot: QtBot, settings: Any) -> None:
    from ghostline_desktop.config import load_settings, save_settings
    from ghostline_desktop.ui.dialogs.preferences import PreferencesDialog

    assert settings.checkpoint_after_minutes == 10  # the default
    dlg = PreferencesDialog(settings.with_changes(checkpoint_after_minutes=25))
    qtbot.addWidget(dlg)
    assert dlg.checkpoint_spin.value() == 25
    dlg.checkpoint_spin.setValue(45)
    changed = dlg.result_settings()
    assert changed.checkpoint_after_minutes == 45
    save_settings(changed)
    assert load_settings(settings.config_dir).checkpoint_after_minutes == 45
