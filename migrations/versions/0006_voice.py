"""Voice profile and similarity score storage (issue 10).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

- ``chapter_revisions.voice_breakdown``: why a revision's ``similarity_score`` is what it is (the
  plain-words reasons shown on hover, the per-feature z-scores), written with the score by the
  VOICE_ANALYSIS job. NULL until scored. The profile itself fits the seed's ``voice_profiles``
  (``style_attributes`` JSON, ``embedding`` = the style vector zero-padded).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("chapter_revisions", sa.Column("voice_breakdown", postgresql.JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("chapter_revisions", "voice_breakdown")
