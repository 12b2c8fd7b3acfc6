"""One HNSW index per embedding model, over just that model's dimensions.

Why not one index over the whole ``vector(1536)`` column: a local model has 256 or 384
dimensions zero-padded to 1536, and pgvector computes over the padding, so every insert and
every search pays for 1536 dimensions (about 3 ms per HNSW insert measured here). A partial
expression index per model, ``subvector(embedding, 1, dim)::halfvec(dim)`` WHERE
``embedding_model = …``, indexes only the real dimensions at half precision: inserts and
searches get several times cheaper (``make bench`` → bench/results/search.json has the
comparison), and a search can never compare vectors of two models by construction.

The index is created the first time a model's chunks are written (idempotent, cached per
process), at the width of the vectors actually written: a provider model the app does not know
reports 0 dimensions until its first reply, so a width is never taken from a guess (once, three
notes embedding at once created an index at width 0). Search uses the same expression so the
planner picks it.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ghostline_desktop.core.vectors import STORED_DIMENSIONS

HNSW_M = 16
HNSW_EF_CONSTRUCTION = 64
_known: set[tuple[str, str, int]] = set()


def index_name(model: str) -> str:
    return "ix_chunks_hnsw_" + hashlib.sha1(model.encode()).hexdigest()[:16]


def vector_expr(dim: int, column: str = "embedding") -> str:
    """The indexed expression; search must use exactly this text to hit the index."""
    return f"(subvector({column}, 1, {int(dim)})::halfvec({int(dim)}))"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def ensure_vector_index(session: AsyncSession, model: str, dim: int) -> None:
    """Make sure ``model``'s index exists at width ``dim`` (the length of vectors it returned).

    An index of the same name at another width (one created from a wrong guess, or the width-0
    index of the bug above) is replaced under the same lock.
    """
    if dim <= 0 or dim > STORED_DIMENSIONS:
        raise ValueError(f"no vector index at width {dim} for {model!r}: pass the width of vectors it returned")
    db_key = (str(session.get_bind().engine.url), model, dim)
    if db_key in _known:
        return
    # Serialise creators across app instances sharing a database.
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": index_name(model)})
    existing = (
        await session.execute(
            text("SELECT indexdef FROM pg_indexes WHERE tablename = 'content_chunks' AND indexname = :n"),
            {"n": index_name(model)},
        )
    ).scalar_one_or_none()
    if existing is not None and f"halfvec({int(dim)})" not in existing:
        await session.execute(text(f"DROP INDEX IF EXISTS {index_name(model)}"))
    await session.execute(
        text(
            f"CREATE INDEX IF NOT EXISTS {index_name(model)} ON content_chunks "
            f"USING hnsw ({vector_expr(dim)} halfvec_cosine_ops) "
            f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}) "
            f"WHERE embedding_model = {_literal(model)}"
        )
    )
    _known.add(db_key)
