"""STYLE_DEVIATION: a chapter whose voice score falls far below the author's usual range.

The voice service scores each chapter revision against the author's profile and stores what
the author's own text scores as ``score_range = {"low", "mean", "std"}``. A chapter is off
voice below ``min(low, mean - 3·std, 0.5)``: "low" is the worst the author's own samples did,
three standard deviations keep a noisy profile (few samples, tiny std) from flagging
everything, and 0.5 is where the score's calibration puts "2.5 usual spreads away" — the
range comes from slices of the profile's own sample, so it is narrower than what the
author's later chapters score (measured on the corpus: "low" runs from 0.24 for Austen to
0.80 for Carroll, whose own new passages then often score 0.7-0.8).
"""

from __future__ import annotations

from collections.abc import Mapping

from ghostline_desktop.core.enums import FindingType, Severity
from ghostline_desktop.core.qa.model import ChapterText, Finding
from ghostline_desktop.core.qa.text import line_excerpt


def check_style_deviation(scores: list[tuple[ChapterText, float]], score_range: Mapping[str, float]) -> list[Finding]:
    """One finding per chapter scored below the author's range (none when the range is unknown)."""
    try:
        low, mean, std = float(score_range["low"]), float(score_range["mean"]), float(score_range["std"])
    except (KeyError, TypeError, ValueError):
        return []
    threshold = min(low, mean - 3 * std, 0.5)
    out: list[Finding] = []
    for ch, score in scores:
        if score is None or score >= threshold:
            continue
        # Advisory: a chapter may be off-voice on purpose (a letter, a pastiche), so it never
        # outranks a real error in the panel; MEDIUM only when it is far below the bar.
        severity = Severity.MEDIUM if score < threshold / 2 else Severity.LOW
        end = len(ch.text)
        out.append(
            Finding(
                finding_type=FindingType.STYLE_DEVIATION,
                severity=severity,
                is_blocking=False,
                chapter_id=ch.chapter_id,
                start=0,
                end=end,
                excerpt=line_excerpt(ch.text, 0, min(end, 80), 0),
                title="Chapter reads off-voice",
                explanation=(
                    f"This chapter's voice score is {score:.2f}; the author's own text scores "
                    f"{mean:.2f} on average (lowest {low:.2f})."
                ),
                suggestion="Revise the chapter toward the author's voice (AI Feedback on Revision can help).",
                rule="style.below_range",
                subject="chapter voice",
                revision_id=ch.revision_id,
                extra={"score": score, "threshold": threshold},
            )
        )
    return out
