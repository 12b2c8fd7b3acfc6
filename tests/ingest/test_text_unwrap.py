"""Text and Markdown sources: a hard-wrapped file's paragraphs are joined into one line each
(core.unwrap), so chunks and search excerpts read as prose; verse and Markdown structure stay."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from ghostline_desktop.core.words import count_words
from ghostline_desktop.ingest import extract

PROSE = [
    "The boat came in at dusk, and Mara stepped onto the pier with one bag, no plan at all and a letter "
    "from an aunt she had not seen since she was a child; the harbour smelled of tar and cold fish.",
    "She asked the first man she met where the lighthouse was, and he pointed with his pipe past the "
    "chapel, past the row of upturned boats, to where the cliff path climbed into the fog and vanished.",
    "The keeper was older than she had expected, and kinder; he gave her soup and a blanket, asked no "
    "questions about the letter, and told her the lamp had not gone out once in forty-one winters.",
    "On the third night the storm came in from the west, and the two of them kept the lamp burning "
    "until morning, trimming the wick by turns and listening to the sea throw itself at the rocks below.",
]
VERSE = "  Twinkle, twinkle, little bat!\n  How I wonder what you’re at!"


def test_hard_wrapped_text_source_is_unwrapped(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("\n\n".join([*(textwrap.fill(p, 70) for p in PROSE), VERSE]), encoding="utf-8")
    assert extract(str(path), "TEXT").text == "\n\n".join([*PROSE, VERSE])


def test_hard_wrapped_markdown_keeps_its_structure(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    wrapped = [textwrap.fill(p, 70) for p in PROSE]
    path.write_text(
        "\n\n".join(["# Harbour", *wrapped[:2], "- tar\n- cold fish", "## Lamp", *wrapped[2:]]), encoding="utf-8"
    )
    result = extract(str(path), "MARKDOWN")
    assert [(s.section, s.text) for s in result.segments] == [
        ("Harbour", "\n\n".join(["# Harbour", *PROSE[:2], "- tar\n- cold fish"])),
        ("Lamp", "\n\n".join(["## Lamp", *PROSE[2:]])),
    ]


def test_gutenberg_book_source_reads_as_paragraphs(corpus_dir: Path) -> None:
    path = corpus_dir / "austen-pride-and-prejudice.txt"
    text = extract(str(path), "TEXT").text
    assert count_words(text) == count_words(path.read_text(encoding="utf-8-sig"))
    assert "It is a truth universally acknowledged, that a single man in possession of a good fortune" in text
    prose = [p for p in re.split(r"\n\s*\n", text) if count_words(p) >= 40]
    assert prose and sum("\n" in p.strip() for p in prose) == 0
