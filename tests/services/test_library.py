import dataclasses
import uuid
from collections.abc import Iterator

import pytest

from ghostline_desktop.db.models import MaterialType, ProcessingStatus, SourceMaterial
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import Event, JobChanged, SourcesChanged


@pytest.fixture
def events(services: Services) -> Iterator[list[Event]]:
    got: list[Event] = []
    unsubscribe = services.bus.subscribe(got.append)
    yield got
    unsubscribe()


async def settle(services: Services, project_id: uuid.UUID) -> None:
    while active := services.runner.jobs(project_id):
        for job in active:
            await services.jobs.wait(job.id, 60)


def mine(events: list[Event], project_id: uuid.UUID) -> list[Event]:
    """This project's library events: notes of earlier tests may still be indexed by their jobs,
    which report (JobChanged, and SourcesChanged of their own projects) at any moment."""
    return [e for e in events if not isinstance(e, JobChanged) and getattr(e, "project_id", None) == project_id]


@pytest.fixture
def project(services: Services, user, run):
    return run(services.projects.create(user.id, f"Library {uuid.uuid4().hex[:6]}"))


def test_empty_project_lists_nothing(services: Services, project, run) -> None:
    assert run(services.sources.list_sources(project.id)) == []
    assert run(services.sources.list_sources(project.id, search="anything")) == []
    assert run(services.sources.list_sources(uuid.uuid4())) == []


def test_add_note(services: Services, project, run, events) -> None:
    note = run(
        services.sources.add_note(project.id, "  Ideas   for chapter 2 ", "The Rabbit's watch—again.\nWell-known.")
    )
    assert note.title == "Ideas for chapter 2"
    assert note.material_type == "NOTE" and note.processing_status == "READY"
    assert note.word_count == 5  # The Rabbit's watch again Well-known
    assert note.project_id == project.id and note.error_message is None
    assert note.original_filename is None and note.file_size is None
    assert note.created_at is not None and note.processed_at is not None
    ours = mine(events, project.id)  # the add, then perhaps its indexing job's own report
    assert ours and set(ours) == {SourcesChanged(project.id)}
    assert run(services.sources.get_text(note.id)) == "The Rabbit's watch—again.\nWell-known."
    # The note is then chunked and embedded by a job (tests/services/test_ingestion.py).
    assert dataclasses.replace(run(services.sources.get(note.id)), job_id=None) == note
    assert run(services.projects.get(project.id)).source_count == 1


def test_note_is_stored_as_the_schema_expects(services: Services, project, run) -> None:
    note = run(services.sources.add_note(project.id, "Stored", "some text"))

    async def load() -> SourceMaterial | None:
        async with services.db.session() as s:
            return await s.get(SourceMaterial, note.id)

    row = run(load())
    assert row is not None
    assert row.material_type is MaterialType.NOTE and row.processing_status is ProcessingStatus.READY
    assert row.extracted_text == "some text" and row.word_count == 2 and len(row.content_hash or "") == 64


def test_unicode_and_empty_note(services: Services, project, run) -> None:
    text = "Ünïcödé — 我爱你 नमस्ते 🙂\x00 end"
    note = run(services.sources.add_note(project.id, "Notizen über Ärger 🐇", text))
    assert note.title == "Notizen über Ärger 🐇"
    assert note.word_count == 6  # Ünïcödé 我 爱 你 नमस्ते end: the NUL is dropped, the emoji is no word
    assert run(services.sources.get_text(note.id)) == text.replace("\x00", "")
    empty = run(services.sources.add_note(project.id, "Empty", ""))
    assert empty.word_count == 0 and run(services.sources.get_text(empty.id)) == ""


def test_note_validation(services: Services, project, run) -> None:
    with pytest.raises(ValidationError):
        run(services.sources.add_note(project.id, "   ", "text"))
    with pytest.raises(ValidationError):
        run(services.sources.add_note(project.id, "x" * 501, "text"))
    with pytest.raises(NotFoundError):
        run(services.sources.add_note(uuid.uuid4(), "Orphan", "text"))
    with pytest.raises(ValidationError):
        run(services.sources.add_text(project.id, "Odd", "text", material_type="PAPYRUS"))


