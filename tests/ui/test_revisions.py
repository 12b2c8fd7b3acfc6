"""The revision history beside the editor: rows (time, origin, words, change size, similarity,
note), the working text first, restore as a new revision, "Request changes…" feedback, and the
``diffRequested`` signal the diff view listens to."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui.main_window import MainWindow
from ghostline_desktop.ui.panels.revisions import (
    COL_CHANGE,
    COL_ORIGIN,
    COL_VOICE,
    COL_WHEN,
    COL_WORDS,
    RevisionHistory,
)
from tests.ui.conftest import WAIT_MS, open_and_wait
from tests.ui.test_editor import Run, history_cell, make_book, type_at_end, wait_loaded, wait_saved


def _book_with_history(services: Services, user: UserInfo, run: Run) -> tuple[Any, Any]:
    """Revision 1 (author), 2 (AI draft), 3 (author, with a note), then a working text."""
    project, [chapter] = make_book(services, user, run, "One two three.")
    run(services.chapters.save_text(chapter.id, "One two three four five.", source="AI_DRAFT"))
    run(services.chapters.save_text(chapter.id, "One three four five six.", note="Cut the two"))
    base = run(services.chapters.get(chapter.id)).base
    run(services.chapters.autosave(chapter.id, "One three four five six seven.", base=base))
    return project, chapter


def _wait_rows(history: RevisionHistory, qtbot: QtBot, count: int) -> None:
    qtbot.waitUntil(lambda: len(history.rows) == count and history.tree.topLevelItemCount() == count, timeout=WAIT_MS)


def test_history_rows_show_each_revision(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project, chapter = _book_with_history(services, user, run)
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
    editor = window.editor
    _wait_rows(editor.history, qtbot, 4)
    rows = [[history_cell(editor, r, c) for c in (COL_ORIGIN, COL_WORDS, COL_CHANGE, COL_VOICE)] for r in range(4)]
    assert rows == [
        ["Working text", "6", "+1", "—"],
        ["Author", "5", "+1 −1", "—"],
        ["AI draft", "5", "+2", "—"],
        ["Author", "3", "+3", "—"],
    ]
    assert history_cell(editor, 0, COL_WHEN) == "just now"
    tree = editor.history.tree
    assert [tree.topLevelItem(r).toolTip(COL_WHEN).split(" · ")[0] for r in range(4)] == [  # type: ignore[union-attr]
        "Working text",
        "Revision 3",
        "Revision 2",
        "Revision 1",
    ]
    # A note is a full-width line under its revision.
    assert [editor.history.note_line(n) for n in (4, 3, 2, 1)] == ["", "“Cut the two”", "", ""]
    assert editor.footer.revision_label.text() == "Revision 3 + working text"
    editor.history.select_revision(3)
    assert "Revision 3 · Author" in editor.history.detail.text() and "Note: Cut the two" in editor.history.detail.text()
    assert editor.history.restore_button.isEnabled() and editor.history.feedback_button.isEnabled()
    editor.history.select_revision(4)  # the working text: not a revision, nothing to restore or review
    assert not editor.history.restore_button.isEnabled() and not editor.history.feedback_button.isEnabled()
    assert editor.history.detail.text().startswith("Working text (not a revision yet)")


def test_compare_emits_diff_requested(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project, chapter = _book_with_history(services, user, run)
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
    history = window.editor.history
    _wait_rows(history, qtbot, 4)
    history.select_revision(3)
    with qtbot.waitSignal(window.editor.diffRequested) as one:
        history.compare_button.click()
    assert one.args == [chapter.id, 2, 3]  # one revision: against the one before it
    history.select_revision(1)
    history.select_revision(4, add=True)
    with qtbot.waitSignal(history.diffRequested) as two:
        history.compare_button.click()
    assert two.args == [chapter.id, 1, 4]  # two revisions: those two, older first
    history.select_revision(1)
    with qtbot.waitSignal(history.diffRequested) as first:
        history.compare()
    assert first.args == [chapter.id, 0, 1]  # the first revision: against the empty text


def test_restore_makes_a_new_revision_and_keeps_the_working_text(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project, chapter = _book_with_history(services, user, run)
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
    editor = window.editor
    type_at_end(editor, qtbot, " Eight.")  # unsaved words: saved before the restore, never lost
    _wait_rows(editor.history, qtbot, 4)
    editor.history.select_revision(1)
    editor.history.restore_button.click()
    qtbot.waitUntil(lambda: editor.text.toPlainText() == "One two three.", timeout=WAIT_MS)
    assert not editor.text.isReadOnly()
    wait_saved(editor, qtbot)
    history = run(services.chapters.list_revisions(chapter.id))
    assert [(r.revision_number, r.source, r.sealed) for r in history] == [
        (5, "RESTORE", True),
        (4, "MANUAL", True),
        (3, "MANUAL", True),
        (2, "AI_DRAFT", True),
        (1, "MANUAL", True),
    ]
    assert run(services.chapters.get_revision(chapter.id, 4)).content == "One three four five six seven. Eight."
    assert history[0].note == "Restored revision 1"
    qtbot.waitUntil(lambda: bool(editor.history.rows) and editor.history.rows[0].source == "RESTORE")
    assert history_cell(editor, 0, COL_ORIGIN) == "Restore"
    # The author's text is one undo away, and typing goes on from the restored text.
    editor.undo()
    assert editor.text.toPlainText() == "One three four five six seven. Eight."
    editor.redo()
    type_at_end(editor, qtbot, " Again.")
    editor.save_now()
    wait_saved(editor, qtbot)
    assert run(services.chapters.get(chapter.id)).content == "One two three. Again."


def test_request_changes_stores_feedback_on_the_revision(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    project, chapter = _book_with_history(services, user, run)
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
    history = window.editor.history
    _wait_rows(history, qtbot, 4)
    history.select_revision(2)
    history.feedback_button.click()
    assert history.feedback_box.isVisible() and history.feedback_edit.hasFocus()
    qtbot.keyClicks(history.feedback_edit, "Less adverbs; keep the ending.")
    history.feedback_save.click()
    qtbot.waitUntil(lambda: not history.feedback_box.isVisible(), timeout=WAIT_MS)
    stored = next(r for r in run(services.chapters.list_revisions(chapter.id)) if r.revision_number == 2)
    assert stored.user_feedback == "Less adverbs; keep the ending."
    assert history.note_line(2) == "changes requested"
    assert "Changes requested: Less adverbs; keep the ending." in history.detail.text()
    # Reopening the box shows it; clearing it clears the request.
    history.feedback_button.click()
    assert history.feedback_edit.toPlainText() == "Less adverbs; keep the ending."
    history.feedback_edit.clear()
    qtbot.keyClick(history.feedback_edit, Qt.Key.Key_Space)
    history.feedback_save.click()
    qtbot.waitUntil(lambda: not history.feedback_box.isVisible(), timeout=WAIT_MS)
    stored = next(r for r in run(services.chapters.list_revisions(chapter.id)) if r.revision_number == 2)
    assert stored.user_feedback is None


def test_detail_shows_every_line_and_columns_fit_the_themed_panel(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    """Tried as an author with the real stylesheet: the detail under the list showed only its
    first line right after a selection, and the theme's cell padding squeezed the stretched
    Origin column to nothing (no row showed its origin) with ± scrolled out of the panel."""
    from PySide6.QtWidgets import QApplication

    from ghostline_desktop.ui.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, "light")
    try:
        project, chapter = _book_with_history(services, user, run)
        open_and_wait(window, project.id, qtbot)
        wait_loaded(window, chapter.id, qtbot)
        history = window.editor.history
        _wait_rows(history, qtbot, 4)
        qtbot.wait(50)  # the splitter takes the list's new minimum width
        history.select_revision(2)
        history.select_revision(3)  # no event loop pass in between: the geometry must already fit
        detail = history.detail
        assert "\n" in detail.text() and "Cut the two" in detail.text()
        assert detail.height() >= detail.heightForWidth(detail.width()) > detail.fontMetrics().height() + 4
        tree, header = history.tree, history.tree.header()
        assert header.sectionSize(COL_ORIGIN) >= tree.sizeHintForColumn(COL_ORIGIN)
        assert header.length() <= tree.viewport().width()  # ± in view, no sideways scrolling
    finally:
        app.setStyleSheet("")


def test_an_incomplete_ai_draft_is_marked_in_the_history(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run
) -> None:
    """A draft whose stream was cut short or cancelled (chapter_revisions.incomplete) says so in
    its Origin cell, that cell's tooltip and the detail line; a whole AI draft does not."""
    from sqlalchemy import update

    from ghostline_desktop.db.models import ChapterRevision

    project, [chapter] = make_book(services, user, run, "One two three.")
    run(services.chapters.save_text(chapter.id, "One two three four five.", source="AI_DRAFT"))
    run(services.chapters.save_text(chapter.id, "One two three four five six seven.", source="AI_DRAFT"))

    async def cut_short() -> None:
        async with services.db.session() as s:
            await s.execute(
                update(ChapterRevision)
                .where(ChapterRevision.chapter_id == chapter.id, ChapterRevision.revision_number == 3)
                .values(incomplete=True)
            )

    run(cut_short())
    infos = {r.revision_number: r for r in run(services.chapters.list_revisions(chapter.id))}
    assert infos[3].incomplete and not infos[2].incomplete and not infos[1].incomplete
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
    history = window.editor.history
    _wait_rows(history, qtbot, 3)
    assert [history_cell(window.editor, r, COL_ORIGIN) for r in range(3)] == [
        "AI draft (incomplete)",
        "AI draft",
        "Author",
    ]
    tip = history.tree.topLevelItem(0).toolTip(COL_ORIGIN)  # type: ignore[union-attr]
    assert "cut short or cancelled" in tip and tip.startswith("Revision 3")
    assert "cut short" not in history.tree.topLevelItem(1).toolTip(COL_ORIGIN)  # type: ignore[union-attr]
    history.select_revision(3)
    assert "Revision 3 · AI draft (incomplete)" in history.detail.text()
    assert "cut short or cancelled" in history.detail.text()
    history.select_revision(2)
    assert "incomplete" not in history.detail.text()
