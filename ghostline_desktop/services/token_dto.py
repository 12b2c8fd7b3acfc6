"""What the token ledger's queries return (services/token_ledger_queries.py), in a module free of
SQLAlchemy so the UI can import it on the GUI thread. Enum values travel as member *names*."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ghostline_desktop.services.dto import TokenBalance


@dataclass(frozen=True)
class LedgerFilter:
    """Which ledger rows to show; every field optional. ``until`` is exclusive."""

    project_id: uuid.UUID | None = None
    transaction_type: str | None = None  # "CREDIT" | "DEBIT"
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class LedgerEntry:
    id: uuid.UUID
    seq: int
    created_at: datetime
    transaction_type: str  # CREDIT | DEBIT
    amount: int
    balance_after: int
    description: str
    project_id: uuid.UUID | None
    project_title: str | None
    generation_task_id: uuid.UUID | None
    task_type: str | None  # a TaskType member name
    model: str | None
    prompt_tokens: int | None
    completion_tokens: int | None

    @property
    def signed_amount(self) -> int:
        return self.amount if self.transaction_type == "CREDIT" else -self.amount


@dataclass(frozen=True)
class UsageTotal:
    """Tokens debited for one project or one task type (``key`` None: none / other)."""

    key: str | None
    label: str
    tokens: int
    operations: int
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class PlanInfo:
    name: str
    display_name: str
    monthly_quota: int
    price_cents: int


@dataclass(frozen=True)
class MeterInfo:
    """What the status-bar meter shows: the balance, this month's use, the last operations."""

    balance: TokenBalance
    month_used: int
    recent: list[LedgerEntry] = field(default_factory=list)


@dataclass(frozen=True)
class UsageOverview:
    """What the usage dialog needs to open: the header and the ledger's first page (cheap at any size)."""

    balance: TokenBalance
    plans: list[PlanInfo]
    projects: list[tuple[uuid.UUID, str]]
    first_page: list[LedgerEntry]
    page_size: int


@dataclass(frozen=True)
class UsageTotals:
    """What the dialog fills in next: counts and sums that scan the (filtered) ledger."""

    total_rows: int
    month_used: int
    by_project: list[UsageTotal]
    by_task_type: list[UsageTotal]
    year: int
    month: int
    days: list[int]


def local_day_bounds(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in zone ``tz``: the date filters' inclusive days as instants."""
    zone = ZoneInfo(tz)
    return (
        datetime(start.year, start.month, start.day, tzinfo=zone),
        datetime(end.year, end.month, end.day, tzinfo=zone) + timedelta(days=1),
    )
