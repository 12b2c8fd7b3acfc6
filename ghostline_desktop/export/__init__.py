"""Exporting a manuscript: one model (``model``/``tokenize``), one renderer per format.

``export_book`` is what the EXPORT job runs in the process pool: build the manuscript once,
render it in the asked format, return the bytes.
"""

from __future__ import annotations

from ghostline_desktop.export.model import FrontMatter, Manuscript, RenderOptions, SourceChapter

#: Format key (ExportFormat member name) → file extension.
EXTENSIONS = {"PDF": "pdf", "DOCX": "docx", "EPUB": "epub", "MARKDOWN": "md", "HTML": "html"}
MEDIA_TYPES = {
    "PDF": "application/pdf",
    "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "EPUB": "application/epub+zip",
    "MARKDOWN": "text/markdown",
    "HTML": "text/html",
}


def render(m: Manuscript, fmt: str, options: RenderOptions | None = None) -> bytes:
    """The manuscript as a file of format ``fmt`` (a key of :data:`EXTENSIONS`)."""
    options = options or RenderOptions()
    if fmt == "PDF":
        from ghostline_desktop.export.render_pdf import render_pdf

        return render_pdf(m, options)
    if fmt == "DOCX":
        from ghostline_desktop.export.render_docx import render_docx

        return render_docx(m, options)
    if fmt == "EPUB":
        from ghostline_desktop.export.render_epub import render_epub

        return render_epub(m)
    if fmt == "MARKDOWN":
        from ghostline_desktop.export.render_markdown import render_markdown

        return render_markdown(m)
    if fmt == "HTML":
        from ghostline_desktop.export.render_html import render_html

        return render_html(m)
    raise ValueError(f"unknown export format {fmt!r}")


def export_book(front: FrontMatter, chapters: list[SourceChapter], fmt: str, options: RenderOptions) -> bytes:
    """Build the manuscript once and render it (top-level: runs in the process pool)."""
    from ghostline_desktop.export.tokenize import build_manuscript

    return render(build_manuscript(front, chapters), fmt, options)
