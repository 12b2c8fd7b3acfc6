"""Manuscript import split: every corpus book with the chapters it really has, plus the
preview's edits (merge, split, rename, include, exclude).

Chapter counts, checked by reading the books:
- Pride and Prejudice: 61 ("Chapter I." sits inside an illustration bracket; preface,
  list of illustrations and the "THE END" colophon are left out);
- Alice: 12 ("CHAPTER I." with its title on the next line; the contents list is left out);
- Sherlock Holmes: 12 stories ("I. A SCANDAL IN BOHEMIA"); the "I."/"II." parts inside a
  story stay in its text;
- Frankenstein: 28 = Letters 1–4 + Chapters 1–24. The letters count: they are the first
  quarter of the narrative (Walton's frame story, which Chapter 24 closes), each a unit
  an author would edit on its own; leaving them out would drop the novel's opening.
- Moby-Dick: 136 = Chapters 1–135 + Epilogue (the Epilogue is narrative: Ishmael's
  survival). ETYMOLOGY and EXTRACTS are front matter: unnumbered compilations that
  precede "CHAPTER 1. Loomings."; they are returned as left out, and the preview can
  include them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ghostline_desktop.core.manuscript_split import (
    LeftOutKind,
    ManuscriptSplit,
    SplitEditError,
    exclude,
    include,
    merge,
    rename,
    split_chapter,
    split_manuscript,
)

BOOKS = {
    "austen-pride-and-prejudice.txt": (61, "Chapter I.", "CHAPTER LXI."),
    "carroll-alice-in-wonderland.txt": (12, "CHAPTER I. Down the Rabbit-Hole", "CHAPTER XII. Alice’s Evidence"),
    "doyle-adventures-of-sherlock-holmes.txt": (
        12,
        "I. A SCANDAL IN BOHEMIA",
        "XII. THE ADVENTURE OF THE COPPER BEECHES",
    ),
    "shelley-frankenstein.txt": (28, "Letter 1", "Chapter 24"),
    "melville-moby-dick.txt": (136, "CHAPTER 1. Loomings.", "Epilogue"),
}
FIRST_WORDS = {
    "austen-pride-and-prejudice.txt": ("It is a truth universally acknowledged", "the means of uniting them."),
    "carroll-alice-in-wonderland.txt": ("Alice was beginning to get very tired", "the happy summer\ndays."),
    "doyle-adventures-of-sherlock-holmes.txt": ("I.\n\nTo Sherlock Holmes she is always", "considerable success."),
    "shelley-frankenstein.txt": ("_To Mrs. Saville, England._", "lost in darkness and distance."),
    "melville-moby-dick.txt": ("Call me Ishmael.", "only found another orphan."),
}
_WORDS = re.compile(r"\w+")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman(numeral: str) -> int:
    values = [_ROMAN[c] for c in numeral.upper()]
    return sum(-v if v < nxt else v for v, nxt in zip(values, [*values[1:], 0], strict=True))


def _split(corpus_dir: Path, name: str) -> tuple[str, ManuscriptSplit]:
    text = (corpus_dir / name).read_text(encoding="utf-8")
    return text, split_manuscript(text)


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_corpus_book_chapters(corpus_dir: Path, name: str) -> None:
    text, split = _split(corpus_dir, name)
    count, first, last = BOOKS[name]
    assert len(split.chapters) == count
    assert (split.chapters[0].title, split.chapters[-1].title) == (first, last)
    opening, ending = FIRST_WORDS[name]
    assert split.chapters[0].text.startswith(opening)
    assert split.chapters[-1].text.endswith(ending)
    starts = [c.start for c in split.chapters]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    for chapter in split.chapters:
        assert chapter.text.strip(), chapter.title
        assert text[chapter.text_start : chapter.text_start + len(chapter.text)] == chapter.text
        assert not re.search(r"PROJECT GUTENBERG|^Contents$|^PREFACE|^THE END$", chapter.text, re.M | re.I)
    # Nothing lost, nothing counted twice: every word of the file is in exactly one
    # chapter (heading or text) or one left-out piece.
    kept = sum(len(_WORDS.findall(c.heading)) + len(_WORDS.findall(c.text)) for c in split.chapters)
    left = sum(len(_WORDS.findall(x.text)) for x in split.left_out)
    assert kept + left == len(_WORDS.findall(text))


def test_numbered_chapters_are_in_order(corpus_dir: Path) -> None:
    _, pride = _split(corpus_dir, "austen-pride-and-prejudice.txt")
    numerals = [re.match(r"chapter ([ivxlc]+)", c.title, re.I) for c in pride.chapters]
    assert [_roman(m.group(1)) for m in numerals if m] == list(range(1, 62))
    _, moby = _split(corpus_dir, "melville-moby-dick.txt")
    numbers = [int(m.group(1)) for c in moby.chapters if (m := re.match(r"CHAPTER (\d+)\.", c.title))]
    assert numbers == list(range(1, 136))
    _, frank = _split(corpus_dir, "shelley-frankenstein.txt")
    assert [c.title for c in frank.chapters[:5]] == ["Letter 1", "Letter 2", "Letter 3", "Letter 4", "Chapter 1"]


def test_front_and_back_matter_is_left_out_and_listed(corpus_dir: Path) -> None:
    _, pride = _split(corpus_dir, "austen-pride-and-prejudice.txt")
    titles = {(x.kind, x.title) for x in pride.left_out}
    assert (LeftOutKind.FRONT_MATTER, "PREFACE.") in titles
    assert (LeftOutKind.FRONT_MATTER, "List of Illustrations.") in titles
    (end,) = [x for x in pride.left_out if x.kind is LeftOutKind.BACK_MATTER]
    assert "CHISWICK PRESS" in end.text and "END" in end.text

    _, alice = _split(corpus_dir, "carroll-alice-in-wonderland.txt")
    (contents,) = [x for x in alice.left_out if x.kind is LeftOutKind.CONTENTS]
    assert contents.text.count("CHAPTER") == 12

    _, moby = _split(corpus_dir, "melville-moby-dick.txt")
    kinds = [x.kind for x in moby.left_out]
    assert kinds[0] is LeftOutKind.LICENCE and kinds[-1] is LeftOutKind.LICENCE
    assert LeftOutKind.CONTENTS in kinds
    front = [x.title for x in moby.left_out if x.kind is LeftOutKind.FRONT_MATTER]
    assert "ETYMOLOGY." in front and "EXTRACTS." in front


def test_sherlock_story_parts_stay_inside_the_story(corpus_dir: Path) -> None:
    _, holmes = _split(corpus_dir, "doyle-adventures-of-sherlock-holmes.txt")
    scandal = holmes.chapters[0]
    assert re.findall(r"^(I{1,3})\.$", scandal.text, re.M) == ["I", "II", "III"]


def test_etymology_can_be_included_as_a_chapter(corpus_dir: Path) -> None:
    _, moby = _split(corpus_dir, "melville-moby-dick.txt")
    index = next(k for k, x in enumerate(moby.left_out) if x.title == "ETYMOLOGY.")
    with_it = include(moby, index)
    assert len(with_it.chapters) == 137
    assert with_it.chapters[0].title == "ETYMOLOGY."
    assert "Supplied by a Late Consumptive Usher" in with_it.chapters[0].text
    assert all(x.title != "ETYMOLOGY." for x in with_it.left_out)


MARKDOWN_BOOK = """---
title: The Lighthouse
author: A. Writer
---

