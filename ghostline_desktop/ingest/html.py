"""HTML (and EPUB chapters): the readable text without markup, headings as sections.

The standard library's HTMLParser is forgiving about unclosed tags and decodes entities, which
is all text extraction needs; a DOM (lxml/bs4) would only add a dependency and memory.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ghostline_desktop.core.text_files import TextDecodeProblem, guess_decode
from ghostline_desktop.ingest.base import Extraction, ExtractionError, Segment, build_extraction
from ghostline_desktop.ingest.files import read_bytes

# Elements whose content is never prose.
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "math", "object", "iframe", "select"})
# What may stand in <head>; any other tag there means the author forgot </head>, and browsers
# start the body at it.
_HEAD_ONLY = frozenset({"title", "meta", "link", "style", "script", "base", "noscript", "template", "head", "html"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Elements that end one paragraph and start another.
_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "aside", "header", "footer", "nav", "main", "blockquote", "pre",
        "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "caption", "figure",
        "figcaption", "address", "hr", "form", "fieldset", "details", "summary", "body", "html", "center",
    }
)  # fmt: skip
_SPACE = re.compile(r"\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


@dataclass
class HtmlText:
    segments: list[Segment]
    title: str | None = None
    first_heading: str | None = None
    headings: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = HtmlText(segments=[])
        self._skip = 0  # depth inside _SKIP elements
        self._in_head = False  # head content is skipped, but not <title>
        self._in_title = False
        self._title: list[str] = []
        self._pre = 0
        self._heading: list[str] | None = None
        self._line: list[str] = []  # the paragraph being built
        self._paragraphs: list[str] = []  # finished paragraphs of the current section
        self._section: str | None = None

    # -- parser callbacks -------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._in_head and tag not in _HEAD_ONLY:
            self._in_head = False
        if tag == "title":
            self._in_title = True
        elif tag == "head":
            self._in_head = True
        elif tag in _SKIP:
            self._skip += 1
        elif self._skip:
            return
        elif tag in _HEADINGS:
            self._end_paragraph()
            self._heading = []
        elif tag == "br":
            self._line.append("\n")
        elif tag in ("td", "th"):
            if self._line and not self._line[-1].endswith(("\n", "\t")):
                self._line.append("\t")
        elif tag == "tr":
            self._new_line()
        elif tag in _BLOCKS:
            self._end_paragraph()
            if tag == "pre":
                self._pre += 1
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and alt.strip():
                self._data(f" {alt.strip()} ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/> and <img/> never get an end tag; treat them as start tags only.
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            self._in_head = False
        elif tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif self._skip:
            return
        elif tag in _HEADINGS:
            self._end_heading()
        elif tag == "tr":
            self._new_line()
        elif tag in _BLOCKS:
            self._end_paragraph()
            if tag == "pre":
                self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
        elif not self._skip and not self._in_head:
            self._data(data)

    # -- building ---------------------------------------------------------------------------
    def _data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        else:
            self._line.append(data if self._pre else _SPACE.sub(" ", data))

    def _new_line(self) -> None:
        if self._line and not self._line[-1].endswith("\n"):
            self._line.append("\n")

    def _end_paragraph(self) -> None:
        if self._heading is not None:
            self._end_heading()
        if not self._line:
            return
        raw = "".join(self._line)
        self._line = []
        if self._pre:
            text = raw.strip("\n")
        else:
            lines = (line.strip(" ") for line in raw.split("\n"))
            text = "\n".join(line for line in lines if line.strip())
        if text.strip():
            self._paragraphs.append(text)

    def _end_heading(self) -> None:
        words = _SPACE.sub(" ", "".join(self._heading or [])).strip()
        self._heading = None
        if not words:
            return
        self._end_section()
        self._section = words
        self._paragraphs.append(words)  # the heading stays in the text, as the reader saw it
        self.out.headings.append(words)
        if self.out.first_heading is None:
            self.out.first_heading = words

    def _end_section(self) -> None:
        if self._paragraphs:
            self.out.segments.append(Segment("\n\n".join(self._paragraphs), section=self._section))
            self._paragraphs = []

    def finish(self) -> HtmlText:
        self.close()
        self._end_paragraph()
        self._end_section()
        title = _SPACE.sub(" ", "".join(self._title)).strip()
        self.out.title = title or None
        return self.out


def html_to_text(markup: str) -> HtmlText:
    """Readable text of an HTML document: script/style dropped, entities decoded, blocks as
    paragraphs, each heading starting a new section."""
    collector = _Collector()
    collector.feed(markup)
    return collector.finish()


def decode_html(data: bytes) -> tuple[str, str]:
    """An HTML file's text: a BOM wins, then the charset the page declares, then a guess."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                encoding = codecs.lookup(declared.group(1).decode("ascii")).name
            except (LookupError, UnicodeDecodeError):
                encoding = ""
            if encoding and "16" not in encoding and "32" not in encoding:
                if encoding in ("iso8859-1", "ascii"):
                    encoding = "cp1252"  # what browsers do, per the HTML standard
                return data.decode(encoding, "replace"), encoding
    try:
        decoded = guess_decode(data)
    except TextDecodeProblem as exc:
        raise ExtractionError(f"is not a web page ({exc})", "unsupported") from exc
    return decoded.text, decoded.encoding


def extract_html(path: str | Path) -> Extraction:
    markup, encoding = decode_html(read_bytes(path))
    result = html_to_text(markup)
    metadata: dict[str, object] = {"encoding": encoding}
    if result.title:
        metadata["title"] = result.title
    return build_extraction(result.segments, metadata)
