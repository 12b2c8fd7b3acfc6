"""Projects & source data domain: projects, source_materials, content_chunks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ghostline_desktop.core.enums import Genre, MaterialType, ProcessingStatus, ProjectStatus
from ghostline_desktop.db.models.base import (
    EMBEDDING_DIMENSIONS,
    Base,
    CreatedAt,
    Timestamps,
    UUIDPk,
    pg_enum,
)

if TYPE_CHECKING:
    from ghostline_desktop.db.models.accounts import User
    from ghostline_desktop.db.models.writing import BookOutline, Chapter, VoiceProfile


class Project(UUIDPk, Timestamps, Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("target_word_count IS NULL OR target_word_count > 0", name="target_positive"),
        CheckConstraint("edition >= 1", name="edition_positive"),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    subtitle: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    genre: Mapped[Genre] = mapped_column(pg_enum(Genre, "genre"), default=Genre.FICTION)
    status: Mapped[ProjectStatus] = mapped_column(
        pg_enum(ProjectStatus, "project_status"), default=ProjectStatus.CREATED
    )
    target_word_count: Mapped[int | None] = mapped_column(Integer)
    # A fork keeps pointing at its original; deleting the original leaves the fork standing.
    forked_from_project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    edition: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    owner: Mapped[User] = relationship(back_populates="projects")
    forked_from: Mapped[Project | None] = relationship(remote_side="Project.id")
    source_materials: Mapped[list[SourceMaterial]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )
    chapters: Mapped[list[Chapter]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )
    voice_profile: Mapped[VoiceProfile | None] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True, uselist=False
    )
    book_outlines: Mapped[list[BookOutline]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )


class SourceMaterial(UUIDPk, Timestamps, Base):
    __tablename__ = "source_materials"
    __table_args__ = (
        CheckConstraint("word_count >= 0", name="word_count_not_negative"),
        Index("ix_source_materials_project_id_content_hash", "project_id", "content_hash"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    material_type: Mapped[MaterialType] = mapped_column(pg_enum(MaterialType, "material_type"))
    processing_status: Mapped[ProcessingStatus] = mapped_column(
        pg_enum(ProcessingStatus, "processing_status"), default=ProcessingStatus.UPLOADING
    )
    title: Mapped[str] = mapped_column(String(500))
    original_filename: Mapped[str | None] = mapped_column(String(1000))
    mime_type: Mapped[str | None] = mapped_column(String(200))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # Storage location: the local object store uses bucket "local"; an S3-compatible store its bucket.
    s3_bucket: Mapped[str | None] = mapped_column(String(255))
    s3_key: Mapped[str | None] = mapped_column(String(1024))
    extracted_text: Mapped[str | None] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    extra: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, default=dict, server_default="{}")
    error_message: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    project: Mapped[Project] = relationship(back_populates="source_materials")
    chunks: Mapped[list[ContentChunk]] = relationship(
        back_populates="source_material", cascade="all, delete-orphan", passive_deletes=True
    )


class ContentChunk(UUIDPk, CreatedAt, Base):
    __tablename__ = "content_chunks"
    __table_args__ = (
        UniqueConstraint("source_material_id", "chunk_index"),
        # Vector indexes are per embedding model, created at run time (services/vector_index.py;
        # migration 0002 says why); HNSW rather than the seed's IVFFlat (migration 0001).
        Index("ix_content_chunks_search_vector", "search_vector", postgresql_using="gin"),
        Index("ix_content_chunks_project_id_embedding_model", "project_id", "embedding_model"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    source_material_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("source_materials.id", ondelete="CASCADE"), index=True
    )
    chunk_index: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    token_count: Mapped[int | None] = mapped_column(Integer)
    char_start: Mapped[int | None] = mapped_column(Integer)
    char_end: Mapped[int | None] = mapped_column(Integer)
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIMENSIONS))
    # Searches compare only rows embedded by the same model (smaller models are zero-padded).
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    # Kept by the trigger content_chunks_search_vector (see migration 0001): computed from
    # ``content`` on insert unless given (a fork copies it), recomputed when content changes.
    search_vector: Mapped[str | None] = mapped_column(TSVECTOR)
    extra: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, default=dict, server_default="{}")

    source_material: Mapped[SourceMaterial] = relationship(back_populates="chunks")
