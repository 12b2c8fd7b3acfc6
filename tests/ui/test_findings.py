"""QA findings: severity sorts by rank, filters narrow the rows, Resolve/Waive go through the service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui.main_window import MainWindow
from ghostline_desktop.ui.panels.findings import ID_ROLE
from tests.ui.conftest import open_and_wait

SEVERITIES = ["MEDIUM", "CRITICAL", "LOW", "HIGH"]


def _project(services: Services, user: UserInfo, run: Callable[[Any], Any]) -> Any:
    project = run(services.projects.create(user.id, "QA book"))
    chapter = run(services.chapters.create(project.id, "The ferry", content="Anna took the ferry."))
    for i, sev in enumerate(SEVERITIES):
        run(
            services.qa.add_finding(
                project.id,
                finding_type="NAME_INCONSISTENCY" if i % 2 else "REPETITION",
                severity=sev,
                title=f"{sev.lower()} problem {i}",
                chapter_id=chapter.id,
                is_blocking=sev == "CRITICAL",
            )
        )
    return project


def _column(window: MainWindow, col: int) -> list[str]:
    proxy = window.findings.proxy
    return [proxy.index(r, col).data() for r in range(proxy.rowCount())]


def test_sort_filter_and_resolve(
    window: MainWindow,
    qtbot: QtBot,
    services: Services,
    user: UserInfo,
    run: Callable[[Any], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = _project(services, user, run)
    open_and_wait(window, project.id, qtbot)
    panel = window.findings
    assert panel.model.rowCount() == 4
    # severity by rank, not alphabet
    panel.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert _column(window, 0) == ["Critical", "High", "Medium", "Low"]
    panel.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert _column(window, 0) == ["Low", "Medium", "High", "Critical"]
    assert _column(window, 2) == ["The ferry"] * 4
    assert _column(window, 3).count("Yes") == 1
    assert "1 blocking" in panel.summary.text()

    # text filter
    panel.text_filter.setText("name incons")
    assert sorted(_column(window, 0)) == ["Critical", "High"]
    panel.text_filter.setText("")
    assert panel.proxy.rowCount() == 4

    # resolve the critical one (the note dialog answers "Fixed it")
    monkeypatch.setattr(panel, "ask_note", lambda status, n: "Fixed it")
    panel.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert not panel.resolve_button.isEnabled()
    panel.table.selectionModel().select(
        panel.proxy.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert panel.resolve_button.isEnabled()
    critical_id = panel.proxy.index(0, 0).data(ID_ROLE)
    qtbot.mouseClick(panel.resolve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 3, timeout=10_000)  # Open filter hides it
    resolved = run(services.qa.get(critical_id))
    assert (resolved.status, resolved.resolution_note, resolved.resolved_by_name) == (
        "RESOLVED",
        "Fixed it",
        user.display_name or user.username,
    )
    assert "blocking" not in panel.summary.text()

    # status filter: Resolved shows it, All shows every row
    panel.status_filter.setCurrentIndex(panel.status_filter.findData("RESOLVED"))
    assert _column(window, 4) == ["Resolved"]
    panel.status_filter.setCurrentIndex(panel.status_filter.findText("All"))
    assert panel.proxy.rowCount() == 4

    # waive one more
    panel.status_filter.setCurrentIndex(panel.status_filter.findData("OPEN"))
    panel.table.selectionModel().select(
        panel.proxy.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    waived_id = panel.proxy.index(0, 0).data(ID_ROLE)
    panel.waive_button.click()
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 2, timeout=10_000)
    assert run(services.qa.get(waived_id)).status == "WAIVED"


def test_note_prompt_reads_as_a_sentence(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Waive/Resolve note prompt said "Why can 1 finding(s) stay as written?"."""
    from PySide6.QtWidgets import QInputDialog

    from ghostline_desktop.ui.panels.findings import FindingsPanel

    asked: list[tuple[str, str]] = []

    def fake(_parent: Any, title: str, prompt: str, _text: str) -> tuple[str, bool]:
        asked.append((title, prompt))
        return " House style ", True

    monkeypatch.setattr(QInputDialog, "getMultiLineText", staticmethod(fake))
    panel = FindingsPanel()
    qtbot.addWidget(panel)
    assert panel.ask_note("WAIVED", 1) == "House style"
    panel.ask_note("WAIVED", 3)
    panel.ask_note("RESOLVED", 1)
    prompts = [p.splitlines()[0] for _t, p in asked]
    assert prompts == [
        "Why can this finding stay as written?",
        "Why can these 3 findings stay as written?",
        "How was this finding dealt with? (optional)",
    ]
    assert all("(s)" not in p and "your name and the time" in p for _t, p in asked)
