"""The generation agents against the real OpenAI test server: every fault ends the task in the
right state with the right message, partial text is kept, tokens are debited exactly as reported.

Tests share one project (module fixtures) and run in file order: chapter 1 gets a draft before
chapter 2 needs its summary; the balance is drained last.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from ghostline_desktop.core.enums import TaskStatus
from ghostline_desktop.db.models import ChapterRevision
from ghostline_desktop.errors import ProviderNotConfigured
from ghostline_desktop.services.events import UsageEstimate
from tests.services.generation_support import NOTES, GenWorld, world_fixture  # noqa: F401 (fixture)

pytestmark = pytest.mark.timeout(120)

OUTLINE_REPLY = {
    "title": "The Keeper's Daughter",
    "parts": [
        {
            "title": "Light",
            "chapters": [
                {"title": "Skerry Point", "summary": "The lighthouse.", "scenes": ["The steps", "The storm"]},
                {"title": "Kilrush", "scenes": ["Herring on the quay"]},
            ],
        }
    ],
}
DRAFT = "The lamp burned through the storm. " * 20


@pytest.fixture(autouse=True)
def _fresh_server(world: GenWorld) -> None:
    world.server.reset()


def revisions(w: GenWorld, chapter_id: uuid.UUID) -> list[ChapterRevision]:
    async def go() -> list[ChapterRevision]:
        async with w.services.db.session() as s:
            q = select(ChapterRevision).where(ChapterRevision.chapter_id == chapter_id)
            rows = list((await s.execute(q.order_by(ChapterRevision.revision_number))).scalars())
            for r in rows:
                s.expunge(r)
            return rows

    return w.run(go())  # type: ignore[no-any-return]


def assert_debited_as_reported(w: GenWorld, job_id: uuid.UUID) -> None:
    """Every chat call the server answered with usage is one debit of exactly that usage."""
    reported = [r.usage for r in w.server.requests_to("chat") if r.usage is not None and r.status == 200]
    debits = w.debits(job_id)
    assert [(d.prompt_tokens, d.completion_tokens) for d in debits] == [
        (u["prompt_tokens"], u["completion_tokens"]) for u in reported
    ]
    task = w.task(job_id)
    assert task.prompt_tokens == sum(u["prompt_tokens"] for u in reported)
    assert task.completion_tokens == sum(u["completion_tokens"] for u in reported)
    assert task.total_tokens == task.prompt_tokens + task.completion_tokens


# -- outline -----------------------------------------------------------------------------------


def test_outline_from_sources_is_a_new_draft_version(world: GenWorld) -> None:
    w = world
    before = w.run(w.services.outline.version_count(w.project_id))
    w.server.queue_reply(OUTLINE_REPLY, prompt_tokens=812, completion_tokens=95)
    job = w.run(w.services.generation.start_outline(w.project_id, user_id=w.user.id))
    done = w.wait(job)
    assert done.status is TaskStatus.COMPLETED, done.error
    assert done.message == "Outline version 2: 2 chapters (draft)"
    versions = w.run(w.services.outline.versions(w.project_id))
    newest = max(versions, key=lambda v: v.version)
    assert newest.status == "DRAFT" and newest.version == before + 1 and newest.chapter_count == 2
    assert newest.title == "The Keeper's Daughter"
    task = w.task(job.id)
    assert (task.agent_name, task.model, task.output_entity_type) == (
        "outline_generation",
        "gpt-4o-mini",
        "book_outline",
    )
    assert task.output_entity_id == newest.id
    assert (task.prompt_tokens, task.completion_tokens, task.total_tokens) == (812, 95, 907)
    assert_debited_as_reported(w, job.id)
    # What was sent: the system prompt, passages with their source titles, JSON instructions.
    sent = w.server.requests_to("chat")[0].json
    assert sent["response_format"] == {"type": "json_object"}
    assert sent["messages"][0]["role"] == "system" and "ghostwriter" in sent["messages"][0]["content"]
    user_text = sent["messages"][1]["content"]
    assert "From “Lighthouse interview”" in user_text and "Reply with JSON only" in user_text


def test_invalid_outline_json_is_repaired_once(world: GenWorld) -> None:
    w = world
    w.server.fail("chat", "invalid_json")
    w.server.queue_reply(OUTLINE_REPLY)  # truncated by the fault
    w.server.queue_reply(OUTLINE_REPLY)  # the repair
    done = w.wait(w.run(w.services.generation.start_outline(w.project_id, user_id=w.user.id)))
    assert done.status is TaskStatus.COMPLETED, done.error
    chats = w.server.requests_to("chat")
    assert len(chats) == 2
    repair = chats[1].json["messages"]
    assert repair[-2]["role"] == "assistant" and "not valid JSON" in repair[-1]["content"]
    assert_debited_as_reported(w, done.id)


def test_outline_still_invalid_after_repair_fails_clearly(world: GenWorld) -> None:
    w = world
    before = w.run(w.services.outline.version_count(w.project_id))
    w.server.fail("chat", "invalid_json", times=2)
    done = w.wait(w.run(w.services.generation.start_outline(w.project_id, user_id=w.user.id)))
    assert done.status is TaskStatus.FAILED
    assert done.error is not None and done.error.startswith("The AI's outline could not be used")
    assert w.run(w.services.outline.version_count(w.project_id)) == before
    assert_debited_as_reported(w, done.id)  # both calls were answered: both are paid


# -- chapter drafts ----------------------------------------------------------------------------


def test_chapter_draft_streams_into_a_new_revision_with_its_sources(world: GenWorld) -> None:
    w = world
    chapter = w.chapter_id(1)
    w.server.tokens_per_second = 100
    estimates: list[UsageEstimate] = []
    unsubscribe = w.services.bus.subscribe(estimates.append, UsageEstimate)  # type: ignore[arg-type]

    async def go() -> tuple[Any, list[Any]]:
        job = await w.services.generation.start_chapter(w.project_id, 1, user_id=w.user.id)
        items = [item async for item in w.services.runner.stream(job.id)]
        return await w.services.jobs.wait(job.id, 30), items

    w.server.queue_reply(DRAFT)
    done, items = w.run(go())
    assert done.status is TaskStatus.COMPLETED, done.error
    unsubscribe()
    assert "".join(items) == DRAFT and len(items) > 10  # deltas, in order
    # The live meter: a few estimates while streaming (~1.4 s here), growing, then 0 (settled).
    mine = [e.tokens for e in estimates if e.job_id == done.id]
    assert len(mine) >= 3 and mine[-1] == 0 and mine[:-1] == sorted(mine[:-1]) and mine[-2] > 0
    rev = revisions(w, chapter)[-1]
    assert (rev.source.name, rev.incomplete, rev.content.strip()) == ("AI_DRAFT", False, DRAFT.strip())
    assert rev.generation_task_id == done.id
    usage = w.server.requests_to("chat")[0].usage
    assert usage is not None and rev.token_cost == usage["total_tokens"]
    assert_debited_as_reported(w, done.id)
    details = w.run(w.services.generation.revision_ai(rev.id))
    assert details.sources and details.sources[0].rank == 1
    assert {s.source_title for s in details.sources} <= set(NOTES)
    assert any("lighthouse" in s.text.lower() for s in details.sources)
    sent = w.server.requests_to("chat")[0].json["messages"][1]["content"]
    assert "Grandfather climbs the lighthouse steps" in sent and "chapter 1" in sent.lower()


def test_second_chapter_gets_a_cached_summary_of_the_first(world: GenWorld) -> None:
    w = world
    w.server.queue_reply("Grandfather kept the lamp lit through the storm.")  # the summary
    w.server.queue_reply("Herring boats left before dawn. " * 10)
    done = w.wait(w.run(w.services.generation.start_chapter(w.project_id, 2, user_id=w.user.id)))
    assert done.status is TaskStatus.COMPLETED, done.error
    chats = w.server.requests_to("chat")
    assert len(chats) == 2 and not chats[0].json.get("stream") and chats[1].json.get("stream")
    assert "Grandfather kept the lamp lit through the storm." in chats[1].json["messages"][1]["content"]
    assert_debited_as_reported(w, done.id)
    # Again: the summary is cached for chapter 1's text version; one call only.
    w.server.reset()
    w.server.queue_reply("Another draft of herring. " * 5)
    again = w.wait(w.run(w.services.generation.start_chapter(w.project_id, 2, user_id=w.user.id)))
    assert again.status is TaskStatus.COMPLETED and len(w.server.requests_to("chat")) == 1
    preview = w.run(w.services.generation.preview_chapter(w.project_id, 2))
    assert "Grandfather kept the lamp lit" in preview.prompt.instructions and preview.note is None
    assert preview.prompt.messages == w.server.requests_to("chat")[0].json["messages"]  # exactly what is sent
    assert preview.estimate > 0


def test_rate_limited_then_success(world: GenWorld) -> None:
    w = world
    w.server.fail("chat", "rate_limit", retry_after=0.05)
    w.server.queue_reply(DRAFT)
    done = w.wait(w.run(w.services.generation.start_chapter(w.project_id, 1, user_id=w.user.id)))
    assert done.status is TaskStatus.COMPLETED, done.error
    chats = w.server.requests_to("chat")
    assert [c.status for c in chats] == [429, 200]
    assert_debited_as_reported(w, done.id)  # the refused call costs nothing


def test_server_error_fails_without_a_revision_or_a_debit(world: GenWorld) -> None:
    w = world
    chapter = w.chapter_id(3)
    w.server.fail("chat", "server_error", times=3)  # more than the retries
    done = w.wait(w.run(w.services.generation.start_chapter(w.project_id, 3, user_id=w.user.id)))
    assert done.status is TaskStatus.FAILED
    assert done.error is not None and "server error (HTTP 500)" in done.error
    assert revisions(w, chapter) == [] and w.debits(done.id) == []
    assert len(w.server.requests_to("chat")) >= 3  # summary of chapter 2 first … or the draft


def test_stream_cut_midway_keeps_the_partial_text_marked_incomplete(world: GenWorld) -> None:
    w = world
    chapter = w.chapter_id(1)
    w.server.fail("chat", "cut_stream", after_chunks=5)
    w.server.queue_reply("One two three four five six seven eight nine ten.")
    done = w.wait(w.run(w.services.generation.start_chapter(w.project_id, 1, user_id=w.user.id)))
    assert done.status is TaskStatus.FAILED
    rev = revisions(w, chapter)[-1]
    assert done.error == (
        f"The AI provider's reply broke off midway. The text that arrived is kept as revision "
        f"{rev.revision_number}, marked incomplete."
    )
    assert (rev.content, rev.incomplete, rev.token_cost) == ("One two three four five ", True, 0)
    assert rev.generation_task_id == done.id
    # The server never reported usage for the broken stream: nothing is debited, nothing recorded.
    assert w.debits(done.id) == [] and w.task(done.id).total_tokens == 0
    assert w.task(done.id).output_entity_id == rev.id


def test_hang_past_the_timeout_fails_with_the_timeout_message(world: GenWorld) -> None:
    w = world
    w.server.fail("chat", "hang", times=3, hang_seconds=5)
    done = w.wait(w.run(w.services.generation.start_chapter(w.project_id, 1, user_id=w.user.id)))
    assert done.status is TaskStatus.FAILED
    assert done.error == "The AI provider did not answer in time. Try again, or allow slow local models more time."
    assert w.debits(done.id) == []


def test_hang_midstream_keeps_what_arrived(world: GenWorld) -> None:
    w = world
    chapter = w.chapter_id(1)
    w.server.fail("chat", "hang", after_chunks=3, hang_seconds=5)
    w.server.queue_reply("Alpha beta gamma delta epsilon.")
    done = w.wait(w.run(w.services.generation.start_chapter(w.project_id, 1, user_id=w.user.id)))
    assert done.status is TaskStatus.FAILED and done.error is not None and "marked incomplete" in done.error
    rev = revisions(w, chapter)[-1]
    assert (rev.content, rev.incomplete) == ("Alpha beta gamma ", True)


def test_context_too_long_retries_once_with_fewer_passages(world: GenWorld) -> None:
    w = world
    w.server.fail("chat", "context_too_long")
    w.server.queue_reply(DRAFT)
    done = w.wait(w.run(w.services.generation.start_chapter(w.project_id, 1, user_id=w.user.id)))
    assert done.status is TaskStatus.COMPLETED, done.error
    first, second = (c.json["messages"][1]["content"] for c in w.server.requests_to("chat"))
    assert first.count("\n[") > second.count("\n[") and len(second) < len(first)
    assert_debited_as_reported(w, done.id)
    # The revision records the passages actually sent (the trimmed set).
    rev = revisions(w, w.chapter_id(1))[-1]
    assert len(w.run(w.services.generation.revision_ai(rev.id)).sources) == second.count("\n[")


def test_context_too_long_twice_fails_clearly(world: GenWorld) -> None:
    w = world
    w.server.fail("chat", "context_too_long", times=2)
    done = w.wait(w.run(w.services.generation.start_chapter(w.project_id, 1, user_id=w.user.id)))
    assert done.status is TaskStatus.FAILED
    assert done.error is not None and done.error.startswith("The request is longer than the model")


def test_cancel_midstream_keeps_the_partial_text(world: GenWorld) -> None:
    w = world
    chapter = w.chapter_id(1)
    w.server.tokens_per_second = 40
    w.server.queue_reply("word " * 400)

    async def go() -> tuple[Any, list[Any]]:
        job = await w.services.generation.start_chapter(w.project_id, 1, user_id=w.user.id)
        items: list[Any] = []
        async for item in w.services.runner.stream(job.id):
            items.append(item)
            if len(items) == 10:
                w.services.runner.cancel(job.id)
        return await w.services.jobs.wait(job.id, 30), items

    done, items = w.run(go())
    assert done.status is TaskStatus.CANCELLED
    rev = revisions(w, chapter)[-1]
    assert rev.incomplete and rev.content == "".join(items) and rev.generation_task_id == done.id
    assert w.debits(done.id) == []


# -- revise, feedback, offline, balance --------------------------------------------------------


def test_revise_with_feedback_makes_an_ai_revision(world: GenWorld) -> None:
    w = world
    chapter = w.chapter_id(2)
    base = revisions(w, chapter)[-1]
    w.server.queue_reply("The herring boats went out in the dark, and the quay waited.")
    job = w.run(w.services.generation.start_revision(base.id, "Make it darker.", user_id=w.user.id))
    done = w.wait(job)
    assert done.status is TaskStatus.COMPLETED, done.error
    new = revisions(w, chapter)[-1]
    assert new.source.name == "AI_REVISION" and new.content.startswith("The herring boats went out in the dark")
    assert [r.user_feedback for r in revisions(w, chapter) if r.id == base.id] == ["Make it darker."]
    sent = w.server.requests_to("chat")[0].json["messages"][1]["content"]
    assert "Make it darker." in sent and base.content[:40] in sent
    assert_debited_as_reported(w, done.id)


def test_ai_feedback_is_stored_on_the_revision(world: GenWorld) -> None:
    w = world
    rev = revisions(w, w.chapter_id(2))[-1]
    w.server.queue_reply("Pacing: the opening rushes. Clarity: fine. Sources: consistent.")
    done = w.wait(w.run(w.services.generation.start_feedback(rev.id, user_id=w.user.id)))
    assert done.status is TaskStatus.COMPLETED, done.error
    details = w.run(w.services.generation.revision_ai(rev.id))
    assert details.ai_feedback == "Pacing: the opening rushes. Clarity: fine. Sources: consistent."
    assert_debited_as_reported(w, done.id)


def test_offline_nothing_pretends_to_generate(world: GenWorld) -> None:
    w = world
    gen = w.services.generation
    provider = gen.provider
    gen.configure(None)
    try:
        with pytest.raises(ProviderNotConfigured, match="Preferences ▸ AI provider"):
            w.run(gen.start_chapter(w.project_id, 1, user_id=w.user.id))
        with pytest.raises(ProviderNotConfigured):
            w.run(gen.start_outline(w.project_id, user_id=w.user.id))
    finally:
        gen.configure(provider)
    assert w.server.requests_to("chat") == []


def test_insufficient_tokens_refuses_before_calling(world: GenWorld) -> None:
    w = world
    w.set_balance(50)
    done = w.wait(w.run(w.services.generation.start_chapter(w.project_id, 1, user_id=w.user.id)))
    assert done.status is TaskStatus.FAILED
    assert done.error is not None and "needs about" in done.error and "only 50 are left" in done.error
    assert w.server.requests_to("chat") == []
