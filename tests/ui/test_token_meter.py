"""The status-bar token meter: levels (amber under 20%, red under 5%), live estimates settling to the
real debit, the tooltip, and the meter in the real window following service events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import TokenBalance, UserInfo
from ghostline_desktop.services.events import BalanceChanged, UsageEstimate
from ghostline_desktop.services.token_dto import LedgerEntry, MeterInfo
from ghostline_desktop.ui.main_window import MainWindow
from ghostline_desktop.ui.widgets.token_meter import TokenMeter

UID = uuid.uuid4()


def _balance(n: int, quota: int = 100_000) -> TokenBalance:
    return TokenBalance(UID, balance=n, monthly_quota=quota, plan_name="basic", plan_display_name="Basic")


def test_levels_follow_the_fraction_left(qtbot: QtBot) -> None:
    meter = TokenMeter()
    qtbot.addWidget(meter)
    assert meter.level == "unknown" and meter.format() == "Tokens: —"
    for n, level in (
        (100_000, "ok"),
        (20_000, "ok"),
        (19_999, "low"),
        (5_000, "low"),
        (4_999, "critical"),
        (0, "critical"),
    ):
        meter.set_balance(_balance(n))
        assert meter.level == level, n
        assert meter.format() == f"{n:,} / 100,000 tokens"
        assert meter.value() == n
    assert "#e53e3e" in meter.styleSheet()
    meter.set_balance(_balance(15_000))
    assert "#d69e2e" in meter.styleSheet()
    meter.set_balance(_balance(90_000))
    assert "#6d97b6" in meter.styleSheet()
    meter.set_balance(_balance(250_000))  # more than the quota (a top-up): a full bar, not an overflow
    assert meter.value() == meter.maximum() == 100_000 and meter.level == "ok"


def test_live_estimates_settle_to_the_real_debit(qtbot: QtBot) -> None:
    """Settled before its debit (the generation helper's order): no bounce back up in between."""
    meter = TokenMeter()
    qtbot.addWidget(meter)
    meter.set_balance(_balance(25_000))
    job1, job2 = uuid.uuid4(), uuid.uuid4()
    meter.on_usage_estimate(UsageEstimate(UID, job1, 3_000))
    assert meter.format() == "≈22,000 / 100,000 tokens" and meter.level == "ok"
    meter.on_usage_estimate(UsageEstimate(UID, job1, 6_000))  # the stream goes on: crosses 20%
    assert meter.shown_balance() == 19_000 and meter.level == "low"
    meter.on_usage_estimate(UsageEstimate(UID, job2, 1_000))
    assert meter.shown_balance() == 18_000
    meter.on_usage_estimate(UsageEstimate(uuid.uuid4(), uuid.uuid4(), 50_000))  # another user's job
    assert meter.shown_balance() == 18_000
    meter.on_usage_estimate(UsageEstimate(UID, job1, 0))  # settled, its debit not yet in
    assert meter.shown_balance() == 18_000
    meter.set_balance(_balance(25_000))  # a refresh from before the debit changes nothing
    assert meter.shown_balance() == 18_000
    meter.on_balance_changed(BalanceChanged(UID, 25_000 - 6_200))  # the real debit: 6,200 reported
    assert meter.shown_balance() == 17_800 and meter.format().startswith("≈")  # job2 still running
    meter.on_balance_changed(BalanceChanged(UID, 25_000 - 6_200 - 900))  # job2's debit first …
    meter.on_usage_estimate(UsageEstimate(UID, job2, 0))  # … then it settles: dropped at once
    assert meter.format() == "17,900 / 100,000 tokens" and meter.in_flight() == 0


def test_a_settled_estimate_without_a_debit_expires(qtbot: QtBot, monkeypatch: Any) -> None:
    from ghostline_desktop.ui.widgets import token_meter

    monkeypatch.setattr(token_meter, "SETTLE_GRACE_S", 0.2)
    meter = TokenMeter()
    qtbot.addWidget(meter)
    meter.set_balance(_balance(50_000))
    job = uuid.uuid4()
    meter.on_usage_estimate(UsageEstimate(UID, job, 2_000))
    meter.on_usage_estimate(UsageEstimate(UID, job, 0))  # the provider reported no usage: no debit
    assert meter.shown_balance() == 48_000
    with qtbot.waitSignal(meter.refreshRequested, timeout=3_000):
        pass
    assert meter.format() == "50,000 / 100,000 tokens"
    meter.on_balance_changed(BalanceChanged(uuid.uuid4(), 1))  # another user's balance
    assert meter.shown_balance() == 50_000


def test_tooltip_shows_month_use_and_last_operations(qtbot: QtBot) -> None:
    meter = TokenMeter()
    qtbot.addWidget(meter)

    def entry(kind: str, amount: int, desc: str) -> LedgerEntry:
        return LedgerEntry(
            uuid.uuid4(),
            1,
            datetime(2026, 11, 3, 14, 5, tzinfo=UTC),
            kind,
            amount,
            1,
            desc,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )

    meter.set_balance(
        MeterInfo(
            _balance(4_000),
            month_used=96_000,
            recent=[entry("DEBIT", 1_545, "Draft <chapter> 3"), entry("CREDIT", 100_000, "Basic plan: quota")],
        )
    )
    tip = meter.toolTip()
    assert "Basic plan</b>: 4% of this month's tokens left" in tip
    assert "Used this month: 96,000 tokens" in tip and "Almost nothing left" in tip
    assert "−1,545 &nbsp;Draft &lt;chapter&gt; 3" in tip and "+100,000" in tip
    meter.on_usage_estimate(UsageEstimate(UID, uuid.uuid4(), 500))
    assert "Running now: about 500 tokens" in meter.toolTip()


def test_window_meter_follows_debits_and_estimates(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    meter = window.status.meter
    qtbot.waitUntil(lambda: meter.balance is not None, timeout=10_000)
    start = run(services.accounts.balance(user.id)).balance
    job = uuid.uuid4()
    services.tokens.publish_estimate(user.id, job, 1_234)  # from the service side, through the bridge
    qtbot.waitUntil(lambda: meter.shown_balance() == start - 1_234, timeout=10_000)
    run(
        services.tokens.debit_usage(
            user.id, prompt_tokens=1_000, completion_tokens=300, model="m", description="Meter test draft"
        )
    )
    services.tokens.publish_estimate(user.id, job, 0)
    qtbot.waitUntil(lambda: meter.format() == f"{start - 1_300:,} / 100,000 tokens", timeout=10_000)
    assert "Meter test draft" in meter.toolTip() and "Used this month: 1,300 tokens" in meter.toolTip()
