"""The async engine and its sessions: the one object the services use to reach PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from ghostline_desktop.config import normalize_database_url


class Database:
    """Owns the async engine; hands out one short session per operation."""

    def __init__(self, url: str, *, pool_size: int = 5, echo: bool = False) -> None:
        self.url = normalize_database_url(url)
        self.engine: AsyncEngine = create_async_engine(
            self.url, pool_size=pool_size, max_overflow=5, pool_pre_ping=True, echo=echo
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on error."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    @property
    def safe_url(self) -> str:
        """The URL with any password masked, for messages and logs."""
        return self.engine.url.render_as_string(hide_password=True)

    async def dispose(self) -> None:
        await self.engine.dispose()
