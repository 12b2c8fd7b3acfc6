"""The token ledger (issue 9): credits, debits of what the provider reported, the balance invariant.

Every change to a balance happens in one transaction that first locks the user's row
(``SELECT … FOR UPDATE``), then appends a ``token_transactions`` row whose ``balance_after`` is
the new balance and updates ``users.token_balance`` to the same number. Two tasks finishing at the
same moment, or two app instances on a shared database, queue on that lock, so no debit is lost.
The database keeps the invariant too (migration 0004): ``token_balance >= 0`` and a deferred
constraint trigger that checks, at commit, that the balance equals the last ``balance_after``.

Usage beyond the balance: the provider has already done the work, so the debit cannot be refused
after the fact. The rule is *debit what is left and record the shortfall*: the DEBIT row's
``amount`` is what was actually taken (so credits minus debits always equals the balance), its
``prompt_tokens``/``completion_tokens`` keep what the provider reported, and the description says
how many tokens were not charged. The balance stops at 0, never below; ``check_affordable``
refuses the next operation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import (
    BillingPlan,
    Notification,
    NotificationChannel,
    NotificationType,
    TokenTransaction,
    TransactionType,
    User,
)
from ghostline_desktop.errors import InsufficientTokensError, NotFoundError, ValidationError
from ghostline_desktop.services.dto import TokenBalance
from ghostline_desktop.services.events import BalanceChanged, EventBus, NotificationsChanged, UsageEstimate
from ghostline_desktop.services.token_ledger_queries import TokenQueries, month_start

#: Fractions of the monthly quota below which the meter changes colour and a LOW_BALANCE
#: notification is written (once per crossing, from above to below).
LOW_THRESHOLDS = (0.20, 0.05)
#: Largest single credit or debit, and the largest balance (the columns are 32-bit integers).
MAX_AMOUNT = 1_000_000_000
MAX_BALANCE = 2**31 - 1


@dataclass(frozen=True)
class _Locked:
    user: User
    quota: int
    plan: BillingPlan | None = None


async def lock_user(s: AsyncSession, user_id: uuid.UUID) -> _Locked:
    """Lock the user's row for the rest of the transaction; every balance change goes through here."""
    row = (
        await s.execute(
            select(User, BillingPlan)
            .outerjoin(BillingPlan, User.billing_plan_id == BillingPlan.id)
            .where(User.id == user_id)
            .with_for_update(of=User)
        )
    ).first()
    if row is None:
        raise NotFoundError("That user does not exist.")
    user, plan = row
    return _Locked(user, plan.monthly_token_quota if plan else 0, plan)


# One statement locks the user's row (the FOR UPDATE subquery: the standard way to read the old
# balance in the same UPDATE), moves the balance and appends the DEBIT row, so the row stays locked
# for one round trip and the commit. A balance of 0 gets a row of 0 that records the shortfall.
_DEBIT_SQL = text(
    "WITH old AS ("
    "  SELECT u.id, u.token_balance AS before, coalesce(p.monthly_token_quota, 0) AS quota FROM users u"
    "  LEFT JOIN billing_plans p ON p.id = u.billing_plan_id WHERE u.id = :u FOR UPDATE OF u"
    "), moved AS ("
    "  UPDATE users SET token_balance = old.before - least(:used, old.before) FROM old WHERE users.id = old.id"
    "  RETURNING old.before, users.token_balance AS after, old.quota"
    "), added AS ("
    "  INSERT INTO token_transactions (user_id, transaction_type, amount, balance_after, description,"
    "  project_id, generation_task_id, model, prompt_tokens, completion_tokens)"
    "  SELECT :u, 'DEBIT', before - after, after,"
    "    CASE WHEN before >= :used THEN :note"
    "    ELSE :note || :short_a || to_char(:used - before, 'FM999,999,999,990') || :short_b END,"
    "    :project, :task, :model, :prompt, :completion FROM moved"
    ") SELECT before, after, quota FROM moved"
)


def crossed_thresholds(before: int, after: int, quota: int) -> list[float]:
    """The low-balance thresholds a change from ``before`` to ``after`` crossed downwards."""
    if quota <= 0:
        return []
    return [t for t in LOW_THRESHOLDS if before >= t * quota > after]


