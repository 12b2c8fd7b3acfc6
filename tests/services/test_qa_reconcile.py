"""QAService.reconcile and set_status_many: identity by fingerprint, scope, one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from ghostline_desktop.core.enums import FindingType, Severity
from ghostline_desktop.core.qa.model import Finding
from ghostline_desktop.errors import NotFoundError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import Event, FindingsChanged
from ghostline_desktop.services.qa import AUTO_NOTE, fingerprints

MC = FindingType.MISSING_CONTENT


def tk(chapter_id: uuid.UUID | None, start: int, subject: str = "TK", kind: FindingType = MC) -> Finding:
    return Finding(
        finding_type=kind,
        severity=Severity.HIGH,
        is_blocking=True,
        chapter_id=chapter_id,
        start=start,
        end=start + len(subject),
        excerpt=f"… {subject} …",
        title=f"Placeholder “{subject}”",
        explanation="Text still to come.",
        suggestion="Write it.",
        rule="placeholder.tk",
        subject=subject,
    )


@pytest.fixture
def events(services: Services) -> Iterator[list[Event]]:
    got: list[Event] = []
    unsubscribe = services.bus.subscribe(got.append)
    yield got
    unsubscribe()


@pytest.fixture
def book(services: Services, user: Any, run: Any) -> tuple[Any, Any, Any]:
    project = run(services.projects.create(user.id, f"Reconcile {uuid.uuid4().hex[:6]}"))
    one = run(services.chapters.create(project.id, "One", content="Anna TK."))
    two = run(services.chapters.create(project.id, "Two", content="Ben TK."))
    return project, one, two


def reconcile(services: Services, run: Any, project: Any, findings: list[Finding], chapters: list[Any], **kw: Any):
    kw.setdefault("book_level", True)
    kw.setdefault("checked_types", [MC])
    return run(services.qa.reconcile(project.id, findings, chapter_ids=[c.id for c in chapters], **kw))


def by_start(services: Services, run: Any, project: Any) -> dict[int | None, Any]:
    return {f.start: f for f in run(services.qa.list_findings(project.id))}


def test_fingerprint_is_stable_and_counts_occurrences() -> None:
    ch = uuid.uuid4()
    a = fingerprints([tk(ch, 10), tk(ch, 50), tk(ch, 90, "TODO")])
    moved = fingerprints([tk(ch, 300, "TODO"), tk(ch, 110), tk(ch, 150)])  # text inserted above, other order
    assert a == [moved[1], moved[2], moved[0]]
    assert len(set(a)) == 3
    assert fingerprints([tk(ch, 10, "Darcey")]) == fingerprints([tk(ch, 99, " darcey ")])  # normalised subject
    # The chapter is matched as a column, not hashed (a fork's new chapter ids keep identities)...
    assert fingerprints([tk(ch, 10)]) == fingerprints([tk(uuid.uuid4(), 10)])
    # ...and occurrences count per chapter.
    other = uuid.uuid4()
    assert fingerprints([tk(ch, 10), tk(other, 5)]) == fingerprints([tk(ch, 10)]) * 2


def test_reconcile_new_update_auto_resolve_reopen(services: Services, run: Any, book: Any, user: Any) -> None:
    project, one, two = book
    r = reconcile(services, run, project, [tk(one.id, 5), tk(two.id, 4)], [one, two])
    assert (r.new, r.updated, r.auto_resolved, r.open_total, r.open_blocking) == (2, 0, 0, 2, 2)
    first = by_start(services, run, project)
    assert {f.status for f in first.values()} == {"OPEN"}
    f1 = first[5]
    assert (f1.rule, f1.end, f1.chapter_id) == ("placeholder.tk", 7, one.id)

    # Text added above: same identity, new position.
    r = reconcile(services, run, project, [tk(one.id, 25), tk(two.id, 4)], [one, two])
    assert (r.new, r.updated, r.auto_resolved) == (0, 2, 0)
    again = by_start(services, run, project)
    assert again[25].id == f1.id and again[25].created_at == f1.created_at

    # Fixed: no longer found -> RESOLVED by itself, with the note.
    r = reconcile(services, run, project, [tk(two.id, 4)], [one, two])
    assert r.auto_resolved == 1 and r.open_total == 1
    gone = run(services.qa.get(f1.id))
    assert (gone.status, gone.resolution_note, gone.auto_resolved) == ("RESOLVED", AUTO_NOTE, True)
    assert gone.resolved_at is not None and gone.resolved_by_name is None

    # Back again -> reopened (a run resolved it, a run may reopen it).
    r = reconcile(services, run, project, [tk(one.id, 5), tk(two.id, 4)], [one, two])
    assert (r.reopened, r.new) == (1, 0)
    back = run(services.qa.get(f1.id))
    assert (back.status, back.resolution_note, back.resolved_at, back.auto_resolved) == ("OPEN", None, None, False)


def test_waived_stays_waived_and_author_resolved_is_not_reopened(
    services: Services, run: Any, book: Any, user: Any
) -> None:
    project, one, two = book
    reconcile(services, run, project, [tk(one.id, 5), tk(two.id, 4)], [one, two])
    f = by_start(services, run, project)
    waived = run(services.qa.set_status(f[5].id, "WAIVED", note="Intentional", user_id=user.id))
    assert waived.resolved_by_name and waived.resolution_note == "Intentional"
    resolved = run(services.qa.set_status(f[4].id, "RESOLVED", note="Done", user_id=user.id))
    # Edits elsewhere move both; they keep what the author decided.
    reconcile(services, run, project, [tk(one.id, 80), tk(two.id, 40)], [one, two])
    assert run(services.qa.get(waived.id)).status == "WAIVED"
    assert run(services.qa.get(waived.id)).start == 80
    assert run(services.qa.get(resolved.id)).status == "RESOLVED"
    # Not found any more: a waived one is not touched (no auto note).
    reconcile(services, run, project, [], [one, two])
    w = run(services.qa.get(waived.id))
    assert (w.status, w.resolution_note) == ("WAIVED", "Intentional")


def test_scope_types_and_hand_written_rows(services: Services, run: Any, book: Any) -> None:
    project, one, two = book
    spelling = tk(one.id, 0, "Anna", FindingType.SPELLING)
    reconcile(
        services,
        run,
        project,
        [tk(one.id, 5), tk(two.id, 4), spelling],
        [one, two],
        checked_types=[MC, FindingType.SPELLING],
    )
    manual = run(services.qa.add_finding(project.id, finding_type="PLOT_HOLE", severity="HIGH", title="Key?"))
    # A run of chapter two only, checking placeholders only: chapter one and SPELLING stay as they were.
    r = reconcile(services, run, project, [], [two], book_level=False)
    assert r.auto_resolved == 1
    rows = {(f.chapter_id, f.finding_type): f.status for f in run(services.qa.list_findings(project.id))}
    assert rows[(one.id, "MISSING_CONTENT")] == "OPEN"
    assert rows[(one.id, "SPELLING")] == "OPEN"
    assert rows[(two.id, "MISSING_CONTENT")] == "RESOLVED"
    assert run(services.qa.get(manual.id)).status == "OPEN"  # hand-written: no fingerprint, never touched
    # A finding of a chapter outside the scope is ignored, not inserted.
    r = reconcile(services, run, project, [tk(one.id, 99, "XXX")], [two], book_level=False)
    assert r.new == 0


def test_set_status_many_is_one_transaction(
    services: Services, run: Any, book: Any, user: Any, events: list[Event]
) -> None:
    project, one, two = book
    reconcile(services, run, project, [tk(one.id, 5), tk(one.id, 50), tk(two.id, 4)], [one, two])
    ids = [f.id for f in run(services.qa.list_findings(project.id))]
    events.clear()
    out = run(services.qa.set_status_many(ids[:2], "WAIVED", note="House style", user_id=user.id))
    assert [f.id for f in out] == ids[:2]
    assert all(f.status == "WAIVED" and f.resolution_note == "House style" and f.resolved_by_name for f in out)
    assert len({f.resolved_at for f in out}) == 1  # one transaction, one moment
    assert events == [FindingsChanged(project.id)]  # one refresh for the whole selection
    # One id gone: nothing changes at all.
    with pytest.raises(NotFoundError):
        run(services.qa.set_status_many([ids[2], uuid.uuid4()], "RESOLVED", user_id=user.id))
    assert run(services.qa.get(ids[2])).status == "OPEN"
    reopened = run(services.qa.set_status_many(ids[:2], "OPEN"))
    assert all(f.status == "OPEN" and f.resolved_at is None for f in reopened)
    assert run(services.qa.set_status_many([], "RESOLVED")) == []