# The Lighthouse

A novel.

## Prologue

The sea was grey.

## Chapter One: Arrival

She came by the morning boat.

### A scene heading stays in the text

The keeper met her.

## Chapter Two

Night fell.
"""


def test_markdown_book() -> None:
    split = split_manuscript(MARKDOWN_BOOK)
    assert split.style == "markdown"
    assert [c.title for c in split.chapters] == ["Prologue", "Chapter One: Arrival", "Chapter Two"]
    assert {c.part for c in split.chapters} == {"The Lighthouse"}
    assert "### A scene heading stays in the text" in split.chapters[1].text
    assert split.left_out[0].title == "Metadata"
    assert "author: A. Writer" in split.left_out[0].text


def test_plain_text_without_headings_is_one_chapter() -> None:
    split = split_manuscript("\n\nJust some prose.\n\nAnd more of it.\n", fallback_title="My Notes")
    assert [(c.title, c.text) for c in split.chapters] == [("My Notes", "Just some prose.\n\nAnd more of it.")]
    assert split.style == "none" and split.left_out == ()


def test_empty_file_has_no_chapters() -> None:
    assert split_manuscript("").chapters == ()
    assert split_manuscript("  \n\n ").chapters == ()


def test_prose_opening_with_a_keyword_is_not_a_heading() -> None:
    text = (
        "Chapter 1\n\nIt began.\n\n"
        "Chapter 3 of the report says that the harbour was closed for most of the winter, and\n"
        "nobody argued.\n\n"
        "Notes were passed under the door all night long, and nobody slept a wink\nthat night.\n\n"
        "Chapter 2\n\nIt ended."
    )
    split = split_manuscript(text)
    assert [c.title for c in split.chapters] == ["Chapter 1", "Chapter 2"]
    assert "Chapter 3 of the report" in split.chapters[0].text
    assert "Notes were passed" in split.chapters[0].text


def test_parts_are_recorded_on_their_chapters() -> None:
    text = (
        "BOOK ONE\n\nCHAPTER I.\n\nA.  b c d e.\n\nCHAPTER II.\n\nF g h i j.\n\nBOOK TWO\n\nCHAPTER III.\n\nK l m n o."
    )
    split = split_manuscript(text)
    assert [(c.title, c.part) for c in split.chapters] == [
        ("CHAPTER I.", "BOOK ONE"),
        ("CHAPTER II.", "BOOK ONE"),
        ("CHAPTER III.", "BOOK TWO"),
    ]


SMALL = "Chapter 1\n\nOne. Two.\n\nChapter 2\n\nThree.\n\nChapter 3\n\nFour."


def test_merge_keeps_the_second_heading_in_the_text() -> None:
    split = merge(split_manuscript(SMALL), 0)
    assert [c.title for c in split.chapters] == ["Chapter 1", "Chapter 3"]
    assert split.chapters[0].text == "One. Two.\n\nChapter 2\n\nThree."
    with pytest.raises(SplitEditError, match="no next chapter"):
        merge(split, 1)


def test_split_at_an_offset() -> None:
    split = split_manuscript(SMALL)
    offset = split.chapters[0].text.index("Two.")
    two = split_chapter(split, 0, offset)
    assert [(c.title, c.text) for c in two.chapters[:2]] == [("Chapter 1", "One."), ("Two.", "Two.")]
    named = split_chapter(split, 0, offset, title="  The second half ")
    assert named.chapters[1].title == "The second half"
    assert named.chapters[1].text_start == SMALL.index("Two.")
    with pytest.raises(SplitEditError, match="both new chapters"):
        split_chapter(split, 0, 0)


def test_rename_include_exclude() -> None:
    split = split_manuscript(SMALL)
    renamed = rename(split, 2, "  The   End ")
    assert renamed.chapters[2].title == "The End"
    with pytest.raises(SplitEditError, match="needs a title"):
        rename(split, 0, "   ")
    with pytest.raises(SplitEditError, match="no chapter 9"):
        rename(split, 8, "x")
    out = exclude(split, 1)
    assert [c.title for c in out.chapters] == ["Chapter 1", "Chapter 3"]
    (piece,) = out.left_out
    assert (piece.kind, piece.text) == (LeftOutKind.EXCLUDED, "Chapter 2\n\nThree.")
    back = include(out, 0)
    assert [c.title for c in back.chapters] == ["Chapter 1", "Chapter 2", "Chapter 3"]
    assert back.chapters[1].text == "Chapter 2\n\nThree."
    with pytest.raises(SplitEditError):
        include(back, 0)


def test_contents_with_bare_numbers_and_page_numbers() -> None:
    contents = "\n".join(f"Chapter {n} ........ {n * 7}" for n in range(1, 12))
    chapters = "\n\n".join(f"Chapter {n}\n\nThe text of chapter {n} goes on for a while here." for n in range(1, 12))
    split = split_manuscript(f"My Book\n\nContents\n\n{contents}\n\n{chapters}\n")
    assert [c.title for c in split.chapters] == [f"Chapter {n}" for n in range(1, 12)]
    assert [x.kind for x in split.left_out] == [LeftOutKind.FRONT_MATTER, LeftOutKind.CONTENTS]
