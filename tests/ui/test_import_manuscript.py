"""File ▸ Import Manuscript… and the welcome page's button: a generated text book (title page,
preface, three chapters, "THE END") is previewed, edited (merge, rename, split, include,
leave out) and accepted into a new project with chapters, an approved outline and IMPORT
revisions — through the real ManuscriptImportService."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from ghostline_desktop.core.words import count_words
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui.dialogs import import_manuscript
from ghostline_desktop.ui.dialogs.import_manuscript import ImportManuscriptDialog
from ghostline_desktop.ui.main_window import MainWindow
from tests.ui.conftest import WAIT_MS, DialogRecorder

Run = Callable[[Any], Any]

BOOK = """The Lighthouse Keeper

by A. N. Author

PREFACE

This book was written over three winters on the coast, and owes much to the people of the harbour.

CHAPTER 1. ARRIVAL

The boat came in at dusk. Mara stepped onto the pier with one bag and no plan at all.

She asked the first man she met where the lighthouse was.

CHAPTER 2. THE KEEPER

The keeper was older than she expected, and kinder. He gave her soup and a blanket.

CHAPTER 3. THE STORM

On the third night the storm came, and the lamp had to be kept burning until morning.

THE END
"""


@pytest.fixture
def chosen(monkeypatch: pytest.MonkeyPatch) -> list[Path | None]:
    """What the file chooser answers (one answer per call)."""
    answers: list[Path | None] = []
    monkeypatch.setattr(import_manuscript, "choose_manuscript", lambda _parent: answers.pop(0) if answers else None)
    return answers


def _open_preview(window: MainWindow, qtbot: QtBot, chosen: list[Path | None], path: Path) -> ImportManuscriptDialog:
    chosen.append(path)
    qtbot.mouseClick(window.welcome.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.manuscripts.dialog is not None, timeout=WAIT_MS)
    dlg = window.manuscripts.dialog
    assert dlg is not None
    return dlg


def _choose(dlg: ImportManuscriptDialog, row: int) -> None:
    item = dlg.chapter_list.topLevelItem(row)
    assert item is not None
    dlg.chapter_list.setCurrentItem(item)


def _titles(dlg: ImportManuscriptDialog) -> list[str]:
    return [c.title for c in dlg.preview.chapters]


def test_import_preview_edit_and_accept(
    window: MainWindow,
    qtbot: QtBot,
    chosen: list[Path | None],
    tmp_path: Path,
    services: Services,
    user: UserInfo,
    run: Run,
) -> None:
    path = tmp_path / "the-lighthouse-keeper.txt"
    path.write_text(BOOK, encoding="utf-8")
    assert window.menus.import_manuscript.isEnabled()
    dlg = _open_preview(window, qtbot, chosen, path)
    assert dlg.isVisible() and dlg.title_edit.text() == "the lighthouse keeper"  # from the file name
    assert _titles(dlg) == ["CHAPTER 1. ARRIVAL", "CHAPTER 2. THE KEEPER", "CHAPTER 3. THE STORM"]
    rows = [dlg.chapter_list.topLevelItem(i) for i in range(dlg.chapter_list.topLevelItemCount())]
    words = [count_words(c.text) for c in dlg.preview.chapters]  # the app's one word counter
    assert words[0] == 30 and all(words)
    assert [(r.text(1), r.text(2)) for r in rows if r is not None] == [
        (c.title, str(n)) for c, n in zip(dlg.preview.chapters, words, strict=True)
    ]
    left = [dlg.left_list.item(i).text() for i in range(dlg.left_list.count())]
    assert left[0].startswith("Front matter · Title page") and left[1].startswith("Front matter · PREFACE")
    assert left[2].startswith("Back matter")
    assert f"3 chapters, {sum(words)} words" in dlg.found.text()

    # merge chapter 2 with 3; rename chapter 1 in place
    _choose(dlg, 1)
    dlg.merge_button.click()
    assert _titles(dlg) == ["CHAPTER 1. ARRIVAL", "CHAPTER 2. THE KEEPER"]
    assert "CHAPTER 3. THE STORM" in dlg.preview.chapters[1].text  # the heading stays as a line
    first = dlg.chapter_list.topLevelItem(0)
    assert first is not None
    first.setText(1, "Arrival")
    assert _titles(dlg) == ["Arrival", "CHAPTER 2. THE KEEPER"]
    # split chapter 1 where the cursor is, then leave the new piece out again
    _choose(dlg, 0)
    cursor = dlg.text_view.textCursor()
    cursor.setPosition(dlg.text_view.toPlainText().index("She asked"))
    dlg.text_view.setTextCursor(cursor)
    dlg.split_button.click()
    assert _titles(dlg) == [
        "Arrival",
        "She asked the first man she met where the lighthouse was.",
        "CHAPTER 2. THE KEEPER",
    ]
    assert dlg.current_index() == 1
    dlg.exclude_button.click()
    assert len(dlg.preview.chapters) == 2 and dlg.left_list.count() == 4
    # a split at the very start is refused with a reason, and nothing changes
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    dlg.text_view.setTextCursor(cursor)
    dlg.split_button.click()
    assert dlg.error.isVisibleTo(dlg) and "both new chapters need some text" in dlg.error.text()
    # include the preface as a chapter, in book order
    dlg.left_list.setCurrentRow(1)
    dlg.include_button.click()
    assert _titles(dlg) == ["PREFACE", "Arrival", "CHAPTER 2. THE KEEPER"]

    dlg.title_edit.setText("The  Lighthouse Keeper ")
    with qtbot.waitSignal(window.projectOpened, timeout=WAIT_MS):
        dlg.ok_button.click()
    imported = window.manuscripts.imported
    assert imported is not None and window.project is not None and window.project.id == imported.project.id
    assert imported.project.title == "The Lighthouse Keeper"
    chapters = run(services.chapters.list_chapters(imported.project.id))
    assert [c.title for c in chapters] == ["PREFACE", "Arrival", "CHAPTER 2. THE KEEPER"]
    text = run(services.chapters.get(chapters[1].id)).content
    assert text.startswith("The boat came in at dusk") and "She asked" not in text
    revisions = run(services.chapters.list_revisions(chapters[1].id))
    assert [(r.revision_number, r.source) for r in revisions] == [(1, "IMPORT")]
    outline = run(services.outline.current(imported.project.id))
    assert outline is not None and outline.status == "APPROVED" and outline.chapter_count == 3
    # the new project is open, its outline in the panel
    qtbot.waitUntil(lambda: len(window.outline.chapter_items()) == 3, timeout=WAIT_MS)
    assert "Imported “The Lighthouse Keeper”: 3 chapters." in window.status.currentMessage()


def test_cancel_and_unreadable_files(
    window: MainWindow, qtbot: QtBot, chosen: list[Path | None], tmp_path: Path, dialogs: DialogRecorder
) -> None:
    window.menus.import_manuscript.trigger()  # the chooser was cancelled: nothing happens
    assert window.manuscripts.dialog is None and not dialogs.errors
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    chosen.append(empty)
    window.menus.import_manuscript.trigger()
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=WAIT_MS)
    assert "empty.txt" in dialogs.errors[0].message
    assert window.manuscripts.dialog is None
    # cancelling the preview writes nothing
    book = tmp_path / "book.md"
    book.write_text("# One\n\nFirst chapter text here.\n\n# Two\n\nSecond chapter text here.\n", encoding="utf-8")
    dlg = _open_preview(window, qtbot, chosen, book)
    assert [c.title for c in dlg.preview.chapters] == ["One", "Two"]
    dlg.reject()
    assert window.project is None and window.manuscripts.imported is None
