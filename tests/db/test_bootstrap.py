"""Bringing a database to a usable state: embedded or external, and the errors people see."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import make_url

from ghostline_desktop.config import Settings
from ghostline_desktop.db import migrate
from ghostline_desktop.db.bootstrap import check_vector_available, prepare_database
from ghostline_desktop.db.probe import probe
from ghostline_desktop.errors import DatabaseError, DatabaseUnavailableError, MissingExtensionError
from tests.db import support
from tests.db.support import give_database_to

limited_role = support.limited_role  # fixtures shared with tests/db
server_dir = support.server_dir


@pytest.fixture
def empty_db(pg: Any) -> Iterator[str]:
    name = pg.create_database(template=None)
    yield pg.url(name)
    pg.drop_database(name)


def _settings(tmp_path: Path, url: str | None) -> Settings:
    return Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config", database_url=url)


def test_external_without_migrations_leaves_schema_alone(tmp_path: Path, empty_db: str) -> None:
    prepared = prepare_database(_settings(tmp_path, empty_db), run_migrations=False)
    assert prepared.embedded is None and prepared.url == empty_db
    assert migrate.status(empty_db).current is None
    prepared.release()  # nothing to let go of; must not fail

    prepared = prepare_database(_settings(tmp_path, empty_db))
    assert migrate.status(prepared.url).up_to_date
    assert not (tmp_path / "data" / "pgdata").exists()  # the embedded server was never touched


def test_embedded_prepare_and_release(server_dir: Path) -> None:
    prepared = prepare_database(_settings(server_dir, None))
    try:
        assert prepared.embedded is not None and prepared.embedded.running
        assert migrate.status(prepared.url).up_to_date
    finally:
        prepared.release()
    assert not prepared.embedded.running


def test_unreachable_server(tmp_path: Path, run: Any) -> None:
    url = f"postgresql+psycopg://postgres@/ghostline?host={tmp_path}&port=5432"
    with pytest.raises(DatabaseUnavailableError, match="Could not connect"):
        prepare_database(_settings(tmp_path, url))
    with pytest.raises(DatabaseUnavailableError):
        probe(url)
    with pytest.raises(DatabaseUnavailableError):
        migrate.status(url)


def test_role_that_cannot_create_vector_gets_install_hint(
    tmp_path: Path, pg: Any, empty_db: str, limited_role: str, run: Any
) -> None:
    """pgvector is not a trusted extension: only a superuser may CREATE it. The author sees
    what to install or ask for, not a raw permission error."""
    give_database_to(pg, str(make_url(empty_db).database), limited_role)
    url = empty_db.replace("postgres@", f"{limited_role}@")
    check_vector_available(url)  # the server has it; this role just may not create it
    with pytest.raises(MissingExtensionError) as err:
        prepare_database(_settings(tmp_path, url))
    assert "pgvector" in str(err.value) and "CREATE EXTENSION vector" in str(err.value)
    assert migrate.status(url).current is None  # the failed migration left nothing behind


def test_probe_tells_installed_from_available_and_the_schema_revision(db_url: str, empty_db: str) -> None:
    migrated, empty = probe(db_url), probe(empty_db)
    assert migrated.vector_installed and migrated.at_head
    assert empty.vector_available and not empty.vector_installed and empty.revision is None and not empty.at_head


def test_database_upgraded_by_newer_ghostline(empty_db: str) -> None:
    migrate.upgrade(empty_db)
    engine = create_engine(empty_db, poolclass=pool.NullPool)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'from-the-future'"))
    engine.dispose()
    for call in (lambda: migrate.status(empty_db), lambda: migrate.upgrade(empty_db)):
        with pytest.raises(DatabaseError, match="newer GhostLine"):
            call()
