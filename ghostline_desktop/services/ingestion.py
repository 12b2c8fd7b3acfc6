"""Ingestion: files and notes become READY sources with searchable, embedded chunks.

Every file runs the same pipeline as one SOURCE_PROCESSING job on the shared runtime:

    UPLOADING  copy into the object store while hashing (content-addressed; a file imported
               twice into a project is stored once and the author is told it is a duplicate)
    PROCESSING sniff the real type, extract + chunk in the process pool (or transcribe through
               the provider), then write the chunks and READY in ONE transaction
    READY / FAILED (with an author-readable message and a machine-readable code)

READY means readable and searchable by its words. Vectors for meaning search follow in one
EMBEDDING job per project (a real sentence model on two cores embeds a few thousand tokens a
second, far slower than extraction, so the author should not wait for it to use a source).

Why one transaction at the end: a crash or a cancel mid-way leaves the previous chunks (or
none), never half a set. A job interrupted by a crash is failed on the next start and, when
its file was already copied, resumed (it only needs the stored file). Because that recovery
re-derives every step, the steps commit without waiting for the WAL flush (``durable=False``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import tempfile
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import JSONB

from ghostline_desktop.core.enums import MaterialType, ProcessingStatus, TaskType
from ghostline_desktop.core.vectors import pad
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import EMBEDDING_DIMENSIONS, ContentChunk, Project, SourceMaterial
from ghostline_desktop.errors import GhostlineError, NotFoundError, ProviderNotConfigured, ValidationError
from ghostline_desktop.ingest.base import ExtractionError
from ghostline_desktop.runtime.jobs import JobContext, JobResult, JobRunner, JobSpec
from ghostline_desktop.services.dto import ImportBatch
from ghostline_desktop.services.events import EventBus, SourcesChanged
from ghostline_desktop.services.library import summary_of
from ghostline_desktop.services.text_stats import count_words_async
from ghostline_desktop.services.vector_index import ensure_vector_index
from ghostline_desktop.storage.local import LocalStore, StoredFile, import_file

if TYPE_CHECKING:
    from ghostline_desktop.ai.embedders import Embedder
    from ghostline_desktop.ai.provider import Provider
    from ghostline_desktop.ingest.pipeline import Prepared

log = logging.getLogger(__name__)

HANDLER = "source.process"
REEMBED_HANDLER = "project.reembed"
# Small batches: a cancel or quit waits for at most one batch in the embedding thread.
EMBED_BATCH = 16
DEFAULT_MAX_BYTES = 500 * 1024 * 1024
SOURCE_TIMEOUT_S = 2 * 3600.0
BIG_PDF_BYTES = 256 * 1024  # smaller PDFs are read by one worker (no extra opens)

#: Extensions a folder import picks up (a file dropped or chosen explicitly is sniffed instead).
KNOWN_SUFFIXES = {
    ".pdf", ".docx", ".txt", ".text", ".md", ".markdown", ".epub", ".html", ".htm", ".xhtml",
    ".png", ".jpg", ".jpeg", ".heic", ".heif", ".tif", ".tiff", ".webp", ".gif",
    ".mp3", ".m4a", ".wav", ".ogg", ".oga", ".opus", ".flac", ".aac",
}  # fmt: skip
_GUESS = {
    ".pdf": MaterialType.PDF, ".docx": MaterialType.DOCX, ".epub": MaterialType.EPUB,
    ".md": MaterialType.MARKDOWN, ".markdown": MaterialType.MARKDOWN,
    ".html": MaterialType.HTML, ".htm": MaterialType.HTML, ".xhtml": MaterialType.HTML,
    ".mp3": MaterialType.AUDIO, ".m4a": MaterialType.VOICE_MEMO, ".wav": MaterialType.AUDIO,
    ".ogg": MaterialType.AUDIO, ".oga": MaterialType.AUDIO, ".opus": MaterialType.AUDIO,
}  # fmt: skip
_AUDIO = (MaterialType.AUDIO, MaterialType.VOICE_MEMO)
_MIME = {
    MaterialType.PDF: "application/pdf",
    MaterialType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    MaterialType.EPUB: "application/epub+zip",
    MaterialType.HTML: "text/html",
    MaterialType.TEXT: "text/plain",
    MaterialType.MARKDOWN: "text/markdown",
    MaterialType.NOTE: "text/markdown",
}


_ERROR_CODES: dict[type[BaseException], str] = {ProviderNotConfigured: "needs_provider", ValidationError: "invalid"}


def _mb(n: int) -> str:
    return f"{n / 1_048_576:,.1f} MB"


def expand_paths(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to import (folders recursively, hidden entries skipped) and the names refused."""
    files: list[Path] = []
    refused: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.startswith("."):
                        continue
                    p = Path(root) / name
                    if p.suffix.lower() in KNOWN_SUFFIXES:
                        files.append(p)
        elif path.exists():
            files.append(path)
        else:
            refused.append((path.name or str(path), f"“{path.name}” no longer exists (was it moved or deleted?)."))
    return files, refused


