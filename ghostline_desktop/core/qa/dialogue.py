"""DIALOGUE_FORMATTING: unbalanced double quotes, and one paragraph giving two speakers' lines.

Quotes are checked per paragraph, both curly (“ ”) and straight ("). A speech may run over
several paragraphs: by the usual convention each of them opens with a quote and only the
last one closes, so a paragraph left open is fine when the next one opens with a quote.
Single quotes are not checked: ’ is also the apostrophe, so an unbalanced ‘ cannot be told
from a possessive.

A paragraph whose attributions name two different speakers ("…,” said Jane. “…,” said
Elizabeth.) should be two paragraphs; pronouns ("she said") are not compared.
"""

from __future__ import annotations

import re

from ghostline_desktop.core.enums import FindingType, Severity
from ghostline_desktop.core.qa.model import Finding
from ghostline_desktop.core.qa.text import line_excerpt, paragraphs

_QUOTE_RE = re.compile(r"[“”\"]")
_VERBS = (
    r"said|asked|cried|replied|answered|whispered|shouted|exclaimed|added|continued|returned|observed"
    r"|remarked|repeated|rejoined|murmured|called|muttered|began|insisted|demanded|inquired|enquired"
)
_SPEAKER = r"((?:(?:Mr|Mrs|Ms|Dr|Miss|Lady|Sir|Lord|Captain|Colonel)\.?\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
_ATTRIBUTION_RE = re.compile(rf"[”\"][,!?.—]*\s+(?:(?:{_VERBS})\s+{_SPEAKER}|{_SPEAKER}\s+(?:{_VERBS})\b)")
_NOT_SPEAKERS = frozenset({"He", "She", "They", "It", "I", "We", "You", "Then", "And", "But"})


def check_dialogue(text: str, paras: list[tuple[int, int]] | None = None) -> list[Finding]:
    """Findings for one chapter's text (chapter and revision ids are stamped by the runner)."""
    out: list[Finding] = []
    paras = paragraphs(text) if paras is None else paras
    for k, (start, end) in enumerate(paras):
        # the last paragraph may go on in the next chapter (Frankenstein's tales within tales)
        next_opens = k + 1 == len(paras) or text[paras[k + 1][0]] in '“"'
        out += _balance(text, start, end, next_opens)
        out += _speakers(text, start, end)
    return out


def _balance(text: str, start: int, end: int, next_opens: bool) -> list[Finding]:
    out: list[Finding] = []
    open_at = -1
    straight = -1
    for m in _QUOTE_RE.finditer(text, start, end):
        ch, i = m.group(), m.start()
        if ch == '"':
            straight = i if straight < 0 else -1
        elif ch == "“":
            open_at = i  # a second “ while open: a quotation inside the speech, not flagged
        elif open_at >= 0:
            open_at = -1
        else:
            out.append(_finding(text, i, "dialogue.unopened", "Closing quotation mark without an opening one",
                "This closing quotation mark has no opening mark before it in the paragraph."))  # fmt: skip
    for at in (open_at, straight):
        if at >= 0 and not next_opens:
            out.append(_finding(text, at, "dialogue.unclosed", "Quotation not closed",
                "This quotation is never closed, and the next paragraph does not continue it."))  # fmt: skip
    return out


def _speakers(text: str, start: int, end: int) -> list[Finding]:
    seen: str | None = None
    for m in _ATTRIBUTION_RE.finditer(text, start, end):
        name = m.group(1) or m.group(2)
        span = m.span(1) if m.group(1) else m.span(2)
        if name.split()[0] in _NOT_SPEAKERS:
            continue
        name = " ".join(name.replace(".", "").split())
        if seen is None:
            seen = name
        elif name != seen and not (name in seen or seen in name):
            return [
                Finding(
                    finding_type=FindingType.DIALOGUE_FORMATTING,
                    severity=Severity.LOW,
                    is_blocking=False,
                    chapter_id=None,
                    start=span[0],
                    end=span[1],
                    excerpt=line_excerpt(text, span[0], span[1]),
                    title="Two speakers in one paragraph",
                    explanation=f"{seen} and {name} both speak in this paragraph.",
                    suggestion=f"Start a new paragraph where {name} speaks.",
                    rule="dialogue.two_speakers",
                    subject=f"{seen.lower()}|{name.lower()}",
                )
            ]
    return []


def _finding(text: str, at: int, rule: str, title: str, why: str) -> Finding:
    return Finding(
        finding_type=FindingType.DIALOGUE_FORMATTING,
        severity=Severity.LOW,
        is_blocking=False,
        chapter_id=None,
        start=at,
        end=at + 1,
        excerpt=line_excerpt(text, at, at + 1),
        title=title,
        explanation=why,
        suggestion="Add the missing quotation mark.",
        rule=rule,
        subject=" ".join(text[at : at + 40].lower().split()),
    )
