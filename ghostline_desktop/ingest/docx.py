"""Word documents: paragraphs, headings (as sections), tables and footnotes.

python-docx opens the package (content types, relationships, a stand-in styles part when the
file has none); the text itself is read by walking the XML here, because python-docx's
``Paragraph.text`` skips runs inside tracked insertions, content controls, smart tags and
simple fields, all common in real documents.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ghostline_desktop.ingest.base import Extraction, ExtractionError, Segment, build_extraction
from ghostline_desktop.ingest.files import check_zip

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_P, _TBL, _TR, _TC, _T = _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("t")
_TAB, _PTAB, _BR, _CR = _w("tab"), _w("ptab"), _w("br"), _w("cr")
_NB_HYPHEN, _FOOTREF, _ENDREF = _w("noBreakHyphen"), _w("footnoteReference"), _w("endnoteReference")
# Subtrees with no visible text of their own: properties, deleted text, the fallback copy of
# a text box (its mc:Choice twin is read instead), and field instructions.
_SKIP = frozenset(
    {
        _w("pPr"), _w("rPr"), _w("del"), _w("moveFrom"), _w("instrText"), _w("tblPr"), _w("trPr"), _w("tcPr"),
        _w("sectPr"), f"{{{_MC}}}Fallback",
    }
)  # fmt: skip
# Block containers whose children are paragraphs and tables (content controls, custom XML).
_CONTAINERS = frozenset({_w("sdt"), _w("sdtContent"), _w("customXml"), _w("ins"), _w("moveTo")})
_HEADING_NAME = re.compile(r"^(heading\s*\d|title|subtitle)$", re.IGNORECASE)
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_MACRO_TYPES = re.compile(
    rb"application/vnd\.ms-word\.(?:document\.macroEnabled|template\.macroEnabledTemplate)\.main\+xml"
    rb"|application/vnd\.openxmlformats-officedocument\.wordprocessingml\.template\.main\+xml"
)


def extract_docx(path: str | Path) -> Extraction:
    names = check_zip(path, "a Word document")
    if "word/document.xml" not in names and not any(name.endswith("document.xml") for name in names):
        raise ExtractionError("is not a Word document (it has no document part)", "corrupt")
    document = _load(path)
    headings = _heading_styles(document)

    segments: list[Segment] = []
    paragraphs: list[str] = []
    section: str | None = None
    for kind, element in _blocks(document.element.body):
        if kind == "table":
            table = _table_text(element)
            if table:
                paragraphs.append(table)
            continue
        text = _paragraph_text(element).strip()
        if not text:
            continue
        if _is_heading(element, headings):
            if paragraphs:
                segments.append(Segment("\n\n".join(paragraphs), section=section))
            paragraphs = []
            section = " ".join(text.split())
        paragraphs.append(text)
    if paragraphs:
        segments.append(Segment("\n\n".join(paragraphs), section=section))

    metadata: dict[str, Any] = {}
    for part, label in (("word/footnotes.xml", "Footnotes"), ("word/endnotes.xml", "Endnotes")):
        if part in names:
            notes = _notes(path, part)
            if notes:
                segments.append(Segment("\n".join(notes), section=label))
                metadata[label.lower()] = len(notes)
    try:
        title = (document.core_properties.title or "").strip()
    except Exception:  # a broken docProps/core.xml is no reason to lose the text
        title = ""
    if title:
        metadata["title"] = title
    return build_extraction(segments, metadata)


def _load(path: str | Path) -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(str(path))
    except ValueError as exc:
        if "is not a Word file" not in str(exc):
            raise ExtractionError(f"is a damaged Word document ({exc})", "corrupt") from exc
        # Macro-enabled documents and templates (.docm, .dotx) differ only in their content
        # type; python-docx refuses them, so read them as a plain document in memory.
        return _load_repaired(path)
    except KeyError as exc:
        if "There is no item named" not in str(exc):
            raise ExtractionError(f"is a damaged Word document ({exc})", "corrupt") from exc
        # A relationship to a part that is not in the file (tools that strip styles.xml or
        # images often leave the link): python-docx gives up, Word does not. Drop the link.
        return _load_repaired(path)
    except PackageNotFoundError as exc:
        raise ExtractionError("is not a Word document (it is not a ZIP container)", "corrupt") from exc
    except (zipfile.BadZipFile, OSError, SyntaxError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
        raise ExtractionError(f"is a damaged Word document ({exc})", "corrupt") from exc


def _load_repaired(path: str | Path) -> Any:
    import docx

    try:
        return docx.Document(_repaired(path))
    except Exception as exc:
        detail = str(exc).strip() or type(exc).__name__
        raise ExtractionError(f"is a damaged Word document ({detail})", "corrupt") from exc


def _repaired(path: str | Path) -> io.BytesIO:
    """An in-memory copy python-docx accepts: the main part typed as a plain document, and no
    relationships to parts the file does not have."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = set(source.namelist())
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = _MACRO_TYPES.sub(_WORD_MAIN.encode(), data)
            elif info.filename.endswith(".rels"):
                data = _drop_dangling(info.filename, data, names)
            target.writestr(info, data)
    out.seek(0)
    return out


