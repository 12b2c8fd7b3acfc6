"""QA runs as QA_CHECK jobs: findings recorded, stable across edits, incremental analysis,
stale results dropped, a new run cancels the one in flight, the QA_COMPLETE notification."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import update

from ghostline_desktop.core.enums import TaskStatus
from ghostline_desktop.db.models import ChapterRevision, VoiceProfile
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.qa_runs import RunOutcome

ONE = "Anna took the ferry at dawn. TK\n\nThe gulls followed her across the water."
TWO = "Ben waited on the quay. The letter said nothing of the storm."


@pytest.fixture
def book(services: Services, user: Any, run: Any) -> tuple[Any, Any, Any]:
    project = run(services.projects.create(user.id, f"QA run {uuid.uuid4().hex[:6]}"))
    one = run(services.chapters.create(project.id, "The ferry", content=ONE))
    two = run(services.chapters.create(project.id, "The quay", content=TWO))
    return project, one, two


def placeholders(services: Services, run: Any, project: Any, status: str | None = None) -> list[Any]:
    return run(services.qa.list_findings(project.id, status=status, finding_type="MISSING_CONTENT"))


def qa(services: Services, run: Any, project: Any, **kw: Any) -> RunOutcome:
    out = run(services.qa_runs.run_and_wait(project.id, **kw))
    assert out is not None
    return out


def save(services: Services, run: Any, chapter: Any, text: str) -> None:
    current = run(services.chapters.get(chapter.id))
    run(services.chapters.autosave(chapter.id, text, base=current.base))


def test_book_run_records_placeholders_with_position_and_revision(
    services: Services, run: Any, book: Any, user: Any
) -> None:
    project, one, _two = book
    out = qa(services, run, project, user_id=user.id)
    assert out.scope == "book" and out.chapters == 2 and out.analysed == 2 and out.stale == 0
    (f,) = placeholders(services, run, project)
    assert (f.chapter_id, f.chapter_title, f.is_blocking, f.status) == (one.id, "The ferry", True, "OPEN")
    assert ONE[f.start : f.end] == "TK" == f.span
    assert f.revision_id is not None and "TK" in (f.excerpt or "")
    assert out.result.open_blocking >= 1
    job = run(services.runner.wait(out.job_id))
    assert job.status is TaskStatus.COMPLETED and "blocking" in (job.message or "")


def test_identity_waive_and_auto_resolve_across_edits(services: Services, run: Any, book: Any, user: Any) -> None:
    project, one, two = book
    qa(services, run, project)
    (f,) = placeholders(services, run, project)
    run(services.qa.set_status(f.id, "WAIVED", note="Kept on purpose", user_id=user.id))
    # Edit elsewhere (other chapter, and above the placeholder in the same chapter): still waived, moved.
    save(services, run, two, TWO + " XXX")
    save(services, run, one, "A new opening line.\n\n" + ONE)
    qa(services, run, project)
    rows = {x.chapter_id: x for x in placeholders(services, run, project, status=None)}
    moved = rows[one.id]
    assert moved.id == f.id and moved.status == "WAIVED" and moved.start == f.start + len("A new opening line.\n\n")
    assert rows[two.id].status == "OPEN"
    # The author fixes chapter two: its finding resolves by itself on the next (chapter) run.
    save(services, run, two, TWO)
    out = qa(services, run, project, chapter_id=two.id)
    assert out.scope == "The quay" and out.result.auto_resolved == 1
    fixed = run(services.qa.get(rows[two.id].id))
    assert (fixed.status, fixed.resolution_note) == ("RESOLVED", "fixed: no longer found")
    assert run(services.qa.get(f.id)).status == "WAIVED"


def test_incremental_run_analyses_only_the_edited_chapter(services: Services, run: Any, book: Any) -> None:
    project, one, two = book
    assert qa(services, run, project).analysed == 2
    assert qa(services, run, project).analysed == 0  # nothing changed: all from the cache
    save(services, run, two, TWO + " TODO: the storm")
    out = qa(services, run, project, chapter_id=two.id)
    assert out.analysed == 1
    assert {f.chapter_id for f in placeholders(services, run, project, "OPEN")} == {one.id, two.id}


def test_results_for_text_changed_during_the_run_are_dropped(
    services: Services, run: Any, book: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, one, _two = book
    svc = services.qa_runs
    original = svc._analyses

    async def edit_while_analysing(ctx: Any, chapters: Any) -> Any:
        got = await original(ctx, chapters)
        current = await services.chapters.get(one.id)
        await services.chapters.autosave(one.id, current.content.replace("TK", "the rest"), base=current.base)
        return got

    monkeypatch.setattr(svc, "_analyses", edit_while_analysing)
    out = qa(services, run, project)
    assert out.stale == 1
    assert placeholders(services, run, project) == []  # the TK it read is gone: not recorded
    monkeypatch.undo()
    assert qa(services, run, project).stale == 0


def test_a_new_run_cancels_the_one_in_flight(
    services: Services, run: Any, book: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, one, _two = book
    original = services.qa_runs._analyses

    async def slow(ctx: Any, chapters: Any) -> Any:  # a long book: the run is surely still in flight
        await asyncio.sleep(0.3)
        return await original(ctx, chapters)

    monkeypatch.setattr(services.qa_runs, "_analyses", slow)

    async def two_runs() -> tuple[Any, Any]:
        first = await services.qa_runs.run(project.id)
        second = await services.qa_runs.run(project.id)
        return await services.runner.wait(first), await services.runner.wait(second)

    first, second = run(two_runs())
    assert first.status is TaskStatus.CANCELLED
    assert second.status is TaskStatus.COMPLETED
    # A chapter run (the background one after typing) does not cancel a book run.

    async def book_then_chapter() -> tuple[Any, Any]:
        book_job = await services.qa_runs.run(project.id)
        chapter_job = await services.qa_runs.run(project.id, chapter_id=one.id, background=True)
        return await services.runner.wait(book_job), await services.runner.wait(chapter_job)

    a, b = run(book_then_chapter())
    assert a.status is TaskStatus.COMPLETED and b.status is TaskStatus.COMPLETED


def test_qa_complete_notification(services: Services, run: Any, book: Any, user: Any) -> None:
    project, one, _two = book
    before = {n.id for n in run(services.notifications.list(user.id))}
    qa(services, run, project, user_id=user.id)
    new = [n for n in run(services.notifications.list(user.id)) if n.id not in before]
    assert [n.notification_type for n in new] == ["QA_COMPLETE"]
    assert new[0].project_id == project.id and "blocking" in new[0].title and "open finding" in (new[0].message or "")
    # Background runs do not notify.
    qa(services, run, project, user_id=user.id, chapter_id=one.id, background=True)
    assert len([n for n in run(services.notifications.list(user.id)) if n.id not in before]) == 1


def test_style_deviation_uses_scores_and_the_voice_range(services: Services, run: Any, book: Any) -> None:

    project, one, two = book
    run(services.chapters.save_text(one.id, ONE + "\n\nMore.", similarity_score=0.2))

    async def set_range() -> None:
        async with services.db.session() as s:
            s.add(
                VoiceProfile(
                    project_id=project.id, style_attributes={"score_range": {"low": 0.7, "mean": 0.8, "std": 0.04}}
                )
            )
            await s.execute(
                update(ChapterRevision).where(ChapterRevision.chapter_id == two.id).values(similarity_score=0.81)
            )

    run(set_range())
    qa(services, run, project)
    style = run(services.qa.list_findings(project.id, finding_type="STYLE_DEVIATION"))
    assert [f.chapter_id for f in style] == [one.id]


def test_a_forked_edition_keeps_waived_findings(services: Services, run: Any, book: Any, user: Any) -> None:
    project, one, _two = book
    qa(services, run, project)
    (f,) = placeholders(services, run, project)
    run(services.qa.set_status(f.id, "WAIVED", note="Kept", user_id=user.id))
    fork = run(services.projects.fork(project.id, "Second edition"))
    (copied,) = placeholders(services, run, fork, status=None)
    assert copied.status == "WAIVED" and copied.chapter_id != one.id and copied.revision_id != f.revision_id
    out = qa(services, run, fork)
    assert out.result.new == 0  # the same identity under the new chapter id: no duplicate
    (again,) = placeholders(services, run, fork, status=None)
    assert (again.id, again.status) == (copied.id, "WAIVED") and again.revision_id is not None
