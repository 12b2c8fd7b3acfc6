"""DIALOGUE_FORMATTING: unbalanced double quotes, and one paragraph giving two speakers' lines.

Quotes are checked per paragraph, both curly (“ ”) and straight ("). A speech may run over
several paragraphs: by the usual convention each of them opens with a quote and only the
last one closes, so a paragraph left open is fine when the next one opens with a quote.
Double quotes may nest one inside another (some books quote a title that way). Single
quotes are not checked: ’ is also the apostrophe, so an unbalanced ‘ cannot be told
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


MAX_CARRY = 12  # paragraphs a quotation may stay open without each of them reopening it (a poem)
_UNCLOSED = ("Quotation not closed", "This quotation is never closed.")


def check_dialogue(text: str, paras: list[tuple[int, int]] | None = None) -> list[Finding]:
    """Findings for one chapter's text (chapter and revision ids are stamped by the runner).

    A quotation left open at a paragraph's end is fine when the next paragraph reopens it
    (the convention for a speech over several paragraphs); otherwise it stays open into the
    following paragraphs (stanzas of a quoted poem) until a closing mark comes first, and is
    flagged when an opening mark comes first instead, or after :data:`MAX_CARRY` paragraphs.
    The chapter's last paragraph may go on in the next chapter, so it is not flagged for that.
    """
    out: list[Finding] = []
    paras = paragraphs(text) if paras is None else paras
    carried, age = -1, 0
    for k, (start, end) in enumerate(paras):
        before = carried
        found, carried = _balance(text, start, end, carried)
        out += found
        out += _speakers(text, start, end)
        if carried < 0:
            continue
        age = age + 1 if carried == before else 1
        last = k + 1 == len(paras)
        if age == 1 and (last or text[paras[k + 1][0]] in '“"'):
            # reopened by the next paragraph (one speech over several paragraphs), or it may
            # go on in the next chapter (Frankenstein's tales within tales)
            carried = -1
        elif age > MAX_CARRY or last:
            out.append(_finding(text, carried, "dialogue.unclosed", *_UNCLOSED))
            carried = -1
    return out


def _balance(text: str, start: int, end: int, carried: int) -> tuple[list[Finding], int]:
    """Findings of one paragraph, and the quotation still open at its end (or -1)."""
    out: list[Finding] = []
    opens: list[int] = [carried] if carried >= 0 else []  # a stack: quotes may nest (“… “a title,” …”)
    straight = -1
    for m in _QUOTE_RE.finditer(text, start, end):
        ch, i = m.group(), m.start()
        if ch == '"':
            straight = i if straight < 0 else -1
        elif ch == "“":
            if carried >= 0 and opens == [carried]:
                out.append(_finding(text, carried, "dialogue.unclosed", *_UNCLOSED))  # a new one begins first
                opens = []
            opens.append(i)
        elif opens:
            opens.pop()
        else:
            out.append(_finding(text, i, "dialogue.unopened", "Closing quotation mark without an opening one",
                "This closing quotation mark has no opening mark before it in the paragraph."))  # fmt: skip
        carried = -1
    if len(opens) > 1:
        out.append(_finding(text, opens[0], "dialogue.unclosed", *_UNCLOSED))
    if straight >= 0:
        opens = opens or [straight]
    return out, (opens[-1] if opens else -1)


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
