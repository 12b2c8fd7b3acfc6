"""Split extracted text into retrieval chunks (pure, no I/O, imports nothing of ours but core).

A chunk is what search ranks and what a result shows, so it should read as a unit: about
``target_tokens`` (1,000) long, ending on a paragraph break where one is near, else on a
sentence end, and only inside a sentence (between words) when a sentence alone is longer
than a chunk. Consecutive chunks share about ``overlap_tokens`` (100) of whole trailing
sentences so a passage cut by a boundary is still found whole in one of them.

Positions: ``char_start``/``char_end`` are offsets into ``"\\n\\n".join(seg.text for seg in
segments)`` (the same join as ``Extraction.text``), and ``joined[char_start:char_end] ==
chunk.text`` exactly; a chunk never starts or ends with whitespace, and every non-space
character of the input lies in at least one chunk. ``page`` and ``section`` are those of the
segment where the chunk starts (a PDF page break inside a chunk is not a boundary: short
pages would otherwise make tiny chunks). A change of ``section`` (a new EPUB chapter or
DOCX heading) always ends a chunk and overlap never reaches back across it, so a chunk's
label is true for all of its text.

Speed: one pass of two regexes and a C-level token estimate per sentence; Moby-Dick
(1.2 MB, ~10,000 sentences) chunks in a few tens of milliseconds.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ghostline_desktop.core.tokens import ASCII_CHARS_PER_TOKEN, estimate_tokens

SEPARATOR = "\n\n"

# Boundary strength before a unit; the packer prefers to cut at the strongest one near the target.
_PARAGRAPH = 2
_SENTENCE = 1
_WORDS = 0
_HARD = -1  # inside a "word" longer than a whole chunk (a URL, base64, a line of dashes)

# A chunk cut early at a paragraph or sentence end must still be at least this full.
_MIN_FILL = 0.6

_PARA_BREAK_RE = re.compile(r"\n\s*\n")
# Sentence ends: terminal punctuation, optional closing quotes/brackets, then space; CJK
# full-width terminators need no space after them.
_SENT_END_RE = re.compile(r"[.!?…。！？]+[\"'”’)\]»」』]*\s*")  # one leading class: re scans it fast
_CJK_STOPS = "。！？"
_WORD_BEFORE_RE = re.compile(r"(\w+)$")
_SPACE_RE = re.compile(r"\s+")
# A full stop after these is not a sentence end ("Mr. Darcy", "St. Paul's", "e.g. this").
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "prof",
        "capt",
        "col",
        "gen",
        "lt",
        "sgt",
        "rev",
        "hon",
        "messrs",
        "mme",
        "mlle",
        "mt",
        "no",
        "vs",
        "etc",
        "viz",
        "cf",
        "fig",
        "vol",
        "ch",
        "p",
        "pp",
    ]
)


class SegmentLike(Protocol):
    """Anything with the shape of ``ingest.base.Segment`` (core must not import ingest)."""

    @property
    def text(self) -> str: ...

    @property
    def page(self) -> int | None: ...

    @property
    def section(self) -> str | None: ...


@dataclass(frozen=True)
class Chunk:
    index: int  # 0-based, reading order
    text: str
    char_start: int  # offsets into the "\n\n"-joined segment texts
    char_end: int
    page: int | None  # page of the segment where the chunk starts
    section: str | None
    token_count: int  # estimate_tokens(text)


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    end: int
    tokens: int
    boundary: int  # strength of the boundary before this unit


def chunk_segments(
    segments: Sequence[SegmentLike], *, target_tokens: int = 1000, overlap_tokens: int = 100
) -> list[Chunk]:
    """Chunks of about ``target_tokens`` over ``segments`` in reading order (see the module doc)."""
    if target_tokens < 1:
        raise ValueError("target_tokens must be at least 1")
    if not 0 <= overlap_tokens < target_tokens:
        raise ValueError("overlap_tokens must be at least 0 and less than target_tokens")
    texts = [seg.text for seg in segments]
    joined = SEPARATOR.join(texts)
    starts: list[int] = []
    pos = 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + len(SEPARATOR)

    def page_at(offset: int) -> int | None:
        return segments[bisect.bisect_right(starts, offset) - 1].page

    chunks: list[Chunk] = []
    first = 0
    while first < len(segments):
        # A run of consecutive segments with the same section is chunked on its own.
        last = first
        while last + 1 < len(segments) and segments[last + 1].section == segments[first].section:
            last += 1
        run_start = starts[first]
        run_end = starts[last] + len(texts[last])
        units = _units(joined, run_start, run_end, target_tokens, overlap_tokens)
        for begin, end in _pack(units, target_tokens, overlap_tokens, page_at):
            char_start, char_end = units[begin].start, units[end - 1].end
            seg = segments[bisect.bisect_right(starts, char_start) - 1]
            text = joined[char_start:char_end]
            chunks.append(
                Chunk(
                    index=len(chunks),
                    text=text,
                    char_start=char_start,
                    char_end=char_end,
                    page=seg.page,
                    section=seg.section,
                    token_count=estimate_tokens(text),
                )
            )
        first = last + 1
    return chunks


def _units(joined: str, start: int, end: int, target: int, overlap: int) -> list[_Unit]:
    """Sentences (or word runs of over-long sentences) of ``joined[start:end]``, spaces excluded."""
    units: list[_Unit] = []
    para_start = start
    for m in _PARA_BREAK_RE.finditer(joined, start, end):
        _paragraph_units(joined, para_start, m.start(), target, overlap, units)
        para_start = m.end()
    _paragraph_units(joined, para_start, end, target, overlap, units)
    return units


def _paragraph_units(joined: str, start: int, end: int, target: int, overlap: int, out: list[_Unit]) -> None:
    # Trim surrounding whitespace so units (and so chunks) start and end on text.
    while start < end and joined[start].isspace():
        start += 1
    while end > start and joined[end - 1].isspace():
        end -= 1
    if start >= end:
        return
    boundary = _PARAGRAPH
    sent_start = start
    for m in _SENT_END_RE.finditer(joined, start, end):
        if m.end() >= end:
            break
        sent_end = m.start() + len(m.group().rstrip())
        if sent_end == m.end() and joined[m.start()] not in _CJK_STOPS:
            continue  # "3.14", "e.g.x": Western sentence ends need a space after them
        if not _is_sentence_end(joined, m.start(), m.end()):
            continue
        _sentence_units(joined, sent_start, sent_end, boundary, target, overlap, out)
        boundary = _SENTENCE
        sent_start = m.end()
    _sentence_units(joined, sent_start, end, boundary, target, overlap, out)


def _is_sentence_end(joined: str, punct_start: int, next_start: int) -> bool:
    following = joined[next_start] if next_start < len(joined) else ""
    if following.islower():  # "Oh! said he", "etc. and so on"
        return False
    if joined[punct_start] == "." and punct_start + 1 < len(joined) and joined[punct_start + 1] == ".":
        return True  # an ellipsis "..." followed by a capital
    if joined[punct_start] != ".":
        return True
    word = _WORD_BEFORE_RE.search(joined, max(0, punct_start - 12), punct_start)
    if word is None:
        return True
    w = word.group(1)
    # Initials ("J. R. Smith") and common abbreviations do not end sentences.
    return not ((len(w) == 1 and w.isupper()) or w.lower() in _ABBREVIATIONS)


def _sentence_units(
    joined: str, start: int, end: int, boundary: int, target: int, overlap: int, out: list[_Unit]
) -> None:
    if start >= end:
        return
    text = joined[start:end]
    tokens = estimate_tokens(text)
    if tokens <= target:
        out.append(_Unit(start, end, tokens, boundary))
        return
    # A sentence longer than a chunk (or a paragraph with no sentence ends at all): cut it into
    # word runs small enough for the overlap to work with, always between words.
    piece_tokens = max(1, min(target // 4, overlap or target // 4))
    piece_chars = max(1, int(piece_tokens * len(text) / tokens))
    hard_chars = max(1, int(target * len(text) / tokens))
    pos = start
    while pos < end:
        limit = pos + piece_chars
        if limit >= end:
            cut, next_pos = end, end
        else:
            space = _last_space(joined, pos, limit + 1)
            if space is not None:
                cut, next_pos = space
            else:
                found = _SPACE_RE.search(joined, limit, end)
                if found is not None and found.start() - pos <= hard_chars:
                    cut, next_pos = found.start(), found.end()
                else:  # one "word" longer than a whole chunk: cut it, but not before a combining mark
                    cut = min(end, pos + hard_chars)
                    while cut < end and unicodedata.combining(joined[cut]):
                        cut += 1
                    next_pos = cut
        piece = joined[pos:cut]
        out.append(_Unit(pos, cut, estimate_tokens(piece), boundary))
        boundary = _HARD if next_pos == cut and cut < end else _WORDS
        pos = next_pos


_SPACES = " \n\t\r\f\v\u00a0\u3000"


def _last_space(joined: str, start: int, stop: int) -> tuple[int, int] | None:
    """(end of the text before, start of the text after) the last whitespace run in (start, stop)."""
    i = max(joined.rfind(ch, start + 1, stop) for ch in _SPACES)
    if i < 0:
        return None
    after = i + 1
    while i > start and joined[i - 1].isspace():
        i -= 1
    if i <= start:
        return None
    while after < len(joined) and joined[after].isspace():
        after += 1
    return i, after


def _pack(units: list[_Unit], target: int, overlap: int, page_at: Callable[[int], int | None]) -> list[tuple[int, int]]:
    """Greedy packing of units into [begin, end) index ranges with a preferred cut and overlap."""
    ranges: list[tuple[int, int]] = []
    n = len(units)
    begin = 0
    while begin < n:
        total = units[begin].tokens
        end = begin + 1
        while end < n and total + _cost(units, end) <= target:
            total += _cost(units, end)
            end += 1
        # Every chunk brings new text: it ends past the previous one, whatever the overlap took.
        lowest = max(begin, ranges[-1][1] if ranges else 0) + 1
        end = max(end, lowest)
        if end < n:
            end = _preferred_cut(units, begin, end, target, lowest)
        ranges.append((begin, end))
        if end >= n:
            break
        begin = _overlap_start(units, begin, end, target, overlap, page_at)
    return ranges


def _cost(units: list[_Unit], i: int) -> int:
    """Tokens that unit ``i`` adds after unit ``i - 1``: its own plus the whitespace between them
    (runs of spaces in tables of contents would otherwise go uncounted)."""
    return units[i].tokens + max(0, units[i].start - units[i - 1].end - 1) // ASCII_CHARS_PER_TOKEN


def _preferred_cut(units: list[_Unit], begin: int, end: int, target: int, lowest: int) -> int:
    """The latest cut in [lowest, end] at the strongest boundary that keeps the chunk full enough."""
    fill = [0] * (end - begin + 1)
    for i in range(begin, end):
        fill[i - begin + 1] = fill[i - begin] + (units[i].tokens if i == begin else _cost(units, i))
    floor = _MIN_FILL * target
    for level in (_PARAGRAPH, _SENTENCE, _WORDS):
        for k in range(end, lowest - 1, -1):
            if fill[k - begin] < floor:
                break
            if units[k].boundary >= level:
                return k
    return end


def _overlap_start(
    units: list[_Unit], begin: int, end: int, target: int, overlap: int, page_at: Callable[[int], int | None]
) -> int:
    """First unit of the next chunk: whole trailing units of this one worth about ``overlap`` tokens.

    The overlap stays on the page where the next chunk's new text starts, since a chunk is
    cited by the page it starts on.
    """
    if overlap <= 0:
        return end
    page = page_at(units[end].start)
    budget = target - units[end].tokens  # the overlap must leave room for new text
    total = 0
    start = end
    while start - 1 > begin and total + units[start - 1].tokens <= min(overlap, budget):
        if page_at(units[start - 1].start) != page:
            break
        start -= 1
        total += units[start].tokens
    if (
        start == end
        and end - 1 > begin
        and units[end - 1].tokens <= min(2 * overlap, budget)
        and page_at(units[end - 1].start) == page
    ):
        start = end - 1  # one long last sentence is still better than no overlap at all
    return start


__all__ = ["Chunk", "SegmentLike", "chunk_segments"]
