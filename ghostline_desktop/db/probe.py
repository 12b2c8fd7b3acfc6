"""Cheap start-up checks over plain psycopg: is pgvector there, and is the schema at head.

A warm start of the app runs only these (one connection, two queries) instead of
importing SQLAlchemy's sync engine and Alembic, which together cost ~0.4 s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ghostline_desktop.errors import DatabaseError, DatabaseUnavailableError

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

PGVECTOR_HINT = (
    "GhostLine needs the pgvector extension on this PostgreSQL server. Install it "
    "(Debian/Ubuntu: apt install postgresql-<version>-pgvector; macOS: brew install pgvector; "
    "or use the pgvector/pgvector Docker image) and make sure the database user may run "
    "CREATE EXTENSION vector, or leave GHOSTLINE_DATABASE_URL unset to use the built-in database."
)

_REVISION = re.compile(r"""^revision(?:: str)? = ["']([^"']+)["']""", re.M)
_DOWN_REVISION = re.compile(r"""^down_revision(?:: [^=]+)? = ["']([^"']+)["']""", re.M)


@cache
def head_revision() -> str:
    """The newest migration's id, read from the scripts' text (no Alembic import)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in MIGRATIONS_DIR.joinpath("versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        if m := _REVISION.search(text):
            revisions.add(m.group(1))
        if m := _DOWN_REVISION.search(text):
            parents.add(m.group(1))
    heads = revisions - parents
    if len(heads) != 1:
        raise DatabaseError(f"GhostLine's migrations have {len(heads)} heads; expected exactly one.")
    return heads.pop()


def masked(url: str) -> str:
    """The URL with its password hidden, for messages."""
    return re.sub(r"://([^:/@]*):[^@]*@", r"://\1:***@", url)


def libpq_url(url: str) -> str:
    """SQLAlchemy's ``postgresql+psycopg://`` URL as a libpq URI psycopg accepts."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


@dataclass(frozen=True)
class ProbeResult:
    vector_installed: bool
    vector_available: bool
    revision: str | None

    @property
    def at_head(self) -> bool:
        return self.revision == head_revision()


def probe(url: str) -> ProbeResult:
    import psycopg

    try:
        with psycopg.connect(libpq_url(url), connect_timeout=10) as conn:
            installed, available = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector'),"
                " EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')"
            ).fetchone() or (False, False)
            revision = None
            has_table = conn.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()
            if has_table and has_table[0]:
                row = conn.execute("SELECT version_num FROM alembic_version LIMIT 1").fetchone()
                revision = row[0] if row else None
    except psycopg.OperationalError as exc:  # cannot connect; other errors are not ours to dress up
        raise DatabaseUnavailableError(f"Could not connect to the database at {masked(url)}: {exc}".strip()) from exc
    return ProbeResult(vector_installed=bool(installed), vector_available=bool(available), revision=revision)
