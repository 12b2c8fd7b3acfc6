"""What the QA checks read and what they report (pure data, no database, no Qt)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from ghostline_desktop.core.enums import FindingType, Severity


@dataclass(frozen=True)
class ChapterText:
    """One chapter as QA sees it: the text of one revision, in book order."""

    chapter_id: uuid.UUID
    order: int
    title: str
    text: str
    revision_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Finding:
    """One problem at an exact place: ``text[start:end]`` of the chapter is what it concerns.

    ``subject`` is the text the finding is about ("Darcey", "TK", "Tuesday, 3 March 1812"),
    normalised by the check; with ``finding_type`` and ``rule`` it fingerprints the finding
    across runs, so a waived one stays waived after edits elsewhere.
    """

    finding_type: FindingType
    severity: Severity
    is_blocking: bool
    chapter_id: uuid.UUID | None
    start: int
    end: int
    excerpt: str
    title: str
    explanation: str
    suggestion: str | None
    rule: str
    subject: str
    revision_id: uuid.UUID | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False)
