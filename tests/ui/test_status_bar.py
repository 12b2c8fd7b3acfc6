"""Status bar: the bell follows notification events, the meter shows balance / quota, tasks show progress."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.services.events import TaskProgress
from ghostline_desktop.ui.main_window import MainWindow


def test_bell_count_follows_new_notifications(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    run(services.notifications.mark_all_read(user.id))
    qtbot.waitUntil(lambda: window.status.unread == 0, timeout=10_000)
    run(services.notifications.notify(user.id, "SYSTEM", "Hello there", message="A first note"))
    qtbot.waitUntil(lambda: window.status.unread == 1, timeout=10_000)
    run(services.notifications.notify(user.id, "EXPORT_READY", "Book exported", message="PDF is ready"))
    qtbot.waitUntil(lambda: window.status.unread == 2, timeout=10_000)
    assert "2 unread" in window.status.bell.toolTip()
    texts = [a.text() for a in window.status.bell_menu.actions()]
    assert any("Book exported" in t for t in texts) and any("Hello there" in t for t in texts)
    # opening the bell menu marks them read
    window.status.bell_menu.aboutToShow.emit()
    qtbot.waitUntil(lambda: window.status.unread == 0, timeout=10_000)
    assert run(services.notifications.unread_count(user.id)) == 0


def test_token_meter_shows_balance_and_quota(window: MainWindow, qtbot: QtBot, user: UserInfo) -> None:
    meter = window.status.meter
    qtbot.waitUntil(lambda: "tokens" in meter.text() and "—" not in meter.format(), timeout=10_000)
    assert meter.format() == f"{user.token_balance:,} / 100,000 tokens"
    assert meter.maximum() == 100_000


def test_task_progress_event_shows_then_clears(window: MainWindow, qtbot: QtBot, services: Services) -> None:
    task_id, project_id = uuid.uuid4(), uuid.uuid4()
    assert window.status.task_label.text() == "No background tasks"
    services.bus.publish(TaskProgress(task_id, project_id, "Embedding sources", 0.4, "RUNNING"))
    qtbot.waitUntil(lambda: "Embedding sources" in window.status.task_label.text(), timeout=5_000)
    assert window.status.task_progress.value() == 40
    services.bus.publish(TaskProgress(task_id, project_id, "Embedding sources", 1.0, "COMPLETED"))
    qtbot.waitUntil(lambda: window.status.task_label.text() == "No background tasks", timeout=5_000)
