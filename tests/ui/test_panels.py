"""Each panel shows real rows from the demo project, and the outline drives the editor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import ProjectSummary
from ghostline_desktop.ui.main_window import MainWindow
from tests.ui.conftest import DialogRecorder, open_and_wait


def test_open_project_fills_every_panel(
    window: MainWindow, demo: ProjectSummary, qtbot: QtBot, services: Services, run: Callable[[Any], Any]
) -> None:
    open_and_wait(window, demo.id, qtbot)
    assert window.centre.currentWidget() is window.editor
    assert demo.title in window.windowTitle()

    sources = run(services.sources.list_sources(demo.id))
    assert window.sources.list.count() == len(sources) > 0
    assert sources[0].title in window.sources.list.item(0).text()
    assert window.sources.stack.currentWidget() is window.sources.list

    titles = [item.data(0, 0x0102) for item in window.outline.chapter_items()]
    assert titles == ["Down the Rabbit-Hole", "The Pool of Tears", "A Caucus-Race and a Long Tale"]

    findings = run(services.qa.list_findings(demo.id))
    assert window.findings.model.rowCount() == len(findings) > 0

    chapters = run(services.chapters.list_chapters(demo.id))
    assert window.editor.chapter_combo.count() == len(chapters)
    first = min(chapters, key=lambda c: c.order)
    qtbot.waitUntil(
        lambda: window.editor.chapter_id == first.id and window.editor.stack.currentWidget() is window.editor.text
    )
    assert window.editor.text.toPlainText() == run(services.chapters.get(first.id)).content
    assert window.editor.title_label.text() == first.title
    assert "words" in window.editor.word_label.text()


def test_outline_click_opens_matching_chapter(
    window: MainWindow, demo: ProjectSummary, qtbot: QtBot, services: Services, run: Callable[[Any], Any]
) -> None:
    open_and_wait(window, demo.id, qtbot)
    chapters = {c.title: c for c in run(services.chapters.list_chapters(demo.id))}
    item = window.outline.chapter_items()[2]
    window.outline.tree.itemClicked.emit(item, 0)
    target = chapters["A Caucus-Race and a Long Tale"]
    qtbot.waitUntil(lambda: window.editor.title_label.text() == target.title, timeout=10_000)
    assert window.editor.chapter_id == target.id
    assert window.editor.chapter_combo.currentData() == target.id


def test_empty_project_shows_empty_states(
    window: MainWindow, qtbot: QtBot, services: Services, user: Any, run: Callable[[Any], Any]
) -> None:
    project = run(services.projects.create(user.id, "Blank book"))
    open_and_wait(window, project.id, qtbot)
    assert window.sources.stack.currentWidget() is window.sources.empty
    assert window.sources.empty.text().startswith("Drag files or folders here")
    assert window.outline.stack.currentWidget() is window.outline.empty
    assert window.findings.model.rowCount() == 0
    assert "no chapters yet" in window.editor.placeholder.text()


def test_opening_a_deleted_project_shows_the_error_dialog(
    window: MainWindow, dialogs: DialogRecorder, qtbot: QtBot, services: Services, user: Any, run: Callable[[Any], Any]
) -> None:
    project = run(services.projects.create(user.id, "Soon gone"))
    run(services.projects.delete(project.id))
    window.open_project(project.id)
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=10_000)
    assert dialogs.errors[0].title == "Not found"
    assert "no longer exists" in dialogs.errors[0].message
    assert window.project is None
