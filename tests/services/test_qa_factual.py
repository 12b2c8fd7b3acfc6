"""FACTUAL_INCONSISTENCY against the OpenAI test server: a claim contradicted by a source,
quoted; the balance checked before and debited after; a stopped check leaves old rows alone."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from ghostline_desktop.ai.provider import Provider, ProviderConfig
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import SearchHit
from ghostline_desktop.services.qa_factual import claim_queries, locate
from tests.support.openai_server import OpenAITestServer

TEXT = (
    "The storm came in the autumn.\n\n"
    "The Tay Bridge opened in 1887, and Anna crossed it every morning with 300 other passengers.\n\n"
    "She never looked down."
)
PASSAGE = "The first Tay Bridge opened to traffic on 1 June 1878 and collapsed in December 1879."
REPLY = {
    "contradictions": [
        {
            "claim": "The Tay Bridge opened in 1887",
            "source": "Railway history",
            "source_quote": "opened to traffic on 1 June 1878",
            "explanation": "The source dates the opening to 1878.",
            "suggestion": "Use 1878.",
            "severity": "high",
        },
        {"claim": "a sentence that is not in the chapter", "source": "Railway history", "source_quote": "x"},
    ]
}


class FakeSearch:
    """The hybrid search's answer for the author's sources (embedding a library takes minutes)."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    async def search(self, project_id: uuid.UUID, query: str, *, limit: int = 20) -> list[SearchHit]:
        self.queries.append(query)
        return [
            SearchHit(
                chunk_id=uuid.UUID(int=1),
                source_id=uuid.UUID(int=2),
                source_title="Railway history",
                material_type="BOOK",
                chunk_index=0,
                page=12,
                section=None,
                text=PASSAGE,
                snippet_html=PASSAGE,
                score=0.9,
                char_start=0,
                char_end=len(PASSAGE),
            )
        ]


@pytest.fixture
def factual(services: Services, run: Any, openai_server: OpenAITestServer) -> Iterator[FakeSearch]:
    svc = services.qa_runs
    saved = (svc.provider, svc.search)
    config = ProviderConfig(
        base_url=openai_server.base_url,
        api_key="sk-test",
        chat_model="gpt-4o-mini",
        embedding_model="text-embedding-3-small",
        timeout=3.0,
        max_retries=0,
    )
    provider = run(_make(config))
    search = FakeSearch()
    svc.provider, svc.search = provider, search  # type: ignore[assignment]
    yield search
    svc.provider, svc.search = saved
    run(provider.aclose())


async def _make(config: ProviderConfig) -> Provider:
    return Provider(config)


def set_balance(services: Services, run: Any, user_id: uuid.UUID, tokens: int) -> None:
    """Through the ledger (the balance must match its last row)."""
    from ghostline_desktop.core.enums import TransactionType
    from ghostline_desktop.services.tokens import apply_change, lock_user

    async def go() -> None:
        async with services.db.session() as s:
            locked = await lock_user(s, user_id)
            diff = tokens - locked.user.token_balance
            if diff:
                kind = TransactionType.CREDIT if diff > 0 else TransactionType.DEBIT
                await apply_change(s, locked, kind, abs(diff), "test balance")

    run(go())


def test_locate_and_queries() -> None:
    assert locate(TEXT, "the tay  bridge OPENED in 1887") == (31, 60)
    assert locate(TEXT, "“The Tay Bridge opened in 1887”") == (31, 60)
    assert locate(TEXT, "not here") is None
    assert claim_queries(TEXT)[0].startswith("The Tay Bridge opened in 1887")


