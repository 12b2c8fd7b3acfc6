"""The shared job runner against a real database: states, progress, cancel, timeout, queueing,
streaming, retry, the process pool, and recovery of jobs a dead app left running."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest

from ghostline_desktop.core.enums import TaskStatus, TaskType
from ghostline_desktop.db.models import GenerationTask
from ghostline_desktop.errors import ValidationError
from ghostline_desktop.runtime.cpu import CpuPool
from ghostline_desktop.runtime.jobs import JobContext, JobResult, JobRunner, JobSpec
from ghostline_desktop.runtime.types import JobInfo
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.services.jobs import INTERRUPTED_MESSAGE, DbJobStore, JobService
from tests.runtime import cpu_funcs

Run = Callable[[Coroutine[Any, Any, Any]], Any]


@pytest.fixture(scope="module")
def project_id(services: Services, user: UserInfo, run: Run) -> uuid.UUID:
    return run(services.projects.create(user.id, "Jobs")).id


class Harness:
    def __init__(self, services: Services, concurrency: int = 2) -> None:
        self.events: list[JobInfo] = []
        self.cpu = CpuPool(2)
        self.runner = JobRunner(DbJobStore(services.db), self.events.append, concurrency=concurrency, cpu=self.cpu)

    def states(self, job_id: uuid.UUID) -> list[TaskStatus]:
        out: list[TaskStatus] = []
        for e in self.events:
            if e.id == job_id and (not out or out[-1] is not e.status):
                out.append(e.status)
        return out


@pytest.fixture
def harness(services: Services, run: Run) -> Iterator[Harness]:
    h = Harness(services)
    yield h
    run(h.runner.shutdown())


def spec(project_id: uuid.UUID, handler: str, **kw: Any) -> JobSpec:
    return JobSpec(handler=handler, task_type=TaskType.SOURCE_PROCESSING, project_id=project_id, label=handler, **kw)


async def row(services: Services, job_id: uuid.UUID) -> GenerationTask:
    async with services.db.session() as s:
        r = await s.get(GenerationTask, job_id)
        assert r is not None
        return r


def test_a_job_runs_to_completion_and_its_row_records_it(harness: Harness, services: Services, project_id: uuid.UUID,
                                                         run: Run) -> None:
    async def work(ctx: JobContext, params: dict[str, Any]) -> JobResult:
        for i in range(5):
            await ctx.progress(i / 5, f"step {i}", force=True)
        return JobResult(message=f"did {params['n']}", entity_type="thing", entity_id=project_id)

    harness.runner.register("work", work)

    async def go() -> tuple[JobInfo, GenerationTask]:
        job = await harness.runner.submit(spec(project_id, "work", params={"n": 3}))
        final = await harness.runner.wait(job.id, 10)
        return final, await row(services, job.id)

    final, r = run(go())
    assert final.status is TaskStatus.COMPLETED and final.progress == 1.0
    assert harness.states(final.id) == [TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.COMPLETED]
    assert [e.message for e in harness.events if e.id == final.id and e.message and e.message.startswith("step")]
    assert r.status is TaskStatus.COMPLETED and r.started_at and r.completed_at and r.started_at <= r.completed_at
    assert r.progress_message == "did 3" and r.output_entity_type == "thing" and r.output_entity_id == project_id
    assert r.input_params["params"] == {"n": 3}


def test_cancel_timeout_and_failure_end_in_the_right_state(harness: Harness, services: Services,
                                                           project_id: uuid.UUID, run: Run) -> None:
    async def slow(ctx: JobContext, params: dict[str, Any]) -> None:
        await asyncio.sleep(30)

    async def bad(ctx: JobContext, params: dict[str, Any]) -> None:
        raise ValidationError("That file is empty.")

    async def crash(ctx: JobContext, params: dict[str, Any]) -> None:
        raise KeyError("internal")

    for name, fn in (("slow", slow), ("bad", bad), ("crash", crash)):
        harness.runner.register(name, fn)

    async def go() -> list[GenerationTask]:
        a = await harness.runner.submit(spec(project_id, "slow"))
        b = await harness.runner.submit(spec(project_id, "slow", timeout=0.3))
        c = await harness.runner.submit(spec(project_id, "bad"))
        d = await harness.runner.submit(spec(project_id, "crash"))
        await asyncio.sleep(0.1)
        assert harness.runner.cancel(a.id)
        for j in (a, b, c, d):
            await harness.runner.wait(j.id, 10)
        return [await row(services, j.id) for j in (a, b, c, d)]

    a, b, c, d = run(go())
    assert a.status is TaskStatus.CANCELLED
    assert b.status is TaskStatus.FAILED and "took longer than" in (b.error_message or "")
    assert c.status is TaskStatus.FAILED and c.error_message == "That file is empty."
    assert d.status is TaskStatus.FAILED and "Unexpected error" in (d.error_message or "")
    assert harness.runner.active_count() == 0


def test_at_most_n_jobs_run_and_the_rest_queue(services: Services, project_id: uuid.UUID, run: Run) -> None:
    h = Harness(services, concurrency=1)
    gate = asyncio.Event()
    seen: list[str] = []

    async def gated(ctx: JobContext, params: dict[str, Any]) -> None:
        seen.append(params["name"])
        await gate.wait()

    h.runner.register("gated", gated)

    async def go() -> None:
        first = await h.runner.submit(spec(project_id, "gated", params={"name": "first"}))
        second = await h.runner.submit(spec(project_id, "gated", params={"name": "second"}))
        await asyncio.sleep(0.2)
        assert seen == ["first"]
        assert h.runner.get(second.id).status is TaskStatus.PENDING  # type: ignore[union-attr]
        assert h.runner.active_count() == 2
        gate.set()
        await h.runner.wait(first.id, 5)
        await h.runner.wait(second.id, 5)
        assert seen == ["first", "second"]

    try:
        run(go())
    finally:
        run(h.runner.shutdown())


def test_streamed_results_arrive_in_order_while_the_job_runs(harness: Harness, project_id: uuid.UUID,
                                                             run: Run) -> None:
    async def producer(ctx: JobContext, params: dict[str, Any]) -> None:
        await asyncio.sleep(0.05)
        for i in range(20):
            ctx.emit(i)
            await asyncio.sleep(0)

    harness.runner.register("producer", producer)

    async def go() -> list[object]:
        job = await harness.runner.submit(spec(project_id, "producer"))
        return [item async for item in harness.runner.stream(job.id)]

    assert run(go()) == list(range(20))


def test_retry_reruns_a_failed_job_with_the_same_parameters(harness: Harness, project_id: uuid.UUID,
                                                            run: Run) -> None:
    attempts: list[dict[str, Any]] = []

    async def flaky(ctx: JobContext, params: dict[str, Any]) -> None:
        attempts.append(params)
        if len(attempts) == 1:
            raise ValidationError("first time fails")

    harness.runner.register("flaky", flaky)

    async def go() -> tuple[JobInfo, JobInfo]:
        job = await harness.runner.submit(spec(project_id, "flaky", params={"x": 1}))
        failed = await harness.runner.wait(job.id, 5)
        again = await harness.runner.retry(job.id)
        return failed, await harness.runner.wait(again.id, 5)

    failed, ok = run(go())
    assert failed.status is TaskStatus.FAILED and failed.error == "first time fails"
    assert ok.status is TaskStatus.COMPLETED
    assert attempts[1]["x"] == 1 and attempts[1]["retry_of"] == str(failed.id)


def test_cpu_work_runs_in_another_process_and_a_cancelled_job_kills_a_stuck_worker(
    harness: Harness, project_id: uuid.UUID, run: Run
) -> None:
    pids: list[int] = []

    async def parse(ctx: JobContext, params: dict[str, Any]) -> None:
        assert await ctx.run_cpu(cpu_funcs.square, 7) == 49
        pids.append(await ctx.run_cpu(cpu_funcs.hang, params["seconds"]))

    harness.runner.register("parse", parse)

    async def go() -> tuple[JobInfo, JobInfo, float]:
        quick = await harness.runner.submit(spec(project_id, "parse", params={"seconds": 0}))
        done = await harness.runner.wait(quick.id, 60)
        stuck = await harness.runner.submit(spec(project_id, "parse", params={"seconds": 120}))
        await asyncio.sleep(1.0)
        t0 = time.monotonic()
        harness.runner.cancel(stuck.id)
        cancelled = await harness.runner.wait(stuck.id, 10)
        return done, cancelled, time.monotonic() - t0

    done, cancelled, took = run(go())
    assert done.status is TaskStatus.COMPLETED and pids and pids[0] != os.getpid()
    assert cancelled.status is TaskStatus.CANCELLED
    assert took < 5  # bounded: the stuck worker was killed, not waited for

    async def after() -> int:
        return int(await harness.cpu.run(cpu_funcs.square, 3))

    assert run(after()) == 9  # a fresh pool serves the next job


def test_cpu_errors_come_back_as_the_workers_exception(harness: Harness, run: Run) -> None:
    with pytest.raises(ValueError, match="bad file"):
        run(harness.cpu.run(cpu_funcs.boom))


def test_jobs_a_dead_app_left_running_are_failed_on_the_next_start(services: Services, project_id: uuid.UUID,
                                                                   run: Run) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)

    async def seed() -> list[uuid.UUID]:
        ids = []
        async with services.db.session() as s:
            for status, owner in (
                (TaskStatus.RUNNING, {"host": __import__("socket").gethostname(), "pid": dead_pid}),
                (TaskStatus.PENDING, {"host": __import__("socket").gethostname(), "pid": dead_pid}),
                (TaskStatus.RUNNING, {"host": "another-machine", "pid": 1}),  # alive elsewhere: fresh heartbeat
            ):
                r = GenerationTask(project_id=project_id, task_type=TaskType.OCR, status=status,
                                   input_params={"handler": "x", "owner": owner})
                s.add(r)
                await s.flush()
                ids.append(r.id)
        return ids

    ids = run(seed())
    jobs = JobService(services.db, services.bus, JobRunner(DbJobStore(services.db), lambda j: None))
    changed = run(jobs.recover())
    assert {j.id for j in changed} >= set(ids[:2])
    rows = [run(row(services, i)) for i in ids]
    assert [r.status for r in rows] == [TaskStatus.FAILED, TaskStatus.FAILED, TaskStatus.RUNNING]
    assert rows[0].error_message == INTERRUPTED_MESSAGE and rows[0].completed_at is not None


def test_pool_workers_end_when_the_app_is_killed(tmp_path: Any) -> None:
    """SIGKILL gives the app no chance to stop its workers: they must notice on their own."""
    import signal
    import textwrap

    import psutil

    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent("""
        import asyncio, time
        from ghostline_desktop.runtime.cpu import CpuPool
        from tests.runtime import cpu_funcs

        async def main() -> None:
            pool = CpuPool(2)
            pids = await asyncio.gather(pool.run(cpu_funcs.pid_after, 0.2), pool.run(cpu_funcs.pid_after, 0.2))
            print(*sorted(set(pids)), flush=True)
            time.sleep(60)

        if __name__ == "__main__":
            asyncio.run(main())
    """), encoding="utf-8")
    repo = str(__import__("pathlib").Path(__file__).resolve().parents[2])
    child = subprocess.Popen([sys.executable, str(script)], cwd=repo, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": repo})
    try:
        assert child.stdout is not None
        workers = [int(p) for p in child.stdout.readline().split()]
        assert workers and all(psutil.pid_exists(p) for p in workers)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(
            psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in workers
        ):
            time.sleep(0.2)
        alive = [p for p in workers if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        assert alive == []
    finally:
        if child.poll() is None:
            child.kill()
