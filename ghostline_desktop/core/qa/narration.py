"""POV_INCONSISTENCY and TENSE_INCONSISTENCY: narration that slips out of the book's voice.

Only narration counts: dialogue (double-quoted spans) is blanked first, since characters
say "I" and speak in the present whatever the narrator does.

Per sentence :func:`extract_narration` records first-person pronouns and clause-level
tense markers, a subject followed by a verb form ("she walks", "they were", "Anne had").
"I"/"we" + present is left out of the present count: a retrospective narrator says "I
confess" and "I think" in a past-tense book.

:func:`check_narration` takes the book's dominant POV and tense and flags *short* slips,
one to three sentences against the voice around them: a run that goes on is a deliberate
passage (a letter, a present-tense frame), not a slip.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ghostline_desktop.core.enums import FindingType, Severity
from ghostline_desktop.core.qa.model import ChapterText, Finding
from ghostline_desktop.core.qa.text import line_excerpt, narration_mask, paragraphs, sentences

_FIRST_PERSON_RE = re.compile(r"\b(?:I|me|my|mine|myself)\b")
_SUBJECT = r"(?:\b(?:he|she|they|He|She|They)|(?<=[a-z,;] )[A-Z][a-z]+)"
_ADVERB = r"(?:\s+(?:\w+ly|then|now|still|just|never|always|not|also|soon|often|even|only|again))?"
_S_NOT_VERBS = (
    "always|perhaps|sometimes|nevertheless|afterwards|towards|besides|thus|was|his|hers|its|unless|less|yes|us|this"
    "|as|is|has|does|whereas|nonetheless|likewise|otherwise|across|upstairs|downstairs|indoors|outdoors|sideways"
    "|overseas|miss|mrs|ms|ones|yours|ours|theirs|whose|whilst|amongst|amidst|kiss|address|business|boss"
)
_PRESENT_RE = re.compile(
    rf"\b(?:he|she|He|She){_ADVERB}\s+(?:is|has|does|says|goes|seems|(?!(?:{_S_NOT_VERBS})\b)[a-z]+[^s\W]s)\b"
    rf"|\b(?:they|They){_ADVERB}\s+(?:are|have|do|seem|say|go)\b"
    r"|(?<=[a-z,;] )[A-Z][a-z]+\s+(?:is|has|says)\b"
)
_PAST_RE = re.compile(
    rf"(?:{_SUBJECT}|\b(?:I|we|We|it|It))"
    rf"{_ADVERB}\s+(?:was|were|had|did|said|went|came|saw|knew|thought|felt|took|made|got|gave|found|told"
    r"|began|stood|sat|left|ran|heard|kept|held|brought|could|would|[a-z]+ed)\b"
)
MAX_SLIP_RUN = 3
# a chapter in which this share of narration slips is written that way on purpose
_DELIBERATE_SHARE = 0.06
# a book whose narration mixes tenses this much (Moby-Dick's essays) does it by design
_MIXED_TENSE_SHARE = 0.08


@dataclass(frozen=True)
class SentenceVoice:
    start: int
    end: int
    first_person: int
    present: int
    past: int
    addresses_reader: bool = False  # "you", "reader": a narrator's aside, not a POV slip


_READER_RE = re.compile(r"\b(?:you|your|reader)\b", re.I)


def extract_narration(text: str, mask: str | None = None) -> tuple[SentenceVoice, ...]:
    """POV and tense markers of each narration sentence of one chapter."""
    mask = narration_mask(text, paragraphs(text)) if mask is None else mask
    out: list[SentenceVoice] = []
    for s, e in sentences(mask):
        fp = len(_FIRST_PERSON_RE.findall(mask, s, e))
        pres = len(_PRESENT_RE.findall(mask, s, e))
        past = len(_PAST_RE.findall(mask, s, e))
        if fp or pres or past:
            out.append(SentenceVoice(s, e, fp, pres, past, bool(fp and _READER_RE.search(mask, s, e))))
    return tuple(out)


def dominant_voice(chapters: Iterable[tuple[SentenceVoice, ...]]) -> tuple[bool, bool, bool]:
    """(first_person, present_tense, mixed_tense) of the book as a whole."""
    n = fp = pres = past = 0
    for voices in chapters:
        for v in voices:
            n += 1
            fp += v.first_person > 0
            pres += v.present > v.past
            past += v.past > v.present
    minority = min(pres, past) / max(1, pres + past)
    return (n > 0 and fp / n > 0.15), pres > past, minority > _MIXED_TENSE_SHARE


def check_narration(
    chapters: Iterable[tuple[ChapterText, tuple[SentenceVoice, ...]]],
    *,
    pov: bool = True,
    tense: bool = True,
) -> list[Finding]:
    chapters = list(chapters)
    first_person, present, mixed = dominant_voice(v for _c, v in chapters)
    out: list[Finding] = []
    for ch, voices in chapters:
        if pov and not first_person:
            flags = [(v.first_person > 0) - (v.first_person == 0) for v in voices]
            out += _slips(ch, voices, flags, _pov_finding, skip=lambda v: v.addresses_reader)
        if tense and not mixed:
            # +1 off-voice, -1 on-voice, 0 neither (no marker or both tenses)
            if present:
                flags = [(v.past > 0 and v.present == 0) - (v.present > 0 and v.past == 0) for v in voices]
            else:
                flags = [(v.present > 0 and v.past == 0) - (v.past > 0 and v.present == 0) for v in voices]
            out += _slips(ch, voices, flags, _tense_finding(present))
    return out


def _slips(ch: ChapterText, voices: tuple[SentenceVoice, ...], flags: list[int], make, skip=None) -> list[Finding]:  # type: ignore[no-untyped-def]
    """Short off-voice runs with on-voice narration on both sides (or the chapter's edge)."""
    if not voices or sum(f > 0 for f in flags) / len(voices) > _DELIBERATE_SHARE:
        return []
    out: list[Finding] = []
    i = 0
    while i < len(flags):
        if flags[i] <= 0:
            i += 1
            continue
        j = i
        while j < len(flags) and flags[j] >= 0:
            j += 1  # a run of off-voice and neutral sentences
        run = [k for k in range(i, j) if flags[k] > 0]
        before = i == 0 or flags[i - 1] < 0
        after = j == len(flags) or flags[j] < 0
        if len(run) <= MAX_SLIP_RUN and before and after:
            out += [make(ch, voices[k]) for k in run if skip is None or not skip(voices[k])]
        i = j
    return out


def _pov_finding(ch: ChapterText, v: SentenceVoice) -> Finding:
    return Finding(
        finding_type=FindingType.POV_INCONSISTENCY,
        severity=Severity.MEDIUM,
        is_blocking=False,
        chapter_id=ch.chapter_id,
        start=v.start,
        end=v.end,
        excerpt=line_excerpt(ch.text, v.start, v.end, 20),
        title="First person in third-person narration",
        explanation="The book is narrated in the third person, but this sentence of narration says “I”/“me”/“my”.",
        suggestion="Rewrite in the third person, or put it in quotation marks if a character says it.",
        rule="pov.first_person",
        subject=" ".join(ch.text[v.start : v.end].lower().split())[:200],
        revision_id=ch.revision_id,
    )


def _tense_finding(book_present: bool):  # type: ignore[no-untyped-def]
    book, slip = ("present", "past") if book_present else ("past", "present")

    def make(ch: ChapterText, v: SentenceVoice) -> Finding:
        return Finding(
            finding_type=FindingType.TENSE_INCONSISTENCY,
            severity=Severity.MEDIUM,
            is_blocking=False,
            chapter_id=ch.chapter_id,
            start=v.start,
            end=v.end,
            excerpt=line_excerpt(ch.text, v.start, v.end, 20),
            title=f"{slip.capitalize()} tense in {book}-tense narration",
            explanation=f"The book is narrated in the {book} tense; this sentence switches to the {slip}.",
            suggestion=f"Put the verbs in the {book} tense.",
            rule=f"tense.{slip}",
            subject=" ".join(ch.text[v.start : v.end].lower().split())[:200],
            revision_id=ch.revision_id,
        )

    return make
