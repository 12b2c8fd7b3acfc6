"""AI generation bookkeeping (issue 8, migration 0005): which passages an AI revision drew on,
and the cached chapter summaries the drafting agent uses for continuity."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from ghostline_desktop.db.models.base import Base, CreatedAt, UUIDPk


class RevisionSourceChunk(UUIDPk, CreatedAt, Base):
    """One retrieved passage an AI revision was written from (rank 1 = most relevant).

    Why a table and not a JSON list on the revision: a deleted source takes its rows with it
    (``ON DELETE CASCADE`` on the chunk), so "where did this come from" never points at nothing.
    """

    __tablename__ = "revision_sources"
    __table_args__ = (UniqueConstraint("revision_id", "chunk_id"),)

    revision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chapter_revisions.id", ondelete="CASCADE"), index=True)
    chunk_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("content_chunks.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")


class ChapterSummaryCache(Base):
    """A SUMMARIZATION of a chapter's text, valid while ``chapters.text_version`` is unchanged.

    Why keyed by text_version: every save bumps it, so a stale summary is never used and no
    invalidation hook is needed; one row per chapter (the newest summary replaces the old).
    """

    __tablename__ = "chapter_summaries"

    chapter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chapters.id", ondelete="CASCADE"), primary_key=True)
    text_version: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
