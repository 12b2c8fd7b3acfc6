"""Welcome page: shown without a project; demo, recent projects and manuscript import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui.main_window import MainWindow
from tests.ui.conftest import WAIT_MS


def test_welcome_is_the_centre_without_a_project(window: MainWindow) -> None:
    assert window.centre.currentWidget() is window.welcome
    assert window.welcome.ready
    assert window.welcome.import_button.isEnabled()  # Import Manuscript (tests/ui/test_import_manuscript.py)
    assert "DOCX" in window.welcome.import_button.toolTip()
    assert not window.sources.isVisible()  # empty panels are put away around the welcome page


def test_demo_button_creates_and_opens_the_demo(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    before = {p.id for p in run(services.projects.list_projects(user.id))}
    with qtbot.waitSignal(window.projectOpened, timeout=WAIT_MS):
        qtbot.mouseClick(window.welcome.demo_button, Qt.MouseButton.LeftButton)
    assert window.project is not None and window.project.id not in before
    assert window.project.title == "The Demo Book"
    assert window.centre.currentWidget() is window.editor
    assert window.sources.isVisible() and window.outline.isVisible() and window.findings.isVisible()
    assert window.settings.last_project_id == str(window.project.id)
    assert window.settings.recent_project_ids[0] == str(window.project.id)


def test_recent_project_click_opens_it(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    project = run(services.projects.create(user.id, "Recent book"))
    window.refresh_projects()
    qtbot.waitUntil(
        lambda: any(
            "Recent book" in window.welcome.recent_list.item(i).text()
            for i in range(window.welcome.recent_list.count())
        ),
        timeout=WAIT_MS,
    )
    item = next(
        window.welcome.recent_list.item(i)
        for i in range(window.welcome.recent_list.count())
        if "Recent book" in window.welcome.recent_list.item(i).text()
    )
    with qtbot.waitSignal(window.projectOpened, timeout=WAIT_MS):
        window.welcome._recent_clicked(item)
    assert window.project is not None and window.project.id == project.id
    # File ▸ Open Recent lists it now
    window.menus.fill_recent()
    assert "Recent book" in [a.text() for a in window.menus.recent.actions()]
    # closing returns to the welcome page
    window.menus.close_project.trigger()
    assert window.centre.currentWidget() is window.welcome and window.project is None
