"""The token ledger (issue 9): credits, debits of what the provider reported, the balance invariant.

SKELETON laid by the lead so issue 8 can code against the API; issue 9 fills it in.
"""

from __future__ import annotations

import uuid

from ghostline_desktop.db.database import Database
from ghostline_desktop.services.events import EventBus, UsageEstimate


class TokenService:
    def __init__(self, db: Database, bus: EventBus) -> None:
        self.db = db
        self.bus = bus

    async def check_affordable(self, user_id: uuid.UUID, estimate: int, what: str = "This operation") -> None:
        """Raise InsufficientTokensError when ``estimate`` is more than the balance left."""
        raise NotImplementedError

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
        """Debit what the provider reported, atomically; returns the balance after."""
        raise NotImplementedError

    def publish_estimate(self, user_id: uuid.UUID, job_id: uuid.UUID, tokens: int) -> None:
        """A running stream's estimated tokens so far (0 when it settled): the meter moves live."""
        self.bus.publish(UsageEstimate(user_id, job_id, tokens))
