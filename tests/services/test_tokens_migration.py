"""Migration 0004 over a database written before the ledger rules: mismatched users are reconciled,
and debits work after the upgrade; downgrading to 0003 and back keeps the ledger."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from ghostline_desktop.db import migrate
from ghostline_desktop.db.database import Database
from ghostline_desktop.services.events import EventBus
from ghostline_desktop.services.tokens import TokenService


@pytest.fixture
def url_at_0003(pg: Any) -> Iterator[str]:
    name = pg.create_database(template=None)
    url = pg.url(name)
    migrate.upgrade(url, "0003")
    yield url
    pg.drop_database(name)


def _sql(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def test_upgrade_reconciles_and_debits_follow(url_at_0003: str) -> None:
    ok, off = uuid.uuid4(), uuid.uuid4()
    with _sql(url_at_0003) as c:
        for uid, balance in ((ok, 100), (off, 70)):
            c.execute(
                "INSERT INTO users (id, email, username, token_balance) VALUES (%s, %s, %s, %s)",
                (uid, f"{uid.hex[:8]}@x.org", uid.hex[:8], balance),
            )
            c.execute(
                "INSERT INTO token_transactions (user_id, transaction_type, amount, balance_after) "
                "VALUES (%s, 'CREDIT', 100, 100)",
                (uid,),
            )
    migrate.upgrade(url_at_0003)
    with _sql(url_at_0003) as c:
        rows = c.execute(
            "SELECT user_id, transaction_type::text, amount, balance_after FROM token_transactions ORDER BY seq"
        ).fetchall()
    assert [r[1:] for r in rows if r[0] == ok] == [("CREDIT", 100, 100)]
    assert [r[1:] for r in rows if r[0] == off] == [("CREDIT", 100, 100), ("DEBIT", 30, 70)]

    async def debit() -> tuple[int, int]:
        db = Database(url_at_0003, pool_size=1)
        try:
            svc = TokenService(db, EventBus())
            a = await svc.debit_usage(ok, prompt_tokens=10, completion_tokens=0, model=None, description="after")
            b = await svc.debit_usage(off, prompt_tokens=10, completion_tokens=0, model=None, description="after")
            return a, b
        finally:
            await db.dispose()

    assert asyncio.run(debit()) == (90, 60)
    migrate.downgrade(url_at_0003, "0003")
    migrate.upgrade(url_at_0003)
    with _sql(url_at_0003) as c:
        assert c.execute("SELECT count(*) FROM token_transactions").fetchone() == (5,)  # nothing added twice
