"""Run Alembic migrations from code: the only way the schema is created or changed.

Alembic is synchronous, so these functions take a URL and open their own sync
psycopg connection; async callers run them with ``asyncio.to_thread``.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool
from sqlalchemy.exc import DBAPIError, OperationalError

from ghostline_desktop.config import normalize_database_url
from ghostline_desktop.db.probe import MIGRATIONS_DIR, head_revision  # noqa: F401  (re-exported)
from ghostline_desktop.errors import DatabaseError, DatabaseUnavailableError, MissingExtensionError


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@dataclass(frozen=True)
class MigrationStatus:
    current: str | None
    head: str
    pending: tuple[str, ...]

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _check_known(current: str | None, script: ScriptDirectory) -> None:
    """A revision this GhostLine has no script for means a newer GhostLine migrated the
    database; say so instead of letting Alembic's resolution error escape."""
    if current is None:
        return
    try:
        known = script.get_revision(current) is not None
    except Exception:  # alembic raises ResolutionError / CommandError subclasses here
        known = False
    if not known:
        raise DatabaseError(
            f"The database was upgraded by a newer GhostLine (schema revision '{current}'; this version "
            f"knows up to '{heads()}'). Update GhostLine, or point it at another database."
        )


def _run(url: str, fn_name: str, revision: str) -> None:
    engine = create_engine(normalize_database_url(url), poolclass=pool.NullPool)
    try:
        with engine.begin() as conn:
            # Processes starting at once on a fresh database (several CLI commands, two app instances)
            # migrate one after another: the others then find the schema at head and do nothing.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('ghostline-migrate'))")
            _check_known(
                MigrationContext.configure(conn).get_current_revision(), ScriptDirectory.from_config(_config())
            )
            cfg = _config()
            cfg.attributes["connection"] = conn
            getattr(command, fn_name)(cfg, revision)
    except OperationalError as exc:
        raise DatabaseUnavailableError(f"Could not reach the database to migrate it: {exc.orig}") from exc
    except DBAPIError as exc:
        msg = str(exc.orig)
        if "vector" in msg and ("extension" in msg or "control file" in msg):
            from ghostline_desktop.db.probe import PGVECTOR_HINT

            raise MissingExtensionError(f"The database has no 'vector' extension. {PGVECTOR_HINT}") from exc
        raise
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    _run(url, "upgrade", revision)


def downgrade(url: str, revision: str) -> None:
    _run(url, "downgrade", revision)


def heads() -> str:
    script = ScriptDirectory.from_config(_config())
    head = script.get_current_head()
    assert head is not None
    return head


def status(url: str) -> MigrationStatus:
    script = ScriptDirectory.from_config(_config())
    engine = create_engine(normalize_database_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        raise DatabaseUnavailableError(f"Could not reach the database: {exc.orig}") from exc
    finally:
        engine.dispose()
    _check_known(current, script)
    head = heads()
    pending = tuple(
        rev.revision for rev in script.iterate_revisions(head, current or "base") if rev.revision != current
    )
    return MigrationStatus(current=current, head=head, pending=tuple(reversed(pending)))
