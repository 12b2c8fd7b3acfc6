"""ProjectService: the project lifecycle and fork as a second edition."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import select, text, update

from ghostline_desktop.db.models import ChapterRevision, Genre, ProjectStatus
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.services.events import Event, ProjectsChanged
from ghostline_desktop.services.projects import parse_genre
from ghostline_desktop.services.validation import MAX_TITLE
from ghostline_desktop.storage.local import LocalStore
from tests.services.factories import populate


@pytest.fixture
def author(services: Services, run: Any) -> UserInfo:
    """A user of its own per test, so listings only see this test's projects."""
    name = f"a{uuid.uuid4().hex[:10]}"
    return run(services.accounts.create_user(email=f"{name}@example.com", username=name))


@pytest.fixture
def events(services: Services) -> Any:
    got: list[Event] = []
    unsubscribe = services.bus.subscribe(got.append, ProjectsChanged)
    yield got
    unsubscribe()


# -- lifecycle -------------------------------------------------------------------------------


def test_create_normalizes_and_defaults(services: Services, author: UserInfo, run: Any, events: list[Event]) -> None:
    p = run(services.projects.create(author.id, "  The   Long\tWay  ", target_word_count=90_000, description="d"))
    assert p.title == "The Long Way"
    assert p.genre == "FICTION" and p.status == "CREATED"
    assert (p.edition, p.word_count, p.chapter_count, p.source_count) == (1, 0, 0, 0)
    assert p.target_word_count == 90_000 and not p.archived and p.forked_from_project_id is None
    assert events == [ProjectsChanged(p.id, "created")]


@pytest.mark.parametrize("title", ["", "   ", "x" * (MAX_TITLE + 1)])
def test_create_rejects_bad_titles(services: Services, author: UserInfo, run: Any, title: str) -> None:
    with pytest.raises(ValidationError):
        run(services.projects.create(author.id, title))


@pytest.mark.parametrize("target", [0, -5])
def test_create_rejects_non_positive_target(services: Services, author: UserInfo, run: Any, target: int) -> None:
    with pytest.raises(ValidationError):
        run(services.projects.create(author.id, "T", target_word_count=target))


@pytest.mark.parametrize(
    ("raw", "genre"),
    [
        (None, Genre.FICTION),
        ("fantasy", Genre.FANTASY),
        ("Science fiction", Genre.SCIENCE_FICTION),
        ("science-fiction", Genre.SCIENCE_FICTION),
        ("SCIENCE_FICTION", Genre.SCIENCE_FICTION),
        ("Non-fiction", Genre.NON_FICTION),
        ("self help", Genre.SELF_HELP),
        ("Children's", Genre.CHILDRENS),
        (Genre.MEMOIR, Genre.MEMOIR),
    ],
)
def test_parse_genre_accepts_names_and_labels(raw: Any, genre: Genre) -> None:
    assert parse_genre(raw) is genre


@pytest.mark.parametrize("raw", ["", "space opera", "fantasy!"])
def test_parse_genre_rejects_unknown(raw: str) -> None:
    with pytest.raises(ValidationError, match="fantasy"):  # the message lists the choices
        parse_genre(raw)


def test_create_with_unknown_genre_writes_nothing(services: Services, author: UserInfo, run: Any) -> None:
    with pytest.raises(ValidationError):
        run(services.projects.create(author.id, "T", genre="space opera"))
    assert run(services.projects.list_projects(author.id, include_archived=True)) == []


def test_list_is_per_owner_and_hides_archived(services: Services, author: UserInfo, run: Any) -> None:
    other = run(services.accounts.create_user(email=f"o{uuid.uuid4().hex[:8]}@x.org", username=uuid.uuid4().hex))
    a = run(services.projects.create(author.id, "A"))
    b = run(services.projects.create(author.id, "B"))
    run(services.projects.create(other.id, "Not mine"))
    assert {p.id for p in run(services.projects.list_projects(author.id))} == {a.id, b.id}
    run(services.projects.mark_opened(a.id))
    assert run(services.projects.list_projects(author.id))[0].id == a.id  # most recently opened first

    run(services.projects.archive(b.id))
    assert [p.id for p in run(services.projects.list_projects(author.id))] == [a.id]
    assert {p.id for p in run(services.projects.list_projects(author.id, include_archived=True))} == {a.id, b.id}


