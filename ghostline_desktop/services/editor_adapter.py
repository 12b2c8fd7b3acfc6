"""The chapter editor's store: ``core.editor_session``'s Saver and Loader over ChapterService.

``core`` imports nothing of ours, so this adapter does the translating: a save's ``base``
is ``ChapterText.base`` (``chapters.text_version``), the service's
:class:`RevisionConflictError` becomes core's :class:`SaveConflict` with their text, and
the time of the last save becomes ``Loaded.saved_at`` so the first edit after a long
pause is a checkpoint even across restarts.

No Qt: the UI passes ``submit``, which runs a service coroutine on the service loop and
awaits it from the GUI loop (``ui/ops.py``); tests and the CLI leave it out and run
everything on one loop.

A conflict resolution keeps their text in the history: when the session saves at a base
this adapter reported as *theirs*, the service is asked to seal their working text (if it
is one) before writing the author's.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ghostline_desktop.core.editor_session import Loaded, SaveConflict, Saved

if TYPE_CHECKING:
    # The editor imports this module before the ORM has loaded (on the service thread).
    from ghostline_desktop.services.chapters import ChapterService, RevisionConflictError

T = TypeVar("T")
Submit = Callable[[Coroutine[Any, Any, Any]], Awaitable[Any]]


class ChapterEditorStore:
    """Implements ``Saver[uuid.UUID]`` and ``Loader[uuid.UUID]`` of ``core.editor_session``."""

    @staticmethod
    def _conflict_error() -> type[RevisionConflictError]:
        from ghostline_desktop.services.chapters import RevisionConflictError

        return RevisionConflictError

    def __init__(
        self, chapters: ChapterService, *, user_id: uuid.UUID | None = None, submit: Submit | None = None
    ) -> None:
        self.chapters = chapters
        self.user_id = user_id
        self._submit = submit
        self._theirs: dict[uuid.UUID, int] = {}  # chapter → base reported in its last conflict

    async def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._submit is None:
            return await coro
        return cast(T, await self._submit(coro))

    async def load(self, chapter_id: uuid.UUID) -> Loaded:
        text = await self._call(self.chapters.get(chapter_id))
        saved_at = text.saved_at.timestamp() if text.saved_at is not None else None
        return Loaded(text.content, text.base, saved_at)

    async def save(
        self, chapter_id: uuid.UUID, text: str, base: object, *, checkpoint: bool, note: str | None
    ) -> Saved:
        if not isinstance(base, int):
            raise TypeError(f"A chapter's base is its text version (an int), not {base!r}.")
        resolving = self._theirs.get(chapter_id) == base
        try:
            result = await self._call(
                self.chapters.save(
                    chapter_id,
                    text,
                    base=base,
                    checkpoint=checkpoint,
                    note=note,
                    user_id=self.user_id,
                    seal_working_first=resolving,
                )
            )
        except self._conflict_error() as exc:
            self._theirs[chapter_id] = exc.theirs_base
            raise SaveConflict(exc.theirs_text, exc.theirs_base) from exc
        self._theirs.pop(chapter_id, None)
        return Saved(result.text.base, revision=result.revision_made)
