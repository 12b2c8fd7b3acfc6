"""Running the QA checks as QA_CHECK jobs and reconciling their findings (issue 11).

A run reads every chapter's current text (the working text, else the newest revision) with
its ``text_version``, analyses in the process pool only the chapters whose text is not in
the cache (chapter id + text hash: an incremental run after an edit re-analyses one chapter),
combines the book-level checks, adds STYLE_DEVIATION (voice scores) and, with a provider,
FACTUAL_INCONSISTENCY, then re-reads the versions: a chapter edited meanwhile is left out of
the reconciliation (its results describe text that no longer exists). The rest goes to
``QAService.reconcile`` in one transaction.

Runs are *named*: a book run cancels the runs of that book still in flight, a chapter run
the one of the same chapter (the background run after typing replaces itself).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on

from ghostline_desktop.core.enums import FindingType, TaskType
from ghostline_desktop.core.qa.model import ChapterText, Finding
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import Chapter, ChapterRevision, Project, VoiceProfile
from ghostline_desktop.errors import NotFoundError
from ghostline_desktop.runtime.jobs import JobContext, JobResult, JobRunner, JobSpec
from ghostline_desktop.services import qa_work
from ghostline_desktop.services.events import EventBus
from ghostline_desktop.services.qa import QAService, ReconcileResult

if TYPE_CHECKING:
    from ghostline_desktop.ai.provider import Provider
    from ghostline_desktop.services.notifications import NotificationService
    from ghostline_desktop.services.search import SearchService
    from ghostline_desktop.services.tokens import TokenService

HANDLER = "qa.run"
#: Analyses kept in memory (~20 kB a chapter): a few whole novels.
MAX_CACHED_CHAPTERS = 600
MAX_OUTCOMES = 50


@dataclass(frozen=True)
class RunOutcome:
    """What a run did (the job's ``extra``, the CLI's --json, the notification)."""

    job_id: uuid.UUID
    scope: str  # "book" or the chapter's title
    chapters: int
    analysed: int  # chapters analysed afresh (the rest came from the cache)
    stale: int  # chapters edited during the run, left out
    result: ReconcileResult
    seconds: float
    factual_note: str | None = None
    phases: dict[str, float] = dataclasses.field(default_factory=dict)  # ms per step (the bench, --json)


@dataclass
class _Snapshot:
    chapters: list[ChapterText]
    versions: dict[uuid.UUID, int]


class QARunService:
    def __init__(
        self,
        db: Database,
        bus: EventBus,
        runner: JobRunner,
        qa: QAService,
        *,
        notifications: NotificationService,
        tokens: TokenService,
        provider: Provider | None = None,
        search: SearchService | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self.runner = runner
        self.qa = qa
        self.notifications = notifications
        self.tokens = tokens
        self.provider = provider
        self.search = search
        # chapter id -> (text hash, analysis): one entry per chapter, the newest text analysed.
        self._cache: dict[uuid.UUID, tuple[str, Any]] = {}
        self._inflight: dict[tuple[uuid.UUID, uuid.UUID | None], uuid.UUID] = {}
        self.outcomes: dict[uuid.UUID, RunOutcome] = {}  # job id -> outcome, this session
        runner.register(HANDLER, self._run)

    def configure(self, provider: Provider | None) -> None:
        self.provider = provider

    # -- submitting ------------------------------------------------------------------------
    async def run(
        self,
        project_id: uuid.UUID,
        *,
        chapter_id: uuid.UUID | None = None,
        user_id: uuid.UUID | None = None,
        factual: bool = True,
        notify: bool = True,
        background: bool = False,
    ) -> uuid.UUID:
        """Queue a QA run (whole book, or one chapter); returns the job id at once.

        A book run cancels every run of the book in flight; a chapter run the one of the same
        chapter. ``factual`` asks for the model-based check (only with a provider; the
        background run after typing never spends tokens)."""
        async with self.db.session() as s:
            project = await s.get(Project, project_id)
            if project is None:
                raise NotFoundError("That project no longer exists.")
            title = project.title
            if chapter_id is not None:
                ch = await s.get(Chapter, chapter_id)
                if ch is None or ch.project_id != project_id:
                    raise NotFoundError("That chapter is not part of this book.")
                title = ch.title
        for (pid, cid), job_id in list(self._inflight.items()):
            if pid == project_id and (chapter_id is None or cid == chapter_id):
                self.runner.cancel(job_id)
        label = f"QA of “{title}”" if chapter_id is None else f"QA of chapter “{title}”"
        params = {
            "project_id": str(project_id),
            "chapter_id": str(chapter_id) if chapter_id else None,
            "user_id": str(user_id) if user_id else None,
            "factual": bool(factual and not background),
            "notify": bool(notify and not background),
        }
        job = await self.runner.submit(
            JobSpec(
                HANDLER,
                TaskType.QA_CHECK,
                project_id,
                label,
                params=params,
                timeout=1800.0,
                chapter_id=chapter_id,
                user_id=user_id,
            )
        )
        self._inflight[(project_id, chapter_id)] = job.id
        return job.id

    async def run_and_wait(self, project_id: uuid.UUID, **kw: Any) -> RunOutcome | None:
        """Run and wait (the CLI, tests); None if the run was cancelled or failed."""
        job_id = await self.run(project_id, **kw)
        await self.runner.wait(job_id)
        return self.outcomes.get(job_id)

    # -- the job ---------------------------------------------------------------------------
    async def _run(self, ctx: JobContext, params: dict[str, Any]) -> JobResult:
        started = time.perf_counter()
        project_id = uuid.UUID(params["project_id"])
        chapter_id = uuid.UUID(params["chapter_id"]) if params.get("chapter_id") else None
        user_id = uuid.UUID(params["user_id"]) if params.get("user_id") else None
        try:
            return await self._execute(ctx, project_id, chapter_id, user_id, params, started)
        finally:
            key = (project_id, chapter_id)
            if self._inflight.get(key) == ctx.job_id:
                del self._inflight[key]

    async def _execute(
        self,
        ctx: JobContext,
        project_id: uuid.UUID,
        chapter_id: uuid.UUID | None,
        user_id: uuid.UUID | None,
        params: dict[str, Any],
        started: float,
    ) -> JobResult:
        phases: dict[str, float] = {}
        mark = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal mark
            now = time.perf_counter()
            phases[name] = round((now - mark) * 1000, 1)
            mark = now

        await ctx.progress(0.02, "Reading the chapters", force=True)
        snap = await self.read_chapters(project_id)
        lap("read")
        in_scope = [c for c in snap.chapters if chapter_id is None or c.chapter_id == chapter_id]
        if chapter_id is not None and not in_scope:
            raise NotFoundError("That chapter no longer exists.")
        analyses, analysed = await self._analyses(ctx, snap.chapters)
        lap("analyse")
        await ctx.progress(0.7, "Checking the book", force=True)
        enabled = qa_work.rule_types()
        findings: list[Finding] = await ctx.run_cpu(qa_work.combine, snap.chapters, analyses, enabled)
        lap("combine")
        checked: set[FindingType] = set(enabled)
        style = await self._style_deviation(project_id, in_scope)
        if style is not None:
            findings += style
            checked.add(FindingType.STYLE_DEVIATION)
        factual_note: str | None = None
        factual_scope: list[uuid.UUID] = []
        if params.get("factual") and self.provider is not None and self.search is not None:
            await ctx.progress(0.8, "Checking facts against your sources", force=True)
            from ghostline_desktop.services.qa_factual import check_facts

            search = self.search

            async def find(pid: uuid.UUID, q: str) -> Any:
                return await search.search(pid, q, limit=4)

            fact = await check_facts(
                provider=self.provider,
                tokens=self.tokens,
                search=find,
                project_id=project_id,
                user_id=user_id,
                chapters=in_scope,
                job_id=ctx.job_id,
                check_cancelled=ctx.check_cancelled,
            )
            findings += fact.findings
            factual_scope, factual_note = fact.checked, fact.stopped
        ctx.check_cancelled()
        # Results for text that changed since the run read it are dropped: re-read the versions.
        lap("style_and_facts")
        now_versions = await self._versions(project_id)
        scope_ids = [c.chapter_id for c in in_scope]
        fresh = [cid for cid in scope_ids if now_versions.get(cid) == snap.versions.get(cid)]
        stale = len(scope_ids) - len(fresh)
        findings = _stamp(findings, {c.chapter_id: c for c in in_scope})
        await ctx.progress(0.9, "Recording the findings", force=True)
        result = await self.qa.reconcile(
            project_id,
            [f for f in findings if f.finding_type is not FindingType.FACTUAL_INCONSISTENCY],
            chapter_ids=fresh,
            book_level=chapter_id is None,
            checked_types=checked,
            run_id=ctx.job_id,
        )
        fresh_factual = [c for c in factual_scope if c in fresh]
        if fresh_factual:
            fact_result = await self.qa.reconcile(
                project_id,
                [f for f in findings if f.finding_type is FindingType.FACTUAL_INCONSISTENCY],
                chapter_ids=fresh_factual,
                book_level=False,
                checked_types=[FindingType.FACTUAL_INCONSISTENCY],
                run_id=ctx.job_id,
            )
            result = dataclasses.replace(
                fact_result,
                new=result.new + fact_result.new,
                updated=result.updated + fact_result.updated,
                auto_resolved=result.auto_resolved + fact_result.auto_resolved,
                reopened=result.reopened + fact_result.reopened,
            )
        scope = "book" if chapter_id is None else in_scope[0].title
        lap("reconcile")
        outcome = RunOutcome(
            ctx.job_id,
            scope,
            len(in_scope),
            analysed,
            stale,
            result,
            time.perf_counter() - started,
            factual_note,
            phases,
        )
        self.outcomes[ctx.job_id] = outcome
        while len(self.outcomes) > MAX_OUTCOMES:  # the CLI and tests read the newest; keep a few
            del self.outcomes[next(iter(self.outcomes))]
        message = describe(outcome)
        if params.get("notify") and user_id is not None:
            await self.notifications.notify(
                user_id, "QA_COMPLETE", _notification_title(outcome), message=message, project_id=project_id
            )
        return JobResult(message=message, entity_type="project", entity_id=project_id)

    async def _analyses(self, ctx: JobContext, chapters: list[ChapterText]) -> tuple[dict[uuid.UUID, Any], int]:
        """Every chapter's analysis: from the cache when its text is unchanged, else from the pool
        (the missing ones in one batch per worker, in parallel)."""
        hashes = {c.chapter_id: qa_work.text_hash(c.text) for c in chapters}
        out: dict[uuid.UUID, Any] = {}
        todo: list[ChapterText] = []
        for c in chapters:
            hit = self._cache.get(c.chapter_id)
            if hit is not None and hit[0] == hashes[c.chapter_id]:
                out[c.chapter_id] = hit[1]
            else:
                todo.append(c)
        if todo:
            await ctx.progress(0.1, f"Analysing {len(todo)} chapter(s)", force=True)
            n = max(1, min(self.runner.cpu.workers, len(todo)))
            batches = [todo[i::n] for i in range(n)]
            results = await asyncio.gather(*(ctx.run_cpu(qa_work.analyse_batch, b) for b in batches))
            for batch, got in zip(batches, results, strict=True):
                for c, analysis in zip(batch, got, strict=True):
                    out[c.chapter_id] = analysis
                    self._cache.pop(c.chapter_id, None)  # re-inserted last: the dict is oldest-first
                    self._cache[c.chapter_id] = (hashes[c.chapter_id], analysis)
            while len(self._cache) > MAX_CACHED_CHAPTERS:  # books of other projects opened this session
                del self._cache[next(iter(self._cache))]
        return out, len(todo)

    # -- reading ---------------------------------------------------------------------------
    async def read_chapters(self, project_id: uuid.UUID) -> _Snapshot:
        """Every chapter's current text (working text, else newest revision) and text_version,
        in book order, in one query."""
        newest = (
            select(ChapterRevision.chapter_id, ChapterRevision.id, ChapterRevision.content)
            .where(ChapterRevision.project_id == project_id)
            .ext(distinct_on(ChapterRevision.chapter_id))
            .order_by(ChapterRevision.chapter_id, ChapterRevision.revision_number.desc())
            .subquery()
        )
        q = (
            select(Chapter.id, Chapter.order, Chapter.title, Chapter.text_version, newest.c.id, newest.c.content)
            .outerjoin(newest, newest.c.chapter_id == Chapter.id)
            .where(Chapter.project_id == project_id)
            .order_by(Chapter.order, Chapter.created_at)
        )
        async with self.db.session() as s:
            rows = (await s.execute(q)).all()
        chapters = [
            ChapterText(chapter_id=cid, order=order, title=title, text=content or "", revision_id=rev_id)
            for cid, order, title, _v, rev_id, content in rows
        ]
        return _Snapshot(chapters, {r[0]: r[3] for r in rows})

    async def _versions(self, project_id: uuid.UUID) -> dict[uuid.UUID, int]:
        async with self.db.session() as s:
            rows = (
                await s.execute(select(Chapter.id, Chapter.text_version).where(Chapter.project_id == project_id))
            ).all()
        return {cid: v for cid, v in rows}

    async def _style_deviation(self, project_id: uuid.UUID, chapters: list[ChapterText]) -> list[Finding] | None:
        """Chapters whose newest scored revision falls far below the author's usual range.

        None (not checked: nothing auto-resolves) while there is no score range yet."""
        async with self.db.session() as s:
            attrs = (
                await s.execute(select(VoiceProfile.style_attributes).where(VoiceProfile.project_id == project_id))
            ).scalar_one_or_none()
            score_range = (attrs or {}).get("score_range")
            if not isinstance(score_range, dict):
                return None
            rows = (
                await s.execute(
                    select(ChapterRevision.chapter_id, ChapterRevision.similarity_score)
                    .where(
                        ChapterRevision.project_id == project_id,
                        ChapterRevision.sealed.is_(True),
                        ChapterRevision.similarity_score.is_not(None),
                    )
                    .ext(distinct_on(ChapterRevision.chapter_id))
                    .order_by(ChapterRevision.chapter_id, ChapterRevision.revision_number.desc())
                )
            ).all()
        score = {cid: float(v) for cid, v in rows if v is not None}
        pairs = [(c, score[c.chapter_id]) for c in chapters if c.chapter_id in score]
        return qa_work.style_deviation(pairs, score_range)


def _stamp(findings: list[Finding], read: dict[uuid.UUID, ChapterText]) -> list[Finding]:
    """The revision this run read (a cached analysis may name an older one) and the exact text
    found, so the panel can re-find the passage after later edits."""
    out = []
    for f in findings:
        ch = read.get(f.chapter_id) if f.chapter_id else None
        if ch is None:
            out.append(f)
            continue
        extra = {**f.extra, "span": ch.text[f.start : f.end]}
        out.append(dataclasses.replace(f, revision_id=ch.revision_id, extra=extra))
    return out


def _n(count: int, noun: str) -> str:
    """Count and noun: 1 finding, 2 findings (the status line and notifications said "1 finding(s)")."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def describe(o: RunOutcome) -> str:
    r = o.result
    parts = [f"{_n(r.open_total, 'open finding')}"]
    if r.open_blocking:
        parts.append(f"{r.open_blocking} blocking")
    if r.new:
        parts.append(f"{r.new} new")
    if r.auto_resolved:
        parts.append(f"{r.auto_resolved} fixed since the last run")
    if o.stale:
        parts.append(f"{_n(o.stale, 'chapter')} changed during the run and {'was' if o.stale == 1 else 'were'} skipped")
    text = ", ".join(parts) + "."
    if o.factual_note:
        text += f" Fact check stopped: {o.factual_note}"
    return text


def _notification_title(o: RunOutcome) -> str:
    what = "the book" if o.scope == "book" else f"“{o.scope}”"
    blocking = o.result.open_blocking
    if blocking:
        return f"QA of {what}: {_n(blocking, 'blocking finding')} open"
    return f"QA of {what} complete"
