import asyncio
import uuid
from collections.abc import Iterator

import pytest

from ghostline_desktop.errors import ConflictError, NotFoundError, ValidationError
from ghostline_desktop.services.chapters import RevisionConflictError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import ChapterSaved, ChaptersChanged, Event


@pytest.fixture
def events(services: Services) -> Iterator[list[Event]]:
    got: list[Event] = []
    unsubscribe = services.bus.subscribe(got.append)
    yield got
    unsubscribe()


@pytest.fixture
def project(services: Services, user, run):
    return run(services.projects.create(user.id, f"Chapters {uuid.uuid4().hex[:6]}"))


def test_empty_project(services: Services, project, run) -> None:
    assert run(services.chapters.list_chapters(project.id)) == []
    assert run(services.chapters.list_chapters(uuid.uuid4())) == []


def test_create_without_text_is_planned(services: Services, project, run, events) -> None:
    ch = run(services.chapters.create(project.id, "  Down the   Rabbit-Hole "))
    assert (ch.title, ch.order, ch.status, ch.word_count, ch.revision_count) == (
        "Down the Rabbit-Hole",
        1,
        "PLANNED",
        0,
        0,
    )
    assert ch.outline_position == {} and ch.project_id == project.id
    assert events == [ChaptersChanged(project.id, ch.id, "created")]
    text = run(services.chapters.get(ch.id))
    assert (text.content, text.revision_number, text.word_count) == ("", 0, 0)
    assert run(services.chapters.list_revisions(ch.id)) == []


def test_create_with_text_and_default_order(services: Services, project, run, events) -> None:
    first = run(services.chapters.create(project.id, "One", content="Alice was beginning to get very tired."))
    second = run(services.chapters.create(project.id, "Two", outline_position={"part": 0, "chapter": 1}))
    placed = run(services.chapters.create(project.id, "Zero", order=0))
    assert (first.order, second.order, placed.order) == (1, 2, 0)
    assert first.status == "DRAFT" and first.word_count == 7 and first.revision_count == 1
    assert second.outline_position == {"part": 0, "chapter": 1}
    assert ChapterSaved(project.id, first.id, 1) in events
    assert [c.title for c in run(services.chapters.list_chapters(project.id))] == ["Zero", "One", "Two"]
    after = run(services.chapters.create(project.id, "Three"))
    assert after.order == 3
    assert run(services.projects.get(project.id)).word_count == 7
    assert run(services.projects.get(project.id)).chapter_count == 4


def test_save_text_appends_revisions(services: Services, user, project, run, events) -> None:
    ch = run(services.chapters.create(project.id, "Pool of Tears"))
    events.clear()
    r1 = run(services.chapters.save_text(ch.id, "“Curiouser and curiouser!” cried Alice.", user_id=user.id))
    assert (r1.revision_number, r1.word_count, r1.status) == (1, 5, "DRAFT")  # a first save moves PLANNED to DRAFT
    assert events == [ChapterSaved(project.id, ch.id, 1)]
    r2 = run(
        services.chapters.save_text(ch.id, "“Curiouser and curiouser!” cried Alice, surprised.", expected_revision=1)
    )
    assert r2.revision_number == 2 and r2.word_count == 6
    assert r2.updated_at >= r1.updated_at
    got = run(services.chapters.get(ch.id))
    assert got.content == r2.content and got.revision_number == 2 and got.word_count == 6
    summary = run(services.chapters.list_chapters(project.id))[0]
    assert (summary.word_count, summary.revision_count) == (6, 2)

    revisions = run(services.chapters.list_revisions(ch.id))
    assert [r.revision_number for r in revisions] == [2, 1]  # newest first
    assert [r.word_count for r in revisions] == [6, 5]
    assert all(r.source == "MANUAL" and r.token_cost == 0 and r.similarity_score is None for r in revisions)
    old = run(services.chapters.get_revision(ch.id, 1))
    assert old.content == "“Curiouser and curiouser!” cried Alice." and old.source == "MANUAL"


def test_unchanged_text_writes_nothing(services: Services, project, run, events) -> None:
    ch = run(services.chapters.create(project.id, "Same", content="same words"))
    events.clear()
    again = run(services.chapters.save_text(ch.id, "same words", expected_revision=1))
    assert again.revision_number == 1
    assert run(services.chapters.list_revisions(ch.id))[0].revision_number == 1
    assert events == []
    # Saving empty text into a chapter that never had any is also a no-op.
    empty = run(services.chapters.create(project.id, "Empty"))
    assert run(services.chapters.save_text(empty.id, "")).revision_number == 0
    assert run(services.chapters.list_revisions(empty.id)) == []


def test_clearing_the_text_is_a_revision(services: Services, project, run) -> None:
    ch = run(services.chapters.create(project.id, "Cleared", content="some words"))
    cleared = run(services.chapters.save_text(ch.id, ""))
    assert (cleared.revision_number, cleared.word_count, cleared.content) == (2, 0, "")


def test_conflicting_save_is_refused(services: Services, project, run, events) -> None:
    ch = run(services.chapters.create(project.id, "Contested", content="base"))
    mine = run(services.chapters.get(ch.id))
    run(services.chapters.save_text(ch.id, "saved in another window", expected_revision=mine.revision_number))
    events.clear()
    with pytest.raises(ConflictError) as info:
        run(services.chapters.save_text(ch.id, "my edit", expected_revision=mine.revision_number))
    assert isinstance(info.value, RevisionConflictError)
    assert (info.value.expected_revision, info.value.latest_revision) == (1, 2)
    assert "Contested" in str(info.value)
    assert events == []
    assert run(services.chapters.get(ch.id)).content == "saved in another window"
    # Expecting "no revision yet" when there is one is a conflict too.
    with pytest.raises(ConflictError):
        run(services.chapters.save_text(ch.id, "x", expected_revision=0))
    # Without expected_revision the save always goes through (last writer wins).
    assert run(services.chapters.save_text(ch.id, "my edit")).revision_number == 3


