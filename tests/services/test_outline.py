import uuid
from collections.abc import Iterator

import pytest

from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import Event, OutlineChanged

PLAN = {
    "parts": [
        {"title": "Part I", "chapters": [{"title": "One", "scenes": ["a", "b"]}, {"title": "Two", "scenes": []}]},
        {"title": "Part II", "chapters": [{"title": "Three", "scenes": ["c"]}]},
    ]
}


@pytest.fixture
def events(services: Services) -> Iterator[list[Event]]:
    got: list[Event] = []
    unsubscribe = services.bus.subscribe(got.append)
    yield got
    unsubscribe()


@pytest.fixture
def project(services: Services, user, run):
    return run(services.projects.create(user.id, f"Outline {uuid.uuid4().hex[:6]}"))


def test_no_outline_yet(services: Services, project, run) -> None:
    assert run(services.outline.current(project.id)) is None
    assert run(services.outline.history(project.id)) == []
    assert run(services.outline.current(uuid.uuid4())) is None


def test_editing_a_draft_changes_it_in_place(services: Services, project, run, events) -> None:
    v1 = run(services.outline.save(project.id, PLAN, title="The plan"))
    assert (v1.version, v1.status, v1.title, v1.project_id) == (1, "DRAFT", "The plan", project.id)
    assert v1.structure == PLAN
    assert (v1.part_count, v1.chapter_count, v1.scene_count) == (2, 3, 3)
    assert events == [OutlineChanged(project.id)]

    changed = {"parts": [*PLAN["parts"], {"title": "Part III", "chapters": []}]}
    edited = run(services.outline.save(project.id, changed))
    assert (edited.id, edited.version, edited.title) == (v1.id, 1, "The plan")  # same DRAFT, title kept
    assert edited.part_count == 3
    assert run(services.outline.version_count(project.id)) == 1
    renamed = run(services.outline.save(project.id, changed, title="Renamed"))
    assert (renamed.version, renamed.title) == (1, "Renamed")

    # An AI-generated outline arrives as a new DRAFT beside the current one.
    ai = run(services.outline.save(project.id, PLAN, new_version=True))
    assert (ai.version, ai.status, ai.title) == (2, "DRAFT", "Renamed")
    # Either draft can still be edited in place by id.
    again = run(services.outline.save(project.id, PLAN, outline_id=v1.id))
    assert (again.id, again.version, again.structure) == (v1.id, 1, PLAN)
    assert [o.version for o in run(services.outline.history(project.id))] == [2, 1]


def test_current_skips_archived_versions(services: Services, project, run) -> None:
    v1 = run(services.outline.save(project.id, PLAN))
    v2 = run(services.outline.save(project.id, {"parts": []}, new_version=True))
    archived = run(services.outline.set_status(v2.id, "ARCHIVED"))
    assert archived.status == "ARCHIVED"
    assert run(services.outline.current(project.id)) == v1
    run(services.outline.set_status(v1.id, "archived"))
    assert run(services.outline.current(project.id)) is None
    # A new save after archived versions still gets the next number.
    assert run(services.outline.save(project.id, PLAN)).version == 3
    approved = run(services.outline.set_status(v1.id, "APPROVED"))
    assert approved.status == "APPROVED"
    assert run(services.outline.current(project.id)).version == 3


def test_saved_structure_is_cleaned(services: Services, project, run) -> None:
    saved = run(
        services.outline.save(
            project.id,
            {"parts": [{"title": "  Première   partie ", "chapters": [{"title": "第一章", "scenes": ["🐇", ""]}]}]},
        )
    )
    assert saved.structure == {
        "parts": [{"title": "Première partie", "chapters": [{"title": "第一章", "scenes": ["🐇"]}]}]
    }
    assert run(services.outline.current(project.id)).structure == saved.structure


def test_empty_outline_is_allowed(services: Services, project, run) -> None:
    empty = run(services.outline.save(project.id, {"parts": []}))
    assert empty.structure == {"parts": []} and empty.chapter_count == 0
    # "parts": null counts as no parts.
    assert run(services.outline.save(project.id, {"parts": None})).structure == {"parts": []}


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"parts": [{"title": ""}]},
        {"parts": [{"title": "P", "chapters": [{"title": "C", "scenes": [3]}]}]},
        {"chapters": []},
        [],
    ],
)
def test_bad_shape_is_rejected_and_writes_nothing(services: Services, project, run, events, bad) -> None:
    with pytest.raises(ValidationError):
        run(services.outline.save(project.id, bad))
    assert run(services.outline.current(project.id)) is None
    assert events == []


def test_bad_title_and_unknown_ids(services: Services, project, run) -> None:
    with pytest.raises(ValidationError):
        run(services.outline.save(project.id, PLAN, title="x" * 501))
    with pytest.raises(NotFoundError):
        run(services.outline.save(uuid.uuid4(), PLAN))
    with pytest.raises(NotFoundError):
        run(services.outline.set_status(uuid.uuid4(), "APPROVED"))
    v = run(services.outline.save(project.id, PLAN, title="   "))
    assert v.title is None
    with pytest.raises(ValidationError):
        run(services.outline.set_status(v.id, "FINISHED"))


def test_outline_is_per_project(services: Services, user, project, run) -> None:
    other = run(services.projects.create(user.id, "Other outline"))
    run(services.outline.save(project.id, PLAN))
    assert run(services.outline.current(other.id)) is None
