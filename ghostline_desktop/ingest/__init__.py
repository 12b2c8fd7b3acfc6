"""Pure extractors: a stored file in, text with positions out (one module per material type).

No database, no Qt, no services: ``extract`` runs inside a process-pool worker, so it and
everything it returns or raises must pickle. Import-light on purpose: each extractor imports
its parsing library only when called, so a worker pays only for the formats it sees.
"""

from __future__ import annotations

from pathlib import Path

from ghostline_desktop.ingest.audio import audio_duration, split_audio
from ghostline_desktop.ingest.base import Extraction, ExtractionError, PasswordRequired, Segment
from ghostline_desktop.ingest.sniff import sniff_material

__all__ = [
    "Extraction",
    "ExtractionError",
    "PasswordRequired",
    "Segment",
    "audio_duration",
    "extract",
    "ocr_image_bytes",
    "sniff_material",
    "split_audio",
]


def extract(path: str, material_type_name: str, password: str | None = None) -> Extraction:
    """Extract the text of the file at ``path`` as the ``MaterialType`` member named
    ``material_type_name`` (a name, not the enum, so the call pickles cheaply). ``password``
    only matters for encrypted PDFs. Raises ``ExtractionError`` with an author-readable message."""
    from ghostline_desktop.ingest.files import file_size

    file_size(path)  # missing or zero-byte files fail the same way for every type
    kind = material_type_name.upper()
    if kind == "PDF":
        from ghostline_desktop.ingest.pdf import extract_pdf

        return extract_pdf(path, password)
    if kind == "DOCX":
        from ghostline_desktop.ingest.docx import extract_docx

        return extract_docx(path)
    if kind in ("TEXT", "NOTE"):
        from ghostline_desktop.ingest.text import extract_text

        return extract_text(path)
    if kind == "MARKDOWN":
        from ghostline_desktop.ingest.text import extract_markdown

        return extract_markdown(path)
    if kind == "EPUB":
        from ghostline_desktop.ingest.epub import extract_epub

        return extract_epub(path)
    if kind == "HTML":
        from ghostline_desktop.ingest.html import extract_html

        return extract_html(path)
    if kind == "IMAGE":
        from ghostline_desktop.ingest.image import extract_image

        return extract_image(path)
    if kind in ("AUDIO", "VOICE_MEMO"):
        raise ExtractionError("is a recording; it is transcribed by the AI provider, not read here", "needs_provider")
    raise ExtractionError(f"is of a kind GhostLine cannot read ({material_type_name})", "unsupported")


def ocr_image_bytes(data: bytes) -> str:
    """Offline OCR of an encoded image (rapidocr-onnxruntime; models ship in the package)."""
    from ghostline_desktop.ingest.image import ocr_image_bytes as _ocr

    return _ocr(data)


def extract_path(path: Path, filename: str | None = None, password: str | None = None) -> Extraction:
    """Sniff then extract: for the CLI and tests, which have no stored material type."""
    return extract(str(path), sniff_material(path, filename).name, password)
