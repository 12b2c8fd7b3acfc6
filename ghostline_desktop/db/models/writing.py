"""Generation & QA domain: voice_profiles, book_outlines, chapters, chapter_revisions,
generation_tasks, qa_findings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ghostline_desktop.core.enums import (
    ChapterStatus,
    FindingStatus,
    FindingType,
    OutlineStatus,
    RevisionSource,
    Severity,
    TaskStatus,
    TaskType,
)
from ghostline_desktop.db.models.base import (
    EMBEDDING_DIMENSIONS,
    Base,
    CreatedAt,
    Timestamps,
    UUIDPk,
    pg_enum,
)

if TYPE_CHECKING:
    from ghostline_desktop.db.models.projects import Project


class VoiceProfile(UUIDPk, Timestamps, Base):
    __tablename__ = "voice_profiles"

    # One profile per project ("has one").
    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), unique=True, index=True
    )
    name: Mapped[str] = mapped_column(String(200), default="Author voice", server_default="Author voice")
    sample_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    style_attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIMENSIONS))
    embedding_model: Mapped[str | None] = mapped_column(String(200))

    project: Mapped[Project] = relationship(back_populates="voice_profile")


class BookOutline(UUIDPk, Timestamps, Base):
    __tablename__ = "book_outlines"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    title: Mapped[str | None] = mapped_column(String(500))
    structure: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default='{"parts": []}')
    status: Mapped[OutlineStatus] = mapped_column(pg_enum(OutlineStatus, "outline_status"), default=OutlineStatus.DRAFT)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    project: Mapped[Project] = relationship(back_populates="book_outlines")
    chapters: Mapped[list[Chapter]] = relationship(back_populates="book_outline")


class Chapter(UUIDPk, Timestamps, Base):
    __tablename__ = "chapters"
    __table_args__ = (
        Index("ix_chapters_project_id_order", "project_id", "order"),
        CheckConstraint('"order" >= 0', name="order_not_negative"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    # Chapters survive a deleted outline version; they just lose the link.
    book_outline_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("book_outlines.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    order: Mapped[int] = mapped_column("order", Integer)
    status: Mapped[ChapterStatus] = mapped_column(pg_enum(ChapterStatus, "chapter_status"), default=ChapterStatus.DRAFT)
    summary: Mapped[str | None] = mapped_column(Text)
    # Where the chapter sits in the outline: {"part": 0, "chapter": 2}.
    outline_position: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    word_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    target_word_count: Mapped[int | None] = mapped_column(Integer)
    # Bumped on every change of the text (autosaves included): the editor's conflict check.
    text_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    project: Mapped[Project] = relationship(back_populates="chapters")
    book_outline: Mapped[BookOutline | None] = relationship(back_populates="chapters")
    revisions: Mapped[list[ChapterRevision]] = relationship(
        back_populates="chapter",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ChapterRevision.revision_number",
    )


class ChapterRevision(UUIDPk, CreatedAt, Base):
    __tablename__ = "chapter_revisions"
    __table_args__ = (
        UniqueConstraint("chapter_id", "revision_number"),
        CheckConstraint(
            "similarity_score IS NULL OR (similarity_score >= 0 AND similarity_score <= 1)",
            name="similarity_in_unit_range",
        ),
        CheckConstraint("token_cost >= 0", name="token_cost_not_negative"),
        # At most one working (unsealed) row per chapter: the text autosaves update in place.
        Index("uq_chapter_revisions_one_working", "chapter_id", unique=True, postgresql_where=text("NOT sealed")),
    )

    chapter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chapters.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    revision_number: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text, default="", server_default="")
    word_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    similarity_score: Mapped[float | None] = mapped_column(Float)
    # Why the score is what it is (plain-words reasons, per-feature z), written with it (issue 10).
    voice_breakdown: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    token_cost: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    user_feedback: Mapped[str | None] = mapped_column(Text)
    ai_feedback: Mapped[str | None] = mapped_column(Text)
    source: Mapped[RevisionSource] = mapped_column(
        pg_enum(RevisionSource, "revision_source"), default=RevisionSource.MANUAL
    )
    generation_task_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("generation_tasks.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # False only for the chapter's working text (migration 0003 says why).
    sealed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    # Change size against the previous revision, computed when sealed (None: not known).
    words_added: Mapped[int | None] = mapped_column(Integer)
    words_removed: Mapped[int | None] = mapped_column(Integer)
    # An AI draft cut short (cancelled, stream broken): what arrived is kept, flagged (0005).
    incomplete: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    chapter: Mapped[Chapter] = relationship(back_populates="revisions")


class GenerationTask(UUIDPk, Timestamps, Base):
    __tablename__ = "generation_tasks"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress_in_unit_range"),
        Index("ix_generation_tasks_project_id_status", "project_id", "status"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    chapter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("chapters.id", ondelete="SET NULL"), index=True)
    task_type: Mapped[TaskType] = mapped_column(pg_enum(TaskType, "task_type"))
    status: Mapped[TaskStatus] = mapped_column(pg_enum(TaskStatus, "task_status"), default=TaskStatus.PENDING)
    agent_name: Mapped[str | None] = mapped_column(String(200))
    model: Mapped[str | None] = mapped_column(String(200))
    progress: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    progress_message: Mapped[str | None] = mapped_column(Text)
    input_params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    output_entity_type: Mapped[str | None] = mapped_column(String(100))
    output_entity_id: Mapped[uuid.UUID | None] = mapped_column()
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error_message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class QAFinding(UUIDPk, Timestamps, Base):
    __tablename__ = "qa_findings"
    __table_args__ = (
        Index("ix_qa_findings_project_id_status", "project_id", "status"),
        # One row per fingerprint in a chapter (or in the whole book): a QA run's reconciliation
        # inserts against them (migration 0007). The chapter is a column, not part of the hash,
        # so a forked edition's findings keep their identity under the new chapter ids.
        Index(
            "uq_qa_findings_chapter_fingerprint",
            "project_id",
            "chapter_id",
            "fingerprint",
            unique=True,
            postgresql_where=text("fingerprint IS NOT NULL AND chapter_id IS NOT NULL"),
        ),
        Index(
            "uq_qa_findings_book_fingerprint",
            "project_id",
            "fingerprint",
            unique=True,
            postgresql_where=text("fingerprint IS NOT NULL AND chapter_id IS NULL"),
        ),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    chapter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("chapters.id", ondelete="CASCADE"), index=True)
    generation_task_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("generation_tasks.id", ondelete="SET NULL"), index=True
    )
    finding_type: Mapped[FindingType] = mapped_column(pg_enum(FindingType, "finding_type"))
    severity: Mapped[Severity] = mapped_column(pg_enum(Severity, "severity"), default=Severity.MEDIUM)
    is_blocking: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    status: Mapped[FindingStatus] = mapped_column(pg_enum(FindingStatus, "finding_status"), default=FindingStatus.OPEN)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    excerpt: Mapped[str | None] = mapped_column(Text)
    # Where in the chapter: {"start": 120, "end": 164}.
    location: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    suggestion: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[str | None] = mapped_column(String(100))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Issue 11 (migration 0007): stable identity across runs, the revision the run read, when last found.
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    revision_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("chapter_revisions.id", ondelete="SET NULL"), index=True
    )
    last_run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("generation_tasks.id", ondelete="SET NULL"), index=True
    )
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # True when a run resolved it ("fixed: no longer found"): it reopens if found again.
    auto_resolved: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
