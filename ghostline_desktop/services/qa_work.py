"""What a QA run does in the process pool: analyse chapters, combine the book-level checks.

Top-level functions so the pool can pickle them by name. The per-chapter analysis is the
expensive part and the cacheable one (by chapter id and text hash); the combination over
the book (a name's variants, the dominant tense) is cheap and reruns every time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from typing import Any

from ghostline_desktop.core.enums import FindingType
from ghostline_desktop.core.qa import runner
from ghostline_desktop.core.qa.model import ChapterText, Finding

#: Types a QA run computes outside the rule-based runner (scores, the provider).
SERVICE_TYPES = frozenset({FindingType.STYLE_DEVIATION, FindingType.FACTUAL_INCONSISTENCY})


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def rule_types() -> frozenset[FindingType]:
    """The finding types the rule-based checks report (what a run may auto-resolve)."""
    return frozenset(runner.RULE_CHECKS)


def analyse_batch(chapters: list[ChapterText]) -> list[Any]:
    """One analysis per chapter, in order (a pool call per batch, not per chapter: less pickling)."""
    return [runner.analyse_chapter(ch) for ch in chapters]


def combine(
    chapters: list[ChapterText], analyses: Mapping[Any, Any], enabled: Collection[FindingType] | None
) -> list[Finding]:
    """The book's findings from the per-chapter analyses."""
    wanted = set(enabled) if enabled is not None else None
    return list(runner.run_checks(chapters, analyses, enabled=wanted))


def style_deviation(scores: list[tuple[ChapterText, float]], score_range: dict[str, Any]) -> list[Finding]:
    """STYLE_DEVIATION for chapters scored far below the author's usual range."""
    return list(runner.check_style_deviation(scores, score_range))
