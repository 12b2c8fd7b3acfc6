"""Background jobs as ``generation_tasks`` rows, and the job service the UI and CLI use.

The runner (``runtime/jobs.py``) decides when a job runs; this module persists it and recovers
after a crash: a job left PENDING or RUNNING by an app that is gone is marked FAILED on the next
start ("GhostLine closed while this was running"), so nothing hangs forever. Whether a failed
job is then resumed is the owning service's call (ingestion resumes a file that was fully
copied; see ``services/ingestion.py``).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from ghostline_desktop.core.enums import TaskStatus
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import GenerationTask
from ghostline_desktop.errors import NotFoundError
from ghostline_desktop.runtime.jobs import JobRunner, JobSpec
from ghostline_desktop.runtime.types import JobInfo
from ghostline_desktop.services.events import EventBus, JobChanged

#: A running job whose row was not touched for this long belongs to an app that is gone
#: (the runner's heartbeat touches it every 30 s).
STALE_AFTER = timedelta(minutes=3)
INTERRUPTED_MESSAGE = "GhostLine closed while this was running."
_OWNER = {"host": socket.gethostname(), "pid": os.getpid()}


def _info(row: GenerationTask) -> JobInfo:
    params = row.input_params or {}
    source = params.get("source_id")
    return JobInfo(
        id=row.id,
        project_id=row.project_id,
        task_type=row.task_type,
        status=row.status,
        label=str(params.get("label") or row.task_type.value),
        progress=float(row.progress or 0.0),
        message=row.progress_message,
        error=row.error_message,
        source_id=uuid.UUID(source) if source else None,
        created_at=row.created_at,
        started_at=row.started_at,
        completed_at=row.completed_at,
        retryable=bool(params.get("retryable", True)) and "handler" in params,
    )


def _spec(row: GenerationTask) -> JobSpec:
    params = dict(row.input_params or {})
    source = params.pop("source_id", None)
    return JobSpec(
        handler=str(params.pop("handler", "")),
        task_type=row.task_type,
        project_id=row.project_id,
        label=str(params.pop("label", row.task_type.value)),
        params=params.pop("params", {}),
        timeout=params.pop("timeout", None),
        source_id=uuid.UUID(source) if source else None,
        chapter_id=row.chapter_id,
        user_id=row.user_id,
        retryable=bool(params.pop("retryable", True)),
    )


class DbJobStore:
    """The runner's persistence: one ``generation_tasks`` row per job."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, spec: JobSpec) -> JobInfo:
        return (await self.create_many([spec]))[0]

    async def create_many(self, specs: list[JobSpec]) -> list[JobInfo]:
        """One transaction for a whole batch (a dropped folder of 1,000 files)."""
        rows = [self._row(spec) for spec in specs]
        async with self.db.session(durable=False) as s:  # recovery settles a lost job row anyway
            s.add_all(rows)
            await s.flush()
            return [_info(r) for r in rows]

    @staticmethod
    def _row(spec: JobSpec) -> GenerationTask:
        return GenerationTask(
            project_id=spec.project_id,
            user_id=spec.user_id,
            chapter_id=spec.chapter_id,
            task_type=spec.task_type,
            status=TaskStatus.PENDING,
            agent_name=spec.handler,
            input_params={
                "handler": spec.handler,
                "label": spec.label,
                "params": spec.params,
                "timeout": spec.timeout,
                "source_id": str(spec.source_id) if spec.source_id else None,
                "retryable": spec.retryable,
                "owner": _OWNER,
            },
            created_at=datetime.now(UTC),
            progress=0.0,
        )

    async def update(self, job_id: uuid.UUID, **fields: Any) -> None:
        fields.setdefault("updated_at", datetime.now(UTC))
        async with self.db.session(durable=False) as s:  # recovery settles a lost job row anyway
            await s.execute(update(GenerationTask).where(GenerationTask.id == job_id).values(**fields))

    async def load(self, job_id: uuid.UUID) -> tuple[JobSpec, JobInfo]:
        async with self.db.session() as s:
            row = await s.get(GenerationTask, job_id)
            if row is None:
                raise NotFoundError("That job no longer exists.")
            return _spec(row), _info(row)

    async def heartbeat(self, job_ids: list[uuid.UUID]) -> None:
        await self.update_many(job_ids, updated_at=datetime.now(UTC))

    async def update_many(self, job_ids: list[uuid.UUID], **fields: Any) -> None:
        async with self.db.session(durable=False) as s:  # recovery settles a lost job row anyway
            await s.execute(update(GenerationTask).where(GenerationTask.id.in_(job_ids)).values(**fields))

    async def fail_interrupted(self) -> list[JobInfo]:
        """Mark FAILED every job whose app died: ours (same host, pid gone) at once, anyone
        else's once its heartbeat is stale. Returns the rows it changed."""
        import psutil

        now = datetime.now(UTC)
        async with self.db.session() as s:
            rows = (
                await s.execute(
                    select(GenerationTask)
                    .where(GenerationTask.status.in_([TaskStatus.PENDING, TaskStatus.RUNNING]))
                    .with_for_update(skip_locked=True)
                )
            ).scalars()
            changed: list[JobInfo] = []
            for row in rows:
                owner = (row.input_params or {}).get("owner") or {}
                same_host = owner.get("host") == _OWNER["host"]
                pid = owner.get("pid")
                if same_host and pid == _OWNER["pid"]:
                    continue  # this very process's job: alive
                dead_here = same_host and (pid is None or not psutil.pid_exists(int(pid)))
                stale = row.updated_at is None or now - row.updated_at > STALE_AFTER
                if dead_here or stale:
                    row.status = TaskStatus.FAILED
                    row.error_message = INTERRUPTED_MESSAGE
                    row.completed_at = now
                    changed.append(_info(row))
            return changed


