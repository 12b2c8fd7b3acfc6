"""Concurrent debits from several connections (separate engines, as two app instances on a shared
database would be): no debit is lost, the balance never goes below zero, the invariants hold."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from sqlalchemy import func, select

from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import TokenTransaction, TransactionType
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import EventBus
from ghostline_desktop.services.tokens import TokenService
from tests.services.token_support import assert_ledger_consistent, new_user

CONNECTIONS = 4


async def _hammer(db_url: str, user_id: Any, sizes: list[list[int]]) -> list[int]:
    dbs = [Database(db_url, pool_size=1) for _ in range(CONNECTIONS)]
    try:
        services = [TokenService(db, EventBus()) for db in dbs]

        async def worker(svc: TokenService, mine: list[int]) -> list[int]:
            out = []
            for n in mine:
                out.append(
                    await svc.debit_usage(
                        user_id, prompt_tokens=n, completion_tokens=1, model="m", description="concurrent"
                    )
                )
            return out

        results = await asyncio.gather(*(worker(svc, mine) for svc, mine in zip(services, sizes, strict=True)))
        return [b for r in results for b in r]
    finally:
        for db in dbs:
            await db.dispose()


async def _debits(services: Services, user_id: Any) -> tuple[int, int]:
    async with services.db.session() as s:
        row = (
            await s.execute(
                select(func.count(), func.coalesce(func.sum(TokenTransaction.amount), 0)).where(
                    TokenTransaction.user_id == user_id, TokenTransaction.transaction_type == TransactionType.DEBIT
                )
            )
        ).one()
    return int(row[0]), int(row[1])


def test_concurrent_debits_lose_nothing(services: Services, db_url: str, run: Any) -> None:
    u = run(new_user(services, "premium"))  # 1,000,000: every debit is covered
    rng = random.Random(9)
    sizes = [[rng.randint(1, 500) for _ in range(40)] for _ in range(CONNECTIONS)]
    balances = run(_hammer(db_url, u.id, sizes))
    used = sum(n + 1 for mine in sizes for n in mine)
    assert len(set(balances)) == len(balances)  # each debit saw the one before it
    assert run(assert_ledger_consistent(services, u.id)) == 1_000_000 - used == min(balances)
    assert run(_debits(services, u.id)) == (CONNECTIONS * 40, used)


def test_concurrent_debits_past_the_balance_stop_at_zero(services: Services, db_url: str, run: Any) -> None:
    u = run(new_user(services, "basic"))  # 100,000 against ~4 × 30 × 1,500 = 180,000 of usage
    rng = random.Random(4)
    sizes = [[rng.randint(1000, 2000) for _ in range(30)] for _ in range(CONNECTIONS)]
    balances = run(_hammer(db_url, u.id, sizes))
    assert min(balances) == 0
    assert run(assert_ledger_consistent(services, u.id)) == 0
    count, debited = run(_debits(services, u.id))
    assert count == CONNECTIONS * 30  # every call has its row, the ones past the balance for 0
    assert debited == 100_000  # exactly what there was: nothing lost, nothing beyond