def test_rename_archive_restore(services: Services, author: UserInfo, run: Any, events: list[Event]) -> None:
    p = run(services.projects.create(author.id, "Old"))
    renamed = run(services.projects.rename(p.id, " New  title "))
    assert renamed.title == "New title"
    with pytest.raises(ValidationError):
        run(services.projects.rename(p.id, " "))

    archived = run(services.projects.archive(p.id))
    assert archived.archived and archived.status == "ARCHIVED"
    restored = run(services.projects.restore(p.id))
    assert not restored.archived and restored.status == "WRITING"
    assert [e.change for e in events if isinstance(e, ProjectsChanged)] == [
        "created",
        "renamed",
        "archived",
        "restored",
    ]


def test_update_fields(services: Services, author: UserInfo, run: Any) -> None:
    p = run(services.projects.create(author.id, "U"))
    u = run(services.projects.update(p.id, genre="mystery", target_word_count=1000, status=ProjectStatus.WRITING))
    assert (u.genre, u.target_word_count, u.status) == ("MYSTERY", 1000, "WRITING")
    with pytest.raises(ValidationError):
        run(services.projects.update(p.id, target_word_count=0))


def test_missing_project_is_not_found(services: Services, run: Any) -> None:
    ghost = uuid.uuid4()
    for coro in (
        services.projects.get(ghost),
        services.projects.rename(ghost, "x"),
        services.projects.archive(ghost),
        services.projects.restore(ghost),
        services.projects.delete(ghost),
        services.projects.fork(ghost, "x"),
    ):
        with pytest.raises(NotFoundError):
            run(coro)


def test_summary_counts(services: Services, author: UserInfo, run: Any) -> None:
    p = run(services.projects.create(author.id, "Counted"))
    run(populate(services.db, p.id, author.id, chapters=3, sources=2))
    s = run(services.projects.get(p.id))
    assert (s.chapter_count, s.word_count, s.source_count) == (3, 12, 2)


def _owned_counts(services: Services, run: Any, project_id: uuid.UUID) -> dict[str, int]:
    tables = [
        "book_outlines",
        "chapters",
        "chapter_revisions",
        "voice_profiles",
        "source_materials",
        "content_chunks",
        "qa_findings",
        "generation_tasks",
        "exported_books",
        "notifications",
    ]

    async def go() -> dict[str, int]:
        async with services.db.session() as s:
            return {
                t: int(
                    (
                        await s.execute(text(f"SELECT count(*) FROM {t} WHERE project_id = :p"), {"p": project_id})
                    ).scalar_one()
                )
                for t in tables
            }

    return run(go())


def test_delete_removes_everything_and_its_files(
    services: Services, store: LocalStore, author: UserInfo, run: Any, events: list[Event]
) -> None:
    p = run(services.projects.create(author.id, "Gone"))
    made = run(populate(services.db, p.id, author.id, store))
    assert all(store.exists(k) for k in made.s3_keys)
    run(services.projects.delete(p.id))
    assert set(_owned_counts(services, run, p.id).values()) == {0}
    assert not any(store.exists(k) for k in made.s3_keys)
    with pytest.raises(NotFoundError):
        run(services.projects.get(p.id))
    assert events[-1] == ProjectsChanged(p.id, "deleted")


def test_delete_keeps_files_a_fork_still_shares(
    services: Services, store: LocalStore, author: UserInfo, run: Any
) -> None:
    p = run(services.projects.create(author.id, "Shared"))
    made = run(populate(services.db, p.id, author.id, store))
    fork = run(services.projects.fork(p.id, "Shared 2"))
    run(services.projects.delete(p.id))
    assert all(store.exists(k) for k in made.s3_keys)  # the fork's sources point at the same files
    run(services.projects.delete(fork.id))
    assert not any(store.exists(k) for k in made.s3_keys)


