"""Reading the token ledger: pages, totals, daily use, the meter's summary, CSV (issue 9).

The writes live in ``services/tokens.py``; ``TokenService`` mixes these queries in. Results are
plain dataclasses carrying enum member *names*, so the UI never imports the ORM.

Time: the monthly quota follows UTC calendar months (two machines in different zones agree on
when a month starts); the daily chart and the date filters use the author's time zone, passed in
as an IANA name (``tz``) or as aware datetimes.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import (
    BillingPlan,
    GenerationTask,
    Project,
    TokenTransaction,
    TransactionType,
    User,
)
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.dto import TokenBalance
from ghostline_desktop.services.token_dto import (
    LedgerEntry,
    LedgerFilter,
    MeterInfo,
    PlanInfo,
    UsageOverview,
    UsageTotal,
    UsageTotals,
)

PAGE_SIZE = 200
MAX_PAGE = 5000
CSV_COLUMNS = (
    "date",
    "type",
    "amount",
    "balance_after",
    "description",
    "project",
    "task_type",
    "model",
    "prompt_tokens",
    "completion_tokens",
    "project_id",
    "generation_task_id",
)


def month_start(now: datetime | None = None) -> datetime:
    """The start of ``now``'s calendar month in UTC (the quota period)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(start: date) -> date:
    return date(start.year + (start.month == 12), start.month % 12 + 1, 1)


def _entries_query() -> Any:
    return (
        select(TokenTransaction, Project.title, GenerationTask.task_type)
        .outerjoin(Project, TokenTransaction.project_id == Project.id)
        .outerjoin(GenerationTask, TokenTransaction.generation_task_id == GenerationTask.id)
    )


# Any: SQLAlchemy 2.1's Select is generic over its column types; these helpers serve several shapes.
def _where(q: Any, user_id: uuid.UUID, f: LedgerFilter | None) -> Any:
    q = q.where(TokenTransaction.user_id == user_id)
    if f is None:
        return q
    if f.project_id is not None:
        q = q.where(TokenTransaction.project_id == f.project_id)
    if f.transaction_type:
        try:
            kind = TransactionType[f.transaction_type.upper()]
        except KeyError:
            raise ValidationError(f"'{f.transaction_type}' is not a ledger entry type (CREDIT or DEBIT).") from None
        q = q.where(TokenTransaction.transaction_type == kind)
    if f.since is not None:
        q = q.where(TokenTransaction.created_at >= f.since)
    if f.until is not None:
        q = q.where(TokenTransaction.created_at < f.until)
    return q


def _entry(t: TokenTransaction, title: str | None, task_type: Any) -> LedgerEntry:
    return LedgerEntry(
        id=t.id,
        seq=t.seq,
        created_at=t.created_at,
        transaction_type=t.transaction_type.name,
        amount=t.amount,
        balance_after=t.balance_after,
        description=t.description,
        project_id=t.project_id,
        project_title=title,
        generation_task_id=t.generation_task_id,
        task_type=task_type.name if task_type is not None else None,
        model=t.model,
        prompt_tokens=t.prompt_tokens,
        completion_tokens=t.completion_tokens,
    )


async def _balance(s: AsyncSession, user_id: uuid.UUID) -> TokenBalance:
    row = (
        await s.execute(
            select(User.token_balance, BillingPlan)
            .outerjoin(BillingPlan, User.billing_plan_id == BillingPlan.id)
            .where(User.id == user_id)
        )
    ).first()
    if row is None:
        raise NotFoundError("That user does not exist.")
    balance, plan = row
    return TokenBalance(
        user_id=user_id,
        balance=balance,
        monthly_quota=plan.monthly_token_quota if plan else 0,
        plan_name=plan.name if plan else "none",
        plan_display_name=plan.display_name if plan else "No plan",
    )


async def _month_used(s: AsyncSession, user_id: uuid.UUID, now: datetime | None = None) -> int:
    q = select(func.coalesce(func.sum(TokenTransaction.amount), 0)).where(
        TokenTransaction.user_id == user_id,
        TokenTransaction.transaction_type == TransactionType.DEBIT,
        TokenTransaction.created_at >= month_start(now),
    )
    return int((await s.execute(q)).scalar_one())


async def _page(
    s: AsyncSession, user_id: uuid.UUID, f: LedgerFilter | None, before_seq: int | None, limit: int
) -> list[LedgerEntry]:
    q = _where(_entries_query(), user_id, f)
    if before_seq is not None:
        q = q.where(TokenTransaction.seq < before_seq)
    q = q.order_by(TokenTransaction.seq.desc()).limit(max(1, min(limit, MAX_PAGE)))
    return [_entry(*r) for r in (await s.execute(q)).all()]


