"""Undo hard wrapping: join the lines of a paragraph that a plain-text file broke at a fixed
column (Project Gutenberg books wrap at ~70), keeping the line breaks an author meant.

Pure and Qt-free; used by manuscript import and by source ingestion of text and Markdown.

What is joined, and why:

- **Only hard-wrapped files.** :func:`wrap_width` looks at the lines of paragraphs (blocks
  between blank lines) that are not a paragraph's last line: in a hard-wrapped file most
  of them end near one column. A file written one line per paragraph (soft-wrapped) has
  few such lines, or lines of every length, and is returned unchanged.
- **Within a paragraph** a line break becomes a space, except where it was meant:

  - after a line that is much shorter than the wrap width *and* the next line's first
    word would have fitted on it (a letter's "My dear Lizzy,", an address, a signature);
  - before a line indented differently from the one before it (verse, quoted letters);
  - around scene breaks (``***``, ``* * *``, ``#``);
  - in Markdown: before a heading, list item, block quote, table row or HTML line, after
    a heading or table row, after a hard break (two trailing spaces or a backslash), and
    nowhere inside fenced or indented code.

- **Verse stays as written.** A paragraph most of whose lines are short (a poem, a song,
  Alice's "How doth the little crocodile") keeps all its lines.

Only newlines and the indentation of joined lines change, so the words are the same.
"""

from __future__ import annotations

import itertools
import re

