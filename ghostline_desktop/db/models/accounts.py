"""Users & billing domain: users, billing_plans, token_transactions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ghostline_desktop.core.enums import TransactionType
from ghostline_desktop.db.models.base import Base, CreatedAt, Timestamps, UUIDPk, pg_enum

if TYPE_CHECKING:
    from ghostline_desktop.db.models.exports import Notification
    from ghostline_desktop.db.models.projects import Project


class BillingPlan(UUIDPk, Timestamps, Base):
    __tablename__ = "billing_plans"
    __table_args__ = (
        CheckConstraint("monthly_token_quota >= 0", name="quota_not_negative"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
    )

    name: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    monthly_token_quota: Mapped[int] = mapped_column(Integer)
    price_cents: Mapped[int] = mapped_column(Integer)
    stripe_price_id: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")

    users: Mapped[list[User]] = relationship(back_populates="billing_plan")


class User(UUIDPk, Timestamps, Base):
    __tablename__ = "users"
    # Migration 0004 also adds constraint triggers: the balance equals the ledger's last balance_after.
    __table_args__ = (CheckConstraint("token_balance >= 0", name="token_balance_not_negative"),)

    email: Mapped[str] = mapped_column(String(320), unique=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    cognito_sub: Mapped[str | None] = mapped_column(String(255), unique=True)
    billing_plan_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("billing_plans.id", ondelete="SET NULL"), index=True
    )
    token_balance: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    # A desktop install signs its one local user in without a password.
    is_local: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    quota_period_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    billing_plan: Mapped[BillingPlan | None] = relationship(back_populates="users")
    projects: Mapped[list[Project]] = relationship(
        back_populates="owner", cascade="all, delete-orphan", passive_deletes=True
    )
    token_transactions: Mapped[list[TokenTransaction]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    notifications: Mapped[list[Notification]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class TokenTransaction(UUIDPk, CreatedAt, Base):
    __tablename__ = "token_transactions"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("balance_after >= 0", name="balance_after_not_negative"),
        Index("ix_token_transactions_user_id_seq", "user_id", "seq", unique=True),
    )

    # The per-user order of the ledger (rows are written under the user's row lock, so it follows
    # commit order; created_at is the transaction's start and does not). Append-only: see 0004.
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    transaction_type: Mapped[TransactionType] = mapped_column(pg_enum(TransactionType, "transaction_type"))
    amount: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Ledger rows outlive the project or task they were for: the history of spend stays true.
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    generation_task_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("generation_tasks.id", ondelete="SET NULL"), index=True
    )
    model: Mapped[str | None] = mapped_column(String(200))
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)

    user: Mapped[User] = relationship(back_populates="token_transactions")