class TokenQueries:
    """The read side of ``TokenService`` (mixed in; needs ``self.db``)."""

    db: Database

    async def ledger_page(
        self,
        user_id: uuid.UUID,
        filters: LedgerFilter | None = None,
        *,
        before_seq: int | None = None,
        limit: int = PAGE_SIZE,
    ) -> list[LedgerEntry]:
        """Newest first; pass the last entry's ``seq`` as ``before_seq`` for the next page (keyset paging:
        a page costs the same at row 100,000 as at row 0)."""
        async with self.db.session() as s:
            return await _page(s, user_id, filters, before_seq, limit)

    async def ledger_count(self, user_id: uuid.UUID, filters: LedgerFilter | None = None) -> int:
        async with self.db.session() as s:
            return int(
                (await s.execute(_where(select(func.count(TokenTransaction.id)), user_id, filters))).scalar_one()
            )

    async def month_used(self, user_id: uuid.UUID, now: datetime | None = None) -> int:
        """Tokens debited since the start of the (UTC) calendar month."""
        async with self.db.session() as s:
            return await _month_used(s, user_id, now)

    async def meter(self, user_id: uuid.UUID, *, recent: int = 5) -> MeterInfo:
        async with self.db.session() as s:
            return MeterInfo(
                balance=await _balance(s, user_id),
                month_used=await _month_used(s, user_id),
                recent=await _page(s, user_id, None, None, recent),
            )

    async def list_plans(self) -> list[PlanInfo]:
        async with self.db.session() as s:
            rows = (
                await s.execute(
                    select(BillingPlan)
                    .where(BillingPlan.is_active.is_(True))
                    .order_by(BillingPlan.monthly_token_quota, BillingPlan.name)
                )
            ).scalars()
            return [PlanInfo(p.name, p.display_name, p.monthly_token_quota, p.price_cents) for p in rows]

    async def overview(
        self, user_id: uuid.UUID, filters: LedgerFilter | None = None, *, limit: int = PAGE_SIZE
    ) -> UsageOverview:
        """What the usage dialog opens with: index lookups only, so it costs the same at 100 rows or
        100,000. The counts and sums come next (``usage_totals``)."""
        async with self.db.session() as s:
            balance = await _balance(s, user_id)
            plans = [
                PlanInfo(p.name, p.display_name, p.monthly_token_quota, p.price_cents)
                for p in (
                    await s.execute(
                        select(BillingPlan)
                        .where(BillingPlan.is_active.is_(True))
                        .order_by(BillingPlan.monthly_token_quota, BillingPlan.name)
                    )
                ).scalars()
            ]
            projects = [
                (r[0], r[1])
                for r in (
                    await s.execute(
                        select(Project.id, Project.title).where(Project.owner_id == user_id).order_by(Project.title)
                    )
                ).all()
            ]
            page = await _page(s, user_id, filters, None, limit)
        return UsageOverview(balance=balance, plans=plans, projects=projects, first_page=page, page_size=limit)

    async def usage_totals(
        self, user_id: uuid.UUID, filters: LedgerFilter | None, year: int, month: int, *, tz: str = "UTC"
    ) -> UsageTotals:
        """The (filtered) row count, this month's use, totals per project and task type, the month's days."""
        f = filters or LedgerFilter()
        return UsageTotals(
            total_rows=await self.ledger_count(user_id, f),
            month_used=await self.month_used(user_id),
            by_project=await self.totals_by_project(user_id, f),
            by_task_type=await self.totals_by_task_type(user_id, f),
            year=year,
            month=month,
            days=await self.daily_usage(user_id, year, month, tz=tz, project_id=f.project_id),
        )

    async def totals_by_project(self, user_id: uuid.UUID, filters: LedgerFilter | None = None) -> list[UsageTotal]:
        """Tokens debited per project, most first (rows of deleted projects or none: key None)."""
        q = select(
            TokenTransaction.project_id,
            Project.title,
            func.sum(TokenTransaction.amount),
            func.count(TokenTransaction.id),
            func.coalesce(func.sum(TokenTransaction.prompt_tokens), 0),
            func.coalesce(func.sum(TokenTransaction.completion_tokens), 0),
        ).outerjoin(Project, TokenTransaction.project_id == Project.id)
        q = _where(q, user_id, filters).where(TokenTransaction.transaction_type == TransactionType.DEBIT)
        q = q.group_by(TokenTransaction.project_id, Project.title).order_by(func.sum(TokenTransaction.amount).desc())
        async with self.db.session() as s:
            rows = (await s.execute(q)).all()
        return [
            UsageTotal(str(pid) if pid else None, title or "No project", int(t), int(n), int(p), int(c))
            for pid, title, t, n, p, c in rows
        ]

    async def totals_by_task_type(self, user_id: uuid.UUID, filters: LedgerFilter | None = None) -> list[UsageTotal]:
        """Tokens debited per kind of AI task (the generation task's ``task_type``), most first."""
        q = select(
            GenerationTask.task_type,
            func.sum(TokenTransaction.amount),
            func.count(TokenTransaction.id),
            func.coalesce(func.sum(TokenTransaction.prompt_tokens), 0),
            func.coalesce(func.sum(TokenTransaction.completion_tokens), 0),
        ).outerjoin(GenerationTask, TokenTransaction.generation_task_id == GenerationTask.id)
        q = _where(q, user_id, filters).where(TokenTransaction.transaction_type == TransactionType.DEBIT)
        q = q.group_by(GenerationTask.task_type).order_by(func.sum(TokenTransaction.amount).desc())
        async with self.db.session() as s:
            rows = (await s.execute(q)).all()
        return [
            UsageTotal(kind.name if kind else None, kind.value if kind else "Other", int(t), int(n), int(p), int(c))
            for kind, t, n, p, c in rows
        ]

    async def daily_usage(
        self, user_id: uuid.UUID, year: int, month: int, *, tz: str = "UTC", project_id: uuid.UUID | None = None
    ) -> list[int]:
        """Tokens debited on each day of the month in zone ``tz``: index 0 is the 1st."""
        try:
            zone = ZoneInfo(tz)
        except (ValueError, KeyError, OSError):
            zone = ZoneInfo("UTC")
            tz = "UTC"
        first = date(year, month, 1)
        after = next_month(first)
        since = datetime(first.year, first.month, 1, tzinfo=zone)
        until = datetime(after.year, after.month, 1, tzinfo=zone)
        day = func.date_part("day", func.timezone(tz, TokenTransaction.created_at))
        q = (
            select(day, func.sum(TokenTransaction.amount))
            .where(
                and_(
                    TokenTransaction.user_id == user_id,
                    TokenTransaction.transaction_type == TransactionType.DEBIT,
                    TokenTransaction.created_at >= since,
                    TokenTransaction.created_at < until,
                )
            )
            .group_by(day)
        )
        if project_id is not None:
            q = q.where(TokenTransaction.project_id == project_id)
        days = [0] * (after - first).days
        async with self.db.session() as s:
            for d, tokens in (await s.execute(q)).all():
                days[int(d) - 1] = int(tokens)
        return days

    async def iter_ledger(
        self, user_id: uuid.UUID, filters: LedgerFilter | None = None, *, chunk: int = 2000
    ) -> AsyncIterator[list[LedgerEntry]]:
        """The whole (filtered) ledger newest first, a page at a time (CSV export, the CLI)."""
        before: int | None = None
        while True:
            page = await self.ledger_page(user_id, filters, before_seq=before, limit=chunk)
            if page:
                yield page
            if len(page) < chunk:
                return
            before = page[-1].seq

    async def write_csv(self, user_id: uuid.UUID, out: IO[str], filters: LedgerFilter | None = None) -> int:
        """Write the ledger as CSV (header + one line per entry, newest first); returns the row count."""
        w = csv.writer(out, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        n = 0
        async for page in self.iter_ledger(user_id, filters):
            for e in page:
                w.writerow(csv_row(e))
            n += len(page)
        return n

    async def export_csv(self, user_id: uuid.UUID, path: Path, filters: LedgerFilter | None = None) -> int:
        """Write the ledger to ``path`` (a temporary file first, so a failure leaves no half file)."""
        tmp = path.with_name(path.name + ".part")
        try:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                n = await self.write_csv(user_id, fh, filters)
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ValidationError(f"Could not write {path}: {exc.strerror or exc}") from exc
        return n


def csv_row(e: LedgerEntry) -> list[object]:
    return [
        e.created_at.astimezone(UTC).isoformat(timespec="seconds"),
        e.transaction_type,
        e.amount,
        e.balance_after,
        e.description,
        e.project_title or "",
        e.task_type or "",
        e.model or "",
        "" if e.prompt_tokens is None else e.prompt_tokens,
        "" if e.completion_tokens is None else e.completion_tokens,
        e.project_id or "",
        e.generation_task_id or "",
    ]
