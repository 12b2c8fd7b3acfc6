"""Fixtures shared by the database tests (and tests/test_cli.py)."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def server_dir() -> Iterator[Path]:
    """A data dir for an embedded server, outside pytest's tmp tree.

    Every pytest session that starts re-chmods /tmp/pytest-of-<user> to 0700; when tests run
    as root, the server runs as the unprivileged 'pgserver' user, which is then locked out of
    its own files (PANIC in a running server, initdb failing mid-way). Shared machines run
    several sessions at once, so embedded data dirs live in a plain temp dir instead.
    """
    path = Path(tempfile.mkdtemp(prefix="ghostline-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def limited_role(pg: Any) -> Iterator[str]:
    """A login role with no superuser rights and no table privileges, as on a shared team server."""
    role = f"r_{uuid.uuid4().hex[:8]}"
    with pg.admin() as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
    yield role
    with pg.admin() as conn:  # hand back whatever the test gave it, then drop it
        conn.execute(f'REASSIGN OWNED BY "{role}" TO postgres')
        conn.execute(f'DROP OWNED BY "{role}"')
        conn.execute(f'DROP ROLE "{role}"')


def give_database_to(pg: Any, database: str, role: str) -> None:
    """Make ``role`` the owner of ``database``: it may create tables, not superuser-only extensions."""
    with pg.admin() as conn:
        conn.execute(f'ALTER DATABASE "{database}" OWNER TO "{role}"')
