"""The one job runner every long piece of work shares: ingestion, OCR, transcription, embedding,
and later AI drafts, QA runs, voice analysis and exports.

A job is a handler (an ``async`` function taking a :class:`JobContext` and its parameters) plus a
:class:`JobSpec`. The runner persists each job through a :class:`JobStore` (a ``generation_tasks``
row in the app: PENDING → RUNNING → COMPLETED / FAILED / CANCELLED), runs at most N at once and
queues the rest, enforces a timeout, honours cancellation, publishes every state and progress
change, and lets callers consume streamed results as an async iterator.

Why handlers are registered by name instead of passed as closures: a failed job must be retryable
after the app restarted, so a job has to be rebuilt from what the row stores (handler name +
JSON parameters).

No Qt and no SQL here: persistence is the store's business (``services/jobs.py``), display the UI's.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from ghostline_desktop.core.enums import TaskStatus, TaskType
from ghostline_desktop.errors import GhostlineError, JobCancelledError, JobTimeoutError
from ghostline_desktop.runtime.cpu import CpuPool
from ghostline_desktop.runtime.types import JobInfo

log = logging.getLogger(__name__)

#: Progress events are published at most this often per job (the GUI needs a few redraws a
#: second, not one per page); the store is written less often still.
PUBLISH_INTERVAL_S = 0.1
PERSIST_INTERVAL_S = 1.0
_END = object()

Handler = Callable[["JobContext", dict[str, Any]], Awaitable["JobResult | None"]]
CancelHook = Callable[[dict[str, Any]], Awaitable[None]]


def default_concurrency() -> int:
    """At most one job per core (at least two, so a slow provider call does not stall the queue)."""
    return max(2, os.cpu_count() or 2)


@dataclass(frozen=True)
class JobSpec:
    handler: str  # registered handler name
    task_type: TaskType
    project_id: uuid.UUID
    label: str
    params: dict[str, Any] = field(default_factory=dict)  # JSON-able: stored for retry
    timeout: float | None = 3600.0
    source_id: uuid.UUID | None = None
    chapter_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    retryable: bool = True


@dataclass(frozen=True)
class JobResult:
    """What a handler returns: what it produced (for ``output_entity_*``) and a closing message."""

    message: str | None = None
    entity_type: str | None = None
    entity_id: uuid.UUID | None = None
    status: TaskStatus = TaskStatus.COMPLETED
    extra: dict[str, Any] = field(default_factory=dict)


class JobStore(Protocol):
    """Where jobs are persisted. All methods run on the service loop."""

    async def create(self, spec: JobSpec) -> JobInfo: ...

    async def create_many(self, specs: list[JobSpec]) -> list[JobInfo]: ...

    async def update(self, job_id: uuid.UUID, **fields: Any) -> None: ...

    async def load(self, job_id: uuid.UUID) -> tuple[JobSpec, JobInfo]: ...

    async def heartbeat(self, job_ids: list[uuid.UUID]) -> None: ...


class JobContext:
    """Handed to a running handler: report progress, check for cancellation, stream results,
    and run CPU-heavy functions in the process pool."""

    def __init__(self, runner: JobRunner, job: JobInfo, spec: JobSpec) -> None:
        self._runner = runner
        self.job_id = job.id
        self.spec = spec
        self._cancel = asyncio.Event()
        self._streams: list[asyncio.Queue[object]] = []
        self._last_publish = 0.0
        self._last_persist = time.monotonic()  # the RUNNING write is fresh; no progress write at once
        self.progress_value = 0.0
        self.message: str | None = None

    # -- cancellation -----------------------------------------------------------------------
    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        """Raise :class:`JobCancelledError` if someone asked this job to stop."""
        if self._cancel.is_set():
            raise JobCancelledError("The job was cancelled.")

    # -- progress ---------------------------------------------------------------------------
    async def progress(self, fraction: float, message: str | None = None, *, force: bool = False) -> None:
        """Report progress (0..1). Throttled: cheap to call per page or per batch."""
        self.check_cancelled()
        self.progress_value = max(0.0, min(1.0, fraction))
        if message is not None:
            self.message = message
        now = time.monotonic()
        if force or now - self._last_publish >= PUBLISH_INTERVAL_S:
            self._last_publish = now
            self._runner._publish_progress(self)
        if now - self._last_persist >= PERSIST_INTERVAL_S:  # forced or not: the row is advisory
            self._last_persist = now
            await self._runner._persist_progress(self)

    def note(self, fraction: float, message: str | None = None) -> None:
        """Synchronous, publish-only progress (from a callback that cannot await); throttled."""
        self.progress_value = max(0.0, min(1.0, fraction))
        if message is not None:
            self.message = message
        now = time.monotonic()
        if now - self._last_publish >= PUBLISH_INTERVAL_S:
            self._last_publish = now
            self._runner._publish_progress(self)

    # -- streaming --------------------------------------------------------------------------
    def emit(self, item: object) -> None:
        """Hand a partial result to everyone iterating :meth:`JobRunner.stream` for this job."""
        for q in self._streams:
            q.put_nowait(item)

    def _close_streams(self) -> None:
        for q in self._streams:
            q.put_nowait(_END)

    # -- workers ----------------------------------------------------------------------------
    async def run_cpu(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a top-level function in the process pool; cancelling the job abandons (and, if
        it hangs, kills) the worker so the job stops at once."""
        self.check_cancelled()
        return await self._runner.cpu.run(fn, *args, cancel=self._cancel)

    async def run_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking function in a thread (I/O, or C code that releases the GIL)."""
        self.check_cancelled()
        return await asyncio.to_thread(fn, *args)


class JobRunner:
    """Queue, run, time out, cancel and retry jobs; publish what happens to them."""

    def __init__(
        self,
        store: JobStore,
        publish: Callable[[JobInfo], None],
        *,
        concurrency: int | None = None,
        cpu: CpuPool | None = None,
    ) -> None:
        self.store = store
        self._publish_cb = publish
        self.concurrency = concurrency or default_concurrency()
        self._slots = asyncio.Semaphore(self.concurrency)
        self.cpu = cpu or CpuPool()
        self._handlers: dict[str, Handler] = {}
        self._cancel_hooks: dict[str, CancelHook] = {}
        self._jobs: dict[uuid.UUID, JobInfo] = {}  # active + finished this session (for the status bar)
        self._contexts: dict[uuid.UUID, JobContext] = {}
        self._tasks: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._done: dict[uuid.UUID, asyncio.Event] = {}
        self._heartbeat: asyncio.Task[None] | None = None

    # -- registration -----------------------------------------------------------------------
    def register(self, name: str, handler: Handler, *, on_cancelled: CancelHook | None = None) -> None:
        """``on_cancelled(params)`` runs when a job of this kind is cancelled before its handler
        started (queued), so the owner can settle what it queued (a source row UPLOADING)."""
        self._handlers[name] = handler
        if on_cancelled is not None:
            self._cancel_hooks[name] = on_cancelled

    # -- submit -----------------------------------------------------------------------------
    async def submit(self, spec: JobSpec) -> JobInfo:
        """Persist the job as PENDING and queue it; returns at once."""
        return (await self.submit_many([spec]))[0]

    async def submit_many(self, specs: list[JobSpec]) -> list[JobInfo]:
        """Queue several jobs with one write (a dropped folder)."""
        for spec in specs:
            if spec.handler not in self._handlers:
                raise GhostlineError(f"No handler for jobs of kind '{spec.handler}'.")
        jobs = await self.store.create_many(specs)
        loop = asyncio.get_running_loop()
        for job, spec in zip(jobs, specs, strict=True):
            self._track(job)
            ctx = JobContext(self, job, spec)
            self._contexts[job.id] = ctx
            self._done[job.id] = asyncio.Event()
            # A fresh context: a job outlives the op that queued it, and its events must not carry
            # that op's initiator (current_initiator) as if the widget had made them.
            self._tasks[job.id] = loop.create_task(
                self._run(ctx), name=f"job-{job.id}", context=contextvars.Context()
            )
        self._ensure_heartbeat()
        return jobs

    async def retry(self, job_id: uuid.UUID) -> JobInfo:
        """Run a FAILED or CANCELLED job again, as a new job with the same parameters."""
        spec, info = await self.store.load(job_id)
        if info.active:
            raise GhostlineError("That job is still running.")
        if not spec.retryable:
            raise GhostlineError("That job cannot be retried.")
        new = await self.submit(replace(spec, params={**spec.params, "retry_of": str(job_id)}))
        self._jobs.pop(job_id, None)
        return new

    # -- control ----------------------------------------------------------------------------
    def cancel(self, job_id: uuid.UUID) -> bool:
        ctx = self._contexts.get(job_id)
        task = self._tasks.get(job_id)
        if ctx is None or task is None or task.done() or ctx._cancel.is_set():
            return False  # a second cancel would interrupt the job while it records the first
        ctx._cancel.set()
        task.cancel()
        return True

    def cancel_all(self) -> int:
        return sum(1 for job_id in list(self._tasks) if self.cancel(job_id))

    def dismiss(self, job_id: uuid.UUID) -> None:
        """Forget a finished job in the session list (the status bar's ✕)."""
        job = self._jobs.get(job_id)
        if job is not None and not job.active:
            del self._jobs[job_id]

    async def wait(self, job_id: uuid.UUID, timeout: float | None = None) -> JobInfo:
        """Wait until the job has finished (whatever the outcome); returns its final state."""
        done = self._done.get(job_id)
        if done is not None:
            await asyncio.wait_for(done.wait(), timeout)
        job = self._jobs.get(job_id)
        if job is None:
            _spec, job = await self.store.load(job_id)
        return job

    async def stream(self, job_id: uuid.UUID) -> AsyncIterator[object]:
        """Partial results of a running job, as they are emitted, until it ends."""
        ctx = self._contexts.get(job_id)
        if ctx is None:
            return
        q: asyncio.Queue[object] = asyncio.Queue()
        ctx._streams.append(q)
        try:
            while True:
                item = await q.get()
                if item is _END:
                    return
                yield item
        finally:
            with contextlib.suppress(ValueError):
                ctx._streams.remove(q)

    def jobs(self, project_id: uuid.UUID | None = None, *, active_only: bool = True) -> list[JobInfo]:
        out = [j for j in self._jobs.values() if project_id is None or j.project_id == project_id]
        if active_only:
            out = [j for j in out if j.active]
        return sorted(out, key=lambda j: j.created_at)

    def active_count(self) -> int:
        return sum(1 for j in self._jobs.values() if j.active)

    def get(self, job_id: uuid.UUID) -> JobInfo | None:
        return self._jobs.get(job_id)

    async def shutdown(self, timeout: float = 3.0) -> None:
        """Cancel everything, wait briefly for the handlers to record it, stop the workers."""
        self.cancel_all()
        tasks = [t for t in self._tasks.values() if not t.done()]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        self.cpu.shutdown()

    # -- internals --------------------------------------------------------------------------
    def _track(self, job: JobInfo) -> None:
        self._jobs[job.id] = job
        try:
            self._publish_cb(job)
        except Exception:
            log.exception("Publishing job %s failed", job.id)

    def _publish_progress(self, ctx: JobContext) -> None:
        job = self._jobs.get(ctx.job_id)
        if job is not None and job.status is TaskStatus.RUNNING:
            self._track(replace(job, progress=ctx.progress_value, message=ctx.message))

    async def _persist_progress(self, ctx: JobContext) -> None:
        try:
            await self.store.update(ctx.job_id, progress=ctx.progress_value, progress_message=ctx.message)
        except Exception:  # progress is advisory; the job goes on
            log.warning("Could not record progress of job %s", ctx.job_id, exc_info=True)

    async def _finish(self, job_id: uuid.UUID, status: TaskStatus, **fields: Any) -> None:
        now = datetime.now(UTC)
        job = self._jobs[job_id]
        progress = 1.0 if status is TaskStatus.COMPLETED else job.progress
        message = fields.get("progress_message", job.message)
        job = replace(
            job, status=status, completed_at=now, progress=progress, error=fields.get("error_message"), message=message
        )
        try:
            await asyncio.shield(
                self.store.update(job_id, status=status, completed_at=now, progress=progress, **fields)
            )
        except Exception:
            log.exception("Could not record the end of job %s", job_id)
        self._track(job)

    async def _run(self, ctx: JobContext) -> None:
        job_id, spec = ctx.job_id, ctx.spec
        handler = self._handlers[spec.handler]
        handler_started = False
        try:
            async with self._slots:
                ctx.check_cancelled()
                started = datetime.now(UTC)
                await self.store.update(job_id, status=TaskStatus.RUNNING, started_at=started)
                self._track(replace(self._jobs[job_id], status=TaskStatus.RUNNING, started_at=started))
                handler_started = True
                async with asyncio.timeout(spec.timeout):
                    result = await handler(ctx, spec.params)
            result = result or JobResult()
            await self._finish(
                job_id,
                result.status,
                progress_message=result.message,
                output_entity_type=result.entity_type,
                output_entity_id=result.entity_id,
            )
        except (asyncio.CancelledError, JobCancelledError):
            hook = self._cancel_hooks.get(spec.handler)
            if hook is not None and not handler_started:
                try:
                    await asyncio.shield(hook(spec.params))
                except Exception:
                    log.exception("Settling cancelled job %s failed", job_id)
            await self._finish(job_id, TaskStatus.CANCELLED, progress_message="Cancelled")
        except TimeoutError:
            minutes = (spec.timeout or 0) / 60
            err = JobTimeoutError(f"“{spec.label}” took longer than {minutes:g} minutes and was stopped.")
            await self._finish(job_id, TaskStatus.FAILED, error_message=str(err))
        except GhostlineError as exc:
            await self._finish(job_id, TaskStatus.FAILED, error_message=str(exc))
        except Exception as exc:
            log.exception("Job %s (%s) failed unexpectedly", job_id, spec.handler)
            await self._finish(
                job_id, TaskStatus.FAILED, error_message=f"Unexpected error ({type(exc).__name__}); see the log."
            )
        finally:
            ctx._close_streams()
            self._contexts.pop(job_id, None)
            self._tasks.pop(job_id, None)
            done = self._done.pop(job_id, None)
            if done is not None:
                done.set()

    def _ensure_heartbeat(self) -> None:
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.get_running_loop().create_task(self._beat(), name="job-heartbeat")

    async def _beat(self) -> None:
        """Touch running rows now and then, so another instance on a shared database can tell a
        live job from one whose app died."""
        while self._tasks:
            await asyncio.sleep(30)
            running = [j.id for j in self._jobs.values() if j.status is TaskStatus.RUNNING]
            if running:
                with contextlib.suppress(Exception):
                    await self.store.heartbeat(running)
