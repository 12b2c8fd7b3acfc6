"""Bring a database to a usable state: start the embedded server (or check the external
one), then migrate to head. Blocking by design: async callers use ``asyncio.to_thread``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ghostline_desktop.config import Settings
from ghostline_desktop.db.embedded import EmbeddedServer
from ghostline_desktop.db.probe import PGVECTOR_HINT, probe
from ghostline_desktop.errors import MissingExtensionError

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
    """Raise a readable error when the server cannot provide pgvector at all."""
    result = probe(url)
    if not (result.vector_installed or result.vector_available):
        raise MissingExtensionError(f"The database server has no 'vector' extension. {PGVECTOR_HINT}")


def prepare_database(settings: Settings, *, run_migrations: bool = True) -> PreparedDatabase:
    """Start or reach the server, check pgvector, migrate to head when behind.

    A database already at head costs one connection and two small queries; Alembic is
    imported only when there is something to migrate.
    """
    embedded: EmbeddedServer | None = None
    if settings.database_url:
        from ghostline_desktop import secrets

        # The file keeps the URL without its password; the keyring has it (a blocking call: we
        # are off the GUI thread here). An environment URL is used as given, never stored.
        url = secrets.resolve_database_url(settings.database_url, keep=not settings.database_url_from_env)
    else:
        embedded = EmbeddedServer(settings.data_dir)
        url = embedded.start()
    try:
        state = probe(url)
        if not (state.vector_installed or state.vector_available):
            raise MissingExtensionError(f"The database server has no 'vector' extension. {PGVECTOR_HINT}")
        if run_migrations and not (state.at_head and state.vector_installed):
            from ghostline_desktop.db import migrate

            migrate.upgrade(url)
    except Exception:
        if embedded is not None:
            embedded.stop()
        raise
    return PreparedDatabase(url=url, embedded=embedded)
