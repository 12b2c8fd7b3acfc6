"""Menus: every item is there, works or says why it is disabled; layout and dialogs from the menu."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui.main_window import MainWindow
from ghostline_desktop.ui.menus import Menus
from tests.ui.conftest import open_and_wait


def _texts(menu: object) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]  # type: ignore[attr-defined]


def test_menu_structure(window: MainWindow) -> None:
    bar = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert bar == ["File", "Edit", "View", "Generate", "Tools", "Help"]
    m = window.menus
    file_items = _texts(m.file)
    for item in (
        "New Project…",
        "Open Project…",
        "Open Recent",
        "Fork as Second Edition…",
        "Import Sources…",
        "Import Folder of Sources…",
        "Export Manuscript",
        "Quit",
    ):
        assert item in file_items
    assert _texts(m.export_menu) == ["PDF…", "DOCX…", "EPUB…", "Markdown…", "HTML…"]
    assert _texts(m.edit) == ["Undo", "Redo", "Find/Replace…", "Preferences…"]
    view = _texts(m.view)
    assert {"Source library", "Outline", "QA findings", "Focus Mode", "Theme"} <= set(view)
    assert _texts(m.theme_menu) == ["System", "Light", "Dark"]
    assert _texts(m.generate) == [
        "Outline from Sources…",
        "Draft Chapter…",
        "Revise with Feedback…",
        "AI Feedback on Revision",
        "Preview Prompt…",
    ]
    assert _texts(m.tools) == ["Run QA on Book", "Run QA on Chapter", "Voice Profile…", "Token Usage"]
    assert _texts(m.help) == ["Keyboard Shortcuts", "About GhostLine"]


def test_disabled_items_explain_themselves(window: MainWindow) -> None:
    m: Menus = window.menus
    # no project open: the project's actions say so
    for act in [*m.export, m.gen_outline, m.gen_draft, m.gen_revise, m.run_qa, m.voice]:
        assert not act.isEnabled()
        assert act.toolTip() == "Open a project first."
    assert not [a.text() for a in m.all_actions() if a.property("coming")], "nothing is left 'coming later'"
    for menu in (m.file, m.export_menu, m.edit, m.view, m.generate, m.tools, m.help):
        assert menu.toolTipsVisible()
    # nothing else is silently inert: every other action is enabled or explains itself
    for act in m.all_actions():
        if not act.isEnabled():
            assert act.toolTip() and act.toolTip() != act.text().replace("&", ""), act.text()


def test_standard_shortcuts(window: MainWindow) -> None:
    m = window.menus
    assert not m.new_project.shortcut().isEmpty()
    assert not m.open_project.shortcut().isEmpty()
    assert not m.undo.shortcut().isEmpty() and not m.redo.shortcut().isEmpty()
    assert not m.find.shortcut().isEmpty()
    assert not m.preferences.shortcut().isEmpty()
    assert m.focus_mode.shortcut().toString() == "F11"
    assert m.shortcuts.shortcut().toString() == "F1"
    assert ("Focus Mode", "F11") in m.shortcut_rows()


def test_project_actions_follow_the_open_project(window: MainWindow) -> None:
    assert not window.menus.fork.isEnabled()
    assert window.menus.fork.toolTip() == "Open a project first."
    # Importing sources needs a project to import into (it works once one is open: tests/ui/test_library.py).
    assert not window.menus.import_sources.isEnabled() and not window.menus.import_folder.isEnabled()
    assert window.menus.import_sources.toolTip() == "Open a project first."
    assert window.menus.new_project.isEnabled()  # services attached


def test_focus_mode_hides_and_restores_panels(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    assert not window.sources.isVisible()  # put away around the welcome page
    open_and_wait(window, run(services.projects.create(user.id, "Focus book")).id, qtbot)
    assert window.sources.isVisible()
    window.menus.focus_mode.trigger()
    assert not window.sources.isVisible() and not window.findings.isVisible()
    assert not window.statusBar().isVisible()
    window.menus.focus_mode.trigger()
    assert window.sources.isVisible() and window.findings.isVisible() and window.statusBar().isVisible()


def test_help_and_token_dialogs_open(window: MainWindow, qtbot: QtBot) -> None:
    window.menus.shortcuts.trigger()
    assert window._shortcuts_dialog.isVisible()
    window._shortcuts_dialog.close()
    window.menus.about.trigger()
    assert window._about_dialog.isVisible()
    window._about_dialog.close()
    window.menus.tokens.trigger()
    qtbot.waitUntil(lambda: hasattr(window, "_token_dialog") and window._token_dialog.isVisible(), timeout=10_000)
    window._token_dialog.close()


def test_theme_menu_changes_settings(window: MainWindow) -> None:
    window.menus.themes["dark"].trigger()
    assert window.settings.theme == "dark"
    assert window.menus.themes["dark"].isChecked()
    window.menus.themes["light"].trigger()
    assert window.settings.theme == "light"


def test_dock_layout_is_saved_and_restored(window: MainWindow, settings: object) -> None:
    assert {d.objectName() for d in window.docks()} == {"panel.sources", "panel.outline", "panel.findings"}
    window.show()
    window._unpark_docks()
    window.outline.hide()
    window.save_layout()
    again = MainWindow(window.settings)
    try:
        again.show()
        assert again.docks_for_project() == [again.sources, again.findings]
    finally:
        again.close()
        again.deleteLater()


def test_focus_mode_toggles_back_with_every_panel_closed(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    """With no panel open, F11 still goes in and out (the status bar tells which)."""
    open_and_wait(window, run(services.projects.create(user.id, "Bare book")).id, qtbot)
    for dock in window.docks():
        dock.close()
    window.menus.focus_mode.trigger()
    assert not window.statusBar().isVisible() and window.menus.focus_mode.isChecked()
    window.menus.focus_mode.trigger()
    assert window.statusBar().isVisible() and not window.menus.focus_mode.isChecked()