def _low_notification(user_id: uuid.UUID, threshold: float, balance: int, quota: int) -> Notification:
    pct = round(threshold * 100)
    return Notification(
        user_id=user_id,
        notification_type=NotificationType.LOW_TOKEN_BALANCE,
        channel=NotificationChannel.IN_APP,
        title=f"Token balance under {pct}%",
        message=(
            f"{balance:,} of your {quota:,} monthly tokens are left. "
            "Add tokens or change the plan in Tools ▸ Token Usage."
        ),
        is_read=False,
    )


async def apply_change(
    s: AsyncSession,
    locked: _Locked,
    kind: TransactionType,
    amount: int,
    description: str,
    *,
    project_id: uuid.UUID | None = None,
    generation_task_id: uuid.UUID | None = None,
    model: str | None = None,
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
) -> tuple[int, bool]:
    """Append one ledger row and move the locked user's balance; returns (balance after, notified).

    The caller holds the row lock (``lock_user``) and has clamped a DEBIT to the balance."""
    user = locked.user
    before = user.token_balance
    after = before + amount if kind is TransactionType.CREDIT else before - amount
    assert after >= 0, "a debit larger than the balance must be clamped by the caller"
    user.token_balance = after
    s.add(
        TokenTransaction(
            user_id=user.id,
            transaction_type=kind,
            amount=amount,
            balance_after=after,
            description=description,
            project_id=project_id,
            generation_task_id=generation_task_id,
            model=model,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
        )
    )
    notified = False
    if kind is TransactionType.DEBIT:
        # Only the lowest threshold crossed is worth telling: 25% → 3% is one notification.
        crossed = crossed_thresholds(before, after, locked.quota)
        if crossed:
            s.add(_low_notification(user.id, min(crossed), after, locked.quota))
            notified = True
    await s.flush()
    return after, notified


