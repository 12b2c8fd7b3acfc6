"""The task registry (no Qt) and ui.ops: callbacks on the GUI thread, default error dialog, named tasks."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ghostline_desktop.errors import ValidationError
from ghostline_desktop.services.container import Services
from ghostline_desktop.runtime.loop import ServiceLoop
from ghostline_desktop.runtime.registry import TaskRegistry
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.lag_probe import LagProbe
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


def test_run_op_calls_back_on_the_gui_thread(qtbot: QtBot, ui_ops: None) -> None:
    seen: list[tuple[int, bool]] = []

    async def work() -> int:
        await asyncio.sleep(0.01)
        return 42

    ops.run_op(work, on_success=lambda v: seen.append((v, threading.current_thread() is threading.main_thread())))
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [(42, True)]
    assert ops.pending_count() == 0


def test_typed_error_shows_title_and_message(qtbot: QtBot, ui_ops: None, dialogs: DialogRecorder) -> None:
    async def bad() -> None:
        raise ValidationError("A project needs a title.")

    ops.run_op(bad())
    qtbot.waitUntil(lambda: bool(dialogs.errors))
    assert (dialogs.errors[0].title, dialogs.errors[0].message) == ("Invalid input", "A project needs a title.")


def test_unexpected_error_is_logged_not_shown(
    qtbot: QtBot, ui_ops: None, dialogs: DialogRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    async def boom() -> None:
        raise KeyError("internal detail")

    with caplog.at_level(logging.ERROR, logger="ghostline_desktop.ui.ops"):
        ops.run_op(boom())
        qtbot.waitUntil(lambda: bool(dialogs.errors))
    assert dialogs.errors[0].title == "Unexpected error"
    assert "written to the log" in dialogs.errors[0].message
    assert "internal detail" not in dialogs.errors[0].message
    assert any("KeyError" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_named_op_replaces_the_stale_one(qtbot: QtBot, ui_ops: None) -> None:
    results: list[str] = []

    async def slow(tag: str, delay: float) -> str:
        await asyncio.sleep(delay)
        return tag

    stale = ops.run_op(slow("old", 2.0), on_success=results.append, name="search")
    ops.run_op(slow("new", 0.01), on_success=results.append, name="search")
    qtbot.waitUntil(lambda: results == ["new"])
    assert stale is not None and stale.cancelled()
    qtbot.waitUntil(lambda: ops.pending_count() == 0)
    assert results == ["new"]


def test_real_service_failure_reaches_the_dialog(
    qtbot: QtBot, ui_ops: None, dialogs: DialogRecorder, services: Services, user: Any, run: Callable[[Any], Any]
) -> None:
    ops.run_op(services.projects.create(user.id, "   "))
    qtbot.waitUntil(lambda: bool(dialogs.errors))
    assert dialogs.errors[0].title == "Invalid input"


def test_run_op_without_services_is_dropped_quietly(qtbot: QtBot) -> None:
    ops.uninstall()

    async def never() -> None:  # pragma: no cover - closed before running
        raise AssertionError

    assert ops.run_op(never()) is None


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
