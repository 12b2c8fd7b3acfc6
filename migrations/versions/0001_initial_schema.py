"""Initial schema: every table of the GhostLine seed schema, on pgvector.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Order follows the seed's migration strategy: the pgvector extension, the tables in
dependency order with their indexes and constraints, then the seed billing plans.

Why HNSW and not the seed's IVFFlat for ``content_chunks.embedding``: IVFFlat learns
its list centroids from the rows present when the index is built. An author's library
starts empty and grows a file at a time, so an IVFFlat index built early would keep
clustering around the first few sources and recall would silently drop as the table
grows (it needs a REINDEX after real data arrives, and ``lists`` tuned to the row
count). HNSW needs no training, stays accurate under row-by-row inserts, and answers
faster at our sizes (thousands to a few hundred thousand chunks); its cost is a
slower build and more memory, which is cheap at that scale.

HNSW parameters: m=16 (pgvector's default) with ef_construction=40 (FAISS's default)
rather than pgvector's 64. Every inserted chunk pays one ef_construction-wide graph
search, and inserts are what this table sees most (ingestion, and a forked edition
copying thousands of chunks at once): 40 makes them ~1.5x cheaper. Recall at query time
is governed mostly by hnsw.ef_search, which search raises per query where it matters.
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENUM_TYPES = (
    "transaction_type",
    "genre",
    "project_status",
    "material_type",
    "processing_status",
    "outline_status",
    "chapter_status",
    "revision_source",
    "task_type",
    "task_status",
    "severity",
    "finding_type",
    "finding_status",
    "export_format",
    "export_status",
    "notification_type",
    "notification_channel",
)

# The full-text column is kept by a trigger rather than declared GENERATED: a forked
# second edition copies its chunks with their tsvector, since the text is identical,
# instead of re-parsing every chunk of the book (a third of the fork's time otherwise).
SEARCH_VECTOR_FUNCTION = """
CREATE FUNCTION content_chunks_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.search_vector IS NULL
       OR TG_OP = 'UPDATE' AND NEW.content IS DISTINCT FROM OLD.content THEN
        NEW.search_vector := to_tsvector('english'::regconfig, coalesce(NEW.content, ''));
    END IF;
    RETURN NEW;
