"""Status bar: the bell follows notification events, the meter shows balance / quota, and the task area
lists real jobs of the real runner with progress, cancel, the reason of a failure, retry and dismiss."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ghostline_desktop.core.enums import TaskStatus, TaskType
from ghostline_desktop.errors import ValidationError
from ghostline_desktop.runtime.jobs import JobContext, JobResult, JobSpec
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui.main_window import MainWindow
from ghostline_desktop.ui.widgets.task_area import TaskArea


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


@pytest.fixture(scope="module")
def project_id(services: Services, user: UserInfo, run: Callable[[Any], Any]) -> uuid.UUID:
    return run(services.projects.create(user.id, "Jobs book")).id


@pytest.fixture(scope="module")
def handlers(services: Services) -> dict[str, int]:
    """Real job handlers on the real runner: one that works until cancelled, one that fails once."""
    attempts = {"flaky": 0}

    async def steps(ctx: JobContext, _params: dict[str, Any]) -> JobResult:
        await ctx.progress(0.4, "Reading page 4 of 10", force=True)
        while True:  # until cancelled
            await asyncio.sleep(0.05)
            ctx.check_cancelled()

    async def flaky(ctx: JobContext, _params: dict[str, Any]) -> JobResult:
        attempts["flaky"] += 1
        if attempts["flaky"] % 2 == 1:
            raise ValidationError("The notes file is missing.")
        await ctx.progress(1.0, force=True)
        return JobResult(message="Checked the notes")

    services.runner.register("test.steps", steps)
    services.runner.register("test.flaky", flaky)
    return attempts


def _spec(handler: str, project_id: uuid.UUID, label: str) -> JobSpec:
    return JobSpec(handler=handler, task_type=TaskType.QA_CHECK, project_id=project_id, label=label, timeout=120)


def test_running_job_shows_progress_and_cancel_stops_it(
    window: MainWindow,
    qtbot: QtBot,
    services: Services,
    run: Callable[[Any], Any],
    project_id: uuid.UUID,
    handlers: dict[str, int],
) -> None:
    tasks = window.status.tasks
    assert tasks.text() == "No background tasks"
    job = run(services.runner.submit(_spec("test.steps", project_id, "Reading the diary")))
    qtbot.waitUntil(lambda: tasks.text().startswith("1 task · 40%"), timeout=10_000)
    row = tasks.rows[job.id]
    assert row.title.text() == "Reading the diary"
    assert row.bar.value() == 40 and "Reading page 4 of 10" in row.detail.text()
    assert not row.cancel_button.isHidden() and row.retry_button.isHidden()
    tasks.click()  # the list drops up from the button
    assert tasks.popup.isVisible() and row.isVisible()
    row.cancel_button.click()
    qtbot.waitUntil(lambda: job.id not in tasks.jobs, timeout=10_000)
    assert run(services.jobs.wait(job.id, 10)).status is TaskStatus.CANCELLED
    assert tasks.text() == "No background tasks"
    tasks.popup.hide()


def test_failed_job_shows_why_and_retry_runs_it_again(
    window: MainWindow,
    qtbot: QtBot,
    services: Services,
    run: Callable[[Any], Any],
    project_id: uuid.UUID,
    handlers: dict[str, int],
) -> None:
    tasks = window.status.tasks
    job = run(services.runner.submit(_spec("test.flaky", project_id, "Checking the notes")))
    qtbot.waitUntil(lambda: tasks.failed_count() == 1, timeout=10_000)
    assert "1 failed" in tasks.text()
    row = tasks.rows[job.id]
    assert "The notes file is missing." in row.detail.text()
    assert not row.retry_button.isHidden() and not row.dismiss_button.isHidden() and row.cancel_button.isHidden()
    row.retry_button.click()
    qtbot.waitUntil(lambda: not tasks.jobs, timeout=10_000)
    assert handlers["flaky"] == 2
    assert window.status.currentMessage() == "Checked the notes"
    assert tasks.text() == "No background tasks"


def test_dismiss_forgets_a_failed_job(
    window: MainWindow,
    qtbot: QtBot,
    services: Services,
    run: Callable[[Any], Any],
    project_id: uuid.UUID,
    handlers: dict[str, int],
) -> None:
    tasks = window.status.tasks
    job = run(services.runner.submit(_spec("test.flaky", project_id, "Checking again")))
    qtbot.waitUntil(lambda: job.id in tasks.rows and tasks.failed_count() == 1, timeout=10_000)
    tasks.rows[job.id].dismiss_button.click()
    assert job.id not in tasks.rows and tasks.text() == "No background tasks"
    qtbot.waitUntil(
        lambda: job.id not in [j.id for j in run(services.jobs.list_jobs(active_only=False))], timeout=10_000
    )


def test_jobs_running_before_the_window_attached_are_listed(
    qtbot: QtBot,
    ui_ops: None,
    services: Services,
    run: Callable[[Any], Any],
    project_id: uuid.UUID,
    handlers: dict[str, int],
) -> None:
    job = run(services.runner.submit(_spec("test.steps", project_id, "Started before the window")))
    try:
        area = TaskArea()
        qtbot.addWidget(area)
        area.attach(services)
        qtbot.waitUntil(lambda: job.id in area.rows, timeout=10_000)
        assert area.active_count() >= 1 and "task" in area.text()
    finally:
        run(services.jobs.cancel(job.id))
        run(services.jobs.wait(job.id, 10))
