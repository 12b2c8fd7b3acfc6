"""TokenService: debits of reported usage, refusal when unaffordable, the ledger invariants."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from ghostline_desktop.db.models import Notification, NotificationType, TokenTransaction, TransactionType
from ghostline_desktop.errors import InsufficientTokensError, NotFoundError, ValidationError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import BalanceChanged, NotificationsChanged
from tests.services.token_support import assert_ledger_consistent, new_user


def test_debit_usage_writes_a_debit_row_and_publishes(services: Services, run: Any) -> None:
    u = run(new_user(services, "premium"))
    seen: list[object] = []
    unsub = services.bus.subscribe(seen.append)
    try:
        after = run(
            services.tokens.debit_usage(
                u.id, prompt_tokens=1200, completion_tokens=345, model="gpt-4o-mini", description="Draft chapter 3"
            )
        )
    finally:
        unsub()
    assert after == 1_000_000 - 1545
    assert BalanceChanged(u.id, after) in seen

    async def last() -> TokenTransaction:
        async with services.db.session() as s:
            q = select(TokenTransaction).where(TokenTransaction.user_id == u.id)
            return (await s.execute(q.order_by(TokenTransaction.created_at.desc()).limit(1))).scalar_one()

    row = run(last())
    assert (row.transaction_type, row.amount, row.balance_after) == (TransactionType.DEBIT, 1545, after)
    assert (row.prompt_tokens, row.completion_tokens, row.model) == (1200, 345, "gpt-4o-mini")
    assert row.description == "Draft chapter 3"
    run(assert_ledger_consistent(services, u.id))


def test_usage_beyond_the_balance_debits_what_is_left(services: Services, run: Any) -> None:
    u = run(new_user(services, "basic"))  # 100,000
    run(services.tokens.debit_usage(u.id, prompt_tokens=90_000, completion_tokens=0, model="m", description="a"))
    after = run(
        services.tokens.debit_usage(u.id, prompt_tokens=8_000, completion_tokens=4_000, model="m", description="b")
    )
    assert after == 0

    async def rows() -> list[tuple[int, int, str, int | None, int | None]]:
        async with services.db.session() as s:
            q = select(
                TokenTransaction.amount,
                TokenTransaction.balance_after,
                TokenTransaction.description,
                TokenTransaction.prompt_tokens,
                TokenTransaction.completion_tokens,
            ).where(TokenTransaction.user_id == u.id, TokenTransaction.transaction_type == TransactionType.DEBIT)
            return [tuple(r) for r in (await s.execute(q.order_by(TokenTransaction.balance_after.desc()))).all()]

    last = run(rows())[-1]
    assert last[:2] == (10_000, 0)
    assert last[3:] == (8_000, 4_000)  # what the provider reported stays on record
    assert "2,000 beyond the balance were not charged" in last[2]
    # An empty balance stays at 0; nothing more is written for usage it cannot cover.
    assert run(services.tokens.debit_usage(u.id, prompt_tokens=5, completion_tokens=5, model="m", description="c")) == 0
    run(assert_ledger_consistent(services, u.id))


def test_zero_usage_writes_nothing_and_negative_is_refused(services: Services, run: Any) -> None:
    u = run(new_user(services, "basic"))
    assert run(
        services.tokens.debit_usage(u.id, prompt_tokens=0, completion_tokens=0, model=None, description="x")
    ) == (100_000)
    with pytest.raises(ValidationError):
        run(services.tokens.debit_usage(u.id, prompt_tokens=-1, completion_tokens=0, model=None, description="x"))
    with pytest.raises(NotFoundError):
        run(
            services.tokens.debit_usage(uuid.uuid4(), prompt_tokens=1, completion_tokens=0, model=None, description="x")
        )


def test_check_affordable(services: Services, run: Any) -> None:
    u = run(new_user(services, "basic"))
    run(services.tokens.check_affordable(u.id, 100_000, "Drafting"))
    with pytest.raises(InsufficientTokensError) as info:
        run(services.tokens.check_affordable(u.id, 150_000, "Drafting chapter 2"))
    assert (info.value.needed, info.value.left) == (150_000, 100_000)
    assert "Drafting chapter 2 needs about 150,000 tokens but only 100,000 are left" in str(info.value)
    with pytest.raises(NotFoundError):
        run(services.tokens.check_affordable(uuid.uuid4(), 1))


def test_low_balance_notified_once_per_crossing(services: Services, run: Any) -> None:
    u = run(new_user(services, "basic"))
    seen: list[object] = []
    unsub = services.bus.subscribe(seen.append)

    def debit(n: int) -> int:
        return int(
            run(services.tokens.debit_usage(u.id, prompt_tokens=n, completion_tokens=0, model="m", description="d"))
        )

    try:
        debit(70_000)  # 30% left: nothing
        debit(11_000)  # 19%: crossed 20%
        debit(1_000)  # 18%: no new crossing
        debit(14_000)  # 4%: crossed 5%
    finally:
        unsub()

    async def titles() -> list[str]:
        async with services.db.session() as s:
            q = select(Notification.title).where(
                Notification.user_id == u.id, Notification.notification_type == NotificationType.LOW_TOKEN_BALANCE
            )
            return list((await s.execute(q.order_by(Notification.created_at))).scalars())

    assert run(titles()) == ["Token balance under 20%", "Token balance under 5%"]
    assert sum(isinstance(e, NotificationsChanged) for e in seen) == 2


# ---- what the database itself refuses (migration 0004) -------------------------------------------------------------


def _sql_fails(services: Services, run: Any, sql: str, **params: object) -> str:
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    async def go() -> None:
        async with services.db.session() as s:
            for statement in sql.split("; "):
                await s.execute(text(statement), params)

    with pytest.raises(IntegrityError) as info:
        run(go())
    return str(info.value.orig)


def test_database_refuses_a_balance_without_its_ledger_row(services: Services, run: Any) -> None:
    u = run(new_user(services))
    assert "differs from the ledger" in _sql_fails(
        services, run, "UPDATE users SET token_balance = token_balance + 5 WHERE id = :u", u=u.id
    )
    assert "token_balance_not_negative" in _sql_fails(
        services, run, "UPDATE users SET token_balance = -1 WHERE id = :u", u=u.id
    )


def test_database_refuses_a_row_that_does_not_follow(services: Services, run: Any) -> None:
    u = run(new_user(services))
    # Right chain, but the balance was not moved.
    assert "differs from the ledger" in _sql_fails(
        services,
        run,
        "INSERT INTO token_transactions (user_id, transaction_type, amount, balance_after) "
        "VALUES (:u, 'DEBIT', 10, 99990)",
        u=u.id,
    )
    # Balance moved, but the row's arithmetic is wrong.
    assert "does not follow" in _sql_fails(
        services,
        run,
        "UPDATE users SET token_balance = 99000 WHERE id = :u; "
        "INSERT INTO token_transactions (user_id, transaction_type, amount, balance_after) "
        "VALUES (:u, 'DEBIT', 10, 99000)",
        u=u.id,
    )
    run(assert_ledger_consistent(services, u.id))


def test_ledger_is_append_only_but_goes_with_its_user(services: Services, run: Any) -> None:
    from sqlalchemy import text

    u = run(new_user(services))
    assert "append-only" in _sql_fails(
        services, run, "UPDATE token_transactions SET amount = 1 WHERE user_id = :u", u=u.id
    )
    assert "append-only" in _sql_fails(services, run, "DELETE FROM token_transactions WHERE user_id = :u", u=u.id)

    async def delete_user() -> int:
        async with services.db.session() as s:
            await s.execute(text("DELETE FROM users WHERE id = :u"), {"u": u.id})
        async with services.db.session() as s:
            q = text("SELECT count(*) FROM token_transactions WHERE user_id = :u")
            return int((await s.execute(q, {"u": u.id})).scalar_one())

    assert run(delete_user()) == 0
