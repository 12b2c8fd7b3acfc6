"""The source library: list, search by name, add typed notes and text sources, delete.

File import and extraction (PDF, DOCX, audio…) belong to the ingest pipeline; this
service covers what the library panel needs without it, plus text that arrives already
extracted (a note typed in the app, the demo project's material).
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import or_, select

from ghostline_desktop.core.enum_names import member_by_name
from ghostline_desktop.core.text_files import TextDecodeProblem, decode_text
from ghostline_desktop.core.words import count_words
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import MaterialType, ProcessingStatus, Project, SourceMaterial
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.dto import SourceSummary
from ghostline_desktop.services.events import EventBus, SourcesChanged
from ghostline_desktop.services.validation import clean_title
from ghostline_desktop.storage.local import LocalStore

# Texts longer than this are counted in a worker thread so the service loop stays responsive.
_THREAD_COUNT_CHARS = 200_000
_MIME = {MaterialType.NOTE: "text/markdown", MaterialType.MARKDOWN: "text/markdown", MaterialType.TEXT: "text/plain"}


# A note is something an author wrote or pasted; 5 MB is ~800k words.
MAX_NOTE_FILE_BYTES = 5 * 1024 * 1024


def _summary(src: SourceMaterial) -> SourceSummary:
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
    )


def _like_pattern(search: str) -> str:
    """An ILIKE pattern matching ``search`` literally anywhere (``%`` and ``_`` escaped)."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def count_words_async(text: str) -> int:
    """Word count, off the service loop for very long texts."""
    if len(text) > _THREAD_COUNT_CHARS:
        return await asyncio.to_thread(count_words, text)
    return count_words(text)


class SourceService:
    def __init__(self, db: Database, bus: EventBus, store: LocalStore | None = None) -> None:
        self.db = db
        self.bus = bus
        self.store = store

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
            return [_summary(src) for src in (await s.execute(q)).scalars()]

    async def get(self, source_id: uuid.UUID) -> SourceSummary:
        async with self.db.session() as s:
            src = await s.get(SourceMaterial, source_id)
            if src is None:
                raise NotFoundError("That source no longer exists.")
            return _summary(src)

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

    async def add_note_file(self, project_id: uuid.UUID, path: Path) -> SourceSummary:
        """A dropped .txt/.md file becomes a note at once (full source import is separate).

        Refused with a clear message, before anything is stored: an empty file, one over
        MAX_NOTE_FILE_BYTES (a 2 GB log is not a note, and must not be read into memory),
        or bytes that are not text in an encoding we can tell.
        """
        name = path.name
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ValidationError(f"“{name}” could not be read: {exc.strerror or exc}.") from exc
        if size == 0:
            raise ValidationError(f"“{name}” is empty, so there is nothing to add.")
        if size > MAX_NOTE_FILE_BYTES:
            raise ValidationError(
                f"“{name}” is {size / 1_048_576:,.1f} MB; a note can be at most "
                f"{MAX_NOTE_FILE_BYTES // 1_048_576} MB. Split it, or import it as a source when import arrives."
            )
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise ValidationError(f"“{name}” could not be read: {exc.strerror or exc}.") from exc
        try:
            text = decode_text(data)
        except TextDecodeProblem as exc:
            raise ValidationError(f"“{name}” was not added: {exc}.") from exc
        if not text.strip():
            raise ValidationError(f"“{name}” holds only blank space, so there is nothing to add.")
        kind = "MARKDOWN" if path.suffix.lower() in (".md", ".markdown") else "TEXT"
        return await self.add_text(project_id, path.stem or name, text, material_type=kind, original_filename=name)

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
            out = _summary(src)
        self.bus.publish(SourcesChanged(project_id))
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
            out = _summary(src)
        self.bus.publish(SourcesChanged(out.project_id))
        return out

    async def delete_source(self, source_id: uuid.UUID) -> None:
        """Delete the source (its chunks cascade) and its stored file, unless another
        source (a fork's copy) still points at the same file."""
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
