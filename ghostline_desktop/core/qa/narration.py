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

import bisect
import re
from collections.abc import Iterable
from typing import NamedTuple

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
# a present verb after "when", "if", "who" … is often a general truth, not the narration's tense
_SUBORDINATE_RE = re.compile(
    r"\b(?:when|if|as|whether|who|which|that|until|unless|because|since|while|where|whenever|than|though)\s+$"
)
_PRESENT_RE = re.compile(
    rf"\b(?:he|she|He|She){_ADVERB}\s+(?:is|has|does|says|goes|seems|will|can|(?!(?:{_S_NOT_VERBS})\b)[a-z]+[^s\W]s)\b"
    rf"|\b(?:they|They){_ADVERB}\s+(?:are|have|do|seem|go|will|can)\b"
)  # a name + "is" is left out: "Derbyshire is", "Upper Swandam Lane is" describe what still is
_PAST_RE = re.compile(
    rf"\b(?:[A-Z][a-z]*|he|she|they|it|we|who|which)"
    rf"{_ADVERB}\s+(?:was|were|had|did|said|went|came|saw|knew|thought|felt|took|made|got|gave|found|told"
    r"|began|became|grew|fell|rose|spoke|wrote|led|meant|lay|stood|sat|left|ran|heard|kept|held|brought|could"
    r"|would|[a-z]+ed)\b"
)
# "was"/"had" with any subject ("his words had power"): the sentence is not wholly present
_BARE_PAST_RE = re.compile(r"\b(?:was|were|had)\b")
_BARE_PRESENT_RE = re.compile(r"\b(?:is|are|has)\b")
MAX_SLIPS_AROUND = 1  # off-voice sentences in a paragraph and its neighbours: more is deliberate
# a chapter in which this share of narration slips is written that way on purpose
_DELIBERATE_SHARE = 0.1
# a book whose narration mixes tenses this much (Moby-Dick's essays) does it by design
_MIXED_TENSE_SHARE = 0.15


class SentenceVoice(NamedTuple):  # a tuple: thousands per chapter cross the process pool
    start: int
    end: int
    first_person: int
    present: int
    past: int
    addresses_reader: bool = False  # "you", "reader": a narrator's aside, not a POV slip
    paragraph: int = 0  # index of the paragraph in the chapter
    bare_present: int = 0  # "is"/"are"/"has" with any subject: how much the book mixes in the present


_HAS_WORD_RE = re.compile(r"[^\W\d_]{2}")
_READER_RE = re.compile(r"\b(?:you|your|reader)\b", re.I)


def extract_narration(
    text: str, mask: str | None = None, paras: list[tuple[int, int]] | None = None
) -> tuple[SentenceVoice, ...]:
    """POV and tense markers of each narration sentence of one chapter.

    Each pattern scans the chapter once; its matches are then counted per sentence (a
    scan per sentence costs as much again in call overhead).
    """
    paras = paragraphs(text) if paras is None else paras
    mask = narration_mask(text, paras) if mask is None else mask
    first = _starts(_FIRST_PERSON_RE, mask)
    present = [
        m.start()
        for m in _PRESENT_RE.finditer(mask)
        if not _SUBORDINATE_RE.search(mask, max(0, m.start() - 10), m.start())
    ]
    past = sorted(_starts(_PAST_RE, mask) + _starts(_BARE_PAST_RE, mask))
    bare = _starts(_BARE_PRESENT_RE, mask)
    reader = _starts(_READER_RE, mask)
    out: list[SentenceVoice] = []
    for k, (ps, pe) in enumerate(paras):
        for s, e in sentences(mask, ps, pe):
            fp = _count(first, s, e)
            pres = _count(present, s, e)
            pst = _count(past, s, e)
            if fp or pres or pst or _HAS_WORD_RE.search(mask, s, e):
                out.append(SentenceVoice(s, e, fp, pres, pst, bool(fp and _count(reader, s, e)), k, _count(bare, s, e)))
    return tuple(out)


