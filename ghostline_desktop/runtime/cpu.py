"""A process pool for CPU-heavy work (PDF, DOCX and EPUB parsing, OCR).

Why processes: parsing holds the GIL; in a thread it would stall both the service loop and,
through the GIL, the GUI. Why a wrapper over ``ProcessPoolExecutor``: a cancelled or timed-out
job must really stop, and a worker stuck in a pathological file cannot be interrupted, so the
pool is killed and rebuilt; calls of other jobs that were in it are transparently re-run once.

Workers start with ``forkserver`` (``spawn`` where that is missing): forking a process that runs
Qt and several threads can deadlock the child.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

log = logging.getLogger(__name__)
PARENT_POLL_S = 1.0


def _watch_parent(app_pid: int) -> None:
    """Pool initializer: end this worker when the app is gone. A worker blocked on its task
    queue does not notice on its own, so an app killed with SIGKILL would otherwise leave its
    workers running forever."""

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_S)
            try:
                os.kill(app_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # the pid was reused by another user's process
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class CpuPool:
    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or max(1, os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._generation = 0

    def _get(self) -> tuple[concurrent.futures.ProcessPoolExecutor, int]:
        with self._lock:
            if self._pool is None:
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    self.workers, mp_context=_context(), initializer=_watch_parent, initargs=(os.getpid(),)
                )
                self._generation += 1
            return self._pool, self._generation

    def _kill(self, generation: int) -> None:
        """Kill every worker of the pool of ``generation`` (if it is still the current one)."""
        with self._lock:
            pool = self._pool
            if pool is None or generation != self._generation:
                return
            self._pool = None
        processes = list((getattr(pool, "_processes", None) or {}).values())  # no public API to kill workers
        for proc in processes:
            with contextlib.suppress(Exception):
                proc.kill()
        with contextlib.suppress(Exception):
            pool.shutdown(wait=False, cancel_futures=True)
        log.info("Killed %d pool worker(s) to stop a cancelled or stuck job", len(processes))

    async def run(self, fn: Callable[..., Any], *args: Any, cancel: asyncio.Event | None = None) -> Any:
        """Run ``fn(*args)`` in a worker. If ``cancel`` is set (or the awaiting task is
        cancelled) while it runs, the workers are killed and ``CancelledError`` propagates."""
        for attempt in (1, 2):
            pool, generation = self._get()
            try:
                cf = pool.submit(fn, *args)
            except (BrokenProcessPool, RuntimeError):  # killed or shut down between _get and submit
                self._kill(generation)
                if attempt == 2:
                    raise
                continue
            fut = asyncio.wrap_future(cf)
            # An abandoned call's late error (BrokenProcessPool after a kill) is expected: retrieve it.
            fut.add_done_callback(lambda f: f.cancelled() or f.exception())
            waiter = asyncio.ensure_future(cancel.wait()) if cancel is not None else None
            try:
                if waiter is None:
                    return await fut
                done, _ = await asyncio.wait({fut, waiter}, return_when=asyncio.FIRST_COMPLETED)
                if fut in done:
                    return fut.result()
                raise asyncio.CancelledError
            except BrokenProcessPool:
                # Another job's cancellation killed the pool under us: run once more on a new one.
                self._kill(generation)
                if attempt == 2:
                    raise
            except asyncio.CancelledError:
                # Still queued: simply dropped. Already running: only killing the worker stops it.
                if not cf.done() and not cf.cancel():
                    self._kill(generation)
                raise
            finally:
                if waiter is not None:
                    waiter.cancel()
        raise AssertionError("unreachable")

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for proc in processes:  # a worker stuck in a file must not outlive the app
                with contextlib.suppress(Exception):
                    proc.kill()
            # Reap the workers and let the executor's manager thread see them gone (briefly: they
            # were just killed), so the call queue's semaphores are released before the interpreter
            # exits. Without this a short-lived CLI run sometimes printed the resource tracker's
            # "leaked semaphore objects" warning on stderr.
            for proc in processes:
                with contextlib.suppress(Exception):
                    proc.join(timeout=1.0)
            manager = getattr(pool, "_executor_manager_thread", None)  # no public API for it either
            if manager is not None:
                with contextlib.suppress(Exception):
                    manager.join(timeout=1.0)
