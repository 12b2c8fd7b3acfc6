"""In-app notifications: what finished, failed or needs the author's attention."""

from __future__ import annotations

import builtins
import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select, update

from ghostline_desktop.core.enum_names import member_by_name
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import Notification, NotificationChannel, NotificationType, Project, User
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.dto import NotificationInfo
from ghostline_desktop.services.events import EventBus, NotificationsChanged
from ghostline_desktop.services.validation import MAX_TITLE

MAX_LIMIT = 1000


def _info(n: Notification) -> NotificationInfo:
    return NotificationInfo(
        id=n.id,
        user_id=n.user_id,
        project_id=n.project_id,
        notification_type=n.notification_type.name,
        channel=n.channel.name,
        title=n.title,
        message=n.message,
        is_read=n.is_read,
        link_url=n.link_url,
        created_at=n.created_at,
    )


class NotificationService:
    def __init__(self, db: Database, bus: EventBus) -> None:
        self.db = db
        self.bus = bus

    # ``list`` is the name the UI calls; inside the class, ``builtins.list`` is the type.
    async def list(
        self, user_id: uuid.UUID, *, unread_only: bool = False, limit: int = 50
    ) -> builtins.list[NotificationInfo]:
        """Newest first, at most ``limit`` (capped at 1000)."""
        limit = max(0, min(limit, MAX_LIMIT))
        q = select(Notification).where(Notification.user_id == user_id)
        if unread_only:
            q = q.where(Notification.is_read.is_(False))
        q = q.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
        async with self.db.session() as s:
            return [_info(n) for n in (await s.execute(q)).scalars()]

    async def unread_count(self, user_id: uuid.UUID) -> int:
        async with self.db.session() as s:
            return int(
                (
                    await s.execute(
                        select(func.count()).where(Notification.user_id == user_id, Notification.is_read.is_(False))
                    )
                ).scalar_one()
            )

    async def mark_read(self, notification_ids: builtins.list[uuid.UUID]) -> None:
        """Mark these as read; ids that no longer exist are ignored (already dismissed)."""
        if not notification_ids:
            return
        async with self.db.session() as s:
            users = (
                await s.execute(
                    update(Notification)
                    .where(Notification.id.in_(list(notification_ids)), Notification.is_read.is_(False))
                    .values(is_read=True, read_at=datetime.now(UTC))
                    .returning(Notification.user_id)
                )
            ).scalars()
            changed = set(users)
        for user_id in changed:
            self.bus.publish(NotificationsChanged(user_id))

    async def mark_all_read(self, user_id: uuid.UUID) -> None:
        async with self.db.session() as s:
            result = await s.execute(
                update(Notification)
                .where(Notification.user_id == user_id, Notification.is_read.is_(False))
                .values(is_read=True, read_at=datetime.now(UTC))
                .returning(Notification.id)
            )
            changed = bool(result.first())
        if changed:
            self.bus.publish(NotificationsChanged(user_id))

    async def notify(
        self,
        user_id: uuid.UUID,
        notification_type: str,
        title: str,
        *,
        message: str | None = None,
        project_id: uuid.UUID | None = None,
        link_url: str | None = None,
    ) -> NotificationInfo:
        kind = member_by_name(NotificationType, notification_type)
        if kind is None:
            raise ValidationError(f"'{notification_type}' is not a kind of notification GhostLine knows.")
        title = " ".join((title or "").split())
        if not title:
            raise ValidationError("A notification needs a title.")
        async with self.db.session() as s:
            if await s.get(User, user_id) is None:
                raise NotFoundError("That user does not exist.")
            if project_id is not None and await s.get(Project, project_id) is None:
                raise NotFoundError("That project no longer exists.")
            n = Notification(
                user_id=user_id,
                project_id=project_id,
                notification_type=kind,
                channel=NotificationChannel.IN_APP,
                title=title[:MAX_TITLE],
                message=message,
                link_url=link_url,
                is_read=False,
            )
            s.add(n)
            await s.flush()
            await s.refresh(n)
            out = _info(n)
        self.bus.publish(NotificationsChanged(user_id))
        return out

    async def delete(self, notification_id: uuid.UUID) -> None:
        async with self.db.session() as s:
            n = await s.get(Notification, notification_id)
            if n is None:
                raise NotFoundError("That notification no longer exists.")
            user_id = n.user_id
            await s.delete(n)
        self.bus.publish(NotificationsChanged(user_id))
