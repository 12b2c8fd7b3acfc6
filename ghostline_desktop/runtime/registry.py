"""A registry that keeps background work referenced until it finishes.

Why: a dropped asyncio task (or a future nobody holds) can be garbage-collected mid-flight,
and an app that closes must be able to cancel everything still running. Named tasks replace
their predecessor (re-running a search while the author types cancels the stale one).
No Qt here: the registry holds anything with ``cancel()``, ``done()`` and ``add_done_callback()``
(``asyncio.Task`` and ``concurrent.futures.Future`` both qualify).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar


class Cancellable(Protocol):
    def cancel(self) -> bool: ...

    def done(self) -> bool: ...

    def add_done_callback(self, fn: Callable[[Any], object], /) -> None: ...


C = TypeVar("C", bound=Cancellable)


class TaskRegistry:
    """Thread-safe: futures complete on the service thread, the UI adds and cancels on the GUI thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._anonymous: set[Cancellable] = set()
        self._named: dict[str, Cancellable] = {}

    def add(self, task: C, name: str | None = None) -> C:
        """Keep ``task`` referenced until done; a task with the same ``name`` is cancelled."""
        previous: Cancellable | None = None
        with self._lock:
            if name is None:
                self._anonymous.add(task)
            else:
                previous = self._named.get(name)
                self._named[name] = task
        if previous is not None and previous is not task and not previous.done():
            previous.cancel()
        task.add_done_callback(lambda _t: self._discard(task, name))
        return task

    def _discard(self, task: Cancellable, name: str | None) -> None:
        with self._lock:
            if name is None:
                self._anonymous.discard(task)
            elif self._named.get(name) is task:
                del self._named[name]

    def get(self, name: str) -> Cancellable | None:
        with self._lock:
            return self._named.get(name)

    def cancel(self, name: str) -> bool:
        task = self.get(name)
        return bool(task is not None and task.cancel())

    def cancel_all(self) -> int:
        """Cancel every task still running; returns how many were asked to stop."""
        with self._lock:
            tasks = [*self._anonymous, *self._named.values()]
        return sum(1 for t in tasks if not t.done() and t.cancel())

    def __len__(self) -> int:
        with self._lock:
            return len(self._anonymous) + len(self._named)

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._named)
