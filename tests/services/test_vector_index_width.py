"""The per-model vector index is only ever built at the width of vectors a model returned.

Regression: a ProviderEmbedder for a model the app does not know reports 0 dimensions until
its first reply, and three notes embedding at once created the model's index at width 0.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from sqlalchemy import func, select, text

from ghostline_desktop.ai.embedders import ProviderEmbedder
from ghostline_desktop.ai.provider import Provider, ProviderConfig
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import ContentChunk
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.services.vector_index import ensure_vector_index, index_name
from ghostline_desktop.storage.local import LocalStore

Run = Callable[[Coroutine[Any, Any, Any]], Any]


async def _indexdef(services: Services, model: str) -> str | None:
    async with services.db.session() as s:
        found = (
            await s.execute(
                text("SELECT indexdef FROM pg_indexes WHERE tablename = 'content_chunks' AND indexname = :n"),
                {"n": index_name(model)},
            )
        ).scalar_one_or_none()
    return None if found is None else str(found)


async def _settle(services: Services, project_ids: list[uuid.UUID]) -> None:
    for pid in project_ids:
        while active := services.runner.jobs(pid):
            for job in active:
                await services.jobs.wait(job.id, 120)


def test_concurrent_notes_with_an_unknown_provider_model_index_at_the_returned_width(
    db_url: str, store: LocalStore, user: UserInfo, run: Run, openai_server: Any
) -> None:
    model = f"acme-embed-{uuid.uuid4().hex[:8]}"  # unknown to the app; the test server answers 64 floats
    provider = Provider(ProviderConfig(openai_server.base_url, "sk-test", "gpt-4o-mini", model))
    embedder = ProviderEmbedder(provider, model=model)
    assert embedder.dimensions == 0  # the state the bug started from
    svc = Services.build(Database(db_url), store, provider=provider, embedder=embedder)
    try:

        async def go() -> list[uuid.UUID]:
            projects = await asyncio.gather(*(svc.projects.create(user.id, f"Width {i}") for i in range(3)))
            ids = [p.id for p in projects]
            await asyncio.gather(
                *(
                    svc.sources.add_note(pid, f"Note {i}", f"The lighthouse keeper wrote note {i} about the storm.")
                    for i, pid in enumerate(ids)
                )
            )
            await _settle(svc, ids)
            return ids

        ids = run(go())
        assert embedder.dimensions == 64
        definition = run(_indexdef(svc, embedder.name))
        assert definition is not None and "halfvec(64)" in definition, definition

        async def embedded() -> int:
            async with svc.db.session() as s:
                q = select(func.count()).where(
                    ContentChunk.project_id.in_(ids), ContentChunk.embedding_model == embedder.name
                )
                return int(await s.scalar(q) or 0)

        assert run(embedded()) == 3
        assert len(openai_server.requests_to("embeddings")) >= 3
        hits = run(svc.search.search(ids[1], "lighthouse storm", limit=5))
        assert hits
    finally:
        run(svc.close())


def test_no_index_without_a_width_and_a_wrong_width_is_replaced(services: Services, run: Run) -> None:
    model = f"provider/acme-{uuid.uuid4().hex[:8]}"

    async def go() -> str | None:
        for bad in (0, -1, 1537):
            with pytest.raises(ValueError):
                async with services.db.session() as s:
                    await ensure_vector_index(s, model, bad)
        assert await _indexdef(services, model) is None
        async with services.db.session() as s:
            await ensure_vector_index(s, model, 32)  # e.g. built from a wrong guess
        async with services.db.session() as s:
            await ensure_vector_index(s, model, 64)  # the width the model really returns
        return await _indexdef(services, model)

    definition = run(go())
    assert definition is not None and "halfvec(64)" in definition and "halfvec(32)" not in definition
