"""VoiceService: build a profile from chapters/pasted text, score every sealed revision as a job,
rescore on a new profile, events, the too-little-text message, sample_text for generation."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ghostline_desktop.core.enums import TaskType
from ghostline_desktop.core.style_eval import book_body
from ghostline_desktop.core.style_features import split_paragraphs
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import Event, RevisionScored, VoiceProfileChanged


def _words(text: str, start: int, n: int) -> str:
    paras = split_paragraphs(book_body(text))
    out, count, seen = [], 0, 0
    for p in paras:
        k = len(p.split())
        seen += k
        if seen <= start:
            continue
        out.append(p)
        count += k
        if count >= n:
            break
    return "\n\n".join(out)


@pytest.fixture(scope="module")
def books() -> dict[str, str]:
    from tests.conftest import CORPUS_DIR

    if not CORPUS_DIR.exists():
        pytest.skip("shared/corpus is only on development machines")
    return {
        "austen": (Path(CORPUS_DIR) / "austen-pride-and-prejudice.txt").read_text(encoding="utf-8"),
        "melville": (Path(CORPUS_DIR) / "melville-moby-dick.txt").read_text(encoding="utf-8"),
    }


@pytest.fixture
def events(services: Services) -> Iterator[list[Event]]:
    got: list[Event] = []
    unsubscribe = services.bus.subscribe(got.append)
    yield got
    unsubscribe()


@pytest.fixture
def project(services: Services, user, run):
    return run(services.projects.create(user.id, f"Voice {uuid.uuid4().hex[:6]}"))


def _wait_scored(services: Services, run, chapter_id: uuid.UUID, n: int, timeout: float = 60) -> dict[Any, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        notes = run(services.voice.revision_notes(chapter_id))
        if len(notes) >= n:
            return notes
        time.sleep(0.1)
    raise AssertionError(f"revisions of {chapter_id} not scored in {timeout} s")


def test_too_little_text_says_how_much_is_needed(services: Services, project, run) -> None:
    with pytest.raises(ValidationError, match=r"at least 3,000 words.*has 9"):
        run(services.voice.build(project.id, texts=["Only nine words here, far too few to learn."]))
    assert run(services.voice.profile(project.id)) is None
    assert run(services.voice.sample_text(project.id)) is None
    with pytest.raises(NotFoundError):
        run(services.voice.score_text(project.id, "Some text."))


def test_no_profile_no_jobs(services: Services, project, run, books) -> None:
    ch = run(services.chapters.create(project.id, "One", content=_words(books["austen"], 0, 800)))
    run(services.chapters.save(ch.id, _words(books["austen"], 800, 800), checkpoint=True))
    time.sleep(0.3)
    jobs = [j for j in services.runner.jobs(project.id, active_only=False) if j.task_type is TaskType.VOICE_ANALYSIS]
    assert jobs == []


def test_build_from_chapters_scores_revisions_and_rescores(services: Services, project, run, books, events) -> None:
    chapters = [
        run(services.chapters.create(project.id, f"Chapter {i}", content=_words(books["austen"], i * 2500, 2500)))
        for i in range(4)
    ]
    info = run(services.voice.build(project.id, chapter_ids=[c.id for c in chapters], name="Jane"))
    assert info.name == "Jane" and info.words >= 9000
    assert info.built_from == {"sources": 0, "chapters": 4, "pasted_words": 0}
    assert any("Sentences average" in line for line in info.summary)
    rng = info.score_range
    assert set(rng) == {"low", "mean", "std"} and 0.5 < rng["mean"] <= 1
    assert any(isinstance(e, VoiceProfileChanged) and e.project_id == project.id for e in events)
    sample = run(services.voice.sample_text(project.id))
    assert sample and sample.startswith(_words(books["austen"], 0, 50)[:40])

    # The rescoring job scores every existing revision (revision 1 of each chapter).
    notes = _wait_scored(services, run, chapters[0].id, 1)
    (note,) = notes.values()
    assert note.score is not None and note.score > 0.6

    # A new sealed revision is scored when saved: same author high, another author low, with reasons.
    ch = chapters[1]
    run(services.chapters.save(ch.id, _words(books["austen"], 40_000, 2000), checkpoint=True))
    run(services.chapters.save(ch.id, _words(books["melville"], 40_000, 2000), checkpoint=True))
    notes = _wait_scored(services, run, ch.id, 3)
    revs = {r.revision_number: r for r in run(services.chapters.list_revisions(ch.id))}
    austen, melville = notes[revs[2].id], notes[revs[3].id]
    assert austen.score is not None and melville.score is not None
    assert austen.score > 0.6 > melville.score
    assert revs[3].similarity_score == pytest.approx(melville.score)
    assert melville.reasons and "Voice match" in melville.tooltip()
    scored = [e for e in events if isinstance(e, RevisionScored) and e.revision_id == revs[3].id]
    assert scored and scored[-1].score == pytest.approx(melville.score)

    # A new profile (from Melville, pasted) rescores: the Melville revision now scores higher.
    run(services.voice.build(project.id, texts=[_words(books["melville"], 0, 6000)]))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        again = run(services.voice.revision_notes(ch.id))
        if again[revs[3].id].score != melville.score:
            break
        time.sleep(0.1)
    assert again[revs[3].id].score is not None and again[revs[3].id].score > melville.score
    assert run(services.voice.profile(project.id)).built_from["pasted_words"] >= 6000

    result = run(services.voice.score_text(project.id, _words(books["melville"], 60_000, 1000)))
    assert result["score"] > 0.5 and result["reasons"]

    run(services.voice.delete(project.id))
    assert run(services.voice.profile(project.id)) is None
    assert run(services.voice.revision_notes(ch.id)) == {}


def test_autosaves_are_not_scored_and_short_revisions_say_why(services: Services, project, run, books) -> None:
    ch = run(services.chapters.create(project.id, "Short", content="Too short to judge."))
    run(services.voice.build(project.id, texts=[_words(books["austen"], 10_000, 4000)], rescore=False))
    job = run(services.voice.score_chapter(project.id, ch.id))
    assert job is not None
    run(services.runner.wait(job, 60))
    (note,) = run(services.voice.revision_notes(ch.id)).values()
    assert note.score is None and "too short" in note.reasons[0] and note.label == "—"
    base = run(services.chapters.get(ch.id)).base
    run(services.chapters.autosave(ch.id, _words(books["austen"], 30_000, 300), base=base))  # working text only
    time.sleep(0.5)
    working = [r for r in run(services.chapters.list_revisions(ch.id)) if not r.sealed]
    assert working and working[0].id not in run(services.voice.revision_notes(ch.id))


def test_semantic_embedding_when_a_provider_is_configured(
    services: Services, project, run, books, openai_server
) -> None:
    from sqlalchemy import select

    from ghostline_desktop.ai.embedders import ProviderEmbedder
    from ghostline_desktop.ai.provider import Provider, ProviderConfig
    from ghostline_desktop.db.models import VoiceProfile

    async def attributes() -> dict[str, Any]:
        async with services.db.session() as s:
            return (
                await s.execute(select(VoiceProfile.style_attributes).where(VoiceProfile.project_id == project.id))
            ).scalar_one()

    provider = Provider(
        ProviderConfig(
            base_url=openai_server.base_url,
            api_key="sk-test",
            chat_model="gpt-4o-mini",
            embedding_model="text-embedding-3-small",
            max_retries=1,
        )
    )
    services.voice.configure(ProviderEmbedder(provider))
    try:
        run(services.voice.build(project.id, texts=[_words(books["austen"], 10_000, 4000)], rescore=False))
        semantic = run(attributes())["semantic_embedding"]
        assert semantic["model"] == "provider/text-embedding-3-small"
        assert semantic["dimensions"] == openai_server.embedding_dim == len(semantic["vector"])
        sent = openai_server.requests_to("embeddings")[0].json["input"]
        assert len(sent) == 1 and len(sent[0].split()) <= 1700  # the sample's first ~1,500 words
        # A provider failure leaves the embedding out; the profile is built all the same.
        openai_server.fail("embeddings", "server_error", times=5)
        info = run(services.voice.build(project.id, texts=[_words(books["austen"], 20_000, 4000)], rescore=False))
        assert info.words > 3000
        semantic = run(attributes())["semantic_embedding"]
        assert "error" in semantic and "vector" not in semantic
    finally:
        services.voice.configure(None)
        run(provider.aclose())
