"""Chapters, their working text and their revision history.

A chapter's text lives in ``chapter_revisions``: the newest row may be the unsealed
*working text* that autosaves update in place, every other row is a sealed revision — a
checkpoint someone meant (``services/chapter_saves.py`` has the rules). The chapter row
keeps the title, order, status, the current word count (of the working text, from
``core/words.py``, so the editor's footer and the lists agree) and ``text_version`` for
the editor's conflict check.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from ghostline_desktop.core.diff import diff_texts
from ghostline_desktop.core.enum_names import member_by_name
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import Chapter, ChapterRevision, ChapterStatus, Project, RevisionSource
from ghostline_desktop.errors import ConflictError, NotFoundError, ValidationError
from ghostline_desktop.services.chapter_saves import (
    THREAD_DIFF_CHARS,
    TextWrite,
    clean_note,
    latest_rows,
    revision_info,
    revision_infos,
    revision_text,
    write_text,
)
from ghostline_desktop.services.dto import (
    BookWords,
    ChapterSummary,
    ChapterText,
    RevisionDiff,
    RevisionInfo,
    RevisionText,
    SaveResult,
)
from ghostline_desktop.services.events import ChapterSaved, ChaptersChanged, EventBus
from ghostline_desktop.services.text_stats import count_words_async
from ghostline_desktop.services.validation import clean_title

_GONE = "That chapter no longer exists."
#: The issue's "N minutes" default: the first save after a longer pause is a checkpoint.
DEFAULT_CHECKPOINT_MINUTES = 10.0


class RevisionConflictError(ConflictError):
    """The chapter was saved elsewhere (another window, an AI draft) after this editor
    loaded it; saving now would silently drop that text. Carries their text and version,
    so the editor can show both and let the author choose."""

    title = "Chapter changed elsewhere"

    def __init__(
        self, chapter_title: str, expected: int, latest: int, *, theirs_text: str = "", theirs_base: int = 0
    ) -> None:
        super().__init__(
            f"'{chapter_title}' was changed elsewhere (it is now at revision {latest}) after you opened it. "
            "Both texts are kept: choose yours, theirs, or combine them."
        )
        self.expected_revision = expected
        self.latest_revision = latest
        self.theirs_text = theirs_text
        self.theirs_base = theirs_base


def _clean_text(content: str | None) -> str:
    # PostgreSQL text cannot hold NUL; nothing an author types contains one.
    return (content or "").replace("\x00", "")


def _text(ch: Chapter, rev: ChapterRevision | None) -> ChapterText:
    return ChapterText(
        id=ch.id,
        project_id=ch.project_id,
        title=ch.title,
        order=ch.order,
        status=ch.status.name,
        content=rev.content if rev else "",
        revision_number=rev.revision_number if rev else 0,
        word_count=ch.word_count,
        updated_at=ch.updated_at,
        base=ch.text_version,
        working=rev is not None and not rev.sealed,
        saved_at=rev.updated_at if rev else None,
    )


class ChapterService:
    def __init__(
        self, db: Database, bus: EventBus, *, checkpoint_after_minutes: float = DEFAULT_CHECKPOINT_MINUTES
    ) -> None:
        self.db = db
        self.bus = bus
        self.pause = timedelta(minutes=checkpoint_after_minutes)

    # -- queries ------------------------------------------------------------------------
    async def list_chapters(self, project_id: uuid.UUID) -> list[ChapterSummary]:
        revisions = (
            select(ChapterRevision.chapter_id, func.count().label("n"))
            .where(ChapterRevision.project_id == project_id, ChapterRevision.sealed)
            .group_by(ChapterRevision.chapter_id)
            .subquery()
        )
        q = (
            select(Chapter, revisions.c.n)
            .outerjoin(revisions, revisions.c.chapter_id == Chapter.id)
            .where(Chapter.project_id == project_id)
            .order_by(Chapter.order, Chapter.created_at)
        )
        async with self.db.session() as s:
            return [
                ChapterSummary(
                    id=ch.id,
                    project_id=ch.project_id,
                    title=ch.title,
                    order=ch.order,
                    status=ch.status.name,
                    word_count=ch.word_count,
                    revision_count=int(n or 0),
                    outline_position=dict(ch.outline_position or {}),
                    updated_at=ch.updated_at,
                )
                for ch, n in (await s.execute(q)).all()
            ]

    async def summary(self, chapter_id: uuid.UUID) -> ChapterSummary:
        async with self.db.session() as s:
            ch = await s.get(Chapter, chapter_id)
            if ch is None:
                raise NotFoundError(_GONE)
            project_id = ch.project_id
        for item in await self.list_chapters(project_id):
            if item.id == chapter_id:
                return item
        raise NotFoundError(_GONE)  # deleted between the two reads

    async def chapter_at(self, project_id: uuid.UUID, position: int) -> ChapterSummary:
        """The chapter at a 1-based position in book order (for scripts: ``chapter show 3``)."""
        chapters = await self.list_chapters(project_id)
        if not 1 <= position <= len(chapters):
            raise NotFoundError(f"There is no chapter {position}; the book has {len(chapters)}.")
        return chapters[position - 1]

    async def get(self, chapter_id: uuid.UUID) -> ChapterText:
        """The chapter's current text: the working text if there is one, else the newest
        revision ("" and revision 0 if none). ``base`` is what a save passes back."""
        async with self.db.session() as s:
            ch = await s.get(Chapter, chapter_id)
            if ch is None:
                raise NotFoundError(_GONE)
            working, sealed = await latest_rows(s, chapter_id)
            return _text(ch, working or sealed)

    async def book_words(self, project_id: uuid.UUID) -> BookWords:
        async with self.db.session() as s:
            project = await s.get(Project, project_id)
            if project is None:
                raise NotFoundError("That project no longer exists.")
            words, n = (
                await s.execute(
                    select(func.coalesce(func.sum(Chapter.word_count), 0), func.count()).where(
                        Chapter.project_id == project_id
                    )
                )
            ).one()
            return BookWords(project_id, int(words), project.target_word_count, int(n))

    async def list_revisions(self, chapter_id: uuid.UUID, *, include_working: bool = True) -> list[RevisionInfo]:
        """The history, newest first: the working text first (``sealed`` False) unless
        ``include_working`` is False, then every revision. Change sizes are stored when a
        revision is sealed; the working text's (and an old row's) is computed here, off
        the service loop for long texts."""
        async with self.db.session() as s:
            if await s.get(Chapter, chapter_id) is None:
                raise NotFoundError(_GONE)
            rows = list(
                (
                    await s.execute(
                        select(ChapterRevision)
                        .options(defer(ChapterRevision.content))
                        .where(ChapterRevision.chapter_id == chapter_id)
                        .order_by(ChapterRevision.revision_number.desc())
                    )
                ).scalars()
            )
            if not include_working:
                rows = [r for r in rows if r.sealed]
            return await revision_infos(s, chapter_id, rows)

    async def get_revision(self, chapter_id: uuid.UUID, revision_number: int) -> RevisionText:
        """One revision with its text (for the diff view); the working row too."""
        async with self.db.session() as s:
            r = (
                await s.execute(
                    select(ChapterRevision).where(
                        ChapterRevision.chapter_id == chapter_id, ChapterRevision.revision_number == revision_number
                    )
                )
            ).scalar_one_or_none()
            if r is None:
                if await s.get(Chapter, chapter_id) is None:
                    raise NotFoundError(_GONE)
                raise NotFoundError(f"Revision {revision_number} of that chapter does not exist.")
            return revision_text(r)

    async def diff(self, chapter_id: uuid.UUID, a: int | None = None, b: int | None = None) -> RevisionDiff:
        """Diff revision ``a`` → ``b`` (numbers). Defaults: ``b`` the current text (working
        or newest revision), ``a`` the one before ``b``; revision 0 is the empty text.
        The diff runs in a worker thread for long chapters."""
        if b is None:
            current = await self.get(chapter_id)
            b = current.revision_number
        if a is None:
            a = max(0, b - 1)
        ra, rb = await self._revision_or_empty(chapter_id, a), await self._revision_or_empty(chapter_id, b)
        if len(ra.content) + len(rb.content) > THREAD_DIFF_CHARS:
            result = await asyncio.to_thread(diff_texts, ra.content, rb.content)
        else:
            result = diff_texts(ra.content, rb.content)
        return RevisionDiff(ra, rb, result)

    async def _revision_or_empty(self, chapter_id: uuid.UUID, number: int) -> RevisionText:
        if number == 0:
            ch = await self.summary(chapter_id)
            return RevisionText(uuid.UUID(int=0), chapter_id, 0, 0, "MANUAL", "", ch.updated_at)
        return await self.get_revision(chapter_id, number)

    # -- saving -------------------------------------------------------------------------
    async def save(
        self,
        chapter_id: uuid.UUID,
        content: str,
        *,
        base: int | None = None,
        checkpoint: bool = False,
        note: str | None = None,
        source: str = "MANUAL",
        user_id: uuid.UUID | None = None,
        expected_revision: int | None = None,
        token_cost: int = 0,
        similarity_score: float | None = None,
        generation_task_id: uuid.UUID | None = None,
        seal_working_first: bool = False,
    ) -> SaveResult:
        """Save a chapter's text (the one entry point; see ``chapter_saves`` for the rules).

        ``checkpoint=False`` (autosave) updates the working text in place; ``True`` (Save
        Revision, the first save after a pause, a conflict resolution) seals it as a
        revision with ``note``. Any ``source`` other than MANUAL is always a checkpoint.
        ``base`` is the ``ChapterText.base`` the editor loaded or last saved at: if the text
        changed since, :class:`RevisionConflictError` carries their text and nothing is
        written. (``expected_revision``, the older check against the newest row's number,
        is kept for callers that have it.)
        """
        kind = member_by_name(RevisionSource, source)
        if kind is None:
            raise ValidationError(f"'{source}' is not a revision source.")
        if token_cost < 0:
            raise ValidationError("A token cost cannot be negative.")
        if similarity_score is not None and not 0.0 <= similarity_score <= 1.0:
            raise ValidationError("A similarity score lies between 0 and 1.")
        content = _clean_text(content)
        words = await count_words_async(content)
        write = TextWrite(
            content,
            words,
            kind,
            checkpoint,
            clean_note(note),
            user_id,
            token_cost,
            similarity_score,
            generation_task_id,
            seal_working_first,
        )
        async with self.db.session() as s:
            # The row lock serialises concurrent saves of one chapter: revision numbers
            # stay consecutive and the conflict check sees the other save.
            ch = await self._locked(s, chapter_id)
            await self._check_conflict(s, ch, base, expected_revision)
            outcome = await write_text(s, ch, write, pause=self.pause)
            await s.refresh(ch)
            out = _text(ch, outcome.row)
        if outcome.changed or outcome.revision_made:
            event = ChapterSaved(out.project_id, chapter_id, out.revision_number, sealed=outcome.revision_made)
            self.bus.publish(event)
        return SaveResult(out, outcome.changed, outcome.revision_made)

    async def _locked(self, s: AsyncSession, chapter_id: uuid.UUID) -> Chapter:
        ch = (await s.execute(select(Chapter).where(Chapter.id == chapter_id).with_for_update())).scalar_one_or_none()
        if ch is None:
            raise NotFoundError(_GONE)
        return ch

    async def _check_conflict(
        self, s: AsyncSession, ch: Chapter, base: int | None, expected_revision: int | None
    ) -> None:
        if base is None and expected_revision is None:
            return
        working, sealed = await latest_rows(s, ch.id)
        latest = working or sealed
        latest_number = latest.revision_number if latest else 0
        if (base is not None and base != ch.text_version) or (
            expected_revision is not None and expected_revision != latest_number
        ):
            raise RevisionConflictError(
                ch.title,
                expected_revision if expected_revision is not None else latest_number,
                latest_number,
                theirs_text=latest.content if latest else "",
                theirs_base=ch.text_version,
            )

    async def autosave(
        self, chapter_id: uuid.UUID, content: str, *, base: int | None, user_id: uuid.UUID | None = None
    ) -> SaveResult:
        """Update the working text in place (no revision)."""
        return await self.save(chapter_id, content, base=base, user_id=user_id)

    async def save_revision(
        self,
        chapter_id: uuid.UUID,
        content: str,
        *,
        note: str | None = None,
        base: int | None = None,
        user_id: uuid.UUID | None = None,
    ) -> SaveResult:
        """Save Revision (Ctrl+S): the text becomes a sealed revision with ``note``."""
        return await self.save(chapter_id, content, base=base, checkpoint=True, note=note, user_id=user_id)

    async def save_text(
        self,
        chapter_id: uuid.UUID,
        content: str,
        *,
        user_id: uuid.UUID | None = None,
        expected_revision: int | None = None,
        source: str = "MANUAL",
        token_cost: int = 0,
        similarity_score: float | None = None,
        note: str | None = None,
    ) -> ChapterText:
        """A checkpoint save (a sealed revision when the text changed), as AI drafts, the
        demo and scripts use it. Saving unchanged text writes nothing."""
        result = await self.save(
            chapter_id,
            content,
            checkpoint=True,
            note=note,
            source=source,
            user_id=user_id,
            expected_revision=expected_revision,
            token_cost=token_cost,
            similarity_score=similarity_score,
        )
        return result.text

    async def restore_revision(
        self, chapter_id: uuid.UUID, revision_number: int, *, user_id: uuid.UUID | None = None
    ) -> ChapterText:
        """Bring back an earlier revision's text as a new (RESTORE) revision; the working
        text, if any, is sealed first so nothing is lost. History is never rewritten."""
        old = await self.get_revision(chapter_id, revision_number)
        return await self.save_text(
            chapter_id, old.content, user_id=user_id, source="RESTORE", note=f"Restored revision {revision_number}"
        )

    async def set_feedback(self, revision_id: uuid.UUID, text: str | None) -> RevisionInfo:
        """The author's "Request changes…" on a revision (``user_feedback``; blank clears it)."""
        feedback = (text or "").strip() or None
        async with self.db.session() as s:
            r = await s.get(ChapterRevision, revision_id)
            if r is None:
                raise NotFoundError("That revision no longer exists.")
            r.user_feedback = feedback
            await s.flush()
            await s.refresh(r)
            info = revision_info(r)
            project_id, chapter_id = r.project_id, r.chapter_id
        self.bus.publish(ChaptersChanged(project_id, chapter_id, "feedback"))
        return info

    # -- other commands -----------------------------------------------------------------
    async def create(
        self,
        project_id: uuid.UUID,
        title: str,
        *,
        order: int | None = None,
        content: str = "",
        outline_position: dict[str, Any] | None = None,
        user_id: uuid.UUID | None = None,
    ) -> ChapterSummary:
        """A new chapter; ``order`` defaults to after the last one (orders start at 1).

        With ``content`` the text becomes revision 1 and the chapter starts as DRAFT;
        without, it is PLANNED and has no revision yet.
        """
        title = clean_title(title, "chapter")
        if order is not None and order < 0:
            raise ValidationError("A chapter's position cannot be negative.")
        content = _clean_text(content)
        words = await count_words_async(content) if content else 0
        async with self.db.session() as s:
            # Lock the project so two chapters created at once get distinct default orders.
            locked = (
                await s.execute(select(Project.id).where(Project.id == project_id).with_for_update())
            ).scalar_one_or_none()
            if locked is None:
                raise NotFoundError("That project no longer exists.")
            if order is None:
                last = (
                    await s.execute(select(func.max(Chapter.order)).where(Chapter.project_id == project_id))
                ).scalar()
                order = 1 if last is None else last + 1
            ch = Chapter(
                project_id=project_id,
                title=title,
                order=order,
                status=ChapterStatus.PLANNED,
                outline_position=dict(outline_position or {}),
                word_count=0,
                text_version=0,
            )
            s.add(ch)
            await s.flush()
            if content:
                await write_text(s, ch, TextWrite(content, words, checkpoint=True, user_id=user_id), pause=self.pause)
            chapter_id = ch.id
        self.bus.publish(ChaptersChanged(project_id, chapter_id, "created"))
        if content:
            self.bus.publish(ChapterSaved(project_id, chapter_id, 1))
        return await self.summary(chapter_id)

    async def rename(self, chapter_id: uuid.UUID, title: str) -> ChapterSummary:
        title = clean_title(title, "chapter")
        async with self.db.session() as s:
            ch = await s.get(Chapter, chapter_id)
            if ch is None:
                raise NotFoundError(_GONE)
            ch.title = title
            project_id = ch.project_id
        self.bus.publish(ChaptersChanged(project_id, chapter_id, "renamed"))
        return await self.summary(chapter_id)

    async def set_status(self, chapter_id: uuid.UUID, status: str) -> ChapterSummary:
        """PLANNED → DRAFT → REVIEWING → APPROVED (any step, either way: the author decides)."""
        member = member_by_name(ChapterStatus, status)
        if member is None:
            raise ValidationError(f"'{status}' is not a chapter status (use PLANNED, DRAFT, REVIEWING or APPROVED).")
        async with self.db.session() as s:
            ch = await s.get(Chapter, chapter_id)
            if ch is None:
                raise NotFoundError(_GONE)
            ch.status = member
            project_id = ch.project_id
        self.bus.publish(ChaptersChanged(project_id, chapter_id, "status"))
        return await self.summary(chapter_id)

    async def reorder(self, project_id: uuid.UUID, chapter_ids: list[uuid.UUID]) -> list[ChapterSummary]:
        """Number the given chapters 1, 2, 3… in the given order; must list every chapter."""
        async with self.db.session() as s:
            chapters = {
                ch.id: ch
                for ch in (
                    await s.execute(select(Chapter).where(Chapter.project_id == project_id).with_for_update())
                ).scalars()
            }
            if set(chapter_ids) != set(chapters) or len(chapter_ids) != len(chapters):
                raise ValidationError("The new order must list every chapter of the book exactly once.")
            for number, cid in enumerate(chapter_ids, start=1):
                chapters[cid].order = number
        self.bus.publish(ChaptersChanged(project_id, None, "reordered"))
        return await self.list_chapters(project_id)

    async def delete(self, chapter_id: uuid.UUID) -> None:
        """Delete the chapter with its revisions and findings (FK cascades)."""
        async with self.db.session() as s:
            ch = await s.get(Chapter, chapter_id)
            if ch is None:
                raise NotFoundError(_GONE)
            project_id = ch.project_id
            await s.delete(ch)
        self.bus.publish(ChaptersChanged(project_id, chapter_id, "deleted"))
