"""The source library: list, search by name, add typed notes and text sources, delete.

File import and extraction (PDF, DOCX, audio…) belong to the ingest pipeline; this
service covers what the library panel needs without it, plus text that arrives already
extracted (a note typed in the app, the demo project's material).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from ghostline_desktop.core.enum_names import member_by_name
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import MaterialType, ProcessingStatus, Project, SourceMaterial
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.dto import SourceSummary
from ghostline_desktop.services.events import EventBus, SourcesChanged
from ghostline_desktop.services.text_stats import count_words_async
from ghostline_desktop.services.validation import clean_title
from ghostline_desktop.storage.local import LocalStore

if TYPE_CHECKING:
    from ghostline_desktop.services.ingestion import IngestionService

_MIME = {MaterialType.NOTE: "text/markdown", MaterialType.MARKDOWN: "text/markdown", MaterialType.TEXT: "text/plain"}


def summary_of(src: SourceMaterial, *, progress: float = 0.0) -> SourceSummary:
    extra = src.extra or {}
    job = extra.get("job_id")
    pages = extra.get("pages")
    return SourceSummary(
        id=src.id,
        project_id=src.project_id,
        title=src.title,
        material_type=src.material_type.name,
        processing_status=src.processing_status.name,
        word_count=src.word_count,
        original_filename=src.original_filename,
        file_size=src.file_size,
        error_message=src.error_message,
        created_at=src.created_at,
        mime_type=src.mime_type,
        processed_at=src.processed_at,
        progress=progress,
        error_code=extra.get("error_code"),
        job_id=uuid.UUID(job) if isinstance(job, str) else None,
        page_count=pages if isinstance(pages, int) else None,
    )


def _like_pattern(search: str) -> str:
    """An ILIKE pattern matching ``search`` literally anywhere (``%`` and ``_`` escaped)."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SourceService:
    def __init__(self, db: Database, bus: EventBus, store: LocalStore | None = None) -> None:
        self.db = db
        self.bus = bus
        self.store = store
        #: Set by the container: chunks and embeds text sources after they are saved.
        self.ingestion: IngestionService | None = None

    async def list_sources(self, project_id: uuid.UUID, *, search: str | None = None) -> list[SourceSummary]:
        """The project's sources, newest first; ``search`` matches title or file name,
        case-insensitively, anywhere in the text."""
        q = select(SourceMaterial).where(SourceMaterial.project_id == project_id)
        term = (search or "").strip()
        if term:
            pattern = _like_pattern(term)
            q = q.where(
                or_(
                    SourceMaterial.title.ilike(pattern, escape="\\"),
                    SourceMaterial.original_filename.ilike(pattern, escape="\\"),
                )
            )
        q = q.order_by(SourceMaterial.created_at.desc(), SourceMaterial.title)
        async with self.db.session() as s:
            return [summary_of(src) for src in (await s.execute(q)).scalars()]

    async def get(self, source_id: uuid.UUID) -> SourceSummary:
        async with self.db.session() as s:
            src = await s.get(SourceMaterial, source_id)
            if src is None:
                raise NotFoundError("That source no longer exists.")
            return summary_of(src)

    async def get_text(self, source_id: uuid.UUID) -> str:
        """The extracted text ("" while a file is still being processed)."""
        async with self.db.session() as s:
            text = (
                await s.execute(select(SourceMaterial.extracted_text).where(SourceMaterial.id == source_id))
            ).one_or_none()
            if text is None:
                raise NotFoundError("That source no longer exists.")
            return text[0] or ""

    async def add_note(self, project_id: uuid.UUID, title: str, text: str) -> SourceSummary:
        """A note typed in the app: ready at once, nothing to extract."""
        return await self.add_text(project_id, title, text, material_type="NOTE")

    async def add_text(
        self,
        project_id: uuid.UUID,
        title: str,
        text: str,
        *,
        material_type: str | MaterialType = "TEXT",
        original_filename: str | None = None,
        metadata: dict[str, object] | None = None,
    ) -> SourceSummary:
        """A source whose text is already known (a note, pasted text, a Markdown file
        read elsewhere): stored READY with its word count; no file is kept."""
        kind = member_by_name(MaterialType, material_type)
        if kind is None:
            raise ValidationError(f"'{material_type}' is not a kind of source GhostLine knows.")
        title = clean_title(title, "source")
        text = (text or "").replace("\x00", "")  # PostgreSQL text cannot hold NUL
        words = await count_words_async(text)
        data = text.encode("utf-8")
        async with self.db.session() as s:
            if await s.get(Project, project_id) is None:
                raise NotFoundError("That project no longer exists.")
            src = SourceMaterial(
                project_id=project_id,
                material_type=kind,
                processing_status=ProcessingStatus.READY,
                title=title,
                original_filename=original_filename,
                mime_type=_MIME.get(kind),
                file_size=len(data) if original_filename else None,
                content_hash=hashlib.sha256(data).hexdigest(),
                extracted_text=text,
                word_count=words,
                extra=dict(metadata or {}),
                processed_at=datetime.now(UTC),
            )
            s.add(src)
            await s.flush()
            await s.refresh(src)
            out = summary_of(src)
        if self.ingestion is not None and text.strip():
            await self.ingestion.index_text(out.id)
        self.bus.publish(SourcesChanged(project_id))
        return out

    async def update_note(self, source_id: uuid.UUID, title: str, text: str) -> SourceSummary:
        """Save an edited note; its passages are chunked and embedded again."""
        title = clean_title(title, "source")
        text = (text or "").replace("\x00", "")
        words = await count_words_async(text)
        async with self.db.session() as s:
            src = await s.get(SourceMaterial, source_id)
            if src is None:
                raise NotFoundError("That note no longer exists.")
            src.title, src.extracted_text, src.word_count = title, text, words
            src.content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
            await s.flush()
            out = summary_of(src)
        if self.ingestion is not None:
            await self.ingestion.index_text(source_id)
        self.bus.publish(SourcesChanged(out.project_id))
        return out

    async def rename(self, source_id: uuid.UUID, title: str) -> SourceSummary:
        title = clean_title(title, "source")
        async with self.db.session() as s:
            src = await s.get(SourceMaterial, source_id)
            if src is None:
                raise NotFoundError("That source no longer exists.")
            src.title = title
            await s.flush()
            await s.refresh(src)
            out = summary_of(src)
        self.bus.publish(SourcesChanged(out.project_id))
        return out

    async def delete_source(self, source_id: uuid.UUID) -> None:
        """Delete the source (its chunks cascade) and its stored file, unless another
        source (a fork's copy) still points at the same file. A running import is cancelled."""
        if self.ingestion is not None:
            await self.ingestion.cancel(source_id)
        async with self.db.session() as s:
            src = await s.get(SourceMaterial, source_id)
            if src is None:
                raise NotFoundError("That source no longer exists.")
            project_id, key = src.project_id, src.s3_key
            await s.delete(src)
            await s.flush()
            shared = False
            if key:
                shared = (
                    await s.execute(select(SourceMaterial.id).where(SourceMaterial.s3_key == key).limit(1))
                ).first() is not None
        if key and not shared and self.store is not None:
            self.store.delete(key)
        self.bus.publish(SourcesChanged(project_id))
