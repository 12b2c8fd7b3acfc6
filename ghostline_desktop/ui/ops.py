"""The one way UI code reaches a service: operation objects in the spirit of Anki's ``QueryOp`` /
``CollectionOp``, run on the service loop, answered on the GUI thread.

    QueryOp(self, lambda: services.search.search(pid, text)).named("library.search").success(show).run()
    CollectionOp(self, lambda: services.sources.delete_source(sid)).with_progress("Deleting…").run()

- ``QueryOp`` reads. Its answer only matters to the widget that asked, so the op is cancelled when
  that widget is destroyed, and a newer op of the same ``.named(...)`` cancels the older one.
- ``CollectionOp`` writes. It runs to the end even if its widget goes away (a half-done write
  helps nobody), and a failure is still reported.
- Both run their coroutine inside a wrapper that sets ``services.events.current_initiator`` to
  ``id(parent)``: every event the service publishes meanwhile carries ``initiator == id(parent)``,
  so a panel can skip refreshing for its own change (:func:`is_own`) instead of filtering echoes
  with flags. Every op has a timeout (default :data:`DEFAULT_TIMEOUT_S`) that cancels the service
  coroutine and fails with a readable message; no UI wait is unbounded.

Why completion travels as a queued Qt signal (one relay QObject on the GUI thread) rather than only
``await asyncio.wrap_future``: the app runs Qt under qasync, but pytest-qt and the offscreen
screenshot drive a bare Qt loop with no asyncio loop on the GUI thread; the signal works the same in
all three and never blocks the GUI. Coroutine code on the qasync loop (start-up) uses :func:`call`.
This relay and ``ui/bridge.py`` (events) are the only crossings between the two loops.

Failures go to :func:`report_error`, which shows :func:`show_error` — module-level so tests can
patch the dialog away.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ClassVar, Generic, Self, TypeVar

import shiboken6
from PySide6.QtCore import QMetaObject, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from ghostline_desktop.errors import GhostlineError, JobTimeoutError, ServiceStoppedError
from ghostline_desktop.runtime.loop import ServiceLoop
from ghostline_desktop.runtime.registry import TaskRegistry
from ghostline_desktop.services.events import current_initiator

T = TypeVar("T")
log = logging.getLogger(__name__)

UNEXPECTED_TITLE = "Unexpected error"
UNEXPECTED_MESSAGE = "Unexpected error — details were written to the log."
#: Every UI operation stops after this long unless it says otherwise (``with_timeout``).
DEFAULT_TIMEOUT_S = 60.0
#: A busy indicator appears only for operations slower than this (no flicker for quick ones).
PROGRESS_DELAY_MS = 500

Work = Coroutine[Any, Any, T] | Callable[[], Awaitable[T]]


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    """The default error dialog. Module-level on purpose: tests replace it with a recorder."""
    try:
        from ghostline_desktop.ui.dialogs.error import ErrorDialog
    except ImportError:  # dialogs package incomplete: a plain box still tells the author
        QMessageBox.warning(parent, title, message)
        return
    ErrorDialog(title, message, parent=parent).exec()


def show_info(parent: QWidget | None, title: str, message: str) -> None:
    """A non-blocking notice (opened, not exec'd)."""
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


def is_own(event: Any, widget: QObject) -> bool:
    """True when ``event`` was published by an operation ``widget`` started (its own change)."""
    return getattr(event, "initiator", None) == id(widget)


class ProgressHub(QObject):
    """Labels of the operations running longer than :data:`PROGRESS_DELAY_MS` that asked for
    ``with_progress``; the status bar shows them as a busy indicator."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._labels: dict[int, str] = {}

    def labels(self) -> list[str]:
        return list(self._labels.values())

    def _add(self, key: int, label: str) -> None:
        self._labels[key] = label
        self.changed.emit()

    def _remove(self, key: int) -> None:
        if self._labels.pop(key, None) is not None:
            self.changed.emit()


_hub: ProgressHub | None = None


def progress_hub() -> ProgressHub:
    """The app-wide hub (created on first use, on the GUI thread)."""
    global _hub
    if _hub is None:
        _hub = ProgressHub()
    return _hub


class _Operation(Generic[T]):
    """Shared by :class:`QueryOp` and :class:`CollectionOp`: build with the fluent setters, then
    :meth:`run` once."""

    kind: ClassVar[str] = "read"

    def __init__(self, parent: QObject | None, work: Work[T]) -> None:
        self.parent = parent
        self._work = work
        self._on_success: Callable[[T], object] | None = None
        self._on_failure: Callable[[BaseException], object] | None = None
        self._progress: str | None = None
        self._dialog = False
        self._timeout: float | None = DEFAULT_TIMEOUT_S
        self._name: str | None = None
        self.future: concurrent.futures.Future[T] | None = None
        self._timer: QTimer | None = None
        self._progress_dialog: QProgressDialog | None = None
        self._destroyed: QMetaObject.Connection | None = None

    # -- fluent configuration -------------------------------------------------------------
    def success(self, callback: Callable[[T], object]) -> Self:
        """Called on the GUI thread with the result (not if the op was cancelled or superseded)."""
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], object]) -> Self:
        """Replaces the default error dialog (:func:`report_error`)."""
        self._on_failure = callback
        return self

    def with_progress(self, label: str | None = None, *, dialog: bool = False) -> Self:
        """Show a busy indicator in the status bar once the op has run for half a second; with
        ``dialog`` a progress dialog with a Cancel button instead (for waits the author sits out)."""
        self._progress = label or "Working…"
        self._dialog = dialog
        return self

    def with_timeout(self, seconds: float | None) -> Self:
        """Cancel the service coroutine after ``seconds`` (None: no limit — only for work the author
        can cancel, such as a progress dialog's)."""
        self._timeout = seconds
        return self

    def named(self, name: str) -> Self:
        """A newer op of the same name cancels this one (a search per keystroke)."""
        self._name = name
        return self

    # -- running --------------------------------------------------------------------------
    def run(self) -> concurrent.futures.Future[T] | None:
        """Submit to the service loop; returns the future (None when the services are not running)."""
        ctx = _ctx
        if ctx is None or not ctx.loop.running:
            _close(self._work)
            log.info("Operation dropped: services are not running")
            return None
        coro = _guarded(_as_coro(self._work), id(self.parent) if self.parent is not None else None, self._timeout)
        try:
            fut = ctx.loop.submit(coro)
        except ServiceStoppedError:
            return None
        self.future = fut
        ctx.registry.add(fut, self._name)
        relay = ctx.relay
        relay.pending += 1
        self._started()

        def done(f: concurrent.futures.Future[Any]) -> None:  # runs on the service thread
            with contextlib.suppress(RuntimeError):  # relay deleted while closing
                relay.finished.emit(self, f)

        fut.add_done_callback(done)
        return fut

    def cancel(self) -> bool:
        return self.future is not None and self.future.cancel()

    def _started(self) -> None:
        if self.kind == "read" and self.parent is not None:
            # Nobody wants the answer of a widget that is gone: stop the query.
            self._destroyed = self.parent.destroyed.connect(lambda *_: self.cancel())
        if self._progress is not None:
            timer = QTimer()
            timer.setSingleShot(True)
            timer.setInterval(PROGRESS_DELAY_MS)
            timer.timeout.connect(self._show_progress)
            timer.start()
            self._timer = timer

    def _show_progress(self) -> None:
        if self.future is None or self.future.done():
            return
        label = self._progress or ""
        parent = self.parent if isinstance(self.parent, QWidget) and shiboken6.isValid(self.parent) else None
        if self._dialog and parent is not None:
            dlg = QProgressDialog(label, "Cancel", 0, 0, parent.window())
            dlg.setObjectName("opProgressDialog")
            dlg.setWindowModality(Qt.WindowModality.WindowModal)
            dlg.setMinimumDuration(0)
            dlg.canceled.connect(self.cancel)
            dlg.show()
            self._progress_dialog = dlg
        progress_hub()._add(id(self), label)

    def _finished(self) -> None:
        """Tidy up on the GUI thread: timers, indicators, the destroyed-connection."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._progress is not None:
            progress_hub()._remove(id(self))
        if self._progress_dialog is not None:
            with contextlib.suppress(RuntimeError):
                self._progress_dialog.canceled.disconnect(self.cancel)
                self._progress_dialog.close()
                self._progress_dialog.deleteLater()
            self._progress_dialog = None
        if self._destroyed is not None:
            QObject.disconnect(self._destroyed)
            self._destroyed = None

    def _deliver(self, fut: concurrent.futures.Future[Any]) -> None:
        self._finished()
        if fut.cancelled():
            return
        alive = self.parent is None or shiboken6.isValid(self.parent)
        parent = self.parent if alive and isinstance(self.parent, QWidget) else None
        exc = fut.exception()
        try:
            if exc is not None:
                if isinstance(exc, ServiceStoppedError):
                    return  # the app is closing
                if not alive and self.kind == "read":
                    return  # the widget that asked is gone; nobody wants the answer
                if self._on_failure is not None and alive:
                    self._on_failure(exc)
                else:
                    report_error(exc, parent)  # a write that failed is told even if its widget is gone
            elif self._on_success is not None and alive:
                self._on_success(fut.result())
        except Exception as callback_exc:  # a broken slot must not take the app down
            report_error(callback_exc, parent)


class QueryOp(_Operation[T]):
    """A read: cancelled when its widget is destroyed; its answer is dropped if the widget is gone."""

    kind = "read"


class CollectionOp(_Operation[T]):
    """A write: runs to the end even if its widget goes away; failures are always reported."""

    kind = "write"


async def _guarded(coro: Coroutine[Any, Any, T], initiator: object | None, timeout: float | None) -> T:
    """Runs on the service loop: stamp the initiator on events, enforce the timeout."""
    token = current_initiator.set(initiator)
    try:
        if timeout is None:
            return await coro
        cm = asyncio.timeout(timeout)
        try:
            async with cm:
                return await coro
        except TimeoutError as exc:
            if not cm.expired():
                raise  # the service's own timeout, with its own message
            raise JobTimeoutError(
                f"GhostLine waited {timeout:g} seconds for this and stopped it. Try again in a moment."
            ) from exc
    finally:
        current_initiator.reset(token)


class _Relay(QObject):
    """Lives on the GUI thread; ``finished`` is emitted from the service thread, so it is queued."""

    finished = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.pending = 0
        self.finished.connect(self._deliver)

    def _deliver(self, op: _Operation[Any], fut: concurrent.futures.Future[Any]) -> None:
        self.pending -= 1
        op._deliver(fut)


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
    """Operations submitted whose callbacks have not run yet (tests and start-up wait for 0)."""
    return 0 if _ctx is None else _ctx.relay.pending


def _as_coro(work: Work[T]) -> Coroutine[Any, Any, T]:
    coro = work if inspect.iscoroutine(work) else work()  # type: ignore[operator]
    if not inspect.iscoroutine(coro):
        raise TypeError("an operation needs a coroutine or a function returning one")
    return coro


def _close(work: Work[Any]) -> None:
    if inspect.iscoroutine(work):
        work.close()


async def call(work: Work[T], *, name: str | None = None) -> T:
    """Await a service coroutine from a coroutine running on the GUI (qasync) loop."""
    ctx = _context()
    fut = ctx.loop.submit(_as_coro(work))
    ctx.registry.add(fut, name)
    return await asyncio.wrap_future(fut)


def run_blocking(work: Work[T], timeout: float = 15.0) -> T:
    """Block the GUI for a service call. Only for shutdown (last autosave), never in normal use."""
    return _context().loop.run(_as_coro(work), timeout=timeout)