class TokenService(TokenQueries):
    def __init__(self, db: Database, bus: EventBus) -> None:
        self.db = db
        self.bus = bus

    # ---- the contract issue 8 codes against ------------------------------------------------------------------

    async def check_affordable(self, user_id: uuid.UUID, estimate: int, what: str = "This operation") -> None:
        """Raise InsufficientTokensError when ``estimate`` is more than the balance left.

        A check, not a reservation: the real debit is what the provider reports afterwards. It is also
        where a new month's quota arrives when the app stays open across the turn of the month (the
        first AI operation of the month credits it; signing in does otherwise)."""
        async with self.db.session() as s:
            row = (
                await s.execute(select(User.token_balance, User.quota_period_start).where(User.id == user_id))
            ).first()
        if row is None:
            raise NotFoundError("That user does not exist.")
        balance, period = row
        if period is None or period < month_start():
            balance += await self.ensure_monthly_quota(user_id)
        if estimate > balance:
            raise InsufficientTokensError(int(estimate), int(balance), what)

    async def debit_usage(
        self,
        user_id: uuid.UUID,
        *,
        prompt_tokens: int,
        completion_tokens: int,
        model: str | None,
        description: str,
        project_id: uuid.UUID | None = None,
        generation_task_id: uuid.UUID | None = None,
    ) -> int:
        """Debit what the provider reported, atomically; returns the balance after.

        Usage beyond the balance debits what is left (the balance stops at 0) and the description
        records the shortfall; the row keeps the reported prompt/completion tokens. A call that
        reported no tokens writes no row."""
        if prompt_tokens < 0 or completion_tokens < 0:
            raise ValidationError("Token counts cannot be negative.")
        used = prompt_tokens + completion_tokens
        if used > MAX_AMOUNT:
            raise ValidationError(f"{used:,} tokens is more than one operation can use.")
        note = " ".join(description.split()) or "AI usage"
        if used == 0:
            async with self.db.session() as s:
                balance = (await s.execute(select(User.token_balance).where(User.id == user_id))).scalar_one_or_none()
            if balance is None:
                raise NotFoundError("That user does not exist.")
            return int(balance)
        # The hot path (every AI call; tasks finishing at once queue on the row lock) in one SQL
        # statement: the ORM's unit of work kept the row locked about twice as long.
        async with self.db.session() as s:
            row = (
                await s.execute(
                    _DEBIT_SQL,
                    {
                        "u": user_id,
                        "used": used,
                        "note": note,
                        "short_a": f" (used {used:,} tokens; ",
                        "short_b": " beyond the balance were not charged)",
                        "project": project_id,
                        "task": generation_task_id,
                        "model": model,
                        "prompt": prompt_tokens,
                        "completion": completion_tokens,
                    },
                )
            ).first()
            if row is None:
                raise NotFoundError("That user does not exist.")
            before, after, quota = int(row[0]), int(row[1]), int(row[2])
            crossed = crossed_thresholds(before, after, quota)
            if crossed:  # only the lowest threshold crossed is worth telling: 25% → 3% is one notification
                s.add(_low_notification(user_id, min(crossed), after, quota))
        self.bus.publish(BalanceChanged(user_id, after))
        if crossed:
            self.bus.publish(NotificationsChanged(user_id))
        return after

    def publish_estimate(self, user_id: uuid.UUID, job_id: uuid.UUID, tokens: int) -> None:
        """A running stream's estimated tokens so far (0 when it settled): the meter moves live."""
        self.bus.publish(UsageEstimate(user_id, job_id, tokens))

    # ---- credits, the monthly quota, the plan ----------------------------------------------------------------

    async def credit(self, user_id: uuid.UUID, amount: int, description: str) -> int:
        """Add tokens by hand ("Add tokens", ``ghostline tokens credit``); returns the balance after."""
        note = " ".join((description or "").split())
        if not note:
            raise ValidationError("Say what the tokens are for (a note such as 'Top-up for the sequel').")
        if not 0 < amount <= MAX_AMOUNT:
            raise ValidationError(f"Add between 1 and {MAX_AMOUNT:,} tokens at a time.")
        async with self.db.session() as s:
            locked = await lock_user(s, user_id)
            if locked.user.token_balance + amount > MAX_BALANCE:
                raise ValidationError(f"A balance cannot go over {MAX_BALANCE:,} tokens.")
            after, _ = await apply_change(s, locked, TransactionType.CREDIT, amount, note[:2000])
        self.bus.publish(BalanceChanged(user_id, after))
        return after

    async def ensure_monthly_quota(self, user_id: uuid.UUID, *, now: datetime | None = None) -> int:
        """Credit the plan's monthly quota once per (UTC) calendar month; returns what was credited.

        Idempotent and safe with two app instances starting at once: under the user's row lock,
        ``quota_period_start`` says whether this month was credited already. Months the app was not
        opened are not credited retroactively (a budget, not a savings account)."""
        start = month_start(now)
        async with self.db.session() as s:
            locked = await lock_user(s, user_id)
            user = locked.user
            if user.quota_period_start is not None and user.quota_period_start >= start:
                return 0
            user.quota_period_start = start
            amount = min(locked.quota, MAX_BALANCE - user.token_balance)
            if amount <= 0:
                return 0
            name = locked.plan.display_name if locked.plan else "Plan"
            after, _ = await apply_change(
                s, locked, TransactionType.CREDIT, amount, f"{name} plan: monthly token quota for {start:%B %Y}"
            )
            s.add(
                Notification(
                    user_id=user_id,
                    notification_type=NotificationType.QUOTA_RESET,
                    channel=NotificationChannel.IN_APP,
                    title=f"{amount:,} tokens for {start:%B}",
                    message=f"Your {name} plan's monthly quota was added; the balance is {after:,} tokens.",
                    is_read=False,
                )
            )
        self.bus.publish(BalanceChanged(user_id, after))
        self.bus.publish(NotificationsChanged(user_id))
        return amount

    async def change_plan(self, user_id: uuid.UUID, plan_name: str) -> TokenBalance:
        """Switch the user's plan (their monthly budget). A larger quota credits the difference now,
        so the raise is usable this month; a smaller one takes nothing away (it applies from next month)."""
        async with self.db.session() as s:
            plan = (
                await s.execute(select(BillingPlan).where(BillingPlan.name == plan_name, BillingPlan.is_active))
            ).scalar_one_or_none()
            if plan is None:
                raise NotFoundError(f"There is no billing plan called '{plan_name}'.")
            locked = await lock_user(s, user_id)
            after = locked.user.token_balance
            if locked.plan is None or locked.plan.id != plan.id:
                old_name = locked.plan.display_name if locked.plan else "no plan"
                locked.user.billing_plan_id = plan.id
                raise_by = min(plan.monthly_token_quota - locked.quota, MAX_BALANCE - after)
                if raise_by > 0:
                    after, _ = await apply_change(
                        s,
                        locked,
                        TransactionType.CREDIT,
                        raise_by,
                        f"Plan changed from {old_name} to {plan.display_name}: the larger quota for this month",
                    )
            result = TokenBalance(user_id, after, plan.monthly_token_quota, plan.name, plan.display_name)
        self.bus.publish(BalanceChanged(user_id, after))
        return result
