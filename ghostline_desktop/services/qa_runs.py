"""Running the QA checks as QA_CHECK jobs and reconciling their findings (issue 11).

SKELETON laid by the lead; issue 11 fills it in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ghostline_desktop.db.database import Database
from ghostline_desktop.runtime.jobs import JobRunner
from ghostline_desktop.services.events import EventBus
from ghostline_desktop.services.qa import QAService

if TYPE_CHECKING:
    from ghostline_desktop.ai.provider import Provider
    from ghostline_desktop.services.notifications import NotificationService
    from ghostline_desktop.services.tokens import TokenService


class QARunService:
    def __init__(
        self,
        db: Database,
        bus: EventBus,
        runner: JobRunner,
        qa: QAService,
        *,
        notifications: NotificationService,
        tokens: TokenService,
        provider: Provider | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self.runner = runner
        self.qa = qa
        self.notifications = notifications
        self.tokens = tokens
        self.provider = provider

    def configure(self, provider: Provider | None) -> None:
        self.provider = provider
