"""The status bar's token meter: balance against the monthly quota, as a bar and a number.

It turns amber under 20% of the quota and red under 5%, and moves while an AI stream runs: each
``UsageEstimate`` (the bridge's ``usageEstimate``) says how many tokens a running job has used so far,
and the meter shows the balance minus every in-flight estimate. When a job settles (estimate 0) its
last estimate keeps counting until the next balance arrives (the real debit), so the bar never jumps
back up in between; the meter asks for that balance with ``refreshRequested``.
Hovering shows this month's use and the last operations.
"""

from __future__ import annotations

import html
import time
import uuid
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QProgressBar, QWidget

#: Fractions of the quota left under which the meter turns amber, then red (as the notifications).
LOW_FRACTION = 0.20
CRITICAL_FRACTION = 0.05
#: A settled job's estimate stops counting after this long even if no balance arrives (a lost event).
SETTLE_GRACE_S = 10.0

# The whole bar is styled here, not only the chunk: a widget style sheet that names just the chunk
# would drop the theme's frame and centred text in the other levels, so every level looks alike.
_STYLE = (
    "QProgressBar {{ border: 1px solid palette(mid); border-radius: 4px; background: palette(base); "
    "text-align: center; min-height: 14px; }} QProgressBar::chunk {{ background: {0}; border-radius: 3px; }}"
)
LEVEL_COLOURS = {"unknown": "#6d97b6", "ok": "#6d97b6", "low": "#d69e2e", "critical": "#e53e3e"}


class TokenMeter(QProgressBar):
    #: A job settled: the window should fetch the balance (the real debit) now.
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
        self._settling: dict[uuid.UUID, tuple[int, float]] = {}
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
        # The balance read now includes every debit of the jobs that had settled before it.
        self._settling.clear()
        self._render()

    def on_usage_estimate(self, event: Any) -> None:
        if self.user_id is not None and event.user_id != self.user_id:
            return
        if event.tokens > 0:
            self._running[event.job_id] = int(event.tokens)
        else:
            last = self._running.pop(event.job_id, 0)
            if last:
                self._settling[event.job_id] = (last, time.monotonic())
            self.refreshRequested.emit()
        self._render()

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