# -- fork ------------------------------------------------------------------------------------


def _vec(v: Any) -> list[float] | None:
    """A pgvector value as floats (plain SQL returns the text form '[0.1,0.2,…]')."""
    if v is None:
        return None
    return [float(x) for x in (json.loads(v) if isinstance(v, str) else v)]


async def _snapshot(services: Services, project_id: uuid.UUID) -> dict[str, Any]:
    """Everything a project owns, with ids replaced by what they point at, so two
    projects can be compared row for row."""
    q = {
        "outlines": "SELECT version, title, structure, status::text FROM book_outlines WHERE project_id = :p",
        "chapters": (
            'SELECT c."order", c.title, c.summary, c.outline_position, c.word_count, c.status::text, o.version '
            "FROM chapters c LEFT JOIN book_outlines o ON o.id = c.book_outline_id WHERE c.project_id = :p"
        ),
        "revisions": (
            "SELECT c.title, r.revision_number, r.content, r.word_count, r.similarity_score, r.token_cost, "
            "r.source::text, r.generation_task_id, r.user_feedback FROM chapter_revisions r "
            "JOIN chapters c ON c.id = r.chapter_id WHERE r.project_id = :p AND c.project_id = :p"
        ),
        "voice": (
            "SELECT name, sample_text, style_attributes, embedding, embedding_model FROM voice_profiles "
            "WHERE project_id = :p"
        ),
        "sources": (
            "SELECT title, material_type::text, processing_status::text, s3_bucket, s3_key, extracted_text, "
            "word_count, metadata FROM source_materials WHERE project_id = :p"
        ),
        "chunks": (
            "SELECT s.title, k.chunk_index, k.content, k.token_count, k.char_start, k.embedding, k.embedding_model, "
            "k.search_vector::text FROM content_chunks k JOIN source_materials s ON s.id = k.source_material_id "
            "WHERE k.project_id = :p AND s.project_id = :p"
        ),
        "findings": (
            "SELECT c.title, f.finding_type::text, f.severity::text, f.is_blocking, f.status::text, f.title, "
            "f.location, f.generation_task_id FROM qa_findings f LEFT JOIN chapters c ON c.id = f.chapter_id "
            "WHERE f.project_id = :p AND (c.id IS NULL OR c.project_id = :p)"
        ),
        # The joins require the revision, its chapter and the chunk to be this project's own.
        "revision_sources": (
            "SELECT c.title, r.revision_number, k.content, rs.rank, rs.score FROM revision_sources rs "
            "JOIN chapter_revisions r ON r.id = rs.revision_id JOIN chapters c ON c.id = r.chapter_id "
            "JOIN content_chunks k ON k.id = rs.chunk_id "
            "WHERE r.project_id = :p AND c.project_id = :p AND k.project_id = :p"
        ),
        "summaries": (
            "SELECT c.title, cs.text_version = c.text_version, cs.summary, cs.model FROM chapter_summaries cs "
            "JOIN chapters c ON c.id = cs.chapter_id WHERE c.project_id = :p"
        ),
    }
    out: dict[str, Any] = {}
    async with services.db.session() as s:
        for name, sql in q.items():
            rows = (await s.execute(text(sql), {"p": project_id})).all()
            norm = [
                tuple(_vec(v) if hasattr(v, "tolist") or (isinstance(v, str) and v.startswith("[")) else v for v in r)
                for r in rows
            ]
            out[name] = sorted(norm, key=repr)
    return out


