"""Chapter Markdown → tokens: emphasis, scene breaks, subtitles, repeated titles, sanitising."""

from __future__ import annotations

from ghostline_desktop.export.model import (
    Emph,
    Heading,
    ListBlock,
    Manuscript,
    Paragraph,
    Quote,
    SceneBreak,
    Strong,
    Text,
    plain,
)
from ghostline_desktop.export.tokenize import markdown_blocks


def test_emphasis_breaks_and_dashes() -> None:
    blocks = markdown_blocks("Anna took the *ferry* -- **fast**.\n\n* * *\n\nAfter.\n\n#\n\nEnd.")
    first = blocks[0]
    assert isinstance(first, Paragraph)
    expected = (Text("Anna took the "), Emph((Text("ferry"),)), Text(" — "), Strong((Text("fast"),)), Text("."))
    assert first.inlines == expected
    assert [type(b) for b in blocks] == [Paragraph, SceneBreak, Paragraph, SceneBreak, Paragraph]


def test_breaks_never_lead_trail_or_double() -> None:
    blocks = markdown_blocks("***\n\nText.\n\n***\n\n* * *\n\nMore.\n\n---\n")
    assert [type(b) for b in blocks] == [Paragraph, SceneBreak, Paragraph]


def test_raw_html_is_sanitised_to_text() -> None:
    blocks = markdown_blocks('<script>alert(1)</script>\n\n<p onclick="x()">Hi <img src="http://e/x.png"> there</p>')
    assert all("alert" not in plain(b.inlines) for b in blocks if isinstance(b, Paragraph))
    assert [plain(b.inlines) for b in blocks if isinstance(b, Paragraph)] == ["Hi there"]


def test_chapter_title_subtitle_and_structure(small_book: Manuscript) -> None:
    one, two, three = small_book.chapters
    assert (one.title, one.subtitle, one.number) == ("The Ferry", None, 1)
    assert (two.subtitle, any(isinstance(b, Quote) for b in two.blocks)) == ("A subtitle for the quay", True)
    assert SceneBreak() in two.blocks
    # "# Chapter 3" repeated the title: printed once; "Chapter 3" is a number-only title.
    assert not any(isinstance(b, Heading) for b in three.blocks) and three.title_is_number
    assert any(isinstance(b, ListBlock) and b.ordered for b in three.blocks)
    assert small_book.words > 40