def _drop_dangling(rels_name: str, data: bytes, names: set[str]) -> bytes:
    # "word/_rels/document.xml.rels" describes "word/document.xml": targets are relative to "word/".
    base = posixpath.dirname(posixpath.dirname(rels_name))

    def keep(match: re.Match[bytes]) -> bytes:
        element = match.group(0)
        if b'TargetMode="External"' in element:
            return element
        target = re.search(rb'Target="([^"]*)"', element)
        if target is None:
            return element
        href = target.group(1).decode("utf-8", "replace")
        resolved = href.lstrip("/") if href.startswith("/") else posixpath.normpath(posixpath.join(base, href))
        return element if resolved in names else b""

    return re.sub(rb"<Relationship\b[^>]*/>", keep, data)


def _heading_styles(document: Any) -> set[str]:
    """Ids of paragraph styles that are headings: by their (English, built-in) name, which Word
    keeps even in localised documents, or by an outline level."""
    ids: set[str] = set()
    try:
        styles = document.styles.element
    except Exception:
        return ids
    for style in styles.iterchildren(_w("style")):
        style_id = style.get(_w("styleId")) or ""
        name = style.find(_w("name"))
        name_value = name.get(_w("val")) if name is not None else ""
        outline = style.find(f"{_w('pPr')}/{_w('outlineLvl')}")
        if _HEADING_NAME.match(name_value or "") or (outline is not None and outline.get(_w("val")) != "9"):
            ids.add(style_id)
    return ids


def _is_heading(paragraph: Any, heading_ids: set[str]) -> bool:
    properties = paragraph.find(_w("pPr"))
    if properties is None:
        return False
    outline = properties.find(_w("outlineLvl"))
    if outline is not None and outline.get(_w("val")) != "9":
        return True
    style = properties.find(_w("pStyle"))
    if style is None:
        return False
    style_id = style.get(_w("val")) or ""
    return style_id in heading_ids or _HEADING_NAME.match(style_id) is not None


def _blocks(container: Any) -> Iterator[tuple[str, Any]]:
    """Paragraphs and tables in reading order, looking inside content controls."""
    for child in container.iterchildren():
        tag = child.tag
        if tag == _P:
            yield "paragraph", child
        elif tag == _TBL:
            yield "table", child
        elif tag in _CONTAINERS:
            yield from _blocks(child)


def _paragraph_text(element: Any) -> str:
    parts: list[str] = []
    _collect(element, parts)
    return "".join(parts)


def _collect(element: Any, parts: list[str]) -> None:
    for child in element.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue  # comments and processing instructions have a non-string tag
        if tag == _T:
            if child.text:
                parts.append(child.text)
        elif tag in (_TAB, _PTAB):
            parts.append("\t")
        elif tag in (_BR, _CR):
            parts.append("\n")
        elif tag == _NB_HYPHEN:
            parts.append("-")
        elif tag in (_FOOTREF, _ENDREF):
            parts.append(f"[{child.get(_w('id'))}]")
        else:
            if tag == _P and parts and not parts[-1].endswith("\n"):
                parts.append("\n")  # a paragraph nested in a text box or table cell
            _collect(child, parts)


def _table_text(table: Any) -> str:
    """One line per row, cells separated by tabs; a cell's own paragraphs joined by spaces so
    the row stays one line."""
    lines: list[str] = []
    for row in table.iter(_TR):
        if _nearest_table(row) is not table:
            continue  # rows of a nested table are read as part of their cell
        cells = []
        for cell in row.iterchildren(_TC):
            parts: list[str] = []
            _collect(cell, parts)
            cells.append(" ".join("".join(parts).split()))
        if any(cells):
            lines.append("\t".join(cells).rstrip("\t"))
    return "\n".join(lines)


def _nearest_table(row: Any) -> Any:
    parent = row.getparent()
    while parent is not None and parent.tag != _TBL:
        parent = parent.getparent()
    return parent


def _notes(path: str | Path, part: str) -> list[str]:
    """Footnote or endnote texts, "[id] text", skipping Word's separator notes."""
    from docx.oxml.parser import parse_xml

    try:
        with zipfile.ZipFile(path) as archive:
            root = parse_xml(archive.read(part))
    except Exception:  # a broken notes part must not lose the body text
        return []
    notes = []
    for note in root.iterchildren():
        if note.get(_w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        parts: list[str] = []
        for paragraph in note.iter(_P):
            text = _paragraph_text(paragraph).strip()
            if text:
                parts.append(text)
        if parts:
            notes.append(f"[{note.get(_w('id'))}] " + " ".join(parts))
    return notes
