"""Word counting for chapters, notes and sources (pure, no I/O).

Counting rules, chosen to match what an author expects from a word processor:

- a word is a run of letters, digits and combining marks; ``don't``, ``’tis``,
  ``rock'n'roll`` and ``well-known`` are one word each (an apostrophe or a single
  hyphen *inside* a word joins it); ``3.14`` and ``1,000`` are one word;
- dashes used as punctuation (``—``, ``--``), Markdown marks (``#``, ``*``, ``>``)
  and other symbols are not words;
- Chinese, Japanese and Korean ideographs/kana count one word per character, the
  usual convention for scripts written without spaces;
- text is NFC-normalised first so a decomposed ``café`` (e + U+0301) counts once.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Iterator

# Apostrophes and hyphens that join the parts of one word.
_JOINERS = "'\u2019\u02bc\u2010\u2011-"
# Ideographic and kana blocks: one word per character.
_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"


@functools.cache
def _mark_class() -> str:
    """A regex character-class body of every combining mark (categories Mn, Mc, Me).

    Python's ``\\w`` excludes spacing marks (Devanagari vowel signs, for example), which
    would split one Hindi word into several; computed once, lazily, over the planes that
    hold marks.
    """
    ranges: list[tuple[int, int]] = []
    for cp in range(0x300, min(sys.maxunicode, 0x1FFFF) + 1):
        if unicodedata.category(chr(cp)).startswith("M"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


@functools.cache
def _word_re() -> re.Pattern[str]:
    char = rf"(?:[^\W_]|[{_mark_class()}])"
    return re.compile(rf"{char}+(?:(?:[{_JOINERS}]|(?<=\d)[.,](?=\d)){char}+)*")


_CJK_RE = re.compile(f"[{_CJK_CHARS}]")
# The same rule without the (very large) combining-mark class: 4x faster, and exact for any text
# that holds no combining mark, which after NFC is nearly all prose in Latin scripts.
_PLAIN_WORD_RE = re.compile(rf"[^\W_]+(?:(?:[{_JOINERS}]|(?<=\d)[.,](?=\d))[^\W_]+)*")


def _regex_for(text: str) -> re.Pattern[str]:
    if text.isascii():
        return _PLAIN_WORD_RE
    # The distinct characters of a chapter are a few hundred: checking them is cheap.
    if any(unicodedata.category(c)[0] == "M" for c in set(text) if c >= "\u0300"):
        return _word_re()
    return _PLAIN_WORD_RE


def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if _CJK_RE.search(text):
        text = _CJK_RE.sub(r" \g<0> ", text)
    return text


def iter_words(text: str) -> Iterator[str]:
    """The words of ``text`` in order, by the rules in this module's docstring."""
    if not text:
        return
    prepared = _prepare(text)
    for match in _regex_for(prepared).finditer(prepared):
        yield match.group(0)


def count_words(text: str | None) -> int:
    """How many words ``text`` holds (0 for ``None`` or blank text)."""
    if not text or text.isspace():
        return 0
    prepared = _prepare(text)
    return len(_regex_for(prepared).findall(prepared))


def reading_minutes(words: int, words_per_minute: int = 250) -> int:
    """Rounded-up reading time, at least one minute for any text."""
    if words <= 0:
        return 0
    return max(1, -(-words // words_per_minute))
