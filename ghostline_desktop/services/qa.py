"""QA findings: list, add (the demo, hand-written), resolve or waive, and reconcile a QA run.

A *blocking* finding that is still OPEN stops the book from being called finished
(export refuses it); ``open_blocking`` is that check.

A run's findings are matched with earlier rows by *fingerprint* (type + rule + normalised
subject + chapter + occurrence), never by position: a finding keeps its identity — and its
WAIVED or RESOLVED status — when text elsewhere moves it, and an OPEN one the run no longer
finds is RESOLVED by itself ("fixed: no longer found").
"""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ghostline_desktop.core.enum_names import member_by_name
from ghostline_desktop.core.qa.model import Finding
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import Chapter, FindingStatus, FindingType, Project, QAFinding, Severity, User
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.dto import FindingSummary
from ghostline_desktop.services.events import EventBus, FindingsChanged
from ghostline_desktop.services.validation import MAX_TITLE

_GONE = "That finding no longer exists."
# Most severe first; an explicit rank so the order does not depend on the enum's declaration.
_SEVERITY_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}


AUTO_NOTE = "fixed: no longer found"


def _summary(f: QAFinding, chapter_title: str | None, resolved_by: str | None = None) -> FindingSummary:
    loc = f.location or {}
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
        rule=f.rule,
        start=loc.get("start") if isinstance(loc.get("start"), int) else None,
        end=loc.get("end") if isinstance(loc.get("end"), int) else None,
        revision_id=f.revision_id,
        resolved_by_name=resolved_by,
        auto_resolved=f.auto_resolved,
        last_seen_at=f.last_seen_at,
        span=loc.get("text") if isinstance(loc.get("text"), str) else None,
    )


def _select() -> Any:
    """Finding, its chapter's title and who resolved or waived it."""
    return (
        select(QAFinding, Chapter.title, func.coalesce(User.display_name, User.username))
        .outerjoin(Chapter, Chapter.id == QAFinding.chapter_id)
        .outerjoin(User, User.id == QAFinding.resolved_by_id)
    )


def normalise_subject(subject: str) -> str:
    """What identity compares: case, width and spacing do not make a different finding."""
    return " ".join(unicodedata.normalize("NFKC", subject or "").casefold().split())


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """One fingerprint per finding, in the given order.

    The same subject can be found twice in a chapter (two "TK"s): the *n*-th occurrence in
    text order gets its own identity, so an edit in another chapter — or above it in the same
    chapter without adding or removing one — keeps every identity. The chapter is not hashed:
    rows are matched on (chapter_id, fingerprint), which survives a fork's new chapter ids.
    """
    order = sorted(range(len(findings)), key=lambda i: (findings[i].start, findings[i].end, i))
    seen: dict[tuple[str, ...], int] = {}
    out = [""] * len(findings)
    for i in order:
        f = findings[i]
        key = (f.finding_type.name, f.rule, normalise_subject(f.subject))
        n = seen.get((*key, str(f.chapter_id)), 0)  # occurrences count per chapter
        seen[(*key, str(f.chapter_id))] = n + 1
        out[i] = hashlib.sha256("\x1f".join((*key, str(n))).encode()).hexdigest()
    return out


@dataclass(frozen=True)
class ReconcileResult:
    new: int = 0
    updated: int = 0
    auto_resolved: int = 0
    reopened: int = 0
    open_total: int = 0
    open_blocking: int = 0


def _apply_status(
    finding: QAFinding, new: FindingStatus, note: str | None, user_id: uuid.UUID | None, now: datetime
) -> None:
    finding.status = new
    finding.auto_resolved = False  # the author decided: a run no longer reopens it by itself
    if new is FindingStatus.OPEN:
        finding.resolved_at = None
        finding.resolved_by_id = None
        if note is not None:
            finding.resolution_note = note
    else:
        finding.resolved_at = now
        finding.resolved_by_id = user_id
        finding.resolution_note = note


def _status(value: str) -> FindingStatus:
    member = member_by_name(FindingStatus, value)
    if member is None:
        raise ValidationError(f"'{value}' is not a finding status (use OPEN, RESOLVED or WAIVED).")
    return member


