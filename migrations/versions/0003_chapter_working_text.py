"""A chapter's working text, and revisions as checkpoints someone meant.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Why: every autosave used to append a full-text revision ("revision spam": hundreds of
near-identical revisions a day). Now the newest row of a chapter may be *unsealed*: the
working text, which autosaves update in place. Checkpoints (Save Revision, the first save
after a pause, an AI draft, an import, a restore) seal it, so the history is the list of
sealed rows and is never rewritten. A partial unique index keeps at most one working row
per chapter.

Columns:
- ``chapter_revisions.sealed``: false only for the working row (existing rows are sealed).
- ``chapter_revisions.note``: the author's note for a revision ("before the big cut").
- ``chapter_revisions.updated_at``: when the text was last written (the working row moves;
  a sealed row's is when it was sealed). Backfilled from ``created_at``.
- ``chapter_revisions.words_added`` / ``words_removed``: change size against the previous
  revision, computed once when a revision is sealed (a diff of a long chapter is too slow
  to redo for every row of a history list). NULL for rows sealed before this migration.
- ``chapters.text_version``: bumped on every change of a chapter's text, autosave included.
  The editor's conflict check compares it, since an in-place update leaves the revision
  number unchanged.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "chapter_revisions", sa.Column("sealed", sa.Boolean(), server_default=sa.text("true"), nullable=False)
    )
    op.add_column("chapter_revisions", sa.Column("note", sa.Text(), nullable=True))
    op.add_column("chapter_revisions", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE chapter_revisions SET updated_at = created_at")
    op.alter_column("chapter_revisions", "updated_at", nullable=False, server_default=sa.func.now())
    op.add_column("chapter_revisions", sa.Column("words_added", sa.Integer(), nullable=True))
    op.add_column("chapter_revisions", sa.Column("words_removed", sa.Integer(), nullable=True))
    op.create_index(
        "uq_chapter_revisions_one_working",
        "chapter_revisions",
        ["chapter_id"],
        unique=True,
        postgresql_where=sa.text("NOT sealed"),
    )
    op.add_column("chapters", sa.Column("text_version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("chapters", "text_version")
    op.drop_index("uq_chapter_revisions_one_working", table_name="chapter_revisions")
    # A working row becomes an ordinary revision: its text must not be lost by a downgrade.
    op.drop_column("chapter_revisions", "words_removed")
    op.drop_column("chapter_revisions", "words_added")
    op.drop_column("chapter_revisions", "updated_at")
    op.drop_column("chapter_revisions", "note")
    op.drop_column("chapter_revisions", "sealed")
