"""Stylometric features of a text (pure, no I/O, no model download).

What an author's voice is made of, measured the way stylometry does it: sentence length (mean and
spread), word length, vocabulary richness (MTLD, which unlike a raw type/token ratio does not fall
as a text grows), the frequencies of function words (the basis of Burrows' Delta: authors use
"the", "of", "upon", "which" at rates they do not control and that do not depend on the topic),
punctuation and dialogue proportions, paragraph length, readability (Flesch reading ease) and the
tense and point-of-view tendencies of the narration.

Every feature is a plain float in a dict keyed by name, so a profile is JSON and a vector has a
fixed order (``FEATURE_NAMES``). Words are the ones ``core/words.py`` counts (one word counter).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ghostline_desktop.core.words import count_words, iter_words

#: Function words, most frequent first: the Burrows' Delta vocabulary. Content-free on purpose
#: (no nouns, no names): a profile must measure the voice, not the plot.
FUNCTION_WORDS: tuple[str, ...] = (
    "the", "and", "of", "to", "a", "in", "that", "it", "was", "he", "i", "his", "you", "her", "she",
    "with", "as", "for", "had", "is", "at", "but", "on", "not", "be", "my", "have", "him", "all",
    "so", "they", "this", "by", "which", "me", "from", "were", "said", "we", "no", "there", "or",
    "an", "one", "would", "been", "what", "if", "when", "their", "them", "could", "are", "very",
    "will", "more", "do", "into", "some", "out", "up", "then", "than", "only", "any", "now", "such",
    "your", "who", "did", "must", "should", "our", "upon", "its", "may", "can", "shall", "might",
    "much", "before", "after", "about", "over", "again", "though", "yet", "still", "even", "just",
    "how", "where", "while", "these", "those", "own", "other", "every", "each", "both", "nor",
    "too", "here", "because", "through", "without", "until", "whom", "whose", "why", "never",
    "ever", "most", "little", "well", "down", "off", "himself", "herself", "myself",
)  # fmt: skip

#: The readable features, in vector order; each has a plain-words description in ``DESCRIPTIONS``.
STYLE_FEATURES: tuple[str, ...] = (
    "sentence_length",  # words per sentence, mean
    "sentence_spread",  # standard deviation of words per sentence
    "word_length",  # letters per word, mean
    "long_words",  # share of words of 7+ letters
    "mtld",  # vocabulary richness (MTLD)
    "paragraph_length",  # words per paragraph
    "dialogue",  # share of words inside quotation marks
    "dialogue_paragraphs",  # share of paragraphs with a quotation
    "commas",  # per 100 words
    "semicolons",
    "colons",
    "dashes",
    "exclamations",
    "questions",
    "parentheses",
    "adverbs",  # -ly adverbs per 100 words
    "readability",  # Flesch reading ease (higher = easier)
    "past_tense",  # share of past among past + present finite verb markers (narration)
    "first_person",  # share of first among first + third person pronouns (narration)
)
FEATURE_NAMES: tuple[str, ...] = STYLE_FEATURES + tuple(f"fw:{w}" for w in FUNCTION_WORDS)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ABBREVIATIONS = _words("mr mrs ms dr st mt jr sr prof capt col gen lt sgt rev hon vs etc viz cf no")
# A sentence ends at . ! ? (or …) and any closing quotes/brackets, before whitespace; not after a
# title abbreviation ("Mr. Darcy") or a single initial ("J. Smith"): see ``split_sentences``.
_SENTENCE_END = re.compile(r"(?:[.!?]+|…)[\"'”’)\]_*]*(?=\s|$)")
_LAST_WORD = re.compile(r"(\w+)$")
_PARAGRAPH_SPLIT = re.compile(r"\n[ \t]*\n\s*")
_QUOTED = re.compile(r"“[^”]*”?|\"[^\"\n]*(?:\"|$)|‘[^’]*’(?![a-z])", re.MULTILINE)
_PAST = _words("was were had did said thought felt knew saw went came looked seemed could would")
_PRESENT = _words("is are am has does say says think thinks feel feels know knows see sees go goes")
_FIRST = _words("i me my mine myself we us our ours ourselves")
_THIRD = _words("he him his himself she her hers herself they them their theirs themselves")
# Words in -ly that are not adverbs (or are too common to say anything about style).
_NOT_ADVERBS = _words(
    "only family early reply apply supply fly july italy ugly holy lily belly bully jolly "
    "rally silly folly ally melancholy lovely lonely likely friendly lively elderly daily curly oily hilly"
)
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_MTLD_THRESHOLD = 0.72


@dataclass(frozen=True)
class TextStats:
    """A text's features and the size they were measured on (scales depend on it)."""

    words: int
    sentences: int
    paragraphs: int
    values: dict[str, float]

    def vector(self) -> list[float]:
        return [self.values[n] for n in FEATURE_NAMES]


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of prose: blank-line separated (Markdown, Gutenberg); text without blank lines is
    one paragraph per line (what a word processor pastes)."""
    text = text.strip()
    if not text:
        return []
    parts = _PARAGRAPH_SPLIT.split(text)
    if len(parts) == 1 and "\n" in text:
        parts = text.split("\n")
    # Markdown headings and scene breaks ("* * *") are not prose: they would count as very short
    # paragraphs and sentences.
    return [p for p in (p.strip() for p in parts) if p and not p.startswith("#") and any(c.isalnum() for c in p)]


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph (a paragraph never continues a sentence of the one before)."""
    out, start = [], 0
    for m in _SENTENCE_END.finditer(paragraph):
        rest = paragraph[m.end() : m.end() + 3].lstrip()
        if rest[:1].islower():  # “Who is he?” she asked. — one sentence
            continue
        if paragraph[m.start()] == ".":
            last = _LAST_WORD.search(paragraph[max(0, m.start() - 12) : m.start()])
            if last and (
                last.group(1).lower() in _ABBREVIATIONS or (len(last.group(1)) == 1 and last.group(1).isupper())
            ):
                continue
        piece = paragraph[start : m.end()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = paragraph[start:].strip()
    if tail and any(c.isalnum() for c in tail):
        out.append(tail)
    return out


def syllables(word: str) -> int:
    """Vowel groups, a silent final e dropped: the usual heuristic behind Flesch scores."""
    w = word.lower()
    n = len(_VOWEL_GROUPS.findall(w))
    if n > 1 and w.endswith("e") and not w.endswith(("le", "ee", "ye")):
        n -= 1
    return max(1, n)


def _mtld_pass(tokens: Sequence[str]) -> float:
    factors, types, count = 0.0, set(), 0
    for tok in tokens:
        types.add(tok)
        count += 1
        if len(types) / count <= _MTLD_THRESHOLD:
            factors += 1.0
            types, count = set(), 0
    if count:
        ttr = len(types) / count
        factors += (1.0 - ttr) / (1.0 - _MTLD_THRESHOLD)
    return len(tokens) / factors if factors else float(len(tokens))


def mtld(tokens: Sequence[str]) -> float:
    """Measure of Textual Lexical Diversity (McCarthy & Jarvis 2010): the mean length of runs of
    words whose type/token ratio stays above 0.72, forward and backward averaged."""
    if not tokens:
        return 0.0
    return (_mtld_pass(tokens) + _mtld_pass(tokens[::-1])) / 2.0


def _share(a: float, b: float) -> float:
    return a / (a + b) if a + b else 0.5


def _per100(n: int, words: int) -> float:
    return 100.0 * n / words if words else 0.0


def text_stats(text: str) -> TextStats:
    """Every feature of ``text``; empty text gives zeros (a profile refuses it earlier)."""
    paragraphs = split_paragraphs(text)
    body = "\n\n".join(paragraphs)
    words = [w.lower() for w in iter_words(body)]
    n = len(words)
    lengths = [k for p in paragraphs for k in (_word_count(x) for x in split_sentences(p)) if k]
    quoted = [m.group(0) for m in _QUOTED.finditer(body)]
    quoted_words = sum(_word_count(q) for q in quoted)
    narration = _QUOTED.sub(" ", body)
    narration_words = [w.lower() for w in iter_words(narration)]
    counts = Counter(words)
    narr = Counter(narration_words)
    sentences = len(lengths)
    mean_sent = sum(lengths) / sentences if sentences else 0.0
    spread = math.sqrt(sum((x - mean_sent) ** 2 for x in lengths) / sentences) if sentences else 0.0
    letters = sum(len(w) for w in words)
    syll = sum(syllables(w) * c for w, c in counts.items())
    values: dict[str, float] = {
        "sentence_length": mean_sent,
        "sentence_spread": spread,
        "word_length": letters / n if n else 0.0,
        "long_words": sum(c for w, c in counts.items() if len(w) >= 7) / n if n else 0.0,
        "mtld": mtld(words),
        "paragraph_length": n / len(paragraphs) if paragraphs else 0.0,
        "dialogue": min(1.0, quoted_words / n) if n else 0.0,
        "dialogue_paragraphs": (
            sum(1 for p in paragraphs if _QUOTED.search(p)) / len(paragraphs) if paragraphs else 0.0
        ),
        "commas": _per100(body.count(","), n),
        "semicolons": _per100(body.count(";"), n),
        "colons": _per100(body.count(":"), n),
        "dashes": _per100(body.count("—") + body.count("–") + body.count("--"), n),
        "exclamations": _per100(body.count("!"), n),
        "questions": _per100(body.count("?"), n),
        "parentheses": _per100(body.count("("), n),
        "adverbs": _per100(sum(c for w, c in counts.items() if w.endswith("ly") and w not in _NOT_ADVERBS), n),
        "readability": (206.835 - 1.015 * (n / sentences) - 84.6 * (syll / n) if n and sentences else 0.0),
        "past_tense": _share(
            sum(narr[w] for w in _PAST) + sum(c for w, c in narr.items() if w.endswith("ed")),
            sum(narr[w] for w in _PRESENT),
        ),
        "first_person": _share(sum(narr[w] for w in _FIRST), sum(narr[w] for w in _THIRD)),
    }
    for w in FUNCTION_WORDS:
        values[f"fw:{w}"] = counts[w] / n if n else 0.0
    return TextStats(words=n, sentences=sentences, paragraphs=len(paragraphs), values=values)


def _word_count(s: str) -> int:
    return count_words(s)


def windows(text: str, size: int) -> list[str]:
    """Consecutive slices of about ``size`` words, cut at paragraph ends where possible (a slice
    of a book reads like a passage, not like a sentence cut in half); the last short one is
    merged into the one before."""
    out: list[str] = []
    current: list[str] = []
    count = 0
    for p in split_paragraphs(text):
        words = _word_count(p)
        if count and count + words > size * 1.25:
            out.append("\n\n".join(current))
            current, count = [], 0
        current.append(p)
        count += words
        if count >= size:
            out.append("\n\n".join(current))
            current, count = [], 0
    if current:
        if out and count < size / 2:
            out[-1] = out[-1] + "\n\n" + "\n\n".join(current)
        else:
            out.append("\n\n".join(current))
    return out


def first_words(paragraphs: Iterable[str], limit: int) -> str:
    """The first ``limit`` words' worth of whole paragraphs (a sample cap)."""
    kept, count = [], 0
    for p in paragraphs:
        if count >= limit:
            break
        kept.append(p)
        count += _word_count(p)
    return "\n\n".join(kept)
