"""Editor session: the save state machine, against a fake store with the same contract as
the chapter service (save at a base version or conflict; load text + version).

The first three tests reproduce the races read from the old ``ui/panels/editor.py``:
(a) keystrokes during an in-flight save, then a chapter switch, were dropped;
(b) a chapter loading slower than the autosave delay got the old chapter's text saved
    into it (and it succeeded when both chapters had the same revision number);
(c) closing ignored a save in flight, and a conflict on close dropped the text.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from ghostline_desktop.core.editor_session import (
    EditorSession,
    EditorStateError,
    Loaded,
    Resolution,
    SaveConflict,
    Saved,
    SaveState,
    is_pause_checkpoint,
)


@dataclass
class Call:
    chapter_id: str
    text: str
    base: object
    checkpoint: bool
    note: str | None


@dataclass
class FakeStore:
    """Chapters as (text, version); saving at a stale version is a conflict, like the service."""

    chapters: dict[str, tuple[str, int]]
    calls: list[Call] = field(default_factory=list)
    loads: list[str] = field(default_factory=list)
    save_gate: asyncio.Event | None = None  # when set, saves wait for it
    load_gates: dict[str, asyncio.Event] = field(default_factory=dict)
    fail_next: BaseException | None = None
    revisions: int = 0

    async def save(self, chapter_id: str, text: str, base: object, *, checkpoint: bool, note: str | None) -> Saved:
        self.calls.append(Call(chapter_id, text, base, checkpoint, note))
        if self.save_gate is not None:
            await self.save_gate.wait()
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc
        current_text, version = self.chapters[chapter_id]
        if base != version:
            raise SaveConflict(current_text, version)
        self.chapters[chapter_id] = (text, version + 1)
        self.revisions += checkpoint
        return Saved(version + 1, revision=checkpoint)

    async def load(self, chapter_id: str) -> Loaded:
        self.loads.append(chapter_id)
        gate = self.load_gates.get(chapter_id)
        if gate is not None:
            await gate.wait()
        text, version = self.chapters[chapter_id]
        return Loaded(text, version, saved_at=0.0)

    def text(self, chapter_id: str) -> str:
        return self.chapters[chapter_id][0]


class Clock:
    def __init__(self) -> None:
        self.now = 60.0

    def __call__(self) -> float:
        return self.now


def make(store: FakeStore, clock: Clock | None = None) -> tuple[EditorSession[str], list[tuple[object, SaveState]]]:
    seen: list[tuple[object, SaveState]] = []
    session: EditorSession[str] = EditorSession(
        store, store, clock=clock or Clock(), on_change=lambda cid, state: seen.append((cid, state))
    )
    return session, seen


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def store_ab() -> FakeStore:
    # Both chapters at the same version: the old panel's race (b) succeeded exactly then.
    return FakeStore({"A": ("Alpha.", 1), "B": ("Beta.", 1)})


async def test_race_a_typing_during_a_save_then_switching_keeps_every_keystroke() -> None:
    store = store_ab()
    session, _ = make(store)
    await session.open("A")
    session.edit("Alpha. One")
    store.save_gate = asyncio.Event()
    session.request_save()
    await settle()
    assert session.state is SaveState.SAVING
    session.edit("Alpha. One two")  # typed while the save is in flight
    assert session.state is SaveState.DIRTY
    opened = await session.open("B")
    assert (session.current, session.text) == ("B", "Beta.")
    assert opened.previous is not None
    store.save_gate.set()
    assert await opened.previous is SaveState.CLEAN
    assert [(c.chapter_id, c.text, c.base) for c in store.calls] == [("A", "Alpha. One", 1), ("A", "Alpha. One two", 2)]
    assert store.text("A") == "Alpha. One two"
    assert store.text("B") == "Beta."


async def test_race_b_slow_load_never_saves_old_text_into_the_new_chapter() -> None:
    store = store_ab()
    session, seen = make(store)
    await session.open("A")
    session.edit("Alpha, edited")
    store.load_gates["B"] = asyncio.Event()
    opening = asyncio.ensure_future(session.open("B"))
    await settle()
    assert session.state is SaveState.LOADING
    # The autosave timer fires while B loads, and a stray keystroke arrives.
    assert await session.request_save() is SaveState.LOADING
    with pytest.raises(EditorStateError):
        session.edit("Alpha, edited, and more")
    store.load_gates["B"].set()
    opened = await opening
    assert opened.shown and session.text == "Beta."
    await session.flush("A")
    assert [(c.chapter_id, c.text) for c in store.calls] == [("A", "Alpha, edited")]
    assert store.chapters == {"A": ("Alpha, edited", 2), "B": ("Beta.", 1)}
    assert ("B", SaveState.LOADING) in seen and session.state is SaveState.CLEAN


async def test_race_c_close_waits_for_the_save_in_flight() -> None:
    store = store_ab()
    session, _ = make(store)
    await session.open("A")
    session.edit("Alpha 1")
    store.save_gate = asyncio.Event()
    session.request_save()
    await settle()
    session.edit("Alpha 1 2")
    closing = asyncio.ensure_future(session.close())
    await settle()
    assert not closing.done()  # the old flush_blocking returned here, dropping "2"
    store.save_gate.set()
    report = await closing
    assert report.clean
    assert store.text("A") == "Alpha 1 2"


async def test_race_c_conflict_on_close_is_reported_with_both_texts() -> None:
    store = store_ab()
    session, _ = make(store)
    await session.open("A")
    session.edit("Alpha, my words")
    store.chapters["A"] = ("Alpha, an AI draft", 2)  # landed from elsewhere meanwhile
    report = await session.close()
    (conflict,) = report.conflicts
    assert (conflict.chapter_id, conflict.mine, conflict.theirs) == ("A", "Alpha, my words", "Alpha, an AI draft")
    assert session.state is SaveState.CONFLICT
    # The author keeps theirs in history and their own text on top, as a new revision.
    assert await session.resolve(Resolution.KEEP_MINE) is SaveState.CLEAN
    assert store.chapters["A"] == ("Alpha, my words", 3)
    assert store.calls[-1].checkpoint and store.calls[-1].base == 2
    assert (await session.close()).clean


async def test_a_result_for_a_chapter_no_longer_shown_lands_on_that_chapter() -> None:
    store = store_ab()
    session, _ = make(store)
    await session.open("A")
    session.edit("Alpha v2")
    store.save_gate = asyncio.Event()
    session.request_save()
    await settle()
    await session.open("B")
    session.edit("Beta v2")
    store.save_gate.set()
    await session.request_save()
    await session.flush("A")
    # Each save ran at its own chapter's base; B's record kept B's version.
    assert [(c.chapter_id, c.base) for c in store.calls] == [("A", 1), ("B", 1)]
    assert store.chapters == {"A": ("Alpha v2", 2), "B": ("Beta v2", 2)}
    session.edit("Beta v3")
    await session.request_save()
    assert store.calls[-1].base == 2 and store.text("B") == "Beta v3"


async def test_coming_back_while_the_save_runs_shows_the_newest_text() -> None:
    store = store_ab()
    session, _ = make(store)
    await session.open("A")
    session.edit("Alpha typed")
    store.save_gate = asyncio.Event()
    session.request_save()
    await settle()
    await session.open("B")
    opened = await session.open("A")
    assert opened.text == "Alpha typed"  # not the store's stale "Alpha."
    assert store.loads == ["A", "B"]
    store.save_gate.set()
    assert await session.flush() is SaveState.CLEAN


async def test_states_seen_by_the_panel() -> None:
    store = store_ab()
    session, seen = make(store)
    await session.open("A")
    session.edit("x")
    await session.request_save()
    assert [s for cid, s in seen if cid == "A"] == [
        SaveState.LOADING,
        SaveState.CLEAN,
        SaveState.DIRTY,
        SaveState.SAVING,
        SaveState.CLEAN,
    ]


async def test_conflict_keeps_both_texts_and_waits_for_the_author() -> None:
    store = store_ab()
    session, _ = make(store)
    await session.open("A")
    session.edit("Mine")
    store.chapters["A"] = ("Theirs", 5)
    assert await session.request_save() is SaveState.CONFLICT
    session.edit("Mine, still typing")  # the editor stays usable; nothing is saved now
    assert await session.request_save() is SaveState.CONFLICT
    assert len(store.calls) == 1
    conflict = session.conflict()
    assert conflict is not None and (conflict.mine, conflict.theirs) == ("Mine, still typing", "Theirs")
    with pytest.raises(EditorStateError):
        await session.save_revision()
    assert await session.resolve(Resolution.TAKE_THEIRS) is SaveState.CLEAN
    assert session.text == "Theirs" and store.chapters["A"] == ("Theirs", 5)
    session.edit("Theirs, then mine")
    await session.request_save()
    assert store.chapters["A"] == ("Theirs, then mine", 6)


async def test_merged_resolution_is_saved_as_a_revision() -> None:
    store = store_ab()
    session, _ = make(store)
    await session.open("A")
    session.edit("Mine")
    store.chapters["A"] = ("Theirs", 2)
    await session.request_save()
    await session.resolve(Resolution.MERGED, "Mine and theirs")
    assert store.chapters["A"] == ("Mine and theirs", 3)
    assert store.calls[-1].checkpoint
    with pytest.raises(EditorStateError):
        await session.resolve(Resolution.KEEP_MINE)


async def test_a_failed_save_is_kept_and_retried() -> None:
    store = store_ab()
    session, _ = make(store)
    await session.open("A")
    session.edit("Alpha!")
    store.fail_next = OSError("database unavailable")
    assert await session.request_save() is SaveState.DIRTY
    assert isinstance(session.last_error(), OSError)
    assert await session.request_save() is SaveState.CLEAN
    assert session.last_error() is None and store.text("A") == "Alpha!"


async def test_close_reports_a_save_that_keeps_failing() -> None:
    store = store_ab()
    session, _ = make(store)
    await session.open("A")
    session.edit("Alpha!")
    store.fail_next = OSError("disk full")
    report = await session.close()
    assert not report.clean and [cid for cid, _ in report.failures] == ["A"]
    assert session.text == "Alpha!"  # still in memory for the author


async def test_checkpoints_are_meant_not_every_autosave() -> None:
    clock = Clock()
    store = store_ab()
    session, _ = make(store, clock)
    await session.open("A")  # saved at t=0, opened at t=60: no pause worth a revision yet
    text = "Alpha."
    # A 30-minute session: a keystroke every 5 s, an autosave after each burst of 6.
    for second in range(0, 30 * 60, 5):
        clock.now = 60.0 + second
        text += " word"
        session.edit(text)
        if second % 30 == 25:
            await session.request_save()
    assert len(store.calls) == 60 and store.revisions == 0
    clock.now += 11 * 60  # a coffee break longer than the setting
    session.edit(text + " after the break")
    await session.request_save()
    assert [c.checkpoint for c in store.calls[-2:]] == [False, True]
    session.edit(text + " after the break, more")
    await session.request_save()
    assert not store.calls[-1].checkpoint
    assert await session.save_revision("Draft for my editor") is SaveState.CLEAN
    assert (store.calls[-1].checkpoint, store.calls[-1].note) == (True, "Draft for my editor")
    assert store.revisions == 2


async def test_save_revision_of_unchanged_text() -> None:
    store = store_ab()
    session, _ = make(store)
    await session.open("A")
    await session.save_revision()
    assert [(c.text, c.checkpoint) for c in store.calls] == [("Alpha.", True)]


async def test_superseded_open_does_not_show() -> None:
    store = FakeStore({"A": ("a", 1), "B": ("b", 1), "C": ("c", 1)})
    session, _ = make(store)
    store.load_gates["B"] = asyncio.Event()
    slow = asyncio.ensure_future(session.open("B"))
    await settle()
    await session.open("C")
    store.load_gates["B"].set()
    assert not (await slow).shown
    assert (session.current, session.text, session.state) == ("C", "c", SaveState.CLEAN)


async def test_refresh_only_when_nothing_is_unsaved() -> None:
    store = store_ab()
    session, _ = make(store)
    await session.open("A")
    store.chapters["A"] = ("Alpha, from the AI", 2)
    assert await session.refresh() and session.text == "Alpha, from the AI"
    session.edit("typing")
    store.chapters["A"] = ("Another draft", 3)
    assert not await session.refresh()
    assert session.text == "typing"


async def test_editing_with_no_chapter_is_refused() -> None:
    session, _ = make(store_ab())
    with pytest.raises(EditorStateError):
        session.edit("x")
    assert await session.request_save() is SaveState.CLEAN
    assert (await session.close()).clean


def test_pause_checkpoint_policy() -> None:
    assert is_pause_checkpoint(None, 100.0, 600.0)
    assert not is_pause_checkpoint(0.0, 600.0, 600.0)
    assert is_pause_checkpoint(0.0, 600.5, 600.0)


async def test_a_failed_load_leaves_no_chapter_shown_and_the_old_one_saved() -> None:
    store = store_ab()
    session, _ = make(store)
    await session.open("A")
    session.edit("Alpha, kept")
    with pytest.raises(KeyError):
        await session.open("missing")
    assert (session.current, session.state) == (None, SaveState.CLEAN)
    await session.flush("A")
    assert store.text("A") == "Alpha, kept"
    with pytest.raises(EditorStateError):
        session.edit("x")
