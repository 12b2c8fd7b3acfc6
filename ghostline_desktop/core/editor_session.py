"""The chapter editor's save model: a state machine that never loses a keystroke.

Qt-free and asyncio-based, so the three races found in the old panel can be reproduced
in plain unit tests, and the panel only forwards events (text changed, autosave timer,
focus lost, chapter picked, window closing) and draws the state.

The model, like a database keeps a commit:

- Each chapter that has unsaved or in-flight work has its own record (:class:`_Doc`):
  working text, the base version the text was loaded or last saved at, and **one save
  queue** (at most one save in flight; a follow-up save is queued, never run beside it,
  or the author would conflict with themself).
- A save works on a **snapshot** (chapter id, text, base) taken when it starts. Typing
  during a save only changes the record's text; when the save returns the queue sees
  the newer text and saves again. A result always lands on the record of the chapter it
  was for, even when another chapter is shown by then — the record, not "the current
  chapter", is what a save belongs to.
- **Switching chapter** hands the old record's queue to the background (the returned
  :class:`Opened` carries an awaitable for it) and loads the new chapter; while loading,
  the session is LOADING, refuses edits and ignores autosave ticks, so the old text can
  never be saved into the new chapter. Coming back to a chapter whose save is still
  running reuses its record (newer than the database).
- A **conflict** (the chapter changed elsewhere since the base, e.g. an AI draft landed)
  keeps both texts and stops that chapter's queue until the author chooses
  (:class:`Resolution`). **Closing** waits for every queue and reports conflicts and
  failures instead of dropping them.
- **Revisions are checkpoints**: a save is marked ``checkpoint`` for Save Revision, when
  resolving a conflict, and for the first save after a pause of more than
  ``checkpoint_after`` seconds (:func:`is_pause_checkpoint`); other saves update the
  working text in place.

The saver raises :class:`SaveConflict` for a conflict; an adapter in the UI maps the
service's error to it (``core`` imports nothing of ours).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

K = TypeVar("K", bound=Hashable)
K_contra = TypeVar("K_contra", bound=Hashable, contravariant=True)

DEFAULT_CHECKPOINT_AFTER = 10 * 60.0  # seconds; the default "N minutes"


class SaveState(StrEnum):
    CLEAN = "clean"
    DIRTY = "dirty"  # text the store has not got (also while an older snapshot is saving)
    SAVING = "saving"  # the newest text is being saved
    CONFLICT = "conflict"
    LOADING = "loading"


class Resolution(StrEnum):
    KEEP_MINE = "keep_mine"  # my text becomes a new revision on top of theirs
    TAKE_THEIRS = "take_theirs"  # the editor shows theirs; mine is dropped by the author's choice
    MERGED = "merged"  # a text the author put together (e.g. with "take this side")


@dataclass(frozen=True, slots=True)
class Saved:
    """What a successful save returns: the base the next save of that chapter must use."""

    base: object
    revision: bool = False  # whether the store made a revision (for the footer)


@dataclass(frozen=True, slots=True)
class Loaded:
    text: str
    base: object
    saved_at: float | None = None  # when it was last saved, on the session's clock


@dataclass(frozen=True, slots=True)
class Snapshot:
    chapter_id: Hashable
    text: str
    base: object
    checkpoint: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class Conflict:
    chapter_id: Hashable
    mine: str
    theirs: str
    theirs_base: object


class SaveConflict(Exception):
    """Raised by a :class:`Saver`: the chapter changed elsewhere since ``base``."""

    def __init__(self, theirs_text: str, theirs_base: object) -> None:
        super().__init__("The chapter was changed elsewhere since it was opened.")
        self.theirs_text = theirs_text
        self.theirs_base = theirs_base


class EditorStateError(RuntimeError):
    """The panel asked for something the current state forbids (a bug in the caller)."""


class Saver(Protocol[K_contra]):
    async def save(self, chapter_id: K_contra, text: str, base: object, *, checkpoint: bool, note: str | None) -> Saved:
        """Store ``text`` for the chapter if it is still at ``base``; else raise SaveConflict."""
        ...


class Loader(Protocol[K_contra]):
    async def load(self, chapter_id: K_contra) -> Loaded: ...


@dataclass(frozen=True, slots=True)
class Opened:
    chapter_id: Hashable
    text: str
    previous: Awaitable[SaveState] | None  # the left chapter's queue; await it to know it is saved
    shown: bool = True  # False when another chapter was picked before this one loaded


@dataclass(frozen=True, slots=True)
class CloseReport:
    conflicts: tuple[Conflict, ...] = ()
    failures: tuple[tuple[Hashable, BaseException], ...] = ()  # (chapter id, error); text kept in memory

    @property
    def clean(self) -> bool:
        return not self.conflicts and not self.failures


def is_pause_checkpoint(previous_activity: float | None, now: float, pause: float) -> bool:
    """Whether an edit at ``now`` starts a new writing session: nothing known about the
    chapter's last activity, or more than ``pause`` seconds since it."""
    return previous_activity is None or now - previous_activity > pause


