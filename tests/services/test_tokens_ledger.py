"""TokenService: credits, the monthly quota, plan changes, and reading the ledger back."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import GenerationTask, Notification, NotificationType, TaskType, User
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import EventBus
from ghostline_desktop.services.token_dto import LedgerFilter, local_day_bounds
from ghostline_desktop.services.token_ledger_queries import month_start
from ghostline_desktop.services.tokens import TokenService
from tests.services.token_support import assert_ledger_consistent, new_user


def test_credit_writes_a_described_credit(services: Services, run: Any) -> None:
    u = run(new_user(services))
    assert run(services.tokens.credit(u.id, 5_000, "  Top-up for   the sequel ")) == 105_000
    (e, *_rest) = run(services.tokens.ledger_page(u.id))
    assert (e.transaction_type, e.amount, e.balance_after, e.description) == (
        "CREDIT",
        5_000,
        105_000,
        "Top-up for the sequel",
    )
    for amount, note in ((0, "x"), (-5, "x"), (10, "   ")):
        with pytest.raises(ValidationError):
            run(services.tokens.credit(u.id, amount, note))
    with pytest.raises(ValidationError, match="cannot go over"):
        run(services.tokens.credit(u.id, 1_000_000_000, "a"))
        run(services.tokens.credit(u.id, 1_000_000_000, "b"))
        run(services.tokens.credit(u.id, 1_000_000_000, "c"))
    run(assert_ledger_consistent(services, u.id))


async def _set_period(services: Services, user_id: uuid.UUID, when: datetime | None) -> None:
    async with services.db.session() as s:
        await s.execute(update(User).where(User.id == user_id).values(quota_period_start=when))


def test_monthly_quota_once_per_month(services: Services, run: Any) -> None:
    u = run(new_user(services))  # created this month: its opening credit is this month's quota
    assert run(services.tokens.ensure_monthly_quota(u.id)) == 0
    december = datetime(2031, 12, 3, 9, 0, tzinfo=UTC)
    assert run(services.tokens.ensure_monthly_quota(u.id, now=december)) == 100_000
    assert run(services.tokens.ensure_monthly_quota(u.id, now=december.replace(day=28))) == 0
    january = datetime(2032, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert run(services.tokens.ensure_monthly_quota(u.id, now=january)) == 100_000
    assert run(assert_ledger_consistent(services, u.id)) == 300_000
    descriptions = [e.description for e in run(services.tokens.ledger_page(u.id))]
    assert descriptions[:2] == [
        "Basic plan: monthly token quota for January 2032",
        "Basic plan: monthly token quota for December 2031",
    ]

    async def resets() -> int:
        async with services.db.session() as s:
            q = select(Notification).where(
                Notification.user_id == u.id, Notification.notification_type == NotificationType.QUOTA_RESET
            )
            return len(list((await s.execute(q)).scalars()))

    assert run(resets()) == 2


def test_two_instances_starting_at_once_credit_once(services: Services, db_url: str, run: Any) -> None:
    u = run(new_user(services))
    run(_set_period(services, u.id, datetime(2020, 1, 1, tzinfo=UTC)))  # last credited long ago

    async def instances() -> list[int]:
        dbs = [Database(db_url, pool_size=1) for _ in range(4)]
        try:
            return list(await asyncio.gather(*(TokenService(db, EventBus()).ensure_monthly_quota(u.id) for db in dbs)))
        finally:
            for db in dbs:
                await db.dispose()

    assert sorted(run(instances())) == [0, 0, 0, 100_000]
    assert run(assert_ledger_consistent(services, u.id)) == 200_000


def test_signing_in_credits_a_new_month(services: Services, user: Any, run: Any) -> None:
    run(_set_period(services, user.id, datetime(2020, 1, 1, tzinfo=UTC)))
    before = run(services.accounts.balance(user.id)).balance
    again = run(services.accounts.ensure_local_user())
    assert again.token_balance == before + 100_000
    assert run(services.accounts.ensure_local_user()).token_balance == again.token_balance

    async def period() -> datetime | None:
        async with services.db.session() as s:
            return (await s.execute(select(User.quota_period_start).where(User.id == user.id))).scalar_one()

    assert run(period()) == month_start()


def test_a_new_month_arrives_with_the_first_ai_operation(services: Services, run: Any) -> None:
    """The app left open across the turn of the month: the next affordability check credits the quota."""
    u = run(new_user(services))
    run(services.tokens.debit_usage(u.id, prompt_tokens=99_000, completion_tokens=0, model="m", description="d"))
    run(_set_period(services, u.id, datetime(2020, 5, 1, tzinfo=UTC)))
    run(services.tokens.check_affordable(u.id, 50_000, "Drafting"))  # 1,000 left + the new quota
    assert run(services.accounts.balance(u.id)).balance == 101_000
    run(services.tokens.check_affordable(u.id, 50_000, "Drafting"))  # once only
    assert run(assert_ledger_consistent(services, u.id)) == 101_000


def test_change_plan(services: Services, run: Any) -> None:
    u = run(new_user(services, "basic"))
    plans = run(services.tokens.list_plans())
    assert [p.name for p in plans] == ["basic", "premium", "pro"]
    up = run(services.tokens.change_plan(u.id, "pro"))
    pro = next(p for p in plans if p.name == "pro")
    assert (up.plan_name, up.monthly_quota, up.balance) == ("pro", pro.monthly_quota, pro.monthly_quota)
    down = run(services.tokens.change_plan(u.id, "basic"))
    assert (down.plan_name, down.balance) == ("basic", pro.monthly_quota)  # nothing taken away
    assert run(services.tokens.change_plan(u.id, "basic")).balance == pro.monthly_quota
    with pytest.raises(NotFoundError):
        run(services.tokens.change_plan(u.id, "gold"))
    assert run(services.accounts.get_user(u.id)).plan_name == "basic"
    run(assert_ledger_consistent(services, u.id))


async def _task(services: Services, project_id: uuid.UUID, user_id: uuid.UUID, kind: TaskType) -> uuid.UUID:
    async with services.db.session() as s:
        t = GenerationTask(project_id=project_id, user_id=user_id, task_type=kind)
        s.add(t)
        await s.flush()
        return t.id


def test_pages_filters_totals_daily_and_csv(services: Services, run: Any) -> None:
    u = run(new_user(services, "premium"))
    a = run(services.projects.create(u.id, "Alpha"))
    b = run(services.projects.create(u.id, "Beta"))
    draft = run(_task(services, a.id, u.id, TaskType.CHAPTER_GENERATION))
    qa = run(_task(services, b.id, u.id, TaskType.QA_CHECK))
    for i in range(30):
        project, task = (a.id, draft) if i % 3 else (b.id, qa)
        run(
            services.tokens.debit_usage(
                u.id,
                prompt_tokens=100,
                completion_tokens=i,
                model="m",
                description=f"op {i}",
                project_id=project,
                generation_task_id=task,
            )
        )
    run(services.tokens.credit(u.id, 10, "gift"))

    # keyset pages: newest first, no overlap, nothing missed
    first = run(services.tokens.ledger_page(u.id, limit=12))
    second = run(services.tokens.ledger_page(u.id, before_seq=first[-1].seq, limit=12))
    rest = run(services.tokens.ledger_page(u.id, before_seq=second[-1].seq, limit=12))
    seqs = [e.seq for e in first + second + rest]
    assert len(seqs) == 32 and seqs == sorted(seqs, reverse=True)
    assert first[0].description == "gift" and rest[-1].transaction_type == "CREDIT"  # the opening quota
    assert first[1].project_title == "Alpha" and first[1].task_type == "CHAPTER_GENERATION"

    only_b = LedgerFilter(project_id=b.id)
    assert run(services.tokens.ledger_count(u.id, only_b)) == 10
    assert {e.project_title for e in run(services.tokens.ledger_page(u.id, only_b))} == {"Beta"}
    assert run(services.tokens.ledger_count(u.id, LedgerFilter(transaction_type="CREDIT"))) == 2
    today = datetime.now(UTC).date()
    since, until = local_day_bounds(today, today, "UTC")
    assert run(services.tokens.ledger_count(u.id, LedgerFilter(since=since, until=until))) == 32
    assert run(services.tokens.ledger_count(u.id, LedgerFilter(until=since))) == 0
    with pytest.raises(ValidationError):
        run(services.tokens.ledger_count(u.id, LedgerFilter(transaction_type="REFUND")))

    used_a = sum(100 + i for i in range(30) if i % 3)
    used_b = sum(100 + i for i in range(30) if not i % 3)
    by_project = run(services.tokens.totals_by_project(u.id))
    assert [(t.label, t.tokens, t.operations) for t in by_project] == [("Alpha", used_a, 20), ("Beta", used_b, 10)]
    by_kind = run(services.tokens.totals_by_task_type(u.id))
    assert [(t.key, t.tokens) for t in by_kind] == [("CHAPTER_GENERATION", used_a), ("QA_CHECK", used_b)]
    assert by_kind[0].label == "Chapter draft" and by_kind[0].prompt_tokens == 2000

    days = run(services.tokens.daily_usage(u.id, today.year, today.month))
    assert len(days) == (date(today.year + today.month // 12, today.month % 12 + 1, 1) - today.replace(day=1)).days
    assert days[today.day - 1] == used_a + used_b and sum(days) == used_a + used_b
    assert run(services.tokens.month_used(u.id)) == used_a + used_b
    meter = run(services.tokens.meter(u.id, recent=3))
    assert meter.month_used == used_a + used_b and [e.description for e in meter.recent] == ["gift", "op 29", "op 28"]

    out = io.StringIO()
    assert run(services.tokens.write_csv(u.id, out, only_b)) == 10
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("date,type,amount,balance_after,description,project,task_type,model")
    assert lines[1].split(",")[1:7] == ["DEBIT", str(127), lines[1].split(",")[3], "op 27", "Beta", "QA_CHECK"]
