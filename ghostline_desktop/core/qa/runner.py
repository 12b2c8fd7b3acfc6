"""Run the rule-based checks over a book: per-chapter analysis, then book-level combination.

:func:`analyse_chapter` does all the work that needs the chapter's text (tokenising,
dialogue masking, regex scans, dictionary lookups) and returns a picklable
:class:`ChapterAnalysis` that depends on the text alone — cache it by :func:`text_key` and
run it in the process pool. :func:`run_checks` combines the analyses in book order (name
statistics, the dominant POV and tense, the book's word baseline, dates across chapters)
without touching the texts again, so an incremental run re-analyses only edited chapters.

Findings from ``run_checks`` carry the chapter's ``chapter_id`` and ``revision_id``;
``start``/``end`` index into that chapter's ``text``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

from ghostline_desktop.core.enums import FindingType
from ghostline_desktop.core.qa.dialogue import check_dialogue
from ghostline_desktop.core.qa.model import ChapterText, Finding
from ghostline_desktop.core.qa.names import NameData, check_names, extract_names
from ghostline_desktop.core.qa.narration import SentenceVoice, check_narration, extract_narration
from ghostline_desktop.core.qa.placeholders import check_placeholders
from ghostline_desktop.core.qa.repetition import RepetitionData, check_repetition, extract_repetition
from ghostline_desktop.core.qa.spelling import (
    _LOWER_WORD_RE,
    SpellingData,
    check_spelling,
    extract_spelling,
    is_known,
)
from ghostline_desktop.core.qa.style import check_style_deviation
from ghostline_desktop.core.qa.text import narration_mask, paragraphs
from ghostline_desktop.core.qa.timeline import TimelineData, check_timeline, extract_timeline

#: the checks run_checks can run (STYLE_DEVIATION needs scores: check_style_deviation;
#: FACTUAL_INCONSISTENCY needs a provider: the workflow's job)
RULE_CHECKS = frozenset(
    {
        FindingType.NAME_INCONSISTENCY,
        FindingType.TIMELINE_ERROR,
        FindingType.POV_INCONSISTENCY,
        FindingType.TENSE_INCONSISTENCY,
        FindingType.MISSING_CONTENT,
        FindingType.REPETITION,
        FindingType.DIALOGUE_FORMATTING,
        FindingType.SPELLING,
    }
)
_LOCAL = frozenset({FindingType.MISSING_CONTENT, FindingType.DIALOGUE_FORMATTING})


@dataclass(frozen=True)
class ChapterAnalysis:
    """Everything the checks need from one chapter's text (no ids: the text alone decides it)."""

    key: str
    local: tuple[Finding, ...]  # placeholders and dialogue: complete per chapter, ids stamped later
    names: NameData
    timeline: TimelineData
    narration: tuple[SentenceVoice, ...]
    repetition: RepetitionData
    spelling: SpellingData
    lower_counts: Counter[str]  # lower-case words (possessive dropped): the book's baseline


def text_key(text: str) -> str:
    """Cache key of a chapter's analysis."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def analyse_chapter(ch: ChapterText) -> ChapterAnalysis:
    return analyse_text(ch.text)


def analyse_text(text: str) -> ChapterAnalysis:
    paras = paragraphs(text)
    mask = narration_mask(text, paras)
    lower: Counter[str] = Counter()
    for w, n in Counter(_LOWER_WORD_RE.findall(text)).items():
        w = w.lower().replace("’", "'")
        lower[w[:-2] if w.endswith("'s") else w] += n
    local = tuple(check_placeholders(text)) + tuple(check_dialogue(text, paras))
    return ChapterAnalysis(
        key=text_key(text),
        local=local,
        names=extract_names(text),
        timeline=extract_timeline(text),
        narration=extract_narration(text, mask, paras),
        repetition=extract_repetition(text, mask),
        spelling=extract_spelling(mask),
        lower_counts=lower,
    )


def run_checks(
    chapters: list[ChapterText],
    analyses: Mapping[object, ChapterAnalysis] | None = None,
    *,
    enabled: set[FindingType] | frozenset[FindingType] | None = None,
    sound_alike_names: bool = False,
) -> list[Finding]:
    """All enabled rule-based findings of the book, in book order.

    ``analyses`` maps ``chapter_id`` to a cached analysis; one whose key does not match the
    chapter's text (stale cache) or that is missing is recomputed here.
    ``sound_alike_names`` also flags two-edit name variants that sound alike (see
    :func:`names.check_names`).
    """
    on = RULE_CHECKS if enabled is None else RULE_CHECKS & set(enabled)
    chapters = sorted(chapters, key=lambda c: c.order)
    done: list[tuple[ChapterText, ChapterAnalysis]] = []
    for ch in chapters:
        a = analyses.get(ch.chapter_id) if analyses is not None else None
        if a is None or a.key != text_key(ch.text):
            a = analyse_chapter(ch)
        done.append((ch, a))
    out: list[Finding] = []
    for ch, a in done:
        out += [
            replace(f, chapter_id=ch.chapter_id, revision_id=ch.revision_id) for f in a.local if f.finding_type in on
        ]
    lower: Counter[str] = Counter()
    if on & {FindingType.NAME_INCONSISTENCY, FindingType.SPELLING}:
        for _ch, a in done:
            lower.update(a.lower_counts)
    if FindingType.NAME_INCONSISTENCY in on:
        out += check_names(((c, a.names) for c, a in done), lower, is_known, sound_alike=sound_alike_names)
    if FindingType.TIMELINE_ERROR in on:
        out += check_timeline((c, a.timeline) for c, a in done)
    if on & {FindingType.POV_INCONSISTENCY, FindingType.TENSE_INCONSISTENCY}:
        out += check_narration(
            ((c, a.narration) for c, a in done),
            pov=FindingType.POV_INCONSISTENCY in on,
            tense=FindingType.TENSE_INCONSISTENCY in on,
        )
    if FindingType.REPETITION in on:
        out += check_repetition((c, a.repetition) for c, a in done)
    if FindingType.SPELLING in on:
        # "lorem ipsum" is a placeholder, reported as such, not three misspellings
        holes = [(c.chapter_id, f.start, f.end) for c, a in done for f in a.local if f.rule == "placeholder.lorem"]
        out += [
            f
            for f in check_spelling(((c, a.spelling) for c, a in done), lower)
            if not any(cid == f.chapter_id and s <= f.start < e for cid, s, e in holes)
        ]
    order: dict[object, int] = {c.chapter_id: c.order for c in chapters}
    out.sort(key=lambda f: (order.get(f.chapter_id, 0), f.start, f.end, f.finding_type.name))
    return out


__all__ = [
    "RULE_CHECKS",
    "ChapterAnalysis",
    "analyse_chapter",
    "analyse_text",
    "check_style_deviation",
    "run_checks",
    "text_key",
]
