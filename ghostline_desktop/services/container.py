"""The set of services one app (or CLI run) uses, built over one Database and one bus."""

from __future__ import annotations

from dataclasses import dataclass

from ghostline_desktop.db.database import Database
from ghostline_desktop.services.accounts import AccountService
from ghostline_desktop.services.chapters import ChapterService
from ghostline_desktop.services.demo import DemoService
from ghostline_desktop.services.events import EventBus
from ghostline_desktop.services.library import SourceService
from ghostline_desktop.services.notifications import NotificationService
from ghostline_desktop.services.outline import OutlineService
from ghostline_desktop.services.projects import ProjectService
from ghostline_desktop.services.qa import QAService
from ghostline_desktop.storage.local import LocalStore


@dataclass
class Services:
    db: Database
    bus: EventBus
    store: LocalStore
    accounts: AccountService
    projects: ProjectService
    sources: SourceService
    outline: OutlineService
    chapters: ChapterService
    qa: QAService
    notifications: NotificationService
    demo: DemoService

    @classmethod
    def build(cls, db: Database, store: LocalStore, bus: EventBus | None = None) -> Services:
        bus = bus or EventBus()
        projects = ProjectService(db, bus, store)
        sources = SourceService(db, bus, store)
        outline = OutlineService(db, bus)
        chapters = ChapterService(db, bus)
        qa = QAService(db, bus)
        notifications = NotificationService(db, bus)
        return cls(
            db=db,
            bus=bus,
            store=store,
            accounts=AccountService(db, bus),
            projects=projects,
            sources=sources,
            outline=outline,
            chapters=chapters,
            qa=qa,
            notifications=notifications,
            demo=DemoService(projects, outline, chapters, sources, qa, notifications),
        )

    async def close(self) -> None:
        await self.db.dispose()
