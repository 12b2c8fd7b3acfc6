"""Voice profiles and similarity scores (issue 10).

SKELETON laid by the lead so issue 8 can code against ``sample_text``; issue 10 fills it in.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import VoiceProfile
from ghostline_desktop.runtime.jobs import JobRunner
from ghostline_desktop.services.events import EventBus


class VoiceService:
    def __init__(self, db: Database, bus: EventBus, runner: JobRunner) -> None:
        self.db = db
        self.bus = bus
        self.runner = runner

    async def sample_text(self, project_id: uuid.UUID) -> str | None:
        """The profile's sample of the author's own writing (the generation agents steer by it)."""
        async with self.db.session() as s:
            text = (
                await s.execute(select(VoiceProfile.sample_text).where(VoiceProfile.project_id == project_id))
            ).scalar_one_or_none()
        return text or None
