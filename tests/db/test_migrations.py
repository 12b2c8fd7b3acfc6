"""Migrations: the only way the schema changes, so they must round-trip cleanly and
produce exactly what the ORM models describe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, pool

import ghostline_desktop.db.models  # noqa: F401  (registers every table)
from ghostline_desktop.db import migrate
from ghostline_desktop.db.models.base import Base


@pytest.fixture
def fresh_url(pg: Any) -> Iterator[str]:
    """An empty database (not cloned from the migrated template)."""
    name = pg.create_database(template=None)
    yield pg.url(name)
    pg.drop_database(name)


def _catalog(url: str) -> dict[str, Any]:
    """What the database holds in schema ``public``, by kind."""
    engine = create_engine(url, poolclass=pool.NullPool)

    def names(conn: Any, sql: str) -> list[str]:
        return sorted(r[0] for r in conn.exec_driver_sql(sql))

    try:
        with engine.connect() as conn:
            tables = names(conn, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return {
                "tables": tables,
                # enums, base and composite types that are not a table's row type nor an array type
                "types": names(
                    conn,
                    "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                    "WHERE n.nspname = 'public' AND t.typtype IN ('e', 'b', 'c', 'd') AND t.typrelid = 0 "
                    "AND t.typelem = 0",
                ),
                "extensions": names(conn, "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'"),
                "indexes": names(conn, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"),
                "sequences": names(conn, "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"),
                "functions": names(
                    conn,
                    "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname = 'public'",
                ),
                "version_rows": conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar()
                if "alembic_version" in tables
                else None,
            }
    finally:
        engine.dispose()


def test_upgrade_then_downgrade_base_leaves_nothing(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    up = _catalog(fresh_url)
    assert "vector" in up["extensions"]
    assert {"users", "projects", "content_chunks", "chapter_revisions", "qa_findings"} <= set(up["tables"])
    assert "genre" in up["types"]

    migrate.downgrade(fresh_url, "base")
    down = _catalog(fresh_url)
    assert down["tables"] == ["alembic_version"]
    assert down["version_rows"] == 0
    assert down["types"] == []
    assert down["extensions"] == []
    assert down["indexes"] == ["alembic_version_pkc"]
    assert down["sequences"] == []
    assert down["functions"] == []

    # …and the schema comes back in full after a second upgrade.
    migrate.upgrade(fresh_url)
    assert _catalog(fresh_url) == up


def test_models_match_migrated_schema(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    engine = create_engine(fresh_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
            diff = compare_metadata(ctx, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_status_reports_pending_and_current(fresh_url: str) -> None:
    head = migrate.heads()
    before = migrate.status(fresh_url)
    assert before.current is None
    assert before.head == head
    assert before.pending and before.pending[-1] == head
    assert not before.up_to_date

    migrate.upgrade(fresh_url)
    after = migrate.status(fresh_url)
    assert after.current == head
    assert after.pending == ()
    assert after.up_to_date

    migrate.downgrade(fresh_url, "base")
    again = migrate.status(fresh_url)
    assert again.current is None and again.pending == before.pending


def test_upgrade_is_idempotent(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    migrate.upgrade(fresh_url)
    assert migrate.status(fresh_url).up_to_date


def test_seed_billing_plans(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    engine = create_engine(fresh_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            plans = dict(conn.exec_driver_sql("SELECT name, monthly_token_quota FROM billing_plans").all())
    finally:
        engine.dispose()
    assert set(plans) == {"basic", "premium", "pro"}
    assert all(q > 0 for q in plans.values())


def test_fast_head_revision_matches_alembic() -> None:
    """Start-up reads the head from the scripts' text; it must agree with Alembic's own graph."""
    from ghostline_desktop.db.probe import head_revision

    assert head_revision() == migrate.heads()
