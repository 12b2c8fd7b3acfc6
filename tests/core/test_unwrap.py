"""Undoing hard wrapping (core.unwrap): prose paragraphs become one line, meant line breaks
(verse, letters, scene breaks, Markdown structure) stay, soft-wrapped text is untouched."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from ghostline_desktop.core.unwrap import unwrap, wrap_width
from ghostline_desktop.core.words import count_words

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
VERSE = """  “How doth the little crocodile
    Improve his shining tail,
  And pour the waters of the Nile
    On every golden scale!”"""
LONG_VERSE = """“Will you walk a little faster?” said a whiting to a snail.
“There’s a porpoise close behind us, and he’s treading on my tail.
See how eagerly the lobsters and the turtles all advance!
They are waiting on the shingle—will you come and join the dance?"""


def wrapped(paragraphs: list[str], width: int = 70) -> list[str]:
    return [textwrap.fill(p, width) for p in paragraphs]


def paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def test_wrapped_prose_becomes_one_line_per_paragraph() -> None:
    text = "\n\n".join(wrapped(PROSE))
    assert wrap_width(text) is not None
    assert paragraphs(unwrap(text)) == PROSE


def test_soft_wrapped_text_is_left_alone() -> None:
    soft = "\n\n".join(PROSE)
    assert wrap_width(soft) is None and unwrap(soft) == soft
    no_blank_lines = "\n".join(PROSE * 3)  # one line per paragraph, no blank lines between
    assert unwrap(no_blank_lines) == no_blank_lines
    repeated = "\n".join(["Là-bas, près de l’église, l’été était doux ; « Où êtes-vous ? » demanda-t-elle."] * 40)
    assert unwrap(repeated) == repeated  # lines all of one length: not word wrapping


def test_verse_letters_and_scene_breaks_keep_their_lines() -> None:
    letter = "My dear Lizzy,\n" + textwrap.fill(PROSE[1], 70) + "\nYours ever,\nJane"
    pieces = [*wrapped(PROSE[:2]), VERSE, LONG_VERSE, "* * *", letter, "#", *wrapped(PROSE[2:])]
    out = paragraphs(unwrap("\n\n".join(pieces)))
    assert out[0] == PROSE[0] and out[1] == PROSE[1]
    assert out[2] == VERSE and out[3] == LONG_VERSE and out[4] == "* * *"
    assert out[5] == f"My dear Lizzy,\n{PROSE[1]}\nYours ever,\nJane"
    assert out[6] == "#" and out[7:] == PROSE[2:]


def test_indented_first_lines_without_blank_lines_between_paragraphs() -> None:
    """Typescript style: each paragraph's first line indented, no blank lines between."""
    text = "\n".join(textwrap.fill(p, 70, initial_indent="    ") for p in PROSE)
    assert unwrap(text) == "\n".join(f"    {p}" for p in PROSE)


def test_a_chapter_uses_the_books_width() -> None:
    book = "\n\n".join(wrapped(PROSE))
    width = wrap_width(book)
    short = textwrap.fill(PROSE[0], 70)  # too little to tell on its own
    assert unwrap(short) == short
    assert unwrap(short, width=width) == PROSE[0]


def test_markdown_structure_and_hard_breaks_are_kept() -> None:
    md = "\n\n".join(
        [
            "# The Lighthouse",
            *wrapped(PROSE[:2]),
            "- first item of a list that is long enough\n- second item\n  that goes on here",
            textwrap.fill(PROSE[0], 70, initial_indent="- ", subsequent_indent="  "),
            "> A quotation, kept as the\n> author laid it out.",
            "```\ndef keep(me):\n    return me\n```",
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "Roses are red,  \nviolets are blue,\\\nthis is a hard break.",
            "    indented code\n    stays",
            *wrapped(PROSE[2:]),
        ]
    )
    out = paragraphs(unwrap(md, markdown=True))
    assert out[0] == "# The Lighthouse" and out[1:3] == PROSE[:2]
    # Items stay items; a line carrying on an item's sentence joins it (Markdown renders both alike).
    assert out[3] == "- first item of a list that is long enough\n- second item that goes on here"
    assert out[4] == f"- {PROSE[0]}"  # a wrapped list item is one line
    assert out[5] == "> A quotation, kept as the\n> author laid it out."
    assert out[6] == "```\ndef keep(me):\n    return me\n```"
    assert out[7] == "| a | b |\n|---|---|\n| 1 | 2 |"
    assert out[8] == "Roses are red,  \nviolets are blue,\\\nthis is a hard break."
    assert out[9] == "    indented code\n    stays"
    assert out[10:] == PROSE[2:]


BOOKS = [
    "austen-pride-and-prejudice.txt",
    "carroll-alice-in-wonderland.txt",
    "doyle-adventures-of-sherlock-holmes.txt",
    "melville-moby-dick.txt",
    "shelley-frankenstein.txt",
]


@pytest.mark.parametrize("name", BOOKS)
def test_corpus_books_unwrap_to_one_line_per_prose_paragraph(corpus_dir: Path, name: str) -> None:
    text = (corpus_dir / name).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    width = wrap_width(text)
    assert width is not None and 68 <= width <= 80
    out = unwrap(text)
    assert count_words(out) == count_words(text)
    assert unwrap(out) == out  # unwrapped text is not hard-wrapped any more
    kept = [p for p in paragraphs(out) if "\n" in p.strip()]
    # Prose: no paragraph of 40+ words keeps a line break unless it is verse or a list
    # (every line well under the width), which the corpus has only a few of.
    for p in kept:
        if count_words(p) >= 40:
            assert all(len(line) < width for line in p.splitlines()), p[:200]
    assert len(kept) <= 50
    assert len(paragraphs(out)) == len(paragraphs(text))


def test_alice_keeps_its_verse(corpus_dir: Path) -> None:
    out = unwrap((corpus_dir / "carroll-alice-in-wonderland.txt").read_text(encoding="utf-8-sig"))
    assert "“How doth the little crocodile\n    Improve his shining tail," in out
    assert "said a whiting to a snail.\n“There’s a porpoise close behind us" in out
    assert "“Beautiful Soup, so rich and green,\nWaiting in a hot tureen!" in out
    assert "Alice was beginning to get very tired of sitting by her sister on the bank, and of" in out
    assert "\nlistening" not in out  # a wrapped prose line is joined
