"""The generation agents, each a job handler on the shared runtime (issue 8).

- ``outline_generation`` (OUTLINE_GENERATION): passages → outline JSON → a new DRAFT outline
  version; one repair call when the JSON is unusable.
- ``chapter_generation`` (CHAPTER_GENERATION): one outline chapter, streamed into a new AI_DRAFT
  revision; the previous chapter's summary (SUMMARIZATION) is made first when not cached.
- ``chapter_revision`` (CHAPTER_REVISION): a revision + its ``user_feedback`` → a new streamed
  AI_REVISION revision.
- ``ai_feedback``: an editor's notes on a revision into ``chapter_revisions.ai_feedback``.

A streamed draft that is cancelled, broken off or timed out keeps what arrived as a revision
marked ``incomplete`` (nothing is thrown away that the author may have watched appear).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from ghostline_desktop.ai import prompting
from ghostline_desktop.ai.outline_reply import OutlineReplyError, parse_outline_reply
from ghostline_desktop.db.models import ChapterRevision, ContentChunk, RevisionSourceChunk
from ghostline_desktop.errors import GhostlineError, NotFoundError, ProviderError, ProviderStreamInterrupted
from ghostline_desktop.runtime.jobs import Handler, JobContext, JobResult
from ghostline_desktop.services.events import ChaptersChanged
from ghostline_desktop.services.generation_calls import AccountedCalls, StreamOutcome

if TYPE_CHECKING:
    from ghostline_desktop.services.generation import GenerationService

log = logging.getLogger(__name__)

OUTLINE = "outline_generation"
CHAPTER = "chapter_generation"
REVISION = "chapter_revision"
FEEDBACK = "ai_feedback"


class OutlineUnreadableError(ProviderError):
    title = "Outline could not be read"


@dataclass(frozen=True)
class SavedRevision:
    id: uuid.UUID
    number: int
    incomplete: bool


class Agents:
    def __init__(self, gen: GenerationService) -> None:
        self.gen = gen

    def register(self) -> None:
        runner = self.gen.runner
        runner.register(OUTLINE, self._remembering(self.outline))
        runner.register(CHAPTER, self._remembering(self.chapter))
        runner.register(REVISION, self._remembering(self.revision))
        runner.register(FEEDBACK, self._remembering(self.feedback))

    def _remembering(self, handler: Handler) -> Handler:
        """The job row keeps only the message; the UI wants the error's kind too (its dialog
        title: "API key refused", "Not enough tokens"), so the last error of each job is kept
        for :meth:`GenerationService.take_error`."""

        async def run(ctx: JobContext, params: dict[str, Any]) -> JobResult | None:
            try:
                return await handler(ctx, params)
            except GhostlineError as exc:
                errors = self.gen.errors
                errors[ctx.job_id] = exc
                while len(errors) > 50:  # nobody asked for the old ones
                    errors.pop(next(iter(errors)))
                raise

        return run

    # -- outline ------------------------------------------------------------------------
    async def outline(self, ctx: JobContext, params: dict[str, Any]) -> JobResult:
        project_id = ctx.spec.project_id
        calls = AccountedCalls(self.gen, ctx, ctx.spec.user_id, "An outline from your sources")
        await ctx.progress(0.05, "Finding the most relevant passages…", force=True)
        prompt = await self.gen.context.outline_prompt(project_id, chapters=params.get("chapters"))
        await ctx.progress(0.2, "Asking the AI for an outline…", force=True)
        result, sent = await calls.chat(prompt, "Outline from sources")
        try:
            structure = parse_outline_reply(result.text)
        except OutlineReplyError as first:
            log.info("Outline reply unusable (%s); one repair attempt", first)
            await ctx.progress(0.6, "The outline was not valid JSON; asking once more…", force=True)
            messages = prompting.outline_repair_messages(sent, result.text, str(first))
            repaired, _ = await calls.chat(sent, "Outline from sources (repair)", messages=messages)
            try:
                structure = parse_outline_reply(repaired.text)
            except OutlineReplyError as second:
                raise OutlineUnreadableError(
                    f"The AI's outline could not be used, even after asking it to correct it: {second}"
                ) from None
        title = structure.pop("title", None)
        info = await self.gen.outline.save(
            project_id, structure, title=title if isinstance(title, str) else None, new_version=True
        )
        await calls.write_row(output_entity_type="book_outline", output_entity_id=info.id)
        n = info.chapter_count
        return JobResult(
            f"Outline version {info.version}: {n} chapter{'s' if n != 1 else ''} (draft)", "book_outline", info.id
        )

    # -- chapter draft ------------------------------------------------------------------
    async def chapter(self, ctx: JobContext, params: dict[str, Any]) -> JobResult:
        project_id = ctx.spec.project_id
        position = int(params["position"])
        plan = await self.gen.context.chapter_plan(project_id, position)
        calls = AccountedCalls(self.gen, ctx, ctx.spec.user_id, f"Drafting chapter {position}")
        summary = await self._previous_summary(ctx, calls, plan)
        await ctx.progress(0.1, "Finding passages for the chapter's scenes…", force=True)
        prompt = await self.gen.context.chapter_prompt(plan, summary)
        await ctx.progress(0.15, "Writing…", force=True)
        outcome = await calls.stream(prompt, f"Draft of chapter {position}: {plan.title}", ctx.emit)
        return await self._keep(ctx, calls, outcome, plan.chapter_id, "AI_DRAFT", f"AI draft of “{plan.title}”")

    async def _previous_summary(self, ctx: JobContext, calls: AccountedCalls, plan: Any) -> str | None:
        if plan.previous_id is None or not plan.previous_text.strip():
            return None
        cached: str | None = await self.gen.context.cached_summary(plan.previous_id, plan.previous_version)
        if cached is not None:
            return cached
        await ctx.progress(0.05, "Summarising the previous chapter for continuity…", force=True)
        book_title = plan.book_title
        prompt = prompting.summary_prompt(book_title, title=plan.previous_title or "", text=plan.previous_text)
        result, _ = await calls.chat(prompt, f"Summary of chapter {plan.number - 1} (continuity)")
        text = result.text.strip()
        if text:
            await self.gen.context.store_summary(plan.previous_id, plan.previous_version, text, result.model)
        return text or None

    # -- revise with feedback -----------------------------------------------------------
    async def revision(self, ctx: JobContext, params: dict[str, Any]) -> JobResult:
        revision_id = uuid.UUID(params["revision_id"])
        rev, title, _book = await self.gen.context.revision(revision_id)
        calls = AccountedCalls(self.gen, ctx, ctx.spec.user_id, "Revising with your feedback")
        await ctx.progress(0.05, "Finding passages for the feedback…", force=True)
        prompt = await self.gen.context.revision_prompt(revision_id, params.get("feedback"))
        await ctx.progress(0.15, "Revising…", force=True)
        outcome = await calls.stream(prompt, f"Revision of “{title}” (from revision {rev.revision_number})", ctx.emit)
        note = f"AI revision of revision {rev.revision_number} with feedback"
        return await self._keep(ctx, calls, outcome, rev.chapter_id, "AI_REVISION", note)

    # -- AI feedback --------------------------------------------------------------------
    async def feedback(self, ctx: JobContext, params: dict[str, Any]) -> JobResult:
        revision_id = uuid.UUID(params["revision_id"])
        calls = AccountedCalls(self.gen, ctx, ctx.spec.user_id, "AI feedback")
        await ctx.progress(0.1, "Reading the revision…", force=True)
        prompt = await self.gen.context.feedback_prompt(revision_id)
        result, _ = await calls.chat(prompt, "AI feedback on a revision")
        text = result.text.strip()
        if not text:
            raise ProviderError("The AI provider returned no feedback. Try again.")
        async with self.gen.db.session() as s:
            rev = await s.get(ChapterRevision, revision_id)
            if rev is None:
                raise NotFoundError("That revision no longer exists.")
            rev.ai_feedback = text
            project_id, chapter_id, number = rev.project_id, rev.chapter_id, rev.revision_number
        await calls.write_row(output_entity_type="chapter_revision", output_entity_id=revision_id)
        self.gen.bus.publish(ChaptersChanged(project_id, chapter_id, "feedback"))
        return JobResult(f"AI feedback on revision {number}", "chapter_revision", revision_id)

    # -- keeping a streamed text --------------------------------------------------------
    async def _keep(
        self,
        ctx: JobContext,
        calls: AccountedCalls,
        outcome: StreamOutcome,
        chapter_id: uuid.UUID,
        source: str,
        note: str,
    ) -> JobResult:
        """Save what the stream produced as a revision (incomplete when it was cut short), then
        end the job as the outcome says: completed, failed (text kept) or cancelled (text kept)."""
        saved: SavedRevision | None = None
        if outcome.text.strip():
            saved = await asyncio.shield(self._save(ctx, calls, outcome, chapter_id, source, note))
        if outcome.cancel is not None:
            raise outcome.cancel  # the runner records CANCELLED (or the timeout, FAILED)
        if not outcome.complete:
            kept = f" The text that arrived is kept as revision {saved.number}, marked incomplete." if saved else ""
            err = outcome.error
            base = str(err) if isinstance(err, GhostlineError) else "The AI provider's reply broke off."
            if isinstance(err, ProviderStreamInterrupted):
                base = "The AI provider's reply broke off midway."
            cut = ProviderError(base + kept)
            cut.title = getattr(err, "title", ProviderStreamInterrupted.title)  # the dialog's heading
            raise cut
        if saved is None:
            raise ProviderError("The AI provider returned an empty text; nothing was saved.")
        return JobResult(f"Revision {saved.number} written", "chapter_revision", saved.id)

    async def _save(
        self,
        ctx: JobContext,
        calls: AccountedCalls,
        outcome: StreamOutcome,
        chapter_id: uuid.UUID,
        source: str,
        note: str,
    ) -> SavedRevision:
        incomplete = not outcome.complete
        if incomplete:
            note += " (incomplete)"
        result = await self.gen.chapters.save(
            chapter_id,
            outcome.text,
            source=source,
            user_id=ctx.spec.user_id,
            token_cost=(outcome.prompt_tokens + outcome.completion_tokens) if outcome.usage_reported else 0,
            generation_task_id=ctx.job_id,
            seal_working_first=True,
            note=note,
        )
        number = result.text.revision_number
        chunk_ids = [uuid.UUID(p.chunk_id) for p in outcome.prompt.passages]
        async with self.gen.db.session() as s:
            rev = (
                await s.execute(
                    select(ChapterRevision).where(
                        ChapterRevision.chapter_id == chapter_id, ChapterRevision.revision_number == number
                    )
                )
            ).scalar_one()
            rev.incomplete = incomplete
            rev_id, project_id = rev.id, rev.project_id
            # Only chunks that still exist (a source may have been deleted while the draft ran).
            alive = set((await s.execute(select(ContentChunk.id).where(ContentChunk.id.in_(chunk_ids)))).scalars())
            rows = [
                {"revision_id": rev_id, "chunk_id": cid, "rank": rank, "score": p.score}
                for rank, (cid, p) in enumerate(zip(chunk_ids, outcome.prompt.passages, strict=True), 1)
                if cid in alive
            ]
            if rows:
                await s.execute(insert(RevisionSourceChunk).values(rows).on_conflict_do_nothing())
        await calls.write_row(output_entity_type="chapter_revision", output_entity_id=rev_id)
        self.gen.bus.publish(ChaptersChanged(project_id, chapter_id, "generated"))
        return SavedRevision(rev_id, number, incomplete)
