"""How one library row and one search result look: what a row says about its state (a pure
function), and the two delegates that paint rows and rich-text results.

Painted by delegates rather than one widget per row: a folder of a thousand files is a thousand
rows, and progress repaints several times a second while they import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ghostline_desktop.core.enums import TaskStatus
from ghostline_desktop.services.labels import MATERIAL_TYPE_LABELS, label

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the SourceSummary
JOB_ROLE = Qt.ItemDataRole.UserRole + 2  # the active JobInfo for the row, if any
HTML_ROLE = Qt.ItemDataRole.UserRole + 3  # a result's rich text
ERROR_COLOR = {"light": "#b83232", "dark": "#f08080"}
PAD, ICON, BAR = 6, 28, 6
ERROR_LINES = 2  # a failure's reason wraps to two lines (the tooltip has all of it)
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class RowView:
    """What a row shows: a meta line, maybe a progress bar (0..1) and a detail line."""

    meta: str
    state: str
    progress: float | None = None
    detail: str | None = None
    error: bool = False


def describe(row: Any, job: Any | None = None) -> RowView:
    """The row's state in words. A live job (from JobChanged) is fresher than the row's status."""
    kind = label(MATERIAL_TYPE_LABELS, row.material_type)
    words = f"{row.word_count or 0:,} words"
    pages = f" · {row.page_count:,} pages" if row.page_count else ""
    if job is not None and job.active:
        if job.status is TaskStatus.PENDING:
            return RowView(f"{kind} · Queued", "Queued", 0.0, "Waiting for a free worker…")
        if row.processing_status == "READY":  # a note being indexed again: its text is there
            state, detail = "Ready · indexing", job.message or "Indexing…"
        elif row.processing_status == "UPLOADING" and job.progress < 0.1:
            state, detail = "Uploading", job.message or "Copying…"
        else:
            state, detail = "Processing", job.message or "Working…"
        pct = round(max(0.0, min(1.0, job.progress)) * 100)
        return RowView(f"{kind} · {state} {pct}%", state, job.progress, detail)
    status = row.processing_status
    if status == "FAILED":
        return RowView(f"{kind} · Failed", "Failed", None, row.error_message or "Processing failed.", True)
    if status in ("UPLOADING", "PROCESSING"):
        state = status.capitalize()
        return RowView(f"{kind} · {state}", state, row.progress or 0.0, None)
    return RowView(f"{kind} · Ready · {words}{pages}", "Ready")


def _wrap_elided(fm: QFontMetrics, text: str, width: int, lines: int) -> str:
    """``text`` word-wrapped to at most ``lines`` lines of ``width``, the last one elided."""
    words, out, current = text.split(), [], ""
    for i, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if fm.horizontalAdvance(candidate) <= width or not current:
            current = candidate
            continue
        out.append(current)
        current = word
        if len(out) == lines - 1:
            current = " ".join(words[i:])
            break
    out.append(fm.elidedText(current, Qt.TextElideMode.ElideRight, width))
    return "\n".join(out)


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


class SourceRowDelegate(QStyledItemDelegate):
    """Icon, bold title, a meta line, then a progress bar and/or a detail (error in red)."""

    def _lines(self, index: AnyIndex) -> tuple[RowView, int]:
        """The row's view and its number of text lines (a failure's reason gets two)."""
        view = describe(index.data(ROW_ROLE), index.data(JOB_ROLE))
        # A row in progress always keeps a line for its message: the list does not re-measure a
        # row when only its data changes, and messages come and go while a job runs.
        return view, 2 + (ERROR_LINES if view.error else 1 if view.detail or view.progress is not None else 0)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        if index.data(ROW_ROLE) is None:
            return super().sizeHint(option, index)
        view, lines = self._lines(index)
        fm = option.fontMetrics
        height = PAD * 2 + lines * fm.height() + (BAR + 4 if view.progress is not None else 0)
        return QSize(200, max(height, ICON + PAD * 2))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        row = index.data(ROW_ROLE)
        if row is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget: QWidget | None = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        icon = QIcon(opt.icon)  # a copy: the option's own icon is cleared next
        opt.text = ""
        opt.icon = QIcon()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)  # background only

        view, _lines = self._lines(index)
        palette: QPalette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        text_color = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        hint_color = QColor(text_color) if selected else palette.color(QPalette.ColorRole.PlaceholderText)
        rect: QRect = opt.rect.adjusted(PAD, PAD, -PAD, -PAD)
        painter.save()
        icon.paint(painter, QRect(rect.left(), rect.top(), ICON, ICON))
        x = rect.left() + ICON + 8
        width = rect.right() - x
        fm = opt.fontMetrics
        line = fm.height()
        y = rect.top()

        bold = QFont(opt.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_color)
        title = painter.fontMetrics().elidedText(row.title, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(x, y, width, line), Qt.AlignmentFlag.AlignVCenter, title)
        y += line
        painter.setFont(opt.font)
        painter.setPen(hint_color)
        painter.drawText(
            QRect(x, y, width, line),
            Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(view.meta, Qt.TextElideMode.ElideRight, width),
        )
        y += line
        if view.progress is not None:
            y += 2
            track = QRectF(x, y, width, BAR)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Mid))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.drawRoundedRect(track, BAR / 2, BAR / 2)
            done = max(0.0, min(1.0, view.progress))
            if done > 0:
                # The theme's accent from the application palette: the list's own Highlight is the
                # stylesheet's pale selection tint, and an inactive window must not fade progress out.
                painter.setBrush(QApplication.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight))
                painter.drawRoundedRect(QRectF(x, y, max(BAR, width * done), BAR), BAR / 2, BAR / 2)
            y += BAR + 2
        painter.setPen(hint_color)  # the bar above left the pen empty
        if view.detail and view.error:
            if not selected:
                painter.setPen(QColor(ERROR_COLOR["dark" if _is_dark(palette) else "light"]))
            painter.drawText(
                QRect(x, y, width, line * ERROR_LINES),
                Qt.AlignmentFlag.AlignTop,
                _wrap_elided(fm, view.detail, width, ERROR_LINES),
            )
        elif view.detail:
            painter.drawText(
                QRect(x, y, width, line),
                Qt.AlignmentFlag.AlignVCenter,
                fm.elidedText(view.detail, Qt.TextElideMode.ElideRight, width),
            )
        painter.restore()


class HtmlDelegate(QStyledItemDelegate):
    """Paints an item's ``HTML_ROLE`` as rich text, wrapped to the view's width (search results)."""

    def _document(self, option: QStyleOptionViewItem, index: AnyIndex, width: int) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(PAD)
        doc.setHtml(str(index.data(HTML_ROLE) or ""))
        doc.setTextWidth(max(80, width))
        return doc

    def _width(self, option: QStyleOptionViewItem) -> int:
        """The wrap width: the view's width less a scroll bar's, whether one shows or not, so a
        scroll bar appearing cannot make measured rows wrap longer and clip their last line."""
        widget = option.widget
        if isinstance(widget, QAbstractScrollArea):
            bar = widget.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
            return widget.width() - 2 * widget.frameWidth() - bar - 2
        return int(option.rect.width())

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        if index.data(HTML_ROLE) is None:
            return super().sizeHint(option, index)
        width = self._width(option)
        doc = self._document(option, index, width)
        return QSize(width, int(doc.size().height()) + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        if index.data(HTML_ROLE) is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget: QWidget | None = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        opt.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = opt.rect
        doc = self._document(opt, index, self._width(opt))
        ctx = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        ctx.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))
        painter.save()
        painter.translate(rect.topLeft())
        painter.setClipRect(QRectF(0, 0, rect.width(), rect.height()))
        doc.documentLayout().draw(painter, ctx)
        painter.restore()
