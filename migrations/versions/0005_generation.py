"""AI generation: what an AI revision drew on, incomplete drafts, summary cache (issue 8).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

- ``revision_sources``: the retrieved passages (chunks) an AI revision was written from, ranked,
  with their retrieval score ("where did this passage come from"). Cascades with the revision
  and with the chunk (a deleted source leaves no dangling pointer).
- ``chapter_revisions.incomplete``: an AI draft whose stream was cancelled or broke off; the
  text that arrived is kept as a revision and flagged.
- ``chapter_summaries``: the cached SUMMARIZATION of a chapter, valid for one
  ``chapters.text_version`` (every save bumps it, so a stale summary is never used).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "chapter_revisions", sa.Column("incomplete", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.create_table(
        "revision_sources",
        sa.Column("id", postgresql.UUID(as_uuid=True), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("revision_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("chunk_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["chapter_revisions.id"],
            name=op.f("fk_revision_sources_revision_id_chapter_revisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chunk_id"],
            ["content_chunks.id"],
            name=op.f("fk_revision_sources_chunk_id_content_chunks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision_sources")),
        sa.UniqueConstraint("revision_id", "chunk_id", name=op.f("uq_revision_sources_revision_id_chunk_id")),
    )
    op.create_index(op.f("ix_revision_sources_revision_id"), "revision_sources", ["revision_id"])
    op.create_index(op.f("ix_revision_sources_chunk_id"), "revision_sources", ["chunk_id"])
    op.create_table(
        "chapter_summaries",
        sa.Column("chapter_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("text_version", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chapter_id"], ["chapters.id"], name=op.f("fk_chapter_summaries_chapter_id_chapters"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("chapter_id", name=op.f("pk_chapter_summaries")),
    )


def downgrade() -> None:
    op.drop_table("chapter_summaries")
    op.drop_index(op.f("ix_revision_sources_chunk_id"), table_name="revision_sources")
    op.drop_index(op.f("ix_revision_sources_revision_id"), table_name="revision_sources")
    op.drop_table("revision_sources")
    op.drop_column("chapter_revisions", "incomplete")
