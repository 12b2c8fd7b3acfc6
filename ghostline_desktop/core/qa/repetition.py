"""REPETITION: a distinctive phrase said twice in a short span; crutch words a chapter overuses.

* Phrases: four-word sequences of narration with at least two content words, repeated
  within :data:`PHRASE_SPAN` words (dialogue is skipped: characters repeat themselves on
  purpose). A longer repeated phrase is one finding, not one per overlapping four words.
* Overuse: adverbs in -ly and a list of crutch words ("suddenly", "just", "nodded") used
  at least :data:`MIN_OVERUSE` times in a chapter and :data:`OVERUSE_RATIO` times more often
  than in the rest of the book. Topic words are not judged: a chapter about whales may say
  "whale".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ghostline_desktop.core.enums import FindingType, Severity
from ghostline_desktop.core.qa.model import ChapterText, Finding
from ghostline_desktop.core.qa.text import WORD_RE, line_excerpt

PHRASE_WORDS = 4
PHRASE_SPAN = 150
MIN_OVERUSE = 6
OVERUSE_RATIO = 3.0


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(
    """a an the and or but if then so as of at by for with from into onto upon in on to up down out over under
    again further once here there when where why how all any both each few more most other some such no nor not
    only own same than too very can will just should now i me my myself we our ours you your he him his himself
    she her hers herself it its itself they them their theirs what which who whom this that these those am is are
    was were be been being have has had having do does did doing would could might must shall may said say says
    one much well little great good"""
)
CRUTCH_WORDS = _words(
    """just really very quite actually basically suddenly literally somehow rather seemed nodded smiled sighed
    shrugged glanced grinned frowned gazed stared muttered"""
)
_SPEECH = _words("said says asked replied cried answered added continued returned exclaimed whispered thought")
_TOKEN_RE = re.compile(rf"{WORD_RE.pattern}|[.!?;:—()]|\s{{3,}}")
_BREAK = "\x00"
_NOT_CRUTCH_LY = frozenset({"only", "early", "family", "likely", "holy", "lovely", "lonely", "reply", "fly", "ugly",
                            "belly", "daily", "jolly", "folly", "rely", "supply", "apply", "italy", "july", "silly",
                            "hilly", "bully", "lily", "sly", "ally", "oily", "rally", "friendly", "manly", "kindly",
                            "lively", "elderly", "orderly", "costly", "deadly", "worldly", "melancholy"})  # fmt: skip


@dataclass(frozen=True)
class RepetitionData:
    phrases: tuple[tuple[int, int, str], ...]  # (start, end, phrase) of each repeat
    crutch: tuple[tuple[str, int, int, int], ...]  # (word, count, first start, first end)
    words: int


def extract_repetition(text: str, mask: str) -> RepetitionData:
    """Repeated phrases and crutch-word counts of one chapter (``mask``: dialogue blanked)."""
    # words, and breaks (sentence punctuation, blanked dialogue) that a phrase may not cross
    tokens = _TOKEN_RE.findall(mask)
    words = [t.lower() if t[0].isalpha() else _BREAK for t in tokens]
    last: dict[tuple[str, ...], int] = {}
    hits: list[tuple[int, int]] = []  # (first token, last token) index ranges of repeats
    for i, key in enumerate(zip(*(words[k:] for k in range(PHRASE_WORDS)), strict=False)):
        prev = last.get(key)
        last[key] = i
        if prev is None or i - prev > PHRASE_SPAN or i - prev < PHRASE_WORDS or _BREAK in key:
            continue
        # content: lower-case words that are not function words (names and speech tags repeat anyway)
        content = [t for t in tokens[i : i + PHRASE_WORDS] if t.islower() and t not in STOPWORDS and len(t) > 2]
        if len(content) < 2 or not _SPEECH.isdisjoint(key):
            continue
        if hits and i <= hits[-1][1]:
            hits[-1] = (hits[-1][0], i + PHRASE_WORDS - 1)  # a longer phrase: one finding
        else:
            hits.append((i, i + PHRASE_WORDS - 1))
    counts: Counter[str] = Counter(w for w in words if w in CRUTCH_WORDS or (w.endswith("ly") and len(w) > 4))
    counts.pop(_BREAK, None)
    for w in _NOT_CRUTCH_LY & counts.keys():
        del counts[w]
    wanted = set(counts)
    spans: list[tuple[int, int]] = []
    first: dict[str, tuple[int, int]] = {}
    if hits or wanted:
        for m in _TOKEN_RE.finditer(mask):
            spans.append(m.span())
            w = m.group().lower()
            if w in wanted and w not in first:
                first[w] = m.span()
    phrases = tuple(
        (spans[a][0], spans[b][1], " ".join(mask[spans[a][0] : spans[b][1]].lower().split())) for a, b in hits
    )
    crutch = tuple((w, n, *first[w]) for w, n in counts.items())
    return RepetitionData(phrases, crutch, len(words) - words.count(_BREAK))


def check_repetition(chapters: Iterable[tuple[ChapterText, RepetitionData]]) -> list[Finding]:
    chapters = list(chapters)
    book: Counter[str] = Counter()
    book_words = 0
    for _ch, data in chapters:
        book_words += data.words
        for w, n, _s, _e in data.crutch:
            book[w] += n
    out: list[Finding] = []
    for ch, data in chapters:
        for s, e, phrase in data.phrases:
            why = f"“{phrase}” was used a few lines earlier too."
            fix = "Vary the wording or cut one of them."
            out.append(_finding(ch, s, e, "repetition.phrase", f"“{phrase}” repeated", why, fix, phrase))
        rest_words = max(1, book_words - data.words)
        for w, n, s, e in data.crutch:
            if n < MIN_OVERUSE:
                continue
            rest_rate = max(book[w] - n, 1) / rest_words
            rate = n / max(1, data.words)
            if rate >= OVERUSE_RATIO * rest_rate:
                per = rate * 10_000
                title = f"“{w}” overused ({n}×)"
                out.append(_finding(ch, s, e, "repetition.overuse", title,
                    f"“{w}” is used {n} times in this chapter ({per:.0f} per 10,000 words), "
                    f"{rate / rest_rate:.1f}× as often as in the rest of the book.",
                    f"Cut or vary some uses of “{w}”.", w))  # fmt: skip
    return out


def _finding(ch: ChapterText, s: int, e: int, rule: str, title: str, why: str, fix: str, subject: str) -> Finding:
    return Finding(
        finding_type=FindingType.REPETITION,
        severity=Severity.LOW,
        is_blocking=False,
        chapter_id=ch.chapter_id,
        start=s,
        end=e,
        excerpt=line_excerpt(ch.text, s, e),
        title=title,
        explanation=why,
        suggestion=fix,
        rule=rule,
        subject=subject,
        revision_id=ch.revision_id,
    )
