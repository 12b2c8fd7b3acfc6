"""The book outline: every save is a new version, so the history of the plan is kept."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from ghostline_desktop.core import outline_tree
from ghostline_desktop.core.enum_names import member_by_name
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import BookOutline, OutlineStatus, Project
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.dto import OutlineInfo
from ghostline_desktop.services.events import EventBus, OutlineChanged


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


class OutlineService:
    def __init__(self, db: Database, bus: EventBus) -> None:
        self.db = db
        self.bus = bus

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

    async def history(self, project_id: uuid.UUID) -> list[OutlineInfo]:
        """Every version, newest first (archived ones included)."""
        async with self.db.session() as s:
            rows = (
                await s.execute(
                    select(BookOutline).where(BookOutline.project_id == project_id).order_by(BookOutline.version.desc())
                )
            ).scalars()
            return [_info(o) for o in rows]

    async def save(self, project_id: uuid.UUID, structure: dict[str, Any], *, title: str | None = None) -> OutlineInfo:
        """Validate ``structure`` and store it as a new DRAFT version.

        Without ``title`` the new version keeps the current version's title. The project
        row is locked for the duration, so two windows saving at once get consecutive
        version numbers instead of a unique-constraint error.
        """
        try:
            clean = outline_tree.validate(structure)
        except outline_tree.OutlineShapeError as exc:
            raise ValidationError(str(exc)) from exc
        new_title = _clean_title(title)
        async with self.db.session() as s:
            locked = (
                await s.execute(select(Project.id).where(Project.id == project_id).with_for_update())
            ).scalar_one_or_none()
            if locked is None:
                raise NotFoundError("That project no longer exists.")
            latest = (
                await s.execute(
                    select(BookOutline)
                    .where(BookOutline.project_id == project_id)
                    .order_by(BookOutline.version.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
            if title is None and latest is not None:
                new_title = latest.title
            outline = BookOutline(
                project_id=project_id,
                title=new_title,
                structure=clean,
                status=OutlineStatus.DRAFT,
                version=(latest.version if latest else 0) + 1,
            )
            s.add(outline)
            await s.flush()
            await s.refresh(outline)
            out = _info(outline)
        self.bus.publish(OutlineChanged(project_id))
        return out

    async def set_status(self, outline_id: uuid.UUID, status: str) -> OutlineInfo:
        """Approve or archive a version (DRAFT / APPROVED / ARCHIVED)."""
        member = member_by_name(OutlineStatus, status)
        if member is None:
            raise ValidationError(f"'{status}' is not an outline status (use DRAFT, APPROVED or ARCHIVED).")
        async with self.db.session() as s:
            outline = await s.get(BookOutline, outline_id)
            if outline is None:
                raise NotFoundError("That outline version no longer exists.")
            outline.status = member
            await s.flush()
            await s.refresh(outline)
            out = _info(outline)
        self.bus.publish(OutlineChanged(out.project_id))
        return out

    async def version_count(self, project_id: uuid.UUID) -> int:
        async with self.db.session() as s:
            return int((await s.execute(select(func.count()).where(BookOutline.project_id == project_id))).scalar_one())
