"""NAME_INCONSISTENCY: one character or place spelled two ways ("Darcy"/"Darcey").

Two stages, so the expensive one runs per chapter and can be cached by the chapter's text:

* :func:`extract_names` (per chapter): every capitalised word with its span, whether it
  starts a sentence (where any word is capitalised) and whether a title ("Mr.", "Lady")
  precedes it.
* :func:`check_names` (book level): a word is a *name* when it is capitalised mid-sentence
  and (almost) never written in lower case in the book. A *rare variant* (≤ 3 uses) one
  edit away from a *frequent name* (used many times more) is flagged at each use.
  Two frequent names are never flagged against each other: "Jane" and "Jean" both used
  often are two people. Plurals and possessives ("the Bingleys") are the same name.

Candidates are found with a deletion index (each name and its one-letter deletions), so the
book-level stage is linear in the number of distinct names, not quadratic.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from ghostline_desktop.core.enums import FindingType, Severity
from ghostline_desktop.core.qa.model import ChapterText, Finding
from ghostline_desktop.core.qa.text import TITLES, line_excerpt

_CAP_WORD_RE = re.compile(r"(?<![\w'’-])([A-Z][a-z]+(?:[A-Z][a-z]+)?)(?:['’]s)?(?![\w-])")
_NOT_NAMES = frozenset(
    {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
     "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
     "God", "Heaven", "Lord", "Sir", "Madam", "Oh", "Ah", "Aye", "Yes", "No", "The", "And", "But"}
)  # fmt: skip
# honorifics are never names themselves; "Queen", "Captain" or "Aunt" may be ("the Queen said")
_HONORIFICS = frozenset({"Mr", "Mrs", "Ms", "Miss", "Dr", "Sir", "Lady", "Lord", "St", "Madame", "Mme", "Mlle",
                         "Monsieur", "Mister", "Prof", "Rev", "Capt", "Col", "Gen"})  # fmt: skip
_INITIAL_BEFORE = frozenset('.!?:“"‘(—[')
MAX_VARIANT_USES = 3
MIN_FREQUENT_USES = 8
FREQUENCY_RATIO = 6


class NameUse(NamedTuple):  # a tuple: thousands per chapter cross the process pool
    start: int
    end: int
    initial: bool  # first word of a sentence, a line or a quotation: capitalised anyway
    titled: bool  # after "Mr.", "Lady", "Captain" …
    before: str = ""  # the capitalised word right before, in one multi-word name ("Bernard Germain")
    after: str = ""  # the capitalised word right after ("Elizabeth Bennet")


NameData = dict[str, list[NameUse]]


def extract_names(text: str) -> NameData:
    """Capitalised words of one chapter (possessive dropped) with where they are used."""
    out: NameData = defaultdict(list)
    for m in _CAP_WORD_RE.finditer(text):
        word = m.group(1)
        if word in _HONORIFICS or word in _NOT_NAMES:
            continue
        start = m.start(1)
        prev_word, prev_char = _previous(text, start)
        titled = prev_word in TITLES
        initial = not titled and (prev_char == "" or prev_char in _INITIAL_BEFORE or prev_char == "\n")
        before = prev_word if prev_char.isalpha() and prev_word[:1].isupper() and not titled else ""
        nxt = _NEXT_CAP_RE.match(text, m.end())
        out[word].append(NameUse(start, m.end(1), initial, titled, before, nxt.group(1) if nxt else ""))
    return dict(out)


_NEXT_CAP_RE = re.compile(r"[ \t]+([A-Z][a-z]+)\b")


def _previous(text: str, start: int) -> tuple[str, str]:
    """The word before ``start`` (title check) and the last non-space character before it."""
    i = start - 1
    blank_line = False
    while i >= 0 and text[i] in ' \t\r\n“"‘(':
        if text[i] in '“"‘(':
            return "", text[i]
        if text[i] == "\n" and i > 0 and text[i - 1] == "\n":
            blank_line = True
        i -= 1
    if i < 0 or blank_line:
        return "", ""
    ch = text[i]
    j = i - 1 if ch == "." else i
    k = j
    while k >= 0 and text[k].isalpha():
        k -= 1
    return text[k + 1 : j + 1], ch


@dataclass(frozen=True)
class _Stats:
    total: int
    mid_sentence: int
    titled: int


def check_names(
    chapters: Iterable[tuple[ChapterText, NameData]],
    lower_counts: Counter[str],
    is_word: Callable[[str], bool] = lambda w: False,
    *,
    sound_alike: bool = False,
) -> list[Finding]:
    """Findings for each use of a rare spelling of a frequent name, across the whole book.

    ``lower_counts`` counts the book's words written in lower case (a word the book writes
    in lower case is not a name); ``is_word`` tells a dictionary word (a capitalised
    dictionary word at a sentence start is not taken for a name).

    ``sound_alike`` also matches two-edit variants with the same :func:`phonetic` key
    ("Catharine"/"Katherine"). Off by default: on the corpus it finds real inconsistencies
    (Austen's "Lizzie"/"Lizzy", Melville's "Vishnu"/"Vishnoo") but also "Georgia"/"George",
    and the seeded benchmark's precision drops from 0.95 to 0.88.
    """
    chapters = list(chapters)
    totals: Counter[str] = Counter()
    mid: Counter[str] = Counter()
    titled: Counter[str] = Counter()
    neighbours: dict[str, set[str]] = defaultdict(set)
    for _ch, data in chapters:
        for word, uses in data.items():
            totals[word] += len(uses)
            mid[word] += sum(1 for u in uses if not u.initial)
            titled[word] += sum(1 for u in uses if u.titled)
            neighbours[word].update(n for u in uses for n in (u.before, u.after) if n)
    frequent = {
        w: n
        for w, n in totals.items()
        if n >= MIN_FREQUENT_USES and mid[w] >= MIN_FREQUENT_USES // 2 and lower_counts[w.lower()] * 5 <= n
    }
    index: dict[str, list[str]] = defaultdict(list)
    sounds: dict[str, list[str]] = defaultdict(list)
    for w in frequent:
        for key in _deletions(w):
            index[key].append(w)
        sounds[phonetic(w)].append(w)
    variants: dict[str, str] = {}
    for w, n in totals.items():
        if n > MAX_VARIANT_USES or w in frequent or len(w) < 3 or lower_counts[w.lower()]:
            continue
        if not mid[w] and not titled[w] and is_word(w.lower()):
            continue  # a dictionary word that only ever starts a sentence
        near = {f for key in _deletions(w) for f in index.get(key, ())}
        near = {
            f
            for f in near
            if frequent[f] >= FREQUENCY_RATIO * n
            and _one_edit(w, f)
            and not _inflection(w, f)
            and (len(w) > 3 or w[0] == f[0])  # "Jon"/"John", but "Von" is no "Don"
        }
        if sound_alike and not near and len(w) >= 6:
            # spelled apart, sounding alike: "Kathryn"/"Catherine" (two edits, one sound)
            near = {
                f
                for f in sounds.get(phonetic(w), ())
                if frequent[f] >= FREQUENCY_RATIO * n
                and abs(len(w) - len(f)) <= 1
                and _distance(w, f) == 2
                and not _inflection(w, f)
                and not (w.startswith(f) or f.startswith(w))  # "Georgia", "Johnny": other names
            }
        if near:
            variants[w] = max(near, key=lambda f: (frequent[f], f))
    out: list[Finding] = []
    for ch, data in chapters:
        for w, target in variants.items():
            for use in data.get(w, ()):
                if any(
                    n and not lower_counts[n.lower()] and n not in neighbours[target] for n in (use.before, use.after)
                ):
                    continue  # part of another full name ("Bernard Germain" is no "German")
                out.append(_finding(ch, use, w, target, frequent[target]))
    return out


def _finding(ch: ChapterText, use: NameUse, variant: str, name: str, uses: int) -> Finding:
    return Finding(
        finding_type=FindingType.NAME_INCONSISTENCY,
        severity=Severity.MEDIUM,
        is_blocking=False,
        chapter_id=ch.chapter_id,
        start=use.start,
        end=use.end,
        excerpt=line_excerpt(ch.text, use.start, use.end),
        title=f"“{variant}” — did you mean “{name}”?",
        explanation=f"“{name}” is used {uses} times in the book; “{variant}” looks like a misspelling of it.",
        suggestion=f"Replace “{variant}” with “{name}” (or rename consistently if it is another character).",
        rule="names.variant",
        subject=f"{variant.lower()}→{name.lower()}",
        revision_id=ch.revision_id,
    )


_PHONETIC_RULES = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"[ckq]+"), "k"),
    (re.compile(r"(?<=[^aeiouy])h|h(?=[^aeiouy]|$)"), ""),  # silent h: "Thomas", "Sarah"
    (re.compile(r"[sz]+"), "s"),
    (re.compile(r"(?<=.)[aeiouy]+"), ""),  # vowels after the first letter
    (re.compile(r"(.)\1+"), r"\1"),
)


def phonetic(name: str) -> str:
    """A rough sound key for English spellings of names: "Catherine", "Katharine" and
    "Kathryn" are all "ktrn"; the first vowel is kept ("Anne" is not "Ian")."""
    key = name.lower()
    for pattern, repl in _PHONETIC_RULES:
        key = pattern.sub(repl, key)
    return key


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (short strings only: names)."""
    a, b = a.lower(), b.lower()
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _deletions(word: str) -> set[str]:
    w = word.lower()
    return {w} | {w[:i] + w[i + 1 :] for i in range(len(w))}


def _one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance exactly 1 (one substitution, insertion, deletion or swap)."""
    a, b = a.lower(), b.lower()
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


def _inflection(a: str, b: str) -> bool:
    """Another form of the same name ("Bingleys", "Genevan"), not a variant."""
    a, b = a.lower(), b.lower()
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if long in (short + "s", short + "es", short + "n", short + "an"):
        return True  # plural, possessive, or a demonym ("Geneva"/"Genevan")
    return short[:-1] == long[:-1] and {short[-1], long[-1]} <= {"s", "n"}  # "Americas"/"American"