def _starts(pattern: re.Pattern[str], text: str) -> list[int]:
    return [m.start() for m in pattern.finditer(text)]


def _count(positions: list[int], start: int, end: int) -> int:
    return bisect.bisect_left(positions, end) - bisect.bisect_left(positions, start)


def dominant_voice(chapters: Iterable[tuple[SentenceVoice, ...]]) -> tuple[bool, bool, bool]:
    """(first_person, present_tense, mixed_tense) of the book as a whole."""
    n = fp = pres = past = bare = 0
    for voices in chapters:
        for v in voices:
            if not (v.first_person or v.present or v.past or v.bare_present):
                continue
            n += 1
            fp += v.first_person > 0
            pres += v.present > v.past
            past += v.past > v.present
            bare += v.bare_present > 0 and v.past == 0
    minority = min(pres + bare, past) / max(1, pres + bare + past)
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
            out += _pov_slips(ch, voices)
        if tense and not mixed:
            # +1 off-voice, -1 on-voice, 0 neither (no marker or both tenses)
            if present:
                flags = [(v.past > 0 and v.present == 0) - (v.present > 0 and v.past == 0) for v in voices]
            else:
                # a first-person narrator speaking in the present about themselves ("he reminds
                # me", "these are my reasons") writes from the moment of telling: no slip
                flags = [
                    (v.present > 0 and v.past == 0 and not (first_person and v.first_person))
                    - (v.past > 0 and v.present == 0)
                    for v in voices
                ]
            out += _slips(ch, voices, flags, _tense_finding(present))
    return out


def _slips(ch: ChapterText, voices: tuple[SentenceVoice, ...], flags: list[int], make) -> list[Finding]:  # type: ignore[no-untyped-def]
    """Off-voice sentences standing alone: on-voice narration in the paragraphs around them.

    ``flags``: +1 off-voice, -1 on-voice, 0 neither. A chapter with many off-voice sentences
    is written that way; a paragraph (with its neighbours) holding more than two, or with no
    on-voice sentence around, is a deliberate passage (a letter in the present, an aside).
    """
    marked = sum(f != 0 for f in flags)
    loose = sum(1 for f, v in zip(flags, voices, strict=True) if f > 0 or (f == 0 and v.bare_present and not v.past))
    if not marked or loose / marked > _DELIBERATE_SHARE:
        return []
    by_para: dict[int, list[int]] = {}
    for k, v in enumerate(voices):
        by_para.setdefault(v.paragraph, []).append(k)
    groups = list(by_para.values())
    out: list[Finding] = []
    for g, members in enumerate(groups):
        off = [k for k in members if flags[k] > 0]
        if not off:
            continue
        context = [k for grp in groups[max(0, g - 1) : g + 2] for k in grp]
        n_off = sum(1 for k in context if flags[k] > 0)
        n_on = sum(1 for k in context if flags[k] < 0)
        if n_off <= MAX_SLIPS_AROUND and n_on >= 2:
            out += [make(ch, voices[k]) for k in off]
    return out


def _pov_slips(ch: ChapterText, voices: tuple[SentenceVoice, ...]) -> list[Finding]:
    """First-person sentences in a paragraph otherwise narrated in the third person.

    Judged per paragraph, not per chapter: a letter quoted without quotation marks is a
    run of first-person paragraphs, and is left alone.
    """
    out: list[Finding] = []
    by_para: dict[int, list[SentenceVoice]] = {}
    for v in voices:
        by_para.setdefault(v.paragraph, []).append(v)
    groups = list(by_para.values())
    for k, group in enumerate(groups):
        slips = [v for v in group if v.first_person > 0]
        if not slips or len(slips) > 2:
            continue
        context = groups[max(0, k - 1) : k + 2]  # with the narration paragraphs around it
        n = sum(len(g) for g in context)
        if sum(1 for g in context for v in g if v.first_person > 0) * 3 > n:
            continue
        out += [_pov_finding(ch, v) for v in slips if not v.addresses_reader]
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
