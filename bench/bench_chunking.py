"""Chunking a whole book: ``core.chunking.chunk_segments`` over Moby-Dick (1.2 MB).

Target: well under 0.5 s, since it runs inside every import. The peer is the least any
chunker must do: a greedy join of blank-line paragraphs up to ~4,000 characters (no
sentences, no overlap, no token estimate), so the ratio is what the sentence-aware
splitting, overlap and offsets cost on top.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bench.common import CORPUS_DIR, Metric, median_ms
from ghostline_desktop.core.chunking import chunk_segments

RUNS = 7


@dataclass(frozen=True)
class _Segment:
    text: str
    page: int | None = None
    section: str | None = None


def _naive(text: str, size: int = 4000) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    length = 0
    for para in re.split(r"\n\s*\n", text):
        if current and length + len(para) > size:
            chunks.append("\n\n".join(current))
            current, length = [], 0
        current.append(para)
        length += len(para)
    if current:
        chunks.append("\n\n".join(current))
    return chunks


def run() -> list[Metric]:
    text = (CORPUS_DIR / "melville-moby-dick.txt").read_text(encoding="utf-8")
    segments = [_Segment(text)]
    ours = median_ms(lambda: len(chunk_segments(segments)) and None, RUNS)
    peer = median_ms(lambda: len(_naive(text)) and None, RUNS)
    count = len(chunk_segments(segments))
    print(f"  {count} chunks of ~1,000 tokens")
    return [
        Metric("moby_dick_chunking_ms", ours, unit="ms", target=500, peer_name="naive paragraph join", peer_value=peer),
        Metric("moby_dick_chunks", float(count), unit="chunks", better="higher"),
    ]
