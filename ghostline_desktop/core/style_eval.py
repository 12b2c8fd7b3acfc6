"""The voice-score evaluation protocol, shared by the test and the bench (pure: texts in, numbers out).

For each author's book: a profile from the first part (``PROFILE_SHARE`` of the book, at most
``PROFILE_MAX_WORDS``), then held-out passages of N words from the rest of the same book (after a
small gap, so no passage touches the profile's last paragraph). Every passage is scored against
every profile: same-author pairs should score above different-author pairs (ROC AUC), and land in
a stable range whichever profile it is (the share above 0.6).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from ghostline_desktop.core.style_features import split_paragraphs, text_stats, windows
from ghostline_desktop.core.style_profile import StyleProfile, build_profile, score_stats

PROFILE_SHARE = 0.45
PROFILE_MAX_WORDS = 25_000
GAP_PARAGRAPHS = 5
MAX_PASSAGES = 12
_WORD = re.compile(r"\S+")


_FIRST_HEADING = re.compile(r"^\s*(?:(?:chapter|letter)\s+(?:1|i)\b.*|I\.\s+[A-Z][A-Z ,'’-]+)$", re.I | re.M)
_SECOND_HEADING = re.compile(r"^\s*(?:(?:chapter|letter)\s+(?:2|ii)\b|II\.\s)", re.I | re.M)


def book_body(text: str) -> str:
    """The author's own text of a Project Gutenberg file: without the licence header and footer
    (when marked) and without the front matter before the first chapter (a contents list, an
    editor's preface, Moby-Dick's "Extracts" from other authors), which would put someone else's
    words into a profile or a "same-author" passage."""
    start = text.find("*** START")
    start = text.find("\n", start) + 1 if start >= 0 else 0
    end = text.find("*** END")
    body = text[start : end if end >= 0 else len(text)]
    for m in _FIRST_HEADING.finditer(body, 0, len(body) // 5):
        if m.group(0).lstrip().startswith("I.") and not m.group(0).strip().isupper():
            continue  # "I. But it is…": a numbered sentence, not a heading
        if not _SECOND_HEADING.search(body[m.end() : m.end() + 600]):  # a contents list goes on with chapter 2
            return body[m.start() :]
    return body


def split_book(text: str, max_words: int = PROFILE_MAX_WORDS) -> tuple[str, str]:
    """(profile part, held-out part) of a book. The held-out part starts where a full-size
    profile part would end, whatever ``max_words``: profiles of several sizes meet the same
    passages."""
    paras = split_paragraphs(book_body(text))
    counts = [len(_WORD.findall(p)) for p in paras]
    full = min(int(sum(counts) * PROFILE_SHARE), PROFILE_MAX_WORDS)
    limit = min(full, max_words)
    return "\n\n".join(paras[: _cut(counts, limit)]), "\n\n".join(paras[_cut(counts, full) + GAP_PARAGRAPHS :])


def _cut(counts: list[int], limit: int) -> int:
    acc = 0
    for i, c in enumerate(counts):
        acc += c
        if acc >= limit:
            return i + 1
    return len(counts)


def roc_auc(pos: list[float], neg: list[float]) -> float:
    """Probability that a same-author passage outscores a different-author one (ties count half)."""
    if not pos or not neg:
        return float("nan")
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


@dataclass(frozen=True)
class EvalResult:
    words: int
    auc: float
    same: list[float]
    other: list[float]
    per_profile: dict[str, tuple[float, float]]  # author: (mean same, mean other)

    def summary(self, name: str = "") -> dict[str, float]:
        def q(xs: list[float], f: float) -> float:
            return sorted(xs)[int(f * (len(xs) - 1))]

        return {
            "words": self.words,
            "auc": round(self.auc, 4),
            "same_mean": round(statistics.fmean(self.same), 3),
            "same_p10": round(q(self.same, 0.1), 3),
            "same_min": round(min(self.same), 3),
            "same_above_0.6": round(sum(s > 0.6 for s in self.same) / len(self.same), 3),
            "other_mean": round(statistics.fmean(self.other), 3),
            "other_p90": round(q(self.other, 0.9), 3),
            "other_max": round(max(self.other), 3),
        }


def build_profiles(
    books: dict[str, str], max_words: int = PROFILE_MAX_WORDS
) -> tuple[dict[str, StyleProfile], dict[str, str]]:
    profiles, held = {}, {}
    for author, text in books.items():
        part, rest = split_book(text, max_words)
        profiles[author] = build_profile(part)
        held[author] = rest
    return profiles, held


def evaluate(profiles: dict[str, StyleProfile], held: dict[str, str], words: int) -> EvalResult:
    same: list[float] = []
    other: list[float] = []
    per: dict[str, tuple[float, float]] = {}
    stats = {a: [text_stats(p) for p in windows(t, words)[:MAX_PASSAGES]] for a, t in held.items()}
    for author, profile in profiles.items():
        s = [score_stats(profile, st).score for st in stats[author]]
        o = [score_stats(profile, st).score for a, sts in stats.items() if a != author for st in sts]
        same.extend(s)
        other.extend(o)
        per[author] = (statistics.fmean(s), statistics.fmean(o))
    return EvalResult(words, roc_auc(same, other), same, other, per)


#: In-book check (what an author sees): a profile from the book's first chapters, then every later
#: chapter of at least ``IN_BOOK_MIN_WORDS`` scored against it, chapters as the manuscript import
#: splits them (dialogue scenes, narrative summary, letters: the variety one author's chapters have).
IN_BOOK_PROFILE_WORDS = 15_000
IN_BOOK_MIN_WORDS = 1000


def in_book_scores(
    text: str, profile_words: int = IN_BOOK_PROFILE_WORDS, min_words: int = IN_BOOK_MIN_WORDS
) -> tuple[StyleProfile, list[tuple[str, float]]]:
    """(profile from the first whole chapters reaching ``profile_words``, [(title, score)] of every
    later chapter of ``min_words`` or more)."""
    from ghostline_desktop.core.manuscript_split import split_manuscript
    from ghostline_desktop.core.words import count_words

    chapters = split_manuscript(text).chapters
    acc, k = 0, 0
    while k < len(chapters) and acc < profile_words:
        acc += count_words(chapters[k].text)
        k += 1
    profile = build_profile("\n\n".join(c.text.strip() for c in chapters[:k]))
    later = [c for c in chapters[k:] if count_words(c.text) >= min_words]
    return profile, [(c.title, score_stats(profile, text_stats(c.text)).score) for c in later]
