"""The QA workflow in the window: Run QA fills the panel, filters by type/severity/chapter,
a selection resolved or waived in one call, double-click jumps to the passage and highlights
it, the background run after typing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.main_window import MainWindow
from ghostline_desktop.ui.panels.findings import FINDING_ROLE
from ghostline_desktop.ui.qa_controller import locate_span
from tests.ui.conftest import open_and_wait

ONE = "Anna took the ferry at dawn.\n\nThe gulls followed her. TODO: the crossing"
TWO = "Ben waited on the quay 🐚 with TK in his pocket.\n\nThe letter said XXX of the storm."
WAIT = 20_000


def _book(services: Services, user: UserInfo, run: Callable[[Any], Any]) -> tuple[Any, Any, Any]:
    project = run(services.projects.create(user.id, f"QA flow {uuid.uuid4().hex[:6]}"))
    one = run(services.chapters.create(project.id, "The ferry", content=ONE))
    two = run(services.chapters.create(project.id, "The quay", content=TWO))
    run(services.qa_runs.run_and_wait(project.id))
    for sev, title in (("LOW", "A hand-written note"), ("MEDIUM", "Check the tide tables")):
        run(services.qa.add_finding(project.id, finding_type="OTHER", severity=sev, title=title, chapter_id=one.id))
    return project, one, two


def _rows(window: MainWindow) -> list[Any]:
    proxy = window.findings.proxy
    return [proxy.index(r, 0).data(FINDING_ROLE) for r in range(proxy.rowCount())]


def _select(window: MainWindow, predicate: Callable[[Any], bool]) -> list[Any]:
    panel = window.findings
    selection = QItemSelection()
    chosen = []
    for r in range(panel.proxy.rowCount()):
        f = panel.proxy.index(r, 0).data(FINDING_ROLE)
        if predicate(f):
            selection.select(panel.proxy.index(r, 0), panel.proxy.index(r, panel.proxy.columnCount() - 1))
            chosen.append(f)
    panel.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    return chosen


def test_filters_and_chapter_order(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    project, one, two = _book(services, user, run)
    open_and_wait(window, project.id, qtbot)
    panel = window.findings
    placeholders = [f for f in _rows(window) if f.finding_type == "MISSING_CONTENT"]
    assert {f.chapter_id for f in placeholders} == {one.id, two.id} and len(placeholders) == 3

    panel.type_filter.setCurrentIndex(panel.type_filter.findData("OTHER"))
    assert {f.title for f in _rows(window)} == {"A hand-written note", "Check the tide tables"}
    panel.severity_filter.setCurrentIndex(panel.severity_filter.findData("LOW"))
    assert [f.title for f in _rows(window)] == ["A hand-written note"]
    panel.type_filter.setCurrentIndex(0)
    panel.severity_filter.setCurrentIndex(0)
    panel.chapter_filter.setCurrentIndex(panel.chapter_filter.findData(str(two.id)))
    assert {f.chapter_id for f in _rows(window)} == {two.id} and len(_rows(window)) == 2
    assert "2 of" in panel.summary.text() and "blocking" in panel.summary.text()
    panel.chapter_filter.setCurrentIndex(0)
    panel.text_filter.setText("xxx")  # title, excerpt, explanation
    spans = [f.span for f in _rows(window)]
    assert "XXX" in spans and "TODO:" not in spans
    panel.text_filter.setText("")

    # Chapter column sorts in book order, then by position in the chapter.
    panel.type_filter.setCurrentIndex(panel.type_filter.findData("MISSING_CONTENT"))
    panel.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert [f.span for f in _rows(window)] == ["TODO:", "TK", "XXX"]
    panel.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert [f.span for f in _rows(window)] == ["XXX", "TK", "TODO:"]


def test_selection_resolved_and_waived_in_one_call(
    window: MainWindow,
    qtbot: QtBot,
    services: Services,
    user: UserInfo,
    run: Callable[[Any], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, _one, two = _book(services, user, run)
    open_and_wait(window, project.id, qtbot)
    panel = window.findings
    calls: list[tuple[list[uuid.UUID], str, str | None]] = []
    original = services.qa.set_status_many

    async def spy(ids: Any, status: str, *, note: str | None = None, user_id: Any = None) -> Any:
        calls.append((list(ids), status, note))
        return await original(ids, status, note=note, user_id=user_id)

    monkeypatch.setattr(services.qa, "set_status_many", spy)
    asked: list[tuple[str, int]] = []

    def answer(status: str, n: int) -> str:
        asked.append((status, n))
        return "House style"

    monkeypatch.setattr(panel, "ask_note", answer)
    chosen = _select(window, lambda f: f.chapter_id == two.id)
    assert len(chosen) == 2 and panel.waive_button.isEnabled() and not panel.reopen_button.isEnabled()
    panel.waive_button.click()
    qtbot.waitUntil(lambda: len(_rows(window)) == 3, timeout=WAIT)  # the Open filter hides them
    assert asked == [("WAIVED", 2)]
    assert calls == [([f.id for f in chosen], "WAIVED", "House style")]
    waived = [run(services.qa.get(f.id)) for f in chosen]
    assert {(w.status, w.resolution_note) for w in waived} == {("WAIVED", "House style")}
    assert len({w.resolved_at for w in waived}) == 1

    # Cancelling the note dialog changes nothing.
    monkeypatch.setattr(panel, "ask_note", lambda status, n: None)
    _select(window, lambda f: True)
    panel.resolve_button.click()
    qtbot.wait(200)
    assert len(calls) == 1

    # Reopen from the Waived view; the detail says who waived and why before that.
    panel.status_filter.setCurrentIndex(panel.status_filter.findData("WAIVED"))
    panel.table.setCurrentIndex(panel.proxy.index(0, 0))
    assert "House style" in panel.detail.text() and "Waived by" in panel.detail.text()
    _select(window, lambda f: True)
    assert panel.reopen_button.isEnabled()
    panel.reopen_button.click()
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 0, timeout=WAIT)
    assert calls[-1][1:] == ("OPEN", None)


def test_double_click_jumps_and_highlights(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    project, one, two = _book(services, user, run)
    open_and_wait(window, project.id, qtbot)
    panel, editor = window.findings, window.editor
    row = next(r for r in range(panel.proxy.rowCount()) if panel.proxy.index(r, 0).data(FINDING_ROLE).span == "XXX")
    index = panel.proxy.index(row, 5)
    panel.table.scrollTo(index)
    rect = panel.table.visualRect(index)
    jumps: list[Any] = []
    panel.jumpRequested.connect(jumps.append)
    # A real double-click: press/release, then the double-click (Qt wants the press on the same row).
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: editor.shown == two.id and editor.text.textCursor().hasSelection(), timeout=WAIT)
    # after the 🐚 (two UTF-16 units): the selection is still exactly the placeholder
    assert editor.text.textCursor().selectedText() == "XXX"
    (mark,) = editor.text.extraSelections()
    # The selection is painted over the mark: a mark on "XXX" alone was hidden under the pale
    # selection colour. It covers the paragraph, so the passage stands out around the selection.
    assert mark.cursor.selectedText() == "The letter said XXX of the storm."
    assert len(jumps) == 1  # a double-click is also an activation: still one jump

    # The author types above it: the highlight goes; a jump re-finds the moved text.
    cursor = editor.text.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    editor.text.setTextCursor(cursor)
    qtbot.keyClicks(editor.text, "New first words. ")
    assert editor.text.extraSelections() == []
    window.qa_control.jump_to(panel.proxy.index(row, 0).data(FINDING_ROLE))
    assert editor.text.textCursor().selectedText() == "XXX"

    # The export helper's dialog calls jump_to with a FindingSummary from open_blocking.
    blocking = run(services.qa.open_blocking(project.id))
    tk = next(f for f in blocking if f.span == "TK")
    window.qa_control.jump_to(tk)
    assert editor.text.textCursor().selectedText() == "TK"
    todo = next(f for f in blocking if f.chapter_id == one.id)
    window.qa_control.jump_to(todo)
    qtbot.waitUntil(lambda: editor.shown == one.id and editor.text.textCursor().hasSelection(), timeout=WAIT)
    assert editor.text.textCursor().selectedText() == "TODO:"


def test_run_qa_menu_and_background_run_after_typing(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    project = run(services.projects.create(user.id, f"QA bg {uuid.uuid4().hex[:6]}"))
    chapter = run(services.chapters.create(project.id, "Clean", content="A clean chapter."))
    open_and_wait(window, project.id, qtbot)
    panel, editor = window.findings, window.editor
    started: list[bool] = []
    window.bridge.jobChanged.connect(lambda e: started.append(panel.run_button.text() == "Checking…"))
    window.menus.run_qa.trigger()
    qtbot.waitUntil(lambda: ops.pending_count() == 0, timeout=WAIT)
    run(services.runner.wait(services.runner.jobs(project.id, active_only=False)[-1].id))
    qtbot.waitUntil(lambda: panel.run_button.text() == "Run QA" and not panel.running, timeout=WAIT)
    assert any(started)  # the panel said "Checking…" while the run was in flight

    window.qa_control._idle.setInterval(150)
    editor.open_chapter(chapter.id)
    qtbot.waitUntil(lambda: editor.shown == chapter.id, timeout=WAIT)
    cursor = editor.text.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.text.setTextCursor(cursor)
    qtbot.keyClicks(editor.text, " Then TK.")
    editor.save_now()
    qtbot.waitUntil(
        lambda: any(f.span == "TK" for f in panel.model.rows), timeout=WAIT
    )  # saved → quiet → background chapter run → FindingsChanged → panel
    jobs = services.runner.jobs(project.id, active_only=False)
    assert any(j.label == "QA of chapter “Clean”" for j in jobs)
    notes = run(services.notifications.list(user.id))
    assert not any(n.project_id == project.id and "Clean" in n.title for n in notes)  # background: no notification


def test_locate_span() -> None:
    text = "ab TK cd TK ef"
    assert locate_span(text, 3, 5, "TK") == (3, 5)
    assert locate_span("xx" + text, 3, 5, "TK") == (5, 7)  # moved: the nearest occurrence
    assert locate_span(text, 10, 12, "TK") == (9, 11)
    assert locate_span(text, 3, 5, "QQ") == (3, 5)  # gone: the stored range
    assert locate_span(text, 50, 60, None) == (14, 14)


def test_run_qa_on_chapter_shift_f7(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    project = run(services.projects.create(user.id, f"QA ch {uuid.uuid4().hex[:6]}"))
    chapter = run(services.chapters.create(project.id, "Gaps", content="It was TK o'clock."))
    open_and_wait(window, project.id, qtbot)
    window.qa_control.background_enabled = False
    window.editor.open_chapter(chapter.id)
    qtbot.waitUntil(lambda: window.editor.shown == chapter.id, timeout=WAIT)
    assert window.menus.run_qa_chapter.shortcut().toString() == "Shift+F7"
    window.menus.run_qa_chapter.trigger()
    qtbot.waitUntil(lambda: any(f.span == "TK" for f in window.findings.model.rows), timeout=WAIT)

    def titles() -> list[str]:
        return [n.title for n in run(services.notifications.list(user.id)) if n.project_id == project.id]

    qtbot.waitUntil(lambda: bool(titles()), timeout=WAIT)  # written just after the findings
    assert titles() == ["QA of “Gaps”: 1 blocking finding open"]
