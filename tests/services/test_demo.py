import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ghostline_desktop.core import outline_tree
from ghostline_desktop.core.words import count_words
from ghostline_desktop.errors import ValidationError
from ghostline_desktop.resources import resource_path
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.demo import DemoService, draft_of, load_spec
from ghostline_desktop.services.events import Event, NotificationsChanged, ProjectsChanged


@pytest.fixture
def events(services: Services) -> Iterator[list[Event]]:
    got: list[Event] = []
    unsubscribe = services.bus.subscribe(got.append)
    yield got
    unsubscribe()


@pytest.fixture
def owner(services: Services, run):
    name = f"demo{uuid.uuid4().hex[:8]}"
    return run(services.accounts.create_user(email=f"{name}@example.org", username=name))


def test_material_is_complete() -> None:
    """Every file demo.json names exists, is small, and the outline is valid."""
    directory = resource_path("demo")
    spec = load_spec()
    assert outline_tree.validate(spec["outline"]["structure"]) == spec["outline"]["structure"]
    files = [c["file"] for c in spec["chapters"]] + [s["file"] for s in spec["sources"]]
    for name in files:
        path = directory / name
        assert path.is_file(), name
        assert 200 < path.stat().st_size < 8_000, name
    assert (directory / "README.md").is_file()


def test_draft_of() -> None:
    final = "One two.\n\nThree four.\n\nFive six.\n"
    assert draft_of(final, {"paragraphs": 2, "replace": [["four", "4"]]}) == "One two.\n\nThree 4.\n"
    assert draft_of(final, {}) == final


def test_create_demo_project(services: Services, owner, run, events) -> None:
    spec = load_spec()
    project = run(services.demo.create_demo_project(owner.id))
    assert project.title == "The Demo Book"
    assert project.status == "WRITING" and project.genre == "FANTASY"
    assert project.chapter_count == 3 and project.source_count == 4
    assert ProjectsChanged(project.id, "created") in events
    assert NotificationsChanged(owner.id) in events

    outline = run(services.outline.current(project.id))
    assert outline is not None and outline.status == "APPROVED"
    assert (outline.part_count, outline.chapter_count) == (2, 3) and outline.scene_count >= 6

    chapters = run(services.chapters.list_chapters(project.id))
    assert [c.title for c in chapters] == [c["title"] for c in spec["chapters"]]
    assert [c.order for c in chapters] == [1, 2, 3]
    assert [c.status for c in chapters] == ["APPROVED", "REVIEWING", "DRAFT"]
    assert [c.outline_position for c in chapters] == [c["outline_position"] for c in spec["chapters"]]
    for summary, ch_spec in zip(chapters, spec["chapters"], strict=True):
        assert summary.revision_count == 2
        text = run(services.chapters.get(summary.id))
        final = resource_path("demo", ch_spec["file"]).read_text(encoding="utf-8")
        assert text.content == final and text.revision_number == 2
        assert summary.word_count == count_words(final) > 400
        first = run(services.chapters.get_revision(summary.id, 1))
        assert first.content != final and first.word_count < summary.word_count
    # The outline's chapters line up with the chapter rows.
    flat = outline_tree.flatten(outline.structure)
    assert [c.position for c in flat] == [c.outline_position for c in chapters]
    assert project.word_count == sum(c.word_count for c in chapters)

    sources = run(services.sources.list_sources(project.id))
    assert {s.material_type for s in sources} == {"NOTE", "TEXT", "MARKDOWN"}
    assert all(s.processing_status == "READY" and s.word_count > 0 for s in sources)
    assert "St. Petersburgh" in run(services.sources.get_text(next(s.id for s in sources if s.material_type == "TEXT")))

    findings = run(services.qa.list_findings(project.id))
    assert len(findings) == len(spec["findings"]) >= 5
    assert len({f.severity for f in findings}) >= 3
    assert findings[0].severity == "CRITICAL" and findings[0].is_blocking and findings[0].status == "OPEN"
    assert run(services.qa.blocking_open_count(project.id)) == 1
    assert {f.status for f in findings} == {"OPEN", "RESOLVED", "WAIVED"}
    assert any(f.chapter_id is None for f in findings)
    # Each excerpt really occurs in its chapter, so "go to finding" can find it.
    for f in findings:
        if f.chapter_id and f.excerpt:
            assert f.excerpt in run(services.chapters.get(f.chapter_id)).content, f.title
    word_finding = next(f for f in findings if f.finding_type == "WORD_COUNT")
    assert f"{project.word_count:,}" in (word_finding.description or "")

    notes = run(services.notifications.list(owner.id))
    assert len(notes) == 1 and notes[0].title.startswith("Welcome") and notes[0].project_id == project.id
    assert run(services.notifications.unread_count(owner.id)) == 1


def test_twice_makes_two_independent_projects(services: Services, owner, run) -> None:
    a = run(services.demo.create_demo_project(owner.id))
    b = run(services.demo.create_demo_project(owner.id))
    assert a.id != b.id
    assert len(run(services.projects.list_projects(owner.id))) == 2
    run(services.projects.delete(a.id))
    assert run(services.projects.get(b.id)).chapter_count == 3


def test_broken_material_leaves_no_partial_project(services: Services, owner, run, tmp_path: Path) -> None:
    broken = tmp_path / "demo"
    shutil.copytree(resource_path("demo"), broken)
    (broken / "chapter-3.md").unlink()
    demo = DemoService(
        services.projects,
        services.outline,
        services.chapters,
        services.sources,
        services.qa,
        services.notifications,
        directory=broken,
    )
    with pytest.raises(ValidationError, match=r"chapter-3\.md"):
        run(demo.create_demo_project(owner.id))
    assert run(services.projects.list_projects(owner.id, include_archived=True)) == []

    (broken / "demo.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationError, match="could not be read"):
        run(demo.create_demo_project(owner.id))
    assert run(services.projects.list_projects(owner.id, include_archived=True)) == []


def test_demo_json_is_plain_json() -> None:
    # The file is edited by hand; keep it loadable by any JSON reader.
    json.loads(resource_path("demo", "demo.json").read_text(encoding="utf-8"))
