"""What a QA run does in the process pool: analyse chapters, combine the book-level checks.

Top-level functions so the pool can pickle them by name. The per-chapter analysis is the
expensive part and the cacheable one (by chapter id and text hash); the combination over
the book (a name's variants, the dominant tense) is cheap and reruns every time.

``core/qa/runner.py`` (the checks helper) is imported lazily: until it lands, only the
placeholder check runs, so the workflow can be exercised end to end.
"""

from __future__ import annotations

import hashlib
import importlib
import uuid
from collections.abc import Collection
from types import ModuleType
from typing import Any

from ghostline_desktop.core.enums import FindingType
from ghostline_desktop.core.qa.model import ChapterText, Finding

#: Types a QA run computes outside the rule-based runner (scores, the provider).
SERVICE_TYPES = frozenset({FindingType.STYLE_DEVIATION, FindingType.FACTUAL_INCONSISTENCY})


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _runner() -> ModuleType | None:
    try:
        return importlib.import_module("ghostline_desktop.core.qa.runner")
    except ModuleNotFoundError as exc:
        if exc.name != "ghostline_desktop.core.qa.runner":
            raise
        return None


def rule_types() -> frozenset[FindingType]:
    """The finding types the rule-based checks report (what a run may auto-resolve)."""
    runner = _runner()
    if runner is None:
        return frozenset({FindingType.MISSING_CONTENT})
    return frozenset(runner.RULE_CHECKS)


def analyse_batch(chapters: list[ChapterText]) -> list[Any]:
    """One analysis per chapter, in order (a pool call per batch, not per chapter: less pickling)."""
    runner = _runner()
    if runner is not None:
        return [runner.analyse_chapter(ch) for ch in chapters]
    from ghostline_desktop.core.qa.placeholders import check_placeholders

    return [tuple(check_placeholders(ch.text, ch.chapter_id, ch.revision_id)) for ch in chapters]


def combine(
    chapters: list[ChapterText], analyses: dict[uuid.UUID, Any], enabled: Collection[FindingType] | None
) -> list[Finding]:
    """The book's findings from the per-chapter analyses."""
    wanted = set(enabled) if enabled is not None else None
    runner = _runner()
    if runner is not None:
        return list(runner.run_checks(chapters, analyses, enabled=wanted))
    return [f for ch in chapters for f in analyses[ch.chapter_id] if wanted is None or f.finding_type in wanted]


def style_deviation(scores: list[tuple[ChapterText, float]], score_range: dict[str, Any]) -> list[Finding] | None:
    """STYLE_DEVIATION via the checks helper's function; None while it has not landed."""
    runner = _runner()
    fn = getattr(runner, "check_style_deviation", None) if runner is not None else None
    if fn is None:
        return None
    return list(fn(scores, score_range))
