"""Plain text, Markdown and notes: decode in whatever encoding the file was saved in."""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from ghostline_desktop.core.text_files import TextDecodeProblem, guess_decode
from ghostline_desktop.core.unwrap import unwrap
from ghostline_desktop.ingest.base import Extraction, ExtractionError, Segment, build_extraction
from ghostline_desktop.ingest.files import read_bytes

# An ATX heading ("# Title" … "###### Title"); setext headings are rare in authors' notes.
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_FENCE = re.compile(r"^ {0,3}(?:```|~~~)", re.MULTILINE)


def decode_file(path: str | Path) -> tuple[str, str]:
    """The file's text with newlines normalised, and the encoding it was read in."""
    data = read_bytes(path)
    try:
        decoded = guess_decode(data)
    except TextDecodeProblem as exc:
        raise ExtractionError(f"is not text ({exc})", "unsupported") from exc
    text = decoded.text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, decoded.encoding


def extract_text(path: str | Path, *, markdown: bool = False) -> Extraction:
    """The file as one segment; a hard-wrapped file (a Project Gutenberg book) has its
    paragraphs joined into one line each, so chunks and excerpts read as prose
    (``core.unwrap``; verse and, with ``markdown``, Markdown structure keep their lines)."""
    text, encoding = decode_file(path)
    if not text.strip():
        raise ExtractionError("holds only blank space", "empty")
    return build_extraction([Segment(unwrap(text.strip("\n"), markdown=markdown))], {"encoding": encoding})


def extract_markdown(path: str | Path) -> Extraction:
    """Markdown keeps its markup (it is the author's own text); headings become sections so a
    search hit can say where in the notes it was found."""
    text, encoding = decode_file(path)
    if not text.strip():
        raise ExtractionError("holds only blank space", "empty")
    text = unwrap(text, markdown=True)
    fences = [m.start() for m in _FENCE.finditer(text)]
    segments: list[Segment] = []
    section: str | None = None
    start = 0
    for match in _MD_HEADING.finditer(text):
        # A "# comment" line inside a ``` block is code, not a heading.
        if bisect.bisect_left(fences, match.start()) % 2 == 1:
            continue
        segments.append(Segment(text[start : match.start()].strip("\n"), section=section))
        section = match.group(1).strip()
        start = match.start()
    segments.append(Segment(text[start:].strip("\n"), section=section))
    return build_extraction(segments, {"encoding": encoding})
