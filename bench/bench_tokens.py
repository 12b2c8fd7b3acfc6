"""Token ledger: concurrent debits, and the usage dialog opening over a long ledger.

1. ``debits_4_connections_per_s``: 10,000 ``TokenService.debit_usage`` calls (1–100 tokens each)
   from 4 connections at once (4 engines of one connection each, as four app instances sharing a
   database would hold), on one user: each call locks the user's row, appends a DEBIT row and moves
   the balance, and the database's deferred constraint triggers check the chain at every commit.
   Afterwards the invariants are checked in SQL (``ledger_invariant_violations``, must be 0): every
   row's balance_after follows from the previous row by seq, the last equals users.token_balance,
   credits minus debits equal it, nothing below 0, and no debit is missing.
   Peer, same run, same database: the other design the issue names, a SERIALIZABLE transaction
   with no row lock (read the balance, write the row and the balance) retried on serialization
   failure, as a ledger without ``SELECT … FOR UPDATE`` would have to be.
2. ``usage_dialog_open_100k_ms`` (target 300 ms): Tools ▸ Token Usage opened (offscreen) over a
   user with 100,000 ledger rows, from construction until the ledger's first page is in the table
   (the count, balance, plans, projects and this month's use arrive in the same op); the totals and
   the daily chart arrive in a second op (``usage_dialog_totals_100k_ms``, from construction).
   ``ledger_page_deep_ms``: one page of 200 rows at the far end of the ledger (keyset paging).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bench.common import Metric
from bench.library_support import bench_server
from ghostline_desktop.db.database import Database
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import EventBus
from ghostline_desktop.services.tokens import TokenService
from ghostline_desktop.storage.local import LocalStore

DEBITS = 10_000
CONNECTIONS = 4
PEER_DEBITS = 2_000  # the peer retries a lot; fewer calls keep the run short (the rate is what counts)
LEDGER_ROWS = 100_000
OPEN_RUNS = 7
TARGET_OPEN_MS = 300.0
WAIT_S = 60.0

INVARIANTS_SQL = """
WITH chain AS (
    SELECT user_id, seq, transaction_type, amount, balance_after,
           lag(balance_after, 1, 0) OVER (PARTITION BY user_id ORDER BY seq) AS prev
    FROM token_transactions WHERE user_id = :u
)
SELECT
    (SELECT count(*) FROM chain
        WHERE balance_after <> prev + CASE WHEN transaction_type = 'CREDIT' THEN amount ELSE -amount END
           OR balance_after < 0)
    + (SELECT count(*) FROM users u WHERE u.id = :u AND (
          u.token_balance <> (SELECT balance_after FROM token_transactions WHERE user_id = :u
                              ORDER BY seq DESC LIMIT 1)
       OR u.token_balance <> (SELECT sum(CASE WHEN transaction_type = 'CREDIT' THEN amount ELSE -amount END)
                              FROM token_transactions WHERE user_id = :u)))
