"""The revision history's "Request Changes…" then offers Generate ▸ Revise with Feedback on the
saved request, against the OpenAI test server; declined or offline, the request is only saved
and the status bar says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.ui import generation_controller
from ghostline_desktop.ui.main_window import MainWindow
from tests.services.generation_support import GenWorld, world_fixture  # noqa: F401 (fixture)
from tests.ui.conftest import WAIT_MS, open_and_wait

pytestmark = pytest.mark.timeout(180)
REVISED = "The storm came first, and only then the lamp."


@pytest.fixture(scope="module")
def services(world: GenWorld) -> Services:
    """This module's window talks to services whose provider is the test server."""
    return world.services


@pytest.fixture(autouse=True)
def _fresh(world: GenWorld) -> None:
    world.server.reset()


@pytest.fixture
def win(window: MainWindow, world: GenWorld, qtbot: QtBot) -> MainWindow:
    open_and_wait(window, world.project_id, qtbot)
    qtbot.waitUntil(lambda: len(window.editor.chapters) == 3, timeout=WAIT_MS)
    return window


def _request_changes(win: MainWindow, world: GenWorld, qtbot: QtBot, index: int, feedback: str) -> Any:
    """Give chapter ``index`` a revision, open it, and save ``feedback`` through the history's box."""
    chapter_id = win.editor.chapters[index].id
    world.run(world.services.chapters.save_text(chapter_id, f"The lamp was lit at dusk in chapter {index + 1}."))
    win.editor.open_chapter(chapter_id)
    history = win.editor.history
    qtbot.waitUntil(lambda: win.editor.shown == chapter_id and any(r.sealed for r in history.rows), timeout=WAIT_MS)
    base = next(r for r in history.rows if r.sealed)
    history.select_revision(base.revision_number)
    history.feedback_button.click()
    qtbot.keyClicks(history.feedback_edit, feedback)
    history.feedback_save.click()
    return base


def test_saved_request_offers_and_runs_revise_with_feedback(
    win: MainWindow, world: GenWorld, qtbot: QtBot, wait_ops: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []
    monkeypatch.setattr(generation_controller, "ask_revise_now", lambda _p, n: asked.append(n) or True)
    world.server.tokens_per_second = 200
    world.server.queue_reply(REVISED)
    with qtbot.waitSignal(win.editor.history.feedbackSaved, timeout=WAIT_MS) as saved:
        base = _request_changes(win, world, qtbot, 0, "Open with the storm.")
    assert saved.args[0].id == base.id and saved.args[0].user_feedback == "Open with the storm."
    assert asked == [base.revision_number]
    qtbot.waitUntil(lambda: win.editor.text.toPlainText() == REVISED, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not win.generation.stream.active, timeout=WAIT_MS)
    wait_ops()
    sent = world.server.requests_to("chat")[0].json["messages"][1]["content"]
    assert "Open with the storm." in sent
    revs = world.run(world.services.chapters.list_revisions(win.editor.shown, include_working=False))
    assert max(revs, key=lambda r: r.revision_number).source == "AI_REVISION"
    assert [r.user_feedback for r in revs if r.id == base.id] == ["Open with the storm."]


def test_declined_only_saves_the_request(
    win: MainWindow, world: GenWorld, qtbot: QtBot, wait_ops: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []
    monkeypatch.setattr(generation_controller, "ask_revise_now", lambda _p, n: asked.append(n) and False)
    with qtbot.waitSignal(win.editor.history.feedbackSaved, timeout=WAIT_MS):
        base = _request_changes(win, world, qtbot, 1, "Shorter, please.")
    wait_ops()
    assert asked == [base.revision_number] and not win.generation.stream.active
    assert "Revise with Feedback" in win.status.currentMessage()
    assert world.server.requests_to("chat") == []


def test_offline_saves_and_says_ai_revision_needs_a_provider(
    win: MainWindow, world: GenWorld, qtbot: QtBot, wait_ops: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []
    monkeypatch.setattr(generation_controller, "ask_revise_now", lambda _p, n: asked.append(n) or True)
    gen = world.services.generation
    provider = gen.provider
    gen.configure(None)
    try:
        with qtbot.waitSignal(win.editor.history.feedbackSaved, timeout=WAIT_MS):
            base = _request_changes(win, world, qtbot, 2, "More weather.")
        wait_ops()
    finally:
        gen.configure(provider)
    assert asked == [] and not win.generation.stream.active
    assert "needs an AI provider" in win.status.currentMessage()
    assert world.server.requests_to("chat") == []
    revs = world.run(world.services.chapters.list_revisions(win.editor.chapters[2].id, include_working=False))
    assert [r.user_feedback for r in revs if r.id == base.id] == ["More weather."]
