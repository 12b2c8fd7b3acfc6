"""Exporting the manuscript as EXPORT jobs (issue 12).

``start`` refuses a book with OPEN blocking QA findings (:class:`ExportBlockedError` lists
them), numbers the export (version 1, 2, 3… per project and format, allocated under the
project's row lock so two exports at once never share a number), records an
``exported_books`` row (PENDING) and queues the job. The job reads the chosen revision of
each chosen chapter, builds the manuscript model and renders it in the process pool (a
400-page PDF must not stall the service loop), keeps the file in the object store
(``s3_key``, ``signed_url`` a file: link to it), copies it to the author's chosen path,
marks the row READY and sends an EXPORT_READY notification whose link opens the file. A
failure or cancel leaves the row FAILED with the reason and sends EXPORT_FAILED.

"Latest approved" reads, for each APPROVED chapter, its newest *sealed* revision (the
checkpoint the author approved, never the unsealed working text); chapters not approved are
left out and named in the outcome.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import distinct_on

from ghostline_desktop.core.enum_names import member_by_name
from ghostline_desktop.core.enums import ChapterStatus, ExportFormat, ExportStatus, TaskStatus, TaskType
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import Chapter, ChapterRevision, ExportedBook, GenerationTask, Project, User
from ghostline_desktop.errors import ExportBlockedError, JobCancelledError, NotFoundError, ValidationError
from ghostline_desktop.export import EXTENSIONS, export_book
from ghostline_desktop.export.model import FrontMatter, RenderOptions, SourceChapter
from ghostline_desktop.runtime.jobs import JobContext, JobResult, JobRunner, JobSpec
from ghostline_desktop.services.events import EventBus, ExportsChanged
from ghostline_desktop.services.export_types import (
    REVISION_MODES,
    ExportInfo,
    ExportOutcome,
    ExportRequest,
    ExportStarted,
    parse_chapter_range,
)
from ghostline_desktop.services.notifications import NotificationService
from ghostline_desktop.services.qa import QAService
from ghostline_desktop.storage.local import LocalStore

if TYPE_CHECKING:
    from ghostline_desktop.services.qa_runs import QARunService

HANDLER = "export.render"


def _format(name: str) -> ExportFormat:
    aliases = {"MD": "MARKDOWN", "HTM": "HTML"}
    key = aliases.get(name.strip().upper(), name.strip().upper())
    member = member_by_name(ExportFormat, key)
    if member is None:
        raise ValidationError(f"'{name}' is not an export format (use PDF, DOCX, EPUB, Markdown or HTML).")
    return member


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60] or "book"


class ExportService:
    def __init__(
        self,
        db: Database,
        bus: EventBus,
        store: LocalStore,
        runner: JobRunner,
        *,
        qa: QAService,
        notifications: NotificationService,
        qa_runs: QARunService | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self.store = store
        self.runner = runner
        self.qa = qa
        self.notifications = notifications
        self.qa_runs = qa_runs
        self.outcomes: dict[uuid.UUID, ExportOutcome] = {}  # job id -> outcome, this session
        runner.register(HANDLER, self._run, on_cancelled=self._cancelled_before_start)

    # -- queries ---------------------------------------------------------------------------
    async def history(self, project_id: uuid.UUID, fmt: str | None = None, *, limit: int = 100) -> list[ExportInfo]:
        """Exports of the project, newest first (of one format if ``fmt``)."""
        q = select(ExportedBook).where(ExportedBook.project_id == project_id)
        if fmt:
            q = q.where(ExportedBook.format == _format(fmt))
        q = q.order_by(ExportedBook.created_at.desc(), ExportedBook.version.desc()).limit(max(1, min(limit, 1000)))
        async with self.db.session() as s:
            rows = list((await s.execute(q)).scalars())
            await self._settle_orphans(s, rows)
            return [self._info(row) for row in rows]

    async def _settle_orphans(self, s: Any, rows: list[ExportedBook]) -> None:
        """An export whose job ended without finishing it (the app was killed mid-export: the job
        runner's recovery marks such jobs FAILED at the next start) is FAILED too, not
        RENDERING forever. Judged by the job row, so another app on a shared database that is
        still exporting is left alone."""
        open_rows = [r for r in rows if r.status in (ExportStatus.PENDING, ExportStatus.RENDERING)]
        job_ids = [r.generation_task_id for r in open_rows if r.generation_task_id is not None]
        if not job_ids:
            return
        ended = set(
            (
                await s.execute(
                    select(GenerationTask.id).where(
                        GenerationTask.id.in_(job_ids),
                        GenerationTask.status.in_((TaskStatus.FAILED, TaskStatus.CANCELLED, TaskStatus.COMPLETED)),
                    )
                )
            ).scalars()
        )
        for row in open_rows:
            if row.generation_task_id in ended:
                row.status = ExportStatus.FAILED
                row.error_message = row.error_message or "Interrupted: GhostLine stopped during the export."

    async def get(self, export_id: uuid.UUID) -> ExportInfo:
        async with self.db.session() as s:
            row = await s.get(ExportedBook, export_id)
            if row is None:
                raise NotFoundError("That export no longer exists.")
            return self._info(row)

    async def defaults(self, project_id: uuid.UUID, user_id: uuid.UUID | None = None) -> dict[str, Any]:
        """What the dialog pre-fills: the project's title/subtitle, the author's name, and the
        front matter last used for this book (kept in ``projects.settings["export"]``)."""
        async with self.db.session() as s:
            project = await s.get(Project, project_id)
            if project is None:
                raise NotFoundError("That project no longer exists.")
            user = await s.get(User, user_id or project.owner_id)
            saved = dict((project.settings or {}).get("export") or {})
            out: dict[str, Any] = {
                "title": project.title,
                "subtitle": project.subtitle or "",
                "author": (user.display_name or user.username) if user else "",
            }
        out.update({k: v for k, v in saved.items() if isinstance(v, str | bool)})
        return out

    # -- starting --------------------------------------------------------------------------
    async def start(self, request: ExportRequest) -> ExportStarted:
        """Check the QA gate, number the export, queue the job; returns at once."""
        fmt = _format(request.format)
        if request.revision not in REVISION_MODES:
            raise ValidationError("Export the latest or the latest approved revision of each chapter.")
        blocking = await self.qa.open_blocking(request.project_id)
        if blocking and self.qa_runs is not None:
            # The findings may be older than the text: a placeholder fixed a moment ago (before
            # the QA run after typing) or by ``chapter save-revision`` still refused the export.
            # Check those chapters again (rules only: no tokens spent) before refusing.
            for chapter_id in dict.fromkeys(f.chapter_id for f in blocking if f.chapter_id is not None):
                await self.qa_runs.run_and_wait(request.project_id, chapter_id=chapter_id, factual=False, notify=False)
            blocking = await self.qa.open_blocking(request.project_id)
        if blocking:
            raise ExportBlockedError(list(blocking))
        async with self.db.session() as s:
            project = (
                await s.execute(select(Project).where(Project.id == request.project_id).with_for_update())
            ).scalar_one_or_none()
            if project is None:
                raise NotFoundError("That project no longer exists.")
            last = (
                await s.execute(
                    select(func.max(ExportedBook.version)).where(
                        ExportedBook.project_id == request.project_id, ExportedBook.format == fmt
                    )
                )
            ).scalar()
            version = int(last or 0) + 1
            title = (request.title or "").strip() or project.title
            row = ExportedBook(
                project_id=request.project_id,
                created_by_id=request.user_id,
                format=fmt,
                version=version,
                status=ExportStatus.PENDING,
                title=title[:500],
            )
            s.add(row)
            # Remember the front matter for next time (the dialog pre-fills it).
            remembered = {
                k: v
                for k, v in (
                    ("author", request.author),
                    ("subtitle", request.subtitle),
                    ("dedication", request.dedication),
                    ("copyright", request.copyright),
                    ("about_author", request.about_author),
                )
                if v is not None
            }
            if remembered:
                project.settings = {**(project.settings or {}), "export": remembered}
            await s.flush()
            export_id = row.id
        params = {
            "export_id": str(export_id),
            "request": _request_json(request, fmt.name),
        }
        label = f"Export “{title}” as {fmt.value} (v{version})"
        job = await self.runner.submit(
            JobSpec(
                HANDLER,
                TaskType.EXPORT,
                request.project_id,
                label,
                params=params,
                timeout=900.0,
                user_id=request.user_id,
                retryable=False,  # a retry would reuse this version number; export again instead
            )
        )
        async with self.db.session() as s:
            row2 = await s.get(ExportedBook, export_id)
            if row2 is not None and row2.generation_task_id is None:
                row2.generation_task_id = job.id
        self.bus.publish(ExportsChanged(request.project_id))
        return ExportStarted(export_id, job.id, version)

    async def export_and_wait(self, request: ExportRequest, *, timeout: float | None = 900.0) -> ExportOutcome:
        """Start and wait (the CLI, tests); raises the job's error if it failed."""
        started = await self.start(request)
        job = await self.runner.wait(started.job_id, timeout)
        outcome = self.outcomes.get(started.job_id)
        if outcome is None:
            info = await self.get(started.export_id)
            raise ValidationError(job.error or info.error or "The export did not finish.")
        return outcome

    def cancel(self, job_id: uuid.UUID) -> bool:
        return self.runner.cancel(job_id)

    # -- the job ---------------------------------------------------------------------------
    async def _run(self, ctx: JobContext, params: dict[str, Any]) -> JobResult:
        export_id = uuid.UUID(params["export_id"])
        req = _request_from_json(params["request"])
        began = datetime.now(UTC)
        try:
            return await self._execute(ctx, export_id, req, began)
        except (asyncio.CancelledError, JobCancelledError):
            await asyncio.shield(self._fail(export_id, req, "Cancelled", notify=False))
            raise
        except Exception as exc:
            await self._fail(export_id, req, str(exc) or type(exc).__name__, notify=True)
            raise

    async def _execute(self, ctx: JobContext, export_id: uuid.UUID, req: ExportRequest, began: datetime) -> JobResult:
        fmt = _format(req.format)
        await self._set(export_id, status=ExportStatus.RENDERING)
        await ctx.progress(0.05, "Reading the chapters", force=True)
        blocking = await self.qa.open_blocking(req.project_id)
        if blocking:  # a QA run finished between the dialog and the job
            raise ExportBlockedError(list(blocking))
        chapters, left_out, words = await self._read(req)
        if not chapters:
            raise ValidationError(
                "No chapter is approved yet." if req.revision == "approved" else "There are no chapters to export."
            )
        front = await self._front(req)
        await ctx.progress(0.2, f"Typesetting {len(chapters)} chapter(s)", force=True)
        data: bytes = await ctx.run_cpu(export_book, front, chapters, fmt.name, req.options)
        await ctx.progress(0.9, "Saving the file", force=True)
        info = await self.get(export_id)
        ext = EXTENSIONS[fmt.name]
        key = f"exports/{req.project_id}/{fmt.name.lower()}/{_slug(info.title or 'book')}-v{info.version}.{ext}"
        stored = await ctx.run_thread(self.store.put_bytes, key, data)
        destination: Path | None = None
        if req.destination:
            destination = Path(req.destination).expanduser()
            try:
                await ctx.run_thread(_copy, stored, destination)
            except OSError as exc:  # said "Unexpected error (FileNotFoundError); see the log"
                raise ValidationError(
                    f"Could not save the book to {destination}: {exc.strerror or exc}. Choose another folder."
                ) from exc
        link = (destination or stored).resolve().as_uri()
        await self._set(
            export_id,
            status=ExportStatus.READY,
            s3_bucket=self.store.bucket,
            s3_key=key,
            signed_url=link,
            file_size=len(data),
            word_count=words,
            error_message=None,
        )
        info = await self.get(export_id)
        seconds = (datetime.now(UTC) - began).total_seconds()
        outcome = ExportOutcome(info, destination, len(chapters), tuple(left_out), seconds)
        self.outcomes[ctx.job_id] = outcome
        if req.user_id is not None:
            await self.notifications.notify(
                req.user_id,
                "EXPORT_READY",
                f"“{info.title}” exported as {fmt.value} (version {info.version})",
                message=f"{len(chapters)} chapter(s), {len(data) / 1024:,.0f} KB. Click to open the file.",
                project_id=req.project_id,
                link_url=link,
            )
        self.bus.publish(ExportsChanged(req.project_id))
        return JobResult(
            message=f"Exported to {destination or stored}", entity_type="exported_book", entity_id=export_id
        )

    async def _cancelled_before_start(self, params: dict[str, Any]) -> None:
        await self._fail(
            uuid.UUID(params["export_id"]), _request_from_json(params["request"]), "Cancelled", notify=False
        )

    async def _fail(self, export_id: uuid.UUID, req: ExportRequest, reason: str, *, notify: bool) -> None:
        try:
            await self._set(export_id, status=ExportStatus.FAILED, error_message=reason[:2000])
            if notify and req.user_id is not None:
                await self.notifications.notify(
                    req.user_id,
                    "EXPORT_FAILED",
                    f"Export as {_format(req.format).value} failed",
                    message=reason,
                    project_id=req.project_id,
                )
        except Exception:  # the project may be gone; the job records the error anyway
            pass
        self.bus.publish(ExportsChanged(req.project_id))

    async def _set(self, export_id: uuid.UUID, **fields: Any) -> None:
        async with self.db.session() as s:
            row = await s.get(ExportedBook, export_id)
            if row is None:
                raise NotFoundError("That export no longer exists.")
            for k, v in fields.items():
                setattr(row, k, v)

    # -- reading ---------------------------------------------------------------------------
    async def _read(self, req: ExportRequest) -> tuple[list[SourceChapter], list[str], int]:
        """The chosen chapters' text in book order: the current text (working or newest), or the
        newest sealed revision of each APPROVED chapter."""
        approved = req.revision == "approved"
        q = select(ChapterRevision.chapter_id, ChapterRevision.content, ChapterRevision.word_count).where(
            ChapterRevision.project_id == req.project_id
        )
        if approved:
            q = q.where(ChapterRevision.sealed.is_(True))
        newest = (
            q.ext(distinct_on(ChapterRevision.chapter_id))
            .order_by(ChapterRevision.chapter_id, ChapterRevision.revision_number.desc())
            .subquery()
        )
        rows_q = (
            select(Chapter.id, Chapter.title, Chapter.status, newest.c.content, newest.c.word_count)
            .outerjoin(newest, newest.c.chapter_id == Chapter.id)
            .where(Chapter.project_id == req.project_id)
            .order_by(Chapter.order, Chapter.created_at)
        )
        async with self.db.session() as s:
            rows = (await s.execute(rows_q)).all()
        wanted = set(req.chapter_ids) if req.chapter_ids is not None else None
        if wanted is not None and not wanted <= {r[0] for r in rows}:
            raise NotFoundError("A chapter chosen for the export no longer exists.")
        out: list[SourceChapter] = []
        left_out: list[str] = []
        words = 0
        for cid, title, status, content, count in rows:
            if wanted is not None and cid not in wanted:
                continue
            if approved and status is not ChapterStatus.APPROVED:
                left_out.append(title)
                continue
            out.append(SourceChapter(title, content or ""))
            words += int(count or 0)
        return out, left_out, words

    async def _front(self, req: ExportRequest) -> FrontMatter:
        d = await self.defaults(req.project_id, req.user_id)
        cover: bytes | None = None
        if req.cover_path:
            path = Path(req.cover_path).expanduser()
            if not path.is_file():
                raise ValidationError(f"The cover image {path} does not exist.")
            cover = path.read_bytes()
        return FrontMatter(
            title=(req.title or "").strip() or d["title"],
            author=req.author if req.author is not None else d.get("author", ""),
            subtitle=req.subtitle if req.subtitle is not None else (d.get("subtitle") or None),
            identifier=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'ghostline:{req.project_id}')}",
            date=datetime.now(UTC).date().isoformat(),
            toc=req.toc,
            dedication=req.dedication,
            copyright=req.copyright,
            about_author=req.about_author,
            cover=cover,
        )

    def _info(self, row: ExportedBook) -> ExportInfo:
        path = self.store.path(row.s3_key) if row.s3_key else None
        return ExportInfo(
            id=row.id,
            project_id=row.project_id,
            format=row.format.name,
            version=row.version,
            status=row.status.name,
            title=row.title,
            path=path,
            link_url=row.signed_url,
            file_size=row.file_size,
            word_count=row.word_count,
            error=row.error_message,
            created_at=row.created_at,
            job_id=row.generation_task_id,
        )


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    shutil.copyfile(source, tmp)
    tmp.replace(target)


def _request_json(req: ExportRequest, fmt: str) -> dict[str, Any]:
    out = asdict(req)
    out["format"] = fmt
    out["project_id"] = str(req.project_id)
    out["user_id"] = str(req.user_id) if req.user_id else None
    out["chapter_ids"] = [str(c) for c in req.chapter_ids] if req.chapter_ids is not None else None
    return out


def _request_from_json(data: dict[str, Any]) -> ExportRequest:
    opts = dict(data.get("options") or {})
    fields = {k: v for k, v in data.items() if k in ExportRequest.__dataclass_fields__}
    fields["project_id"] = uuid.UUID(data["project_id"])
    fields["user_id"] = uuid.UUID(data["user_id"]) if data.get("user_id") else None
    ids = data.get("chapter_ids")
    fields["chapter_ids"] = tuple(uuid.UUID(c) for c in ids) if ids is not None else None
    fields["options"] = RenderOptions(**{k: v for k, v in opts.items() if k in RenderOptions.__dataclass_fields__})
    return ExportRequest(**fields)


__all__ = [
    "ExportInfo",
    "ExportOutcome",
    "ExportRequest",
    "ExportService",
    "ExportStarted",
    "parse_chapter_range",
]
