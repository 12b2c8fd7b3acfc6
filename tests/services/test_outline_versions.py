"""Outline versions (edit a draft in place, approve freezes, restore as new) and approving an
outline laying out the chapters without ever deleting text."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import ChaptersChanged, Event, OutlineChanged

PLAN: dict[str, Any] = {
    "parts": [
        {"title": "Part I", "chapters": [{"title": "One", "scenes": ["a"]}, {"title": "Two", "scenes": []}]},
        {"title": "Part II", "chapters": [{"title": "Three", "scenes": ["c"]}]},
    ]
}


@pytest.fixture
def project(services: Services, user: Any, run: Any) -> Any:
    return run(services.projects.create(user.id, f"Versions {uuid.uuid4().hex[:6]}"))


def _titles(services: Services, run: Any, project_id: uuid.UUID) -> list[tuple[str, int, bool]]:
    return [(c.title, c.order, c.in_outline) for c in run(services.chapters.list_chapters(project_id))]


def test_approve_freezes_and_the_next_edit_is_a_new_version(services: Services, project: Any, run: Any) -> None:
    got: list[Event] = []
    unsubscribe = services.bus.subscribe(got.append)
    v1 = run(services.outline.save(project.id, PLAN, title="Plan"))
    approval = run(services.outline.approve(v1.id))
    unsubscribe()
    assert approval.outline.status == "APPROVED" and approval.outline.version == 1
    assert len(approval.created) == 3 and approval.updated == approval.orphaned == approval.removed == []
    assert OutlineChanged(project.id) in got and ChaptersChanged(project.id, None, "outline") in got
    chapters = run(services.chapters.list_chapters(project.id))
    assert [(c.title, c.order, c.status, c.outline_position) for c in chapters] == [
        ("One", 1, "PLANNED", {"part": 0, "chapter": 0}),
        ("Two", 2, "PLANNED", {"part": 0, "chapter": 1}),
        ("Three", 3, "PLANNED", {"part": 1, "chapter": 0}),
    ]
    # Each outline entry now names its chapter, so later renames and moves keep the text.
    ids = [c["chapter_id"] for p in approval.outline.structure["parts"] for c in p["chapters"]]
    assert ids == [str(c.id) for c in chapters]

    edited = copy.deepcopy(approval.outline.structure)
    edited["parts"][0]["chapters"][0]["title"] = "Uno"
    v2 = run(services.outline.save(project.id, edited))
    assert (v2.version, v2.status) == (2, "DRAFT")
    assert run(services.outline.get(v1.id)).structure == approval.outline.structure  # frozen
    assert [(o.version, o.status) for o in run(services.outline.versions(project.id))] == [
        (2, "DRAFT"),
        (1, "APPROVED"),
    ]
    run(services.outline.approve(v2.id))
    # The previously approved version is archived, and hidden unless asked for.
    assert [o.version for o in run(services.outline.versions(project.id))] == [2]
    assert [(o.version, o.status) for o in run(services.outline.versions(project.id, include_archived=True))] == [
        (2, "APPROVED"),
        (1, "ARCHIVED"),
    ]
    assert _titles(services, run, project.id)[0] == ("Uno", 1, True)
    with pytest.raises(ValidationError):
        run(services.outline.approve(v1.id))  # archived: restore it first
    with pytest.raises(NotFoundError):
        run(services.outline.approve(uuid.uuid4()))


def test_approving_never_deletes_text_and_flags_orphans(services: Services, project: Any, run: Any) -> None:
    first = run(services.outline.approve(run(services.outline.save(project.id, PLAN)).id))
    one, two, three = run(services.chapters.list_chapters(project.id))
    run(services.chapters.save_text(two.id, "Two has words the author wrote."))
    loose = run(services.chapters.create(project.id, "Loose notes"))  # made by hand, never in an outline

    plan = copy.deepcopy(first.outline.structure)
    part1, part2 = plan["parts"]
    uno = {**part1["chapters"][0], "title": "Uno"}
    plan["parts"] = [
        {"title": "Part I", "chapters": [part2["chapters"][0], uno]},  # Three moved before One; Two removed
        {"title": "Part II", "chapters": [{"title": "Four", "scenes": []}]},
    ]
    approval = run(services.outline.approve(run(services.outline.save(project.id, plan)).id))
    assert set(approval.updated) == {one.id, three.id}
    assert len(approval.created) == 1
    assert set(approval.orphaned) == {two.id, loose.id} and approval.removed == []
    assert _titles(services, run, project.id) == [
        ("Three", 1, True),
        ("Uno", 2, True),
        ("Four", 3, True),
        ("Two", 4, False),
        ("Loose notes", 5, False),
    ]
    orphan = run(services.chapters.summary(two.id))
    assert orphan.outline_position == {"orphaned": True, "was": {"part": 0, "chapter": 1}}
    assert run(services.chapters.get(two.id)).content == "Two has words the author wrote."
    assert run(services.chapters.get(one.id)).title == "Uno"  # same chapter, renamed

    # Dropping the empty planned chapter an outline made removes it; the orphans stay.
    plan = copy.deepcopy(approval.outline.structure)
    plan["parts"] = plan["parts"][:1]
    third = run(services.outline.approve(run(services.outline.save(project.id, plan)).id))
    assert third.removed == approval.created and set(third.orphaned) == {two.id, loose.id}
    assert [t for t, _, _ in _titles(services, run, project.id)] == ["Three", "Uno", "Two", "Loose notes"]
    # Putting the orphan back in the outline (by its id) brings it back in place.
    plan = copy.deepcopy(third.outline.structure)
    plan["parts"][0]["chapters"].append({"title": "Two again", "chapter_id": str(two.id)})
    run(services.outline.approve(run(services.outline.save(project.id, plan)).id))
    back = run(services.chapters.summary(two.id))
    assert (back.title, back.order, back.in_outline, back.outline_position) == (
        "Two again",
        3,
        True,
        {"part": 0, "chapter": 2},
    )


def test_restore_an_older_version_as_a_new_version(services: Services, project: Any, run: Any) -> None:
    v1 = run(services.outline.save(project.id, PLAN, title="First idea"))
    run(services.outline.approve(v1.id))
    v2 = run(services.outline.save(project.id, {"parts": [{"title": "Only", "chapters": []}]}, title="Second"))
    run(services.outline.approve(v2.id))
    restored = run(services.outline.restore_version(v1.id))
    assert (restored.version, restored.status, restored.title) == (3, "DRAFT", "First idea")
    assert [c["title"] for p in restored.structure["parts"] for c in p["chapters"]] == ["One", "Two", "Three"]
    assert run(services.outline.get(v1.id)).status == "ARCHIVED"  # the old one is untouched history
    assert run(services.outline.current(project.id)) == restored


def test_approve_links_chapters_written_before_the_outline(services: Services, project: Any, run: Any) -> None:
    written = run(services.chapters.create(project.id, "two", content="Written first."))
    approval = run(services.outline.approve(run(services.outline.save(project.id, PLAN)).id))
    assert approval.updated == [written.id] and len(approval.created) == 2
    assert [(t, o) for t, o, _ in _titles(services, run, project.id)] == [("One", 1), ("Two", 2), ("Three", 3)]
    assert run(services.chapters.get(written.id)).content == "Written first."
