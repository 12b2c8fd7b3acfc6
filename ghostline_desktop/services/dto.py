"""Plain, frozen results the services return: never live ORM objects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ghostline_desktop.core.diff import TextDiff

# Defined beside the runtime that produces it; re-exported so the UI has one place for results.
from ghostline_desktop.runtime.types import JobInfo as JobInfo


@dataclass(frozen=True)
class UserInfo:
    id: uuid.UUID
    username: str
    email: str
    display_name: str | None
    plan_name: str | None
    token_balance: int


@dataclass(frozen=True)
class TokenBalance:
    user_id: uuid.UUID
    balance: int
    monthly_quota: int
    plan_name: str
    plan_display_name: str

    @property
    def fraction_left(self) -> float:
        return 0.0 if self.monthly_quota <= 0 else max(0.0, min(1.0, self.balance / self.monthly_quota))


@dataclass(frozen=True)
class ProjectSummary:
    id: uuid.UUID
    title: str
    genre: str  # enum member name, e.g. "FICTION"
    status: str  # enum member name, e.g. "WRITING"
    target_word_count: int | None
    word_count: int
    chapter_count: int
    source_count: int
    edition: int
    forked_from_project_id: uuid.UUID | None
    forked_from_title: str | None
    created_at: datetime
    updated_at: datetime
    last_opened_at: datetime | None
    archived: bool


# -- library, outline, chapters, QA, notifications -----------------------------------------
# Fields added after the first release of a DTO carry defaults, so code that builds one
# (UI tests, fakes) keeps working.


@dataclass(frozen=True)
class SourceSummary:
    id: uuid.UUID
    project_id: uuid.UUID
    title: str
    material_type: str  # MaterialType member name, e.g. "NOTE"
    processing_status: str  # ProcessingStatus member name, e.g. "READY"
    word_count: int
    original_filename: str | None
    file_size: int | None
    error_message: str | None
    created_at: datetime
    mime_type: str | None = None
    processed_at: datetime | None = None
    progress: float = 0.0  # 0..1 while UPLOADING/PROCESSING
    error_code: str | None = None  # machine-readable reason of a failure, e.g. "password_required"
    job_id: uuid.UUID | None = None  # the generation_tasks row processing it (latest)
    page_count: int | None = None


@dataclass(frozen=True)
class OutlineInfo:
    id: uuid.UUID
    project_id: uuid.UUID
    version: int
    status: str  # OutlineStatus member name
    title: str | None
    structure: dict[str, Any]
    created_at: datetime | None = None

    @property
    def part_count(self) -> int:
        return len(self.structure.get("parts", []))

    @property
    def chapter_count(self) -> int:
        return sum(len(p.get("chapters", [])) for p in self.structure.get("parts", []))

    @property
    def scene_count(self) -> int:
        return sum(len(c.get("scenes", [])) for p in self.structure.get("parts", []) for c in p.get("chapters", []))


@dataclass(frozen=True)
class ChapterSummary:
    id: uuid.UUID
    project_id: uuid.UUID
    title: str
    order: int
    status: str  # ChapterStatus member name, e.g. "DRAFT"
    word_count: int
    revision_count: int
    outline_position: dict[str, Any]
    updated_at: datetime

    @property
    def in_outline(self) -> bool:
        """False for a chapter an approved outline no longer lists ("not in outline")."""
        return not self.outline_position.get("orphaned", False)


@dataclass(frozen=True)
class ChapterText:
    id: uuid.UUID
    project_id: uuid.UUID
    title: str
    order: int
    status: str
    content: str
    revision_number: int  # 0 when the chapter has no revision yet (the working row's number if working)
    word_count: int
    updated_at: datetime
    base: int = 0  # chapters.text_version: pass back as ``base`` when saving (conflict check)
    working: bool = False  # the text is the unsealed working text, not yet a revision
    saved_at: datetime | None = None  # when the text was last written


@dataclass(frozen=True)
class SaveResult:
    """What a save did: ``changed`` the stored text, and/or sealed a revision (``revision_made``)."""

    text: ChapterText
    changed: bool
    revision_made: bool


@dataclass(frozen=True)
class BookWords:
    """The book's words (every chapter's working text) against the project's target."""

    project_id: uuid.UUID
    words: int
    target: int | None
    chapters: int

    @property
    def fraction(self) -> float | None:
        return None if not self.target else self.words / self.target