class IngestionService:
    """Import files, process them as jobs, and re-chunk notes and re-embed projects."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        store: LocalStore,
        runner: JobRunner,
        *,
        embedder: Embedder | None = None,
        provider: Provider | None = None,
        max_file_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.db = db
        self.bus = bus
        self.store = store
        self.runner = runner
        self.provider = provider
        self._embedder = embedder
        self.max_file_bytes = max_file_bytes
        self._passwords: dict[uuid.UUID, str] = {}  # never persisted: only for the next attempt
        runner.register(HANDLER, self._process, on_cancelled=self._cancelled_while_queued)
        runner.register(REEMBED_HANDLER, self._embed_pending)
        self._embedding_jobs: dict[uuid.UUID, uuid.UUID] = {}
        self._embed_again: set[uuid.UUID] = set()

    # -- configuration ------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from ghostline_desktop.ai.embedders import local_embedder

            self._embedder = local_embedder()
        return self._embedder

    def configure(self, *, embedder: Embedder | None = None, provider: Provider | None = None) -> None:
        """The provider changed in Preferences: new imports use the new embedder."""
        self._embedder = embedder
        self.provider = provider

    # -- import -------------------------------------------------------------------------------
    async def import_paths(
        self, project_id: uuid.UUID, paths: Sequence[Path], *, user_id: uuid.UUID | None = None
    ) -> ImportBatch:
        """Queue each file (folders recursively) as a job; refuse before copying anything a file
        that is empty, over the size limit or unreadable. Returns at once."""
        files, refused = await asyncio.to_thread(expand_paths, paths)
        rows: list[SourceMaterial] = []
        originals: list[str] = []
        for path in files:
            reason = self._refusal(path)
            if reason:
                refused.append((path.name, reason))
                continue
            rows.append(
                SourceMaterial(
                    project_id=project_id,
                    material_type=_GUESS.get(path.suffix.lower(), MaterialType.TEXT),
                    processing_status=ProcessingStatus.UPLOADING,
                    title=(path.stem or path.name)[:500],
                    original_filename=path.name[:1000],
                    file_size=path.stat().st_size,
                    extra={},
                )
            )
            originals.append(str(path.resolve()))
        if not rows:
            return ImportBatch([], refused)
        async with self.db.session(durable=False) as s:
            if await s.get(Project, project_id) is None:
                raise NotFoundError("That project no longer exists.")
            s.add_all(rows)
            await s.flush()
            accepted = [summary_of(r) for r in rows]
        job_ids = await self._queue_many(
            [(src.id, src.title, original) for src, original in zip(accepted, originals, strict=True)],
            project_id,
            user_id,
        )
        accepted = [dataclasses.replace(src, job_id=job_id) for src, job_id in zip(accepted, job_ids, strict=True)]
        self.bus.publish(SourcesChanged(project_id))
        return ImportBatch(accepted, refused)

    def _refusal(self, path: Path) -> str | None:
        try:
            size = path.stat().st_size
        except OSError as exc:
            return f"“{path.name}” could not be read: {exc.strerror or exc}."
        if size == 0:
            return f"“{path.name}” is empty, so there is nothing to import."
        if size > self.max_file_bytes:
            return (
                f"“{path.name}” is {_mb(size)}; the library takes files up to {_mb(self.max_file_bytes)} "
                "(Preferences ▸ Library). Nothing was copied."
            )
        return None

    async def _queue(
        self,
        source_id: uuid.UUID,
        project_id: uuid.UUID,
        title: str,
        *,
        user_id: uuid.UUID | None,
        path: str | None,
        task_type: TaskType = TaskType.SOURCE_PROCESSING,
    ) -> uuid.UUID:
        return (await self._queue_many([(source_id, title, path)], project_id, user_id, task_type))[0]

    async def _queue_many(
        self,
        items: list[tuple[uuid.UUID, str, str | None]],
        project_id: uuid.UUID,
        user_id: uuid.UUID | None,
        task_type: TaskType = TaskType.SOURCE_PROCESSING,
    ) -> list[uuid.UUID]:
        """Queue one job per (source, title, original path) with two writes in all."""
        verb = "Indexing" if task_type is TaskType.EMBEDDING else "Importing"
        jobs = await self.runner.submit_many(
            [
                JobSpec(
                    handler=HANDLER,
                    task_type=task_type,
                    project_id=project_id,
                    label=f"{verb} “{title}”",
                    params={"source_id": str(source_id), "path": path, "index_only": task_type is TaskType.EMBEDDING},
                    timeout=SOURCE_TIMEOUT_S,
                    source_id=source_id,
                    user_id=user_id,
                )
                for source_id, title, path in items
            ]
        )
        table = cast(Table, SourceMaterial.__table__)
        patches = [{"sid": sid, "patch": {"job_id": str(job.id)}} for (sid, _, _), job in zip(items, jobs, strict=True)]
        async with self.db.session(durable=False) as s:  # Core executemany: one round of statements, one commit
            await s.execute(
                update(table)
                .where(table.c.id == bindparam("sid"))
                .values(metadata=table.c.metadata.op("||")(bindparam("patch", type_=JSONB))),
                patches,
            )
        return [job.id for job in jobs]

    async def retry(self, source_id: uuid.UUID, *, password: str | None = None) -> None:
        """Process a FAILED source again (with a password for an encrypted PDF)."""
        async with self.db.session(durable=False) as s:
            src = await s.get(SourceMaterial, source_id)
            if src is None:
                raise NotFoundError("That source no longer exists.")
            if src.processing_status in (ProcessingStatus.UPLOADING, ProcessingStatus.PROCESSING):
                raise ValidationError(f"“{src.title}” is already being processed.")
            project_id, title = src.project_id, src.title
            path = (src.extra or {}).get("original_path")
            src.processing_status = ProcessingStatus.UPLOADING if not src.s3_key else ProcessingStatus.PROCESSING
            src.error_message = None
            src.extra = {k: v for k, v in (src.extra or {}).items() if k != "error_code"}
        if password:
            self._passwords[source_id] = password
        await self._queue(source_id, project_id, title, user_id=None, path=path)
        self.bus.publish(SourcesChanged(project_id))

    async def cancel(self, source_id: uuid.UUID) -> bool:
        for job in self.runner.jobs(active_only=True):
            if job.source_id == source_id:
                return self.runner.cancel(job.id)
        return False

    async def index_text(self, source_id: uuid.UUID) -> None:
        """Chunk and embed a source whose text is already known (a note, after each save).
        It stays READY meanwhile: its text is there, only search catches up a moment later."""
        async with self.db.session(durable=False) as s:
            src = await s.get(SourceMaterial, source_id)
            if src is None:
                raise NotFoundError("That source no longer exists.")
            project_id, title = src.project_id, src.title
        await self._queue(source_id, project_id, title, user_id=None, path=None, task_type=TaskType.EMBEDDING)

    async def resume_interrupted(self) -> int:
        """After a crash: sources left UPLOADING/PROCESSING by a dead app. One whose file was
        already copied is processed again (it needs only the stored file); one caught mid-copy
        is FAILED with Retry (the original may have changed since)."""
        live = {j.source_id for j in self.runner.jobs(active_only=True)}
        async with self.db.session(durable=False) as s:
            rows = (
                (
                    await s.execute(
                        select(SourceMaterial).where(
                            SourceMaterial.processing_status.in_(
                                [ProcessingStatus.UPLOADING, ProcessingStatus.PROCESSING]
                            )
                        )
                    )
                )
                .scalars()
                .all()
            )
            resume: list[tuple[uuid.UUID, uuid.UUID, str]] = []
            for src in rows:
                if src.id in live:
                    continue
                if src.s3_key or src.extracted_text is not None:
                    src.processing_status = ProcessingStatus.PROCESSING
                    resume.append((src.id, src.project_id, src.title))
                else:
                    src.processing_status = ProcessingStatus.FAILED
                    src.error_message = "GhostLine closed while copying this file. Choose Retry to import it again."
                    src.extra = {**(src.extra or {}), "error_code": "interrupted"}
        for source_id, project_id, title in resume:
            await self._queue(source_id, project_id, title, user_id=None, path=None)
        # Text sources (notes) whose passages were never written: quit or crash while indexing.
        async with self.db.session() as s:
            unindexed = (
                await s.execute(
                    select(SourceMaterial.id, SourceMaterial.project_id, SourceMaterial.title).where(
                        SourceMaterial.processing_status == ProcessingStatus.READY,
                        func.length(func.coalesce(SourceMaterial.extracted_text, "")) > 0,
                        ~select(ContentChunk.id).where(ContentChunk.source_material_id == SourceMaterial.id).exists(),
                    )
                )
            ).all()
        for source_id, project_id, title in unindexed:
            await self._queue(source_id, project_id, title, user_id=None, path=None, task_type=TaskType.EMBEDDING)
        # Chunks whose vectors a dead app never wrote. (Chunks of another embedder wait for an
        # explicit `reembed`: switching providers must not spend the author's tokens unasked.)
        async with self.db.session(durable=False) as s:
            pending = (
                (
                    await s.execute(
                        select(ContentChunk.project_id).where(ContentChunk.embedding_model.is_(None)).distinct()
                    )
                )
                .scalars()
                .all()
            )
        for project_id in pending:
            await self.queue_embedding(project_id)
        return len(resume)

    async def reembed(self, project_id: uuid.UUID) -> uuid.UUID:
        """Embed every chunk of a project that the active embedder did not make (after the
        provider changed, or chunks still waiting for their vectors); returns the job id."""
        return await self.queue_embedding(project_id)

    async def queue_embedding(self, project_id: uuid.UUID) -> uuid.UUID:
        """One embedding job per project at a time: a job already running picks up the new
        chunks too (it is told to look again before it ends)."""
        running = self._embedding_jobs.get(project_id)
        if running is not None:
            job = self.runner.get(running)
            if job is not None and job.active:
                self._embed_again.add(project_id)
                return running
        job = await self.runner.submit(
            JobSpec(
                handler=REEMBED_HANDLER,
                task_type=TaskType.EMBEDDING,
                project_id=project_id,
                label="Indexing passages for meaning search",
                params={"project_id": str(project_id)},
                timeout=SOURCE_TIMEOUT_S,
            )
        )
        self._embedding_jobs[project_id] = job.id
        return job.id

    async def _embed_pending(self, ctx: JobContext, params: dict[str, Any]) -> JobResult:
        """Fill in the vectors of a project's chunks, a batch per short transaction, so a crash
        or cancel loses at most one batch and the next run continues where this one stopped."""
        project_id = uuid.UUID(params["project_id"])
        embedder = self.embedder
        stale = (ContentChunk.project_id == project_id) & ContentChunk.embedding_model.is_distinct_from(embedder.name)
        done = 0
        try:
            while True:
                async with self.db.session(durable=False) as s:
                    left = int(await s.scalar(select(func.count()).where(stale)) or 0)
                    rows = (
                        await s.execute(
                            select(ContentChunk.id, ContentChunk.content)
                            .where(stale)
                            .order_by(ContentChunk.source_material_id, ContentChunk.chunk_index)
                            .limit(EMBED_BATCH)
                        )
                    ).all()
                if not rows:
                    if project_id in self._embed_again:
                        self._embed_again.discard(project_id)
                        continue
                    break
                await ctx.progress(done / max(1, done + left), f"{done:,} of {done + left:,} passages", force=True)
                vectors = await embedder.embed([r.content for r in rows])
                if vectors:
                    # The index's width comes from the vectors just returned, never from
                    # ``embedder.dimensions``: a provider model the app does not know reports 0
                    # until its first reply. Cached after the first batch, so this is cheap.
                    async with self.db.session(durable=False) as s:
                        await ensure_vector_index(s, embedder.name, len(vectors[0]))
                table = cast(Table, ContentChunk.__table__)
                async with self.db.session(durable=False) as s:
                    # Core executemany, not the ORM's bulk update: chunks deleted meanwhile (a
                    # source or project removed) simply match no row instead of failing the job.
                    await s.execute(
                        update(table)
                        .where(table.c.id == bindparam("cid"))
                        .values(
                            embedding=bindparam("vec", type_=table.c.embedding.type),
                            embedding_model=bindparam("model"),
                        ),
                        [
                            {"cid": r.id, "vec": pad(v, EMBEDDING_DIMENSIONS), "model": embedder.name}
                            for r, v in zip(rows, vectors, strict=True)
                        ],
                    )
                done += len(rows)
        finally:
            if self._embedding_jobs.get(project_id) == ctx.job_id:
                del self._embedding_jobs[project_id]
        return JobResult(message=f"{done:,} passages indexed with {embedder.name}")

    async def _cancelled_while_queued(self, params: dict[str, Any]) -> None:
        if params.get("index_only"):
            return  # a note's text is safe and READY; its passages are indexed on the next start
        source_id = uuid.UUID(params["source_id"])
        await self._fail(source_id, "Import cancelled. Choose Retry to import it again.", "cancelled")

    # -- the job ------------------------------------------------------------------------------
    async def _process(self, ctx: JobContext, params: dict[str, Any]) -> JobResult:
        source_id = uuid.UUID(params["source_id"])
        if params.get("index_only"):
            # Re-indexing a note whose text is already stored: a cancel (quitting) or a failure
            # must not turn the note into a failed import; the next start indexes it again.
            return await self._pipeline(ctx, source_id, None)
        try:
            return await self._pipeline(ctx, source_id, params.get("path"))
        except (asyncio.CancelledError, GhostlineError) as exc:
            cancelled = isinstance(exc, asyncio.CancelledError) or ctx.cancelled
            message = "Import cancelled. Choose Retry to import it again." if cancelled else str(exc)
            code = "cancelled" if cancelled else _ERROR_CODES.get(type(exc), "error")
            await asyncio.shield(self._fail(source_id, message, code))
            raise
        except ExtractionError as exc:
            await self._fail(source_id, str(exc), exc.code)
            raise ValidationError(str(exc)) from exc
        except Exception:
            await asyncio.shield(
                self._fail(source_id, "Processing failed unexpectedly; details are in the log.", "error")
            )
            raise

    async def _pipeline(self, ctx: JobContext, source_id: uuid.UUID, original: str | None) -> JobResult:
        async with self.db.session(durable=False) as s:
            src = await s.get(SourceMaterial, source_id)
            if src is None:
                return JobResult(message="The source was deleted before it was processed.")
            project_id, title, name = src.project_id, src.title, src.original_filename or src.title
            kind, key, known_text = src.material_type, src.s3_key, src.extracted_text
        if key is None and original is not None:
            duplicate = await self._upload(ctx, source_id, project_id, Path(original), name)
            if duplicate is not None:
                return JobResult(message=duplicate, entity_type="source_material")
            async with self.db.session(durable=False) as s:
                src = await s.get(SourceMaterial, source_id)
                assert src is not None
                kind, key = src.material_type, src.s3_key
        await ctx.progress(0.1, "Reading…", force=True)
        password = self._passwords.pop(source_id, None)
        # Imported here: pypdf and friends are not needed to start the app.
        from ghostline_desktop.ingest.pipeline import chunk_text, extract_and_chunk

        if key is None:
            prepared = await ctx.run_cpu(chunk_text, known_text or "")
        elif kind in _AUDIO:
            prepared = await self._transcribe(ctx, key, name)
        elif kind is MaterialType.PDF and self.store.path(key).stat().st_size > BIG_PDF_BYTES:
            prepared = await self._read_big_pdf(ctx, str(self.store.path(key)), password)
        else:
            prepared = await ctx.run_cpu(extract_and_chunk, str(self.store.path(key)), kind.name, password)
        if key is not None and not prepared.text.strip():
            raise ValidationError(f"No text was found in “{name}”.")
        await ctx.progress(0.9, "Saving…", force=True)
        await self._write(source_id, prepared)
        self.bus.publish(SourcesChanged(project_id))
        # Searchable by its words now; meaning search follows when the embedding job is done.
        await self.queue_embedding(project_id)
        return JobResult(
            message=f"“{title}”: {len(prepared.chunks)} passages", entity_type="source_material", entity_id=source_id
        )

    async def _read_big_pdf(self, ctx: JobContext, path: str, password: str | None) -> Prepared:
        """Every pool worker reads a run of pages at once; the last step joins, OCRs and chunks."""
        from ghostline_desktop.ingest.pipeline import (
            PARALLEL_PDF_PAGES,
            Prepared,
            extract_and_chunk,
            page_ranges,
            pdf_finish_and_chunk,
            pdf_pages,
            pdf_part,
        )

        count: int = await ctx.run_cpu(pdf_pages, path, password)
        if count < PARALLEL_PDF_PAGES:
            return cast(Prepared, await ctx.run_cpu(extract_and_chunk, path, MaterialType.PDF.name, password))
        ranges = page_ranges(count, self.runner.cpu.workers)
        parts = await asyncio.gather(*(ctx.run_cpu(pdf_part, path, password, a, b) for a, b in ranges))
        await ctx.progress(0.7, "Splitting into passages…", force=True)
        return cast(Prepared, await ctx.run_cpu(pdf_finish_and_chunk, path, password, list(parts)))

    async def _upload(
        self, ctx: JobContext, source_id: uuid.UUID, project_id: uuid.UUID, path: Path, name: str
    ) -> str | None:
        """Copy into the store (UPLOADING); sniff the real type. Returns a message if the same
        content is already in the project (the new row is then removed)."""
        from ghostline_desktop.ingest import sniff_material

        try:
            total = max(1, path.stat().st_size)
        except OSError as exc:
            raise ValidationError(f"“{name}” was moved or deleted before GhostLine could copy it.") from exc
        loop = asyncio.get_running_loop()

        def report(done: int) -> None:  # runs in the copy thread
            if ctx.cancelled:
                raise InterruptedError  # stops the copy at the next block
            loop.call_soon_threadsafe(ctx.note, 0.1 * done / total, "Copying…")

        def copy_and_sniff() -> tuple[StoredFile, MaterialType | ExtractionError]:
            stored = import_file(self.store, path, progress=report)
            try:  # in the same thread hop: sniffing reads a few KB of the copy just written
                return stored, sniff_material(self.store.path(stored.key), name)
            except ExtractionError as exc:
                return stored, exc

        try:
            stored, kind = await ctx.run_thread(copy_and_sniff)
        except FileNotFoundError as exc:
            raise ValidationError(f"“{name}” was moved or deleted before GhostLine could copy it.") from exc
        except InterruptedError as exc:
            raise asyncio.CancelledError from exc
        except OSError as exc:
            raise ValidationError(f"“{name}” could not be copied: {exc.strerror or exc}.") from exc
        async with self.db.session(durable=False) as s:
            other = (
                await s.execute(
                    select(SourceMaterial.title).where(
                        SourceMaterial.project_id == project_id,
                        SourceMaterial.content_hash == stored.sha256,
                        SourceMaterial.id != source_id,
                    )
                )
            ).first()
            if other is not None:
                await s.execute(delete(SourceMaterial).where(SourceMaterial.id == source_id))
                return f"“{name}” is already in the library as “{other[0]}”; it was not added twice."
            src = await s.get(SourceMaterial, source_id)
            if src is None:
                return "The source was deleted while it was being copied."
            src.s3_bucket, src.s3_key, src.content_hash = self.store.bucket, stored.key, stored.sha256
            src.file_size = stored.size
            src.extra = {**(src.extra or {}), "original_path": str(path)}
            if isinstance(kind, MaterialType):
                src.material_type, src.mime_type = kind, _MIME.get(kind)
                src.processing_status = ProcessingStatus.PROCESSING
        if isinstance(kind, ExtractionError):
            raise kind
        return None

    async def _transcribe(self, ctx: JobContext, key: str, name: str) -> Prepared:
        if self.provider is None:
            raise ProviderNotConfigured(
                f"“{name}” is audio: transcribing it needs an AI provider (Preferences ▸ AI provider). "
                "Once one is set, choose Retry."
            )
        from ghostline_desktop.ingest import split_audio
        from ghostline_desktop.ingest.pipeline import Prepared, chunk_text

        with tempfile.TemporaryDirectory(prefix="ghostline-audio-") as tmp:
            pieces: list[str] = await ctx.run_cpu(split_audio, str(self.store.path(key)), tmp)
            texts = []
            for i, piece in enumerate(pieces):
                await ctx.progress(0.1 + 0.35 * i / max(1, len(pieces)), f"Transcribing part {i + 1} of {len(pieces)}…")
                texts.append((await self.provider.transcribe(Path(piece))).strip())
        prepared: Prepared = await ctx.run_cpu(chunk_text, "\n\n".join(t for t in texts if t))
        return Prepared(prepared.text, {"transcribed": True, "parts": len(texts)}, prepared.chunks)

    async def _write(self, source_id: uuid.UUID, prepared: Prepared) -> None:
        text = prepared.text.replace("\x00", "")
        words = await count_words_async(text)  # in pieces: a book's count must not freeze the GUI
        async with self.db.session(durable=False) as s:
            # Lock order project → source, as deleting a project does (its cascade reaches the
            # source after the project row); the other order deadlocked a delete during an import.
            project_id = await s.scalar(select(SourceMaterial.project_id).where(SourceMaterial.id == source_id))
            if project_id is None:
                return  # deleted meanwhile: nothing to keep
            await s.execute(select(Project.id).where(Project.id == project_id).with_for_update(key_share=True))
            src = await s.get(SourceMaterial, source_id, with_for_update=True)
            if src is None:
                return  # deleted meanwhile: nothing to keep
            await s.execute(delete(ContentChunk).where(ContentChunk.source_material_id == source_id))
            rows = [
                {
                    "project_id": src.project_id,
                    "source_material_id": source_id,
                    "chunk_index": c.index,
                    "content": c.text.replace("\x00", ""),
                    "token_count": c.token_count,
                    "char_start": c.char_start,
                    "char_end": c.char_end,
                    "extra": {k: v for k, v in (("page", c.page), ("section", c.section)) if v is not None},
                }
                for c in prepared.chunks
            ]
            if rows:
                await s.execute(insert(ContentChunk), rows)
            meta = {k: v for k, v in prepared.metadata.items() if isinstance(v, str | int | float | bool | list)}
            src.extracted_text = text
            src.word_count = words
            src.processing_status = ProcessingStatus.READY
            src.error_message = None
            src.processed_at = datetime.now(UTC)
            src.extra = {**{k: v for k, v in (src.extra or {}).items() if k != "error_code"}, **meta}

    async def _fail(self, source_id: uuid.UUID, message: str, code: str) -> None:
        try:
            await self._set(
                source_id,
                processing_status=ProcessingStatus.FAILED,
                error_message=message,
                extra_update={"error_code": code},
            )
        except Exception:
            log.exception("Could not record the failure of source %s", source_id)
            return
        async with self.db.session(durable=False) as s:
            project_id = (
                await s.execute(select(SourceMaterial.project_id).where(SourceMaterial.id == source_id))
            ).scalar()
        if project_id is not None:
            self.bus.publish(SourcesChanged(project_id))

    async def _set(self, source_id: uuid.UUID, *, extra_update: dict[str, Any] | None = None, **fields: Any) -> None:
        async with self.db.session(durable=False) as s:
            if extra_update:
                src = await s.get(SourceMaterial, source_id)
                if src is None:
                    return
                fields["extra"] = {**(src.extra or {}), **extra_update}
            if fields:
                await s.execute(update(SourceMaterial).where(SourceMaterial.id == source_id).values(**fields))
