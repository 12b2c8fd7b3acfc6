"""Chapters and their revision history.

A chapter's text lives in ``chapter_revisions``: every save that changes the text
appends a revision, so the author can diff or restore any earlier state. The chapter
row keeps the title, order, status and the latest word count for list views.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ghostline_desktop.core.enum_names import member_by_name
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import Chapter, ChapterRevision, ChapterStatus, Project, RevisionSource
from ghostline_desktop.errors import ConflictError, NotFoundError, ValidationError
from ghostline_desktop.services.dto import ChapterSummary, ChapterText, RevisionInfo, RevisionText
from ghostline_desktop.services.events import ChapterSaved, ChaptersChanged, EventBus
from ghostline_desktop.services.library import count_words_async
from ghostline_desktop.services.validation import clean_title

_GONE = "That chapter no longer exists."


class RevisionConflictError(ConflictError):
    """The chapter was saved elsewhere (another window, an AI draft) after this editor
    loaded it; saving now would silently drop that text."""

    title = "Chapter changed elsewhere"

    def __init__(self, chapter_title: str, expected: int, latest: int) -> None:
        super().__init__(
            f"'{chapter_title}' was saved elsewhere (now revision {latest}) after you opened revision "
            f"{expected}. Reload the chapter to see the newer text, or copy yours before reloading."
        )
        self.expected_revision = expected
        self.latest_revision = latest


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
    )


def _revision_info(r: ChapterRevision) -> RevisionInfo:
    return RevisionInfo(
        id=r.id,
        revision_number=r.revision_number,
        word_count=r.word_count,
        source=r.source.name,
        similarity_score=r.similarity_score,
        token_cost=r.token_cost,
        created_at=r.created_at,
    )


async def _latest_revision(s: AsyncSession, chapter_id: uuid.UUID) -> ChapterRevision | None:
    return (
        await s.execute(
            select(ChapterRevision)
            .where(ChapterRevision.chapter_id == chapter_id)
            .order_by(ChapterRevision.revision_number.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


class ChapterService:
    def __init__(self, db: Database, bus: EventBus) -> None:
        self.db = db
        self.bus = bus

    # -- queries ------------------------------------------------------------------------
    async def list_chapters(self, project_id: uuid.UUID) -> list[ChapterSummary]:
        revisions = (
            select(ChapterRevision.chapter_id, func.count().label("n"))
            .where(ChapterRevision.project_id == project_id)
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

    async def get(self, chapter_id: uuid.UUID) -> ChapterText:
        """The chapter with the text of its latest revision ("" and revision 0 if none)."""
        async with self.db.session() as s:
            ch = await s.get(Chapter, chapter_id)
            if ch is None:
                raise NotFoundError(_GONE)
            return _text(ch, await _latest_revision(s, chapter_id))

    async def list_revisions(self, chapter_id: uuid.UUID) -> list[RevisionInfo]:
        """Every revision, newest first."""
        async with self.db.session() as s:
            if await s.get(Chapter, chapter_id) is None:
                raise NotFoundError(_GONE)
            rows = (
                await s.execute(
                    select(ChapterRevision)
                    .where(ChapterRevision.chapter_id == chapter_id)
                    .order_by(ChapterRevision.revision_number.desc())
                )
            ).scalars()
            return [_revision_info(r) for r in rows]

    async def get_revision(self, chapter_id: uuid.UUID, revision_number: int) -> RevisionText:
        """One revision with its text (for the diff view)."""
        async with self.db.session() as s:
            r = (
                await s.execute(
                    select(ChapterRevision).where(
                        ChapterRevision.chapter_id == chapter_id, ChapterRevision.revision_number == revision_number
                    )
                )
            ).scalar_one_or_none()
            if r is None:
                raise NotFoundError(f"Revision {revision_number} of that chapter does not exist.")
            return RevisionText(
                id=r.id,
                chapter_id=r.chapter_id,
                revision_number=r.revision_number,
                word_count=r.word_count,
                source=r.source.name,
                content=r.content,
                created_at=r.created_at,
            )

    # -- commands -----------------------------------------------------------------------
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
                status=ChapterStatus.DRAFT if content else ChapterStatus.PLANNED,
                outline_position=dict(outline_position or {}),
                word_count=words,
            )
            s.add(ch)
            await s.flush()
            if content:
                s.add(
                    ChapterRevision(
                        chapter_id=ch.id,
                        project_id=project_id,
                        revision_number=1,
                        content=content,
                        word_count=words,
                        source=RevisionSource.MANUAL,
                        created_by_id=user_id,
                    )
                )
            chapter_id = ch.id
        self.bus.publish(ChaptersChanged(project_id, chapter_id, "created"))
        if content:
            self.bus.publish(ChapterSaved(project_id, chapter_id, 1))
        return await self.summary(chapter_id)

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
    ) -> ChapterText:
        """Append a revision when ``content`` differs from the latest one.

        ``expected_revision`` is the revision the editor loaded: if someone saved since,
        ``RevisionConflictError`` (a ``ConflictError``) is raised and nothing is written.
        Saving unchanged text writes nothing and publishes nothing.
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
        async with self.db.session() as s:
            # The row lock serialises concurrent saves of one chapter: revision numbers
            # stay consecutive and the conflict check sees the other save.
            ch = (
                await s.execute(select(Chapter).where(Chapter.id == chapter_id).with_for_update())
            ).scalar_one_or_none()
            if ch is None:
                raise NotFoundError(_GONE)
            latest = await _latest_revision(s, chapter_id)
            latest_number = latest.revision_number if latest else 0
            if expected_revision is not None and expected_revision != latest_number:
                raise RevisionConflictError(ch.title, expected_revision, latest_number)
            if (latest.content if latest else "") == content:  # nothing new to keep
                return _text(ch, latest)
            rev = ChapterRevision(
                chapter_id=ch.id,
                project_id=ch.project_id,
                revision_number=latest_number + 1,
                content=content,
                word_count=words,
                source=kind,
                token_cost=token_cost,
                similarity_score=similarity_score,
                created_by_id=user_id,
            )
            s.add(rev)
            ch.word_count = words
            ch.updated_at = func.now()  # touch even if the count is unchanged
            if ch.status is ChapterStatus.PLANNED:
                ch.status = ChapterStatus.DRAFT
            await s.flush()
            await s.refresh(ch)
            out = _text(ch, rev)
        self.bus.publish(ChapterSaved(out.project_id, chapter_id, out.revision_number))
        return out

    async def restore_revision(
        self, chapter_id: uuid.UUID, revision_number: int, *, user_id: uuid.UUID | None = None
    ) -> ChapterText:
        """Bring back an earlier revision's text as a new (RESTORE) revision."""
        old = await self.get_revision(chapter_id, revision_number)
        return await self.save_text(chapter_id, old.content, user_id=user_id, source="RESTORE")

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
        member = member_by_name(ChapterStatus, status)
        if member is None:
            raise ValidationError(f"'{status}' is not a chapter status.")
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
