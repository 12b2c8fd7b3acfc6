"""EPUB 3 (ebooklib): metadata, nav document + NCX, one XHTML file per chapter, a stylesheet,
an optional cover; checked with EpubCheck 5 in the tests (no errors, no warnings).

KDP's rule that a chapter file begins with its title as the first heading is kept (the
``<h1>`` is the first element of each chapter's body). Paragraphs are indented, not spaced
(``book.css``). A cover larger than 4 megapixels is scaled down with Pillow, since stores
reject bigger ones and readers decode it on every library view.
"""

from __future__ import annotations

import io
import uuid
from html import escape

from ghostline_desktop.export.model import Manuscript
from ghostline_desktop.export.render_html import blocks_html, book_css, chapter_heading_html

MAX_COVER_PIXELS = 4_000_000
_CSS_HREF = "style/book.css"


def _page(title: str, body: str, lang: str) -> str:
    # ebooklib wraps the body in its own XHTML skeleton; only the body content matters here.
    return f"<html><head><title>{escape(title)}</title></head><body>{body}</body></html>"


def fit_cover(data: bytes, media_type: str | None) -> tuple[bytes, str, str]:
    """(bytes, media type, file extension) of a cover no larger than 4 megapixels."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        fmt = (im.format or "").upper()
        if im.width * im.height <= MAX_COVER_PIXELS and fmt in ("JPEG", "PNG"):
            return data, "image/jpeg" if fmt == "JPEG" else "image/png", "jpg" if fmt == "JPEG" else "png"
        scale = (MAX_COVER_PIXELS / (im.width * im.height)) ** 0.5
        size = (max(1, int(im.width * min(1.0, scale))), max(1, int(im.height * min(1.0, scale))))
        out = io.BytesIO()
        im.convert("RGB").resize(size).save(out, "JPEG", quality=88)
        return out.getvalue(), "image/jpeg", "jpg"


def render_epub(m: Manuscript) -> bytes:
    from ebooklib import epub

    lang = m.language or "en"
    book = epub.EpubBook()
    book.set_identifier(m.identifier or f"urn:uuid:{uuid.uuid4()}")
    book.set_title(m.title)
    book.set_language(lang)
    if m.author:
        book.add_author(m.author)
    if m.date:
        book.add_metadata("DC", "date", m.date)
    if m.copyright:
        book.add_metadata("DC", "rights", " ".join(_text_of(blocks_html(m.copyright)).split()))
    book.add_metadata("DC", "publisher", "GhostLine")

    css = epub.EpubItem(uid="style", file_name=_CSS_HREF, media_type="text/css", content=book_css().encode("utf-8"))
    book.add_item(css)

    spine: list[object] = []
    if m.cover:
        data, _media_type, ext = fit_cover(m.cover, m.cover_media_type)
        book.set_cover(f"images/cover.{ext}", data, create_page=True)
        # ebooklib makes the cover page non-linear, which EpubCheck 5 rejects (OPF-096: nothing
        # links to it); as the first page of the reading order it is reachable.
        cover_page = book.get_item_with_id("cover")
        if cover_page is not None:
            cover_page.is_linear = True
        spine.append("cover")

    def page(uid: str, file_name: str, title: str, body: str) -> epub.EpubHtml:
        item = epub.EpubHtml(uid=uid, title=title, file_name=file_name, lang=lang)
        item.content = _page(title, body, lang)
        item.add_link(href=_CSS_HREF, rel="stylesheet", type="text/css")
        book.add_item(item)
        return item

    sub = f'<p class="book-subtitle">{escape(m.subtitle)}</p>' if m.subtitle else ""
    author = f'<p class="book-author">{escape(m.author)}</p>' if m.author else ""
    title_page = page(
        "title-page",
        "title.xhtml",
        m.title,
        f'<section class="title-page"><h1 class="book-title">{escape(m.title)}</h1>{sub}{author}</section>',
    )
    spine.append(title_page)
    if m.copyright:
        spine.append(
            page(
                "copyright",
                "copyright.xhtml",
                "Copyright",
                f'<section class="copyright">{blocks_html(m.copyright)}</section>',
            )
        )
    if m.dedication:
        spine.append(
            page(
                "dedication",
                "dedication.xhtml",
                "Dedication",
                f'<section class="dedication">{blocks_html(m.dedication)}</section>',
            )
        )
    nav = epub.EpubNav()
    book.add_item(nav)
    if m.toc:
        spine.append("nav")
    chapters = []
    for ch in m.chapters:
        item = page(
            f"chapter-{ch.number}",
            f"chapter-{ch.number:03d}.xhtml",
            ch.title,
            f'<section class="chapter">{chapter_heading_html(ch)}\n{blocks_html(ch.blocks)}</section>',
        )
        chapters.append(item)
        spine.append(item)
    toc: list[object] = list(chapters)
    if m.about_author:
        about = page(
            "about-author",
            "about.xhtml",
            "About the Author",
            f'<section class="about-author"><h1>About the Author</h1>{blocks_html(m.about_author)}</section>',
        )
        spine.append(about)
        toc.append(about)
    book.toc = toc
    book.add_item(epub.EpubNcx())
    book.spine = spine
    out = io.BytesIO()
    epub.write_epub(out, book, {"epub3_pages": False})
    return out.getvalue()


def _text_of(html: str) -> str:
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", html))
