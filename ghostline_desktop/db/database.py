"""The async engine and its sessions: the one object the services use to reach PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from ghostline_desktop.config import normalize_database_url

CONNECT_TIMEOUT_S = 10
POOL_TIMEOUT_S = 30
STATEMENT_TIMEOUT_MS = 120_000
LOCK_TIMEOUT_MS = 30_000


class Database:
    """Owns the async engine; hands out one short session per operation."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 5,
        echo: bool = False,
        connect_timeout: int = CONNECT_TIMEOUT_S,
        statement_timeout_ms: int = STATEMENT_TIMEOUT_MS,
    ) -> None:
        self.url = normalize_database_url(url)
        # No wait is unbounded: a dead server fails the connect within seconds, a runaway
        # statement is cancelled by the server, and a full pool fails instead of hanging.
        self.engine: AsyncEngine = create_async_engine(
            self.url,
            pool_size=pool_size,
            max_overflow=5,
            pool_pre_ping=True,
            pool_timeout=POOL_TIMEOUT_S,
            echo=echo,
            connect_args={
                "connect_timeout": connect_timeout,
                "options": f"-c statement_timeout={int(statement_timeout_ms)} -c lock_timeout={LOCK_TIMEOUT_MS}",
            },
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.asynccontextmanager
    async def session(self, *, durable: bool = True) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on error.

        ``durable=False`` commits without waiting for the WAL flush: for bookkeeping that crash
        recovery re-derives anyway (job rows, ingestion steps). An app crash loses nothing
        either way (the server outlives the app); only a server or OS crash can drop the last
        few hundred milliseconds of such commits."""
        async with self.sessionmaker() as session, session.begin():
            if not durable:
                await session.execute(text("SET LOCAL synchronous_commit = off"))
            yield session

    @property
    def safe_url(self) -> str:
        """The URL with any password masked, for messages and logs."""
        return self.engine.url.render_as_string(hide_password=True)

    async def dispose(self) -> None:
        await self.engine.dispose()
