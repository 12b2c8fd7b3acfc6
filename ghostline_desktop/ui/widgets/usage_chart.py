"""A painted bar chart of tokens used per day over one month (Tools ▸ Token Usage).

Painted with QPainter rather than QtCharts: QtCharts is not in ``pyside6-essentials``, and a
plotting package (matplotlib ~40 MB with numpy) is a lot of install for thirty bars. Hovering a
bar shows its day and tokens; today's bar is drawn darker.
"""

from __future__ import annotations

import calendar
from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

BAR = QColor("#6d97b6")
TODAY = QColor("#2c5f85")


def nice_ceiling(value: int) -> int:
    """The axis maximum: 1, 2 or 5 times a power of ten, at least ``value`` (and at least 10)."""
    value = max(int(value), 10)
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= value:
                return step * scale
        scale *= 10


def short_count(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M".replace(".0M", "M")
    if n >= 1_000:
        return f"{n / 1_000:.0f}k"
    return str(n)


class UsageChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usageChart")
        self.setMouseTracking(True)
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        today = date.today()
        self.year, self.month = today.year, today.month
        self.days: list[int] = []
        self.today: date | None = today

    def sizeHint(self) -> QSize:
        return QSize(560, 200)

    def set_data(self, year: int, month: int, days: list[int], today: date | None = None) -> None:
        self.year, self.month, self.days = year, month, list(days)
        self.today = today if today is not None else date.today()
        total = sum(self.days)
        name = f"{calendar.month_name[month]} {year}"
        self.setAccessibleName(self.tr("Tokens used per day in {0}: {1:,} in all").format(name, total))
        self.update()

    # -- geometry --------------------------------------------------------------------------------
    def _plot(self) -> QRectF:
        fm = QFontMetrics(self.font())
        left = fm.horizontalAdvance("0000k") + 10
        return QRectF(
            left, fm.height() + 6, max(10.0, self.width() - left - 8), max(10.0, self.height() - 2.2 * fm.height() - 14)
        )

    def _bar_rect(self, i: int, top: int) -> QRectF:
        plot = self._plot()
        slot = plot.width() / max(len(self.days), 1)
        h = 0.0 if top <= 0 else plot.height() * self.days[i] / top
        return QRectF(plot.left() + i * slot + slot * 0.15, plot.bottom() - h, slot * 0.7, h)

    def bar_at(self, x: float) -> int | None:
        plot = self._plot()
        if not self.days or not plot.left() <= x < plot.right():
            return None
        return min(int((x - plot.left()) / (plot.width() / len(self.days))), len(self.days) - 1)

    # -- painting --------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.Text)
        grid = QColor(text)
        grid.setAlpha(40)
        fm = QFontMetrics(self.font())
        plot = self._plot()
        top = nice_ceiling(max(self.days, default=0))
        title = self.tr("Tokens used per day, {0} {1}").format(calendar.month_name[self.month], self.year)
        p.setPen(text)
        p.drawText(QRectF(0, 0, self.width(), fm.height() + 2), Qt.AlignmentFlag.AlignHCenter, title)
        # horizontal grid with 0, half and top labelled
        for frac in (0.0, 0.5, 1.0):
            y = plot.bottom() - plot.height() * frac
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(text)
            p.drawText(
                QRectF(0, y - fm.height() / 2, plot.left() - 6, fm.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                short_count(int(top * frac)),
            )
        if not any(self.days):
            p.setPen(text)
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, self.tr("No tokens used this month"))
        p.setPen(Qt.PenStyle.NoPen)
        for i in range(len(self.days)):
            is_today = self.today == date(self.year, self.month, i + 1) if self.today else False
            p.setBrush(TODAY if is_today else BAR)
            r = self._bar_rect(i, top)
            if r.height() > 0:
                p.drawRoundedRect(r, 1.5, 1.5)
        # day numbers: 1, 5, 10, … so they never collide
        p.setPen(text)
        slot = plot.width() / max(len(self.days), 1)
        for i in range(len(self.days)):
            day = i + 1
            if day == 1 or day % 5 == 0:
                x = plot.left() + i * slot
                p.drawText(
                    QRectF(x - slot, plot.bottom() + 3, 3 * slot, fm.height()), Qt.AlignmentFlag.AlignHCenter, str(day)
                )
        p.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        i = self.bar_at(event.position().x())
        if i is None:
            QToolTip.hideText()
            return
        when = date(self.year, self.month, i + 1)
        QToolTip.showText(
            event.globalPosition().toPoint(),
            self.tr("{0}: {1:,} tokens").format(when.strftime("%a %d %b"), self.days[i]),
            self,
        )
