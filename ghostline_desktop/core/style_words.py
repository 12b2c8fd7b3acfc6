"""Stylometry in plain words: what a profile learned, and why a text scores as it does.

An author cannot act on "Delta 1.7"; they can act on "sentences 40% longer than yours; far fewer
dialogue lines; more adverbs". A feature is mentioned when the text is at least ``NOTABLE_Z`` of
the author's own spreads away from their mean, strongest first; "far" from ``FAR_Z``.
"""

from __future__ import annotations

NOTABLE_Z = 1.5
FAR_Z = 3.0
MAX_REASONS = 4

#: Features whose size reads best as a percentage ("sentences 40% longer than yours").
_PERCENT = {
    "sentence_length": ("sentences {p}% longer than yours", "sentences {p}% shorter than yours"),
    "paragraph_length": ("paragraphs {p}% longer than yours", "paragraphs {p}% shorter than yours"),
    "word_length": ("words {p}% longer than yours", "words {p}% shorter than yours"),
}
#: (more, fewer) phrasing of the others; "far" is prefixed for big differences.
_MORE_FEWER = {
    "sentence_spread": ("sentence lengths vary more than yours", "sentence lengths vary less than yours"),
    "long_words": ("more long words", "fewer long words"),
    "mtld": ("a more varied vocabulary than yours", "a plainer, more repetitive vocabulary than yours"),
    "dialogue": ("more dialogue lines", "fewer dialogue lines"),
    "dialogue_paragraphs": ("more paragraphs with dialogue", "fewer paragraphs with dialogue"),
    "commas": ("more commas", "fewer commas"),
    "semicolons": ("more semicolons", "fewer semicolons"),
    "colons": ("more colons", "fewer colons"),
    "dashes": ("more dashes", "fewer dashes"),
    "exclamations": ("more exclamation marks", "fewer exclamation marks"),
    "questions": ("more questions", "fewer questions"),
    "parentheses": ("more asides in brackets", "fewer asides in brackets"),
    "adverbs": ("more adverbs", "fewer adverbs"),
    "readability": ("easier to read than yours", "harder to read than yours"),
    "past_tense": ("more past tense than yours", "more present tense than yours"),
    "first_person": ("more first-person narration than yours", "more third-person narration than yours"),
}
# Phrases that already carry a comparison do not take "far" well ("far easier" does, so they do).
_FAR_WORD = {"more": "far more", "fewer": "far fewer"}


def _phrase(name: str, mean: float, value: float, z: float) -> str:
    far = abs(z) >= FAR_Z
    if name in _PERCENT:
        longer, shorter = _PERCENT[name]
        if mean and value >= 2 * mean:  # "474% longer" reads worse than "5.7 times as long"
            return longer.replace("{p}% longer than", f"{value / mean:.1f} times as long as")
        pct = round(abs(value / mean - 1) * 100) if mean else 100
        return (longer if value > mean else shorter).format(p=pct)
    more, fewer = _MORE_FEWER[name]
    text = more if z > 0 else fewer
    if far:
        first, _, rest = text.partition(" ")
        if first in _FAR_WORD:
            return f"{_FAR_WORD[first]} {rest}"
        if first in ("easier", "harder"):
            return f"far {text}"
    return text


def reasons(
    means: dict[str, float], values: dict[str, float], z: dict[str, float], fw_z: dict[str, float]
) -> list[str]:
    """The notable differences of a text from the profile, strongest first, in plain words."""
    notable = sorted((n for n, v in z.items() if abs(v) >= NOTABLE_Z), key=lambda n: -abs(z[n]))
    if "dialogue" in notable and "dialogue_paragraphs" in notable:
        notable.remove("dialogue_paragraphs")  # one fact, said once
    out = [_phrase(n, means[n], values[n], z[n]) for n in notable[:MAX_REASONS]]
    words = sorted((w for w, v in fw_z.items() if abs(v) >= FAR_Z), key=lambda w: -abs(fw_z[w]))[:3]
    more = [w for w in words if fw_z[w] > 0]
    less = [w for w in words if fw_z[w] < 0]
    if more:
        out.append("uses " + ", ".join(f"“{w}”" for w in more) + " more often than you do")
    if less:
        out.append("uses " + ", ".join(f"“{w}”" for w in less) + " less often than you do")
    if not out:
        out.append("close to your voice on every measure")
    return out


def describe_profile(means: dict[str, float], words: int) -> list[str]:
    """What the profile learned, one plain sentence per aspect (the Voice Profile dialog)."""
    m = means
    lines = [f"Learned from {words:,} words of your writing."]
    lines.append(
        f"Sentences average {m['sentence_length']:.0f} words "
        f"({_spread_word(m['sentence_spread'] / max(m['sentence_length'], 1))}); "
        f"words average {m['word_length']:.1f} letters, {m['long_words']:.0%} of them 7 letters or more."
    )
    lines.append(f"Paragraphs average {m['paragraph_length']:.0f} words.")
    lines.append(f"Vocabulary richness (MTLD) {m['mtld']:.0f}: {_richness_word(m['mtld'])}.")
    lines.append(
        f"Dialogue: {m['dialogue']:.0%} of the words are inside quotation marks, "
        f"in {m['dialogue_paragraphs']:.0%} of the paragraphs."
    )
    marks = [
        f"{m['commas']:.1f} commas",
        f"{m['semicolons']:.1f} semicolons",
        f"{m['dashes']:.1f} dashes",
        f"{m['exclamations']:.1f} exclamation marks",
        f"{m['questions']:.1f} question marks",
    ]
    lines.append("Per 100 words: " + ", ".join(marks) + f"; {m['adverbs']:.1f} adverbs in -ly.")
    lines.append(f"Reading ease (Flesch) {m['readability']:.0f}: {_ease_word(m['readability'])}.")
    tense = (
        "mostly past tense"
        if m["past_tense"] >= 0.6
        else "mostly present tense"
        if m["past_tense"] <= 0.4
        else "mixed tenses"
    )
    person = (
        "first person"
        if m["first_person"] >= 0.5
        else "third person"
        if m["first_person"] <= 0.2
        else "a mix of first and third person"
    )
    lines.append(f"Narration: {tense}, {person}.")
    return lines


def _spread_word(cv: float) -> str:
    return "very varied lengths" if cv >= 0.8 else "varied lengths" if cv >= 0.5 else "even lengths"


def _richness_word(v: float) -> str:
    return "very varied" if v >= 110 else "varied" if v >= 80 else "plain" if v >= 55 else "very plain and repetitive"


def _ease_word(v: float) -> str:
    if v >= 80:
        return "very easy"
    if v >= 60:
        return "plain English"
    if v >= 40:
        return "fairly demanding"
    return "demanding"
