"""core.editor_session driven through ChapterEditorStore against the real ChapterService.

The three races of the old editor panel (issue 7), end to end. Saves and loads are held
"in flight" by real PostgreSQL locks taken from a second connection, not by stand-ins: a
row lock on the chapter blocks its save, a table lock blocks the next chapter's load.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import pytest

from ghostline_desktop.core.editor_session import (
    EditorSession,
    EditorStateError,
    Resolution,
    SaveState,
)
from ghostline_desktop.db.probe import libpq_url
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.editor_adapter import ChapterEditorStore

WAIT_S = 20.0


@asynccontextmanager
async def db_lock(db_url: str, statement: str, *params: Any) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """Hold a lock from another connection until the block ends."""
    conn = await psycopg.AsyncConnection.connect(libpq_url(db_url))
    try:
        await conn.execute(statement, params or None)
        yield conn
    finally:
        await conn.rollback()
        await conn.close()


async def wait_for_blocked(conn: psycopg.AsyncConnection[Any], count: int = 1) -> None:
    """Until ``count`` other sessions of this database wait on a lock (bounded)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        cur = await conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        row = await cur.fetchone()
        if row is not None and row[0] >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the save/load never reached the database lock")


def row_lock(db_url: str, chapter_id: uuid.UUID) -> Any:
    return db_lock(db_url, "SELECT id FROM chapters WHERE id = %s FOR UPDATE", chapter_id)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def book(services: Services, user: Any, run: Any) -> tuple[Any, Any, Any]:
    project = run(services.projects.create(user.id, f"Races {uuid.uuid4().hex[:6]}"))
    one = run(services.chapters.create(project.id, "One", content="Chapter one as saved."))
    two = run(services.chapters.create(project.id, "Two", content="Chapter two as saved."))
    return project, one, two


def _session(services: Services, user: Any, **kw: Any) -> EditorSession[uuid.UUID]:
    store = ChapterEditorStore(services.chapters, user_id=user.id)
    return EditorSession(store, store, **kw)


def test_race_a_typing_during_a_save_then_switching_keeps_every_keystroke(
    services: Services, user: Any, book: Any, run: Any, db_url: str
) -> None:
    _, one, two = book

    async def scenario() -> SaveState:
        session = _session(services, user)
        await session.open(one.id)
        async with row_lock(db_url, one.id) as lock:
            session.edit("Chapter one, first words.")
            session.request_save()
            await wait_for_blocked(lock)  # the save is in flight
            session.edit("Chapter one, first words. Typed while saving.")
            opened = await session.open(two.id)  # switch chapter while the save is stuck
            assert opened.text == "Chapter two as saved." and opened.previous is not None
        return await opened.previous

    assert run(scenario()) is SaveState.CLEAN
    assert run(services.chapters.get(one.id)).content == "Chapter one, first words. Typed while saving."
    assert run(services.chapters.get(two.id)).content == "Chapter two as saved."
    assert [r.revision_number for r in run(services.chapters.list_revisions(one.id, include_working=False))] == [1]


def test_race_b_autosave_tick_during_a_slow_load_never_writes_into_the_new_chapter(
    services: Services, user: Any, book: Any, run: Any, db_url: str
) -> None:
    _, one, two = book

    async def scenario() -> None:
        session = _session(services, user)
        await session.open(one.id)
        session.edit("Only chapter one's words.")
        async with db_lock(db_url, "LOCK TABLE chapters IN ACCESS EXCLUSIVE MODE") as lock:
            opening = asyncio.create_task(session.open(two.id))
            await wait_for_blocked(lock, 2)  # chapter one's save and chapter two's load both wait
            assert session.state is SaveState.LOADING
            assert await session.request_save() is SaveState.LOADING  # the autosave timer fires: ignored
            with pytest.raises(EditorStateError):
                session.edit("typed into a chapter that is not shown yet")
        opened = await opening
        assert opened.previous is not None and await opened.previous is SaveState.CLEAN
        assert session.current == two.id and session.text == "Chapter two as saved."

    run(scenario())
    assert run(services.chapters.get(two.id)).content == "Chapter two as saved."
    assert run(services.chapters.get(one.id)).content == "Only chapter one's words."


def test_race_c_close_waits_for_a_save_in_flight(
    services: Services, user: Any, book: Any, run: Any, db_url: str
) -> None:
    _, one, _ = book

    async def scenario() -> bool:
        session = _session(services, user)
        await session.open(one.id)
        async with row_lock(db_url, one.id) as lock:
            session.edit("Closing words.")
            session.request_save()
            await wait_for_blocked(lock)
            session.edit("Closing words, and the very last ones.")
            closing = asyncio.create_task(session.close())
            await asyncio.sleep(0.05)
            assert not closing.done()  # close waits for the queue
        report = await closing
        return report.clean

    assert run(scenario())
    assert run(services.chapters.get(one.id)).content == "Closing words, and the very last ones."


def test_race_c_conflict_on_close_keeps_both_texts(services: Services, user: Any, book: Any, run: Any) -> None:
    _, one, _ = book

    async def scenario() -> None:
        session = _session(services, user)
        opened = await session.open(one.id)
        assert opened.text == "Chapter one as saved."
        session.edit("Mine, typed in this window.")
        base = (await services.chapters.get(one.id)).base
        await services.chapters.autosave(one.id, "Theirs, from another window.", base=base)
        report = await session.close()
        assert not report.clean
        (conflict,) = report.conflicts
        assert (conflict.chapter_id, conflict.mine, conflict.theirs) == (
            one.id,
            "Mine, typed in this window.",
            "Theirs, from another window.",
        )
        assert (await services.chapters.get(one.id)).content == "Theirs, from another window."
        # Keeping mine: their text stays in the history, mine is the new revision on top.
        assert await session.resolve(Resolution.KEEP_MINE, chapter_id=one.id) is SaveState.CLEAN

    run(scenario())
    history = run(services.chapters.list_revisions(one.id))
    texts = [run(services.chapters.get_revision(one.id, r.revision_number)).content for r in history]
    assert texts[:2] == ["Mine, typed in this window.", "Theirs, from another window."]
    assert all(r.sealed for r in history)


def test_pause_checkpoint_and_save_revision_through_the_session(
    services: Services, user: Any, book: Any, run: Any
) -> None:
    _, _, two = book
    clock = Clock()

    async def scenario() -> None:
        session = _session(services, user, clock=clock, checkpoint_after=600)
        await session.open(two.id)
        for i in range(20):  # a burst of typing: autosaves in place
            clock.now += 2
            session.edit(f"Chapter two as saved. {'word ' * i}".strip())
            await session.request_save()
        clock.now += 601  # a coffee break longer than the pause
        session.edit("After the break.")
        await session.request_save()
        session.edit("After the break. More.")
        assert await session.save_revision("end of day") is SaveState.CLEAN

    run(scenario())
    history = run(services.chapters.list_revisions(two.id))
    assert [(r.revision_number, r.sealed, r.note) for r in history] == [
        (3, True, "end of day"),
        (2, True, None),  # the first save after the pause
        (1, True, None),
    ]
    assert run(services.chapters.get_revision(two.id, 2)).content == "After the break."
