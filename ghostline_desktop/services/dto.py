"""Plain, frozen results the services return: never live ORM objects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class UserInfo:
    id: uuid.UUID
    username: str
    email: str
    display_name: str | None
    plan_name: str | None
    token_balance: int


@dataclass(frozen=True)
class TokenBalance:
    user_id: uuid.UUID
    balance: int
    monthly_quota: int
    plan_name: str
    plan_display_name: str

    @property
    def fraction_left(self) -> float:
        return 0.0 if self.monthly_quota <= 0 else max(0.0, min(1.0, self.balance / self.monthly_quota))


@dataclass(frozen=True)
class ProjectSummary:
    id: uuid.UUID
    title: str
    genre: str  # enum member name, e.g. "FICTION"
    status: str  # enum member name, e.g. "WRITING"
    target_word_count: int | None
    word_count: int
    chapter_count: int
    source_count: int
    edition: int
    forked_from_project_id: uuid.UUID | None
    forked_from_title: str | None
    created_at: datetime
    updated_at: datetime
    last_opened_at: datetime | None
    archived: bool
