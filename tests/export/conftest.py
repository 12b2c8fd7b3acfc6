"""A small book with every token the manuscript model knows, and Pride and Prejudice split
into its chapters (the shared corpus), for the renderer round-trip tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ghostline_desktop.export.model import FrontMatter, Manuscript, SourceChapter
from ghostline_desktop.export.tokenize import build_manuscript

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"

CHAPTERS = [
    SourceChapter(
        "The Ferry",
        "Anna took the *ferry* at dawn -- the gulls **followed** her.\n\n"
        "She counted the waves.\n\n* * *\n\n"
        "Later, on the quay, she met Ben.\n\n"
        '<script>alert("boo")</script><p onclick="steal()">A paragraph with <img src="https://evil.example/x.png"> '
        'an <a href="javascript:alert(1)">evil link</a>.</p>',
    ),
    SourceChapter(
        "The Quay", "## A subtitle for the quay\n\nBen waited.\n\n> A letter, quoted.\n\n#\n\nThe storm came."
    ),
    SourceChapter(
        "Chapter 3", "# Chapter 3\n\nThe last chapter repeats its title; it is printed once.\n\n1. one\n2. two"
    ),
]
FRONT = FrontMatter(
    title="The Crossing",
    author="Ada Lovelace",
    subtitle="A Novel",
    identifier="urn:uuid:12345678-1234-5678-1234-567812345678",
    date="2026-11-26",
    dedication="For *everyone* who waits on a quay.",
    copyright="Copyright © 2026 Ada Lovelace.\n\nAll rights reserved.",
    about_author="Ada writes about *ferries*.",
)


@pytest.fixture(scope="session")
def small_book() -> Manuscript:
    return build_manuscript(FRONT, CHAPTERS)


@pytest.fixture(scope="session")
def austen() -> Manuscript:
    from ghostline_desktop.core.manuscript_split import split_manuscript

    path = CORPUS / "austen-pride-and-prejudice.txt"
    if not path.exists():
        pytest.skip("the shared corpus is not here")
    split = split_manuscript(path.read_text(encoding="utf-8"), "Pride and Prejudice")
    front = FrontMatter(title="Pride and Prejudice", author="Jane Austen", date="2026-11-26")
    return build_manuscript(front, [SourceChapter(c.title, c.text) for c in split.chapters])
