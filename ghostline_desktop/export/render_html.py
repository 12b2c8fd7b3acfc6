"""HTML: one self-contained file (inline stylesheet, TOC links), and the XHTML pieces EPUB reuses.

Every string from the manuscript is escaped here; the tokens already passed nh3, so the
output carries no script, no event handler and nothing that loads from elsewhere. A
Content-Security-Policy meta tag says the same to the browser (``default-src 'none'``).
"""

from __future__ import annotations

from html import escape

from ghostline_desktop.export.model import (
    Block,
    ChapterDoc,
    Emph,
    Heading,
    Inline,
    LineBreak,
    ListBlock,
    Manuscript,
    Paragraph,
    Quote,
    SceneBreak,
    Strong,
    Text,
)
from ghostline_desktop.resources import resource_path

CSS_FILE = "export/book.css"
_FALLBACK_CSS = "body { font-family: Georgia, serif; }"


def book_css() -> str:
    path = resource_path(CSS_FILE)
    return path.read_text(encoding="utf-8") if path.exists() else _FALLBACK_CSS


def inlines_html(items: tuple[Inline, ...]) -> str:
    out: list[str] = []
    for node in items:
        if isinstance(node, Text):
            out.append(escape(node.text, quote=False))
        elif isinstance(node, LineBreak):
            out.append("<br/>")
        elif isinstance(node, Emph):
            out.append("<em>" + inlines_html(node.children) + "</em>")
        elif isinstance(node, Strong):
            out.append("<strong>" + inlines_html(node.children) + "</strong>")
    return "".join(out)


def blocks_html(blocks: tuple[Block, ...]) -> str:
    """Blocks as (X)HTML; the paragraph after a heading, break or quote gets class "first"
    (no indent), as in a printed book."""
    out: list[str] = []
    first = True
    for b in blocks:
        if isinstance(b, Paragraph):
            cls = ' class="center"' if b.style == "center" else (' class="first"' if first else "")
            out.append(f"<p{cls}>{inlines_html(b.inlines)}</p>")
            first = False
            continue
        if isinstance(b, SceneBreak):
            out.append('<hr class="scene-break"/>')
        elif isinstance(b, Heading):
            out.append(f"<h{b.level}>{inlines_html(b.inlines)}</h{b.level}>")
        elif isinstance(b, Quote):
            out.append(
                "<blockquote>" + "".join(f"<p>{inlines_html(p.inlines)}</p>" for p in b.paragraphs) + "</blockquote>"
            )
        elif isinstance(b, ListBlock):
            tag = "ol" if b.ordered else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{inlines_html(i)}</li>" for i in b.items) + f"</{tag}>")
        first = True
    return "\n".join(out)


def chapter_heading_html(ch: ChapterDoc) -> str:
    sub = f'<p class="subtitle">{escape(ch.subtitle)}</p>' if ch.subtitle else ""
    return f"<h1>{escape(ch.title)}</h1>{sub}"


def chapter_id(ch: ChapterDoc) -> str:
    return f"chapter-{ch.number}"


def render_html(m: Manuscript) -> bytes:
    lang = escape(m.language or "en")
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"/>",
        f"<title>{escape(m.title)}</title>",
        f'<meta name="author" content="{escape(m.author)}"/>',
        f"<style>\n{book_css()}\n</style>",
        "</head>",
        "<body>",
        '<section class="title-page">',
        f'<h1 class="book-title">{escape(m.title)}</h1>',
    ]
    if m.subtitle:
        parts.append(f'<p class="book-subtitle">{escape(m.subtitle)}</p>')
    if m.author:
        parts.append(f'<p class="book-author">{escape(m.author)}</p>')
    parts.append("</section>")
    if m.copyright:
        parts.append(f'<section class="copyright">{blocks_html(m.copyright)}</section>')
    if m.dedication:
        parts.append(f'<section class="dedication">{blocks_html(m.dedication)}</section>')
    if m.toc and m.chapters:
        items = "".join(f'<li><a href="#{chapter_id(c)}">{escape(c.title)}</a></li>' for c in m.chapters)
        parts.append(f'<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>{items}</ol></nav>')
    for ch in m.chapters:
        body = f"{chapter_heading_html(ch)}\n{blocks_html(ch.blocks)}"
        parts.append(f'<section class="chapter" id="{chapter_id(ch)}">{body}</section>')
    if m.about_author:
        parts.append(f'<section class="about-author"><h2>About the Author</h2>{blocks_html(m.about_author)}</section>')
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts).encode("utf-8")
