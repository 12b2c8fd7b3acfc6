"""Bring a database to a usable state: start the embedded server (or check the external
one), then migrate to head. Blocking by design: async callers use ``asyncio.to_thread``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import create_engine, pool, text
from sqlalchemy.exc import DBAPIError, OperationalError

from ghostline_desktop.config import Settings
from ghostline_desktop.db import migrate
from ghostline_desktop.db.database import PGVECTOR_HINT
from ghostline_desktop.db.embedded import EmbeddedServer
from ghostline_desktop.errors import DatabaseUnavailableError, MissingExtensionError

log = logging.getLogger(__name__)


@dataclass
class PreparedDatabase:
    url: str
    embedded: EmbeddedServer | None

    def release(self) -> None:
        """Let go of the embedded server (stopped if no other GhostLine uses it)."""
        if self.embedded is not None:
            self.embedded.stop()


def check_vector_available(url: str) -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM pg_extension WHERE extname = 'vector') + "
                    "(SELECT count(*) FROM pg_available_extensions WHERE name = 'vector')"
                )
            ).scalar_one()
    except (OperationalError, DBAPIError) as exc:
        raise DatabaseUnavailableError(
            f"Could not connect to the database at {engine.url.render_as_string(hide_password=True)}: {exc.orig}"
        ) from exc
    finally:
        engine.dispose()
    if not found:
        raise MissingExtensionError(f"The database server has no 'vector' extension. {PGVECTOR_HINT}")


def prepare_database(settings: Settings, *, run_migrations: bool = True) -> PreparedDatabase:
    embedded: EmbeddedServer | None = None
    if settings.database_url:
        url = settings.database_url
    else:
        embedded = EmbeddedServer(settings.data_dir)
        url = embedded.start()
    try:
        check_vector_available(url)
        if run_migrations:
            migrate.upgrade(url)
    except Exception:
        if embedded is not None:
            embedded.stop()
        raise
    return PreparedDatabase(url=url, embedded=embedded)
