"""The task registry (no Qt) and ui.ops (QueryOp / CollectionOp): callbacks on the GUI thread, default error
dialog, timeout, initiator on events, named and widget-bound cancellation, busy indicator."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ghostline_desktop.errors import JobTimeoutError, ValidationError
from ghostline_desktop.runtime.loop import ServiceLoop
from ghostline_desktop.runtime.registry import TaskRegistry
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import ProjectsChanged
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.lag_probe import LagProbe
from ghostline_desktop.ui.ops import CollectionOp, QueryOp
from tests.ui.conftest import DialogRecorder


def test_registry_named_task_cancels_its_predecessor() -> None:
    reg = TaskRegistry()
    first: concurrent.futures.Future[int] = concurrent.futures.Future()
    second: concurrent.futures.Future[int] = concurrent.futures.Future()
    reg.add(first, "search")
    reg.add(second, "search")
    assert first.cancelled() and not second.cancelled()
    assert reg.get("search") is second and len(reg) == 1
    second.set_result(1)
    assert len(reg) == 0 and reg.get("search") is None


def test_registry_keeps_anonymous_until_done_and_cancels_all() -> None:
    reg = TaskRegistry()
    futs = [reg.add(concurrent.futures.Future()) for _ in range(3)]
    futs[0].set_result(None)
    assert len(reg) == 2
    assert reg.cancel_all() == 2
    assert all(f.cancelled() for f in futs[1:])
    assert len(reg) == 0


def test_query_op_calls_back_on_the_gui_thread(qtbot: QtBot, ui_ops: None) -> None:
    seen: list[tuple[int, bool]] = []

    async def work() -> int:
        await asyncio.sleep(0.01)
        return 42

    QueryOp(None, work).success(lambda v: seen.append((v, threading.current_thread() is threading.main_thread()))).run()
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [(42, True)]
    assert ops.pending_count() == 0


def test_typed_error_shows_title_and_message(qtbot: QtBot, ui_ops: None, dialogs: DialogRecorder) -> None:
    async def bad() -> None:
        raise ValidationError("A project needs a title.")

    CollectionOp(None, bad()).run()
    qtbot.waitUntil(lambda: bool(dialogs.errors))
    assert (dialogs.errors[0].title, dialogs.errors[0].message) == ("Invalid input", "A project needs a title.")


def test_failure_callback_replaces_the_dialog(qtbot: QtBot, ui_ops: None, dialogs: DialogRecorder) -> None:
    failures: list[BaseException] = []

    async def bad() -> None:
        raise ValidationError("No.")

    QueryOp(None, bad).success(lambda _v: failures.append(AssertionError())).failure(failures.append).run()
    qtbot.waitUntil(lambda: bool(failures))
    assert isinstance(failures[0], ValidationError) and not dialogs.errors


def test_unexpected_error_is_logged_not_shown(
    qtbot: QtBot, ui_ops: None, dialogs: DialogRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    async def boom() -> None:
        raise KeyError("internal detail")

    with caplog.at_level(logging.ERROR, logger="ghostline_desktop.ui.ops"):
        QueryOp(None, boom()).run()
        qtbot.waitUntil(lambda: bool(dialogs.errors))
    assert dialogs.errors[0].title == "Unexpected error"
    assert "written to the log" in dialogs.errors[0].message
    assert "internal detail" not in dialogs.errors[0].message
    assert any("KeyError" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_timeout_cancels_the_service_coroutine_and_says_so(qtbot: QtBot, ui_ops: None, dialogs: DialogRecorder) -> None:
    stopped = threading.Event()

    async def hangs() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            stopped.set()  # the coroutine on the service loop really ends
            raise

    failures: list[BaseException] = []
    CollectionOp(None, hangs).with_timeout(0.2).failure(failures.append).run()
    qtbot.waitUntil(lambda: bool(failures), timeout=10_000)
    assert isinstance(failures[0], JobTimeoutError)
    assert "0.2 seconds" in str(failures[0])
    assert stopped.is_set()


def test_initiator_is_stamped_on_the_events_an_op_publishes(
    qtbot: QtBot, ui_ops: None, services: Services, user: Any, run: Callable[[Any], Any]
) -> None:
    seen: list[ProjectsChanged] = []
    unsubscribe = services.bus.subscribe(lambda e: seen.append(e), ProjectsChanged)  # type: ignore[arg-type]
    widget = QWidget()
    try:
        done: list[Any] = []
        CollectionOp(widget, services.projects.create(user.id, "Initiated")).success(done.append).run()
        qtbot.waitUntil(lambda: bool(done), timeout=10_000)
        mine = [e for e in seen if e.project_id == done[0].id]
        assert mine and all(e.initiator == id(widget) for e in mine)
        assert ops.is_own(mine[0], widget) and not ops.is_own(mine[0], QWidget())
        # A change made outside any op (the CLI, a job) carries no initiator.
        outside = run(services.projects.create(user.id, "Not initiated"))
        assert [e.initiator for e in seen if e.project_id == outside.id] == [None]
    finally:
        unsubscribe()
        widget.deleteLater()


def test_named_op_replaces_the_stale_one(qtbot: QtBot, ui_ops: None) -> None:
    results: list[str] = []

    async def slow(tag: str, delay: float) -> str:
        await asyncio.sleep(delay)
        return tag

    stale = QueryOp(None, slow("old", 2.0)).named("search").success(results.append).run()
    QueryOp(None, slow("new", 0.01)).named("search").success(results.append).run()
    qtbot.waitUntil(lambda: results == ["new"])
    assert stale is not None and stale.cancelled()
    qtbot.waitUntil(lambda: ops.pending_count() == 0)
    assert results == ["new"]


def test_query_op_is_cancelled_when_its_widget_is_destroyed(qtbot: QtBot, ui_ops: None) -> None:
    widget = QWidget()
    answers: list[str] = []

    async def slow() -> str:
        await asyncio.sleep(3600)
        return "late"

    fut = QueryOp(widget, slow).success(answers.append).run()
    assert fut is not None
    widget.deleteLater()
    qtbot.waitUntil(fut.cancelled, timeout=5_000)
    qtbot.waitUntil(lambda: ops.pending_count() == 0)
    assert answers == []


def test_collection_op_finishes_after_its_widget_is_gone(
    qtbot: QtBot, ui_ops: None, services: Services, user: Any, run: Callable[[Any], Any]
) -> None:
    widget = QWidget()

    async def write() -> Any:
        await asyncio.sleep(0.2)
        return await services.projects.create(user.id, "Written after close")

    fut = CollectionOp(widget, write).run()
    assert fut is not None
    widget.deleteLater()
    qtbot.waitUntil(lambda: ops.pending_count() == 0, timeout=10_000)
    assert not fut.cancelled()
    assert "Written after close" in [p.title for p in run(services.projects.list_projects(user.id))]


def test_with_progress_shows_a_busy_indicator_for_slow_ops(qtbot: QtBot, ui_ops: None) -> None:
    release = threading.Event()

    async def slow() -> None:
        while not release.is_set():
            await asyncio.sleep(0.02)

    hub = ops.progress_hub()
    QueryOp(None, slow).with_progress("Counting the ships…").run()
    qtbot.waitUntil(lambda: "Counting the ships…" in hub.labels(), timeout=5_000)
    release.set()
    qtbot.waitUntil(lambda: "Counting the ships…" not in hub.labels(), timeout=5_000)


def test_real_service_failure_reaches_the_dialog(
    qtbot: QtBot, ui_ops: None, dialogs: DialogRecorder, services: Services, user: Any
) -> None:
    CollectionOp(None, services.projects.create(user.id, "   ")).run()
    qtbot.waitUntil(lambda: bool(dialogs.errors))
    assert dialogs.errors[0].title == "Invalid input"


def test_op_without_services_is_dropped_quietly(qtbot: QtBot) -> None:
    ops.uninstall()

    async def never() -> None:  # pragma: no cover - closed before running
        raise AssertionError

    assert QueryOp(None, never()).run() is None
    assert CollectionOp(None, never).run() is None


def test_lag_probe_records_a_stall(qtbot: QtBot) -> None:
    import time

    probe = LagProbe().start()
    qtbot.wait(50)
    time.sleep(0.12)  # a deliberate stall of the GUI thread
    qtbot.wait(50)
    probe.stop()
    assert probe.samples and probe.worst_ms >= 80


def test_service_loop_fixture_is_separate(service_loop: ServiceLoop) -> None:
    assert service_loop.running


def test_signal_emit_keeps_true_alive(qtbot: QtBot) -> None:
    """PySide6 6.12.0 on Python 3.11 drops a reference to True on every emit and the app aborts
    after a few thousand ("bool_dealloc"); pyproject.toml excludes that release. This guards the pin."""
    import sys

    from PySide6.QtCore import QObject, Signal

    class Source(QObject):
        ping = Signal(object)

    src = Source()
    got: list[int] = []
    src.ping.connect(got.append)
    before = sys.getrefcount(True)
    for i in range(5000):
        src.ping.emit(i)
    assert len(got) == 5000
    assert sys.getrefcount(True) >= before