class JobService:
    """What the UI and CLI may do with jobs."""

    def __init__(self, db: Database, bus: EventBus, runner: JobRunner) -> None:
        self.db = db
        self.bus = bus
        self.runner = runner

    async def list_jobs(self, project_id: uuid.UUID | None = None, *, active_only: bool = True) -> list[JobInfo]:
        """This session's jobs (the running and queued ones, plus finished ones unless
        ``active_only``); failed ones stay until retried or dismissed."""
        return self.runner.jobs(project_id, active_only=active_only)

    async def history(self, project_id: uuid.UUID, *, limit: int = 100) -> list[JobInfo]:
        """Jobs as recorded in the database, newest first (across sessions)."""
        q = (
            select(GenerationTask)
            .where(GenerationTask.project_id == project_id)
            .order_by(GenerationTask.created_at.desc())
            .limit(limit)
        )
        async with self.db.session() as s:
            return [_info(r) for r in (await s.execute(q)).scalars()]

    async def get(self, job_id: uuid.UUID) -> JobInfo:
        live = self.runner.get(job_id)
        if live is not None:
            return live
        _spec, info = await self.runner.store.load(job_id)
        return info

    async def cancel(self, job_id: uuid.UUID) -> bool:
        return self.runner.cancel(job_id)

    async def retry(self, job_id: uuid.UUID) -> JobInfo:
        return await self.runner.retry(job_id)

    async def dismiss(self, job_id: uuid.UUID) -> None:
        self.runner.dismiss(job_id)

    async def active_count(self) -> int:
        return self.runner.active_count()

    async def cancel_all(self) -> int:
        return self.runner.cancel_all()

    async def wait(self, job_id: uuid.UUID, timeout: float | None = None) -> JobInfo:
        return await self.runner.wait(job_id, timeout)

    async def recover(self) -> list[JobInfo]:
        """At start: fail what a dead app left running (see :meth:`DbJobStore.fail_interrupted`)."""
        store = self.runner.store
        assert isinstance(store, DbJobStore)
        return await store.fail_interrupted()


def publisher(bus: EventBus) -> Callable[[JobInfo], None]:
    """The runner's publish callback: every job change becomes a ``JobChanged`` event."""

    def publish(job: JobInfo) -> None:
        bus.publish(JobChanged(job))

    return publish
