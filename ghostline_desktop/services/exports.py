"""Exporting the manuscript as EXPORT jobs (issue 12).

SKELETON laid by the lead; issue 12 fills it in.
"""

from __future__ import annotations

from ghostline_desktop.db.database import Database
from ghostline_desktop.runtime.jobs import JobRunner
from ghostline_desktop.services.events import EventBus
from ghostline_desktop.services.notifications import NotificationService
from ghostline_desktop.services.qa import QAService
from ghostline_desktop.storage.local import LocalStore


class ExportService:
    def __init__(
        self,
        db: Database,
        bus: EventBus,
        store: LocalStore,
        runner: JobRunner,
        *,
        qa: QAService,
        notifications: NotificationService,
    ) -> None:
        self.db = db
        self.bus = bus
        self.store = store
        self.runner = runner
        self.qa = qa
        self.notifications = notifications
