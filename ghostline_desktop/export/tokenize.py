"""Chapter Markdown → manuscript tokens, once per export.

Why Markdown → HTML → tokens rather than a Markdown parser of our own: the ``markdown``
package is the reference the editor's preview and the issue name, and going through its HTML
lets one sanitiser see *everything* an author or a model typed, raw HTML included. ``nh3``
(ammonia) cleans that HTML first — ``<script>``/``<style>`` with their content, event
handlers, ``javascript:`` URLs and anything that loads from outside are gone — and the
tokeniser below keeps only the structure a book has (paragraphs, emphasis, headings, scene
breaks, quotes, lists). Renderers then write from tokens with their own escaping, so no
author-supplied markup ever reaches an output file verbatim.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown  # type: ignore[import-untyped]
import nh3

from ghostline_desktop.core.words import count_words
from ghostline_desktop.export.model import (
    Block,
    ChapterDoc,
    Emph,
    FrontMatter,
    Heading,
    Inline,
    LineBreak,
    ListBlock,
    Manuscript,
    Paragraph,
    Quote,
    SceneBreak,
    SourceChapter,
    Strong,
    Text,
    plain,
)

_ALLOWED = {
    "p", "br", "hr", "em", "i", "strong", "b", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "ul", "ol", "li", "span", "div", "code", "a", "center", "cite", "u", "small", "sup", "sub",
}  # fmt: skip
# A paragraph that is only an ornament is a scene break ("* * *", "#", "~", "⁂", "§").
_BREAK_RE = re.compile(r"^[\s*#~⁂§•·–—\-=_+❦]{1,15}$")
_NUMBER_TITLE_RE = re.compile(
    r"^(?:(?:chapter|ch\.|part|book)\s+)?(?:[ivxlcdm]+|\d+|one|two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven|twelve)\.?$",
    re.I,
)
_WS = re.compile(r"\s+")
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "hr", "div", "center"}


class _Node:
    __slots__ = ("children", "tag")

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.children: list[_Node | str] = []


class _TreeBuilder(HTMLParser):
    """Sanitised HTML → a small tree (tags already limited by nh3)."""

    _VOID = frozenset({"br", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag)
        self.stack[-1].children.append(node)
        if tag not in self._VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _inlines(node: _Node) -> list[Inline]:
    out: list[Inline] = []
    for child in node.children:
        if isinstance(child, str):
            text = _WS.sub(" ", child)
            if text:
                out.append(Text(text))
        elif child.tag == "br":
            out.append(LineBreak())
        elif child.tag in ("em", "i", "cite"):
            out.append(Emph(tuple(_inlines(child))))
        elif child.tag in ("strong", "b"):
            out.append(Strong(tuple(_inlines(child))))
        else:  # span, a, code, u, small…: keep the words, drop the markup
            out.extend(_inlines(child))
    return _merge(out)


def _merge(items: list[Inline]) -> list[Inline]:
    """Join adjacent text runs and trim the ends of a block."""
    out: list[Inline] = []
    for item in items:
        if isinstance(item, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + item.text)
        else:
            out.append(item)
    return out


def _trim(items: list[Inline]) -> tuple[Inline, ...]:
    if items and isinstance(items[0], Text):
        items[0] = Text(items[0].text.lstrip())
    if items and isinstance(items[-1], Text):
        items[-1] = Text(items[-1].text.rstrip())
    while items and isinstance(items[-1], LineBreak):
        items.pop()
    return tuple(i for i in items if not (isinstance(i, Text) and not i.text))


def _blocks(node: _Node) -> list[Block]:
    out: list[Block] = []
    loose: list[_Node | str] = []

    def flush() -> None:
        if loose:
            holder = _Node("p")
            holder.children = list(loose)
            loose.clear()
            para = _paragraph(holder)
            if para is not None:
                out.append(para)

    for child in node.children:
        if isinstance(child, str) or child.tag not in _BLOCK_TAGS:
            if isinstance(child, str) and not child.strip() and not loose:
                continue
            loose.append(child)
            continue
        flush()
        tag = child.tag
        if tag == "p":
            para = _paragraph(child)
            if para is not None:
                out.append(para)
        elif tag == "hr":
            out.append(SceneBreak())
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            inl = _trim(_inlines(child))
            text = plain(inl).strip()
            if not text or _BREAK_RE.match(text):
                out.append(SceneBreak())  # "#" alone on a line: a scene break, not an empty heading
            else:
                out.append(Heading(min(4, max(2, int(tag[1]) + 1)), inl))
        elif tag == "blockquote":
            paras = tuple(b for b in _blocks(child) if isinstance(b, Paragraph))
            if paras:
                out.append(Quote(paras))
        elif tag in ("ul", "ol"):
            items = tuple(_trim(_inlines(li)) for li in child.children if isinstance(li, _Node) and li.tag == "li")
            if items:
                out.append(ListBlock(tag == "ol", items))
        elif tag == "center":
            para = _paragraph(child)
            if para is not None:
                out.append(Paragraph(para.inlines, "center") if isinstance(para, Paragraph) else para)
        else:  # div, stray li
            out.extend(_blocks(child))
    flush()
    return out


def _paragraph(node: _Node) -> Paragraph | SceneBreak | None:
    inl = _trim(_inlines(node))
    if not inl:
        return None
    if _BREAK_RE.match(plain(inl).strip()):
        return SceneBreak()
    return Paragraph(inl)


_md = markdown.Markdown(extensions=["smarty"], output_format="html")


_DOUBLE_HYPHEN = re.compile(r"(?<!-)--(?!-)")


def markdown_blocks(text: str) -> list[Block]:
    """One chapter's (or front-matter field's) Markdown as blocks."""
    _md.reset()
    # "word--word" is a typewriter em dash (Gutenberg, manuscripts); smarty would make it an en dash.
    html = _md.convert(_DOUBLE_HYPHEN.sub("—", text or ""))
    clean = nh3.clean(html, tags=_ALLOWED, attributes={}, url_schemes=set(), strip_comments=True)
    builder = _TreeBuilder()
    builder.feed(clean)
    builder.close()
    blocks = _blocks(builder.root)
    # Scene breaks only separate text: none at either end, never two in a row.
    tidy: list[Block] = []
    for b in blocks:
        if isinstance(b, SceneBreak) and (not tidy or isinstance(tidy[-1], SceneBreak)):
            continue
        tidy.append(b)
    while tidy and isinstance(tidy[-1], SceneBreak):
        tidy.pop()
    return tidy


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).strip().casefold()


def chapter_doc(number: int, source: SourceChapter) -> ChapterDoc:
    blocks = markdown_blocks(source.text)
    title = " ".join(source.title.split()) or f"Chapter {number}"
    subtitle: str | None = None
    # A chapter whose text repeats its title as a first heading (imported books) keeps one.
    if blocks and isinstance(blocks[0], Heading) and _key(plain(blocks[0].inlines)) == _key(title):
        blocks = blocks[1:]
    # A second-level heading before any text is the chapter's subtitle.
    if blocks and isinstance(blocks[0], Heading):
        subtitle = plain(blocks[0].inlines).strip()
        blocks = blocks[1:]
    return ChapterDoc(
        number=number,
        title=title,
        blocks=tuple(blocks),
        subtitle=subtitle,
        words=count_words(source.text),
        title_is_number=bool(_NUMBER_TITLE_RE.match(title)),
    )


def build_manuscript(front: FrontMatter, chapters: list[SourceChapter]) -> Manuscript:
    """The manuscript model for one export (pure; runs in the process pool for a whole book)."""

    def matter(text: str | None) -> tuple[Block, ...]:
        return tuple(markdown_blocks(text)) if text and text.strip() else ()

    return Manuscript(
        title=" ".join(front.title.split()) or "Untitled",
        author=" ".join(front.author.split()),
        subtitle=(front.subtitle or "").strip() or None,
        language=front.language or "en",
        identifier=front.identifier,
        date=front.date,
        toc=front.toc,
        dedication=matter(front.dedication),
        copyright=matter(front.copyright),
        about_author=matter(front.about_author),
        cover=front.cover,
        cover_media_type=front.cover_media_type,
        chapters=tuple(chapter_doc(i, c) for i, c in enumerate(chapters, start=1)),
    )