class QAService:
    def __init__(self, db: Database, bus: EventBus) -> None:
        self.db = db
        self.bus = bus

    async def list_findings(
        self,
        project_id: uuid.UUID,
        *,
        status: str | None = None,
        chapter_id: uuid.UUID | None = None,
        finding_type: str | None = None,
    ) -> list[FindingSummary]:
        """Most severe first, then in chapter order (project-wide findings last), then by position."""
        rank = case(_SEVERITY_RANK, value=QAFinding.severity, else_=0)
        q = (
            _select()
            .where(QAFinding.project_id == project_id)
            .order_by(
                rank.desc(),
                Chapter.order.asc().nulls_last(),
                QAFinding.location["start"].as_integer().asc().nulls_last(),
                QAFinding.created_at,
                QAFinding.id,
            )
        )
        if status is not None:
            q = q.where(QAFinding.status == _status(status))
        if chapter_id is not None:
            q = q.where(QAFinding.chapter_id == chapter_id)
        if finding_type is not None:
            kind = member_by_name(FindingType, finding_type)
            if kind is None:
                raise ValidationError(f"'{finding_type}' is not a kind of finding GhostLine knows.")
            q = q.where(QAFinding.finding_type == kind)
        async with self.db.session() as s:
            return [_summary(*row) for row in (await s.execute(q)).all()]

    async def get(self, finding_id: uuid.UUID) -> FindingSummary:
        async with self.db.session() as s:
            return await self._get(s, finding_id)

    async def _get(self, s: AsyncSession, finding_id: uuid.UUID) -> FindingSummary:
        row = (await s.execute(_select().where(QAFinding.id == finding_id))).first()
        if row is None:
            raise NotFoundError(_GONE)
        return _summary(*row)

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
            _apply_status(finding, new, note, user_id, datetime.now(UTC))
            await s.flush()
            await s.refresh(finding)
            out = await self._get(s, finding_id)
        self.bus.publish(FindingsChanged(out.project_id))
        return out

    async def set_status_many(
        self,
        finding_ids: Iterable[uuid.UUID],
        status: str,
        *,
        note: str | None = None,
        user_id: uuid.UUID | None = None,
    ) -> list[FindingSummary]:
        """Resolve, waive or reopen a selection in ONE transaction: all of them or none
        (a finding deleted meanwhile fails the whole selection), one FindingsChanged per project."""
        new = _status(status)
        ids = list(dict.fromkeys(finding_ids))
        if not ids:
            return []
        now = datetime.now(UTC)
        async with self.db.session() as s:
            rows = (await s.execute(select(QAFinding).where(QAFinding.id.in_(ids)).with_for_update())).scalars().all()
            if len(rows) != len(ids):
                raise NotFoundError(
                    "Some of the selected findings no longer exist (a QA run may have replaced them); "
                    "nothing was changed."
                )
            for finding in rows:
                _apply_status(finding, new, note, user_id, now)
            await s.flush()
            got = {row[0].id: _summary(*row) for row in (await s.execute(_select().where(QAFinding.id.in_(ids)))).all()}
        out = [got[i] for i in ids]
        for project_id in dict.fromkeys(f.project_id for f in out):
            self.bus.publish(FindingsChanged(project_id))
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
                    _select()
                    .where(
                        QAFinding.project_id == project_id,
                        QAFinding.is_blocking.is_(True),
                        QAFinding.status == FindingStatus.OPEN,
                    )
                    .order_by(QAFinding.created_at)
                )
            ).all()
        out = [_summary(*row) for row in rows]
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

    async def reconcile(
        self,
        project_id: uuid.UUID,
        findings: Sequence[Finding],
        *,
        chapter_ids: Iterable[uuid.UUID],
        book_level: bool,
        checked_types: Iterable[FindingType],
        run_id: uuid.UUID | None = None,
    ) -> ReconcileResult:
        """Merge one run's findings into the table, in one transaction.

        Only rows in the run's scope are touched: the chapters it read (``chapter_ids``; a
        chapter edited while the run read it is left out by the caller), book-level rows if
        ``book_level``, and only the finding types the run checked. New fingerprints are
        inserted OPEN; found ones get their new position and excerpt and keep their status
        (one a run had resolved reopens); OPEN ones not found are resolved by themselves.
        """
        scope = list(dict.fromkeys(chapter_ids))
        types = list(dict.fromkeys(checked_types))
        scoped = [f for f in findings if (f.chapter_id in scope if f.chapter_id else book_level)]
        prints = fingerprints(scoped)
        now = datetime.now(UTC)
        result = {"new": 0, "updated": 0, "auto_resolved": 0, "reopened": 0}
        where_scope = [QAFinding.chapter_id.in_(scope)] if scope else []
        if book_level:
            where_scope.append(QAFinding.chapter_id.is_(None))
        async with self.db.session() as s:
            # The project row lock serialises two runs of one book (a background run racing Tools ▸ Run QA).
            project = await s.get(Project, project_id, with_for_update=True)
            if project is None:
                raise NotFoundError("That project no longer exists.")
            existing: dict[tuple[uuid.UUID | None, str], QAFinding] = {}
            if where_scope and types:
                rows = (
                    await s.execute(
                        select(QAFinding).where(
                            QAFinding.project_id == project_id,
                            QAFinding.fingerprint.is_not(None),
                            QAFinding.finding_type.in_(types),
                            or_(*where_scope),
                        )
                    )
                ).scalars()
                existing = {(r.chapter_id, r.fingerprint): r for r in rows if r.fingerprint}
            inserts: list[dict[str, Any]] = []
            for f, fp in zip(scoped, prints, strict=True):
                values = _row_values(f, now, run_id)
                row = existing.pop((f.chapter_id, fp), None)
                if row is None:
                    inserts.append(
                        {"project_id": project_id, "fingerprint": fp, "status": FindingStatus.OPEN, **values}
                    )
                    continue
                for key, value in values.items():
                    setattr(row, key, value)
                result["updated"] += 1
                if row.status is FindingStatus.RESOLVED and row.auto_resolved:
                    row.status, row.auto_resolved = FindingStatus.OPEN, False
                    row.resolved_at = row.resolved_by_id = row.resolution_note = None
                    result["reopened"] += 1
            for row in existing.values():  # in scope, not found this time
                if row.status is FindingStatus.OPEN:
                    row.status, row.auto_resolved = FindingStatus.RESOLVED, True
                    row.resolved_at, row.resolved_by_id, row.resolution_note = now, None, AUTO_NOTE
                    result["auto_resolved"] += 1
            await s.flush()
            result["new"] = await _insert_new(s, inserts)
            open_total, open_blocking = (
                await s.execute(
                    select(func.count(), func.count().filter(QAFinding.is_blocking.is_(True))).where(
                        QAFinding.project_id == project_id, QAFinding.status == FindingStatus.OPEN
                    )
                )
            ).one()
        self.bus.publish(FindingsChanged(project_id))
        return ReconcileResult(**result, open_total=int(open_total), open_blocking=int(open_blocking))