# How close to the wrap column most non-final lines of a hard-wrapped file end.
_NEAR = 15
_MIN_LINES = 8  # fewer wrapped lines than this: nothing to go on, leave the file alone
_MAX_WIDTH = 130  # wider "wrapping" is one line per paragraph that happen to be alike in length
_HARD_SHARE = 0.6
# A line is "short" (its break was meant) when it and the next word end this far before the
# wrap width: transcribers wrap a little unevenly (Frankenstein's lines end at 64–77).
_SHORT = 0.85
_SINGLE = 0.6
_SCENE_BREAK_RE = re.compile(r"^\s*(?:(?:\*\s*){1,}|(?:-\s*){3,}|(?:_\s*){3,}|#|~+|\+)\s*$")
_MD_BLOCK_START_RE = re.compile(
    r"^\s{0,3}(?:#{1,6}(?:\s|$)|[-+*]\s|\d{1,9}[.)]\s|>|\||<|(?:```|~~~)|(?:[-*_]\s*){3,}$)|^(?: {4}|\t)"
)
_MD_ITEM_RE = re.compile(r"^(\s{0,3}(?:[-+*]|\d{1,9}[.)])\s+)\S")
_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")
_MD_FENCE_RE = re.compile(r"^\s{0,3}(?:```|~~~)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(start, stop) line ranges of the runs of non-blank lines."""
    out: list[tuple[int, int]] = []
    start: int | None = None
    for k, line in enumerate(lines):
        if line.strip():
            if start is None:
                start = k
        elif start is not None:
            out.append((start, k))
            start = None
    if start is not None:
        out.append((start, len(lines)))
    return out


def wrap_width(text: str, *, markdown: bool = False) -> int | None:
    """The column a hard-wrapped text was wrapped at, or None when it is not hard-wrapped.
    With ``markdown``, lists, tables, quotes and code are not counted (they are not wrapped)."""
    lines = text.splitlines()
    lengths = sorted(
        len(lines[k].rstrip())
        for start, stop in _blocks(lines)
        if stop - start >= 3 and not (markdown and _MD_BLOCK_START_RE.match(lines[start]))
        for k in range(start, stop - 1)
    )
    if len(lengths) < _MIN_LINES:
        return None
    width = lengths[int(len(lengths) * 0.95)]
    if not 30 <= width <= _MAX_WIDTH:
        return None
    near = [n for n in lengths if n >= width - _NEAR]
    # Lines far longer than the width are paragraphs written on one line: a soft-wrapped file
    # (or one already unwrapped) whose few multi-line blocks are verse or lists.
    if sum(1 for line in lines if len(line) > 2 * width) * 10 > len(near):
        return None
    # Word wrapping leaves a ragged right edge; lines all of one length are something else
    # (a table, a repeated line), not prose to join.
    ragged = len(set(near)) >= 3
    return width if ragged and len(near) >= _HARD_SHARE * len(lengths) else None


def _first_word(line: str) -> str:
    parts = line.split(None, 1)
    return parts[0] if parts else ""


def _fits(line: str, following: str, width: float) -> bool:
    return len(line.rstrip()) + 1 + len(_first_word(following)) <= width


def _continues(line: str) -> bool:
    """Whether a line starts in lower case (after any opening quote or bracket): the sentence
    goes on from the line before."""
    head = line.lstrip().lstrip("\"“‘'([_*")
    return head[:1].islower()


def _short(line: str, following: str, width: int) -> bool:
    """Whether the writer broke ``line`` on purpose: the next line's first word would have
    fitted well within the wrap width, and the next line does not just carry on the
    sentence (some transcribers left a short line mid-paragraph: "… “we are" /
    "unfashioned creatures, …")."""
    return _fits(line, following, _SHORT * width) and not _continues(following)


def _much_shorter(line: str, following: str, width: int) -> bool:
    """A single short line inside a wrapped paragraph (a salutation, an address line, a
    signature): well under the width. Lines ending a little short mid-paragraph
    (Frankenstein's “how little do you know me.” / “Human beings …”) are the
    transcriber's, and are joined."""
    return _short(line, following, width) and len(line.strip()) <= _SINGLE * width


def _keeps_break(prev: str, cur: str, nxt: str | None, width: int, markdown: bool, *, opens: bool = False) -> bool:
    """Whether the break between ``prev`` and ``cur`` was meant; ``opens``: ``prev`` is
    indented more than the line before it (or starts the block)."""
    if _SCENE_BREAK_RE.match(prev) or _SCENE_BREAK_RE.match(cur):
        return True
    if _indent(cur) != _indent(prev) and (_indent(cur) > 0 or _indent(prev) > 0):
        # A paragraph whose first line is indented and wrapped onto flush lines (typescript
        # style, often without blank lines between paragraphs) goes on; other changes of
        # indentation (verse, a quoted letter, the next indented paragraph) are meant.
        indented_first = opens and _indent(cur) < _indent(prev) and not _short(prev, cur, width)
        # A Markdown list item wrapped onto lines indented to its text goes on too.
        item = _MD_ITEM_RE.match(prev) if markdown else None
        item_goes_on = item is not None and _indent(cur) == len(item.group(1)) and not _short(prev, cur, width)
        if not (item_goes_on or (indented_first and not markdown)):
            return True
    if markdown:
        if prev.endswith(("  ", "\\")) or prev.lstrip().startswith("|") or _MD_HEADING_RE.match(prev):
            return True
        if _MD_BLOCK_START_RE.match(cur):
            return True
    if _much_shorter(prev, cur, width):
        return True
    # A paragraph's short last line followed by a short closing ("Yours ever," / "Jane").
    # The next word would have fitted on ``prev`` (it was not wrapped there) and ``cur`` is
    # short and followed by another short line.
    return (
        _fits(prev, cur, width)
        and not prev.rstrip()[-1:].isalnum()  # the sentence ended ("… that" / "I had lost." goes on)
        and not _continues(cur)
        and len(cur.strip()) <= _SINGLE * width
        and nxt is not None  # one short last line is a paragraph's end ("What is it you fear?”")
        and len(nxt.strip()) <= _SINGLE * width
    )


def _is_verse(lines: list[str], width: int) -> bool:
    """Most lines short (a poem, a song, a list of names): keep every line."""
    if len(lines) < 2:
        return False
    pairs = list(itertools.pairwise(lines))
    if sum(1 for prev, cur in pairs if _short(prev, cur, width)) * 2 > len(pairs):
        return True
    # Long verse lines (Alice's "Will you, won't you … join the dance?") are not much shorter
    # than the wrap width, but each starts with a capital and the next word would still
    # have fitted; a wrapped paragraph of three lines or more rarely looks like that.
    return (
        len(lines) >= 3
        and not any(_continues(cur) for _, cur in pairs)
        and sum(1 for prev, cur in pairs if _fits(prev, cur, width)) * 4 >= len(pairs) * 3
    )


def _unwrap_block(lines: list[str], width: int, markdown: bool) -> list[str]:
    if _is_verse(lines, width):
        return lines
    out = [lines[0].rstrip() if not (markdown and lines[0].endswith("  ")) else lines[0]]
    prev = lines[0]
    for k, cur in enumerate(lines[1:], start=1):
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        opens = k == 1 or _indent(lines[k - 2]) < _indent(prev)
        if _keeps_break(prev, cur, nxt, width, markdown, opens=opens):
            out.append(cur)
        else:
            tail = cur.strip() if not (markdown and cur.endswith("  ")) else cur.lstrip()
            out[-1] = f"{out[-1].rstrip()} {tail}"
        prev = cur
    return out


def unwrap(text: str, *, markdown: bool = False, width: int | None = None) -> str:
    """``text`` with hard-wrapped paragraphs joined into one line each (see the module
    docstring); unchanged when it is not hard-wrapped. ``width`` overrides detection (a
    chapter cut from a book uses the whole book's width)."""
    width = width or wrap_width(text, markdown=markdown)
    if width is None:
        return text
    lines = text.split("\n")
    out: list[str] = []
    block: list[str] = []
    in_fence = False

    def flush() -> None:
        if block:
            out.extend(_unwrap_block(block, width, markdown))
            block.clear()

    for line in lines:
        if markdown and (in_fence or _MD_FENCE_RE.match(line)):
            flush()
            if _MD_FENCE_RE.match(line):
                in_fence = not in_fence
            out.append(line)
        elif markdown and line.startswith(("    ", "\t")) and not block:
            out.append(line)  # indented code (or a list item's continuation): as written
        elif line.strip():
            block.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out)
