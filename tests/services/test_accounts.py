"""AccountService: the local desktop user, accounts and the opening token balance."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from ghostline_desktop.db.models import TokenTransaction, TransactionType
from ghostline_desktop.errors import ConflictError, NotFoundError, ValidationError
from ghostline_desktop.services.container import Services


def test_local_user_is_created_once(services: Services, run: Any) -> None:
    first = run(services.accounts.ensure_local_user())
    again = run(services.accounts.ensure_local_user())
    assert again.id == first.id
    assert first.plan_name == "basic" and first.token_balance > 0
    assert first.email.endswith("@localhost")


def test_new_user_gets_plan_quota_and_ledger_entry(services: Services, run: Any) -> None:
    u = run(services.accounts.create_user(email=" Pat@Example.COM ", username=" pat ", plan="premium"))
    assert (u.email, u.username, u.plan_name) == ("pat@example.com", "pat", "premium")
    bal = run(services.accounts.balance(u.id))
    assert bal.balance == bal.monthly_quota == u.token_balance == 1_000_000
    assert bal.fraction_left == 1.0 and bal.plan_display_name == "Premium"
    assert run(services.accounts.get_user(u.id)) == u

    async def ledger() -> list[tuple[TransactionType, int, int]]:
        async with services.db.session() as s:
            rows = await s.execute(
                select(
                    TokenTransaction.transaction_type, TokenTransaction.amount, TokenTransaction.balance_after
                ).where(TokenTransaction.user_id == u.id)
            )
            return [tuple(r) for r in rows.all()]

    assert run(ledger()) == [(TransactionType.CREDIT, 1_000_000, 1_000_000)]


@pytest.mark.parametrize(
    ("email", "username", "error"),
    [
        ("not-an-email", "x1", ValidationError),
        ("a b@c.d", "x2", ValidationError),
        ("ok@example.com", "   ", ValidationError),
    ],
)
def test_create_user_validation(services: Services, run: Any, email: str, username: str, error: type) -> None:
    with pytest.raises(error):
        run(services.accounts.create_user(email=email, username=username))


def test_unknown_plan(services: Services, run: Any) -> None:
    with pytest.raises(NotFoundError, match="gold"):
        run(services.accounts.create_user(email="g@example.com", username="gold-user", plan="gold"))


def test_conflict_leaves_no_partial_rows(services: Services, run: Any) -> None:
    async def ledger_rows() -> int:
        async with services.db.session() as s:
            return int((await s.execute(select(func.count()).select_from(TokenTransaction))).scalar_one())

    run(services.accounts.create_user(email="solo@example.com", username="solo"))
    before = run(ledger_rows())
    with pytest.raises(ConflictError):
        run(services.accounts.create_user(email="solo@example.com", username="solo-2"))
    assert run(ledger_rows()) == before  # the failed attempt's opening credit rolled back with it


def test_missing_user(services: Services, run: Any) -> None:
    with pytest.raises(NotFoundError):
        run(services.accounts.get_user(uuid.uuid4()))
    with pytest.raises(NotFoundError):
        run(services.accounts.balance(uuid.uuid4()))
