"""One HNSW index per embedding model instead of one over the padded 1536-d column.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Why: local embedders have 256–384 dimensions, zero-padded into ``vector(1536)``. An index over
the whole column makes pgvector compute over the padding on every insert and search (~3 ms per
HNSW insert measured). The app now creates, the first time a model's chunks are written, a
partial expression index over just that model's dimensions at half precision:

    CREATE INDEX ix_chunks_hnsw_<hash> ON content_chunks
        USING hnsw ((subvector(embedding, 1, dim)::halfvec(dim)) halfvec_cosine_ops)
        WHERE embedding_model = '<model>'

(``ghostline_desktop/services/vector_index.py``; the insert/search/recall comparison is in
``make bench`` → bench/results/search.json). Those indexes are data-dependent, so this migration
only removes the old global one; downgrading drops the per-model ones and restores it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_content_chunks_embedding_hnsw", table_name="content_chunks")


def downgrade() -> None:
    op.execute(
        """
        DO $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT indexname FROM pg_indexes
                     WHERE tablename = 'content_chunks' AND indexname LIKE 'ix_chunks_hnsw_%'
            LOOP
                EXECUTE format('DROP INDEX IF EXISTS %I', r.indexname);
            END LOOP;
        END $$;
        """
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
