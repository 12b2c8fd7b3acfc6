"""Hybrid search over 100k chunks, recall of the vector index, and the index design on numbers.

The data (bench/search_data.py): 5,000 real passages (~100 words each) spread over the shared
corpus, embedded with the local embedder (cached in bench/.cache after the first run); 100k
chunks in ONE project are those vectors plus Gaussian noise, renormalised (every passage 20
times), the noise sized so a copy's nearest sibling is as near as a real passage's nearest other
passage; content is the passage text, so full-text search ranks real prose. Rows go in by binary
COPY, then the app's own per-model index is built (``ensure_vector_index``), then ANALYZE.

* ``search_100k_p50_ms`` / ``search_100k_p95_ms``: ``SearchService.search`` as the library panel
  calls it (query embedding + HNSW + full-text + RRF + snippets), 100 queries: half three key
  words of a passage, half a run of eight of its words. Peer: the same SQL with index scans off
  (the vector half an exact scan), over the first 10 queries. ``search_100k_*_half_*`` and
  ``query_embedding_p50_ms`` split the time: the vector half alone (top 10 through the index,
  the app's settings), the text half (search.py's own statement run with a model no chunk has,
  so only its full-text half, fusing and snippets do any work), and embedding the query.
* ``recall_at_10_100k``: the vector half's top 10 through the index with the app's settings
  (``hnsw.ef_search`` from services/search.py, iterative scan) against numpy brute force over
  the same halfvec-rounded vectors (checked equal to PostgreSQL's own exact scan); also at
  ``ef_search`` 200 and 400, with the vector half's p50 at each.
* Index design (``insert_*_ms_per_1k``, ``recall_at_10_5k_*``): 5,000 real passages inserted the
  app's way (SQLAlchemy ``insert(ContentChunk)``, 500 per transaction) into a fresh database each:
  (0) no vector index, the floor; (a) the old global HNSW over the zero-padded ``vector(1536)``
  (m=16, ef_construction=40); (b) the app's per-model partial ``halfvec(dim)`` expression index
  (vector_index.py's m and ef_construction), created before the inserts; (b40) the same at
  ef_construction=40, like for like with (a); (c) no index during the inserts, then ``CREATE
  INDEX`` (b's), the insert and the build both timed.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from bench.common import Metric
from bench.library_support import BenchServer, bench_server, percentile
from bench.search_data import (
    PASSAGES,
    Data,
    bulk_load,
    exact_top10,
    literal,
    load_data,
    make_project,
    nearest_neighbour_cosine,
    noise_norm_for,
    noisy_rows,
    padded,
    recall,
)
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import EMBEDDING_DIMENSIONS, ContentChunk
from ghostline_desktop.services import search as search_module
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.vector_index import HNSW_EF_CONSTRUCTION, HNSW_M, ensure_vector_index, vector_expr
from ghostline_desktop.storage.local import LocalStore

ROWS = 100_000
SOURCES = 100
PEER_QUERIES = 10
DESIGN_ROWS = 5000
DESIGN_BATCH = 500
P95_TARGET_MS = 50.0
RECALL_TARGET = 0.95
EF_SWEEP = (200, 400)
PEER = f"exact vector scan ({PEER_QUERIES} queries)"


CAP = getattr(search_module, "TEXT_CANDIDATE_CAP", 1000)  # the app's cap on some-words candidates


def app_ef_search() -> int:
    """The ``hnsw.ef_search`` SearchService sets (a constant if search.py has one, else its SQL)."""
    value = getattr(search_module, "EF_SEARCH", None)
    if isinstance(value, int):
        return value
    import inspect

    found = re.search(r"hnsw\.ef_search\s*=\s*(\d+)", inspect.getsource(search_module))
    return int(found.group(1)) if found else 40  # pgvector's default


def app_sql(services: Services, dim: int) -> str:
    """SearchService's statement, with its current tuning if it has any."""
    return search_module._sql(dim, *getattr(services.search, "tuning", ()))


