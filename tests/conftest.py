"""Shared fixtures: one real embedded PostgreSQL + pgvector per test session, a migrated
template database, and a fresh database per test module cloned from it.

Service calls run on a real ``ServiceLoop`` (the same background loop the app uses), so
tests are plain functions calling ``run(coro)``; nothing about the database is mocked.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest

# The OpenAI-compatible test server (fixtures openai_server, openai_server_module, openai_env).
pytest_plugins = ["tests.support.openai_fixture"]

# Isolate every test session from the developer's real settings and data.
_SESSION_HOME = Path(os.environ.get("TMPDIR", "/tmp")) / f"ghostline-test-{os.getpid()}"
os.environ.setdefault("GHOSTLINE_CONFIG_DIR", str(_SESSION_HOME / "config"))
os.environ.setdefault("GHOSTLINE_DATA_DIR", str(_SESSION_HOME / "data"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("GHOSTLINE_DATABASE_URL", None)
os.environ.pop("OPENAI_API_KEY", None)
os.environ.pop("OPENAI_BASE_URL", None)

from ghostline_desktop.db import migrate  # noqa: E402
from ghostline_desktop.db.database import Database  # noqa: E402
from ghostline_desktop.db.embedded import EmbeddedServer  # noqa: E402
from ghostline_desktop.runtime.loop import ServiceLoop  # noqa: E402
from ghostline_desktop.services.container import Services  # noqa: E402
from ghostline_desktop.services.dto import UserInfo  # noqa: E402
from ghostline_desktop.storage.local import LocalStore  # noqa: E402

T = TypeVar("T")
TEMPLATE_DB = "ghostline_template"
CORPUS_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus"


class PgServer:
    def __init__(self, server: EmbeddedServer) -> None:
        self.server = server
        info = server.info
        assert info is not None
        self.info = info

    def url(self, database: str) -> str:
        return self.info.url(database)

    def admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(
            f"host={self.info.socket_dir} port={self.info.port} user=postgres dbname=postgres", autocommit=True
        )

    def create_database(self, template: str | None = TEMPLATE_DB) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    # Not under tmp_path_factory: any pytest session that starts re-chmods /tmp/pytest-of-<user>
    # to 0700, locking the unprivileged 'pgserver' user (used when tests run as root) out of a
    # running server's files, which then PANICs. Concurrent sessions are normal on shared machines.
    data_dir = Path(tempfile.mkdtemp(prefix="ghostline-pg-"))
    server = EmbeddedServer(data_dir)
    server.start()
    pg = PgServer(server)
    with pg.admin() as conn:
        conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
    migrate.upgrade(pg.url(TEMPLATE_DB))
    yield pg
    server.stop(force=True)
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def db_url(pg: PgServer) -> Iterator[str]:
    """A fresh, migrated database for this test module."""
    name = pg.create_database()
    yield pg.url(name)
    pg.drop_database(name)


@pytest.fixture(scope="module")
def service_loop() -> Iterator[ServiceLoop]:
    loop = ServiceLoop("test-services").start()
    yield loop
    loop.stop()


Runner = Callable[[Coroutine[Any, Any, T]], T]


@pytest.fixture(scope="module")
def run(service_loop: ServiceLoop) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Run a coroutine on the service loop and return its result (60 s cap)."""
    return lambda coro: service_loop.run(coro, timeout=60)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    return LocalStore(tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="module")
def services(db_url: str, store: LocalStore, run: Runner[Any]) -> Iterator[Services]:
    svc = Services.build(Database(db_url), store)
    yield svc
    run(svc.close())


@pytest.fixture(scope="module")
def user(services: Services, run: Runner[Any]) -> UserInfo:
    """The local desktop user of this module's database."""
    return run(services.accounts.ensure_local_user())


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS_DIR.exists():
        pytest.skip("shared/corpus is only on development machines")  # CI has a copy beside the clone
    return CORPUS_DIR
