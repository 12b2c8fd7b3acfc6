"""Export & notifications domain: exported_books, notifications."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ghostline_desktop.core.enums import (
    ExportFormat,
    ExportStatus,
    NotificationChannel,
    NotificationType,
)
from ghostline_desktop.db.models.base import Base, CreatedAt, Timestamps, UUIDPk, pg_enum

if TYPE_CHECKING:
    from ghostline_desktop.db.models.accounts import User


class ExportedBook(UUIDPk, Timestamps, Base):
    __tablename__ = "exported_books"
    __table_args__ = (UniqueConstraint("project_id", "format", "version"),)

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    generation_task_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("generation_tasks.id", ondelete="SET NULL"), index=True
    )
    format: Mapped[ExportFormat] = mapped_column(pg_enum(ExportFormat, "export_format"))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[ExportStatus] = mapped_column(pg_enum(ExportStatus, "export_status"), default=ExportStatus.PENDING)
    title: Mapped[str | None] = mapped_column(String(500))
    s3_bucket: Mapped[str | None] = mapped_column(String(255))
    s3_key: Mapped[str | None] = mapped_column(String(1024))
    signed_url: Mapped[str | None] = mapped_column(Text)
    signed_url_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    word_count: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(Text)


class Notification(UUIDPk, CreatedAt, Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_is_read", "user_id", "is_read"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    notification_type: Mapped[NotificationType] = mapped_column(pg_enum(NotificationType, "notification_type"))
    channel: Mapped[NotificationChannel] = mapped_column(
        pg_enum(NotificationChannel, "notification_channel"), default=NotificationChannel.IN_APP
    )
    title: Mapped[str] = mapped_column(String(500))
    message: Mapped[str | None] = mapped_column(Text)
    is_read: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    link_url: Mapped[str | None] = mapped_column(String(2000))

    user: Mapped[User] = relationship(back_populates="notifications")
