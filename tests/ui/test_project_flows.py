"""File menu flows through the real dialogs (exec patched so no modal loop runs) and real services."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui.dialogs.fork_project import ForkProjectDialog
from ghostline_desktop.ui.dialogs.new_project import NewProjectDialog, NewProjectValues
from ghostline_desktop.ui.dialogs.open_project import OpenProjectDialog
from ghostline_desktop.ui.main_window import MainWindow
from tests.ui.conftest import WAIT_MS, open_and_wait


def _accept(monkeypatch: pytest.MonkeyPatch, cls: type[QDialog]) -> None:
    monkeypatch.setattr(cls, "exec", lambda self: QDialog.DialogCode.Accepted)


def test_new_project_from_the_menu(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, services: Services, run: Callable[[Any], Any]
) -> None:
    _accept(monkeypatch, NewProjectDialog)
    monkeypatch.setattr(NewProjectDialog, "values", lambda self: NewProjectValues("Sea Book", "MEMOIR", 50_000))
    with qtbot.waitSignal(window.projectOpened, timeout=WAIT_MS):
        window.menus.new_project.trigger()
    assert window.project is not None
    project = run(services.projects.get(window.project.id))
    assert (project.title, project.genre, project.target_word_count) == ("Sea Book", "MEMOIR", 50_000)


def test_open_project_dialog_lists_and_opens(
    window: MainWindow,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    services: Services,
    user: UserInfo,
    run: Callable[[Any], Any],
) -> None:
    target = run(services.projects.create(user.id, "Chosen one"))
    seen: list[int] = []

    def choose(self: OpenProjectDialog) -> uuid.UUID:
        return target.id

    monkeypatch.setattr(OpenProjectDialog, "exec", lambda self: seen.append(1) or QDialog.DialogCode.Accepted)
    monkeypatch.setattr(OpenProjectDialog, "selected_project_id", choose)
    with qtbot.waitSignal(window.projectOpened, timeout=WAIT_MS):
        window.menus.open_project.trigger()
    assert seen and window.project is not None and window.project.id == target.id


def test_fork_as_second_edition(
    window: MainWindow,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    services: Services,
    user: UserInfo,
    run: Callable[[Any], Any],
) -> None:
    original = run(services.projects.create(user.id, "First edition"))
    run(services.chapters.create(original.id, "Only chapter", content="Words."))
    open_and_wait(window, original.id, qtbot)
    _accept(monkeypatch, ForkProjectDialog)
    monkeypatch.setattr(ForkProjectDialog, "new_title", lambda self: "Second edition")
    with qtbot.waitSignal(window.projectOpened, timeout=WAIT_MS):
        window.menus.fork.trigger()
    assert window.project is not None and window.project.id != original.id
    fork = run(services.projects.get(window.project.id))
    assert fork.title == "Second edition" and fork.forked_from_project_id == original.id
    qtbot.waitUntil(lambda: window.editor.title_label.text() == "Only chapter", timeout=WAIT_MS)
