"""Importing a hard-wrapped plain-text book: each chapter's paragraphs are one line each
(tried as an author: Pride and Prejudice showed ragged ~70-column lines in the editor), while
the split, the words and Alice's verse stay as they were."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from ghostline_desktop.core.manuscript_split import split_manuscript
from ghostline_desktop.core.words import count_words
from ghostline_desktop.services.manuscript_import import read_manuscript

LONG = (
    "The boat came in at dusk, and Mara stepped onto the pier with one bag, no plan at all and a letter "
    "from an aunt she had not seen since she was a child; the harbour smelled of tar and cold fish. "
)


def prose(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if count_words(p) >= 40]


def test_gutenberg_book_chapters_are_unwrapped(corpus_dir: Path) -> None:
    path = corpus_dir / "austen-pride-and-prejudice.txt"
    preview = read_manuscript(str(path))
    raw = split_manuscript(path.read_text(encoding="utf-8-sig"), "x")
    assert [c.title for c in preview.chapters] == [c.title for c in raw.chapters]
    assert preview.chapter_words() == [count_words(c.text) for c in raw.chapters]
    first = preview.chapters[0].text
    assert first.startswith(
        "It is a truth universally acknowledged, that a single man in possession of a good fortune must be"
    )
    assert all("\n" not in p.strip() for c in preview.chapters for p in prose(c.text))


def test_alice_verse_survives_import(corpus_dir: Path) -> None:
    preview = read_manuscript(str(corpus_dir / "carroll-alice-in-wonderland.txt"))
    text = "\n\n".join(c.text for c in preview.chapters)
    assert "“How doth the little crocodile\n    Improve his shining tail," in text
    assert all("\n" not in p.strip() for p in prose(text) if "Alice" in p)


def test_markdown_manuscript_keeps_lists_and_unwraps_prose(tmp_path: Path) -> None:
    body = textwrap.fill(LONG * 3, 70)
    md = f"# Chapter One\n\n{body}\n\n- a list item\n- another\n\n# Chapter Two\n\n{body}\n\n{body}\n"
    path = tmp_path / "book.md"
    path.write_text(md, encoding="utf-8")
    preview = read_manuscript(str(path))
    assert [c.title for c in preview.chapters] == ["Chapter One", "Chapter Two"]
    one_line = (LONG * 3).strip()
    assert preview.chapters[0].text == f"{one_line}\n\n- a list item\n- another"
    assert preview.chapters[1].text == f"{one_line}\n\n{one_line}"
