"""Split a plain-text or Markdown book into chapters, and edit the split before import.

Pure and Qt-free: the import service runs it in a worker, the preview dialog shows the
result and calls the edit operations (:func:`merge`, :func:`split_chapter`,
:func:`rename`, :func:`include`, :func:`exclude`), and nothing is written until the
author accepts.

How the split is found, and why:

- **Gutenberg boilerplate** (``*** START OF …`` / ``*** END OF …``) is cut first: it is
  never part of the book.
- **Heading candidates** are lines in one of the styles real books use: Markdown
  ``#``-headings; a keyword and a number (``Chapter I.``, ``CHAPTER 1. Loomings.``,
  ``Letter 1``, ``Book Two``); a Roman numeral and an all-capitals title (``I. A SCANDAL
  IN BOHEMIA``); a bare numeral (``IV.``); and named sections (Preface, Contents,
  Etymology, Prologue, Epilogue …). A heading starts a paragraph; a short paragraph
  that starts with one is the whole heading, so ``CHAPTER I.`` + ``Down the
  Rabbit-Hole`` on the next line is one title.
- **One style makes chapters**: Markdown, else keyword, else numeral+title, else bare
  numerals. The others stay in the text: Sherlock Holmes' stories are "I. A SCANDAL IN
  BOHEMIA" and their parts "I." — the parts must not become chapters.
- **A table of contents** repeats the headings with no text between them: a run of two
  or more empty headings before the first real chapter is left out (and the one after
  such a run too, when the same title comes again later — Moby-Dick's contents end in
  "Epilogue" followed by a transcriber's note).
- **Front and back matter** (title page, preface, contents, lists of illustrations,
  "THE END" and what follows, licences) are left out *and returned*, so the preview can
  show them and the author can :func:`include` any of them. Prologue and Epilogue are
  chapters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

_ROMAN = r"m{0,4}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_NUMBER = (
    rf"(?:\d+|(?=[ivxlcdm]){_ROMAN}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?"
)
_KEYWORD_RE = re.compile(rf"^\[?(chapter|letter|canto|book|part|volume)\s+({_NUMBER})\b\.?\s*(.*?)\]?$", re.I)
_PART_WORDS = frozenset({"book", "part", "volume"})
_ROMAN_TITLE_RE = re.compile(r"^([IVXLC]+)\.\s+(\S.*)$")
_NUMERAL_RE = re.compile(r"^(?:[IVXLC]+|\d+)\.?$")
_MARKDOWN_RE = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_NAMED_RE = re.compile(
    r"^\[?(?:illustration:\s*)?(prologue|epilogue|preface|introduction|foreword|etymology|extracts|contents"
    r"|table of contents|afterword|appendix|dedication|acknowledge?ments|glossary|notes|list of illustrations"
    r"|(?:original )?transcriber[’']?s notes?)\b(.*)$",
    re.I,
)
_STORY_NAMES = frozenset({"prologue", "epilogue"})
_GUTENBERG_START_RE = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG", re.I)
_GUTENBERG_END_RE = re.compile(
    r"^(?:\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG|End of (?:the )?Project Gutenberg)", re.I
)
_END_MARK_RE = re.compile(r"^(?:the\s+end|finis)$", re.I)
_WORD_RE = re.compile(r"\w+")
_PAGE_NUMBER_RE = re.compile(r"\S\s{3,}(?:[ivxlcdm]+|\d+)\s*$", re.I)
_BLANK_LINES_RE = re.compile(r"^(?:[^\S\n]*\n)+")
# A heading followed by this little text is "empty" (a contents entry, not a chapter).
_EMPTY_BODY_WORDS = 5
_STYLE_ORDER = ("markdown", "keyword", "roman-title", "numeral")


class LeftOutKind(StrEnum):
    LICENCE = "licence"  # Project Gutenberg header and licence
    FRONT_MATTER = "front_matter"  # title page, preface, dedication, etymology, …
    CONTENTS = "contents"  # a table of contents that repeats the headings
    BACK_MATTER = "back_matter"  # "THE END", printer's notes, appendices, …
    EXCLUDED = "excluded"  # a chapter the author took out in the preview


@dataclass(frozen=True, slots=True)
class Chapter:
    title: str
    text: str  # the chapter's text, heading not included
    start: int  # offset in the source where the chapter (its heading) starts
    text_start: int  # offset in the source where ``text`` starts
    heading: str = ""  # the heading as written ("" for one made by splitting)
    part: str | None = None  # the enclosing "Book"/"Part"/"Volume" heading, if any


@dataclass(frozen=True, slots=True)
class LeftOut:
    kind: LeftOutKind
    title: str
    text: str
    start: int


@dataclass(frozen=True, slots=True)
class ManuscriptSplit:
    chapters: tuple[Chapter, ...]
    left_out: tuple[LeftOut, ...]
    style: str  # "markdown" | "keyword" | "roman-title" | "numeral" | "none"


class SplitEditError(ValueError):
    """An edit the preview cannot make; the message is meant for the author."""


@dataclass(frozen=True, slots=True)
class _Heading:
    style: str  # one of _STYLE_ORDER, or "named"
    role: str  # "chapter" | "part" | "matter"
    title: str
    start: int  # offset of the heading's first line
    end: int  # offset just after its last line
    level: int = 0  # Markdown level


def split_manuscript(text: str, fallback_title: str = "Chapter 1") -> ManuscriptSplit:
    """Chapters of a book in order, plus everything left out (see the module docstring)."""
    left: list[LeftOut] = []
    lo, hi = _gutenberg_bounds(text, left)
    lo = _yaml_front_matter(text, lo, left)
    headings = _candidates(text, lo, hi)
    style = next((s for s in _STYLE_ORDER if _count(headings, s) >= 2), "none")
    if style == "none":
        style = next((s for s in _STYLE_ORDER if _count(headings, s) == 1), "none")
    bounds = _boundaries(headings, style)
    hi = _end_mark(text, lo, hi, bounds, left)
    if bounds:
        title_page, start = _trimmed(text, lo, bounds[0].start)
        left.append(LeftOut(LeftOutKind.FRONT_MATTER, "Title page", title_page, start))
    bounds = _drop_contents(text, bounds, hi, left)
    chapters = _assemble(text, hi, bounds, left)
    if not chapters:
        body, body_start = _trimmed(text, lo, hi)
        if body:
            chapters.append(Chapter(fallback_title, body, body_start, body_start))
    left.sort(key=lambda item: item.start)
    return ManuscriptSplit(tuple(chapters), tuple(x for x in left if x.text), style)


def _count(headings: list[_Heading], style: str) -> int:
    return sum(1 for h in headings if h.style == style and h.role == "chapter")


def _gutenberg_bounds(text: str, left: list[LeftOut]) -> tuple[int, int]:
    lo, hi = 0, len(text)
    pos = 0
    for line in text.splitlines(keepends=True):
        if _GUTENBERG_START_RE.match(line) and lo == 0:
            lo = pos + len(line)
            left.append(LeftOut(LeftOutKind.LICENCE, "Project Gutenberg header", text[:lo].strip(), 0))
        elif _GUTENBERG_END_RE.match(line):
            hi = pos
            left.append(LeftOut(LeftOutKind.LICENCE, "Project Gutenberg licence", text[hi:].strip(), hi))
            break
        pos += len(line)
    return lo, hi


def _yaml_front_matter(text: str, lo: int, left: list[LeftOut]) -> int:
    """Markdown metadata (``---`` … ``---`` at the very top) is not prose."""
    m = re.match(r"[^\S\n]*---[^\S\n]*\n(?:.*\n){0,60}?[^\S\n]*(?:---|\.\.\.)[^\S\n]*(?:\n|$)", text[lo:])
    if not m:
        return lo
    left.append(LeftOut(LeftOutKind.FRONT_MATTER, "Metadata", m.group(0).strip(), lo))
    return lo + m.end()


def _classify(line: str) -> tuple[str, str, str, int, int] | None:
    """(style, role, title, Markdown level, length of the words after the number) of a
    heading line, or None."""
    m = _MARKDOWN_RE.match(line)
    if m:
        title = m.group(2).strip()
        named = _NAMED_RE.match(title)
        role = "matter" if named and named.group(1).lower() not in _STORY_NAMES else "chapter"
        return "markdown", role, title, len(m.group(1)), 0
    stripped = " ".join(line.split())
    if not stripped or len(stripped) > 120:
        return None
    m = _KEYWORD_RE.match(stripped)
    if m and len(m.group(3)) <= 100 and _title_like(stripped[m.end(2) :]):
        role = "part" if m.group(1).lower() in _PART_WORDS else "chapter"
        return "keyword", role, _clean_title(stripped), 0, len(m.group(3))
    m = _ROMAN_TITLE_RE.match(stripped)
    if (
        m
        and len(stripped) <= 100
        and not any(c.islower() for c in m.group(2))
        and sum(map(str.isalpha, m.group(2))) > 1
    ):
        return "roman-title", "chapter", stripped, 0, 0
    if _NUMERAL_RE.match(stripped):
        return "numeral", "chapter", stripped, 0, 0
    m = _NAMED_RE.match(stripped)
    if _PAGE_NUMBER_RE.search(line):
        return None  # an entry of a contents or illustrations list ("Dedication     vii")
    if m and len(m.group(2)) <= 60 and (stripped[:1].isupper() or stripped[:1] == "[") and _title_like(m.group(2)):
        role = "chapter" if m.group(1).lower() in _STORY_NAMES else "matter"
        return "named", role, _clean_title(stripped), 0, len(m.group(2))
    return None


def _title_like(rest: str) -> bool:
    """What follows "Chapter 3" or "Notes" in a heading: nothing, punctuation, or a
    capitalised title — not a sentence going on ("Chapter 3 of the report says …")."""
    rest = rest.strip()
    return not rest or not rest[0].isalpha() or rest[0].isupper()


def _clean_title(title: str) -> str:
    title = re.sub(r"^\[(?:illustration:\s*)?", "", title, flags=re.I)
    return " ".join(title.rstrip("]").split())


def _candidates(text: str, lo: int, hi: int) -> list[_Heading]:
    lines: list[tuple[int, str]] = []
    pos = lo
    for line in text[lo:hi].splitlines(keepends=True):
        lines.append((pos, line))
        pos += len(line)
    kinds = [_classify(line) for _, line in lines]
    blank = [not line.strip() for _, line in lines]
    out: list[_Heading] = []
    k = 0
    while k < len(lines):
        kind = kinds[k]
        after_blank = k == 0 or blank[k - 1]
        in_block = k > 0 and kinds[k - 1] is not None and not blank[k - 1]  # a contents list
        if kind is None or not (after_blank or in_block or kind[0] == "markdown"):
            k += 1
            continue
        style, role, title, level, rest = kind
        para_end = k
        while para_end + 1 < len(lines) and not blank[para_end + 1]:
            para_end += 1
        last = k
        if style != "markdown" and para_end > k:
            extra = [lines[j][1].strip() for j in range(k + 1, para_end + 1)]
            if kinds[k + 1] is not None:
                pass  # the next line is a heading too: a contents list
            elif (
                para_end - k <= 2
                and sum(map(len, extra)) <= 150
                and all(kinds[j] is None for j in range(k + 1, para_end + 1))
            ):
                # A short paragraph: the title goes on ("CHAPTER I." / "Down the Rabbit-Hole").
                last = para_end
                title = " ".join([title, *extra])
            elif style == "named" or rest > 40:
                k += 1  # prose that happens to open with "Notes" or "Chapter 3 of the report"
                continue
        end = lines[last][0] + len(lines[last][1])
        out.append(_Heading(style, role, title, lines[k][0], end, level))
        k = last + 1
    return out


def _boundaries(headings: list[_Heading], style: str) -> list[_Heading]:
    """The headings that start a piece: the chapter style, parts, named sections."""
    if style == "markdown":
        levels = sorted({h.level for h in headings if h.style == "markdown"})
        level = next((lv for lv in levels if sum(1 for h in headings if h.level == lv) >= 2), levels[0])
        out = []
        for h in headings:
            if h.style == "markdown" and h.level < level:
                out.append(replace(h, role="part"))
            elif (h.style == "markdown" and h.level == level) or h.style == "named":
                out.append(h)
        return out
    return [h for h in headings if h.style in (style, "named")]


def _end_mark(text: str, lo: int, hi: int, bounds: list[_Heading], left: list[LeftOut]) -> int:
    """Cut at a closing "THE END"/"FINIS" paragraph after the last heading."""
    floor = bounds[-1].end if bounds else lo
    paragraphs = [(m.start(), m.group()) for m in re.finditer(r"\S(?:.*\S)?(?:\n[^\S\n]*\S.*)*", text[floor:hi])]
    for n in range(len(paragraphs) - 1, max(-1, len(paragraphs) - 8), -1):
        start, para = paragraphs[n]
        words = re.sub(r"\[(?:illustration:?)?|\]|[_*#.]", " ", para, flags=re.I)
        if _END_MARK_RE.match(" ".join(words.split())):
            # An illustration bracket opened just before the mark goes with it.
            if n > 0 and paragraphs[n - 1][1].count("[") > paragraphs[n - 1][1].count("]"):
                start = paragraphs[n - 1][0]
            cut = floor + start
            left.append(LeftOut(LeftOutKind.BACK_MATTER, "The end", text[cut:hi].strip(), cut))
            return cut
    return hi


def _body_words(text: str, bounds: list[_Heading], k: int, hi: int) -> int:
    stop = bounds[k + 1].start if k + 1 < len(bounds) else hi
    return len(_WORD_RE.findall(text, bounds[k].end, stop))


def _drop_contents(text: str, bounds: list[_Heading], hi: int, left: list[LeftOut]) -> list[_Heading]:
    """Leave out a table of contents: before the first chapter with text, a run of two or
    more headings without text most of whose titles come again later as headings."""
    empty = [_body_words(text, bounds, k, hi) < _EMPTY_BODY_WORDS for k in range(len(bounds))]
    keys = [_key(h.title) for h in bounds]
    drop: set[int] = set()
    k = 0
    while k < len(bounds):
        if bounds[k].role == "chapter" and not empty[k]:
            break  # the book has begun
        run_end = k
        while run_end + 1 < len(bounds) and empty[run_end] and empty[run_end + 1]:
            run_end += 1
        later = keys[run_end + 1 :]
        repeated = sum(1 for j in range(k, run_end + 1) if _repeated(keys[j], later))
        if run_end > k and repeated * 2 >= run_end - k + 1:
            drop.update(range(k, run_end + 1))
            after = run_end + 1
            if after < len(bounds) and _repeated(keys[after], keys[after + 1 :]):
                drop.add(after)  # the last entry, followed by a note rather than a heading
                run_end = after
            stop = bounds[run_end + 1].start if run_end + 1 < len(bounds) else hi
            left.append(
                LeftOut(LeftOutKind.CONTENTS, "Contents", text[bounds[k].start : stop].strip(), bounds[k].start)
            )
        k = run_end + 1
    return [h for k, h in enumerate(bounds) if k not in drop]


def _repeated(key: str, later: list[str]) -> bool:
    """Whether a contents entry names a later heading (entries may add page numbers)."""
    return bool(key) and any(
        other and (key == other or key.startswith(other + " ") or other.startswith(key + " ")) for other in later
    )


def _key(title: str) -> str:
    return " ".join(_WORD_RE.findall(title.lower()))


def _trimmed(text: str, start: int, stop: int) -> tuple[str, int]:
    """Text between two offsets without its surrounding blank lines (indentation kept)."""
    piece = text[start:stop]
    m = _BLANK_LINES_RE.match(piece)
    skip = m.end() if m else 0
    return piece[skip:].rstrip(), start + skip


def _assemble(text: str, hi: int, bounds: list[_Heading], left: list[LeftOut]) -> list[Chapter]:
    chapters: list[Chapter] = []
    part: str | None = None
    for k, h in enumerate(bounds):
        stop = bounds[k + 1].start if k + 1 < len(bounds) else hi
        body, body_start = _trimmed(text, h.end, stop)
        heading = text[h.start : h.end].strip()
        if h.role == "part":
            part = h.title
            if body:
                left.append(LeftOut(LeftOutKind.FRONT_MATTER, h.title, body, body_start))
        elif h.role == "chapter":
            chapters.append(Chapter(h.title, body, h.start, body_start, heading, part))
        else:
            kind = LeftOutKind.BACK_MATTER if chapters else LeftOutKind.FRONT_MATTER
            left.append(LeftOut(kind, h.title, f"{heading}\n\n{body}".strip(), h.start))
    return chapters


# --- edits made in the preview -------------------------------------------------------


def _chapter(split: ManuscriptSplit, index: int) -> Chapter:
    if not 0 <= index < len(split.chapters):
        raise SplitEditError(f"There is no chapter {index + 1}; the book has {len(split.chapters)}.")
    return split.chapters[index]


def _with_chapters(split: ManuscriptSplit, chapters: list[Chapter]) -> ManuscriptSplit:
    return replace(split, chapters=tuple(chapters))


def merge(split: ManuscriptSplit, index: int) -> ManuscriptSplit:
    """Chapter ``index`` and the next one become one chapter; the second heading stays in
    the text as a line of its own, so nothing the book said is lost."""
    first, second = _chapter(split, index), _chapter(split, index + 1) if index + 1 < len(split.chapters) else None
    if second is None:
        raise SplitEditError("The last chapter has no next chapter to merge with.")
    parts = [first.text, second.heading, second.text]
    merged = replace(first, text="\n\n".join(p for p in parts if p))
    chapters = list(split.chapters)
    chapters[index : index + 2] = [merged]
    return _with_chapters(split, chapters)


def split_chapter(split: ManuscriptSplit, index: int, offset: int, title: str | None = None) -> ManuscriptSplit:
    """Chapter ``index`` becomes two at ``offset`` (a position in its text). The new
    chapter is called ``title``, else by its first line when that is short."""
    chapter = _chapter(split, index)
    head, tail = chapter.text[:offset].rstrip(), chapter.text[offset:]
    body = tail.strip()
    if not head or not body:
        raise SplitEditError("Split inside the chapter's text: both new chapters need some text.")
    first_line = body.splitlines()[0].strip()
    new_title = (title or "").strip() or (first_line if len(first_line) <= 80 else f"{chapter.title} (continued)")
    tail_start = chapter.text_start + offset + (len(tail) - len(tail.lstrip()))
    chapters = list(split.chapters)
    chapters[index : index + 1] = [
        replace(chapter, text=head),
        Chapter(new_title, body, tail_start, tail_start, "", chapter.part),
    ]
    return _with_chapters(split, chapters)


def rename(split: ManuscriptSplit, index: int, title: str) -> ManuscriptSplit:
    _chapter(split, index)
    clean = " ".join(title.split())
    if not clean:
        raise SplitEditError("A chapter needs a title.")
    chapters = list(split.chapters)
    chapters[index] = replace(chapters[index], title=clean)
    return _with_chapters(split, chapters)


def include(split: ManuscriptSplit, left_index: int) -> ManuscriptSplit:
    """A left-out piece (a preface, Moby-Dick's Extracts) becomes a chapter, in book order."""
    if not 0 <= left_index < len(split.left_out):
        raise SplitEditError("That part of the file is not in the list of left-out parts.")
    piece = split.left_out[left_index]
    chapter = Chapter(piece.title, piece.text, piece.start, piece.start)
    chapters = sorted([*split.chapters, chapter], key=lambda c: c.start)
    left = split.left_out[:left_index] + split.left_out[left_index + 1 :]
    return replace(split, chapters=tuple(chapters), left_out=left)


def exclude(split: ManuscriptSplit, index: int) -> ManuscriptSplit:
    """Chapter ``index`` is not a chapter after all; it stays listed, so it can come back."""
    chapter = _chapter(split, index)
    text = "\n\n".join(p for p in (chapter.heading, chapter.text) if p)
    piece = LeftOut(LeftOutKind.EXCLUDED, chapter.title, text, chapter.start)
    left = tuple(sorted([*split.left_out, piece], key=lambda x: x.start))
    return replace(split, chapters=split.chapters[:index] + split.chapters[index + 1 :], left_out=left)
