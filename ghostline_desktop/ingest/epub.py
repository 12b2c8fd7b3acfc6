"""EPUB: chapters in spine (reading) order, each a section named by its table-of-contents
entry, or failing that its first heading or its <title>."""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from typing import Any

from ghostline_desktop.ingest.base import Extraction, ExtractionError, Segment, build_extraction
from ghostline_desktop.ingest.files import check_zip
from ghostline_desktop.ingest.html import html_to_text


def extract_epub(path: str | Path) -> Extraction:
    check_zip(path, "an EPUB book")
    book = _read(path)
    toc = _toc_titles(book.toc)
    segments: list[Segment] = []
    chapters = 0
    for entry in book.spine:
        item_id = entry[0] if isinstance(entry, (tuple, list)) else entry
        item = book.get_item_with_id(item_id)
        if item is None or _is_navigation(item):
            continue  # a spine entry pointing at nothing, or the table of contents page
        try:
            content = item.get_content()
        except (KeyError, OSError, zipfile.BadZipFile):
            continue
        markup = _decode(content)
        result = html_to_text(markup)
        if not result.segments:
            continue
        chapters += 1
        name = item.get_name() or ""
        title = toc.get(name) or toc.get(posixpath.basename(name)) or result.first_heading or result.title
        for segment in result.segments:
            # Inside a chapter, a sub-heading is a finer position than the chapter title.
            section = segment.section if segment.section and segment.section != result.first_heading else title
            segments.append(Segment(segment.text, section=section or title))
    metadata: dict[str, Any] = {"chapters": chapters}
    title = _metadata_title(book)
    if title:
        metadata["title"] = title
    return build_extraction(segments, metadata)


def _is_navigation(item: Any) -> bool:
    import ebooklib
    from ebooklib import epub

    return (
        isinstance(item, epub.EpubNav)
        or item.get_type() == ebooklib.ITEM_NAVIGATION
        or "nav" in (getattr(item, "properties", None) or ())
    )


def _read(path: str | Path) -> Any:
    import ebooklib.epub as epub

    try:
        # ignore_ncx: the EPUB 3 nav document is preferred; the NCX is still read when it is all there is.
        return epub.read_epub(str(path), {"ignore_ncx": True})
    except epub.EpubException as exc:
        raise ExtractionError(f"is not a readable EPUB book ({exc.msg})", "corrupt") from exc
    except Exception as exc:  # ebooklib raises bare KeyError/AttributeError/lxml errors on broken books
        detail = str(exc).strip() or type(exc).__name__
        raise ExtractionError(f"is a damaged EPUB book ({detail})", "corrupt") from exc


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    for encoding in ("utf-8", "utf-16"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("cp1252", "replace")


def _toc_titles(toc: Any) -> dict[str, str]:
    """Map each chapter file (href without fragment) to its first table-of-contents title."""
    titles: dict[str, str] = {}

    def walk(entries: Any) -> None:
        for entry in entries or ():
            if isinstance(entry, (tuple, list)) and entry:
                walk([entry[0]])
                if len(entry) > 1:
                    walk(entry[1])
                continue
            href = getattr(entry, "href", "") or ""
            title = " ".join(str(getattr(entry, "title", "") or "").split())
            if href and title:
                titles.setdefault(href.split("#", 1)[0], title)

    walk(toc)
    return titles


def _metadata_title(book: Any) -> str | None:
    try:
        values = book.get_metadata("DC", "title")
    except Exception:
        return None
    for value in values or ():
        text = value[0] if isinstance(value, (tuple, list)) else value
        if text and str(text).strip():
            return str(text).strip()
    return None
