"""The service loop: one asyncio loop in one background thread that runs every service.

Why a thread of its own: psycopg's async mode needs a selector loop (qasync uses a
proactor-style loop on Windows), and ORM work on large results must never run on the
GUI thread. UI code submits coroutines here and awaits the returned future on its own
loop (``asyncio.wrap_future``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import selectors
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from ghostline_desktop.errors import ServiceStoppedError

T = TypeVar("T")
log = logging.getLogger(__name__)


class ServiceLoop:
    """Start, submit to and stop the background service loop."""

    def __init__(self, name: str = "ghostline-services") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stopping = False

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise ServiceStoppedError("The service loop is not running.")
        return self._loop

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stopping

    def start(self) -> ServiceLoop:
        if self.running:
            return self
        self._stopping = False
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        self._ready.wait()
        return self

    def _run(self) -> None:
        # A selector loop on every platform: psycopg async cannot use the proactor loop.
        loop = asyncio.SelectorEventLoop(selectors.DefaultSelector())
        asyncio.set_event_loop(loop)
        self._loop = loop
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            try:
                pending = asyncio.all_tasks(loop)
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
                # Bounded: a worker thread in the middle of a long call (an embedding batch)
                # must not hold up quitting; it finishes on its own.
                with contextlib.suppress(TimeoutError):
                    loop.run_until_complete(asyncio.wait_for(loop.shutdown_default_executor(), 1.0))
            finally:
                loop.close()
                self._loop = None

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the service loop from any thread; returns a thread-safe future."""
        if not self.running or self._loop is None:
            coro.close()
            raise ServiceStoppedError("GhostLine is closing; the operation was not started.")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the service loop and block for its result (CLI, tests, shutdown)."""
        return self.submit(coro).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Cancel what is still running, close the loop and join the thread."""
        if self._thread is None:
            return
        loop = self._loop
        self._stopping = True
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("Service loop did not stop within %.1f s", timeout)
        self._thread = None
