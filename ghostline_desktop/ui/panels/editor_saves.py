"""The editor panel's handle on ``core.editor_session``: the session runs on the service loop.

Why there and not on the GUI loop: the session is asyncio code, and the GUI thread only has an
asyncio loop under qasync — pytest-qt, the screenshot and, above all, the last moments of a quit
(``app.shutdown`` runs after the qasync loop has stopped) drive Qt without one. On the service
loop the session works the same in all of them, its store (:class:`ChapterEditorStore`) calls
the chapter service directly (no ``submit`` needed: one loop), and a final flush at quit is one
blocking :func:`ops.run_blocking` call.

Rules that keep it correct across the two threads:

- Every touch of the session happens in a coroutine run on the service loop, submitted through
  ``ui/ops.py``. Submissions start in the order they are made (``run_coroutine_threadsafe`` is
  FIFO) and the session's synchronous steps run before their first ``await``, so "the text I
  typed, then open chapter B" reaches the session in that order.
- The GUI pushes the editor's text (``edit`` + ``request_save``) on the autosave timer, focus
  loss, chapter switch, Save Revision and close — not on every keystroke, so typing in a
  20,000-word chapter never copies the document. Each push names the chapter the text belongs
  to; a push for a chapter the session no longer shows is dropped (the text was pushed when
  it was left), which is what keeps old text out of a new chapter.
- The session reports every state change through ``on_change`` on the service thread; this
  object re-emits it as a queued Qt signal with the conflict or error attached.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from ghostline_desktop.core.editor_session import (
    CloseReport,
    Conflict,
    EditorSession,
    Opened,
    Resolution,
    SaveState,
)
from ghostline_desktop.errors import ValidationError
from ghostline_desktop.services.editor_adapter import ChapterEditorStore
from ghostline_desktop.ui import ops

if TYPE_CHECKING:
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.services.dto import ChapterText

log = logging.getLogger(__name__)
#: How long closing the window waits for the last saves before giving up (the GUI blocks).
CLOSE_TIMEOUT_S = 12.0


@dataclass(frozen=True)
class StateReport:
    """One state change of one chapter, as the GUI thread receives it."""

    chapter_id: uuid.UUID
    state: SaveState
    conflict: Conflict | None = None
    error: BaseException | None = None


@dataclass(frozen=True)
class Refreshed:
    """The result of re-reading the shown chapter after another writer saved it."""

    reloaded: bool
    text: str


class _Session(EditorSession[uuid.UUID]):
    """The core session plus a way to change the pause setting while it runs."""

    def set_checkpoint_after(self, seconds: float) -> None:
        self._pause = seconds  # read in edit(), on the session's own loop


class EditorSaves(QObject):
    """Submits the panel's events to an :class:`EditorSession` living on the service loop."""

    #: A :class:`StateReport` (queued from the service thread).
    stateReported = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session: _Session | None = None
        self.services: Services | None = None
        self.store: ChapterEditorStore | None = None
        self._pause_s = 10 * 60.0
        #: The session's clock for the pause rule (tests pass a fake one before ``attach``).
        self.clock: Callable[[], float] = time.time

    # -- set-up ----------------------------------------------------------------------------
    def attach(self, services: Services, user_id: uuid.UUID | None) -> None:
        self.services = services
        self.store = ChapterEditorStore(services.chapters, user_id=user_id)
        self.session = _Session(
            self.store, self.store, clock=self.clock, checkpoint_after=self._pause_s, on_change=self._on_change
        )

    @property
    def checkpoint_after_s(self) -> float:
        return self._pause_s

    def set_checkpoint_minutes(self, minutes: float) -> None:
        """The first save after a pause this long becomes a revision (Preferences)."""
        pause = max(1.0, float(minutes)) * 60.0
        if pause == self._pause_s:
            return
        self._pause_s = pause
        session = self.session
        if session is not None and ops.installed():

            async def apply() -> None:
                session.set_checkpoint_after(pause)

            ops.CollectionOp(self, apply).run()

    def _on_change(self, chapter_id: Any, state: SaveState) -> None:
        """Runs on the service thread inside the session: attach details, then emit (queued)."""
        session = self.session
        conflict = session.conflict(chapter_id) if session is not None and state is SaveState.CONFLICT else None
        error = session.last_error(chapter_id) if session is not None else None
        with contextlib.suppress(RuntimeError):  # this object was deleted while a save finished
            self.stateReported.emit(StateReport(chapter_id, state, conflict, error))

    def _require(self) -> _Session:
        if self.session is None:
            raise ValidationError("The editor is not connected to its services yet.")
        return self.session

    # -- operations (each runs on the service loop) -------------------------------------------
    def open(
        self,
        chapter_id: uuid.UUID,
        leaving: tuple[uuid.UUID, str] | None,
        done: Callable[[tuple[Opened, ChapterText]], object],
        failed: Callable[[BaseException], object],
    ) -> None:
        """Push the text of the chapter being left, then open ``chapter_id`` (its text and
        details: title, status, words — the header needs them too)."""
        session = self._require()
        services = self.services
        assert services is not None

        async def work() -> tuple[Opened, ChapterText]:
            if leaving is not None:
                _push(session, *leaving)
            opened = await session.open(chapter_id)
            details = await services.chapters.get(chapter_id)
            return opened, details

        ops.CollectionOp(self.parent(), work).success(done).failure(failed).run()

    def push(self, chapter_id: uuid.UUID, text: str) -> None:
        """Autosave: hand the newest text to the session and start (or queue) its save."""
        session = self._require()

        async def work() -> None:
            if _push(session, chapter_id, text):
                session.request_save()  # state changes arrive through on_change

        ops.CollectionOp(self.parent(), work).run()

    def save_revision(
        self, chapter_id: uuid.UUID, text: str, note: str | None, done: Callable[[SaveState], object]
    ) -> None:
        session = self._require()

        async def work() -> SaveState:
            if not _push(session, chapter_id, text):
                raise ValidationError("That chapter is no longer open; its text was saved when you left it.")
            return await session.save_revision(note)

        ops.CollectionOp(self.parent(), work).success(done).run()

    def resolve(
        self,
        chapter_id: uuid.UUID,
        choice: Resolution,
        text: str | None,
        done: Callable[[tuple[SaveState, str]], object],
    ) -> None:
        """The author's answer to a conflict. ``text`` is the editor's newest text (typed
        after the conflict was found); returns the state and the text the editor must show."""
        session = self._require()

        async def work() -> tuple[SaveState, str]:
            if text is not None and choice is Resolution.KEEP_MINE:
                _push(session, chapter_id, text)
            state = await session.resolve(choice, chapter_id=chapter_id)
            conflict = session.conflict(chapter_id)
            shown = conflict.mine if conflict is not None else _text_of(session, chapter_id)
            return state, shown

        ops.CollectionOp(self.parent(), work).success(done).run()

    def refresh(self, chapter_id: uuid.UUID, text: str, done: Callable[[Refreshed], object]) -> None:
        """Another writer saved the shown chapter: reload it unless the author has unsaved text
        (then the next save reports a conflict and both texts are shown)."""
        session = self._require()

        async def work() -> Refreshed:
            if not _push(session, chapter_id, text):
                return Refreshed(False, text)
            if session.state is not SaveState.CLEAN:
                session.request_save()  # unsaved words go first; a conflict is reported if any
                return Refreshed(False, text)
            reloaded = await session.refresh()
            return Refreshed(reloaded, session.text)

        ops.QueryOp(self.parent(), work).named(f"editor.refresh.{id(self)}").success(done).run()

    def restore(
        self,
        chapter_id: uuid.UUID,
        text: str,
        number: int,
        done: Callable[[Refreshed], object],
        failed: Callable[[BaseException], object],
    ) -> None:
        """Restore revision ``number`` as a new revision: the author's text is saved first (and
        sealed by the service), then the editor shows the restored text."""
        session = self._require()
        services = self.services
        assert services is not None and self.store is not None
        user_id = self.store.user_id

        async def work() -> Refreshed:
            if not _push(session, chapter_id, text):
                raise ValidationError("Open the chapter before restoring one of its revisions.")
            if await session.request_save() is not SaveState.CLEAN:
                return Refreshed(False, text)  # a conflict or failure is reported; the author decides first
            await services.chapters.restore_revision(chapter_id, number, user_id=user_id)
            reloaded = await session.refresh()
            return Refreshed(reloaded, session.text)

        ops.CollectionOp(self.parent(), work).success(done).failure(failed).run()

    def close_async(self, chapter_id: uuid.UUID | None, text: str) -> None:
        """Project closing: save everything in the background (nothing to wait for)."""
        session = self.session
        if session is None or not ops.installed():
            return

        async def work() -> CloseReport:
            if chapter_id is not None:
                _push(session, chapter_id, text)
            return await session.close()

        ops.CollectionOp(self.parent(), work).run()

    def close_blocking(self, chapter_id: uuid.UUID | None, text: str, timeout: float = CLOSE_TIMEOUT_S) -> CloseReport:
        """Window closing, quit, SIGTERM: save everything and wait (the only place the GUI blocks).
        A save that does not finish in ``timeout`` is reported as a failure, never dropped."""
        session = self.session
        if session is None or not ops.installed():
            return CloseReport()

        async def work() -> CloseReport:
            if chapter_id is not None:
                _push(session, chapter_id, text)
            return await session.close()

        try:
            return ops.run_blocking(work(), timeout=timeout)
        except TimeoutError as exc:
            log.error("The last save did not finish within %.0f s", timeout)
            failed = chapter_id if chapter_id is not None else uuid.UUID(int=0)
            return CloseReport(failures=((failed, exc),))

    def resolve_blocking(self, chapter_id: uuid.UUID, choice: Resolution, timeout: float = CLOSE_TIMEOUT_S) -> None:
        """A conflict found while closing, answered (by the author or, unattended, "keep mine")."""
        session = self._require()

        async def work() -> SaveState:
            state = await session.resolve(choice, chapter_id=chapter_id)
            return await session.flush(chapter_id) if state is not SaveState.CONFLICT else state

        ops.run_blocking(work(), timeout=timeout)


def _push(session: EditorSession[uuid.UUID], chapter_id: uuid.UUID, text: str) -> bool:
    """Give the session the editor's text if ``chapter_id`` is the chapter it shows."""
    if session.loading or session.current != chapter_id:
        return False
    session.edit(text)
    return True


def _text_of(session: EditorSession[uuid.UUID], chapter_id: uuid.UUID) -> str:
    return session.text if session.current == chapter_id else ""
