"""A process importing a 150-page PDF is killed with SIGKILL mid-way. The next start leaves the
source READY (resumed from its stored copy) with exactly one set of chunks, never PROCESSING."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ghostline_desktop.core.enums import TaskStatus
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import ContentChunk, GenerationTask, SourceMaterial
from ghostline_desktop.services.container import Services
from ghostline_desktop.storage.local import LocalStore
from tests.support.files import write_pdf

REPO = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import asyncio, sys, uuid
    from pathlib import Path
    from ghostline_desktop.db.database import Database
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.storage.local import LocalStore

    async def main() -> None:
        services = Services.build(Database(sys.argv[1]), LocalStore(Path(sys.argv[2])))
        user = await services.accounts.ensure_local_user()
        project = await services.projects.create(user.id, "Killed mid-import")
        print(project.id, flush=True)
        batch = await services.ingestion.import_paths(project.id, [Path(sys.argv[3])])
        await services.jobs.wait(batch.accepted[0].job_id, 600)

    if __name__ == "__main__":
        asyncio.run(main())
    """
)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_killed_mid_ingestion_resumes_on_the_next_start(db_url: str, tmp_path: Path, service_loop: Any) -> None:
    def run(coro: Coroutine[Any, Any, Any]) -> Any:  # embedding a 150-page book takes a while on 2 cores
        return service_loop.run(coro, timeout=900)

    words = (REPO.parent / "shared" / "corpus" / "melville-moby-dick.txt")
    prose = words.read_text(encoding="utf-8") if words.exists() else "The sea was calm that night. " * 40_000
    text = prose.split()
    pages = [" ".join(text[i * 600 : (i + 1) * 600]) for i in range(150)]
    pdf = write_pdf(tmp_path / "big.pdf", pages)
    store_dir = tmp_path / "store"
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), db_url, str(store_dir), str(pdf)],
        cwd=REPO, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert child.stdout is not None
        project_id = uuid.UUID(child.stdout.readline().strip())
        db = Database(db_url)

        async def status() -> str | None:
            async with db.session() as s:
                q = select(SourceMaterial.processing_status).where(SourceMaterial.project_id == project_id)
                return (await s.execute(q)).scalar()

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            st = run(status())
            if st is not None and st.name == "PROCESSING":
                break
            time.sleep(0.05)
        else:
            pytest.fail("the import never reached PROCESSING")
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        run(db.dispose())
    finally:
        if child.poll() is None:
            child.kill()

    services = Services.build(Database(db_url), LocalStore(store_dir))
    try:
        async def restart() -> None:
            await services.start_background()
            while active := services.runner.jobs(project_id):
                for job in active:
                    await services.jobs.wait(job.id, 600)

        run(restart())

        async def check() -> tuple[str, int, int, list[TaskStatus]]:
            async with services.db.session() as s:
                q = select(SourceMaterial).where(SourceMaterial.project_id == project_id)
                src = (await s.execute(q)).scalar_one()
                n = await s.scalar(select(func.count()).where(ContentChunk.source_material_id == src.id))
                distinct = await s.scalar(
                    select(func.count(func.distinct(ContentChunk.chunk_index))).where(
                        ContentChunk.source_material_id == src.id
                    )
                )
                tasks = list((await s.execute(
                    select(GenerationTask.status).where(GenerationTask.project_id == project_id)
                )).scalars())
                return src.processing_status.name, int(n or 0), int(distinct or 0), tasks

        status_name, chunks, distinct, tasks = run(check())
        assert status_name == "READY"
        assert chunks > 50 and chunks == distinct  # one whole set, no half set left behind
        assert TaskStatus.RUNNING not in tasks and TaskStatus.PENDING not in tasks
        assert TaskStatus.FAILED in tasks  # the killed job is recorded as interrupted
    finally:
        run(services.close())