"""


async def _new_user(services: Services, plan: str) -> uuid.UUID:
    tag = uuid.uuid4().hex[:10]
    return (await services.accounts.create_user(email=f"{tag}@bench.local", username=f"b{tag}", plan=plan)).id


async def _violations(db: Database, user_id: uuid.UUID, debits: int, used: int) -> int:
    async with db.session() as s:
        bad = int((await s.execute(text(INVARIANTS_SQL), {"u": user_id})).scalar_one())
        n, total = (
            await s.execute(
                text(
                    "SELECT count(*), coalesce(sum(amount), 0) FROM token_transactions "
                    "WHERE user_id = :u AND transaction_type = 'DEBIT'"
                ),
                {"u": user_id},
            )
        ).one()
    return bad + (n != debits) + (total != used)


async def _spread(url: str, sizes: list[int], call: Callable[[Database, int], Any]) -> float:
    """Run ``call(db, size)`` for every size over CONNECTIONS engines at once; returns seconds."""
    dbs = [Database(url, pool_size=1) for _ in range(CONNECTIONS)]
    try:
        for db in dbs:  # connect outside the timing
            async with db.session() as s:
                await s.execute(text("SELECT 1"))
        share = [sizes[i::CONNECTIONS] for i in range(CONNECTIONS)]

        async def worker(db: Database, mine: list[int]) -> None:
            for n in mine:
                await call(db, n)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(db, mine) for db, mine in zip(dbs, share, strict=True)))
        return time.perf_counter() - t0
    finally:
        for db in dbs:
            await db.dispose()


async def _serializable_debit(db: Database, user_id: uuid.UUID, n: int, retries: list[int]) -> None:
    """The peer: no row lock; SERIALIZABLE detects the conflicting read-modify-write, and we retry."""
    while True:
        try:
            async with db.sessionmaker() as s, s.begin():
                await s.execute(text("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"))
                bal = (await s.execute(text("SELECT token_balance FROM users WHERE id = :u"), {"u": user_id})).scalar()
                take = min(n, int(bal))
                await s.execute(
                    text(
                        "INSERT INTO token_transactions (user_id, transaction_type, amount, balance_after, "
                        "description, prompt_tokens, completion_tokens) VALUES (:u, 'DEBIT', :a, :b, 'peer', :a, 0)"
                    ),
                    {"u": user_id, "a": take, "b": bal - take},
                )
                await s.execute(
                    text("UPDATE users SET token_balance = :b WHERE id = :u"), {"b": bal - take, "u": user_id}
                )
            return
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) not in ("40001", "40P01"):
                raise
            retries[0] += 1


async def _debits(url: str, services: Services) -> dict[str, float]:
    rng = random.Random(7)
    user = await _new_user(services, "premium")  # 1,000,000 covers 10,000 × ≤100
    sizes = [rng.randint(1, 100) for _ in range(DEBITS)]

    async def ours(db: Database, n: int) -> None:
        await TokenService(db, EventBus()).debit_usage(
            user, prompt_tokens=n, completion_tokens=0, model="bench", description="bench debit"
        )

    secs = await _spread(url, sizes, ours)
    bad = await _violations(services.db, user, DEBITS, sum(sizes))

    peer_user = await _new_user(services, "premium")
    peer_sizes = sizes[:PEER_DEBITS]
    retries = [0]
    peer_secs = await _spread(url, peer_sizes, lambda db, n: _serializable_debit(db, peer_user, n, retries))
    peer_bad = await _violations(services.db, peer_user, PEER_DEBITS, sum(peer_sizes))
    print(
        f"  debits: {DEBITS:,} in {secs:.1f} s from {CONNECTIONS} connections, {bad} invariant violation(s); "
        f"serializable peer: {PEER_DEBITS:,} in {peer_secs:.1f} s, {retries[0]:,} retries, {peer_bad} violation(s)"
    )
    return {"rate": DEBITS / secs, "bad": bad, "peer_rate": PEER_DEBITS / peer_secs, "peer_bad": peer_bad}


def _spin(until: Callable[[], bool], timeout_s: float = WAIT_S) -> None:
    """Run the Qt event loop (as ``app.exec`` would: idle in a native wait, so the service thread
    gets the GIL) until ``until()`` holds. The times are taken in the signal handlers, not here."""
    from PySide6.QtCore import QEventLoop, QTimer

    if until():
        return
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: loop.quit() if until() or time.monotonic() > deadline else None)
    timer.start()
    loop.exec()
    timer.stop()
    if not until():
        raise TimeoutError(f"gave up after {timeout_s:.0f} s")


def _runs(xs: list[float]) -> str:
    return ", ".join(f"{x:.0f}" for x in xs)


def _open_once(dialog_cls: Any, balance: Any, services: Services, user: uuid.UUID) -> tuple[float, float]:
    """ms from construction to the first page shown, and to the totals and chart shown."""
    done = {"loaded": 0.0, "totals": 0.0}
    start = time.perf_counter()
    dlg = dialog_cls(balance, services=services, user_id=user, tz="UTC")
    dlg.loaded.connect(lambda: done.__setitem__("loaded", time.perf_counter()))
    dlg.totalsLoaded.connect(lambda: done.__setitem__("totals", time.perf_counter()))
    dlg.show()
    _spin(lambda: bool(done["loaded"] and done["totals"]))
    assert dlg.model.rowCount() == 200 and dlg.total_rows == LEDGER_ROWS
    dlg.close()
    dlg.deleteLater()
    return (done["loaded"] - start) * 1000, (done["totals"] - start) * 1000


def _dialog(url: str, root: Any) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ghostline_desktop.runtime.loop import ServiceLoop
    from ghostline_desktop.ui import ops
    from ghostline_desktop.ui.dialogs.token_usage import TokenUsageDialog
    from tests.services.token_support import bulk_debits

    _app = QApplication.instance() or QApplication([])
    loop = ServiceLoop("bench-tokens").start()
    ops.install(loop)
    services = Services.build(Database(url), LocalStore(root))
    try:
        run = lambda coro: loop.run(coro, timeout=600)  # noqa: E731
        user = run(_new_user(services, "pro"))
        project = run(services.projects.create(user, "Bench saga"))
        t0 = time.perf_counter()
        run(bulk_debits(services, user, LEDGER_ROWS - 1, each=3, project_id=project.id, spread_days=25))
        print(f"  ledger of {LEDGER_ROWS:,} rows written in {time.perf_counter() - t0:.1f} s")
        balance = run(services.accounts.balance(user))
        opens, fulls = [], []
        for _ in range(OPEN_RUNS):
            loaded, totals = _open_once(TokenUsageDialog, balance, services, user)
            opens.append(loaded)
            fulls.append(totals)
            _spin(lambda: ops.pending_count() == 0)
        deep = []

        async def oldest() -> int:
            async with services.db.session() as s:
                q = text("SELECT min(seq) FROM token_transactions WHERE user_id = :u")
                return int((await s.execute(q, {"u": user})).scalar_one())

        first_seq = run(oldest())
        for _ in range(OPEN_RUNS):
            t = time.perf_counter()
            page = run(services.tokens.ledger_page(user, before_seq=first_seq + 201))
            deep.append((time.perf_counter() - t) * 1000)
            assert len(page) == 200
        print(f"  dialog open ms: {_runs(opens)}; with totals: {_runs(fulls)}; deep page ms: {_runs(deep)}")
        return {"open": statistics.median(opens), "full": statistics.median(fulls), "deep": statistics.median(deep)}
    finally:
        loop.run(services.close(), timeout=60)
        ops.uninstall()
        loop.stop()


def run() -> list[Metric]:
    import tempfile
    from pathlib import Path

    with bench_server("tokens") as server, tempfile.TemporaryDirectory(prefix="ghostline-bench-tokens-") as tmp:
        url = server.url(server.create_database())

        async def debits() -> dict[str, float]:
            services = Services.build(Database(url), LocalStore(Path(tmp) / "a"))
            try:
                return await _debits(url, services)
            finally:
                await services.close()

        d = asyncio.run(debits())
        ui = _dialog(server.url(server.create_database()), Path(tmp) / "b")
    return [
        Metric(
            "debits_4_connections_per_s",
            d["rate"],
            "debits/s",
            better="higher",
            peer_name="SERIALIZABLE + retry, no row lock",
            peer_value=d["peer_rate"],
        ),
        Metric("ledger_invariant_violations", d["bad"] + d["peer_bad"], "count", target=0),
        Metric("usage_dialog_open_100k_ms", ui["open"], "ms", target=TARGET_OPEN_MS),
        Metric("usage_dialog_totals_100k_ms", ui["full"], "ms"),
        Metric("ledger_page_deep_ms", ui["deep"], "ms"),
    ]
