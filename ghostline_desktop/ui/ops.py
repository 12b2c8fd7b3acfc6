"""The one way UI code reaches a service: submit the coroutine to the service loop, get the result
back on the GUI thread.

Design (why not only ``await asyncio.wrap_future``): the app runs Qt under qasync, but pytest-qt
drives a bare Qt event loop with no asyncio loop on the GUI thread. So completion is relayed with a
queued Qt signal from the service thread to a QObject living on the GUI thread: it works the same
under qasync, under pytest-qt and in the offscreen screenshot renderer, and it never blocks the GUI.
Code that is itself a coroutine on the qasync loop (app start-up) uses :func:`call`, which awaits
the same future with ``asyncio.wrap_future``.

Every submitted future is kept in a :class:`TaskRegistry` (named ones cancel their predecessor),
and failures go to :func:`report_error`, which shows :func:`show_error` — a module-level function
so tests can patch the dialog away.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import inspect
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from ghostline_desktop.errors import GhostlineError, ServiceStoppedError
from ghostline_desktop.runtime.loop import ServiceLoop
from ghostline_desktop.runtime.registry import TaskRegistry

T = TypeVar("T")
log = logging.getLogger(__name__)

UNEXPECTED_TITLE = "Unexpected error"
UNEXPECTED_MESSAGE = "Unexpected error — details were written to the log."

CoroOrFactory = Coroutine[Any, Any, Any] | Callable[[], Coroutine[Any, Any, Any]]


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    """The default error dialog. Module-level on purpose: tests replace it with a recorder."""
    try:
        from ghostline_desktop.ui.dialogs.error import ErrorDialog
    except ImportError:  # dialogs package incomplete: a plain box still tells the author
        QMessageBox.warning(parent, title, message)
        return
    ErrorDialog(title, message, parent=parent).exec()


def show_info(parent: QWidget | None, title: str, message: str) -> None:
    """A non-blocking notice (opened, not exec'd): used for "arrives in a later version" messages."""
    box = QMessageBox(QMessageBox.Icon.Information, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setObjectName("infoBox")
    box.open()


def report_error(exc: BaseException, parent: QWidget | None = None) -> None:
    """Turn an exception into a readable message; never show a traceback to the author."""
    if isinstance(exc, GhostlineError):
        log.info("%s: %s", type(exc).__name__, exc)
        show_error(parent, exc.title, str(exc))
    else:
        log.error("Unexpected error in a background operation", exc_info=exc)
        show_error(parent, UNEXPECTED_TITLE, UNEXPECTED_MESSAGE)


class _Op:
    __slots__ = ("on_failure", "on_success", "parent")

    def __init__(
        self,
        on_success: Callable[[Any], object] | None,
        on_failure: Callable[[BaseException], object] | None,
        parent: QObject | None,
    ) -> None:
        self.on_success = on_success
        self.on_failure = on_failure
        self.parent = parent


class _Relay(QObject):
    """Lives on the GUI thread; ``finished`` is emitted from the service thread, so it is queued."""

    finished = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.pending = 0
        self.finished.connect(self._deliver)

    def _deliver(self, op: _Op, fut: concurrent.futures.Future[Any]) -> None:
        self.pending -= 1
        if fut.cancelled():
            return
        if op.parent is not None and not shiboken6.isValid(op.parent):
            return  # the widget that asked is gone; nobody wants the answer
        parent = op.parent if isinstance(op.parent, QWidget) else None
        exc = fut.exception()
        try:
            if exc is not None:
                if isinstance(exc, ServiceStoppedError):
                    return  # the app is closing
                if op.on_failure is not None:
                    op.on_failure(exc)
                else:
                    report_error(exc, parent)
            elif op.on_success is not None:
                op.on_success(fut.result())
        except Exception as callback_exc:  # a broken slot must not take the app down
            report_error(callback_exc, parent)


class _Context:
    def __init__(self, loop: ServiceLoop, registry: TaskRegistry) -> None:
        self.loop = loop
        self.registry = registry
        self.relay = _Relay()


_ctx: _Context | None = None


def install(loop: ServiceLoop, registry: TaskRegistry | None = None) -> TaskRegistry:
    """Point the UI at a running service loop (app start-up, tests). Call on the GUI thread."""
    global _ctx
    _ctx = _Context(loop, registry or TaskRegistry())
    return _ctx.registry


def uninstall() -> None:
    global _ctx
    _ctx = None


def installed() -> bool:
    return _ctx is not None and _ctx.loop.running


def _context() -> _Context:
    if _ctx is None:
        raise ServiceStoppedError("GhostLine is not connected to its services yet.")
    return _ctx


def registry() -> TaskRegistry:
    return _context().registry


def pending_count() -> int:
    """Operations submitted whose callbacks have not run yet (tests wait for 0)."""
    return 0 if _ctx is None else _ctx.relay.pending


def _as_coro(work: CoroOrFactory) -> Coroutine[Any, Any, Any]:
    coro = work if inspect.iscoroutine(work) else work()  # type: ignore[operator]
    if not inspect.iscoroutine(coro):
        raise TypeError("run_op needs a coroutine or a function returning one")
    return coro


def run_op(
    work: CoroOrFactory,
    *,
    on_success: Callable[[Any], object] | None = None,
    on_failure: Callable[[BaseException], object] | None = None,
    parent: QObject | None = None,
    name: str | None = None,
) -> concurrent.futures.Future[Any] | None:
    """Run a service coroutine on the service loop; call back on the GUI thread.

    ``on_failure`` defaults to :func:`report_error`. ``name`` makes it a named task: a newer one
    with the same name cancels this one. Returns the future (None if the services are not running).
    """
    ctx = _ctx
    if ctx is None or not ctx.loop.running:
        _as_coro(work).close()
        log.info("Operation dropped: services are not running")
        return None
    try:
        fut = ctx.loop.submit(_as_coro(work))
    except ServiceStoppedError:
        return None
    ctx.registry.add(fut, name)
    op = _Op(on_success, on_failure, parent)
    relay = ctx.relay
    relay.pending += 1

    def done(f: concurrent.futures.Future[Any]) -> None:
        with contextlib.suppress(RuntimeError):  # relay deleted while closing
            relay.finished.emit(op, f)

    fut.add_done_callback(done)
    return fut


async def call(work: CoroOrFactory, *, name: str | None = None) -> Any:
    """Await a service coroutine from a coroutine running on the GUI (qasync) loop."""
    ctx = _context()
    fut = ctx.loop.submit(_as_coro(work))
    ctx.registry.add(fut, name)
    return await asyncio.wrap_future(fut)


def run_blocking(work: CoroOrFactory, timeout: float = 15.0) -> Any:
    """Block the GUI for a service call. Only for shutdown (last autosave), never in normal use."""
    return _context().loop.run(_as_coro(work), timeout=timeout)
