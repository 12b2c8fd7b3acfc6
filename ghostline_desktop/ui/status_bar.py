"""Status bar: task progress, notifications bell with an unread badge, token meter."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QLabel, QMenu, QProgressBar, QStatusBar, QToolButton, QWidget

from ghostline_desktop.services.labels import NOTIFICATION_TYPE_LABELS, TASK_STATUS_LABELS, label


def bell_icon(unread: int, size: int = 22, color: str = "#8a8f98") -> QIcon:
    """A drawn bell (no emoji font needed) with a red count badge when something is unread."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    u = size / 22.0
    bell = QPainterPath()
    bell.moveTo(4 * u, 16 * u)
    bell.cubicTo(6 * u, 14 * u, 6 * u, 12 * u, 6 * u, 9 * u)
    bell.cubicTo(6 * u, 5.5 * u, 8 * u, 3.5 * u, 11 * u, 3.5 * u)
    bell.cubicTo(14 * u, 3.5 * u, 16 * u, 5.5 * u, 16 * u, 9 * u)
    bell.cubicTo(16 * u, 12 * u, 16 * u, 14 * u, 18 * u, 16 * u)
    bell.closeSubpath()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(color))
    p.drawPath(bell)
    p.drawEllipse(QRectF(9 * u, 16.5 * u, 4 * u, 3 * u))  # clapper
    if unread:
        d = size * 0.55
        p.setBrush(QColor("#e53e3e"))
        p.drawEllipse(QRectF(size - d, 0, d, d))
        font = QFont()
        font.setPixelSize(int(d * 0.72))
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor("white"))
        p.drawText(QRectF(size - d, 0, d, d), Qt.AlignmentFlag.AlignCenter, "9+" if unread > 9 else str(unread))
    p.end()
    return QIcon(pix)


class TokenMeter(QProgressBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenMeter")
        self.setFixedWidth(240)
        self.setTextVisible(True)
        self.set_balance(None)

    def set_balance(self, balance: Any | None) -> None:
        if balance is None:
            self.setRange(0, 1)
            self.setValue(0)
            self.setFormat(self.tr("Tokens: —"))
            self.setToolTip(self.tr("Token balance appears once the database is ready."))
            return
        quota = max(int(balance.monthly_quota), 1)
        self.setRange(0, quota)
        self.setValue(max(0, min(int(balance.balance), quota)))
        self.setFormat(self.tr("{0:,} / {1:,} tokens").format(balance.balance, balance.monthly_quota))
        self.setToolTip(
            self.tr("{0} plan: {1:.0%} of this month's tokens left").format(
                balance.plan_display_name, balance.fraction_left
            )
        )


class StatusBar(QStatusBar):
    #: The author opened the bell menu: the main window marks the notifications read.
    notificationsOpened = Signal()
    #: The author clicked the token meter.
    tokenUsageRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task_label = QLabel(self)
        self.task_label.setObjectName("taskLabel")
        self.task_progress = QProgressBar(self)
        self.task_progress.setObjectName("taskProgress")
        self.task_progress.setFixedWidth(140)
        self.task_progress.setRange(0, 100)
        self.task_progress.setTextVisible(False)
        self.task_progress.hide()
        self.bell = QToolButton(self)
        self.bell.setObjectName("notificationsBell")
        self.bell.setAutoRaise(True)
        self.bell.setIconSize(QSize(20, 20))
        self.bell.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.bell_menu = QMenu(self.bell)
        self.bell.setMenu(self.bell_menu)
        self.bell_menu.aboutToShow.connect(self.notificationsOpened)
        self.meter = TokenMeter(self)
        self.meter.mousePressEvent = lambda _e: self.tokenUsageRequested.emit()  # type: ignore[method-assign]
        self.addPermanentWidget(self.task_label)
        self.addPermanentWidget(self.task_progress)
        self.addPermanentWidget(self.bell)
        self.addPermanentWidget(self.meter)
        self.unread = 0
        self.tasks: dict[Any, Any] = {}
        self.set_unread(0)
        self.set_notifications([])
        self._show_idle()

    # -- tasks ----------------------------------------------------------------------------
    def on_task_progress(self, event: Any) -> None:
        if event.status in ("COMPLETED", "FAILED", "CANCELLED"):
            self.tasks.pop(event.task_id, None)
            if event.status == "FAILED":
                self.showMessage(self.tr("{0} failed").format(event.label), 8000)
        else:
            self.tasks[event.task_id] = event
        self._render_tasks()

    def _render_tasks(self) -> None:
        if not self.tasks:
            self._show_idle()
            return
        latest = list(self.tasks.values())[-1]
        more = len(self.tasks) - 1
        text = f"{latest.label} · {label(TASK_STATUS_LABELS, latest.status)}"
        if more:
            text += self.tr(" (+{0} more)").format(more)
        self.task_label.setText(text)
        self.task_progress.setValue(round(max(0.0, min(1.0, latest.progress)) * 100))
        self.task_progress.show()

    def _show_idle(self) -> None:
        self.task_label.setText(self.tr("No background tasks"))
        self.task_progress.hide()

    # -- notifications -------------------------------------------------------------------------
    def set_unread(self, count: int) -> None:
        self.unread = int(count)
        self.bell.setIcon(bell_icon(self.unread))
        self.bell.setText(str(self.unread))
        self.bell.setToolTip(
            self.tr("{0} unread notification(s)").format(self.unread)
            if self.unread
            else self.tr("No new notifications")
        )
        self.bell.setAccessibleName(self.bell.toolTip())

    def set_notifications(self, items: list[Any]) -> None:
        self.bell_menu.clear()
        if not items:
            empty = QAction(self.tr("No notifications"), self.bell_menu)
            empty.setEnabled(False)
            self.bell_menu.addAction(empty)
            return
        for n in items:
            kind = label(NOTIFICATION_TYPE_LABELS, n.notification_type)
            text = f"{'● ' if not n.is_read else '   '}{n.title}"
            act = QAction(text, self.bell_menu)
            act.setToolTip(f"{kind}: {n.message}")
            act.setStatusTip(n.message)
            self.bell_menu.addAction(act)
        self.bell_menu.setToolTipsVisible(True)

    def set_balance(self, balance: Any | None) -> None:
        self.meter.set_balance(balance)
