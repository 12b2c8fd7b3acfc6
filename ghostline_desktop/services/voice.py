"""Voice profiles and similarity scores (issue 10).

The profile is learned from writing the author marks as their own (source materials, chapters,
pasted text) by ``core/style_profile`` and stored in the project's ``voice_profiles`` row:
``style_attributes`` holds the features, the calibration, what the profile learned in plain words
and ``score_range`` (what the author's own text scores: the QA check flags a revision far below
it); ``embedding`` is the style vector zero-padded to the column's width (``embedding_model``
says so, so nobody compares it with a semantic embedding).

Every sealed revision is scored when it is saved: ``ChapterSaved(sealed=True)`` queues a
VOICE_ANALYSIS job (off the GUI thread and off the service loop: the scoring runs in the process
pool) that scores the chapter's unscored revisions, writes ``similarity_score`` and
``voice_breakdown`` and publishes ``RevisionScored``. A new profile rescores the whole project.
Projects without a profile cost one cached lookup per save and queue nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, null, select, update

from ghostline_desktop.core.enums import ProcessingStatus, TaskType
from ghostline_desktop.core.style_features import first_words, split_paragraphs
from ghostline_desktop.core.style_profile import (
    MIN_WORDS,
    STYLE_MODEL,
    profile_payload,
    score_payloads,
)
from ghostline_desktop.core.vectors import pad
from ghostline_desktop.core.words import count_words
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import Chapter, ChapterRevision, SourceMaterial, VoiceProfile
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.runtime.jobs import JobContext, JobResult, JobRunner, JobSpec
from ghostline_desktop.services.events import ChapterSaved, Event, EventBus, RevisionScored, VoiceProfileChanged

if TYPE_CHECKING:
    from ghostline_desktop.ai.embedders import Embedder

log = logging.getLogger(__name__)

SCORE_HANDLER = "voice.score"
RESCORE_HANDLER = "voice.rescore"

#: Revisions scored per worker round trip (a batch of long chapters is still well under a second).
BATCH = 16
#: Below this a score says nothing: the revision is marked "too short" instead.
MIN_SCORED_WORDS = 50
#: The sample the generation agents steer by: whole paragraphs, this many words at most.
SAMPLE_WORDS = 5000
JOB_TIMEOUT_S = 1800.0
PROFILE_CACHE_S = 30.0
#: What the semantic embedding reads of the sample (embedding models take a few thousand tokens).
SEMANTIC_WORDS = 1500


@dataclass(frozen=True)
class VoiceProfileInfo:
    project_id: uuid.UUID
    name: str
    words: int
    summary: list[str]  # what the profile learned, in plain words
    score_range: dict[str, float]
    built_from: dict[str, Any]  # {"sources": n, "chapters": n, "pasted_words": n}
    updated_at: datetime | None
    embedding_model: str | None


@dataclass(frozen=True)
class VoiceNote:
    """A revision's (or a text's) score and why, as the history tooltip and the CLI show it."""

    score: float | None
    reasons: list[str] = field(default_factory=list)
    words: int = 0

    @property
    def label(self) -> str:
        return "—" if self.score is None else f"{self.score:.0%}"

    def tooltip(self) -> str:
        if self.score is None:
            return "; ".join(self.reasons) or "Not scored yet"
        return f"Voice match {self.score:.0%}: " + "; ".join(self.reasons)


def _note(payload: dict[str, Any] | None, score: float | None) -> VoiceNote:
    payload = payload or {}
    return VoiceNote(score, list(payload.get("reasons", [])), int(payload.get("words", 0)))


class VoiceService:
    def __init__(self, db: Database, bus: EventBus, runner: JobRunner) -> None:
        self.db = db
        self.bus = bus
        self.runner = runner
        # project id → (has a profile, when checked): saves of profile-less projects queue nothing,
        # rechecked now and then (the CLI may build a profile while the app runs).
        self._has_profile: dict[uuid.UUID, tuple[bool, float]] = {}
        self._pending: set[asyncio.Task[None]] = set()  # referenced until done (see TaskRegistry)
        self._rescore_jobs: dict[uuid.UUID, uuid.UUID] = {}
        # The provider's embedder when one is configured (Services sets it): the profile then also
        # keeps a semantic embedding of its sample. None offline: the style vector needs no model.
        self.semantic: Embedder | None = None
        runner.register(SCORE_HANDLER, self._score_job)
        runner.register(RESCORE_HANDLER, self._score_job)
        bus.subscribe(self._on_event, ChapterSaved)

    def configure(self, embedder: Embedder | None) -> None:
        self.semantic = embedder

    # -- queries ------------------------------------------------------------------------------
    async def sample_text(self, project_id: uuid.UUID) -> str | None:
        """The profile's sample of the author's own writing (the generation agents steer by it)."""
        async with self.db.session() as s:
            text = (
                await s.execute(select(VoiceProfile.sample_text).where(VoiceProfile.project_id == project_id))
            ).scalar_one_or_none()
        return text or None

    async def profile(self, project_id: uuid.UUID) -> VoiceProfileInfo | None:
        async with self.db.session() as s:
            row = (
                await s.execute(select(VoiceProfile).where(VoiceProfile.project_id == project_id))
            ).scalar_one_or_none()
            if row is None or not row.style_attributes.get("features"):
                return None
            a = row.style_attributes
            return VoiceProfileInfo(
                project_id=project_id,
                name=row.name,
                words=int(a.get("words", 0)),
                summary=list(a.get("summary", [])),
                score_range=dict(a.get("score_range", {})),
                built_from=dict(a.get("built_from", {})),
                updated_at=row.updated_at,
                embedding_model=row.embedding_model,
            )

    async def score_range(self, project_id: uuid.UUID) -> dict[str, float] | None:
        info = await self.profile(project_id)
        return info.score_range if info else None

    async def revision_notes(self, chapter_id: uuid.UUID) -> dict[uuid.UUID, VoiceNote]:
        """Score and reasons of each of a chapter's revisions that has been scored."""
        async with self.db.session() as s:
            rows = (
                await s.execute(
                    select(ChapterRevision.id, ChapterRevision.similarity_score, ChapterRevision.voice_breakdown).where(
                        ChapterRevision.chapter_id == chapter_id, ChapterRevision.voice_breakdown.is_not(None)
                    )
                )
            ).all()
        return {rid: _note(bd, score) for rid, score, bd in rows}

    async def score_text(self, project_id: uuid.UUID, text: str) -> dict[str, Any]:
        """Score any text against the project's profile: score, reasons, per-feature details."""
        attrs = await self._attributes(project_id)
        if attrs is None:
            raise NotFoundError("This project has no voice profile yet: build one first (Tools ▸ Voice Profile).")
        (result,) = await self.runner.cpu.run(score_payloads, attrs, [text])
        out = dict(result)
        if out["words"] < MIN_SCORED_WORDS:  # as for revisions: one word must not score 100%
            out["score"] = None
            out["reasons"] = [f"too short to compare (under {MIN_SCORED_WORDS} words)"]
        return out

    # -- building -----------------------------------------------------------------------------
    async def gather(
        self,
        project_id: uuid.UUID,
        *,
        source_ids: list[uuid.UUID] | tuple[uuid.UUID, ...] = (),
        chapter_ids: list[uuid.UUID] | tuple[uuid.UUID, ...] = (),
        texts: list[str] | tuple[str, ...] = (),
    ) -> str:
        """The sample: the chosen sources' text, the chosen chapters' current text, pasted text."""
        parts: list[str] = []
        async with self.db.session() as s:
            if source_ids:
                rows = (
                    await s.execute(
                        select(SourceMaterial.id, SourceMaterial.extracted_text).where(
                            SourceMaterial.project_id == project_id,
                            SourceMaterial.id.in_(list(source_ids)),
                            SourceMaterial.processing_status == ProcessingStatus.READY,
                        )
                    )
                ).all()
                by_id = {sid: text for sid, text in rows}
                parts.extend(by_id[i] or "" for i in source_ids if i in by_id)
            for chapter_id in chapter_ids:
                content = (
                    await s.execute(
                        select(ChapterRevision.content)
                        .join(Chapter, Chapter.id == ChapterRevision.chapter_id)
                        .where(ChapterRevision.chapter_id == chapter_id, Chapter.project_id == project_id)
                        .order_by(ChapterRevision.revision_number.desc())
                        .limit(1)
                    )
                ).scalar_one_or_none()
                parts.append(content or "")
        parts.extend(texts)
        return "\n\n".join(p.strip() for p in parts if p and p.strip())

    async def build(
        self,
        project_id: uuid.UUID,
        *,
        source_ids: list[uuid.UUID] | tuple[uuid.UUID, ...] = (),
        chapter_ids: list[uuid.UUID] | tuple[uuid.UUID, ...] = (),
        texts: list[str] | tuple[str, ...] = (),
        name: str | None = None,
        rescore: bool = True,
    ) -> VoiceProfileInfo:
        """Learn the author's voice from their own writing and store it as the project's profile;
        then rescore the project's revisions (a job). Raises ``ValidationError`` below
        ``MIN_WORDS`` words, saying how many there are."""
        sample = await self.gather(project_id, source_ids=source_ids, chapter_ids=chapter_ids, texts=texts)
        words = await asyncio.to_thread(count_words, sample)
        if words < MIN_WORDS:
            raise ValidationError(
                f"A voice profile needs at least {MIN_WORDS:,} words of your own writing; the chosen text has "
                f"{words:,}. Choose more chapters or sources, or paste more text (10,000 words or more give a "
                "steadier profile)."
            )
        try:
            payload = await self.runner.cpu.run(profile_payload, sample)
        except ValueError as exc:  # TooLittleTextError: too few passages after cleaning
            raise ValidationError(str(exc)) from exc
        attrs = payload["attributes"]
        attrs["built_from"] = {
            "sources": len(source_ids),
            "chapters": len(chapter_ids),
            "pasted_words": sum(count_words(t) for t in texts),
        }
        excerpt = first_words(split_paragraphs(sample), SAMPLE_WORDS)
        semantic = await self._semantic_embedding(excerpt)
        if semantic is not None:
            attrs["semantic_embedding"] = semantic
        async with self.db.session() as s:
            row = (
                await s.execute(select(VoiceProfile).where(VoiceProfile.project_id == project_id).with_for_update())
            ).scalar_one_or_none()
            if row is None:
                row = VoiceProfile(project_id=project_id)
                s.add(row)
            if name:
                row.name = name[:200]
            row.sample_text = excerpt
            row.style_attributes = attrs
            row.embedding = pad(payload["vector"])
            row.embedding_model = STYLE_MODEL
            await s.commit()
        self._has_profile[project_id] = (True, time.monotonic())
        self.bus.publish(VoiceProfileChanged(project_id))
        if rescore:
            await self.rescore(project_id)
        info = await self.profile(project_id)
        assert info is not None
        return info

    async def _semantic_embedding(self, excerpt: str) -> dict[str, Any] | None:
        """A semantic embedding of the sample by the configured provider, kept beside the style
        vector (the ``embedding`` column holds the style vector); a provider failure only leaves
        it out — the profile does not need it."""
        if self.semantic is None:
            return None
        try:
            (vector,) = await self.semantic.embed([first_words(split_paragraphs(excerpt), SEMANTIC_WORDS)])
        except Exception as exc:  # a provider outage must not stop an offline-capable feature
            log.warning("Voice profile: no semantic embedding (%s)", type(exc).__name__)
            return {"model": self.semantic.name, "error": str(exc)[:300]}
        return {"model": self.semantic.name, "dimensions": len(vector), "vector": [round(x, 6) for x in vector]}

    async def delete(self, project_id: uuid.UUID) -> None:
        """Forget the profile and every score made against it."""
        async with self.db.session() as s:
            await s.execute(delete(VoiceProfile).where(VoiceProfile.project_id == project_id))
            await s.execute(
                update(ChapterRevision)
                .where(ChapterRevision.project_id == project_id)
                .values(similarity_score=None, voice_breakdown=null())
            )
            await s.commit()
        self._has_profile[project_id] = (False, time.monotonic())
        self.bus.publish(VoiceProfileChanged(project_id))

    # -- scoring jobs -------------------------------------------------------------------------
    async def rescore(self, project_id: uuid.UUID) -> uuid.UUID:
        """Queue a rescoring of every sealed revision of the project (a newer one replaces it)."""
        previous = self._rescore_jobs.get(project_id)
        if previous is not None:
            self.runner.cancel(previous)
        job = await self.runner.submit(
            JobSpec(
                handler=RESCORE_HANDLER,
                task_type=TaskType.VOICE_ANALYSIS,
                project_id=project_id,
                label="Voice match of every revision",
                params={"project_id": str(project_id), "all": True},
                timeout=JOB_TIMEOUT_S,
            )
        )
        self._rescore_jobs[project_id] = job.id
        return job.id

    async def score_chapter(self, project_id: uuid.UUID, chapter_id: uuid.UUID) -> uuid.UUID | None:
        """Queue the scoring of a chapter's unscored sealed revisions (None: no profile)."""
        if not await self._profile_exists(project_id):
            return None
        job = await self.runner.submit(
            JobSpec(
                handler=SCORE_HANDLER,
                task_type=TaskType.VOICE_ANALYSIS,
                project_id=project_id,
                label="Voice match of a revision",
                params={"project_id": str(project_id), "chapter_id": str(chapter_id)},
                timeout=JOB_TIMEOUT_S,
                chapter_id=chapter_id,
            )
        )
        return job.id

    def _on_event(self, event: Event) -> None:
        if not isinstance(event, ChapterSaved) or not event.sealed:
            return
        known = self._known(event.project_id)
        if known is False:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # published outside the service loop (a sync test): nothing to queue on
            return
        task = loop.create_task(self._queue_quietly(event.project_id, event.chapter_id))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _queue_quietly(self, project_id: uuid.UUID, chapter_id: uuid.UUID) -> None:
        try:
            await self.score_chapter(project_id, chapter_id)
        except Exception:  # the save succeeded; a missing score is shown as "—", never an error
            log.warning("Could not queue voice scoring", exc_info=True)

    async def _profile_exists(self, project_id: uuid.UUID) -> bool:
        known = self._known(project_id)
        if known is not None:
            return known
        async with self.db.session() as s:
            found = (
                await s.execute(select(VoiceProfile.id).where(VoiceProfile.project_id == project_id))
            ).scalar_one_or_none()
        self._has_profile[project_id] = (found is not None, time.monotonic())
        return found is not None

    def _known(self, project_id: uuid.UUID) -> bool | None:
        entry = self._has_profile.get(project_id)
        if entry is None or time.monotonic() - entry[1] > PROFILE_CACHE_S:
            return None
        return entry[0]

    async def _attributes(self, project_id: uuid.UUID) -> dict[str, Any] | None:
        async with self.db.session() as s:
            attrs = (
                await s.execute(select(VoiceProfile.style_attributes).where(VoiceProfile.project_id == project_id))
            ).scalar_one_or_none()
        return attrs if attrs and attrs.get("features") else None

    async def _score_job(self, ctx: JobContext, params: dict[str, Any]) -> JobResult:
        project_id = uuid.UUID(params["project_id"])
        attrs = await self._attributes(project_id)
        if attrs is None:
            return JobResult("No voice profile: nothing to score")
        q = select(ChapterRevision.id, ChapterRevision.chapter_id).where(
            ChapterRevision.project_id == project_id, ChapterRevision.sealed
        )
        if params.get("chapter_id"):
            q = q.where(ChapterRevision.chapter_id == uuid.UUID(params["chapter_id"]))
        if not params.get("all"):
            q = q.where(ChapterRevision.voice_breakdown.is_(None))
        async with self.db.session() as s:
            todo = (await s.execute(q.order_by(ChapterRevision.created_at))).all()
        done = 0
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            async with self.db.session() as s:
                texts = dict(
                    (
                        await s.execute(
                            select(ChapterRevision.id, ChapterRevision.content).where(
                                ChapterRevision.id.in_([r for r, _c in batch])
                            )
                        )
                    ).all()
                )
            ids = [(r, c) for r, c in batch if r in texts]
            results = await ctx.run_cpu(score_payloads, attrs, [texts[r] for r, _c in ids])
            scored: list[tuple[uuid.UUID, uuid.UUID, float | None]] = []
            async with self.db.session() as s:
                profile_id = (
                    await s.execute(
                        select(VoiceProfile.id).where(VoiceProfile.project_id == project_id).with_for_update()
                    )
                ).scalar_one_or_none()
                if profile_id is None:  # deleted meanwhile: its scores must not come back
                    return JobResult("The voice profile was removed")
                for (rid, cid), res in zip(ids, results, strict=True):
                    score: float | None = float(res["score"])
                    if res["words"] < MIN_SCORED_WORDS:
                        score = None
                        res = {
                            "words": res["words"],
                            "reasons": [f"too short to compare (under {MIN_SCORED_WORDS} words)"],
                        }
                    await s.execute(
                        update(ChapterRevision)
                        .where(ChapterRevision.id == rid)
                        .values(similarity_score=score, voice_breakdown=res)
                    )
                    scored.append((rid, cid, score))
                await s.commit()
            for rid, cid, score in scored:
                self.bus.publish(RevisionScored(project_id, cid, rid, score))
            done += len(batch)
            await ctx.progress(done / len(todo), f"Scored {done} of {len(todo)} revisions")
        return JobResult(f"Scored {done} revision{'s' if done != 1 else ''}")
