"""Alembic environment. Run through ``ghostline db …`` (ghostline_desktop.db.migrate),
which passes an open connection in ``config.attributes['connection']``; plain
``alembic`` from the shell works too with ``-x url=…`` or GHOSTLINE_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine, pool

import ghostline_desktop.db.models  # noqa: F401  (registers every table)
from ghostline_desktop.config import normalize_database_url
from ghostline_desktop.db.models.base import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        compare_type=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("GHOSTLINE_DATABASE_URL")
    if not url:
        raise SystemExit("Pass -x url=postgresql://… or set GHOSTLINE_DATABASE_URL")
    engine = create_engine(normalize_database_url(url), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run against a database.")
run_migrations_online()