def test_contradiction_found_quoted_and_debited(
    services: Services, run: Any, user: Any, factual: FakeSearch, openai_server: OpenAITestServer
) -> None:
    project = run(services.projects.create(user.id, f"Facts {uuid.uuid4().hex[:6]}"))
    chapter = run(services.chapters.create(project.id, "The bridge", content=TEXT))
    set_balance(services, run, user.id, 50_000)
    openai_server.queue_reply(REPLY, prompt_tokens=700, completion_tokens=60)
    out = run(services.qa_runs.run_and_wait(project.id, user_id=user.id))
    assert out is not None and out.factual_note is None
    (f,) = run(services.qa.list_findings(project.id, finding_type="FACTUAL_INCONSISTENCY"))
    assert (f.chapter_id, f.severity, f.is_blocking) == (chapter.id, "HIGH", False)
    assert TEXT[f.start : f.end] == "The Tay Bridge opened in 1887"
    assert "Railway history" in f.title and "“opened to traffic on 1 June 1878”" in (f.description or "")
    assert f.suggestion == "Use 1878."
    assert run(services.accounts.balance(user.id)).balance == 50_000 - 760
    (req,) = openai_server.requests_to("chat")
    assert req.json["response_format"] == {"type": "json_object"}
    assert (
        PASSAGE in req.json["messages"][1]["content"]
        and "Tay Bridge opened in 1887" in req.json["messages"][1]["content"]
    )
    assert factual.queries  # the search was asked

    # No tokens left: the check stops before calling, the earlier finding is not auto-resolved.
    set_balance(services, run, user.id, 10)
    out = run(services.qa_runs.run_and_wait(project.id, user_id=user.id))
    assert out is not None and out.factual_note and "token" in out.factual_note.lower()
    assert run(services.qa.get(f.id)).status == "OPEN"
    assert len(openai_server.requests_to("chat")) == 1

    # The provider fails: same, the run itself completes.
    set_balance(services, run, user.id, 50_000)
    openai_server.fail("chat", "server_error")
    out = run(services.qa_runs.run_and_wait(project.id, user_id=user.id))
    assert out is not None and out.factual_note and "provider" in out.factual_note.lower()
    assert run(services.qa.get(f.id)).status == "OPEN"

    # The author fixes the date; the model finds nothing: resolved by itself.
    current = run(services.chapters.get(chapter.id))
    run(services.chapters.autosave(chapter.id, TEXT.replace("1887", "1878"), base=current.base))
    openai_server.queue_reply({"contradictions": []}, prompt_tokens=600, completion_tokens=5)
    out = run(services.qa_runs.run_and_wait(project.id, user_id=user.id))
    assert out is not None
    assert run(services.qa.get(f.id)).status == "RESOLVED"


def test_background_runs_never_call_the_model(
    services: Services, run: Any, user: Any, factual: FakeSearch, openai_server: OpenAITestServer
) -> None:
    project = run(services.projects.create(user.id, f"Facts {uuid.uuid4().hex[:6]}"))
    chapter = run(services.chapters.create(project.id, "The bridge", content=TEXT))
    run(services.qa_runs.run_and_wait(project.id, chapter_id=chapter.id, user_id=user.id, background=True))
    assert openai_server.requests_to("chat") == []


def test_with_the_real_hybrid_search_over_a_note(
    db_url: str, run: Any, openai_server: OpenAITestServer, tmp_path: Any
) -> None:
    """End to end: the author's note is indexed (test-server embeddings), the app's hybrid
    search finds the contradicting passage, and the model is shown it."""
    from ghostline_desktop.ai.embedders import ProviderEmbedder
    from ghostline_desktop.db.database import Database
    from ghostline_desktop.storage.local import LocalStore

    provider = Provider(
        ProviderConfig(
            base_url=openai_server.base_url,
            api_key="sk-test",
            chat_model="gpt-4o-mini",
            embedding_model="test-embed",
            timeout=3.0,
            max_retries=0,
        )
    )
    embedder = ProviderEmbedder(provider, model="test-embed")
    embedder.dimensions = openai_server.embedding_dim  # known up front (see generation_support)
    svc = Services.build(Database(db_url), LocalStore(tmp_path), embedder=embedder, provider=provider)
    try:
        user = run(svc.accounts.ensure_local_user())
        set_balance(svc, run, user.id, 50_000)
        project = run(svc.projects.create(user.id, f"Facts {uuid.uuid4().hex[:6]}"))

        async def index_note() -> None:
            await svc.sources.add_note(project.id, "Railway history", PASSAGE + " The Tay Bridge was rebuilt later.")
            while active := svc.runner.jobs(project.id):
                for job in active:
                    await svc.jobs.wait(job.id, 60)

        run(index_note())
        chapter = run(svc.chapters.create(project.id, "The bridge", content=TEXT))
        openai_server.queue_reply(REPLY, prompt_tokens=700, completion_tokens=60)
        out = run(svc.qa_runs.run_and_wait(project.id, user_id=user.id))
        assert out is not None and out.factual_note is None
        (f,) = run(svc.qa.list_findings(project.id, finding_type="FACTUAL_INCONSISTENCY"))
        assert f.chapter_id == chapter.id and TEXT[f.start : f.end] == "The Tay Bridge opened in 1887"
        (req,) = openai_server.requests_to("chat")
        assert PASSAGE in req.json["messages"][1]["content"]  # found by the app's own search
    finally:
        run(svc.close())