def test_concurrent_saves_get_consecutive_revisions(services: Services, project, run) -> None:
    ch = run(services.chapters.create(project.id, "Race"))

    async def both() -> list[object]:
        return await asyncio.gather(
            *(services.chapters.save_text(ch.id, f"text {i}", expected_revision=0) for i in range(4)),
            return_exceptions=True,
        )

    results = run(both())
    saved = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(saved) == 1 and len(refused) == 3
    assert all(isinstance(e, RevisionConflictError) for e in refused)
    assert [r.revision_number for r in run(services.chapters.list_revisions(ch.id))] == [1]

    async def unguarded() -> None:
        await asyncio.gather(*(services.chapters.save_text(ch.id, f"other {i}") for i in range(4)))

    run(unguarded())
    assert [r.revision_number for r in run(services.chapters.list_revisions(ch.id))] == [5, 4, 3, 2, 1]


def test_unicode_text(services: Services, project, run) -> None:
    text = "Ünïcödé — 第一章：兔子洞 🐇\nनमस्ते दुनिया. Don’t stop.\x00"
    ch = run(services.chapters.create(project.id, "Ünïcödé 第一章 🐇", content=text))
    got = run(services.chapters.get(ch.id))
    assert got.title == "Ünïcödé 第一章 🐇"
    assert got.content == text.replace("\x00", "")  # NUL cannot be stored, everything else round-trips
    # Ünïcödé + six ideographs (one word each) + नमस्ते दुनिया + Don’t stop; the emoji is no word.
    assert got.word_count == 1 + 6 + 2 + 2


def test_rename_status_and_reorder(services: Services, project, run, events) -> None:
    a = run(services.chapters.create(project.id, "A"))
    b = run(services.chapters.create(project.id, "B"))
    c = run(services.chapters.create(project.id, "C"))
    events.clear()
    assert run(services.chapters.rename(a.id, "Alpha")).title == "Alpha"
    assert events == [ChaptersChanged(project.id, a.id, "renamed")]
    assert run(services.chapters.set_status(b.id, "reviewing")).status == "REVIEWING"
    ordered = run(services.chapters.reorder(project.id, [c.id, a.id, b.id]))
    assert [(x.title, x.order) for x in ordered] == [("C", 1), ("Alpha", 2), ("B", 3)]
    with pytest.raises(ValidationError):
        run(services.chapters.reorder(project.id, [c.id, a.id]))
    with pytest.raises(ValidationError):
        run(services.chapters.reorder(project.id, [c.id, a.id, a.id]))
    with pytest.raises(ValidationError):
        run(services.chapters.rename(a.id, "   "))
    with pytest.raises(ValidationError):
        run(services.chapters.set_status(a.id, "FINISHED"))


def test_restore_revision(services: Services, project, run) -> None:
    ch = run(services.chapters.create(project.id, "Restore", content="first words"))
    run(services.chapters.save_text(ch.id, "second words here"))
    restored = run(services.chapters.restore_revision(ch.id, 1))
    assert (restored.revision_number, restored.content, restored.word_count) == (3, "first words", 2)
    assert run(services.chapters.list_revisions(ch.id))[0].source == "RESTORE"


def test_save_with_ai_metadata(services: Services, project, run) -> None:
    ch = run(services.chapters.create(project.id, "AI"))
    run(services.chapters.save_text(ch.id, "drafted", source="AI_DRAFT", token_cost=120, similarity_score=0.82))
    (rev,) = run(services.chapters.list_revisions(ch.id))
    assert (rev.source, rev.token_cost, rev.similarity_score) == ("AI_DRAFT", 120, pytest.approx(0.82))
    for bad in ({"source": "ROBOT"}, {"token_cost": -1}, {"similarity_score": 1.5}):
        with pytest.raises(ValidationError):
            run(services.chapters.save_text(ch.id, "other", **bad))


def test_delete(services: Services, project, run, events) -> None:
    ch = run(services.chapters.create(project.id, "Doomed", content="text"))
    finding = run(
        services.qa.add_finding(project.id, finding_type="GRAMMAR", severity="LOW", title="x", chapter_id=ch.id)
    )
    events.clear()
    run(services.chapters.delete(ch.id))
    assert events == [ChaptersChanged(project.id, ch.id, "deleted")]
    assert run(services.chapters.list_chapters(project.id)) == []
    with pytest.raises(NotFoundError):
        run(services.qa.get(finding.id))  # the chapter's findings go with it


def test_validation_and_unknown_ids(services: Services, project, run) -> None:
    missing = uuid.uuid4()
    with pytest.raises(ValidationError):
        run(services.chapters.create(project.id, ""))
    with pytest.raises(ValidationError):
        run(services.chapters.create(project.id, "x" * 501))
    with pytest.raises(ValidationError):
        run(services.chapters.create(project.id, "Negative", order=-1))
    with pytest.raises(NotFoundError):
        run(services.chapters.create(missing, "Orphan"))
    for call in (
        services.chapters.get(missing),
        services.chapters.save_text(missing, "x"),
        services.chapters.rename(missing, "x"),
        services.chapters.delete(missing),
        services.chapters.list_revisions(missing),
        services.chapters.get_revision(missing, 1),
        services.chapters.set_status(missing, "DRAFT"),
        services.chapters.summary(missing),
    ):
        with pytest.raises(NotFoundError):
            run(call)
    ch = run(services.chapters.create(project.id, "Real"))
    with pytest.raises(NotFoundError):
        run(services.chapters.get_revision(ch.id, 7))