async def _insert_new(s: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Insert new findings; a row another run inserted meanwhile is skipped (ON CONFLICT on the
    partial unique index of its kind), not duplicated. Returns how many were inserted."""
    new = 0
    fp = QAFinding.fingerprint.is_not(None)
    for in_chapter, elements, where in (
        (True, ["project_id", "chapter_id", "fingerprint"], fp & QAFinding.chapter_id.is_not(None)),
        (False, ["project_id", "fingerprint"], fp & QAFinding.chapter_id.is_(None)),
    ):
        batch = [r for r in rows if (r["chapter_id"] is not None) == in_chapter]
        if batch:
            stmt = (
                pg_insert(QAFinding)
                .values(batch)
                .on_conflict_do_nothing(index_elements=elements, index_where=where)
                .returning(QAFinding.id)
            )
            new += len((await s.execute(stmt)).all())
    return new


def _span(f: Finding) -> str | None:
    """The exact text found (the panel re-finds it if the chapter changed since); None if long."""
    span = f.extra.get("span")
    return span if isinstance(span, str) and len(span) <= 500 else None


def _row_values(f: Finding, now: datetime, run_id: uuid.UUID | None) -> dict[str, Any]:
    """What a run writes into a row it found again (everything but identity and status)."""
    return {
        "chapter_id": f.chapter_id,
        "finding_type": f.finding_type,
        "severity": f.severity,
        "is_blocking": f.is_blocking,
        "title": " ".join(f.title.split())[:MAX_TITLE] or f.finding_type.value,
        "description": f.explanation,
        "excerpt": f.excerpt,
        "suggestion": f.suggestion,
        "rule": (f.rule or "")[:100] or None,
        "location": {"start": f.start, "end": f.end, "text": _span(f)},
        "revision_id": f.revision_id,
        "last_run_id": run_id,
        "last_seen_at": now,
    }
