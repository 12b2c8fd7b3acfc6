"""The set of services one app (or CLI run) uses, built over one Database and one bus."""

from __future__ import annotations

from dataclasses import dataclass

from ghostline_desktop.db.database import Database
from ghostline_desktop.services.accounts import AccountService
from ghostline_desktop.services.events import EventBus
from ghostline_desktop.services.projects import ProjectService
from ghostline_desktop.storage.local import LocalStore


@dataclass
class Services:
    db: Database
    bus: EventBus
    store: LocalStore
    accounts: AccountService
    projects: ProjectService

    @classmethod
    def build(cls, db: Database, store: LocalStore, bus: EventBus | None = None) -> Services:
        bus = bus or EventBus()
        return cls(
            db=db,
            bus=bus,
            store=store,
            accounts=AccountService(db, bus),
            projects=ProjectService(db, bus, store),
        )

    async def close(self) -> None:
        await self.db.dispose()
