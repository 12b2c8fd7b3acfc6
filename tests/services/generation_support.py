"""A project wired to the OpenAI test server for the generation tests: services whose provider
(chat and embeddings) is the test server, three notes as sources, an approved three-chapter outline."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from ghostline_desktop.ai.embedders import ProviderEmbedder
from ghostline_desktop.ai.provider import Provider, ProviderConfig
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import GenerationTask, TokenTransaction, User
from ghostline_desktop.runtime.types import JobInfo
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.storage.local import LocalStore
from tests.support.openai_fixture import TEST_API_KEY
from tests.support.openai_server import OpenAITestServer

Run = Callable[[Coroutine[Any, Any, Any]], Any]

NOTES = {
    "Lighthouse interview": (
        "My grandfather kept the lighthouse at Skerry Point for thirty years. Every night he climbed "
        "the hundred and twelve steps to trim the wick, and in the great storm of 1953 he kept the lamp "
        "burning for three days without sleep while the keeper's cottage flooded below him."
    ),
    "Harbour notes": (
        "The harbour town of Kilrush lived on herring. The boats went out before dawn and the women "
        "gutted the catch on the quay. My mother sold fish there until the cannery closed in 1961."
    ),
    "Letters from Boston": (
        "My uncle Patrick emigrated to Boston in 1958 and wrote home every month. His letters describe "
        "the snow, the building sites, the loneliness, and the money orders he sent for the roof."
    ),
}
OUTLINE = {
    "parts": [
        {
            "title": "The Point",
            "chapters": [
                {"title": "The Keeper", "scenes": ["Grandfather climbs the lighthouse steps", "The storm of 1953"]},
                {"title": "Herring Town", "scenes": ["Boats leave the harbour before dawn", "The cannery closes"]},
                {"title": "Letters", "scenes": ["Patrick writes from Boston about the snow"]},
            ],
        }
    ]
}


def provider_config(server: OpenAITestServer, **overrides: Any) -> ProviderConfig:
    values: dict[str, Any] = {
        "base_url": server.base_url,
        "api_key": TEST_API_KEY,
        "chat_model": "gpt-4o-mini",
        "embedding_model": "test-embed",
        "timeout": 1.0,
        "max_retries": 2,
        "backoff_base": 0.01,
        "retry_after_cap": 0.2,
    }
    values.update(overrides)
    return ProviderConfig(**values)


@dataclass
class GenWorld:
    services: Services
    server: OpenAITestServer
    user: UserInfo
    project_id: uuid.UUID
    run: Run

    def wait(self, job: JobInfo, timeout: float = 30) -> JobInfo:
        return self.run(self.services.jobs.wait(job.id, timeout))  # type: ignore[no-any-return]

    def task(self, job_id: uuid.UUID) -> GenerationTask:
        async def go() -> GenerationTask:
            async with self.services.db.session() as s:
                row = await s.get(GenerationTask, job_id)
                assert row is not None
                s.expunge(row)
                return row

        return self.run(go())  # type: ignore[no-any-return]

    def debits(self, job_id: uuid.UUID) -> list[TokenTransaction]:
        async def go() -> list[TokenTransaction]:
            async with self.services.db.session() as s:
                q = select(TokenTransaction).where(TokenTransaction.generation_task_id == job_id)
                rows = list((await s.execute(q.order_by(TokenTransaction.seq))).scalars())
                for r in rows:
                    s.expunge(r)
                return rows

        return self.run(go())  # type: ignore[no-any-return]

    def balance(self) -> int:
        async def go() -> int:
            async with self.services.db.session() as s:
                return int((await s.execute(select(User.token_balance).where(User.id == self.user.id))).scalar_one())

        return self.run(go())  # type: ignore[no-any-return]

    def set_balance(self, tokens: int) -> None:
        """Credit or debit through the ledger's own invariant: one ADJUSTMENT-like debit row."""

        now = self.balance()

        async def go() -> None:
            if tokens < now:
                await self.services.tokens.debit_usage(
                    self.user.id, prompt_tokens=now - tokens, completion_tokens=0, model=None, description="test"
                )

        self.run(go())

    def chapter_id(self, position: int) -> uuid.UUID:
        return self.run(self.services.chapters.chapter_at(self.project_id, position)).id  # type: ignore[no-any-return]


@pytest.fixture(scope="module", name="world")
def world_fixture(
    db_url: str, tmp_path_factory: pytest.TempPathFactory, run: Run, openai_server_module: OpenAITestServer
) -> Iterator[GenWorld]:
    server = openai_server_module
    provider = Provider(provider_config(server))
    # An unknown model: its width (0 until the first reply) is learned from the vectors returned;
    # the index is never built from the guess (tests/services/test_vector_index_width.py).
    embedder = ProviderEmbedder(provider, model="test-embed")
    services = Services.build(
        Database(db_url), LocalStore(tmp_path_factory.mktemp("gen-store")), embedder=embedder, provider=provider
    )
    user = run(services.accounts.ensure_local_user())
    project = run(services.projects.create(user.id, "The Keeper's Daughter"))

    async def setup() -> None:
        for title, text in NOTES.items():
            await services.sources.add_note(project.id, title, text)
        while active := services.runner.jobs(project.id):
            for job in active:
                done = await services.jobs.wait(job.id, 60)
                assert done.error is None, done.error
        outline = await services.outline.save(project.id, OUTLINE, title="The Keeper's Daughter")
        await services.outline.approve(outline.id)

    run(setup())
    yield GenWorld(services, server, user, project.id, run)
    run(services.close())
