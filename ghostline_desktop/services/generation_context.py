"""What the generation agents read before they call the model: retrieved passages, the
outline chapter, the voice sample, the previous chapter's cached summary (issue 8).

Everything here reads the database; nothing calls the provider (the summary is *made* by the
agent, :mod:`generation_agents`, and only looked up here). The preview and the agents build
their prompts through the same functions, so "Preview Prompt" shows what is sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from ghostline_desktop.ai import prompting
from ghostline_desktop.ai.prompting import BuiltPrompt, Passage
from ghostline_desktop.core import outline_tree
from ghostline_desktop.db.models import (
    Chapter,
    ChapterRevision,
    ChapterSummaryCache,
    ContentChunk,
    ProcessingStatus,
    Project,
    SourceMaterial,
)
from ghostline_desktop.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from ghostline_desktop.services.generation import GenerationService

OUTLINE_PASSAGES = 24
CHAPTER_PASSAGES = 10
REVISION_PASSAGES = 6
PER_SCENE = 4
MAX_SCENE_QUERIES = 8


@dataclass(frozen=True)
class ChapterPlan:
    """One chapter to draft, with everything its prompt needs except the passages."""

    chapter_id: uuid.UUID
    project_id: uuid.UUID
    book_title: str
    number: int  # 1-based position in the book
    title: str
    part_title: str | None
    summary: str | None
    scenes: tuple[str, ...]
    target_words: int | None
    previous_id: uuid.UUID | None
    previous_title: str | None
    previous_version: int | None  # text_version of the previous chapter (the summary cache key)
    previous_text: str  # its current text ("" when empty)


class GenerationContext:
    def __init__(self, gen: GenerationService) -> None:
        self.gen = gen
        self.db = gen.db

    # -- project ------------------------------------------------------------------------
    async def project_brief(self, project_id: uuid.UUID) -> tuple[str, str | None]:
        async with self.db.session() as s:
            row = (
                await s.execute(select(Project.title, Project.description).where(Project.id == project_id))
            ).one_or_none()
        if row is None:
            raise NotFoundError("That project no longer exists.")
        return str(row.title), row.description

    # -- retrieval ----------------------------------------------------------------------
    async def retrieve(self, project_id: uuid.UUID, queries: list[str], limit: int) -> list[Passage]:
        """Hybrid search for each query; passages merged by their best score, best first."""
        best: dict[uuid.UUID, tuple[float, Passage]] = {}
        per_query = max(PER_SCENE, limit // max(1, len(queries)) + 2)
        for q in queries:
            if not q.strip():
                continue
            for hit in await self.gen.search.search(project_id, q, limit=per_query):
                p = Passage(str(hit.chunk_id), hit.source_title, hit.text, hit.score, hit.page, hit.section)
                old = best.get(hit.chunk_id)
                if old is None or hit.score > old[0]:
                    best[hit.chunk_id] = (hit.score, p)
        ranked = sorted(best.values(), key=lambda sp: -sp[0])
        return [p for _s, p in ranked[:limit]]

    async def opening_passages(self, project_id: uuid.UUID, limit: int) -> list[Passage]:
        """The first chunks of each ready source, round-robin: material for an outline when the
        search finds nothing to rank (a project with no description)."""
        q = (
            select(ContentChunk.id, ContentChunk.content, ContentChunk.chunk_index, SourceMaterial.title)
            .join(SourceMaterial, SourceMaterial.id == ContentChunk.source_material_id)
            .where(ContentChunk.project_id == project_id, SourceMaterial.processing_status == ProcessingStatus.READY)
            .order_by(ContentChunk.chunk_index, SourceMaterial.created_at)
            .limit(limit)
        )
        async with self.db.session() as s:
            rows = (await s.execute(q)).all()
        return [Passage(str(r.id), r.title, r.content, 0.0) for r in rows]

    # -- outline ------------------------------------------------------------------------
    async def outline_prompt(self, project_id: uuid.UUID, *, chapters: int | None = None) -> BuiltPrompt:
        title, description = await self.project_brief(project_id)
        queries = [title, description or "", "the main people, places and events"]
        passages = await self.retrieve(project_id, queries, OUTLINE_PASSAGES)
        if len(passages) < OUTLINE_PASSAGES // 2:
            seen = {p.chunk_id for p in passages}
            passages += [p for p in await self.opening_passages(project_id, OUTLINE_PASSAGES) if p.chunk_id not in seen]
        if not passages:
            raise ValidationError("This project has no imported sources yet; an outline is drawn from them.")
        return prompting.outline_prompt(
            title, prompting.fit_passages(passages[:OUTLINE_PASSAGES]), brief=description, chapters=chapters
        )

    # -- chapters -----------------------------------------------------------------------
    async def chapter_plan(self, project_id: uuid.UUID, position: int) -> ChapterPlan:
        chapters = await self.gen.chapters.list_chapters(project_id)
        if not 1 <= position <= len(chapters):
            raise NotFoundError(f"There is no chapter {position}; the book has {len(chapters)}.")
        this = chapters[position - 1]
        book_title, _ = await self.project_brief(project_id)
        async with self.db.session() as s:
            ch = await s.get(Chapter, this.id)
            target = ch.target_word_count if ch else None
            chapter_summary = ch.summary if ch else None
            laid_out_by = ch.book_outline_id if ch else None
        # The outline version that laid this chapter out (its outline_position points into that
        # one); a newer draft outline from the AI does not move chapters until approved.
        outline = await self.gen.outline.get(laid_out_by) if laid_out_by else await self.gen.outline.current(project_id)
        flat = outline_tree.chapter_at(outline.structure, this.outline_position) if outline else None
        node = _outline_node(outline.structure, this.outline_position) if outline else {}
        node_summary = node.get("summary")
        prev = chapters[position - 2] if position > 1 else None
        prev_text, prev_version = "", None
        if prev is not None:
            text = await self.gen.chapters.get(prev.id)
            prev_text, prev_version = text.content, text.base
        return ChapterPlan(
            chapter_id=this.id,
            project_id=project_id,
            book_title=book_title,
            number=position,
            title=this.title,
            part_title=flat.part_title if flat else None,
            summary=node_summary if isinstance(node_summary, str) and node_summary.strip() else chapter_summary,
            scenes=flat.scenes if flat else (),
            target_words=target,
            previous_id=prev.id if prev else None,
            previous_title=prev.title if prev else None,
            previous_version=prev_version,
            previous_text=prev_text,
        )

    async def chapter_passages(self, plan: ChapterPlan) -> list[Passage]:
        queries = [f"{plan.title}. {plan.summary or ''}", *list(plan.scenes)[:MAX_SCENE_QUERIES]]
        return await self.retrieve(plan.project_id, queries, CHAPTER_PASSAGES)

    async def chapter_prompt(
        self, plan: ChapterPlan, previous_summary: str | None, passages: list[Passage] | None = None
    ) -> BuiltPrompt:
        if passages is None:
            passages = await self.chapter_passages(plan)
        voice = await self.gen.voice.sample_text(plan.project_id)
        return prompting.chapter_prompt(
            plan.book_title,
            number=plan.number,
            title=plan.title,
            part_title=plan.part_title,
            summary=plan.summary,
            scenes=plan.scenes,
            passages=prompting.fit_passages(passages),
            voice_sample=voice,
            previous_title=plan.previous_title,
            previous_summary=previous_summary,
            target_words=plan.target_words,
        )

    # -- summary cache ------------------------------------------------------------------
    async def cached_summary(self, chapter_id: uuid.UUID, text_version: int) -> str | None:
        async with self.db.session() as s:
            row = await s.get(ChapterSummaryCache, chapter_id)
            return row.summary if row is not None and row.text_version == text_version else None

    async def store_summary(self, chapter_id: uuid.UUID, text_version: int, summary: str, model: str | None) -> None:
        stmt = insert(ChapterSummaryCache).values(
            chapter_id=chapter_id, text_version=text_version, summary=summary, model=model
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[ChapterSummaryCache.chapter_id],
            set_={"text_version": text_version, "summary": summary, "model": model},
        )
        async with self.db.session() as s:
            await s.execute(stmt)

    # -- revisions ----------------------------------------------------------------------
    async def revision(self, revision_id: uuid.UUID) -> tuple[ChapterRevision, str, str]:
        """The revision row (detached), its chapter's title and the book's title."""
        async with self.db.session() as s:
            rev = await s.get(ChapterRevision, revision_id)
            if rev is None:
                raise NotFoundError("That revision no longer exists.")
            ch = await s.get(Chapter, rev.chapter_id)
            title = ch.title if ch else "Untitled"
            s.expunge(rev)
        book_title, _ = await self.project_brief(rev.project_id)
        return rev, title, book_title

    async def revision_prompt(self, revision_id: uuid.UUID, feedback: str | None = None) -> BuiltPrompt:
        rev, title, book_title = await self.revision(revision_id)
        wanted = (feedback if feedback is not None else rev.user_feedback or "").strip()
        if not wanted:
            raise ValidationError("Write what should change first (the feedback for this revision).")
        passages = await self.retrieve(rev.project_id, [wanted, title], REVISION_PASSAGES)
        return prompting.revision_prompt(
            book_title, title=title, text=rev.content, feedback=wanted, passages=prompting.fit_passages(passages)
        )

    async def feedback_prompt(self, revision_id: uuid.UUID) -> BuiltPrompt:
        rev, title, book_title = await self.revision(revision_id)
        if not rev.content.strip():
            raise ValidationError("That revision is empty; there is nothing to give feedback on.")
        passages = await self.retrieve(rev.project_id, [title, rev.content[:500]], REVISION_PASSAGES)
        return prompting.feedback_prompt(
            book_title, title=title, text=rev.content, passages=prompting.fit_passages(passages)
        )


def _outline_node(structure: dict[str, object], position: dict[str, object]) -> dict[str, object]:
    """The outline chapter node at ``position`` (its extra keys, such as the AI's summary)."""
    try:
        parts = structure.get("parts") or []
        node = parts[int(position["part"])]["chapters"][int(position["chapter"])]  # type: ignore[index,call-overload]
    except (KeyError, IndexError, TypeError, ValueError):
        return {}
    return node if isinstance(node, dict) else {}
