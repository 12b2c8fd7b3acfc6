"""Status bar: busy indicator, background tasks, notifications bell with an unread badge, token meter."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QColor, QDesktopServices, QFont, QIcon, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QLabel, QMenu, QProgressBar, QStatusBar, QToolButton, QWidget

from ghostline_desktop.services.labels import NOTIFICATION_TYPE_LABELS, label
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.widgets.task_area import TaskArea
from ghostline_desktop.ui.widgets.token_meter import TokenMeter


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


class StatusBar(QStatusBar):
    #: The author opened the bell menu: the main window marks the notifications read.
    notificationsOpened = Signal()
    #: The author clicked the token meter.
    tokenUsageRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A quick operation the author waits for (ops.with_progress), after half a second.
        self.busy_label = QLabel(self)
        self.busy_label.setObjectName("busyLabel")
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setObjectName("busyIndicator")
        self.busy_bar.setRange(0, 0)  # indeterminate
        self.busy_bar.setFixedSize(80, 10)
        self.busy_bar.setTextVisible(False)
        self.tasks = TaskArea(self)
        self.tasks.jobCompleted.connect(self._job_completed)
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
        self.addPermanentWidget(self.busy_label)
        self.addPermanentWidget(self.busy_bar)
        self.addPermanentWidget(self.tasks)
        self.addPermanentWidget(self.bell)
        self.addPermanentWidget(self.meter)
        self.unread = 0
        self.set_unread(0)
        self.set_notifications([])
        hub = ops.progress_hub()
        hub.changed.connect(self._show_busy)
        self._show_busy()

    # -- tasks ----------------------------------------------------------------------------
    def on_job_changed(self, event: Any) -> None:
        self.tasks.on_job_changed(event)

    def _job_completed(self, job: Any) -> None:
        self.showMessage(job.message or self.tr("{0}: done").format(job.label), 6000)

    def _show_busy(self) -> None:
        labels = ops.progress_hub().labels()
        self.busy_label.setText(labels[-1] if labels else "")
        self.busy_label.setVisible(bool(labels))
        self.busy_bar.setVisible(bool(labels))

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
            if n.link_url:  # EXPORT_READY: the notification opens the exported file
                act.triggered.connect(lambda _c=False, url=n.link_url: QDesktopServices.openUrl(QUrl(url)))
            self.bell_menu.addAction(act)
        self.bell_menu.setToolTipsVisible(True)

    def set_balance(self, balance: Any | None) -> None:
        self.meter.set_balance(balance)
