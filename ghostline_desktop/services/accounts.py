"""Accounts: the local user a desktop install signs in as, and its token balance."""

from __future__ import annotations

import getpass
import re
import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import BillingPlan, TokenTransaction, TransactionType, User
from ghostline_desktop.errors import ConflictError, NotFoundError, ValidationError
from ghostline_desktop.services.dto import TokenBalance, UserInfo
from ghostline_desktop.services.events import EventBus
from ghostline_desktop.services.tokens import TokenService

DEFAULT_PLAN = "basic"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _info(user: User, plan: BillingPlan | None) -> UserInfo:
    return UserInfo(
        id=user.id,
        username=user.username,
        email=user.email,
        display_name=user.display_name,
        plan_name=plan.name if plan else None,
        token_balance=user.token_balance,
    )


class AccountService:
    def __init__(self, db: Database, bus: EventBus) -> None:
        self.db = db
        self.bus = bus

    async def create_user(
        self,
        *,
        email: str,
        username: str,
        display_name: str | None = None,
        plan: str = DEFAULT_PLAN,
        local: bool = False,
    ) -> UserInfo:
        """Create a user on ``plan`` and credit the plan's monthly quota as the opening balance."""
        email = email.strip().lower()
        username = username.strip()
        if not _EMAIL.match(email):
            raise ValidationError(f"'{email}' is not an email address.")
        if not username:
            raise ValidationError("A username is required.")
        try:
            async with self.db.session() as s:
                plan_row = (await s.execute(select(BillingPlan).where(BillingPlan.name == plan))).scalar_one_or_none()
                if plan_row is None:
                    raise NotFoundError(f"There is no billing plan called '{plan}'.")
                user = User(
                    email=email,
                    username=username,
                    display_name=display_name,
                    billing_plan_id=plan_row.id,
                    token_balance=plan_row.monthly_token_quota,
                    is_local=local,
                    quota_period_start=datetime.now(UTC),
                )
                s.add(user)
                await s.flush()
                s.add(
                    TokenTransaction(
                        user_id=user.id,
                        transaction_type=TransactionType.CREDIT,
                        amount=plan_row.monthly_token_quota,
                        balance_after=user.token_balance,
                        description=f"{plan_row.display_name} plan: monthly token quota",
                    )
                )
                return _info(user, plan_row)
        except IntegrityError as exc:
            raise ConflictError(f"A user with the email '{email}' or username '{username}' already exists.") from exc

    async def ensure_local_user(self) -> UserInfo:
        """The desktop app's user: created on first run, signed in on every run after."""
        async with self.db.session() as s:
            row = (
                await s.execute(
                    select(User, BillingPlan)
                    .outerjoin(BillingPlan, User.billing_plan_id == BillingPlan.id)
                    .where(User.is_local.is_(True))
                    .order_by(User.created_at)
                    .limit(1)
                )
            ).first()
            info = None
            if row is not None:
                user, plan = row
                user.last_login_at = datetime.now(UTC)
                info = _info(user, plan)
        if info is not None:
            # Signing in is when a new month's quota arrives (the app and every CLI command sign in).
            if await TokenService(self.db, self.bus).ensure_monthly_quota(info.id):
                return await self.get_user(info.id)
            return info
        name = re.sub(r"[^A-Za-z0-9_.-]", "", getpass.getuser()) or "author"
        try:
            return await self.create_user(
                email=f"{name}@localhost", username=name, display_name=name.capitalize(), local=True
            )
        except ConflictError:
            # Another process created it at the same moment: sign in as that one.
            return await self.ensure_local_user()

    async def get_user(self, user_id: uuid.UUID) -> UserInfo:
        async with self.db.session() as s:
            row = (
                await s.execute(
                    select(User, BillingPlan)
                    .outerjoin(BillingPlan, User.billing_plan_id == BillingPlan.id)
                    .where(User.id == user_id)
                )
            ).first()
            if row is None:
                raise NotFoundError("That user does not exist.")
            return _info(*row)

    async def balance(self, user_id: uuid.UUID) -> TokenBalance:
        async with self.db.session() as s:
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
