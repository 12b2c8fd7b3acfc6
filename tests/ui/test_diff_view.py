"""Revision diff dialog against the real ChapterService: pick two revisions, read the highlights
back from the documents' character formats, moves, next/previous, and "take this side"."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from ghostline_desktop.core.diff import OpKind
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.dialogs.revision_diff import RevisionDiffDialog, open_revision_diff, summary_text
from ghostline_desktop.ui.widgets.diff_document import highlighted_spans
from ghostline_desktop.ui.widgets.diff_render import DARK_COLORS, LIGHT_COLORS
from ghostline_desktop.ui.widgets.diff_view import DiffMode
from tests.ui.conftest import WAIT_MS, DialogRecorder

ONE = """The harbour was quiet that morning.

Gulls circled above the quick brown boats while the tide went out.

Nobody on the pier had seen the stranger arrive.

By noon the whole village was talking about him."""

# Revision 2: one word replaced, one paragraph moved to the end, one paragraph added.
TWO = """The harbour was quiet that morning.

Gulls circled above the slow brown boats while the tide went out.

By noon the whole village was talking about him.

Nobody on the pier had seen the stranger arrive.

He asked for a room and paid in silver."""


@pytest.fixture
def chapter(services: Services, user: UserInfo, run: Callable[[Any], Any]) -> Any:
    project = run(services.projects.create(user.id, f"Diff book {uuid.uuid4().hex[:6]}"))
    ch = run(services.chapters.create(project.id, "Harbour", content=ONE))
    run(services.chapters.save_revision(ch.id, TWO, note="second pass"))
    return ch


@pytest.fixture
def dialog(qtbot: QtBot, ui_ops: None, dialogs: DialogRecorder, services: Services, chapter: Any) -> Iterator[Any]:
    dlg = open_revision_diff(None, services, chapter.id)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)  # the test reads it after closing
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.compared is not None, timeout=WAIT_MS)
    yield dlg
    qtbot.waitUntil(lambda: ops.pending_count() == 0, timeout=WAIT_MS)


def _spans(dlg: RevisionDiffDialog, mode: DiffMode) -> list[tuple[str, str, bool]]:
    return highlighted_spans(dlg.view.document(mode))


def test_defaults_to_current_against_previous_with_word_highlights(dialog: RevisionDiffDialog) -> None:
    assert (dialog.number("a"), dialog.number("b")) == (1, 2)
    assert dialog.compared is not None
    summary = dialog.compared.diff.summary
    assert dialog.summary.text() == summary_text(summary)
    assert "1 paragraph moved" in dialog.summary.text() and "+" in dialog.summary.text()
    colors = LIGHT_COLORS
    spans = _spans(dialog, DiffMode.SIDE_BY_SIDE)
    # the replaced word: struck through in red on the left, green on the right
    assert ("quick", QColor(colors.delete_word).name(), True) in spans
    assert ("slow", QColor(colors.insert_word).name(), False) in spans
    # the new paragraph is tinted green, and the moved one blue on both sides
    assert any(text.startswith("He asked for a room") and bg == colors.insert for text, bg, _ in spans)
    moved = [text for text, bg, _ in spans if bg == colors.move]
    assert sum("By noon the whole village" in t for t in moved) == 2  # moved up past "Nobody…"
    # inline: one text, deletions struck where they were
    inline = _spans(dialog, DiffMode.INLINE)
    assert ("quick", colors.delete_word, True) in inline and ("slow", colors.insert_word, False) in inline
    doc_text = dialog.view.document(DiffMode.INLINE).toPlainText()
    assert "moved here from" in doc_text and "This paragraph moved further up" in doc_text


def test_moves_are_one_change_and_next_previous_walk_the_changes(dialog: RevisionDiffDialog, qtbot: QtBot) -> None:
    assert dialog.compared is not None
    changes = dialog.compared.diff.changes
    kinds = [c.kind for c in changes]
    assert kinds.count(OpKind.MOVE) == 1
    assert dialog.view.index == 0  # the first change is selected on arrival
    assert dialog.change_label.text().startswith(f"Change 1 of {len(changes)}")
    qtbot.keyClick(dialog.view.side, Qt.Key.Key_F7)
    assert dialog.view.index == 1
    qtbot.keyClick(dialog.view.side, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert dialog.view.index == 2
    dialog.next_button.click()
    dialog.next_button.click()
    assert dialog.view.index == len(changes) - 1  # stops at the last
    qtbot.keyClick(dialog.view.side, Qt.Key.Key_F7, Qt.KeyboardModifier.ShiftModifier)
    assert dialog.view.index == len(changes) - 2
    # the current change is marked in the view, on the text that shows it
    selections = dialog.view.side.extraSelections()
    current = dialog.view.current_change()
    assert current is not None and selections
    ranges = dialog.view.change_ranges(current.id)
    assert [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in selections] == ranges
    move = next(i for i, c in enumerate(changes) if c.kind is OpKind.MOVE)
    dialog.view.go_to(move)
    assert "paragraph moved" in dialog.change_label.text()
    # switching mode keeps the change selected
    dialog.inline_button.click()
    assert dialog.view.stack.currentWidget() is dialog.view.inline
    assert dialog.view.inline.extraSelections()


def test_pick_other_revisions(dialog: RevisionDiffDialog, qtbot: QtBot) -> None:
    dialog.combo_a.setCurrentIndex(dialog.combo_a.findData(0))
    dialog.combo_a.activated.emit(dialog.combo_a.currentIndex())
    qtbot.waitUntil(lambda: dialog.compared is not None and dialog.compared.a.revision_number == 0, timeout=WAIT_MS)
    assert dialog.label_a.text() == "Empty"
    spans = _spans(dialog, DiffMode.SIDE_BY_SIDE)
    assert spans and all(bg == LIGHT_COLORS.insert for _t, bg, _s in spans)  # all of it is new
    # the same revision on both sides
    dialog.combo_a.setCurrentIndex(dialog.combo_a.findData(2))
    dialog.combo_a.activated.emit(dialog.combo_a.currentIndex())
    qtbot.waitUntil(lambda: dialog.compared is not None and dialog.compared.a.revision_number == 2, timeout=WAIT_MS)
    assert dialog.summary.text() == "No differences."
    assert dialog.view.stack.currentWidget() is dialog.view.message
    assert not dialog.take_a_button.isEnabled() and not dialog.next_button.isEnabled()


def test_take_this_side_makes_a_new_revision(
    dialog: RevisionDiffDialog, qtbot: QtBot, services: Services, chapter: Any, run: Callable[[Any], Any]
) -> None:
    assert dialog.compared is not None
    word = next(i for i, c in enumerate(dialog.compared.diff.changes) if c.kind is OpKind.REPLACE)
    dialog.view.go_to(word)
    assert dialog.take_a_button.isEnabled()  # the right side is the current text
    assert not dialog.take_b_button.isEnabled()
    assert dialog.take_a_button.text() == "Use rev. 1’s version"
    dialog.take_a_button.click()
    qtbot.waitUntil(lambda: bool(dialog.taken), timeout=WAIT_MS)
    current = run(services.chapters.get(chapter.id))
    assert current.revision_number == 3
    assert "quick brown boats" in current.content
    assert "He asked for a room" in current.content  # every other change of revision 2 stays
    history = run(services.chapters.list_revisions(chapter.id))
    assert history[0].note == f"Took change {word + 1} from revision 1"
    # the dialog now compares revision 1 with the new current revision: one change fewer
    qtbot.waitUntil(lambda: dialog.compared is not None and dialog.compared.b.revision_number == 3, timeout=WAIT_MS)
    assert dialog.number("a") == 1
    left = dialog.compared.diff.changes
    assert not any(c.kind is OpKind.REPLACE and "quick" in ONE[c.a_start : c.a_end] for c in left)


def test_take_the_right_side_when_the_current_text_is_on_the_left(
    dialog: RevisionDiffDialog, qtbot: QtBot, services: Services, chapter: Any, run: Callable[[Any], Any]
) -> None:
    dialog.select_revisions(2, 1)  # current on the left, the older revision on the right
    qtbot.waitUntil(lambda: dialog.compared is not None and dialog.compared.a.revision_number == 2, timeout=WAIT_MS)
    assert dialog.take_b_button.isEnabled() and not dialog.take_a_button.isEnabled()
    dialog.take_b_button.click()  # change 1 as revision 1 has it
    qtbot.waitUntil(lambda: bool(dialog.taken), timeout=WAIT_MS)
    assert dialog.taken[0].revision_made
    assert run(services.chapters.get(chapter.id)).revision_number == 3


def test_stale_comparison_is_refused_and_recomputed(
    dialog: RevisionDiffDialog,
    qtbot: QtBot,
    services: Services,
    chapter: Any,
    run: Callable[[Any], Any],
    dialogs: DialogRecorder,
) -> None:
    run(services.chapters.save_revision(chapter.id, TWO + "\n\nA late line.", note="elsewhere"))
    dialog.take_a_button.click()
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=WAIT_MS)
    assert "changed after this comparison" in dialogs.errors[0].message
    assert run(services.chapters.get(chapter.id)).revision_number == 3  # nothing written
    qtbot.waitUntil(lambda: dialog.compared is not None and dialog.combo_b.count() == 4, timeout=WAIT_MS)


def test_dark_theme_uses_the_dark_tints(dialog: RevisionDiffDialog, qtbot: QtBot) -> None:
    from ghostline_desktop.ui.theme import DARK, build_palette

    dialog.view.setPalette(build_palette(DARK))
    qtbot.waitUntil(lambda: ("slow", DARK_COLORS.insert_word, False) in _spans(dialog, DiffMode.SIDE_BY_SIDE))


def test_reopening_reuses_the_dialog(
    qtbot: QtBot, ui_ops: None, dialogs: DialogRecorder, services: Services, chapter: Any
) -> None:
    from PySide6.QtWidgets import QWidget

    host = QWidget()
    qtbot.addWidget(host)
    first = open_revision_diff(host, services, chapter.id)
    qtbot.waitUntil(lambda: first.compared is not None, timeout=WAIT_MS)
    again = open_revision_diff(host, services, chapter.id, 0, 2)
    assert again is first
    qtbot.waitUntil(lambda: first.compared is not None and first.compared.a.revision_number == 0, timeout=WAIT_MS)
    first.close()


def test_history_compare_and_view_menu_open_the_diff(
    window: Any, qtbot: QtBot, services: Services, chapter: Any, run: Callable[[Any], Any]
) -> None:
    from tests.ui.conftest import open_and_wait

    summary = run(services.chapters.summary(chapter.id))
    open_and_wait(window, summary.project_id, qtbot)
    window.editor.diffRequested.emit(chapter.id, 0, 1)  # the revision history's Compare
    qtbot.waitUntil(lambda: bool(window.findChildren(RevisionDiffDialog)), timeout=WAIT_MS)
    dlg = window.findChildren(RevisionDiffDialog)[0]
    qtbot.waitUntil(lambda: dlg.compared is not None, timeout=WAIT_MS)
    assert (dlg.number("a"), dlg.number("b")) == (0, 1)
    dlg.close()
    qtbot.waitUntil(lambda: window.editor.chapter_id == chapter.id, timeout=WAIT_MS)
    window.menus.compare_revisions.trigger()  # View ▸ Compare Revisions…: current against previous
    qtbot.waitUntil(
        lambda: any(d.isVisible() and d.compared is not None for d in window.findChildren(RevisionDiffDialog)),
        timeout=WAIT_MS,
    )
    dlg = next(d for d in window.findChildren(RevisionDiffDialog) if d.isVisible())
    assert (dlg.number("a"), dlg.number("b")) == (1, 2)
    dlg.close()
