"""The status bar's token meter: balance against the monthly quota, as a bar and a number.

It turns amber under 20% of the quota and red under 5%, and moves while an AI stream runs: each
``UsageEstimate`` (the bridge's ``usageEstimate``) says how many tokens a running job has used so far,
and the meter shows the balance minus every in-flight estimate. ``BalanceChanged`` (a debit landed)
carries the new balance, which the meter shows at once.

Settling without a bounce, whichever comes first: a job that settles (estimate 0) before its debit
keeps its last estimate counting until the next ``BalanceChanged`` (the debit), so the bar does not
jump back up in between; a job whose debit already arrived while it ran drops its estimate when it
settles. If no debit comes (the provider reported no usage, the call failed), the estimate is dropped
after ``SETTLE_GRACE_S`` and the meter asks for a fresh balance with ``refreshRequested``.
Hovering shows this month's use and the last operations.
"""

from __future__ import annotations

import dataclasses
import html
import time
import uuid
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QProgressBar, QWidget

#: Fractions of the quota left under which the meter turns amber, then red (as the notifications).
LOW_FRACTION = 0.20
CRITICAL_FRACTION = 0.05
#: A settled job's estimate stops counting after this long if no debit arrives (no usage reported).
SETTLE_GRACE_S = 3.0

# The whole bar is styled here, not only the chunk: a widget style sheet that names just the chunk
# would drop the theme's frame and centred text in the other levels, so every level looks alike.
_STYLE = (
    "QProgressBar {{ border: 1px solid palette(mid); border-radius: 4px; background: palette(base); "
    "text-align: center; min-height: 14px; }} QProgressBar::chunk {{ background: {0}; border-radius: 3px; }}"
)
LEVEL_COLOURS = {"unknown": "#6d97b6", "ok": "#6d97b6", "low": "#d69e2e", "critical": "#e53e3e"}


class TokenMeter(QProgressBar):
    #: A settled job's estimate expired without a debit: the window should fetch the balance again.
    refreshRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenMeter")
        self.setFixedWidth(240)
        self.setTextVisible(True)
        self.level = ""
        self.balance: Any | None = None
        self.month_used: int | None = None
        self.recent: list[Any] = []
        self.user_id: uuid.UUID | None = None
        self._running: dict[uuid.UUID, int] = {}
        self._debited_while_running: set[uuid.UUID] = set()
        self._settling: dict[uuid.UUID, tuple[int, float]] = {}
        self._expiry = QTimer(self)
        self._expiry.setSingleShot(True)
        self._expiry.timeout.connect(self._expire)
        self.set_balance(None)

    # -- inputs ---------------------------------------------------------------------------------
    def set_balance(self, info: Any | None) -> None:
        """A ``TokenBalance``, or a ``MeterInfo`` (balance + this month's use + last operations)."""
        if info is not None and hasattr(info, "month_used"):
            self.month_used = int(info.month_used)
            self.recent = list(info.recent)
            info = info.balance
        self.balance = info
        if info is not None:
            self.user_id = info.user_id
        self._render()

    def on_balance_changed(self, event: Any) -> None:
        """A debit or credit landed: show its balance now (the window's refresh brings the rest)."""
        if self.balance is None or event.user_id != self.user_id:
            return
        self.balance = dataclasses.replace(self.balance, balance=int(event.balance))
        self._settling.clear()  # their debits are in this balance
        self._debited_while_running.update(self._running)
        self._render()

    def on_usage_estimate(self, event: Any) -> None:
        if self.user_id is not None and event.user_id != self.user_id:
            return
        if event.tokens > 0:
            self._running[event.job_id] = int(event.tokens)
        else:
            last = self._running.pop(event.job_id, 0)
            debited = event.job_id in self._debited_while_running
            self._debited_while_running.discard(event.job_id)
            if last and not debited:
                self._settling[event.job_id] = (last, time.monotonic())
                self._expiry.start(int(SETTLE_GRACE_S * 1000) + 50)
        self._render()

    def _expire(self) -> None:
        before = len(self._settling)
        self.in_flight()  # drops what expired
        if len(self._settling) < before:
            self.refreshRequested.emit()
            self._render()
        if self._settling:
            self._expiry.start(int(SETTLE_GRACE_S * 1000) + 50)

    # -- what it shows --------------------------------------------------------------------------
    def in_flight(self) -> int:
        now = time.monotonic()
        for job, (_tokens, since) in list(self._settling.items()):
            if now - since > SETTLE_GRACE_S:
                del self._settling[job]
        return sum(self._running.values()) + sum(t for t, _ in self._settling.values())

    def shown_balance(self) -> int | None:
        if self.balance is None:
            return None
        return max(0, int(self.balance.balance) - self.in_flight())

    def _render(self) -> None:
        b = self.balance
        if b is None:
            self.setRange(0, 1)
            self.setValue(0)
            self.setFormat(self.tr("Tokens: —"))
            self.setToolTip(self.tr("Token balance appears once the database is ready."))
            self._set_level("unknown")
            return
        shown = self.shown_balance() or 0
        quota = int(b.monthly_quota)
        self.setRange(0, max(quota, 1))
        self.setValue(max(0, min(shown, max(quota, 1))))
        approx = "≈" if self.in_flight() else ""
        self.setFormat(self.tr("{0}{1:,} / {2:,} tokens").format(approx, shown, quota))
        fraction = 1.0 if quota <= 0 else shown / quota
        self._set_level("critical" if fraction < CRITICAL_FRACTION else "low" if fraction < LOW_FRACTION else "ok")
        self.setToolTip(self._tooltip(shown, fraction))
        self.setAccessibleName(self.tr("Token balance: {0:,} of {1:,}").format(shown, quota))

    def _set_level(self, level: str) -> None:
        if level == self.level:
            return
        self.level = level
        self.setProperty("level", level)
        self.setStyleSheet(_STYLE.format(LEVEL_COLOURS[level]))

    def _tooltip(self, shown: int, fraction: float) -> str:
        b = self.balance
        assert b is not None
        lines = [
            self.tr("<b>{0} plan</b>: {1:.0%} of this month's tokens left").format(
                html.escape(b.plan_display_name), min(fraction, 1.0)
            )
        ]
        if self.month_used is not None:
            lines.append(self.tr("Used this month: {0:,} tokens").format(self.month_used))
        running = self.in_flight()
        if running:
            lines.append(self.tr("Running now: about {0:,} tokens").format(running))
        if self.level == "critical":
            lines.append(self.tr("<i>Almost nothing left: add tokens or change the plan.</i>"))
        elif self.level == "low":
            lines.append(self.tr("<i>Running low.</i>"))
        if self.recent:
            lines.append("<br><b>" + self.tr("Last operations") + "</b>")
            for e in self.recent:
                sign = "+" if e.transaction_type == "CREDIT" else "−"
                when = e.created_at.astimezone().strftime("%d %b %H:%M")
                desc = html.escape(e.description if len(e.description) <= 60 else e.description[:59] + "…")
                lines.append(f"{when} &nbsp;{sign}{e.amount:,} &nbsp;{desc}")
        lines.append("<br><i>" + self.tr("Click for Token Usage") + "</i>")
        return "<br>".join(lines)
