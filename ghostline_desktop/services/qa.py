"""QA findings: list, add (rule-based QA and the demo), resolve or waive.

A *blocking* finding that is still OPEN stops the book from being called finished
(export warns about it); ``blocking_open_count`` is that check.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ghostline_desktop.core.enum_names import member_by_name
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import Chapter, FindingStatus, FindingType, Project, QAFinding, Severity
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.dto import FindingSummary
from ghostline_desktop.services.events import EventBus, FindingsChanged
from ghostline_desktop.services.validation import MAX_TITLE

_GONE = "That finding no longer exists."
# Most severe first; an explicit rank so the order does not depend on the enum's declaration.
_SEVERITY_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}


def _summary(f: QAFinding, chapter_title: str | None) -> FindingSummary:
    return FindingSummary(
        id=f.id,
        project_id=f.project_id,
        chapter_id=f.chapter_id,
        chapter_title=chapter_title,
        finding_type=f.finding_type.name,
        severity=f.severity.name,
        is_blocking=f.is_blocking,
        status=f.status.name,
        title=f.title,
        description=f.description,
        excerpt=f.excerpt,
        created_at=f.created_at,
        suggestion=f.suggestion,
        resolution_note=f.resolution_note,
        resolved_at=f.resolved_at,
    )


def _status(value: str) -> FindingStatus:
    member = member_by_name(FindingStatus, value)
    if member is None:
        raise ValidationError(f"'{value}' is not a finding status (use OPEN, RESOLVED or WAIVED).")
    return member


class QAService:
    def __init__(self, db: Database, bus: EventBus) -> None:
        self.db = db
        self.bus = bus

    async def list_findings(self, project_id: uuid.UUID, *, status: str | None = None) -> list[FindingSummary]:
        """Most severe first, then in chapter order (project-wide findings last), then oldest first."""
        rank = case(_SEVERITY_RANK, value=QAFinding.severity, else_=0)
        q = (
            select(QAFinding, Chapter.title)
            .outerjoin(Chapter, Chapter.id == QAFinding.chapter_id)
            .where(QAFinding.project_id == project_id)
            .order_by(rank.desc(), Chapter.order.asc().nulls_last(), QAFinding.created_at, QAFinding.id)
        )
        if status is not None:
            q = q.where(QAFinding.status == _status(status))
        async with self.db.session() as s:
            return [_summary(f, title) for f, title in (await s.execute(q)).all()]

    async def get(self, finding_id: uuid.UUID) -> FindingSummary:
        async with self.db.session() as s:
            return await self._get(s, finding_id)

    async def _get(self, s: AsyncSession, finding_id: uuid.UUID) -> FindingSummary:
        row = (
            await s.execute(
                select(QAFinding, Chapter.title)
                .outerjoin(Chapter, Chapter.id == QAFinding.chapter_id)
                .where(QAFinding.id == finding_id)
            )
        ).first()
        if row is None:
            raise NotFoundError(_GONE)
        return _summary(row[0], row[1])

    async def add_finding(
        self,
        project_id: uuid.UUID,
        *,
        finding_type: str,
        severity: str,
        title: str,
        chapter_id: uuid.UUID | None = None,
        is_blocking: bool = False,
        description: str | None = None,
        excerpt: str | None = None,
        suggestion: str | None = None,
        rule: str | None = None,
        location: dict[str, Any] | None = None,
    ) -> FindingSummary:
        kind = member_by_name(FindingType, finding_type)
        if kind is None:
            raise ValidationError(f"'{finding_type}' is not a kind of finding GhostLine knows.")
        level = member_by_name(Severity, severity)
        if level is None:
            raise ValidationError(f"'{severity}' is not a severity (use LOW, MEDIUM, HIGH or CRITICAL).")
        title = " ".join((title or "").split())
        if not title:
            raise ValidationError("A finding needs a title.")
        title = title[:MAX_TITLE]
        async with self.db.session() as s:
            if await s.get(Project, project_id) is None:
                raise NotFoundError("That project no longer exists.")
            if chapter_id is not None:
                ch = await s.get(Chapter, chapter_id)
                if ch is None or ch.project_id != project_id:
                    raise NotFoundError("That chapter is not part of this book.")
            finding = QAFinding(
                project_id=project_id,
                chapter_id=chapter_id,
                finding_type=kind,
                severity=level,
                is_blocking=is_blocking,
                status=FindingStatus.OPEN,
                title=title,
                description=description,
                excerpt=excerpt,
                suggestion=suggestion,
                rule=rule,
                location=dict(location or {}),
            )
            s.add(finding)
            await s.flush()
            out = await self._get(s, finding.id)
        self.bus.publish(FindingsChanged(project_id))
        return out

    async def set_status(
        self, finding_id: uuid.UUID, status: str, *, note: str | None = None, user_id: uuid.UUID | None = None
    ) -> FindingSummary:
        """RESOLVED or WAIVED records who and when; OPEN (reopen) clears both."""
        new = _status(status)
        async with self.db.session() as s:
            finding = await s.get(QAFinding, finding_id)
            if finding is None:
                raise NotFoundError(_GONE)
            finding.status = new
            if new is FindingStatus.OPEN:
                finding.resolved_at = None
                finding.resolved_by_id = None
                if note is not None:
                    finding.resolution_note = note
            else:
                finding.resolved_at = datetime.now(UTC)
                finding.resolved_by_id = user_id
                finding.resolution_note = note
            await s.flush()
            await s.refresh(finding)
            out = await self._get(s, finding_id)
        self.bus.publish(FindingsChanged(out.project_id))
        return out

    async def delete_finding(self, finding_id: uuid.UUID) -> None:
        async with self.db.session() as s:
            finding = await s.get(QAFinding, finding_id)
            if finding is None:
                raise NotFoundError(_GONE)
            project_id = finding.project_id
            await s.delete(finding)
        self.bus.publish(FindingsChanged(project_id))

    async def blocking_open_count(self, project_id: uuid.UUID) -> int:
        async with self.db.session() as s:
            return int(
                (
                    await s.execute(
                        select(func.count()).where(
                            QAFinding.project_id == project_id,
                            QAFinding.is_blocking.is_(True),
                            QAFinding.status == FindingStatus.OPEN,
                        )
                    )
                ).scalar_one()
            )

    async def open_blocking(self, project_id: uuid.UUID) -> list[FindingSummary]:
        """The OPEN blocking findings, most severe first: what stops an export."""
        async with self.db.session() as s:
            rows = (
                await s.execute(
                    select(QAFinding, Chapter.title)
                    .outerjoin(Chapter, QAFinding.chapter_id == Chapter.id)
                    .where(
                        QAFinding.project_id == project_id,
                        QAFinding.is_blocking.is_(True),
                        QAFinding.status == FindingStatus.OPEN,
                    )
                    .order_by(QAFinding.created_at)
                )
            ).all()
        out = [_summary(f, title) for f, title in rows]
        out.sort(key=lambda f: -_SEVERITY_RANK.get(Severity[f.severity], 0))
        return out

    async def counts(self, project_id: uuid.UUID) -> dict[str, int]:
        """How many findings per status name (every status present, zero if none)."""
        async with self.db.session() as s:
            rows = (
                await s.execute(
                    select(QAFinding.status, func.count())
                    .where(QAFinding.project_id == project_id)
                    .group_by(QAFinding.status)
                )
            ).all()
        out = {st.name: 0 for st in FindingStatus}
        out.update({st.name: int(n) for st, n in rows})
        return out
