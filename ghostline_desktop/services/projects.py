"""Projects: create, list, rename, archive, delete, and fork as a second edition."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import (
    BookOutline,
    Chapter,
    ChapterRevision,
    ChapterSummaryCache,
    ContentChunk,
    Genre,
    Project,
    ProjectStatus,
    QAFinding,
    RevisionSourceChunk,
    SourceMaterial,
    VoiceProfile,
)
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.dto import ProjectSummary
from ghostline_desktop.services.events import EventBus, ProjectsChanged
from ghostline_desktop.services.validation import clean_title
from ghostline_desktop.storage.local import LocalStore

# A second edition starts in editing, whatever finished state the original reached.
_FORK_STATUS = {
    ProjectStatus.COMPLETED: ProjectStatus.EDITING,
    ProjectStatus.EXPORTED: ProjectStatus.EDITING,
    ProjectStatus.ARCHIVED: ProjectStatus.EDITING,
}


def parse_genre(value: str | Genre | None) -> Genre:
    if value is None:
        return Genre.FICTION
    if isinstance(value, Genre):
        return value
    key = value.strip().upper().replace("-", "_").replace(" ", "_")
    for genre in Genre:
        if key in (genre.name, genre.value.upper().replace("-", "_").replace(" ", "_")):
            return genre
    names = ", ".join(g.name.lower() for g in Genre)
    raise ValidationError(f"'{value}' is not a genre GhostLine knows. Choose one of: {names}.")


class ProjectService:
    def __init__(self, db: Database, bus: EventBus, store: LocalStore | None = None) -> None:
        self.db = db
        self.bus = bus
        self.store = store

    # -- queries ------------------------------------------------------------------------
    async def list_projects(self, owner_id: uuid.UUID, *, include_archived: bool = False) -> list[ProjectSummary]:
        async with self.db.session() as s:
            return await self._summaries(s, owner_id=owner_id, include_archived=include_archived)

    async def get(self, project_id: uuid.UUID) -> ProjectSummary:
        async with self.db.session() as s:
            rows = await self._summaries(s, project_id=project_id, include_archived=True)
        if not rows:
            raise NotFoundError("That project no longer exists.")
        return rows[0]

    async def _summaries(
        self,
        s: AsyncSession,
        *,
        owner_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
        include_archived: bool,
    ) -> list[ProjectSummary]:
        chapters = (
            select(
                Chapter.project_id,
                func.count().label("n"),
                func.coalesce(func.sum(Chapter.word_count), 0).label("words"),
            )
            .group_by(Chapter.project_id)
            .subquery()
        )
        sources = (
            select(SourceMaterial.project_id, func.count().label("n")).group_by(SourceMaterial.project_id).subquery()
        )
        parent = aliased(Project)
        q = (
            select(Project, parent.title, chapters.c.n, chapters.c.words, sources.c.n)
            .outerjoin(parent, Project.forked_from_project_id == parent.id)
            .outerjoin(chapters, chapters.c.project_id == Project.id)
            .outerjoin(sources, sources.c.project_id == Project.id)
            .order_by(func.coalesce(Project.last_opened_at, Project.updated_at).desc())
        )
        if owner_id is not None:
            q = q.where(Project.owner_id == owner_id)
        if project_id is not None:
            q = q.where(Project.id == project_id)
        if not include_archived:
            q = q.where(Project.archived_at.is_(None))
        out = []
        for p, parent_title, n_ch, words, n_src in (await s.execute(q)).all():
            out.append(
                ProjectSummary(
                    id=p.id,
                    title=p.title,
                    genre=p.genre.name,
                    status=p.status.name,
                    target_word_count=p.target_word_count,
                    word_count=int(words or 0),
                    chapter_count=int(n_ch or 0),
                    source_count=int(n_src or 0),
                    edition=p.edition,
                    forked_from_project_id=p.forked_from_project_id,
                    forked_from_title=parent_title,
                    created_at=p.created_at,
                    updated_at=p.updated_at,
                    last_opened_at=p.last_opened_at,
                    archived=p.archived_at is not None,
                )
            )
        return out

    # -- commands -----------------------------------------------------------------------
    async def create(
        self,
        owner_id: uuid.UUID,
        title: str,
        *,
        genre: str | Genre | None = None,
        target_word_count: int | None = None,
        description: str | None = None,
    ) -> ProjectSummary:
        title = clean_title(title, "project")
        if target_word_count is not None and target_word_count <= 0:
            raise ValidationError("The target word count must be a positive number.")
        async with self.db.session() as s:
            project = Project(
                owner_id=owner_id,
                title=title,
                genre=parse_genre(genre),
                status=ProjectStatus.CREATED,
                target_word_count=target_word_count,
                description=description,
                settings={},
            )
            s.add(project)
            await s.flush()
            pid = project.id
        self.bus.publish(ProjectsChanged(pid, "created"))
        return await self.get(pid)

    async def _load(self, s: AsyncSession, project_id: uuid.UUID) -> Project:
        project = await s.get(Project, project_id)
        if project is None:
            raise NotFoundError("That project no longer exists.")
        return project

    async def rename(self, project_id: uuid.UUID, title: str) -> ProjectSummary:
        title = clean_title(title, "project")
        async with self.db.session() as s:
            (await self._load(s, project_id)).title = title
        self.bus.publish(ProjectsChanged(project_id, "renamed"))
        return await self.get(project_id)

    async def update(
        self,
        project_id: uuid.UUID,
        *,
        genre: str | Genre | None = None,
        target_word_count: int | None = None,
        status: ProjectStatus | None = None,
    ) -> ProjectSummary:
        async with self.db.session() as s:
            p = await self._load(s, project_id)
            if genre is not None:
                p.genre = parse_genre(genre)
            if target_word_count is not None:
                if target_word_count <= 0:
                    raise ValidationError("The target word count must be a positive number.")
                p.target_word_count = target_word_count
            if status is not None:
                p.status = status
        self.bus.publish(ProjectsChanged(project_id, "updated"))
        return await self.get(project_id)

    async def mark_opened(self, project_id: uuid.UUID) -> None:
        async with self.db.session() as s:
            (await self._load(s, project_id)).last_opened_at = datetime.now(UTC)

    async def archive(self, project_id: uuid.UUID) -> ProjectSummary:
        async with self.db.session() as s:
            p = await self._load(s, project_id)
            p.archived_at = datetime.now(UTC)
            p.status = ProjectStatus.ARCHIVED
        self.bus.publish(ProjectsChanged(project_id, "archived"))
        return await self.get(project_id)

    async def restore(self, project_id: uuid.UUID) -> ProjectSummary:
        async with self.db.session() as s:
            p = await self._load(s, project_id)
            p.archived_at = None
            if p.status is ProjectStatus.ARCHIVED:
                p.status = ProjectStatus.WRITING
        self.bus.publish(ProjectsChanged(project_id, "restored"))
        return await self.get(project_id)

    async def delete(self, project_id: uuid.UUID) -> None:
        """Delete the project and everything it owns (FK cascades), then stored files no
        other project still shares (forks share their original's files)."""
        async with self.db.session() as s:
            project = await self._load(s, project_id)
            keys = set(
                (
                    await s.execute(
                        select(SourceMaterial.s3_key).where(
                            SourceMaterial.project_id == project_id, SourceMaterial.s3_key.is_not(None)
                        )
                    )
                ).scalars()
            )
            await s.delete(project)
            await s.flush()
            still_used = set()
            if keys:
                still_used = set(
                    (await s.execute(select(SourceMaterial.s3_key).where(SourceMaterial.s3_key.in_(keys)))).scalars()
                )
        if self.store is not None:
            for key in keys - still_used:
                if key:
                    self.store.delete(key)
        self.bus.publish(ProjectsChanged(project_id, "deleted"))

    async def fork(self, project_id: uuid.UUID, title: str) -> ProjectSummary:
        """Fork as a second edition: a deep, independent copy in one transaction.

        Copied: the project row, every outline version, chapters with their latest
        revision (as revision 1 of the fork) and the passages it drew on, cached chapter
        summaries, the voice profile, sources (sharing the stored files), chunks with
        their embeddings, and QA findings. Not copied: the
        task history, exports and notifications, which describe the original edition.
        """
        title = clean_title(title, "project")
        async with self.db.session() as s:
            orig = await self._load(s, project_id)
            fork = Project(
                owner_id=orig.owner_id,
                title=title,
                subtitle=orig.subtitle,
                description=orig.description,
                genre=orig.genre,
                status=_FORK_STATUS.get(orig.status, orig.status),
                target_word_count=orig.target_word_count,
                forked_from_project_id=orig.id,
                edition=orig.edition + 1,
                settings=dict(orig.settings or {}),
            )
            s.add(fork)
            await s.flush()
            new_id = fork.id
            await _copy_project_rows(s, orig.id, new_id)
        self.bus.publish(ProjectsChanged(new_id, "forked"))
        return await self.get(new_id)


# -- fork internals: set-based INSERT … SELECT, so 2,000 chunks copy in one statement ---------


def _columns(table: Table, skip: set[str]) -> list[str]:
    return [c.name for c in table.columns if c.name not in skip and c.computed is None]


async def _map_ids(s: AsyncSession, name: str, table: Table, where: str, params: dict[str, object]) -> None:
    await s.execute(
        text(
            f"CREATE TEMP TABLE {name} ON COMMIT DROP AS "
            f"SELECT id AS old_id, gen_random_uuid() AS new_id FROM {table.name} WHERE {where}"
        ),
        params,
    )
    await s.execute(text(f"CREATE UNIQUE INDEX ON {name} (old_id)"))


async def _copy(
    s: AsyncSession,
    table: Table,
    id_map: str,
    overrides: dict[str, str],
    joins: str = "",
    params: dict[str, object] | None = None,
) -> None:
    """INSERT a copy of every row listed in ``id_map``; ``overrides`` are SQL expressions
    (over alias ``t`` for the source row) for columns that change in the copy."""
    cols = _columns(table, {"id", "created_at", "updated_at"})
    select_exprs = [overrides.get(c, f't."{c}"') for c in cols]
    col_sql = ", ".join(f'"{c}"' for c in cols)
    await s.execute(
        text(
            f"INSERT INTO {table.name} (id, {col_sql}) SELECT m.new_id, {', '.join(select_exprs)} "
            f"FROM {table.name} t JOIN {id_map} m ON m.old_id = t.id {joins}"
        ),
        params or {},
    )


async def _copy_project_rows(s: AsyncSession, old: uuid.UUID, new: uuid.UUID) -> None:
    p: dict[str, object] = {"old": old, "new": new}
    project_override = {"project_id": ":new"}

    await _map_ids(s, "fork_outlines", BookOutline.__table__, "project_id = :old", p)  # type: ignore[arg-type]
    await _copy(s, BookOutline.__table__, "fork_outlines", project_override, params=p)  # type: ignore[arg-type]

    await _map_ids(s, "fork_chapters", Chapter.__table__, "project_id = :old", p)  # type: ignore[arg-type]
    await _copy(
        s,
        Chapter.__table__,  # type: ignore[arg-type]
        "fork_chapters",
        {**project_override, "book_outline_id": "mo.new_id"},
        joins="LEFT JOIN fork_outlines mo ON mo.old_id = t.book_outline_id",
        params=p,
    )

    # The latest revision of each chapter becomes revision 1 of the fork, sealed: the newest row
    # may be the author's unsealed working text, and a new edition must start from a revision.
    await s.execute(
        text(
            "CREATE TEMP TABLE fork_revisions ON COMMIT DROP AS "
            "SELECT DISTINCT ON (chapter_id) id AS old_id, gen_random_uuid() AS new_id "
            "FROM chapter_revisions WHERE project_id = :old ORDER BY chapter_id, revision_number DESC"
        ),
        p,
    )
    await _copy(
        s,
        ChapterRevision.__table__,  # type: ignore[arg-type]
        "fork_revisions",
        {
            **project_override,
            "chapter_id": "mc.new_id",
            "revision_number": "1",
            "source": "'FORK'::revision_source",
            "generation_task_id": "NULL",
            "sealed": "true",
        },
        joins="JOIN fork_chapters mc ON mc.old_id = t.chapter_id",
        params=p,
    )

    await _map_ids(s, "fork_voice", VoiceProfile.__table__, "project_id = :old", p)  # type: ignore[arg-type]
    await _copy(s, VoiceProfile.__table__, "fork_voice", project_override, params=p)  # type: ignore[arg-type]

    # Sources keep s3_bucket/s3_key: both editions point at the same stored file.
    await _map_ids(s, "fork_sources", SourceMaterial.__table__, "project_id = :old", p)  # type: ignore[arg-type]
    await _copy(s, SourceMaterial.__table__, "fork_sources", project_override, params=p)  # type: ignore[arg-type]

    await _map_ids(s, "fork_chunks", ContentChunk.__table__, "project_id = :old", p)  # type: ignore[arg-type]
    await _copy(
        s,
        ContentChunk.__table__,  # type: ignore[arg-type]
        "fork_chunks",
        {**project_override, "source_material_id": "ms.new_id"},
        joins="JOIN fork_sources ms ON ms.old_id = t.source_material_id",
        params=p,
    )

    # Where each copied AI revision came from: the copied revision's passages, now the fork's
    # own chunks (the inner joins drop sources of revisions the fork did not copy).
    await _map_ids(
        s,
        "fork_revision_sources",
        RevisionSourceChunk.__table__,  # type: ignore[arg-type]
        "revision_id IN (SELECT old_id FROM fork_revisions)",
        p,
    )
    await _copy(
        s,
        RevisionSourceChunk.__table__,  # type: ignore[arg-type]
        "fork_revision_sources",
        {"revision_id": "mr.new_id", "chunk_id": "mk.new_id"},
        joins="JOIN fork_revisions mr ON mr.old_id = t.revision_id JOIN fork_chunks mk ON mk.old_id = t.chunk_id",
        params=p,
    )
    # Cached summaries stay valid: the chapter copy keeps text_version, which is their key.
    cols = _columns(ChapterSummaryCache.__table__, {"chapter_id", "updated_at"})  # type: ignore[arg-type]
    col_sql = ", ".join(f'"{c}"' for c in cols)
    await s.execute(
        text(
            f"INSERT INTO chapter_summaries (chapter_id, {col_sql}, updated_at) "
            f"SELECT mc.new_id, {', '.join('t.' + c for c in cols)}, t.updated_at "
            "FROM chapter_summaries t JOIN fork_chapters mc ON mc.old_id = t.chapter_id"
        ),
    )

    await _map_ids(s, "fork_findings", QAFinding.__table__, "project_id = :old", p)  # type: ignore[arg-type]
    await _copy(
        s,
        QAFinding.__table__,  # type: ignore[arg-type]
        "fork_findings",
        # QA identity (chapter + fingerprint) carries over; the run and revision links are the
        # original's (a revision the fork did not copy points nowhere).
        {
            **project_override,
            "chapter_id": "mc.new_id",
            "generation_task_id": "NULL",
            "last_run_id": "NULL",
            "revision_id": "mr.new_id",
        },
        joins="LEFT JOIN fork_chapters mc ON mc.old_id = t.chapter_id "
        "LEFT JOIN fork_revisions mr ON mr.old_id = t.revision_id",
        params=p,
    )