async def _generation_ids(services: Services, project_id: uuid.UUID) -> dict[str, set[tuple[Any, ...]]]:
    """The ids in the 0005 tables belonging to a project: revision_sources (row, revision,
    chunk) and chapter_summaries (chapter)."""
    async with services.db.session() as s:
        sources = (
            await s.execute(
                text(
                    "SELECT rs.id, rs.revision_id, rs.chunk_id FROM revision_sources rs "
                    "JOIN chapter_revisions r ON r.id = rs.revision_id WHERE r.project_id = :p"
                ),
                {"p": project_id},
            )
        ).all()
        summaries = (
            await s.execute(
                text(
                    "SELECT cs.chapter_id FROM chapter_summaries cs JOIN chapters c ON c.id = cs.chapter_id "
                    "WHERE c.project_id = :p"
                ),
                {"p": project_id},
            )
        ).all()
    return {
        "revision_sources": {tuple(r) for r in sources}
        | {("revision", r[1]) for r in sources}
        | {("chunk", r[2]) for r in sources},
        "summaries": {tuple(r) for r in summaries},
    }


def _latest_only(snap: dict[str, Any]) -> list[tuple[Any, ...]]:
    latest: dict[str, tuple[Any, ...]] = {}
    for row in snap["revisions"]:
        if row[0] not in latest or row[1] > latest[row[0]][1]:
            latest[row[0]] = row
    return sorted(((r[0], 1, *r[2:6], "FORK", None, r[8]) for r in latest.values()), key=repr)


def test_fork_is_complete(
    services: Services, store: LocalStore, author: UserInfo, run: Any, events: list[Event]
) -> None:
    p = run(services.projects.create(author.id, "First edition", genre="memoir", target_word_count=50_000))
    run(services.projects.update(p.id, status=ProjectStatus.COMPLETED))
    made = run(populate(services.db, p.id, author.id, store, chapters=4, revisions=3, sources=3, chunks_per_source=5))

    before = run(_snapshot(services, p.id))
    orig_ids = run(_generation_ids(services, p.id))
    fork = run(services.projects.fork(p.id, "Second edition"))
    assert fork.id != p.id
    assert (fork.title, fork.genre, fork.target_word_count) == ("Second edition", "MEMOIR", 50_000)
    assert fork.status == "EDITING"  # a finished book reopens for editing
    assert fork.edition == 2 and fork.forked_from_project_id == p.id and fork.forked_from_title == "First edition"
    assert (fork.chapter_count, fork.source_count, fork.word_count) == (4, 3, 16)
    assert events[-1] == ProjectsChanged(fork.id, "forked")

    orig = run(_snapshot(services, p.id))
    assert orig == before  # forking leaves the original untouched
    copy = run(_snapshot(services, fork.id))
    for part in ("outlines", "chapters", "voice", "sources", "chunks", "summaries"):
        assert copy[part] == orig[part], part
    assert len(copy["chunks"]) == 15 and len(copy["outlines"]) == 2
    assert copy["voice"][0][3] is not None and len(copy["voice"][0][3]) == 1536
    assert all(row[5] is not None for row in copy["chunks"])  # embeddings came along, equal above
    # Only the latest revision of each chapter, renumbered as revision 1 of the new edition.
    assert len(orig["revisions"]) == 12 and copy["revisions"] == _latest_only(orig)
    assert all("revision 3" in row[2] for row in copy["revisions"])
    # The passages the copied (latest) revisions drew on, re-pointed at the fork's revisions and chunks.
    latest_sources = [r for r in orig["revision_sources"] if r[1] == 3]
    assert len(orig["revision_sources"]) == 16 and len(latest_sources) == 8
    assert copy["revision_sources"] == sorted(((r[0], 1, *r[2:]) for r in latest_sources), key=repr)
    # Cached summaries come along, still valid for the copied text (same text_version).
    assert len(copy["summaries"]) == 4 and all(r[1] is True for r in copy["summaries"])
    fork_ids = run(_generation_ids(services, fork.id))
    assert sum(len(r) == 3 for r in fork_ids["revision_sources"]) == 8 and len(fork_ids["summaries"]) == 4
    for part in ("revision_sources", "summaries"):
        assert not fork_ids[part] & orig_ids[part], part  # new rows, none shared with the original
    assert run(_generation_ids(services, p.id)) == orig_ids
    # Findings come along, detached from the original's task history.
    assert [r[:7] for r in copy["findings"]] == [r[:7] for r in orig["findings"]]
    assert all(r[7] is None for r in copy["findings"])
    # History is not copied.
    counts = _owned_counts(services, run, fork.id)
    assert counts["generation_tasks"] == counts["exported_books"] == counts["notifications"] == 0
    # Both editions share the stored files.
    assert all(store.exists(k) for k in made.s3_keys)

    second = run(services.projects.fork(fork.id, "Third edition"))
    assert second.edition == 3 and second.forked_from_title == "Second edition"


