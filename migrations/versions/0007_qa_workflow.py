"""QA findings workflow: fingerprints, revision link, who waived (issue 11).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

Why: QA is a workflow over repeated runs. A run reconciles what it found with the rows of
earlier runs by chapter + *fingerprint* (type + rule + normalised subject + occurrence), so
a waived finding stays waived after edits elsewhere and an OPEN one no longer found is
resolved by itself. Two partial unique indexes (per chapter; per book for book-level rows)
make that reconciliation safe when two runs race (the loser's insert conflicts instead of
duplicating). The chapter is a column rather than part of the hash so that a forked edition
(new chapter ids) keeps its findings' identities. Hand-written findings (the demo,
``add_finding``) have no fingerprint.

Columns of ``qa_findings``:
- ``fingerprint``: sha-256 hex of type, rule, subject and occurrence; NULL for hand-written findings.
- ``revision_id``: the chapter revision the run read (its working text or newest revision).
- ``last_run_id`` / ``last_seen_at``: the QA_CHECK job that last found it, and when.
- ``auto_resolved``: RESOLVED by a run because it was no longer found (reopens if found again).
Where in the chapter stays in ``location`` ({"start", "end"}); who resolved or waived and
when in ``resolved_by_id`` / ``resolved_at`` (0001).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("qa_findings", sa.Column("fingerprint", sa.String(length=64), nullable=True))
    op.add_column("qa_findings", sa.Column("revision_id", postgresql.UUID(as_uuid=True), nullable=True))
    op.add_column("qa_findings", sa.Column("last_run_id", postgresql.UUID(as_uuid=True), nullable=True))
    op.add_column("qa_findings", sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("qa_findings", sa.Column("auto_resolved", sa.Boolean(), server_default="false", nullable=False))
    op.create_foreign_key(
        op.f("fk_qa_findings_revision_id_chapter_revisions"),
        "qa_findings",
        "chapter_revisions",
        ["revision_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("fk_qa_findings_last_run_id_generation_tasks"),
        "qa_findings",
        "generation_tasks",
        ["last_run_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(op.f("ix_qa_findings_revision_id"), "qa_findings", ["revision_id"])
    op.create_index(op.f("ix_qa_findings_last_run_id"), "qa_findings", ["last_run_id"])
    op.create_index(
        "uq_qa_findings_chapter_fingerprint",
        "qa_findings",
        ["project_id", "chapter_id", "fingerprint"],
        unique=True,
        postgresql_where=sa.text("fingerprint IS NOT NULL AND chapter_id IS NOT NULL"),
    )
    op.create_index(
        "uq_qa_findings_book_fingerprint",
        "qa_findings",
        ["project_id", "fingerprint"],
        unique=True,
        postgresql_where=sa.text("fingerprint IS NOT NULL AND chapter_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_qa_findings_book_fingerprint", table_name="qa_findings")
    op.drop_index("uq_qa_findings_chapter_fingerprint", table_name="qa_findings")
    op.drop_index(op.f("ix_qa_findings_last_run_id"), table_name="qa_findings")
    op.drop_index(op.f("ix_qa_findings_revision_id"), table_name="qa_findings")
    op.drop_constraint(op.f("fk_qa_findings_last_run_id_generation_tasks"), "qa_findings", type_="foreignkey")
    op.drop_constraint(op.f("fk_qa_findings_revision_id_chapter_revisions"), "qa_findings", type_="foreignkey")
    op.drop_column("qa_findings", "auto_resolved")
    op.drop_column("qa_findings", "last_seen_at")
    op.drop_column("qa_findings", "last_run_id")
    op.drop_column("qa_findings", "revision_id")
    op.drop_column("qa_findings", "fingerprint")