def _vector_sql(dim: int, order_expr: str | None = None) -> Any:
    order = order_expr or f"{vector_expr(dim, 'c.embedding')} <=> CAST(:qv AS halfvec({dim}))"
    return text(
        "SELECT c.id FROM content_chunks c WHERE c.embedding_model = :model AND c.project_id = :pid "
        f"ORDER BY {order} LIMIT 10"
    )


async def _vector_half(
    services: Services, project_id: uuid.UUID, data: Data, position: dict[uuid.UUID, int], ef: int
) -> tuple[list[list[int]], list[float], str]:
    """Top 10 (row positions) per query through the index, each query's ms, and the plan."""
    sql = _vector_sql(data.dim)
    found: list[list[int]] = []
    ms: list[float] = []
    async with services.db.session() as s:
        await s.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
        await s.execute(text(f"SET LOCAL hnsw.ef_search = {int(ef)}"))
        params = {"model": data.model, "pid": project_id, "qv": literal(data.query_vectors[0])}
        plan = "\n".join(r[0] for r in await s.execute(text("EXPLAIN " + str(sql)), params))
        for qv in data.query_vectors:
            t0 = time.perf_counter()
            rows = (await s.execute(sql, {**params, "qv": literal(qv)})).scalars().all()
            ms.append((time.perf_counter() - t0) * 1000)
            found.append([position[r] for r in rows])
    return found, ms, plan


