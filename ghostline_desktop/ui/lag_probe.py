"""Measure how long the GUI thread stalls: a 10 ms timer that records how late each tick fires.

Tests of long operations start a probe, do the work, and look at ``worst_ms``.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer


class LagProbe(QObject):
    def __init__(self, interval_ms: int = 10, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self.samples: list[float] = []  # lateness of each tick in ms
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0

    @property
    def worst_ms(self) -> float:
        return max(self.samples, default=0.0)

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self) -> LagProbe:
        self.samples.clear()
        self._last = time.perf_counter()
        self._timer.start()
        return self

    def stop(self) -> float:
        self._timer.stop()
        return self.worst_ms

    def _tick(self) -> None:
        now = time.perf_counter()
        late = (now - self._last) * 1000.0 - self.interval_ms
        self.samples.append(max(0.0, late))
        self._last = now

    def __enter__(self) -> LagProbe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