@dataclass(frozen=True)
class RevisionInfo:
    id: uuid.UUID
    revision_number: int
    word_count: int
    source: str  # RevisionSource member name, e.g. "MANUAL"
    similarity_score: float | None
    token_cost: int
    created_at: datetime
    note: str | None = None
    sealed: bool = True  # False: the working text (listed first, not yet a revision)
    saved_at: datetime | None = None  # when its text was written (sealed: when it was sealed)
    words_added: int | None = None  # against the previous revision; None when not known
    words_removed: int | None = None
    user_feedback: str | None = None
    incomplete: bool = False  # an AI draft whose stream was cut short or cancelled (kept as it arrived)

    @property
    def similarity_label(self) -> str:
        return "—" if self.similarity_score is None else f"{self.similarity_score:.0%}"


@dataclass(frozen=True)
class RevisionText:
    """One revision with its text, for the diff view."""

    id: uuid.UUID
    chapter_id: uuid.UUID
    revision_number: int
    word_count: int
    source: str
    content: str
    created_at: datetime
    note: str | None = None
    sealed: bool = True


@dataclass(frozen=True)
class RevisionDiff:
    """Two revisions of a chapter and the diff from ``a`` to ``b`` (core.diff operations)."""

    a: RevisionText
    b: RevisionText
    diff: TextDiff


@dataclass(frozen=True)
class OutlineApproval:
    """What approving an outline version did to the chapters."""

    outline: OutlineInfo
    created: list[uuid.UUID]  # chapters made for new outline entries
    updated: list[uuid.UUID]  # chapters whose title/order/position now follow the outline
    orphaned: list[uuid.UUID]  # chapters with text the outline no longer lists: flagged, never deleted
    removed: list[uuid.UUID]  # empty planned chapters the outline dropped


@dataclass(frozen=True)
class ManuscriptImported:
    """A manuscript turned into a project."""

    project: ProjectSummary
    outline: OutlineInfo
    chapters: list[ChapterSummary]


@dataclass(frozen=True)
class FindingSummary:
    id: uuid.UUID
    project_id: uuid.UUID
    chapter_id: uuid.UUID | None
    chapter_title: str | None
    finding_type: str  # FindingType member name
    severity: str  # Severity member name: LOW, MEDIUM, HIGH, CRITICAL
    is_blocking: bool
    status: str  # FindingStatus member name: OPEN, RESOLVED, WAIVED
    title: str
    description: str | None
    excerpt: str | None
    created_at: datetime
    suggestion: str | None = None
    resolution_note: str | None = None
    resolved_at: datetime | None = None
    # Issue 11: where (chapter text offsets, code points), what rule, which revision, who settled it.
    rule: str | None = None
    start: int | None = None
    end: int | None = None
    revision_id: uuid.UUID | None = None
    resolved_by_name: str | None = None
    auto_resolved: bool = False
    last_seen_at: datetime | None = None
    span: str | None = None  # the text at start:end when the run found it (to re-find it after edits)


@dataclass(frozen=True)
class NotificationInfo:
    id: uuid.UUID
    user_id: uuid.UUID
    project_id: uuid.UUID | None
    notification_type: str  # NotificationType member name
    channel: str  # NotificationChannel member name
    title: str
    message: str | None
    is_read: bool
    link_url: str | None
    created_at: datetime


# -- background jobs, import, search ------------------------------------------------------


@dataclass(frozen=True)
class ImportBatch:
    """What ``import_paths`` accepted (rows now UPLOADING) and refused before copying anything."""

    accepted: list[SourceSummary]
    refused: list[tuple[str, str]]  # (file name, author-readable reason)


@dataclass(frozen=True)
class SearchHit:
    chunk_id: uuid.UUID
    source_id: uuid.UUID
    source_title: str
    material_type: str  # MaterialType member name
    chunk_index: int
    page: int | None
    section: str | None
    text: str
    snippet_html: str  # HTML-escaped, matched words in <b>
    score: float
    char_start: int | None
    char_end: int | None
