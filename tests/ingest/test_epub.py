"""EPUB: chapters in spine (reading) order, each under its title, without markup."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from ghostline_desktop.ingest import ExtractionError, extract
from tests.ingest.makers import epub_book, rewrite_zip

CHAPTERS = [
    ("Loomings", "<h1>Chapter 1. Loomings</h1><p>Call me <em>Ishmael</em>.</p><p>Some years ago&#8212;never mind.</p>"),
    ("The Carpet-Bag", "<h1>Chapter 2. The Carpet-Bag</h1><p>I stuffed a shirt or two into my old carpet-bag.</p>"),
    ("The Spouter-Inn", "<h1>Chapter 3</h1><p>Entering that gable-ended Spouter-Inn &amp; a wide hall.</p>"),
]


def test_chapters_in_spine_order_with_titles(tmp_path: Path) -> None:
    # Added to the package as 1, 2, 3 but read 3, 1, 2: the spine decides.
    book = epub_book(tmp_path / "book.epub", CHAPTERS, spine_order=[2, 0, 1])
    result = extract(str(book), "EPUB")
    assert [segment.section for segment in result.segments] == ["The Spouter-Inn", "Loomings", "The Carpet-Bag"]
    assert result.segments[1].text == "Chapter 1. Loomings\n\nCall me Ishmael.\n\nSome years ago—never mind."
    assert result.segments[0].text == "Chapter 3\n\nEntering that gable-ended Spouter-Inn & a wide hall."
    assert "<" not in result.text
    assert result.metadata["title"] == "A Test Book"
    assert result.metadata["chapters"] == 3


def test_chapter_without_toc_entry_is_named_by_its_heading(tmp_path: Path) -> None:
    book = epub_book(tmp_path / "book.epub", CHAPTERS)
    with zipfile.ZipFile(book) as archive:
        nav_name = next(name for name in archive.namelist() if name.endswith("nav.xhtml"))
        ncx_name = next(name for name in archive.namelist() if name.endswith(".ncx"))
        nav = archive.read(nav_name).decode()
        ncx = archive.read(ncx_name).decode()
    nav = re.sub(r"<li>\s*<a href=\"chap_2.xhtml\">The Carpet-Bag</a>\s*</li>", "", nav)
    assert "chap_2" not in nav
    ncx = ncx.replace("The Carpet-Bag", "")
    rewrite_zip(book, add={nav_name: nav.encode(), ncx_name: ncx.encode()})
    result = extract(str(book), "EPUB")
    assert [segment.section for segment in result.segments][1] == "Chapter 2. The Carpet-Bag"


def test_epub_that_is_not_a_zip(tmp_path: Path) -> None:
    fake = tmp_path / "book.epub"
    fake.write_bytes(b"<html>not a book</html>")
    with pytest.raises(ExtractionError, match="not an EPUB book") as failed:
        extract(str(fake), "EPUB")
    assert failed.value.code == "corrupt"


def test_epub_without_a_package_document(tmp_path: Path) -> None:
    book = epub_book(tmp_path / "book.epub", CHAPTERS)
    rewrite_zip(book, drop=("META-INF/container.xml",))
    with pytest.raises(ExtractionError) as failed:
        extract(str(book), "EPUB")
    assert failed.value.code == "corrupt"
    assert "EPUB" in str(failed.value)


def test_epub_zip_bomb(tmp_path: Path) -> None:
    book = epub_book(tmp_path / "book.epub", CHAPTERS)
    with (
        zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("EPUB/images/cover.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(64):
            member.write(bytes(1 << 20))
    with pytest.raises(ExtractionError) as failed:
        extract(str(book), "EPUB")
    assert failed.value.code == "zip_bomb"
