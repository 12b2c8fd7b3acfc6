"""Small icons without shipping image files: Qt's standard icons plus a few drawn letters."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

# Letter badge and colour per material type: readable in light and dark themes alike.
_MATERIAL_BADGES: dict[str, tuple[str, str]] = {
    "PDF": ("PDF", "#c0392b"),
    "DOCX": ("DOC", "#2b6cb0"),
    "TEXT": ("TXT", "#4a5568"),
    "MARKDOWN": ("MD", "#2f855a"),
    "EPUB": ("EPB", "#805ad5"),
    "HTML": ("HTM", "#dd6b20"),
    "AUDIO": ("♪", "#b7791f"),
    "VOICE_MEMO": ("♪", "#b7791f"),
    "IMAGE": ("IMG", "#319795"),
    "NOTE": ("✎", "#718096"),
}


@cache
def badge_icon(text: str, color: str, size: int = 32) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(color))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(QRectF(1, 1, size - 2, size - 2), 6, 6)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * (0.42 if len(text) <= 2 else 0.32)))
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, text)
    p.end()
    return QIcon(pix)


def material_icon(material_type: str) -> QIcon:
    text, color = _MATERIAL_BADGES.get(material_type, ("?", "#718096"))
    return badge_icon(text, color)


def standard_icon(pixmap: QStyle.StandardPixmap) -> QIcon:
    return QApplication.style().standardIcon(pixmap)
