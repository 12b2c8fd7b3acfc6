"""AI generation: outline from sources, chapter drafts, revise with feedback, AI feedback (issue 8).

Each agent is a job on the shared runtime (``services/generation_agents.py``); this service
starts them, previews their prompts, and answers "where did this passage come from". Offline
(no provider configured) every ``start_*`` and ``preview_*`` raises
:class:`ProviderNotConfigured`, whose message says what to configure: nothing pretends to generate.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from ghostline_desktop.ai.prompting import BuiltPrompt
from ghostline_desktop.core.enums import TaskType
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import ChapterRevision, ContentChunk, RevisionSourceChunk, SourceMaterial
from ghostline_desktop.errors import GhostlineError, NotFoundError, ProviderNotConfigured
from ghostline_desktop.runtime.jobs import JobRunner, JobSpec
from ghostline_desktop.runtime.types import JobInfo
from ghostline_desktop.services.chapters import ChapterService
from ghostline_desktop.services.events import EventBus
from ghostline_desktop.services.generation_agents import CHAPTER, FEEDBACK, OUTLINE, REVISION, Agents
from ghostline_desktop.services.generation_context import GenerationContext
from ghostline_desktop.services.outline import OutlineService
from ghostline_desktop.services.search import SearchService
from ghostline_desktop.services.tokens import TokenService
from ghostline_desktop.services.voice import VoiceService

if TYPE_CHECKING:
    from ghostline_desktop.ai.provider import Provider

#: A draft may take a while on a slow local model; the provider's own timeout catches silence.
JOB_TIMEOUT_S = 30 * 60.0
SUMMARY_PLACEHOLDER = "(A summary of the previous chapter is made first and goes here; it is not cached yet.)"


@dataclass(frozen=True)
class SourcePassage:
    """A passage an AI revision drew on (the revision history's "Sources of this revision")."""

    rank: int
    score: float
    chunk_id: uuid.UUID
    source_id: uuid.UUID
    source_title: str
    chunk_index: int
    text: str
    page: int | None
    char_start: int | None
    char_end: int | None


@dataclass(frozen=True)
class RevisionAI:
    """The AI side of one revision: was it cut short, the editor's notes, its sources."""

    id: uuid.UUID
    chapter_id: uuid.UUID
    revision_number: int
    source: str
    incomplete: bool
    ai_feedback: str | None
    user_feedback: str | None
    token_cost: int
    generation_task_id: uuid.UUID | None
    sources: tuple[SourcePassage, ...]


@dataclass(frozen=True)
class PromptPreview:
    """What a run would send, and what it may cost, before the author runs it."""

    prompt: BuiltPrompt
    estimate: int
    title: str  # "Draft chapter 3: The Storm"
    note: str | None = None  # e.g. the previous chapter's summary is not made yet


class GenerationService:
    def __init__(
        self,
        db: Database,
        bus: EventBus,
        runner: JobRunner,
        *,
        search: SearchService,
        chapters: ChapterService,
        outline: OutlineService,
        tokens: TokenService,
        voice: VoiceService,
        provider: Provider | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self.runner = runner
        self.search = search
        self.chapters = chapters
        self.outline = outline
        self.tokens = tokens
        self.voice = voice
        self.provider = provider
        self.errors: dict[uuid.UUID, GhostlineError] = {}  # the last error of each failed job (UI titles)
        self.context = GenerationContext(self)
        self.agents = Agents(self)
        self.agents.register()

    def configure(self, provider: Provider | None) -> None:
        """Preferences changed the provider (None: offline)."""
        self.provider = provider

    def take_error(self, job_id: uuid.UUID) -> GhostlineError | None:
        """The typed error a failed job of this session ended with (once)."""
        return self.errors.pop(job_id, None)

    @property
    def online(self) -> bool:
        return self.provider is not None

    def _require_provider(self) -> None:
        if self.provider is None:
            raise ProviderNotConfigured()

    # -- starting agents ----------------------------------------------------------------
    async def start_outline(
        self, project_id: uuid.UUID, *, user_id: uuid.UUID | None, chapters: int | None = None
    ) -> JobInfo:
        self._require_provider()
        spec = JobSpec(
            OUTLINE,
            TaskType.OUTLINE_GENERATION,
            project_id,
            "Outline from sources",
            params={"chapters": chapters},
            timeout=JOB_TIMEOUT_S,
            user_id=user_id,
        )
        return await self.runner.submit(spec)

    async def start_chapter(self, project_id: uuid.UUID, position: int, *, user_id: uuid.UUID | None) -> JobInfo:
        """Draft the chapter at ``position`` (1-based, book order) from its outline entry."""
        self._require_provider()
        summary = await self.chapters.chapter_at(project_id, position)
        spec = JobSpec(
            CHAPTER,
            TaskType.CHAPTER_GENERATION,
            project_id,
            f"Draft chapter {position}: {summary.title}",
            params={"position": position},
            timeout=JOB_TIMEOUT_S,
            chapter_id=summary.id,
            user_id=user_id,
        )
        return await self.runner.submit(spec)

    async def start_revision(
        self, revision_id: uuid.UUID, feedback: str | None = None, *, user_id: uuid.UUID | None
    ) -> JobInfo:
        """Revise with feedback: ``feedback`` (when given) is stored as the revision's ``user_feedback``."""
        self._require_provider()
        if feedback is not None:
            await self.chapters.set_feedback(revision_id, feedback)
        rev, title, _book = await self.context.revision(revision_id)
        await self.context.revision_prompt(revision_id)  # fails now, not in the job, without feedback
        spec = JobSpec(
            REVISION,
            TaskType.CHAPTER_REVISION,
            rev.project_id,
            f"Revise “{title}” (revision {rev.revision_number})",
            params={"revision_id": str(revision_id)},
            timeout=JOB_TIMEOUT_S,
            chapter_id=rev.chapter_id,
            user_id=user_id,
        )
        return await self.runner.submit(spec)

    async def start_feedback(self, revision_id: uuid.UUID, *, user_id: uuid.UUID | None) -> JobInfo:
        self._require_provider()
        rev, title, _book = await self.context.revision(revision_id)
        spec = JobSpec(
            FEEDBACK,
            TaskType.CHAPTER_REVISION,
            rev.project_id,
            f"AI feedback on “{title}” (revision {rev.revision_number})",
            params={"revision_id": str(revision_id)},
            timeout=JOB_TIMEOUT_S,
            chapter_id=rev.chapter_id,
            user_id=user_id,
        )
        return await self.runner.submit(spec)

    # -- preview ------------------------------------------------------------------------
    async def preview_outline(self, project_id: uuid.UUID) -> PromptPreview:
        prompt = await self.context.outline_prompt(project_id)
        return PromptPreview(prompt, prompt.estimate, "Outline from sources")

    async def preview_chapter(self, project_id: uuid.UUID, position: int) -> PromptPreview:
        plan = await self.context.chapter_plan(project_id, position)
        note = None
        summary = None
        if plan.previous_id is not None and plan.previous_text.strip() and plan.previous_version is not None:
            summary = await self.context.cached_summary(plan.previous_id, plan.previous_version)
            if summary is None:
                summary = SUMMARY_PLACEHOLDER
                note = "The previous chapter is summarised first (a short extra call, also counted)."
        prompt = await self.context.chapter_prompt(plan, summary)
        return PromptPreview(prompt, prompt.estimate, f"Draft chapter {position}: {plan.title}", note)

    async def preview_revision(self, revision_id: uuid.UUID, feedback: str | None = None) -> PromptPreview:
        prompt = await self.context.revision_prompt(revision_id, feedback)
        return PromptPreview(prompt, prompt.estimate, "Revise with feedback")

    async def preview_feedback(self, revision_id: uuid.UUID) -> PromptPreview:
        prompt = await self.context.feedback_prompt(revision_id)
        return PromptPreview(prompt, prompt.estimate, "AI feedback on revision")

    # -- what a revision drew on --------------------------------------------------------
    async def revision_ai(self, revision_id: uuid.UUID) -> RevisionAI:
        q = (
            select(RevisionSourceChunk, ContentChunk, SourceMaterial.title)
            .join(ContentChunk, ContentChunk.id == RevisionSourceChunk.chunk_id)
            .join(SourceMaterial, SourceMaterial.id == ContentChunk.source_material_id)
            .where(RevisionSourceChunk.revision_id == revision_id)
            .order_by(RevisionSourceChunk.rank)
        )
        async with self.db.session() as s:
            rev = await s.get(ChapterRevision, revision_id)
            if rev is None:
                raise NotFoundError("That revision no longer exists.")
            sources = tuple(
                SourcePassage(
                    rank=rs.rank,
                    score=rs.score,
                    chunk_id=chunk.id,
                    source_id=chunk.source_material_id,
                    source_title=title,
                    chunk_index=chunk.chunk_index,
                    text=chunk.content,
                    page=(chunk.extra or {}).get("page"),
                    char_start=chunk.char_start,
                    char_end=chunk.char_end,
                )
                for rs, chunk, title in (await s.execute(q)).all()
            )
            return RevisionAI(
                id=rev.id,
                chapter_id=rev.chapter_id,
                revision_number=rev.revision_number,
                source=rev.source.name,
                incomplete=rev.incomplete,
                ai_feedback=rev.ai_feedback,
                user_feedback=rev.user_feedback,
                token_cost=rev.token_cost,
                generation_task_id=rev.generation_task_id,
                sources=sources,
            )

    async def revision_id(self, chapter_id: uuid.UUID, revision_number: int) -> uuid.UUID:
        async with self.db.session() as s:
            found = (
                await s.execute(
                    select(ChapterRevision.id).where(
                        ChapterRevision.chapter_id == chapter_id, ChapterRevision.revision_number == revision_number
                    )
                )
            ).scalar_one_or_none()
        if found is None:
            raise NotFoundError("That revision no longer exists.")
        return found
