"""What one process-pool worker does for a stored file: extract, then chunk.

Both steps hold the GIL (pypdf, python-docx and the chunker are pure Python), so they run
together in the worker and only the result crosses back: the text, its metadata and the chunks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ghostline_desktop.core.chunking import Chunk, chunk_segments
from ghostline_desktop.ingest import extract
from ghostline_desktop.ingest.base import Segment


@dataclass(frozen=True)
class Prepared:
    text: str
    metadata: dict[str, Any]
    chunks: list[Chunk]


def extract_and_chunk(path: str, material_type_name: str, password: str | None = None) -> Prepared:
    extraction = extract(path, material_type_name, password)
    return Prepared(extraction.text, dict(extraction.metadata), chunk_segments(extraction.segments))


def chunk_text(text: str, section: str | None = None) -> Prepared:
    """Text that is already known (a note typed in the app, a transcription)."""
    segments = [Segment(text=text, section=section)] if text.strip() else []
    return Prepared(text, {}, chunk_segments(segments))
