"""The one manuscript model every export renderer reads (DESIGN.md: "one pure manuscript model").

Built once per export by :func:`ghostline_desktop.export.tokenize.build_manuscript` from the
chapters' Markdown, then handed unchanged to one renderer per format — as novelWriter's build
pipeline feeds its HTML/ODT/DOCX writers from one tokenizer. Everything here is plain frozen
data (picklable: the export runs in the process pool) and knows nothing of files or formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# -- inline tokens -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emph:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class LineBreak:
    pass


Inline = Text | Emph | Strong | LineBreak

# -- block tokens --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]
    #: "body" (indented unless it follows a heading or break), "center" (an epigraph line).
    style: Literal["body", "center"] = "body"


@dataclass(frozen=True)
class Heading:
    """A heading inside a chapter (level 2..4); the chapter's own title is ``ChapterDoc.title``."""

    level: int
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class SceneBreak:
    pass


@dataclass(frozen=True)
class Quote:
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[tuple[Inline, ...], ...]


Block = Paragraph | Heading | SceneBreak | Quote | ListBlock


@dataclass(frozen=True)
class ChapterDoc:
    number: int  # 1-based position in this export
    title: str
    blocks: tuple[Block, ...]
    subtitle: str | None = None
    words: int = 0
    #: The title is only a number ("Chapter IV.", "12"): heading presets then print it once.
    title_is_number: bool = False


@dataclass(frozen=True)
class Manuscript:
    title: str
    author: str
    chapters: tuple[ChapterDoc, ...]
    subtitle: str | None = None
    language: str = "en"
    identifier: str = ""  # urn:uuid:… (EPUB dc:identifier)
    date: str = ""  # ISO date of the export (YYYY-MM-DD)
    toc: bool = True
    dedication: tuple[Block, ...] = ()
    copyright: tuple[Block, ...] = ()
    about_author: tuple[Block, ...] = ()
    cover: bytes | None = None  # PNG/JPEG bytes, EPUB only
    cover_media_type: str | None = None

    @property
    def words(self) -> int:
        return sum(c.words for c in self.chapters)


@dataclass(frozen=True)
class FrontMatter:
    """What the author typed in the export dialog (plain text or Markdown)."""

    title: str
    author: str
    subtitle: str | None = None
    language: str = "en"
    identifier: str = ""
    date: str = ""
    toc: bool = True
    dedication: str | None = None
    copyright: str | None = None
    about_author: str | None = None
    cover: bytes | None = None
    cover_media_type: str | None = None


@dataclass(frozen=True)
class SourceChapter:
    """A chapter as the service read it: title and Markdown text."""

    title: str
    text: str


@dataclass(frozen=True)
class RenderOptions:
    """Per-format options (each renderer reads the ones that concern it)."""

    # PDF
    trim: str = "6x9"  # one of export.pdf_layout.TRIMS
    heading_style: str = "classic"  # classic | modern | minimal
    chapters_on_right: bool = True
    # DOCX
    standard_manuscript: bool = False
    # extra knobs kept by name (forward compatible with stored job params)
    extra: dict[str, str] = field(default_factory=dict)


def plain(inlines: tuple[Inline, ...]) -> str:
    """The text of some inlines without markup (titles, TOC entries, metadata)."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, LineBreak):
            out.append(" ")
        else:
            out.append(plain(node.children))
    return "".join(out)