def test_fork_is_independent(services: Services, store: LocalStore, author: UserInfo, run: Any) -> None:
    p = run(services.projects.create(author.id, "Original"))
    run(populate(services.db, p.id, author.id, store, chapters=2, revisions=2))
    fork = run(services.projects.fork(p.id, "Fork"))
    before_orig = run(_snapshot(services, p.id))
    before_fork = run(_snapshot(services, fork.id))

    async def edit_fork_revision() -> None:
        async with services.db.session() as s:
            rev_id = (
                await s.execute(select(ChapterRevision.id).where(ChapterRevision.project_id == fork.id).limit(1))
            ).scalar_one()
            await s.execute(update(ChapterRevision).where(ChapterRevision.id == rev_id).values(content="Rewritten."))

    run(edit_fork_revision())
    run(services.projects.rename(fork.id, "Fork renamed"))
    assert run(_snapshot(services, p.id)) == before_orig
    assert run(services.projects.get(p.id)).title == "Original"
    assert run(_snapshot(services, fork.id))["revisions"] != before_fork["revisions"]

    run(services.projects.delete(p.id))
    survivor = run(services.projects.get(fork.id))
    assert survivor.forked_from_project_id is None and survivor.forked_from_title is None
    assert survivor.title == "Fork renamed" and survivor.edition == 2
    after = run(_snapshot(services, fork.id))
    for part in ("outlines", "chapters", "voice", "sources", "chunks", "findings"):
        assert after[part] == before_fork[part], part


def test_fork_of_empty_project(services: Services, author: UserInfo, run: Any) -> None:
    p = run(services.projects.create(author.id, "Empty"))
    fork = run(services.projects.fork(p.id, "Empty 2"))
    assert (fork.chapter_count, fork.source_count, fork.edition) == (0, 0, 2)
    with pytest.raises(ValidationError):
        run(services.projects.fork(p.id, "   "))


def test_fork_seals_the_working_text_as_its_first_revision(services: Services, author: UserInfo, run: Any) -> None:
    """A chapter whose newest row is the unsealed working text still starts the fork with a revision."""
    p = run(services.projects.create(author.id, "Working edition"))
    ch = run(services.chapters.create(p.id, "One", content="Sealed words."))
    base = run(services.chapters.get(ch.id)).base
    run(services.chapters.autosave(ch.id, "Sealed words. Typed since.", base=base))
    assert run(services.chapters.get(ch.id)).working

    fork = run(services.projects.fork(p.id, "Working edition 2"))
    [copied] = run(services.chapters.list_chapters(fork.id))
    text = run(services.chapters.get(copied.id))
    assert (text.content, text.revision_number, text.working) == ("Sealed words. Typed since.", 1, False)
    history = run(services.chapters.list_revisions(copied.id))
    assert [(r.revision_number, r.sealed, r.source) for r in history] == [(1, True, "FORK")]
    assert copied.revision_count == 1
    # The fork's author keeps writing: the next autosave makes a working row on top of revision 1.
    run(services.chapters.autosave(copied.id, "Second edition words.", base=text.base))
    assert [r.revision_number for r in run(services.chapters.list_revisions(copied.id, include_working=False))] == [1]