END
$$
"""
SEARCH_VECTOR_TRIGGER = (
    "CREATE TRIGGER content_chunks_search_vector BEFORE INSERT OR UPDATE ON content_chunks "
    "FOR EACH ROW EXECUTE FUNCTION content_chunks_search_vector()"
)

BILLING_PLANS = (
    # name, display name, monthly token quota, price in cents
    ("basic", "Basic", 100_000, 0),
    ("premium", "Premium", 1_000_000, 1_500),
    ("pro", "Pro", 5_000_000, 4_900),
)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table(
        "billing_plans",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("monthly_token_quota", sa.Integer(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("stripe_price_id", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("monthly_token_quota >= 0", name=op.f("ck_billing_plans_quota_not_negative")),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_billing_plans_price_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_plans")),
        sa.UniqueConstraint("name", name=op.f("uq_billing_plans_name")),
    )
    op.create_table(
        "users",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("cognito_sub", sa.String(length=255), nullable=True),
        sa.Column("billing_plan_id", sa.UUID(), nullable=True),
        sa.Column("token_balance", sa.Integer(), server_default="0", nullable=False),
        sa.Column("stripe_customer_id", sa.String(length=255), nullable=True),
        sa.Column("is_local", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("quota_period_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["billing_plan_id"],
            ["billing_plans.id"],
            name=op.f("fk_users_billing_plan_id_billing_plans"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("cognito_sub", name=op.f("uq_users_cognito_sub")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(op.f("ix_users_billing_plan_id"), "users", ["billing_plan_id"], unique=False)
    op.create_table(
        "api_keys",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=128), nullable=False),
        sa.Column("scopes", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_index(op.f("ix_api_keys_user_id"), "api_keys", ["user_id"], unique=False)
    op.create_table(
        "projects",
        sa.Column("owner_id", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("subtitle", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "genre",
            sa.Enum(
                "FICTION",
                "NON_FICTION",
                "BIOGRAPHY",
                "MEMOIR",
                "AUTOBIOGRAPHY",
                "HISTORY",
                "HISTORICAL_FICTION",
                "LITERARY_FICTION",
                "FANTASY",
                "SCIENCE_FICTION",
                "MYSTERY",
                "THRILLER",
                "ROMANCE",
                "HORROR",
                "YOUNG_ADULT",
                "CHILDRENS",
                "POETRY",
                "SELF_HELP",
                "BUSINESS",
                "TRAVEL",
                "ESSAY",
                "OTHER",
                name="genre",
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "CREATED",
                "DATA_COLLECTION",
                "OUTLINING",
                "WRITING",
                "REVIEWING",
                "EDITING",
                "COMPLETED",
                "EXPORTED",
                "ARCHIVED",
                name="project_status",
            ),
            nullable=False,
        ),
        sa.Column("target_word_count", sa.Integer(), nullable=True),
        sa.Column("forked_from_project_id", sa.UUID(), nullable=True),
        sa.Column("edition", sa.Integer(), server_default="1", nullable=False),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("edition >= 1", name=op.f("ck_projects_edition_positive")),
        sa.CheckConstraint(
            "target_word_count IS NULL OR target_word_count > 0", name=op.f("ck_projects_target_positive")
        ),
        sa.ForeignKeyConstraint(
            ["forked_from_project_id"],
            ["projects.id"],
            name=op.f("fk_projects_forked_from_project_id_projects"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_projects_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )
    op.create_index(op.f("ix_projects_forked_from_project_id"), "projects", ["forked_from_project_id"], unique=False)
    op.create_index(op.f("ix_projects_owner_id"), "projects", ["owner_id"], unique=False)
    op.create_table(
        "audit_logs",
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("project_id", sa.UUID(), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("entity_type", sa.String(length=100), nullable=True),
        sa.Column("entity_id", sa.UUID(), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_audit_logs_project_id_projects"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_logs_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_logs")),
    )
    op.create_index("ix_audit_logs_entity_type_entity_id", "audit_logs", ["entity_type", "entity_id"], unique=False)
    op.create_index(op.f("ix_audit_logs_project_id"), "audit_logs", ["project_id"], unique=False)
    op.create_index(op.f("ix_audit_logs_user_id"), "audit_logs", ["user_id"], unique=False)
    op.create_table(
        "book_outlines",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column(
            "structure",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default='{"parts": []}',
            nullable=False,
        ),
        sa.Column("status", sa.Enum("DRAFT", "APPROVED", "ARCHIVED", name="outline_status"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_book_outlines_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book_outlines")),
        sa.UniqueConstraint("project_id", "version", name=op.f("uq_book_outlines_project_id_version")),
    )
    op.create_index(op.f("ix_book_outlines_project_id"), "book_outlines", ["project_id"], unique=False)
    op.create_table(
        "notifications",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=True),
        sa.Column(
            "notification_type",
            sa.Enum(
                "UPLOAD_COMPLETE",
                "PROCESSING_FAILED",
                "OUTLINE_READY",
                "CHAPTER_READY",
                "REVISION_READY",
                "QA_COMPLETE",
                "BLOCKING_FINDING",
                "EXPORT_READY",
                "EXPORT_FAILED",
                "TASK_FAILED",
                "LOW_TOKEN_BALANCE",
                "QUOTA_RESET",
                "PROJECT_FORKED",
                "SYSTEM",
                name="notification_type",
            ),
            nullable=False,
        ),
        sa.Column("channel", sa.Enum("IN_APP", "EMAIL", "WEBSOCKET", name="notification_channel"), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("is_read", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("link_url", sa.String(length=2000), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_notifications_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(op.f("ix_notifications_project_id"), "notifications", ["project_id"], unique=False)
    op.create_index(op.f("ix_notifications_user_id"), "notifications", ["user_id"], unique=False)
    op.create_index("ix_notifications_user_id_is_read", "notifications", ["user_id", "is_read"], unique=False)
    op.create_table(
        "source_materials",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column(
            "material_type",
            sa.Enum(
                "PDF",
                "DOCX",
                "TEXT",
                "MARKDOWN",
                "EPUB",
                "HTML",
                "AUDIO",
                "VOICE_MEMO",
                "IMAGE",
                "NOTE",
                name="material_type",
            ),
            nullable=False,
        ),
        sa.Column(
            "processing_status",
            sa.Enum("UPLOADING", "PROCESSING", "READY", "FAILED", name="processing_status"),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("original_filename", sa.String(length=1000), nullable=True),
        sa.Column("mime_type", sa.String(length=200), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("s3_bucket", sa.String(length=255), nullable=True),
        sa.Column("s3_key", sa.String(length=1024), nullable=True),
        sa.Column("extracted_text", sa.Text(), nullable=True),
        sa.Column("word_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("word_count >= 0", name=op.f("ck_source_materials_word_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_source_materials_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_materials")),
    )
    op.create_index(op.f("ix_source_materials_project_id"), "source_materials", ["project_id"], unique=False)
    op.create_index(
        "ix_source_materials_project_id_content_hash",
        "source_materials",
        ["project_id", "content_hash"],
        unique=False,
    )
    op.create_table(
        "voice_profiles",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), server_default="Author voice", nullable=False),
        sa.Column("sample_text", sa.Text(), server_default="", nullable=False),
        sa.Column("style_attributes", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("embedding", pgvector.sqlalchemy.vector.VECTOR(dim=1536), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_voice_profiles_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_profiles")),
    )
    op.create_index(op.f("ix_voice_profiles_project_id"), "voice_profiles", ["project_id"], unique=True)
    op.create_table(
        "chapters",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("book_outline_id", sa.UUID(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("PLANNED", "DRAFT", "REVIEWING", "APPROVED", name="chapter_status"),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("outline_position", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("word_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("target_word_count", sa.Integer(), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint('"order" >= 0', name=op.f("ck_chapters_order_not_negative")),
        sa.ForeignKeyConstraint(
            ["book_outline_id"],
            ["book_outlines.id"],
            name=op.f("fk_chapters_book_outline_id_book_outlines"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_chapters_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chapters")),
    )
    op.create_index(op.f("ix_chapters_book_outline_id"), "chapters", ["book_outline_id"], unique=False)
    op.create_index(op.f("ix_chapters_project_id"), "chapters", ["project_id"], unique=False)
    op.create_index("ix_chapters_project_id_order", "chapters", ["project_id", "order"], unique=False)
    op.create_table(
        "content_chunks",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("source_material_id", sa.UUID(), nullable=False),
        sa.Column("chunk_index", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("token_count", sa.Integer(), nullable=True),
        sa.Column("char_start", sa.Integer(), nullable=True),
        sa.Column("char_end", sa.Integer(), nullable=True),
        sa.Column("embedding", pgvector.sqlalchemy.vector.VECTOR(dim=1536), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_content_chunks_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_material_id"],
            ["source_materials.id"],
            name=op.f("fk_content_chunks_source_material_id_source_materials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_chunks")),
        sa.UniqueConstraint(
            "source_material_id", "chunk_index", name=op.f("uq_content_chunks_source_material_id_chunk_index")
        ),
    )
    op.create_index(
        "ix_content_chunks_embedding_hnsw",
        "content_chunks",
        ["embedding"],
        unique=False,
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 40},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.create_index(op.f("ix_content_chunks_project_id"), "content_chunks", ["project_id"], unique=False)
    op.create_index(
        "ix_content_chunks_project_id_embedding_model",
        "content_chunks",
        ["project_id", "embedding_model"],
        unique=False,
    )
    op.create_index(
        "ix_content_chunks_search_vector",
        "content_chunks",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
    )
    op.execute(SEARCH_VECTOR_FUNCTION)
    op.execute(SEARCH_VECTOR_TRIGGER)
    op.create_index(
        op.f("ix_content_chunks_source_material_id"), "content_chunks", ["source_material_id"], unique=False
    )
    op.create_table(
        "generation_tasks",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("chapter_id", sa.UUID(), nullable=True),
        sa.Column(
            "task_type",
            sa.Enum(
                "SOURCE_PROCESSING",
                "TRANSCRIPTION",
                "OCR",
                "EMBEDDING",
                "OUTLINE_GENERATION",
                "CHAPTER_GENERATION",
                "CHAPTER_REVISION",
                "SUMMARIZATION",
                "VOICE_ANALYSIS",
                "QA_CHECK",
                "EXPORT",
                name="task_type",
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", name="task_status"),
            nullable=False,
        ),
        sa.Column("agent_name", sa.String(length=200), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("progress", sa.Float(), server_default="0", nullable=False),
        sa.Column("progress_message", sa.Text(), nullable=True),
        sa.Column("input_params", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("output_entity_type", sa.String(length=100), nullable=True),
        sa.Column("output_entity_id", sa.UUID(), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("completion_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name=op.f("ck_generation_tasks_progress_in_unit_range")),
        sa.ForeignKeyConstraint(
            ["chapter_id"],
            ["chapters.id"],
            name=op.f("fk_generation_tasks_chapter_id_chapters"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_generation_tasks_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_generation_tasks_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generation_tasks")),
    )
    op.create_index(op.f("ix_generation_tasks_chapter_id"), "generation_tasks", ["chapter_id"], unique=False)
    op.create_index(op.f("ix_generation_tasks_project_id"), "generation_tasks", ["project_id"], unique=False)
    op.create_index("ix_generation_tasks_project_id_status", "generation_tasks", ["project_id", "status"], unique=False)
    op.create_index(op.f("ix_generation_tasks_user_id"), "generation_tasks", ["user_id"], unique=False)
    op.create_table(
        "chapter_revisions",
        sa.Column("chapter_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("revision_number", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), server_default="", nullable=False),
        sa.Column("word_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("similarity_score", sa.Float(), nullable=True),
        sa.Column("token_cost", sa.Integer(), server_default="0", nullable=False),
        sa.Column("user_feedback", sa.Text(), nullable=True),
        sa.Column("ai_feedback", sa.Text(), nullable=True),
        sa.Column(
            "source",
            sa.Enum("MANUAL", "AI_DRAFT", "AI_REVISION", "IMPORT", "FORK", "RESTORE", name="revision_source"),
            nullable=False,
        ),
        sa.Column("generation_task_id", sa.UUID(), nullable=True),
        sa.Column("created_by_id", sa.UUID(), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "similarity_score IS NULL OR (similarity_score >= 0 AND similarity_score <= 1)",
            name=op.f("ck_chapter_revisions_similarity_in_unit_range"),
        ),
        sa.CheckConstraint("token_cost >= 0", name=op.f("ck_chapter_revisions_token_cost_not_negative")),
        sa.ForeignKeyConstraint(
            ["chapter_id"],
            ["chapters.id"],
            name=op.f("fk_chapter_revisions_chapter_id_chapters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_chapter_revisions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["generation_task_id"],
            ["generation_tasks.id"],
            name=op.f("fk_chapter_revisions_generation_task_id_generation_tasks"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_chapter_revisions_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chapter_revisions")),
        sa.UniqueConstraint(
            "chapter_id", "revision_number", name=op.f("uq_chapter_revisions_chapter_id_revision_number")
        ),
    )
    op.create_index(op.f("ix_chapter_revisions_chapter_id"), "chapter_revisions", ["chapter_id"], unique=False)
    op.create_index(op.f("ix_chapter_revisions_created_by_id"), "chapter_revisions", ["created_by_id"], unique=False)
    op.create_index(
        op.f("ix_chapter_revisions_generation_task_id"),
        "chapter_revisions",
        ["generation_task_id"],
        unique=False,
    )
    op.create_index(op.f("ix_chapter_revisions_project_id"), "chapter_revisions", ["project_id"], unique=False)
    op.create_table(
        "exported_books",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("created_by_id", sa.UUID(), nullable=True),
        sa.Column("generation_task_id", sa.UUID(), nullable=True),
        sa.Column("format", sa.Enum("PDF", "DOCX", "EPUB", "MARKDOWN", "HTML", name="export_format"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("PENDING", "RENDERING", "READY", "FAILED", name="export_status"), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("s3_bucket", sa.String(length=255), nullable=True),
        sa.Column("s3_key", sa.String(length=1024), nullable=True),
        sa.Column("signed_url", sa.Text(), nullable=True),
        sa.Column("signed_url_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("word_count", sa.Integer(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_exported_books_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["generation_task_id"],
            ["generation_tasks.id"],
            name=op.f("fk_exported_books_generation_task_id_generation_tasks"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_exported_books_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exported_books")),
        sa.UniqueConstraint(
            "project_id", "format", "version", name=op.f("uq_exported_books_project_id_format_version")
        ),
    )
    op.create_index(op.f("ix_exported_books_created_by_id"), "exported_books", ["created_by_id"], unique=False)
    op.create_index(
        op.f("ix_exported_books_generation_task_id"), "exported_books", ["generation_task_id"], unique=False
    )
    op.create_index(op.f("ix_exported_books_project_id"), "exported_books", ["project_id"], unique=False)
    op.create_table(
        "qa_findings",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("chapter_id", sa.UUID(), nullable=True),
        sa.Column("generation_task_id", sa.UUID(), nullable=True),
        sa.Column(
            "finding_type",
            sa.Enum(
                "NAME_INCONSISTENCY",
                "TIMELINE_ERROR",
                "CONTINUITY_ERROR",
                "FACTUAL_INCONSISTENCY",
                "POV_INCONSISTENCY",
                "TENSE_INCONSISTENCY",
                "REPETITION",
                "STYLE_DEVIATION",
                "PACING",
                "PLOT_HOLE",
                "DIALOGUE_FORMATTING",
                "GRAMMAR",
                "SPELLING",
                "MISSING_CONTENT",
                "WORD_COUNT",
                "OTHER",
                name="finding_type",
            ),
            nullable=False,
        ),
        sa.Column("severity", sa.Enum("LOW", "MEDIUM", "HIGH", "CRITICAL", name="severity"), nullable=False),
        sa.Column("is_blocking", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("status", sa.Enum("OPEN", "RESOLVED", "WAIVED", name="finding_status"), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.Column("location", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("suggestion", sa.Text(), nullable=True),
        sa.Column("rule", sa.String(length=100), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.UUID(), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["chapter_id"],
            ["chapters.id"],
            name=op.f("fk_qa_findings_chapter_id_chapters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["generation_task_id"],
            ["generation_tasks.id"],
            name=op.f("fk_qa_findings_generation_task_id_generation_tasks"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_qa_findings_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_qa_findings_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_findings")),
    )
    op.create_index(op.f("ix_qa_findings_chapter_id"), "qa_findings", ["chapter_id"], unique=False)
    op.create_index(op.f("ix_qa_findings_generation_task_id"), "qa_findings", ["generation_task_id"], unique=False)
    op.create_index(op.f("ix_qa_findings_project_id"), "qa_findings", ["project_id"], unique=False)
    op.create_index("ix_qa_findings_project_id_status", "qa_findings", ["project_id", "status"], unique=False)
    op.create_index(op.f("ix_qa_findings_resolved_by_id"), "qa_findings", ["resolved_by_id"], unique=False)
    op.create_table(
        "token_transactions",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("transaction_type", sa.Enum("CREDIT", "DEBIT", name="transaction_type"), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=True),
        sa.Column("generation_task_id", sa.UUID(), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("completion_tokens", sa.Integer(), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_token_transactions_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["generation_task_id"],
            ["generation_tasks.id"],
            name=op.f("fk_token_transactions_generation_task_id_generation_tasks"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_token_transactions_project_id_projects"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_token_transactions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_token_transactions")),
    )
    op.create_index(
        op.f("ix_token_transactions_generation_task_id"),
        "token_transactions",
        ["generation_task_id"],
        unique=False,
    )
    op.create_index(op.f("ix_token_transactions_project_id"), "token_transactions", ["project_id"], unique=False)
    op.create_index(op.f("ix_token_transactions_user_id"), "token_transactions", ["user_id"], unique=False)
    plans = sa.table(
        "billing_plans",
        sa.column("name", sa.String),
        sa.column("display_name", sa.String),
        sa.column("monthly_token_quota", sa.Integer),
        sa.column("price_cents", sa.Integer),
    )
    op.bulk_insert(
        plans,
        [{"name": n, "display_name": d, "monthly_token_quota": q, "price_cents": p} for n, d, q, p in BILLING_PLANS],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_token_transactions_user_id"), table_name="token_transactions")
    op.drop_index(op.f("ix_token_transactions_project_id"), table_name="token_transactions")
    op.drop_index(op.f("ix_token_transactions_generation_task_id"), table_name="token_transactions")
    op.drop_table("token_transactions")
    op.drop_index(op.f("ix_qa_findings_resolved_by_id"), table_name="qa_findings")
    op.drop_index("ix_qa_findings_project_id_status", table_name="qa_findings")
    op.drop_index(op.f("ix_qa_findings_project_id"), table_name="qa_findings")
    op.drop_index(op.f("ix_qa_findings_generation_task_id"), table_name="qa_findings")
    op.drop_index(op.f("ix_qa_findings_chapter_id"), table_name="qa_findings")
    op.drop_table("qa_findings")
    op.drop_index(op.f("ix_exported_books_project_id"), table_name="exported_books")
    op.drop_index(op.f("ix_exported_books_generation_task_id"), table_name="exported_books")
    op.drop_index(op.f("ix_exported_books_created_by_id"), table_name="exported_books")
    op.drop_table("exported_books")
    op.drop_index(op.f("ix_chapter_revisions_project_id"), table_name="chapter_revisions")
    op.drop_index(op.f("ix_chapter_revisions_generation_task_id"), table_name="chapter_revisions")
    op.drop_index(op.f("ix_chapter_revisions_created_by_id"), table_name="chapter_revisions")
    op.drop_index(op.f("ix_chapter_revisions_chapter_id"), table_name="chapter_revisions")
    op.drop_table("chapter_revisions")
    op.drop_index(op.f("ix_generation_tasks_user_id"), table_name="generation_tasks")
    op.drop_index("ix_generation_tasks_project_id_status", table_name="generation_tasks")
    op.drop_index(op.f("ix_generation_tasks_project_id"), table_name="generation_tasks")
    op.drop_index(op.f("ix_generation_tasks_chapter_id"), table_name="generation_tasks")
    op.drop_table("generation_tasks")
    op.drop_index(op.f("ix_content_chunks_source_material_id"), table_name="content_chunks")
    op.drop_index("ix_content_chunks_search_vector", table_name="content_chunks", postgresql_using="gin")
    op.drop_index("ix_content_chunks_project_id_embedding_model", table_name="content_chunks")
    op.drop_index(op.f("ix_content_chunks_project_id"), table_name="content_chunks")
    op.drop_index(
        "ix_content_chunks_embedding_hnsw",
        table_name="content_chunks",
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 40},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.drop_table("content_chunks")
    op.drop_index("ix_chapters_project_id_order", table_name="chapters")
    op.drop_index(op.f("ix_chapters_project_id"), table_name="chapters")
    op.drop_index(op.f("ix_chapters_book_outline_id"), table_name="chapters")
    op.drop_table("chapters")
    op.drop_index(op.f("ix_voice_profiles_project_id"), table_name="voice_profiles")
    op.drop_table("voice_profiles")
    op.drop_index("ix_source_materials_project_id_content_hash", table_name="source_materials")
    op.drop_index(op.f("ix_source_materials_project_id"), table_name="source_materials")
    op.drop_table("source_materials")
    op.drop_index("ix_notifications_user_id_is_read", table_name="notifications")
    op.drop_index(op.f("ix_notifications_user_id"), table_name="notifications")
    op.drop_index(op.f("ix_notifications_project_id"), table_name="notifications")
    op.drop_table("notifications")
    op.drop_index(op.f("ix_book_outlines_project_id"), table_name="book_outlines")
    op.drop_table("book_outlines")
    op.drop_index(op.f("ix_audit_logs_user_id"), table_name="audit_logs")
    op.drop_index(op.f("ix_audit_logs_project_id"), table_name="audit_logs")
    op.drop_index("ix_audit_logs_entity_type_entity_id", table_name="audit_logs")
    op.drop_table("audit_logs")
    op.drop_index(op.f("ix_projects_owner_id"), table_name="projects")
    op.drop_index(op.f("ix_projects_forked_from_project_id"), table_name="projects")
    op.drop_table("projects")
    op.drop_index(op.f("ix_api_keys_user_id"), table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_index(op.f("ix_users_billing_plan_id"), table_name="users")
    op.drop_table("users")
    op.drop_table("billing_plans")
    op.execute("DROP FUNCTION IF EXISTS content_chunks_search_vector()")
    for name in ENUM_TYPES:
        op.execute(f"DROP TYPE IF EXISTS {name}")
    # Leave the extension alone when something outside GhostLine still uses it (a shared server).
    op.execute(
        """
        DO $$ BEGIN
            DROP EXTENSION IF EXISTS vector;
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE NOTICE 'vector extension kept: other objects depend on it';
        END $$;
        """
    )