async def _search_100k(services: Services, project_id: uuid.UUID, data: Data, ids: list[uuid.UUID]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for q in data.queries[:10]:  # warm the caches and the query plan
        await services.search.search(project_id, q)
    latencies = []
    for q in data.queries:
        t0 = time.perf_counter()
        hits = await services.search.search(project_id, q)
        latencies.append((time.perf_counter() - t0) * 1000)
        assert hits, q
    out["latencies"] = latencies

    embedder = services.ingestion.embedder
    embed_ms = []
    for q in data.queries:
        t0 = time.perf_counter()
        await embedder.embed([q])
        embed_ms.append((time.perf_counter() - t0) * 1000)
    out["embed_ms"] = embed_ms

    # The app's own statement with a model no chunk has: the vector half finds nothing at once, so
    # this times the full-text half (plus fusing and snippets) whatever search.py does there.
    statement = text(app_sql(services, data.dim))
    text_ms = []
    async with services.db.session() as s:
        for q, qv in zip(data.queries, data.query_vectors, strict=True):
            params = {"q": q, "qv": literal(qv), "model": "bench/no-such-model", "pid": project_id, "k": 60, "cap": CAP}
            t0 = time.perf_counter()
            (await s.execute(statement, {**params, "limit": 20})).all()
            text_ms.append((time.perf_counter() - t0) * 1000)
    out["text_ms"] = text_ms

    # Peer: the same statement with index scans off (the vector half scans every row exactly).
    peer = []
    for q in data.queries[:PEER_QUERIES]:
        t0 = time.perf_counter()
        vector = (await embedder.embed([q]))[0]
        async with services.db.session() as s:
            await s.execute(text("SET LOCAL enable_indexscan = off"))
            await s.execute(text("SET LOCAL statement_timeout = 0"))
            params = {"q": q, "qv": literal(vector), "model": data.model, "pid": project_id, "k": 60, "limit": 20,
                      "cap": CAP}
            (await s.execute(statement, params)).all()
        peer.append((time.perf_counter() - t0) * 1000)
    out["peer"] = peer

    position = {rid: i for i, rid in enumerate(ids)}
    out["ef"] = {}
    for ef in (app_ef_search(), *EF_SWEEP):
        found, ms, plan = await _vector_half(services, project_id, data, position, ef)
        out["ef"][ef] = (found, ms)
        out.setdefault("plan", plan)
    return out


def _measure_100k(server: BenchServer, data: Data, noise: float, store_root: str) -> dict[str, Any]:
    name = server.create_database()
    url = server.url(name)
    rows = noisy_rows(data.vectors, ROWS, noise)
    contents = [data.passages[i % PASSAGES] for i in range(ROWS)]

    async def prepare() -> tuple[uuid.UUID, list[uuid.UUID]]:
        services = Services.build(Database(url), LocalStore(Path(store_root)))
        try:
            return await make_project(services, SOURCES)
        finally:
            await services.close()

    project_id, source_ids = asyncio.run(prepare())
    t0 = time.perf_counter()
    ids = bulk_load(server, name, project_id, source_ids, contents, rows, data.model)
    load_s = time.perf_counter() - t0

    async def index_and_search() -> dict[str, Any]:
        from ghostline_desktop.ai.embedders import local_embedder

        services = Services.build(Database(url), LocalStore(Path(store_root)), embedder=local_embedder())
        try:
            async with services.db.session() as s:
                await s.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
                await s.execute(text("SET LOCAL statement_timeout = 0"))
                t_idx = time.perf_counter()
                await ensure_vector_index(s, data.model, data.dim)
            index_s = time.perf_counter() - t_idx
            async with services.db.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.exec_driver_sql("ANALYZE content_chunks")
            return {**await _search_100k(services, project_id, data, ids), "index_s": index_s}
        finally:
            await services.close()

    try:
        out = asyncio.run(index_and_search())
    finally:
        server.drop_database(name)
    out["load_s"] = load_s
    out["exact"] = exact_top10(rows, data.query_vectors, half=True)
    return out


# -- index design -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    key: str
    label: str
    index_before: str | None  # DDL run before the inserts ("app": ensure_vector_index)
    index_after: bool  # the app's index created after the inserts (timed)
    order_expr: str | None  # how the variant's index is queried (None: no index, no recall)
    half: bool


def designs(model: str, dim: int) -> list[Design]:
    halfvec = f"{vector_expr(dim, 'c.embedding')} <=> CAST(:qv AS halfvec({dim}))"
    quoted = "'" + model.replace("'", "''") + "'"
    partial = (
        f"CREATE INDEX ix_bench_b40 ON content_chunks USING hnsw ({vector_expr(dim)} halfvec_cosine_ops) "
        f"WITH (m = {HNSW_M}, ef_construction = 40) WHERE embedding_model = {quoted}"
    )
    return [
        Design("no_index", "(0) no vector index", None, False, None, False),
        Design(
            "global_vector1536",
            "(a) global HNSW vector(1536) zero-padded, m=16, ef_construction=40",
            "CREATE INDEX ix_bench_global ON content_chunks USING hnsw (embedding vector_cosine_ops) "
            "WITH (m = 16, ef_construction = 40)",
            False,
            f"c.embedding <=> CAST(:qvp AS vector({EMBEDDING_DIMENSIONS}))",
            False,
        ),
        Design(
            "partial_halfvec",
            f"(b) partial halfvec({dim}) expression index (the app's), m={HNSW_M}, "
            f"ef_construction={HNSW_EF_CONSTRUCTION}",
            "app",
            False,
            halfvec,
            True,
        ),
        Design(
            "partial_halfvec_efc40",
            f"(b40) partial halfvec({dim}) expression index, m={HNSW_M}, ef_construction=40",
            partial,
            False,
            halfvec,
            True,
        ),
        Design("bulk_then_index", "(c) no index during inserts, then CREATE INDEX (b's)", None, True, halfvec, True),
    ]


@dataclass
class _Variant:
    design: Design
    database: str
    services: Services
    project_id: uuid.UUID
    source_ids: list[uuid.UUID]
    insert_ms: float = 0.0
    build_ms: float = 0.0
    recall: float | None = None
    uses_index: bool = False


async def _open_variant(server: BenchServer, store_root: str, design: Design, data: Data) -> _Variant:
    database = server.create_database()  # a fresh database per variant
    services = Services.build(Database(server.url(database)), LocalStore(Path(store_root)))
    project_id, source_ids = await make_project(services, -(-DESIGN_ROWS // DESIGN_BATCH))
    if design.index_before:
        async with services.db.session() as s:
            if design.index_before == "app":
                await ensure_vector_index(s, data.model, data.dim)
            else:
                await s.execute(text(design.index_before))
    return _Variant(design, database, services, project_id, source_ids)


def _batch(v: _Variant, data: Data, ids: list[uuid.UUID], b: int) -> list[dict[str, Any]]:
    start = b * DESIGN_BATCH
    return [
        {
            "id": ids[i],
            "project_id": v.project_id,
            "source_material_id": v.source_ids[b],
            "chunk_index": i - start,
            "content": data.passages[i],
            "token_count": len(data.passages[i].split()) * 4 // 3,
            "embedding": padded(data.vectors[i]).tolist(),
            "embedding_model": data.model,
            "extra": {},
        }
        for i in range(start, min(DESIGN_ROWS, start + DESIGN_BATCH))
    ]


async def _variant_recall(v: _Variant, data: Data, ids: list[uuid.UUID], ef: int) -> tuple[float, bool]:
    """Recall@10 through the variant's index (seq scans and sorts discouraged: with 5,000 rows
    the planner would rather scan them all, which is exact and says nothing about the index)."""
    assert v.design.order_expr is not None
    position = {rid: i for i, rid in enumerate(ids)}
    sql = _vector_sql(data.dim, v.design.order_expr)
    found = []
    async with v.services.db.session() as s:
        for setting in ("hnsw.iterative_scan = relaxed_order", f"hnsw.ef_search = {int(ef)}"):
            await s.execute(text(f"SET LOCAL {setting}"))
        await s.execute(text("SET LOCAL enable_seqscan = off"))
        await s.execute(text("SET LOCAL enable_sort = off"))
        uses_index = False
        for k, qv in enumerate(data.query_vectors):
            params = {"model": data.model, "pid": v.project_id, "qv": literal(qv), "qvp": literal(padded(qv))}
            if k == 0:
                plan = " ".join(r[0] for r in await s.execute(text("EXPLAIN " + str(sql)), params))
                uses_index = "Order By:" in plan  # only an index scan ordered by distance says so
            found.append([position[r] for r in (await s.execute(sql, params)).scalars()])
    return recall(found, exact_top10(data.vectors[:DESIGN_ROWS], data.query_vectors, half=v.design.half)), uses_index


async def _index_design_async(server: BenchServer, data: Data, store_root: str, ef: int) -> list[_Variant]:
    """Every variant gets the same batches in turn (the order rotating per batch), so drift on a
    shared machine lands on all of them alike instead of on whichever ran last."""
    variants: list[_Variant] = []
    try:
        for design in designs(data.model, data.dim):
            variants.append(await _open_variant(server, store_root, design, data))
        ids = [uuid.uuid4() for _ in range(DESIGN_ROWS)]
        for b in range(-(-DESIGN_ROWS // DESIGN_BATCH)):
            for v in variants[b % len(variants) :] + variants[: b % len(variants)]:
                rows = _batch(v, data, ids, b)
                t0 = time.perf_counter()
                async with v.services.db.session() as s:  # one transaction per "source", as an import writes
                    await s.execute(insert(ContentChunk), rows)
                v.insert_ms += (time.perf_counter() - t0) * 1000
        for v in variants:
            if v.design.index_after:
                t0 = time.perf_counter()
                async with v.services.db.session() as s:
                    await s.execute(text("SET LOCAL statement_timeout = 0"))
                    await ensure_vector_index(s, data.model, data.dim)
                v.build_ms = (time.perf_counter() - t0) * 1000
        for v in variants:
            if v.design.order_expr is not None:
                v.recall, v.uses_index = await _variant_recall(v, data, ids, ef)
        return variants
    finally:
        for v in variants:
            await v.services.close()
            server.drop_database(v.database)


def _design_metrics(variants: list[_Variant], ef: int) -> list[Metric]:
    per_1k = DESIGN_ROWS / 1000
    floor = next(v.insert_ms for v in variants if v.design.key == "no_index") / per_1k
    print(
        f"  index design: {DESIGN_ROWS} real chunks inserted the app's way, {DESIGN_BATCH} per transaction, "
        f"a fresh database each, batches interleaved (recall at ef_search {ef}):"
    )
    metrics = []
    for v in variants:
        ms = (v.insert_ms + v.build_ms) / per_1k
        line = f"    {v.design.label}: {ms:,.0f} ms per 1,000 chunks"
        if v.build_ms:
            line += f" (inserts {v.insert_ms / per_1k:,.0f} + index build {v.build_ms / per_1k:,.0f})"
        if v.design.key != "no_index":
            line += f"; {(ms - floor) / 1000:+.2f} ms per chunk over (0)"
        if v.recall is not None:
            line += f"; recall@10 {v.recall:.3f}" + ("" if v.uses_index else " (index NOT used)")
        print(line)
        peer = v.design.key != "no_index"
        metrics.append(
            Metric(
                f"insert_{v.design.key}_ms_per_1k",
                ms,
                peer_name="no vector index" if peer else None,
                peer_value=floor if peer else None,
            )
        )
        if v.recall is not None:
            metrics.append(Metric(f"recall_at_10_5k_{v.design.key}", v.recall, unit="", better="higher"))
    return metrics


def run() -> list[Metric]:
    t0 = time.perf_counter()
    data = load_data()
    nn = nearest_neighbour_cosine(data.vectors)
    noise = noise_norm_for(nn)
    ef = app_ef_search()
    print(
        f"  embedder {data.model} ({data.dim} dims): {len(data.passages)} passages, {len(data.queries)} queries "
        f"({time.perf_counter() - t0:.1f} s); real nearest-neighbour cosine (median) {nn:.2f} -> noise {noise:.2f}"
    )
    with (
        tempfile.TemporaryDirectory(prefix="ghostline-bench-search-store-") as store_root,
        bench_server("search") as server,
    ):
        variants = asyncio.run(_index_design_async(server, data, store_root, ef))
        big = _measure_100k(server, data, noise, store_root)

    lat, vec_ms = big["latencies"], big["ef"][ef][1]
    print(
        "  100k recall@10 by ef_search: "
        + ", ".join(f"{e}: {recall(found, big['exact']):.3f}" for e, (found, _ms) in sorted(big["ef"].items()))
    )
    print(f"  100k: load {big['load_s']:.1f} s, index build {big['index_s']:.1f} s; vector half plan:")
    print("    " + "\n    ".join(line[:160] for line in big["plan"].splitlines()))
    metrics = [
        Metric("search_100k_p50_ms", percentile(lat, 50), peer_name=PEER, peer_value=statistics.median(big["peer"])),
        Metric(
            "search_100k_p95_ms",
            percentile(lat, 95),
            target=P95_TARGET_MS,
            peer_name=PEER,
            peer_value=percentile(big["peer"], 95),
        ),
        Metric("query_embedding_p50_ms", percentile(big["embed_ms"], 50)),
        Metric("search_100k_vector_half_p95_ms", percentile(vec_ms, 95)),
        Metric("search_100k_text_half_p50_ms", percentile(big["text_ms"], 50)),
        Metric("search_100k_text_half_p95_ms", percentile(big["text_ms"], 95)),
        Metric(
            "recall_at_10_100k",
            recall(big["ef"][ef][0], big["exact"]),
            unit="",
            target=RECALL_TARGET,
            better="higher",
        ),
    ]
    for sweep in EF_SWEEP:
        found, ms = big["ef"][sweep]
        metrics.append(Metric(f"recall_at_10_100k_ef{sweep}", recall(found, big["exact"]), unit="", better="higher"))
        metrics.append(Metric(f"search_100k_vector_half_ef{sweep}_p50_ms", percentile(ms, 50)))
    metrics.append(Metric("index_build_100k_s", big["index_s"], unit="s"))
    metrics += _design_metrics(variants, ef)
    return metrics
