"""The editor's save races, driven through the real window and the real database.

Saves and loads are held "in flight" by PostgreSQL locks taken from another connection (a row lock
on the chapter holds its save, a table lock holds the next chapter's load), never by stand-ins.
Covers issue 7's three races — typing during a save then switching chapter, an autosave tick while
the next chapter loads, closing during a save — and conflicts, while writing and on close.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from pytestqt.qtbot import QtBot

from ghostline_desktop.core.editor_session import Resolution
from ghostline_desktop.db.probe import libpq_url
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui.main_window import MainWindow
from ghostline_desktop.ui.panels import editor_conflict
from tests.ui.conftest import WAIT_MS, DialogRecorder, open_and_wait
from tests.ui.test_editor import Run, make_book, sealed_numbers, switch_to, type_at_end, wait_loaded, wait_saved


@contextmanager
def db_lock(db_url: str, statement: str, *params: Any) -> Iterator[psycopg.Connection[Any]]:
    """Hold a lock from another connection until the block ends (or :func:`release`)."""
    conn = psycopg.connect(libpq_url(db_url))
    try:
        conn.execute(statement, params or None)
        yield conn
    finally:
        if not conn.closed:
            conn.rollback()
            conn.close()


def row_lock(db_url: str, chapter_id: uuid.UUID) -> Any:
    return db_lock(db_url, "SELECT id FROM chapters WHERE id = %s FOR UPDATE", chapter_id)


def blocked_count(db_url: str) -> int:
    with psycopg.connect(libpq_url(db_url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
        return int(row[0]) if row else 0


def wait_blocked(qtbot: QtBot, db_url: str, count: int = 1) -> None:
    """Until ``count`` sessions wait on a lock (the save/load is in flight), the Qt loop running."""
    qtbot.waitUntil(lambda: blocked_count(db_url) >= count, timeout=WAIT_MS)


class ConflictAnswers:
    """Stands in for the conflict dialog: records what it was shown, answers from a list."""

    def __init__(self, *answers: Resolution | None) -> None:
        self.answers = list(answers)
        self.shown: list[tuple[str, str, str]] = []

    def __call__(self, _parent: Any, title: str, mine: str, theirs: str) -> Resolution | None:
        self.shown.append((title, mine, theirs))
        return self.answers.pop(0) if self.answers else None


@pytest.fixture
def conflict_answers(monkeypatch: pytest.MonkeyPatch) -> ConflictAnswers:
    answers = ConflictAnswers()
    monkeypatch.setattr(editor_conflict, "ask_conflict", answers)
    return answers


def test_typing_during_a_save_then_switching_chapter_keeps_every_keystroke(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run, db_url: str
) -> None:
    project, [one, two] = make_book(services, user, run, "One.", "Two.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, one.id, qtbot)
    editor = window.editor
    with row_lock(db_url, one.id):
        type_at_end(editor, qtbot, " First words.")
        editor.save_now()
        wait_blocked(qtbot, db_url)  # chapter one's save is stuck in flight
        qtbot.waitUntil(lambda: editor.save_state == "saving")
        type_at_end(editor, qtbot, " Typed while saving.")
        switch_to(editor, two.id)
        wait_loaded(window, two.id, qtbot)  # chapter two opens although one still saves
        assert editor.text.toPlainText() == "Two."
        type_at_end(editor, qtbot, " Chapter two's own.")
        editor.save_now()
        wait_saved(editor, qtbot)
        assert run(services.chapters.get(one.id)).content == "One."  # still held
    qtbot.waitUntil(
        lambda: run(services.chapters.get(one.id)).content == "One. First words. Typed while saving.", timeout=WAIT_MS
    )
    assert run(services.chapters.get(two.id)).content == "Two. Chapter two's own."
    assert sealed_numbers(services, run, one.id) == [1]  # autosaves: one working text, no revision
    # Coming back shows every keystroke.
    switch_to(editor, one.id)
    wait_loaded(window, one.id, qtbot)
    assert editor.text.toPlainText() == "One. First words. Typed while saving."


def test_an_autosave_tick_during_a_slow_load_never_writes_into_the_next_chapter(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run, db_url: str
) -> None:
    project, [one, two] = make_book(services, user, run, "One.", "Two.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, one.id, qtbot)
    editor = window.editor
    type_at_end(editor, qtbot, " Only chapter one's words.")
    with db_lock(db_url, "LOCK TABLE chapters IN ACCESS EXCLUSIVE MODE"):
        switch_to(editor, two.id)
        wait_blocked(qtbot, db_url, 2)  # chapter one's save and chapter two's load both wait
        assert editor.text.isReadOnly() and editor.save_state == "loading"
        # The autosave timer fires while the old text is still on screen: the panel saves nothing…
        editor.dirty = True
        editor._autosave.timeout.emit()
        # …and the session drops a stale push for either chapter (it shows neither while loading).
        editor.saves.push(one.id, "Wrong text for chapter one.")
        editor.saves.push(two.id, "One. Only chapter one's words.")
        qtbot.wait(300)
    wait_loaded(window, two.id, qtbot)
    assert editor.text.toPlainText() == "Two."
    qtbot.waitUntil(lambda: run(services.chapters.get(one.id)).content == "One. Only chapter one's words.")
    assert run(services.chapters.get(two.id)).content == "Two."


def test_closing_during_a_save_waits_for_it(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run, db_url: str
) -> None:
    project, [one] = make_book(services, user, run, "One.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, one.id, qtbot)
    editor = window.editor
    with row_lock(db_url, one.id) as lock:
        type_at_end(editor, qtbot, " Saving as the window closes.")
        editor.save_now()
        wait_blocked(qtbot, db_url)
        type_at_end(editor, qtbot, " And the last words.")

        def release() -> None:  # the GUI thread is blocked in close(): let the save through later
            time.sleep(0.5)
            lock.rollback()

        releaser = threading.Thread(target=release)
        releaser.start()
        window.close()  # waits for the save in flight, then saves the last words
        releaser.join()
    assert not window.isVisible()
    assert run(services.chapters.get(one.id)).content == "One. Saving as the window closes. And the last words."


def test_a_conflict_shows_both_texts_and_keeping_mine_makes_a_revision(
    window: MainWindow,
    qtbot: QtBot,
    services: Services,
    user: UserInfo,
    run: Run,
    conflict_answers: ConflictAnswers,
) -> None:
    project, [chapter] = make_book(services, user, run, "Original.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
    editor = window.editor
    conflict_answers.answers = [None, Resolution.KEEP_MINE]
    type_at_end(editor, qtbot, " Mine.")  # unsaved: the reload that follows their save cannot apply
    run(services.chapters.save_text(chapter.id, "Theirs, from an AI draft.", source="AI_DRAFT"))
    qtbot.waitUntil(lambda: editor.save_state == "conflict", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(conflict_answers.shown) == 1, timeout=WAIT_MS)
    assert conflict_answers.shown[0] == ("Chapter 1", "Original. Mine.", "Theirs, from an AI draft.")
    # "Decide later": nothing is saved over theirs, the author keeps writing.
    type_at_end(editor, qtbot, " More.")
    editor.save_now()
    qtbot.wait(300)
    assert run(services.chapters.get(chapter.id)).content == "Theirs, from an AI draft."
    assert editor.save_state == "conflict" and window.isWindowModified()
    # Ctrl+S puts the question again; keeping mine makes it a revision on top of theirs.
    window.menus.save.trigger()
    assert conflict_answers.shown[1][1] == "Original. Mine. More."
    wait_saved(editor, qtbot)
    assert run(services.chapters.get(chapter.id)).content == "Original. Mine. More."
    history = run(services.chapters.list_revisions(chapter.id))
    assert [(r.revision_number, r.source, r.sealed) for r in history] == [
        (3, "MANUAL", True),
        (2, "AI_DRAFT", True),
        (1, "MANUAL", True),
    ]


def test_taking_theirs_shows_their_text_and_undo_brings_mine_back(
    window: MainWindow,
    qtbot: QtBot,
    services: Services,
    user: UserInfo,
    run: Run,
    conflict_answers: ConflictAnswers,
) -> None:
    project, [chapter] = make_book(services, user, run, "Original.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
    editor = window.editor
    conflict_answers.answers = [Resolution.TAKE_THEIRS]
    base = run(services.chapters.get(chapter.id)).base
    window.bridge.detach()  # no reload on their event: the author's save finds the conflict
    run(services.chapters.autosave(chapter.id, "Theirs, another window.", base=base))
    type_at_end(editor, qtbot, " Mine.")
    editor.save_now()
    qtbot.waitUntil(lambda: editor.text.toPlainText() == "Theirs, another window.", timeout=WAIT_MS)
    wait_saved(editor, qtbot)
    assert run(services.chapters.get(chapter.id)).content == "Theirs, another window."
    editor.undo()
    assert editor.text.toPlainText() == "Original. Mine."


def test_a_conflict_on_close_asks_and_can_keep_the_window_open(
    window: MainWindow,
    qtbot: QtBot,
    services: Services,
    user: UserInfo,
    run: Run,
    conflict_answers: ConflictAnswers,
    dialogs: DialogRecorder,
) -> None:
    project, [chapter] = make_book(services, user, run, "Original.")
    open_and_wait(window, project.id, qtbot)
    wait_loaded(window, chapter.id, qtbot)
    editor = window.editor
    type_at_end(editor, qtbot, " Mine, typed last.")
    editor._stop_timers()  # the window closes before the autosave timer fires
    base = run(services.chapters.get(chapter.id)).base
    window.bridge.detach()  # their save reaches no reload: only the close finds the conflict
    run(services.chapters.autosave(chapter.id, "Theirs.", base=base))
    conflict_answers.answers = [None]  # "Decide later"
    window.close()
    assert window.isVisible() and conflict_answers.shown == [("Chapter 1", "Original. Mine, typed last.", "Theirs.")]
    assert run(services.chapters.get(chapter.id)).content == "Theirs."
    conflict_answers.answers = [Resolution.KEEP_MINE]
    window.close()
    assert not window.isVisible()
    assert run(services.chapters.get(chapter.id)).content == "Original. Mine, typed last."
    history = run(services.chapters.list_revisions(chapter.id))
    assert [r.sealed for r in history] == [True, True, True]  # theirs was kept as a revision first
    assert run(services.chapters.get_revision(chapter.id, 2)).content == "Theirs."
    assert dialogs.errors == []