def test_add_text_with_filename(services: Services, project, run) -> None:
    src = run(
        services.sources.add_text(
            project.id, "Research", "# Notes\n\nSome *notes*.", material_type="MARKDOWN", original_filename="r.md"
        )
    )
    assert src.material_type == "MARKDOWN" and src.mime_type == "text/markdown"
    assert src.original_filename == "r.md" and src.file_size == len(b"# Notes\n\nSome *notes*.")
    assert src.word_count == 3


def test_search_by_title_and_filename(services: Services, user, project, run) -> None:
    run(services.sources.add_text(project.id, "Frankenstein letters", "a", original_filename="shelley.txt"))
    run(services.sources.add_text(project.id, "Interview", "b", original_filename="Dodgson_Diary.TXT"))
    run(services.sources.add_note(project.id, "100% certain_facts", "c"))
    other = run(services.projects.create(user.id, "Other"))
    run(services.sources.add_note(other.id, "Frankenstein elsewhere", "d"))

    def titles(search: str | None) -> set[str]:
        return {s.title for s in run(services.sources.list_sources(project.id, search=search))}

    assert titles("FRANKEN") == {"Frankenstein letters"}
    assert titles("diary") == {"Interview"}  # file name, case-insensitive
    assert titles("shelley") == {"Frankenstein letters"}
    assert titles("%") == {"100% certain_facts"}  # LIKE wildcards are matched literally
    assert titles("e_t") == set()  # "_" would match "ett" in "letters" as a wildcard
    assert titles("n_d") == {"Interview"}  # matched in the file name Dodgson_Diary
    assert titles("  ") == titles(None) == {"Frankenstein letters", "Interview", "100% certain_facts"}
    assert titles("nothing like this") == set()


def test_list_is_newest_first(services: Services, project, run) -> None:
    for title in ("first", "second", "third"):
        run(services.sources.add_note(project.id, title, title))
    assert [s.title for s in run(services.sources.list_sources(project.id))] == ["third", "second", "first"]


def test_rename_and_delete(services: Services, project, run, events) -> None:
    note = run(services.sources.add_note(project.id, "Old", "text"))
    assert run(services.sources.rename(note.id, "New")).title == "New"
    run(settle(services, project.id))  # the note's indexing job has reported
    events.clear()
    run(services.sources.delete_source(note.id))
    # (The note's indexing job may still be reporting: only the library events count here.)
    assert mine(events, project.id) == [SourcesChanged(project.id)]
    assert run(services.sources.list_sources(project.id)) == []
    with pytest.raises(NotFoundError):
        run(services.sources.delete_source(note.id))
    with pytest.raises(NotFoundError):
        run(services.sources.get(note.id))
    with pytest.raises(NotFoundError):
        run(services.sources.get_text(note.id))
    with pytest.raises(NotFoundError):
        run(services.sources.rename(note.id, "x"))


def test_delete_removes_the_stored_file_unless_a_fork_shares_it(services: Services, project, store, run) -> None:
    note = run(services.sources.add_text(project.id, "With file", "text", original_filename="f.txt"))
    key = f"sources/{project.id}/f.txt"
    store.put_bytes(key, b"text")

    async def attach() -> None:
        async with services.db.session() as s:
            row = await s.get(SourceMaterial, note.id)
            assert row is not None
            row.s3_bucket, row.s3_key = store.bucket, key

    run(attach())
    fork = run(services.projects.fork(project.id, "Fork with shared file"))
    run(services.sources.delete_source(note.id))
    assert store.exists(key)  # the fork's copy still points at it
    (fork_src,) = [s for s in run(services.sources.list_sources(fork.id)) if s.title == "With file"]
    run(services.sources.delete_source(fork_src.id))
    assert not store.exists(key)


