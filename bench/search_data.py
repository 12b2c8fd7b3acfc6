"""The data behind bench_search: real corpus passages and queries with their local-embedder
vectors (cached), noisy copies that make 100k rows, exact answers, and loading them fast.

Kept apart from the measurements so each module stays readable; nothing here is timed.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import re
import statistics
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from bench.common import CORPUS_DIR
from bench.library_support import BenchServer
from ghostline_desktop.core.enums import MaterialType, ProcessingStatus
from ghostline_desktop.db.models import EMBEDDING_DIMENSIONS, SourceMaterial
from ghostline_desktop.services.container import Services

PASSAGES = 5000
PASSAGE_WORDS = 100
QUERIES = 100
CACHE_DIR = Path(__file__).resolve().parent / ".cache"
_WORD = re.compile(r"[A-Za-z]{6,}")


@dataclass(frozen=True)
class Data:
    passages: list[str]
    vectors: np.ndarray  # (PASSAGES, dim) float32, unit length
    queries: list[str]
    query_vectors: np.ndarray  # (QUERIES, dim)
    model: str
    dim: int


def _passages() -> list[str]:
    """Consecutive ~100-word runs of every book, spread evenly over the whole corpus."""
    words: list[str] = []
    for path in sorted(CORPUS_DIR.glob("*.txt")):
        words.extend(path.read_text(encoding="utf-8", errors="replace").split())
    runs = [" ".join(words[i : i + PASSAGE_WORDS]) for i in range(0, len(words) - PASSAGE_WORDS, PASSAGE_WORDS)]
    step = max(1, len(runs) // PASSAGES)
    return runs[::step][:PASSAGES]


def _queries(passages: Sequence[str]) -> list[str]:
    """What an author types: a few distinctive words of a passage, or a run of its words."""
    rng = random.Random(6)
    out: list[str] = []
    for i in range(QUERIES):
        words = passages[rng.randrange(len(passages))].split()
        if i % 2 == 0:
            keys = sorted({w.lower() for w in _WORD.findall(" ".join(words))})
            out.append(" ".join(rng.sample(keys, min(3, len(keys)))) or " ".join(words[:4]))
        else:
            start = rng.randrange(max(1, len(words) - 8))
            out.append(" ".join(words[start : start + 8]))
    return out


async def _embed_all(texts: list[str]) -> tuple[np.ndarray, str, int]:
    from ghostline_desktop.ai.embedders import local_embedder

    embedder = local_embedder()
    out: list[list[float]] = []
    for start in range(0, len(texts), 64):
        out.extend(await embedder.embed(texts[start : start + 64]))
    return np.asarray(out, dtype=np.float32), embedder.name, embedder.dimensions


def _cache_path(model: str, texts: list[str]) -> Path:
    digest = hashlib.sha1("\x00".join([model, *texts]).encode()).hexdigest()[:16]
    return CACHE_DIR / f"search-{digest}.npy"


def load_data() -> Data:
    """Passages, queries and their vectors; the vectors are cached in bench/.cache (keyed by the
    model's name and the texts), so only the first run pays for embedding ~5,000 passages."""
    from ghostline_desktop.ai.embedders import local_embedder

    passages = _passages()
    queries = _queries(passages)
    texts = passages + queries
    embedder = local_embedder()
    model, dim = embedder.name, embedder.dimensions
    path = _cache_path(model, texts)
    vectors: np.ndarray | None = None
    if path.exists():
        cached = np.load(path)
        if cached.shape == (len(texts), dim):
            vectors = cached
    if vectors is None:
        vectors, model, dim = asyncio.run(_embed_all(texts))
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return Data(passages, vectors[: len(passages)], queries, vectors[len(passages) :], model, dim)


def nearest_neighbour_cosine(vectors: np.ndarray) -> float:
    """Median cosine of each real passage to its nearest other passage."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -1.0)
    return float(np.median(sims.max(axis=1)))


def noise_norm_for(cosine: float) -> float:
    """The noise length that puts two copies of one passage at ``cosine`` of each other.

    Two copies ``v + e1`` and ``v + e2`` (independent isotropic noise of length ``n``, nearly
    orthogonal to ``v`` and to each other in hundreds of dimensions) meet at cos = 1 / (1 + n²).
    Small noise would make every passage a tight clump of 20 near-duplicates, which HNSW's
    neighbour pruning handles badly and real libraries do not contain (recall 0.67 at noise 0.3
    here); copies as far apart as real neighbouring passages keep the graph's job realistic.
    """
    return float(np.sqrt(max(1.0 / max(cosine, 1e-3) - 1.0, 0.0)))


def noisy_rows(vectors: np.ndarray, rows: int, noise: float, seed: int = 11) -> np.ndarray:
    """``rows`` unit vectors: passage ``i % n`` plus Gaussian noise of expected length ``noise``."""
    rng = np.random.default_rng(seed)
    n, dim = vectors.shape
    out = vectors[np.arange(rows) % n] + rng.normal(0.0, noise / np.sqrt(dim), size=(rows, dim)).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out.astype(np.float32)


# -- exact answers ------------------------------------------------------------------------------


def _half(a: np.ndarray) -> np.ndarray:
    """What ``::halfvec`` stores: each component rounded to float16 (then computed in float32)."""
    return a.astype(np.float16).astype(np.float32)


def exact_top10(rows: np.ndarray, queries: np.ndarray, *, half: bool) -> list[list[int]]:
    """Brute-force cosine top 10 (row positions) per query."""
    r = _half(rows) if half else rows
    q = _half(queries) if half else queries
    sims = (q @ r.T) / np.outer(np.linalg.norm(q, axis=1), np.linalg.norm(r, axis=1))
    top = np.argpartition(-sims, 10, axis=1)[:, :10]
    return [[int(j) for j in t] for t in top]


def recall(found: list[list[int]], exact: list[list[int]]) -> float:
    return statistics.mean(len(set(f) & set(e)) / 10 for f, e in zip(found, exact, strict=True))


def literal(vec: Sequence[float] | np.ndarray) -> str:
    """The query vector as SearchService writes it."""
    return "[" + ",".join(f"{float(x):.6g}" for x in vec) + "]"


def padded(vec: np.ndarray) -> np.ndarray:
    out = np.zeros(EMBEDDING_DIMENSIONS, dtype=np.float32)
    out[: vec.shape[0]] = vec
    return out


# -- building a project -------------------------------------------------------------------------


async def make_project(services: Services, sources: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    user = await services.accounts.ensure_local_user()
    project = await services.projects.create(user.id, "Search bench")
    source_ids = [uuid.uuid4() for _ in range(sources)]
    async with services.db.session() as s:
        await s.execute(
            insert(SourceMaterial),
            [
                {
                    "id": sid,
                    "project_id": project.id,
                    "material_type": MaterialType.TEXT,
                    "processing_status": ProcessingStatus.READY,
                    "title": f"Source {k}",
                    "s3_bucket": "local",
                    "s3_key": f"bench/{k}.txt",
                }
                for k, sid in enumerate(source_ids)
            ],
        )
    return project.id, source_ids


def copy_chunks(
    server: BenchServer,
    database: str,
    project_id: uuid.UUID,
    source_ids: list[uuid.UUID],
    contents: Sequence[str],
    vectors: np.ndarray,
    model: str,
) -> list[uuid.UUID]:
    """Binary COPY (the search_vector trigger still fires per row); returns the row ids in order."""
    from pgvector.psycopg import register_vector

    ids = [uuid.uuid4() for _ in range(len(contents))]
    per_source = -(-len(contents) // len(source_ids))
    with server.admin(database) as conn:
        register_vector(conn)
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY content_chunks (id, project_id, source_material_id, chunk_index, content, token_count, "
                "embedding, embedding_model) FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            copy.set_types(["uuid", "uuid", "uuid", "int4", "text", "int4", "vector", "varchar"])
            for i, (body, vec) in enumerate(zip(contents, vectors, strict=True)):
                copy.write_row(
                    (
                        ids[i],
                        project_id,
                        source_ids[i // per_source],
                        i % per_source,
                        body,
                        len(body.split()) * 4 // 3,
                        padded(vec),
                        model,
                    )
                )
    return ids


def bulk_load(
    server: BenchServer,
    database: str,
    project_id: uuid.UUID,
    source_ids: list[uuid.UUID],
    contents: Sequence[str],
    vectors: np.ndarray,
    model: str,
) -> list[uuid.UUID]:
    """``copy_chunks`` at 100k scale, 3x faster, ending in the same state: the full-text trigger
    and GIN index are set aside during the COPY, each distinct passage's ``to_tsvector`` (the
    trigger's own expression) is computed once and filled in, then both come back."""
    with server.admin(database) as conn:
        row = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_content_chunks_search_vector'"
        ).fetchone()
        assert row is not None, "the full-text index is missing"
        conn.execute("DROP INDEX ix_content_chunks_search_vector")
        conn.execute("ALTER TABLE content_chunks DISABLE TRIGGER content_chunks_search_vector")
    ids = copy_chunks(server, database, project_id, source_ids, contents, vectors, model)
    with server.admin(database) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute(
            "UPDATE content_chunks c SET search_vector = p.tsv FROM ("
            "  SELECT content, to_tsvector('english'::regconfig, content) AS tsv"
            "  FROM (SELECT DISTINCT content FROM content_chunks) d"
            ") p WHERE c.content = p.content"
        )
        conn.execute("ALTER TABLE content_chunks ENABLE TRIGGER content_chunks_search_vector")
        conn.execute(row[0])
        conn.execute("VACUUM ANALYZE content_chunks")
    return ids