@dataclass(eq=False)
class _Doc:
    chapter_id: Any  # the session's K; Any keeps the record free of generics
    text: str
    base: object
    saved_text: str
    in_flight: Snapshot | None = None
    task: asyncio.Task[None] | None = None
    theirs: tuple[str, object] | None = None  # set while in conflict
    error: BaseException | None = None
    checkpoint_due: bool = False
    force: bool = False  # save even if unchanged (Save Revision)
    note: str | None = None

    @property
    def state(self) -> SaveState:
        if self.theirs is not None:
            return SaveState.CONFLICT
        target = self.in_flight.text if self.in_flight is not None else self.saved_text
        if self.text != target or self.force:
            return SaveState.DIRTY
        return SaveState.SAVING if self.in_flight is not None else SaveState.CLEAN

    @property
    def idle(self) -> bool:
        return self.task is None


class EditorSession(Generic[K]):
    """One editor's save state machine; every method runs on one asyncio loop."""

    def __init__(
        self,
        saver: Saver[K],
        loader: Loader[K],
        *,
        clock: Callable[[], float] = time.time,
        checkpoint_after: float = DEFAULT_CHECKPOINT_AFTER,
        on_change: Callable[[Hashable, SaveState], None] | None = None,
    ) -> None:
        self._saver = saver
        self._loader = loader
        self._clock = clock
        self._pause = checkpoint_after
        self._on_change = on_change
        self._docs: dict[Hashable, _Doc] = {}
        self._current: _Doc | None = None
        self._loading: Hashable | None = None
        self._generation = 0
        self._activity: dict[Hashable, float | None] = {}  # last edit or save, per chapter
        self._background: set[asyncio.Future[Any]] = set()

    # -- what the panel draws --------------------------------------------------------------
    @property
    def current(self) -> Hashable | None:
        return None if self._current is None else self._current.chapter_id

    @property
    def loading(self) -> bool:
        return self._loading is not None

    @property
    def state(self) -> SaveState:
        if self._loading is not None:
            return SaveState.LOADING
        return SaveState.CLEAN if self._current is None else self._current.state

    @property
    def text(self) -> str:
        """The current chapter's working text (what the editor must show)."""
        return "" if self._current is None else self._current.text

    def state_of(self, chapter_id: Hashable) -> SaveState:
        doc = self._docs.get(chapter_id)
        return SaveState.CLEAN if doc is None else doc.state

    def conflict(self, chapter_id: Hashable | None = None) -> Conflict | None:
        doc = self._doc_for(chapter_id)
        if doc is None or doc.theirs is None:
            return None
        return Conflict(doc.chapter_id, doc.text, doc.theirs[0], doc.theirs[1])

    def conflicts(self) -> list[Conflict]:
        return [c for doc in self._docs.values() if (c := self.conflict(doc.chapter_id)) is not None]

    def last_error(self, chapter_id: Hashable | None = None) -> BaseException | None:
        doc = self._doc_for(chapter_id)
        return None if doc is None else doc.error

    # -- events from the panel ---------------------------------------------------------------
    async def open(self, chapter_id: K) -> Opened:
        """Show ``chapter_id``. The chapter being left keeps saving in the background."""
        if self._current is not None and self._current.chapter_id == chapter_id and self._loading is None:
            return Opened(chapter_id, self._current.text, None)
        self._generation += 1
        generation = self._generation
        previous = self._leave_current()
        self._loading = chapter_id
        self._notify(chapter_id, SaveState.LOADING)
        doc = self._docs.get(chapter_id)
        try:
            if doc is None:
                loaded = await self._loader.load(chapter_id)
                if generation != self._generation:  # the author picked another chapter meanwhile
                    return Opened(chapter_id, loaded.text, previous, shown=False)
                doc = self._docs.get(chapter_id) or _Doc(chapter_id, loaded.text, loaded.base, loaded.text)
                self._docs[chapter_id] = doc
                self._activity.setdefault(chapter_id, loaded.saved_at)
        except BaseException:
            if generation == self._generation:
                self._loading = None
            raise
        self._loading = None
        self._current = doc
        self._notify(chapter_id, doc.state)
        return Opened(chapter_id, doc.text, previous)

    def edit(self, text: str) -> None:
        """The editor's text changed (every keystroke; cheap)."""
        if self._loading is not None or self._current is None:
            raise EditorStateError("The editor must be read-only while no chapter is shown or one is loading.")
        doc = self._current
        if text == doc.text:
            return
        now = self._clock()
        if is_pause_checkpoint(self._activity.get(doc.chapter_id), now, self._pause):
            doc.checkpoint_due = True
        self._activity[doc.chapter_id] = now
        doc.text = text
        self._notify(doc.chapter_id, doc.state)

    def request_save(self) -> Awaitable[SaveState]:
        """Autosave tick, focus lost: save the current chapter's newest text (queued
        behind a save in flight). Ignored while loading: there is no text to save then."""
        if self._loading is not None or self._current is None:
            return self._done(SaveState.LOADING if self._loading is not None else SaveState.CLEAN)
        return self._start(self._current)

    async def save_revision(self, note: str | None = None) -> SaveState:
        """Save Revision (Ctrl+S): a checkpoint of the current text, even if unchanged."""
        doc = self._require_current()
        if doc.theirs is not None:
            raise EditorStateError("Resolve the conflict before saving a revision.")
        doc.force = True
        doc.note = note
        return await self._start(doc)

    async def resolve(self, choice: Resolution, text: str | None = None, chapter_id: K | None = None) -> SaveState:
        """The author's answer to a conflict; the result is saved as a new revision."""
        doc = self._doc_for(chapter_id)
        if doc is None or doc.theirs is None:
            raise EditorStateError("There is no conflict to resolve.")
        theirs_text, theirs_base = doc.theirs
        doc.theirs = None
        doc.base, doc.saved_text = theirs_base, theirs_text
        if choice is Resolution.TAKE_THEIRS:
            doc.text = theirs_text
            self._notify(doc.chapter_id, doc.state)
            return doc.state
        if choice is Resolution.MERGED:
            if text is None:
                raise EditorStateError("A merged resolution needs the merged text.")
            doc.text = text
        doc.force = True
        return await self._start(doc)

    async def refresh(self) -> bool:
        """Another writer saved the current chapter: reload it if nothing here is unsaved.
        Returns whether it reloaded (if not, the next save will report a conflict)."""
        doc = self._current
        if doc is None or self._loading is not None or not doc.idle or doc.state is not SaveState.CLEAN:
            return False
        loaded = await self._loader.load(doc.chapter_id)
        if self._current is not doc or not doc.idle or doc.state is not SaveState.CLEAN:
            return False
        doc.text = doc.saved_text = loaded.text
        doc.base = loaded.base
        self._notify(doc.chapter_id, doc.state)
        return True

    async def flush(self, chapter_id: Hashable | None = None) -> SaveState:
        """Wait until the chapter's queue is empty; its final state (CONFLICT and DIRTY
        after a failure are possible: ask :meth:`conflict` / :meth:`last_error`)."""
        doc = self._doc_for(chapter_id)
        if doc is None:
            return SaveState.CLEAN
        while doc.task is not None:
            await asyncio.shield(doc.task)
        return doc.state

    async def close(self) -> CloseReport:
        """Window closing, quit, SIGTERM: save everything and wait for every queue."""
        if self._current is not None:
            self._start(self._current)
        for doc in list(self._docs.values()):
            self._start(doc)  # one more try for a chapter whose last save failed
        for doc in list(self._docs.values()):
            await self.flush(doc.chapter_id)
        failures = tuple(
            (d.chapter_id, d.error) for d in self._docs.values() if d.error is not None and d.state is SaveState.DIRTY
        )
        return CloseReport(tuple(self.conflicts()), failures)

    # -- the queue ------------------------------------------------------------------------
    def _start(self, doc: _Doc) -> Awaitable[SaveState]:
        if doc.task is None and doc.theirs is None and doc.state is SaveState.DIRTY:
            doc.error = None
            doc.task = asyncio.get_running_loop().create_task(self._drain(doc), name=f"save {doc.chapter_id}")
        return self._track(self.flush(doc.chapter_id))

    async def _drain(self, doc: _Doc) -> None:
        try:
            while doc.theirs is None and doc.state is SaveState.DIRTY:
                snap = Snapshot(doc.chapter_id, doc.text, doc.base, doc.force or doc.checkpoint_due, doc.note)
                doc.force, doc.checkpoint_due, doc.note = False, False, None
                doc.in_flight = snap
                self._notify(doc.chapter_id, doc.state)
                try:
                    saved = await self._saver.save(
                        doc.chapter_id, snap.text, snap.base, checkpoint=snap.checkpoint, note=snap.note
                    )
                except SaveConflict as exc:
                    doc.theirs = (exc.theirs_text, exc.theirs_base)
                    return
                except Exception as exc:  # kept, reported, retried on the next request
                    doc.error = exc
                    doc.force = doc.force or snap.checkpoint  # a revision asked for stays asked for
                    doc.note = doc.note or snap.note
                    return
                finally:
                    doc.in_flight = None
                doc.base, doc.saved_text = saved.base, snap.text
                self._activity[doc.chapter_id] = self._clock()
        finally:
            doc.task = None
            self._notify(doc.chapter_id, doc.state)
            self._forget_if_done(doc)

    # -- helpers -------------------------------------------------------------------------
    def _leave_current(self) -> Awaitable[SaveState] | None:
        doc, self._current = self._current, None
        if doc is None:
            return None
        previous = self._start(doc)
        self._forget_if_done(doc)
        return previous

    def _forget_if_done(self, doc: _Doc) -> None:
        """Drop a record nobody needs: not shown, nothing queued, nothing unsaved."""
        if doc is not self._current and doc.idle and doc.state is SaveState.CLEAN:
            self._docs.pop(doc.chapter_id, None)

    def _doc_for(self, chapter_id: Hashable | None) -> _Doc | None:
        return self._current if chapter_id is None else self._docs.get(chapter_id)

    def _require_current(self) -> _Doc:
        if self._current is None or self._loading is not None:
            raise EditorStateError("No chapter is open.")
        return self._current

    def _notify(self, chapter_id: Hashable, state: SaveState) -> None:
        if self._on_change is not None:
            self._on_change(chapter_id, state)

    def _track(self, coro: Awaitable[SaveState]) -> asyncio.Future[SaveState]:
        """A strong reference until done: a dropped task can be collected mid-flight."""
        future = asyncio.ensure_future(coro)
        self._background.add(future)
        future.add_done_callback(self._background.discard)
        return future

    def _done(self, state: SaveState) -> asyncio.Future[SaveState]:
        future: asyncio.Future[SaveState] = asyncio.get_running_loop().create_future()
        future.set_result(state)
        return future
