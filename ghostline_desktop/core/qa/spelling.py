"""SPELLING against pyspellchecker's offline English dictionary, learning the book's own words.

Only lower-case words are checked (a capitalised word may be a name; names are the name
check's business). A word is flagged only when

* the dictionary does not know it,
* the book uses it at most :data:`MAX_BOOK_USES` times (a word the author writes again and
  again is a coinage or a dialect form: "shew", "Wonderland-ish", not a typo), and
* the dictionary knows a word one edit away (so it looks like a slip of the keys, not an
  unusual but deliberate word); that word is the suggestion.

The dictionary (~160,000 words) is loaded once per process and lookups are cached, so a
chapter costs a set lookup per distinct word.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ghostline_desktop.core.enums import FindingType, Severity
from ghostline_desktop.core.qa.model import ChapterText, Finding
from ghostline_desktop.core.qa.text import line_excerpt

MAX_BOOK_USES = 2
MIN_LENGTH = 4


@functools.cache
def _checker():  # type: ignore[no-untyped-def]
    from spellchecker import SpellChecker

    return SpellChecker(distance=1)


@functools.lru_cache(maxsize=200_000)
def is_known(word: str) -> bool:
    """The dictionary knows ``word`` (lower case)."""
    return word in _checker().word_frequency.dictionary


# British forms of the dictionary's American spellings ("colour", "realise", "centre",
# "travelled"): both are correct English, the dictionary has one.
_BRITISH = (("our", "or"), ("ise", "ize"), ("ised", "ized"), ("ises", "izes"), ("ising", "izing"),
            ("isation", "ization"), ("yse", "yze"), ("tre", "ter"), ("tres", "ters"), ("tred", "tered"),
            ("ogue", "og"), ("lled", "led"), ("lling", "ling"), ("ller", "ler"), ("ence", "ense"), ("mme", "m"),
            ("ould", "old"), ("aught", "aft"), ("aughts", "afts"), ("ys", "yz"), ("bre", "ber"),
            ("ise", "ice"), ("æ", "ae"), ("œ", "oe"))  # fmt: skip
_PREFIXES = ("un", "re", "dis", "over", "under", "out", "non", "mis", "fore", "in", "half", "self")
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ings", "ly", "less", "ness", "ful", "er", "ers", "est", "like")


@functools.lru_cache(maxsize=200_000)
def is_accepted(word: str) -> bool:
    """Known, a British spelling of a known word, or a known word with a regular suffix."""
    if is_known(word):
        return True
    for gb, us in _BRITISH:
        if gb in word and is_known(word.replace(gb, us)):
            return True
    if any(is_known(word[:i] + word[i + 1] + word[i] + word[i + 2 :]) for i in range(len(word) - 1)):
        return False  # two letters swapped from a known word ("ledaing"): a typo, not "leda" + "ing"
    for suffix in _SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and (is_known(stem) or is_known(stem + "e")):
            return True
    if word.endswith("re") and is_known(word[:-2] + "er"):  # "sepulchre", "meagre"
        return True
    # "unhealing", "overwise": a regular prefix on a word that passes
    return any(word.startswith(p) and len(word) - len(p) >= 4 and is_accepted(word[len(p) :]) for p in _PREFIXES)


@functools.lru_cache(maxsize=20_000)
def suggestion(word: str) -> str | None:
    """The most frequent dictionary word one edit away, if any."""
    sc = _checker()
    known = sc.known(sc.edit_distance_1(word))
    if not known:
        return None
    freq = sc.word_frequency.dictionary
    return max(known, key=lambda w: (freq[w], w))


@dataclass(frozen=True)
class SpellingData:
    unknown: tuple[tuple[str, int, int], ...]  # (word, start, end) of each unknown lower-case word


def extract_spelling(text: str) -> SpellingData:
    """The unknown lower-case words of one chapter's ``text``, with their spans.

    Pass narration only (dialogue blanked): dialogue spells dialect on purpose ("whalin'",
    "purty"). Each distinct word is looked up once; spans are found only for unknown ones.
    """
    unknown: set[str] = set()
    for w in set(_LOWER_WORD_RE.findall(text)):
        if len(w) < MIN_LENGTH or not w.isascii():
            continue  # foreign words (employé, cœur) the dictionary cannot judge
        key = _normalise(w)
        if key and len(key) >= MIN_LENGTH and not is_accepted(key):
            unknown.add(w)
    if not unknown:
        return SpellingData(())
    out: list[tuple[str, int, int]] = []
    for m in _LOWER_WORD_RE.finditer(text):
        if m.group() in unknown:
            key = _normalise(m.group()) or m.group()
            out.append((key, m.start(), m.start() + len(key)))
    return SpellingData(tuple(out))


_LOWER_WORD_RE = re.compile(r"(?<![^\W\d_])[a-z][^\W\d_]*(?:['’][^\W\d_]+)*")


def _normalise(word: str) -> str | None:
    """Lower case, possessive dropped; words with other apostrophes (o’clock, ’tis) skipped."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return None if "'" in w else w


def check_spelling(chapters: Iterable[tuple[ChapterText, SpellingData]], book_counts: Counter[str]) -> list[Finding]:
    """Findings for rare unknown words that are one edit from a dictionary word."""
    out: list[Finding] = []
    for ch, data in chapters:
        for w, s, e in data.unknown:
            if book_counts[w] > MAX_BOOK_USES:
                continue
            fix = suggestion(w)
            if fix is None:
                continue
            out.append(
                Finding(
                    finding_type=FindingType.SPELLING,
                    severity=Severity.LOW,
                    is_blocking=False,
                    chapter_id=ch.chapter_id,
                    start=s,
                    end=e,
                    excerpt=line_excerpt(ch.text, s, e),
                    title=f"“{w}” — did you mean “{fix}”?",
                    explanation=f"“{w}” is not in the dictionary and the book does not use it elsewhere.",
                    suggestion=f"Replace with “{fix}”, or ignore if the word is intended.",
                    rule="spelling.unknown",
                    subject=w,
                    revision_id=ch.revision_id,
                )
            )
    return out
