"""Shared text plumbing for the QA checks: paragraphs, dialogue spans, sentences, words.

Every helper keeps character offsets into the chapter text, so a finding's ``start``/``end``
are exact. The patterns are compiled once at import: the checks run over a whole novel in
well under a second, and a regex compiled per call would dominate that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before
# whitespace; abbreviations like "Mr." are rejoined by ``sentences``.
_SENTENCE_END_RE = re.compile(r"[.!?]+[”\"’')\]]*(?=\s)|\n[ \t]*\n")
TITLES = frozenset(
    {"Mr", "Mrs", "Ms", "Miss", "Dr", "Sir", "Lady", "Lord", "Captain", "Colonel", "Professor", "Prof", "St",
     "Madame", "Mme", "Mlle", "Monsieur", "Aunt", "Uncle", "Master", "Mistress", "Rev", "Capt", "Col", "Gen",
     "General", "Major", "Lieutenant", "Sergeant", "Inspector", "Father", "Mother", "Brother", "Sister", "King",
     "Queen", "Prince", "Princess", "Duke", "Duchess", "Count", "Countess", "Baron", "Judge", "Mister"}
)  # fmt: skip
_ABBREVIATIONS = frozenset(
    {"Mr", "Mrs", "Ms", "Dr", "St", "Prof", "Rev", "Capt", "Col", "Gen", "Mme", "Mlle", "Jr", "Sr"}
)
OPEN_QUOTES = '“"'
CLOSE_QUOTES = '”"'


_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n\s*")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: text separated by blank lines, outer whitespace trimmed."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _BLANK_LINE_RE.finditer(text):
        _add_paragraph(text, pos, m.start(), out)
        pos = m.end()
    _add_paragraph(text, pos, len(text), out)
    return out


def _add_paragraph(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append((start, end))


def quote_spans(text: str, para: tuple[int, int]) -> list[tuple[int, int, bool]]:
    """Dialogue inside one paragraph: (start, end, closed) per double-quoted span.

    Curly quotes pair by direction; straight quotes alternate. An opening quote left open
    at the paragraph's end runs to the end (the convention for a speech that continues in
    the next paragraph), reported with ``closed=False``.
    """
    start, end = para
    spans: list[tuple[int, int, bool]] = []
    open_at = -1
    for m in _QUOTE_CHAR_RE.finditer(text, start, end):
        ch, i = m.group(), m.start()
        if ch == "“" or (ch == '"' and open_at < 0):
            if open_at < 0:
                open_at = i
        elif open_at >= 0:  # ” or a closing straight quote
            spans.append((open_at, i + 1, True))
            open_at = -1
        elif not spans:  # a close with no open: the speech began in an earlier paragraph
            spans.append((start, i + 1, True))
    if open_at >= 0:
        spans.append((open_at, end, False))
    return spans


_QUOTE_CHAR_RE = re.compile(r"[“”\"]")


_ASIDE_RE = re.compile(r"(?<![^\W\d_])‘[^‘’\n]*(?:\n(?!\s*\n)[^‘’\n]*)*’(?![^\W\d_])|\[[^\[\]]*\]")


def narration_mask(text: str, paras: list[tuple[int, int]] | None = None) -> str:
    """The text with every dialogue span blanked to spaces (same length, same offsets).

    Single-quoted spans (quotations, songs, speech inside speech) and square-bracketed
    ones (illustration captions, editorial notes) are blanked too: they are not narration.
    """
    paras = paragraphs(text) if paras is None else paras
    out = list(text)
    for para in paras:
        for s, e, _closed in quote_spans(text, para):
            out[s:e] = " " * (e - s)
    for m in _ASIDE_RE.finditer(text):
        s, e = m.span()
        out[s:e] = " " * (e - s)
    return "".join(out)


def sentences(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence in ``text[start:end]``, abbreviations like "Mr." kept inside."""
    end = len(text) if end is None else end
    pos = start
    for m in _SENTENCE_END_RE.finditer(text, start, end):
        if m.group().startswith(".") and len(m.group()) == 1:
            w = text.rfind(" ", pos, m.start()) + 1
            word = text[max(w, pos) : m.start()].lstrip("“\"'‘(")
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
                continue
        s = _skip_space(text, pos, m.end())
        if s < m.end():
            yield s, m.end()
        pos = m.end()
    s = _skip_space(text, pos, end)
    if s < end:
        yield s, end


_NON_SPACE_RE = re.compile(r"\S")


def _skip_space(text: str, pos: int, end: int) -> int:
    m = _NON_SPACE_RE.search(text, pos, end)
    return end if m is None else m.start()


def line_excerpt(text: str, start: int, end: int, width: int = 60) -> str:
    """The finding's own text with a little context, on one line (for the panel)."""
    a = max(0, start - width)
    b = min(len(text), end + width)
    snippet = " ".join(text[a:b].split())
    return ("…" if a > 0 else "") + snippet + ("…" if b < len(text) else "")
