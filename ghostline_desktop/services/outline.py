"""The book outline and its versions.

Versioning, as the author sees it: editing a DRAFT version changes it in place (an
outline is edited a node at a time; a version per keystroke would bury the history).
Approving freezes that version — the previously approved one is archived — and the next
edit starts version N+1 as a DRAFT. Older versions can be viewed and restored, which
makes a new version; ARCHIVED ones are hidden unless asked for. An AI-generated outline
arrives as a new DRAFT beside the current one (``save(..., new_version=True)``).

Approving also lays the book out: ``chapters`` follow the approved outline (order, title,
``book_outline_id``, ``outline_position``). Each outline chapter node remembers its
chapter's id (an extra ``chapter_id`` key, which ``core.outline_tree`` keeps), so a
renamed or moved entry keeps its text. A chapter with text is never deleted: one the
outline no longer lists is flagged ``{"orphaned": true}`` ("not in outline") for the
author to decide; only empty planned chapters an earlier outline made are removed.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ghostline_desktop.core import outline_tree
from ghostline_desktop.core.enum_names import member_by_name
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import BookOutline, Chapter, ChapterRevision, ChapterStatus, OutlineStatus, Project
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.dto import OutlineApproval, OutlineInfo
from ghostline_desktop.services.events import ChaptersChanged, EventBus, OutlineChanged

_GONE = "That outline version no longer exists."


def _info(o: BookOutline) -> OutlineInfo:
    return OutlineInfo(
        id=o.id,
        project_id=o.project_id,
        version=o.version,
        status=o.status.name,
        title=o.title,
        structure=o.structure or outline_tree.empty(),
        created_at=o.created_at,
    )


def _clean_title(title: str | None) -> str | None:
    if title is None:
        return None
    title = " ".join(title.split())
    if len(title) > outline_tree.MAX_TITLE:
        raise ValidationError(f"An outline title can be at most {outline_tree.MAX_TITLE} characters.")
    return title or None


def _validated(structure: dict[str, Any]) -> dict[str, Any]:
    try:
        return outline_tree.validate(structure)
    except outline_tree.OutlineShapeError as exc:
        raise ValidationError(str(exc)) from exc


def _as_uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


async def _lock_project(s: AsyncSession, project_id: uuid.UUID) -> None:
    """Serialise outline writes of one project (consecutive version numbers, one approval)."""
    found = (await s.execute(select(Project.id).where(Project.id == project_id).with_for_update())).scalar_one_or_none()
    if found is None:
        raise NotFoundError("That project no longer exists.")


async def _newest(s: AsyncSession, project_id: uuid.UUID) -> BookOutline | None:
    return (
        await s.execute(
            select(BookOutline)
            .where(BookOutline.project_id == project_id)
            .order_by(BookOutline.version.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


class OutlineService:
    def __init__(self, db: Database, bus: EventBus) -> None:
        self.db = db
        self.bus = bus

    # -- queries ------------------------------------------------------------------------
    async def current(self, project_id: uuid.UUID) -> OutlineInfo | None:
        """The newest version that is not archived, or None when the project has none."""
        async with self.db.session() as s:
            row = (
                await s.execute(
                    select(BookOutline)
                    .where(BookOutline.project_id == project_id, BookOutline.status != OutlineStatus.ARCHIVED)
                    .order_by(BookOutline.version.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
            return _info(row) if row is not None else None

    async def versions(self, project_id: uuid.UUID, *, include_archived: bool = False) -> list[OutlineInfo]:
        """Versions newest first; ARCHIVED ones only when asked for."""
        q = select(BookOutline).where(BookOutline.project_id == project_id)
        if not include_archived:
            q = q.where(BookOutline.status != OutlineStatus.ARCHIVED)
        async with self.db.session() as s:
            return [_info(o) for o in (await s.execute(q.order_by(BookOutline.version.desc()))).scalars()]

    async def history(self, project_id: uuid.UUID) -> list[OutlineInfo]:
        """Every version, newest first (archived ones included)."""
        return await self.versions(project_id, include_archived=True)

    async def get(self, outline_id: uuid.UUID) -> OutlineInfo:
        async with self.db.session() as s:
            row = await s.get(BookOutline, outline_id)
            if row is None:
                raise NotFoundError(_GONE)
            return _info(row)

    async def version_count(self, project_id: uuid.UUID) -> int:
        async with self.db.session() as s:
            return int((await s.execute(select(func.count()).where(BookOutline.project_id == project_id))).scalar_one())

    # -- commands -----------------------------------------------------------------------
    async def save(
        self,
        project_id: uuid.UUID,
        structure: dict[str, Any],
        *,
        title: str | None = None,
        outline_id: uuid.UUID | None = None,
        new_version: bool = False,
    ) -> OutlineInfo:
        """Store an edited outline.

        The edited version is ``outline_id`` (default: the newest). If it is a DRAFT it
        changes in place; if it is approved or archived, the edit becomes version N+1 as a
        DRAFT. ``new_version`` always makes a new DRAFT (an AI-generated outline). Without
        ``title`` the title carries over.
        """
        clean = _validated(structure)
        new_title = _clean_title(title)
        async with self.db.session() as s:
            await _lock_project(s, project_id)
            newest = await _newest(s, project_id)
            edited = newest
            if outline_id is not None:
                edited = await s.get(BookOutline, outline_id)
                if edited is None or edited.project_id != project_id:
                    raise NotFoundError(_GONE)
            if edited is not None and edited.status is OutlineStatus.DRAFT and not new_version:
                edited.structure = clean
                if title is not None:
                    edited.title = new_title
                outline = edited
            else:
                outline = BookOutline(
                    project_id=project_id,
                    title=new_title if title is not None or edited is None else edited.title,
                    structure=clean,
                    status=OutlineStatus.DRAFT,
                    version=(newest.version if newest else 0) + 1,
                )
                s.add(outline)
            await s.flush()
            await s.refresh(outline)
            out = _info(outline)
        self.bus.publish(OutlineChanged(project_id))
        return out

    async def restore_version(self, outline_id: uuid.UUID) -> OutlineInfo:
        """An older version comes back as a new DRAFT version (history is kept)."""
        old = await self.get(outline_id)
        return await self.save(old.project_id, old.structure, title=old.title or "", new_version=True)

    async def set_status(self, outline_id: uuid.UUID, status: str) -> OutlineInfo:
        """Set a version's status as it is (DRAFT / APPROVED / ARCHIVED) without touching
        chapters; the author's Approve is :meth:`approve`."""
        member = member_by_name(OutlineStatus, status)
        if member is None:
            raise ValidationError(f"'{status}' is not an outline status (use DRAFT, APPROVED or ARCHIVED).")
        async with self.db.session() as s:
            outline = await s.get(BookOutline, outline_id)
            if outline is None:
                raise NotFoundError(_GONE)
            outline.status = member
            await s.flush()
            await s.refresh(outline)
            out = _info(outline)
        self.bus.publish(OutlineChanged(out.project_id))
        return out

    async def approve(self, outline_id: uuid.UUID) -> OutlineApproval:
        """Freeze this version, archive the previously approved one, and lay the chapters
        out after it (see the module docstring). One transaction."""
        async with self.db.session() as s:
            outline = await s.get(BookOutline, outline_id)
            if outline is None:
                raise NotFoundError(_GONE)
            project_id = outline.project_id
            await _lock_project(s, project_id)
            if outline.status is OutlineStatus.ARCHIVED:
                raise ValidationError(f"Version {outline.version} is archived; restore it first, then approve it.")
            others = await s.execute(
                select(BookOutline).where(
                    BookOutline.project_id == project_id,
                    BookOutline.status == OutlineStatus.APPROVED,
                    BookOutline.id != outline.id,
                )
            )
            for other in others.scalars():
                other.status = OutlineStatus.ARCHIVED
            outline.status = OutlineStatus.APPROVED
            structure = _validated(copy.deepcopy(outline.structure or outline_tree.empty()))
            result = await _lay_out_chapters(s, outline, structure)
            outline.structure = structure  # now carries each entry's chapter_id
            await s.flush()
            await s.refresh(outline)
            info = _info(outline)
        self.bus.publish(OutlineChanged(project_id))
        self.bus.publish(ChaptersChanged(project_id, None, "outline"))
        return OutlineApproval(info, *result)


