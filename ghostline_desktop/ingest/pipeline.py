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
from ghostline_desktop.ingest.pdf import PdfPart, finish_pdf, open_pdf, page_count, read_pages


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


# A big PDF is read by every pool worker at once, a run of pages each (pypdf is pure Python:
# one process per core is the only way to use them); small ones are not worth the extra opens.
PARALLEL_PDF_PAGES = 40


def pdf_pages(path: str, password: str | None = None) -> int:
    return page_count(open_pdf(path, password), path)


def pdf_part(path: str, password: str | None, start: int, stop: int) -> PdfPart:
    return read_pages(open_pdf(path, password), start, stop)


def pdf_finish_and_chunk(path: str, password: str | None, parts: list[PdfPart]) -> Prepared:
    reader = open_pdf(path, password)
    extraction = finish_pdf(reader, page_count(reader, path), parts)
    return Prepared(extraction.text, dict(extraction.metadata), chunk_segments(extraction.segments))


def page_ranges(count: int, parts: int) -> list[tuple[int, int]]:
    """``count`` pages in ``parts`` contiguous runs of near-equal size."""
    parts = max(1, min(parts, count))
    bounds = [round(i * count / parts) for i in range(parts + 1)]
    return [(bounds[i], bounds[i + 1]) for i in range(parts)]
