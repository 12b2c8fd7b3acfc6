"""Build a fully populated project straight through the ORM, for tests that need every
kind of row a project owns (fork, delete, cascades) before the services that write them exist."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import (
    EMBEDDING_DIMENSIONS,
    AuditLog,
    BookOutline,
    Chapter,
    ChapterRevision,
    ChapterSummaryCache,
    ContentChunk,
    ExportedBook,
    ExportFormat,
    FindingType,
    GenerationTask,
    MaterialType,
    Notification,
    NotificationType,
    OutlineStatus,
    ProcessingStatus,
    QAFinding,
    RevisionSource,
    RevisionSourceChunk,
    Severity,
    SourceMaterial,
    TaskType,
    TokenTransaction,
    TransactionType,
    VoiceProfile,
)
from ghostline_desktop.services.tokens import apply_change, lock_user
from ghostline_desktop.storage.local import LocalStore


def embedding(seed: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(-1, 1) for _ in range(EMBEDDING_DIMENSIONS)]


@dataclass
class Populated:
    project_id: uuid.UUID
    outline_ids: list[uuid.UUID] = field(default_factory=list)
    chapter_ids: list[uuid.UUID] = field(default_factory=list)
    revision_ids: list[list[uuid.UUID]] = field(default_factory=list)  # per chapter, oldest first
    chunk_ids: list[uuid.UUID] = field(default_factory=list)
    source_ids: list[uuid.UUID] = field(default_factory=list)
    s3_keys: list[str] = field(default_factory=list)
    task_id: uuid.UUID | None = None
    ledger_id: uuid.UUID | None = None
    audit_id: uuid.UUID | None = None


async def populate(
    db: Database,
    project_id: uuid.UUID,
    owner_id: uuid.UUID,
    store: LocalStore | None = None,
    *,
    chapters: int = 3,
    revisions: int = 3,
    sources: int = 2,
    chunks_per_source: int = 4,
) -> Populated:
    """Outline (2 versions), chapters with revisions, a voice profile, sources with stored
    files and embedded chunks, findings, plus history rows (task, ledger, audit, notification,
    export) that a fork does not copy."""
    out = Populated(project_id)
    async with db.session() as s:
        outlines = [
            BookOutline(
                project_id=project_id,
                title=f"Outline v{v}",
                version=v,
                status=OutlineStatus.APPROVED if v == 2 else OutlineStatus.ARCHIVED,
                structure={"parts": [{"title": "Part I", "chapters": [{"title": f"Ch {i}"} for i in range(chapters)]}]},
            )
            for v in (1, 2)
        ]
        s.add_all(outlines)
        task = GenerationTask(project_id=project_id, user_id=owner_id, task_type=TaskType.CHAPTER_GENERATION)
        s.add(task)
        await s.flush()
        out.outline_ids = [o.id for o in outlines]
        out.task_id = task.id
        for i in range(chapters):
            ch = Chapter(
                project_id=project_id,
                book_outline_id=outlines[1].id,
                title=f"Chapter {i + 1}",
                order=i,
                summary=f"Summary {i + 1}",
                outline_position={"part": 0, "chapter": i},
                word_count=4,
            )
            s.add(ch)
            await s.flush()
            out.chapter_ids.append(ch.id)
            out.revision_ids.append([])
            for r in range(1, revisions + 1):
                rev = ChapterRevision(
                    chapter_id=ch.id,
                    project_id=project_id,
                    revision_number=r,
                    content=f"Chapter {i + 1} text, revision {r}.",
                    word_count=4,
                    similarity_score=0.5,
                    token_cost=10 * r,
                    source=RevisionSource.AI_DRAFT if r == 1 else RevisionSource.MANUAL,
                    generation_task_id=task.id if r == 1 else None,
                    created_by_id=owner_id,
                )
                s.add(rev)
                await s.flush()
                out.revision_ids[-1].append(rev.id)
        s.add(
            VoiceProfile(
                project_id=project_id,
                name="My voice",
                sample_text="It was a dark and stormy night.",
                style_attributes={"avg_sentence_length": 14.2},
                embedding=embedding(1),
                embedding_model="test-model",
            )
        )
        for k in range(sources):
            key = f"sources/{project_id}/{k}.txt"
            if store is not None:
                store.put_bytes(key, f"source {k}".encode())
            src = SourceMaterial(
                project_id=project_id,
                material_type=MaterialType.TEXT,
                processing_status=ProcessingStatus.READY,
                title=f"Source {k}",
                original_filename=f"{k}.txt",
                s3_bucket="local",
                s3_key=key,
                extracted_text=f"source {k}",
                word_count=2,
                extra={"pages": k},
            )
            s.add(src)
            await s.flush()
            out.source_ids.append(src.id)
            out.s3_keys.append(key)
            for c in range(chunks_per_source):
                chunk = ContentChunk(
                    project_id=project_id,
                    source_material_id=src.id,
                    chunk_index=c,
                    content=f"The whale chunk {c} of source {k}.",
                    token_count=8,
                    char_start=c * 10,
                    char_end=c * 10 + 9,
                    embedding=embedding(100 * k + c + 2),
                    embedding_model="test-model",
                )
                s.add(chunk)
                await s.flush()
                out.chunk_ids.append(chunk.id)
        # The passages AI revisions drew on (the first, AI-drafted revision and the latest, which a
        # fork copies) and each chapter's cached summary (migration 0005).
        for i, (chapter_id, revs) in enumerate(zip(out.chapter_ids, out.revision_ids, strict=True)):
            for rev_id in {revs[0], revs[-1]} if revs else set():
                for rank, chunk_id in enumerate(out.chunk_ids[i : i + 2], start=1):
                    s.add(RevisionSourceChunk(revision_id=rev_id, chunk_id=chunk_id, rank=rank, score=1.0 / rank))
            s.add(ChapterSummaryCache(chapter_id=chapter_id, text_version=0, summary=f"So far {i + 1}.", model="m"))
        s.add_all(
            [
                QAFinding(
                    project_id=project_id,
                    chapter_id=out.chapter_ids[0] if out.chapter_ids else None,
                    generation_task_id=task.id,
                    finding_type=FindingType.NAME_INCONSISTENCY,
                    severity=Severity.HIGH,
                    is_blocking=True,
                    title="Name changes",
                    location={"start": 1, "end": 5},
                ),
                QAFinding(project_id=project_id, finding_type=FindingType.PACING, title="Slow middle"),
            ]
        )
        # Through the ledger's own write path: the database checks every row follows the balance (0004).
        locked = await lock_user(s, owner_id)
        await apply_change(
            s, locked, TransactionType.DEBIT, 100, "test", project_id=project_id, generation_task_id=task.id
        )
        ledger = (
            (
                await s.execute(
                    select(TokenTransaction)
                    .where(TokenTransaction.user_id == owner_id)
                    .order_by(TokenTransaction.seq.desc())
                )
            )
            .scalars()
            .first()
        )
        assert ledger is not None
        audit = AuditLog(user_id=owner_id, project_id=project_id, action="project.test")
        s.add(audit)
        s.add(
            Notification(user_id=owner_id, project_id=project_id, notification_type=NotificationType.SYSTEM, title="n")
        )
        s.add(ExportedBook(project_id=project_id, created_by_id=owner_id, format=ExportFormat.EPUB, version=1))
        await s.flush()
        out.ledger_id = ledger.id
        out.audit_id = audit.id
    return out
