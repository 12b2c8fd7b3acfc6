"""New / open / fork project dialogs: pure forms filled with qtbot, results read back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot

from ghostline_desktop.services.dto import ProjectSummary
from ghostline_desktop.services.labels import GENRE_LABELS
from ghostline_desktop.ui.dialogs.fork_project import ForkProjectDialog, suggested_title
from ghostline_desktop.ui.dialogs.new_project import DEFAULT_TARGET_WORDS, NewProjectDialog, NewProjectValues
from ghostline_desktop.ui.dialogs.open_project import COL_TITLE, OpenProjectDialog

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def project(title: str, **overrides: object) -> ProjectSummary:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "title": title,
        "genre": "FICTION",
        "status": "WRITING",
        "target_word_count": 80_000,
        "word_count": 12_345,
        "chapter_count": 3,
        "source_count": 2,
        "edition": 1,
        "forked_from_project_id": None,
        "forked_from_title": None,
        "created_at": NOW - timedelta(days=30),
        "updated_at": NOW - timedelta(days=2),
        "last_opened_at": None,
        "archived": False,
    }
    fields.update(overrides)
    return ProjectSummary(**fields)  # type: ignore[arg-type]


# -- new project ------------------------------------------------------------------------------


def test_new_project_ok_disabled_until_title(qtbot: QtBot) -> None:
    dlg = NewProjectDialog()
    qtbot.addWidget(dlg)
    assert not dlg.ok_button.isEnabled()
    qtbot.keyClicks(dlg.title_edit, "   ")
    assert not dlg.ok_button.isEnabled()
    dlg.accept()  # Enter on a blank title must not accept
    assert dlg.result() != QDialog.DialogCode.Accepted
    qtbot.keyClicks(dlg.title_edit, "x")
    assert dlg.ok_button.isEnabled()


def test_new_project_values(qtbot: QtBot) -> None:
    dlg = NewProjectDialog()
    qtbot.addWidget(dlg)
    assert dlg.target_spin.value() == DEFAULT_TARGET_WORDS
    assert dlg.genre_combo.count() == len(GENRE_LABELS)
    qtbot.keyClicks(dlg.title_edit, "  The   Lighthouse Keeper ")
    dlg.genre_combo.setCurrentIndex(dlg.genre_combo.findData("MEMOIR"))
    assert dlg.genre_combo.currentText() == "Memoir"
    dlg.target_spin.setValue(60_000)
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert dlg.values() == NewProjectValues("The Lighthouse Keeper", "MEMOIR", 60_000)


def test_new_project_zero_target_means_none(qtbot: QtBot) -> None:
    dlg = NewProjectDialog()
    qtbot.addWidget(dlg)
    qtbot.keyClicks(dlg.title_edit, "Notes")
    dlg.target_spin.setValue(0)
    assert dlg.target_spin.text() == "No target"
    assert dlg.values().target_word_count is None
    assert dlg.values().genre == "FICTION"


# -- open project -----------------------------------------------------------------------------


def test_open_project_lists_and_sorts_recent_first(qtbot: QtBot) -> None:
    old = project("Old Drafts", updated_at=NOW - timedelta(days=300))
    recent = project("Recent Book", last_opened_at=datetime.now(UTC) - timedelta(minutes=5))
    fork = project(
        "Recent Book — Second Edition",
        edition=2,
        forked_from_project_id=recent.id,
        forked_from_title="Recent Book",
        updated_at=datetime.now(UTC) - timedelta(hours=3),
        genre="MEMOIR",
    )
    dlg = OpenProjectDialog([old, recent, fork])
    qtbot.addWidget(dlg)
    titles = [dlg.proxy.index(r, COL_TITLE).data() for r in range(dlg.proxy.rowCount())]
    assert titles == ["Recent Book", "Recent Book — Second Edition", "Old Drafts"]
    row = [dlg.proxy.index(1, c).data() for c in range(6)]
    assert row == [
        "Recent Book — Second Edition",
        "Memoir",
        "12,345",
        "3 hours ago",
        "Second",
        "forked from “Recent Book”",
    ]
    assert dlg.proxy.index(0, 3).data() == "5 minutes ago"
    # The most recent project is preselected, so Enter opens it.
    assert dlg.selected_project_id() == recent.id
    assert dlg.open_button.isEnabled()


def test_open_project_filter_and_double_click(qtbot: QtBot) -> None:
    a = project("Harbour Lights")
    b = project("Winter Orchard", genre="POETRY")
    dlg = OpenProjectDialog([a, b])
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.filter_edit, "poetry")
    assert dlg.proxy.rowCount() == 1
    assert dlg.proxy.index(0, COL_TITLE).data() == "Winter Orchard"

    dlg.filter_edit.clear()
    qtbot.keyClicks(dlg.filter_edit, "no such thing")
    assert dlg.proxy.rowCount() == 0
    assert dlg.selected_project_id() is None
    assert not dlg.open_button.isEnabled()
    assert "no such thing" in dlg.no_match_label.text()

    dlg.filter_edit.clear()
    target = next(r for r in range(dlg.proxy.rowCount()) if dlg.proxy.index(r, COL_TITLE).data() == "Harbour Lights")
    index = dlg.proxy.index(target, COL_TITLE)
    rect = dlg.table.visualRect(index)
    viewport = dlg.table.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert dlg.selected_project_id() == a.id


def test_open_project_empty_state(qtbot: QtBot) -> None:
    dlg = OpenProjectDialog([])
    qtbot.addWidget(dlg)
    assert dlg.stack.currentWidget() is dlg.empty_label
    assert "No projects yet" in dlg.empty_label.text()
    assert not dlg.open_button.isEnabled()
    assert dlg.selected_project_id() is None
    dlg.accept()
    assert dlg.result() != QDialog.DialogCode.Accepted


# -- fork -------------------------------------------------------------------------------------


def test_fork_dialog_prefills_next_edition(qtbot: QtBot) -> None:
    first = project("The Salt Road")
    dlg = ForkProjectDialog(first)
    qtbot.addWidget(dlg)
    assert dlg.title_edit.text() == "The Salt Road — Second Edition"
    explanation = " ".join(label.text() for label in dlg.findChildren(QLabel))
    assert "copy" in explanation and "second edition" in explanation.lower()
    assert dlg.new_title() == "The Salt Road — Second Edition"
    dlg.title_edit.clear()
    assert not dlg.ok_button.isEnabled()
    qtbot.keyClicks(dlg.title_edit, "Salt Road, Revised ")
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert dlg.new_title() == "Salt Road, Revised"


def test_fork_title_of_a_second_edition_does_not_stack_suffixes() -> None:
    second = project("The Salt Road — Second Edition", edition=2)
    assert suggested_title(second) == "The Salt Road — Third Edition"
    assert suggested_title(project("X", edition=11)) == "X — 12th Edition"
