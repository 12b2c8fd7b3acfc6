"""The per-model vector index: created once per embedding model, over that model's dimensions,
used by search (the planner picks it for the hybrid query)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import text

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.search import _sql
from ghostline_desktop.services.vector_index import ensure_vector_index, index_name

Run = Callable[[Coroutine[Any, Any, Any]], Any]


def test_one_partial_halfvec_index_per_model_and_search_uses_it(services: Services, run: Run) -> None:
    async def go() -> tuple[list[str], str]:
        async with services.db.session() as s:
            for model, dim in (("local/a", 384), ("local/a", 384), ("provider/b", 1536)):
                await ensure_vector_index(s, model, dim)
        async with services.db.session() as s:
            defs = [
                r[0]
                for r in await s.execute(
                    text("SELECT indexdef FROM pg_indexes WHERE indexname LIKE 'ix_chunks_hnsw_%' ORDER BY indexdef")
                )
            ]
            await s.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(
                r[0]
                for r in await s.execute(
                    text("EXPLAIN " + _sql(384, 5, 1.0, 2.0)),
                    {"q": "sea", "qv": "[" + ",".join(["0.1"] * 384) + "]", "model": "local/a",
                     "pid": "00000000-0000-0000-0000-000000000000", "k": 10, "limit": 5, "cap": 100},
                )
            )
        return defs, plan

    defs, plan = run(go())
    assert len(defs) == 2
    a = next(d for d in defs if "'local/a'" in d)
    assert "halfvec(384)" in a and "subvector(embedding, 1, 384)" in a and "halfvec_cosine_ops" in a
    assert index_name("local/a") in plan
