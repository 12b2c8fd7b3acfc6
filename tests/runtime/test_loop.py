"""ServiceLoop: the background asyncio loop every service runs on."""

from __future__ import annotations

import asyncio
import threading

import pytest

from ghostline_desktop.errors import ServiceStoppedError
from ghostline_desktop.runtime.loop import ServiceLoop


@pytest.fixture
def loop() -> ServiceLoop:
    sl = ServiceLoop("test-runner").start()
    yield sl
    sl.stop()


def test_runs_coroutines_on_its_own_thread(loop: ServiceLoop) -> None:
    async def where() -> tuple[str, bool]:
        return threading.current_thread().name, isinstance(asyncio.get_running_loop(), asyncio.SelectorEventLoop)

    name, is_selector = loop.run(where(), timeout=10)
    assert name == "test-runner"
    assert name != threading.current_thread().name
    assert is_selector  # psycopg async needs a selector loop on every platform


def test_submit_returns_thread_safe_future(loop: ServiceLoop) -> None:
    async def add(a: int, b: int) -> int:
        await asyncio.sleep(0)
        return a + b

    futures = [loop.submit(add(i, i)) for i in range(20)]
    assert [f.result(10) for f in futures] == [2 * i for i in range(20)]


def test_exceptions_propagate(loop: ServiceLoop) -> None:
    async def boom() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        loop.run(boom(), timeout=10)
    assert loop.running  # a failing operation does not take the loop down


def test_start_is_idempotent(loop: ServiceLoop) -> None:
    first = loop.loop
    assert loop.start() is loop
    assert loop.loop is first


def test_stop_cancels_pending_work() -> None:
    sl = ServiceLoop("test-stop").start()
    started = threading.Event()
    cancelled = threading.Event()

    async def forever() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    fut = sl.submit(forever())
    assert started.wait(10)
    sl.stop()
    assert cancelled.is_set()
    assert fut.cancelled()
    assert not sl.running


def test_submit_after_stop_raises_and_closes_coroutine() -> None:
    sl = ServiceLoop("test-after-stop").start()
    sl.stop()

    async def work() -> int:
        return 1

    coro = work()
    with pytest.raises(ServiceStoppedError):
        sl.submit(coro)
    assert coro.cr_frame is None  # closed, so no "coroutine was never awaited" warning
    with pytest.raises(ServiceStoppedError):
        _ = sl.loop


def test_restart_after_stop() -> None:
    sl = ServiceLoop("test-restart").start()
    sl.stop()
    sl.start()
    try:

        async def one() -> int:
            return 1

        assert sl.run(one(), timeout=10) == 1
    finally:
        sl.stop()


def test_stop_without_start_is_harmless() -> None:
    ServiceLoop("never-started").stop()
