"""The save model against the real database: the working text autosaves update in place,
revisions as checkpoints someone meant, restore as a new revision, conflicts with both texts."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text as sql

from ghostline_desktop.core.words import count_words
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.chapters import RevisionConflictError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import ChapterSaved, Event

OPENING = "It is a truth universally acknowledged, that a single man in possession of a good fortune."


@pytest.fixture
def events(services: Services) -> Iterator[list[Event]]:
    got: list[Event] = []
    unsubscribe = services.bus.subscribe(got.append)
    yield got
    unsubscribe()


@pytest.fixture
def project(services: Services, user: Any, run: Any) -> Any:
    return run(services.projects.create(user.id, f"Saves {uuid.uuid4().hex[:6]}", target_word_count=1000))


@pytest.fixture
def chapter(services: Services, project: Any, run: Any) -> Any:
    return run(services.chapters.create(project.id, "Chapter 1", content=OPENING))


def _age_working_text(services: Services, run: Any, chapter_id: uuid.UUID, minutes: int) -> None:
    """Pretend the author stopped typing ``minutes`` ago (no sleeping in tests)."""

    async def go() -> None:
        async with services.db.session() as s:
            await s.execute(
                sql(
                    "UPDATE chapter_revisions SET updated_at = updated_at - make_interval(mins => :m) "
                    "WHERE chapter_id = :c AND NOT sealed"
                ),
                {"m": minutes, "c": chapter_id},
            )

    run(go())


def test_fifty_autosaves_make_no_revision(services: Services, chapter: Any, run: Any, events: list[Event]) -> None:
    loaded = run(services.chapters.get(chapter.id))
    assert (loaded.revision_number, loaded.working, loaded.base) == (1, False, 1)
    events.clear()
    text, base = OPENING, loaded.base
    for i in range(50):
        text += f" Word{i}"
        result = run(services.chapters.autosave(chapter.id, text, base=base))
        assert result.changed and not result.revision_made
        base = result.text.base
    history = run(services.chapters.list_revisions(chapter.id, include_working=False))
    assert [r.revision_number for r in history] == [1]
    current = run(services.chapters.get(chapter.id))
    assert (current.content, current.revision_number, current.working, current.base) == (text, 2, True, 51)
    assert current.word_count == count_words(text) == run(services.chapters.summary(chapter.id)).word_count
    assert run(services.chapters.summary(chapter.id)).revision_count == 1
    assert all(isinstance(e, ChapterSaved) and not e.sealed and e.revision_number == 2 for e in events)
    assert len(events) == 50
    # The working text is listed first, flagged, with its change size against revision 1.
    listed = run(services.chapters.list_revisions(chapter.id))
    assert [(r.revision_number, r.sealed) for r in listed] == [(2, False), (1, True)]
    assert (listed[0].words_added, listed[0].words_removed) == (50, 0)
    # Saving the same text again writes and publishes nothing.
    events.clear()
    again = run(services.chapters.autosave(chapter.id, text, base=base))
    assert not again.changed and again.text.base == base and events == []


def test_checkpoint_seals_the_working_text(services: Services, chapter: Any, run: Any, events: list[Event]) -> None:
    base = run(services.chapters.autosave(chapter.id, OPENING + " Indeed.", base=1)).text.base
    events.clear()
    sealed = run(services.chapters.save(chapter.id, OPENING + " Indeed, yes.", base=base, checkpoint=True))
    assert sealed.revision_made and sealed.changed and not sealed.text.working
    assert sealed.text.revision_number == 2
    assert events == [ChapterSaved(chapter.project_id, chapter.id, 2, sealed=True)]
    (rev2, rev1) = run(services.chapters.list_revisions(chapter.id))
    assert (rev2.revision_number, rev2.sealed, rev2.source, rev2.words_added, rev2.words_removed) == (
        2,
        True,
        "MANUAL",
        2,
        0,
    )
    assert (rev1.words_added, rev1.words_removed) == (count_words(OPENING), 0)
    # The next autosave starts a new working row; revision 2 is history and stays as it was.
    nxt = run(services.chapters.autosave(chapter.id, "Something else entirely.", base=sealed.text.base))
    assert (nxt.text.revision_number, nxt.text.working) == (3, True)
    assert run(services.chapters.get_revision(chapter.id, 2)).content == OPENING + " Indeed, yes."


def test_first_autosave_after_a_pause_keeps_the_last_session(services: Services, chapter: Any, run: Any) -> None:
    """A client that does not track pauses (a script, a second window) still leaves one
    revision per writing session: a working text older than the pause is sealed as it was."""
    morning = OPENING + " Written in the morning."
    base = run(services.chapters.autosave(chapter.id, morning, base=1)).text.base
    _age_working_text(services, run, chapter.id, minutes=11)
    evening = run(services.chapters.autosave(chapter.id, morning + " And the evening.", base=base))
    assert evening.revision_made and evening.text.working and evening.text.revision_number == 3
    kept = run(services.chapters.get_revision(chapter.id, 2))
    assert (kept.content, kept.sealed) == (morning, True)
    # Within the pause, autosaves stay in place.
    _age_working_text(services, run, chapter.id, minutes=9)
    later = run(services.chapters.autosave(chapter.id, morning + " And the night.", base=evening.text.base))
    assert not later.revision_made and later.text.revision_number == 3


def test_save_revision_with_a_note(services: Services, chapter: Any, run: Any) -> None:
    result = run(
        services.chapters.save_revision(chapter.id, OPENING + " Mr Bennet.", note="  before the ball  ", base=1)
    )
    assert result.revision_made and result.text.revision_number == 2
    info = run(services.chapters.list_revisions(chapter.id))[0]
    assert (info.note, info.words_added, info.words_removed) == ("before the ball", 2, 0)
    # Save Revision of unchanged text makes no duplicate; a note goes on the revision that lacks one.
    plain = run(services.chapters.save_revision(chapter.id, OPENING + " Mr Bennet."))
    assert not plain.revision_made and plain.text.revision_number == 2
    run(services.chapters.save_text(chapter.id, OPENING))  # revision 3, no note
    run(services.chapters.save_revision(chapter.id, OPENING, note="back to the start"))
    assert [(r.revision_number, r.note) for r in run(services.chapters.list_revisions(chapter.id))] == [
        (3, "back to the start"),
        (2, "before the ball"),
        (1, None),
    ]


def test_restore_is_a_new_revision_and_keeps_the_working_text(services: Services, chapter: Any, run: Any) -> None:
    run(services.chapters.save_text(chapter.id, "Second revision."))
    run(services.chapters.autosave(chapter.id, "Unsaved working words.", base=None))
    before = {
        r.revision_number: run(services.chapters.get_revision(chapter.id, r.revision_number)).content
        for r in run(services.chapters.list_revisions(chapter.id))
    }
    restored = run(services.chapters.restore_revision(chapter.id, 1))
    assert (restored.content, restored.revision_number, restored.working) == (OPENING, 4, False)
    history = run(services.chapters.list_revisions(chapter.id))
    assert [(r.revision_number, r.source, r.sealed) for r in history] == [
        (4, "RESTORE", True),
        (3, "MANUAL", True),  # the working text, sealed as it was before the restore
        (2, "MANUAL", True),
        (1, "MANUAL", True),
    ]
    assert history[0].note == "Restored revision 1"
    for number, content in before.items():  # history is never rewritten
        assert run(services.chapters.get_revision(chapter.id, number)).content == content


def test_ai_draft_never_overwrites_the_working_text(services: Services, chapter: Any, run: Any) -> None:
    run(services.chapters.autosave(chapter.id, "The author's own unsaved sentence.", base=1))
    run(services.chapters.save_text(chapter.id, "An AI draft.", source="AI_DRAFT", token_cost=50, similarity_score=0.7))
    history = run(services.chapters.list_revisions(chapter.id))
    assert [(r.revision_number, r.source) for r in history] == [(3, "AI_DRAFT"), (2, "MANUAL"), (1, "MANUAL")]
    assert run(services.chapters.get_revision(chapter.id, 2)).content == "The author's own unsaved sentence."
    assert (history[0].similarity_label, history[1].similarity_label) == ("70%", "—")


def test_conflict_carries_both_texts(services: Services, chapter: Any, run: Any, events: list[Event]) -> None:
    mine = run(services.chapters.get(chapter.id))
    theirs = run(services.chapters.autosave(chapter.id, "Typed in another window.", base=mine.base))
    events.clear()
    with pytest.raises(RevisionConflictError) as info:
        run(services.chapters.autosave(chapter.id, "Typed here.", base=mine.base))
    assert info.value.theirs_text == "Typed in another window."
    assert info.value.theirs_base == theirs.text.base
    assert "Chapter 1" in str(info.value)
    assert events == []
    assert run(services.chapters.get(chapter.id)).content == "Typed in another window."
    # Keeping mine on top of theirs, with their working text kept in the history.
    kept = run(
        services.chapters.save(
            chapter.id, "Typed here.", base=info.value.theirs_base, checkpoint=True, seal_working_first=True
        )
    )
    assert kept.text.content == "Typed here."
    assert [run(services.chapters.get_revision(chapter.id, n)).content for n in (2, 3)] == [
        "Typed in another window.",
        "Typed here.",
    ]


def test_feedback_diff_words_and_status(services: Services, project: Any, chapter: Any, run: Any) -> None:
    run(services.chapters.save_text(chapter.id, OPENING.replace("single man", "single woman") + " Really."))
    rev = run(services.chapters.list_revisions(chapter.id))[0]
    updated = run(services.chapters.set_feedback(rev.id, "  Make it funnier. "))
    assert updated.user_feedback == "Make it funnier."
    assert run(services.chapters.list_revisions(chapter.id))[0].user_feedback == "Make it funnier."
    assert run(services.chapters.set_feedback(rev.id, "   ")).user_feedback is None
    with pytest.raises(NotFoundError):
        run(services.chapters.set_feedback(uuid.uuid4(), "x"))

    d = run(services.chapters.diff(chapter.id))  # default: current vs previous
    assert (d.a.revision_number, d.b.revision_number) == (1, 2)
    assert (d.diff.summary.words_added, d.diff.summary.words_removed) == (2, 1)
    first = run(services.chapters.diff(chapter.id, 0, 1))
    assert first.a.content == "" and first.diff.summary.words_added == count_words(OPENING)
    with pytest.raises(NotFoundError):
        run(services.chapters.diff(chapter.id, 1, 9))

    book = run(services.chapters.book_words(project.id))
    assert (book.words, book.target, book.chapters) == (count_words(d.b.content), 1000, 1)
    assert book.fraction == pytest.approx(book.words / 1000)
    for status in ("PLANNED", "DRAFT", "REVIEWING", "APPROVED"):
        assert run(services.chapters.set_status(chapter.id, status.lower())).status == status
    with pytest.raises(ValidationError):
        run(services.chapters.set_status(chapter.id, "DONE"))
    assert run(services.chapters.chapter_at(project.id, 1)).id == chapter.id
    with pytest.raises(NotFoundError):
        run(services.chapters.chapter_at(project.id, 2))


def test_long_chapter_change_size(services: Services, project: Any, run: Any, corpus_dir: Any) -> None:
    """A 100k-character chapter: the change size is computed (off the loop) and right."""
    book = (corpus_dir / "austen-pride-and-prejudice.txt").read_text(encoding="utf-8")[20_000:120_000]
    ch = run(services.chapters.create(project.id, "Long", content=book))
    edited = book.replace("Elizabeth", "Lizzy", 3)
    run(services.chapters.save_text(ch.id, edited))
    rev = run(services.chapters.list_revisions(ch.id))[0]
    assert (rev.words_added, rev.words_removed) == (3, 3)