async def _lay_out_chapters(
    s: AsyncSession, outline: BookOutline, structure: dict[str, Any]
) -> tuple[list[uuid.UUID], list[uuid.UUID], list[uuid.UUID], list[uuid.UUID]]:
    """Make ``chapters`` follow ``structure`` (mutated: each entry gets its chapter_id)."""
    project_id = outline.project_id
    chapters = {
        ch.id: ch
        for ch in (
            await s.execute(
                select(Chapter).where(Chapter.project_id == project_id).order_by(Chapter.order).with_for_update()
            )
        ).scalars()
    }
    with_revisions = set(
        (
            await s.execute(
                select(ChapterRevision.chapter_id).where(ChapterRevision.project_id == project_id).distinct()
            )
        ).scalars()
    )
    entries = [
        (p_i, c_i, node) for p_i, part in enumerate(structure["parts"]) for c_i, node in enumerate(part["chapters"])
    ]
    claimed: dict[int, Chapter] = {}
    taken: set[uuid.UUID] = set()
    for k, (_, _, node) in enumerate(entries):  # by the id an earlier approval wrote
        cid = _as_uuid(node.get("chapter_id"))
        if cid is not None and cid in chapters and cid not in taken:
            claimed[k] = chapters[cid]
            taken.add(cid)
    for k, (_, _, node) in enumerate(entries):  # chapters written before any outline: by title
        if k in claimed:
            continue
        match = next(
            (ch for ch in chapters.values() if ch.id not in taken and ch.title.casefold() == node["title"].casefold()),
            None,
        )
        if match is not None:
            claimed[k] = match
            taken.add(match.id)
    created: list[uuid.UUID] = []
    updated: list[uuid.UUID] = []
    for k, (p_i, c_i, node) in enumerate(entries):
        ch = claimed.get(k)
        if ch is None:
            ch = Chapter(project_id=project_id, title=node["title"], order=k + 1, status=ChapterStatus.PLANNED)
            s.add(ch)
            await s.flush()
            created.append(ch.id)
        else:
            updated.append(ch.id)
        ch.title = node["title"]
        ch.order = k + 1
        ch.book_outline_id = outline.id
        ch.outline_position = {"part": p_i, "chapter": c_i}
        node["chapter_id"] = str(ch.id)
    orphaned: list[uuid.UUID] = []
    removed: list[uuid.UUID] = []
    for ch in chapters.values():
        if ch.id in taken:
            continue
        empty = ch.id not in with_revisions and ch.word_count == 0 and ch.status is ChapterStatus.PLANNED
        if empty and ch.book_outline_id is not None:
            removed.append(ch.id)  # a plan-only chapter an earlier outline made: nothing to lose
            continue
        was = {k: v for k, v in (ch.outline_position or {}).items() if k != "orphaned"}
        ch.outline_position = {"orphaned": True, **({"was": was.get("was", was)} if was else {})}
        ch.book_outline_id = None
        ch.order = len(entries) + len(orphaned) + 1
        orphaned.append(ch.id)
    if removed:
        await s.execute(delete(Chapter).where(Chapter.id.in_(removed)))
    return created, updated, orphaned, removed
