import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import FindingSummary
from ghostline_desktop.services.events import Event, FindingsChanged


@pytest.fixture
def events(services: Services) -> Iterator[list[Event]]:
    got: list[Event] = []
    unsubscribe = services.bus.subscribe(got.append)
    yield got
    unsubscribe()


@pytest.fixture
def project(services: Services, user, run):
    return run(services.projects.create(user.id, f"QA {uuid.uuid4().hex[:6]}"))


def test_empty_project(services: Services, project, run) -> None:
    assert run(services.qa.list_findings(project.id)) == []
    assert run(services.qa.blocking_open_count(project.id)) == 0
    assert run(services.qa.counts(project.id)) == {"OPEN": 0, "RESOLVED": 0, "WAIVED": 0}


def test_add_finding(services: Services, project, run, events) -> None:
    ch = run(services.chapters.create(project.id, "Pool of Tears"))
    events.clear()
    f = run(
        services.qa.add_finding(
            project.id,
            finding_type="SPELLING",
            severity="low",
            title="Old spelling: ‘skurried’",
            chapter_id=ch.id,
            description="Modern readers expect 'scurried'.",
            excerpt="skurried away into the darkness",
            suggestion="scurried",
        )
    )
    assert (f.finding_type, f.severity, f.status, f.is_blocking) == ("SPELLING", "LOW", "OPEN", False)
    assert (f.chapter_id, f.chapter_title, f.project_id) == (ch.id, "Pool of Tears", project.id)
    assert f.title == "Old spelling: ‘skurried’" and f.excerpt == "skurried away into the darkness"
    assert f.suggestion == "scurried" and f.resolved_at is None and f.created_at is not None
    assert events == [FindingsChanged(project.id)]
    assert run(services.qa.get(f.id)) == f


def test_ordering_by_severity_then_chapter_order(services: Services, project, run) -> None:
    late = run(services.chapters.create(project.id, "Late", order=5))
    early = run(services.chapters.create(project.id, "Early", order=1))

    def add(severity: str, chapter_id: uuid.UUID | None, title: str) -> None:
        run(
            services.qa.add_finding(
                project.id, finding_type="OTHER", severity=severity, title=title, chapter_id=chapter_id
            )
        )

    add("LOW", early.id, "low early")
    add("HIGH", late.id, "high late")
    add("CRITICAL", None, "critical book")
    add("HIGH", None, "high book")
    add("MEDIUM", late.id, "medium late")
    add("HIGH", early.id, "high early")
    titles = [f.title for f in run(services.qa.list_findings(project.id))]
    assert titles == ["critical book", "high early", "high late", "high book", "medium late", "low early"]


def test_set_status_resolve_waive_reopen(services: Services, user, project, run, events) -> None:
    f = run(services.qa.add_finding(project.id, finding_type="PLOT_HOLE", severity="HIGH", title="Where is the key?"))
    events.clear()
    resolved = run(services.qa.set_status(f.id, "RESOLVED", note="Added in chapter 2", user_id=user.id))
    assert resolved.status == "RESOLVED" and resolved.resolved_at is not None
    assert resolved.resolution_note == "Added in chapter 2"
    assert events == [FindingsChanged(project.id)]

    async def resolved_by() -> uuid.UUID | None:
        from ghostline_desktop.db.models import QAFinding

        async with services.db.session() as s:
            row = await s.get(QAFinding, f.id)
            assert row is not None
            return row.resolved_by_id

    assert run(resolved_by()) == user.id
    waived = run(services.qa.set_status(f.id, "waived"))
    assert waived.status == "WAIVED" and waived.resolved_at is not None and run(resolved_by()) is None
    reopened = run(services.qa.set_status(f.id, "OPEN"))
    assert reopened.status == "OPEN" and reopened.resolved_at is None and run(resolved_by()) is None

    assert [x.id for x in run(services.qa.list_findings(project.id, status="OPEN"))] == [f.id]
    assert run(services.qa.list_findings(project.id, status="RESOLVED")) == []


def test_status_filter_and_counts(services: Services, project, run) -> None:
    ids = [
        run(services.qa.add_finding(project.id, finding_type="GRAMMAR", severity="MEDIUM", title=f"g{i}")).id
        for i in range(4)
    ]
    run(services.qa.set_status(ids[0], "RESOLVED"))
    run(services.qa.set_status(ids[1], "WAIVED"))
    assert {f.id for f in run(services.qa.list_findings(project.id, status="OPEN"))} == set(ids[2:])
    assert [f.id for f in run(services.qa.list_findings(project.id, status="resolved"))] == [ids[0]]
    assert [f.id for f in run(services.qa.list_findings(project.id, status="Waived"))] == [ids[1]]
    assert run(services.qa.counts(project.id)) == {"OPEN": 2, "RESOLVED": 1, "WAIVED": 1}
    with pytest.raises(ValidationError):
        run(services.qa.list_findings(project.id, status="CLOSED"))


def test_blocking_open_count(services: Services, project, run) -> None:
    def add(blocking: bool) -> uuid.UUID:
        return run(
            services.qa.add_finding(
                project.id, finding_type="MISSING_CONTENT", severity="CRITICAL", title="gap", is_blocking=blocking
            )
        ).id

    a, b, _ = add(True), add(True), add(False)
    assert run(services.qa.blocking_open_count(project.id)) == 2
    run(services.qa.set_status(a, "RESOLVED"))
    run(services.qa.set_status(b, "WAIVED"))
    assert run(services.qa.blocking_open_count(project.id)) == 0
    run(services.qa.set_status(b, "OPEN"))
    assert run(services.qa.blocking_open_count(project.id)) == 1


def test_unicode_finding(services: Services, project, run) -> None:
    f = run(
        services.qa.add_finding(
            project.id,
            finding_type="NAME_INCONSISTENCY",
            severity="HIGH",
            title="Zoë or Zoe? 🐇",
            excerpt="“Zoë,” said 李.",
        )
    )
    assert run(services.qa.get(f.id)).title == "Zoë or Zoe? 🐇" and f.excerpt == "“Zoë,” said 李."


def test_validation_and_unknown_ids(services: Services, user, project, run) -> None:
    def add(**kw: Any) -> FindingSummary:
        args: dict[str, Any] = {"finding_type": "OTHER", "severity": "LOW", "title": "t"}
        args.update(kw)
        return run(services.qa.add_finding(project.id, **args))

    with pytest.raises(ValidationError):
        add(finding_type="TYPO_OF_DOOM")
    with pytest.raises(ValidationError):
        add(severity="APOCALYPTIC")
    with pytest.raises(ValidationError):
        add(title="  ")
    with pytest.raises(NotFoundError):
        add(chapter_id=uuid.uuid4())
    other = run(services.projects.create(user.id, "Other QA"))
    foreign = run(services.chapters.create(other.id, "Foreign"))
    with pytest.raises(NotFoundError):
        add(chapter_id=foreign.id)  # a chapter of another book
    with pytest.raises(NotFoundError):
        run(services.qa.add_finding(uuid.uuid4(), finding_type="OTHER", severity="LOW", title="t"))
    with pytest.raises(NotFoundError):
        run(services.qa.set_status(uuid.uuid4(), "RESOLVED"))
    with pytest.raises(NotFoundError):
        run(services.qa.get(uuid.uuid4()))
    with pytest.raises(NotFoundError):
        run(services.qa.delete_finding(uuid.uuid4()))
    f = add()
    with pytest.raises(ValidationError):
        run(services.qa.set_status(f.id, "DONE"))
    run(services.qa.delete_finding(f.id))
    with pytest.raises(NotFoundError):
        run(services.qa.get(f.id))
