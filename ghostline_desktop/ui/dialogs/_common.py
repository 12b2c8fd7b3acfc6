"""Small pieces the dialogs share: styled labels and human-readable dates and numbers.

The labels carry a ``role`` property that the theme stylesheets style (hint, error,
heading, empty), so every dialog looks the same without per-dialog styling.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

_ORDINALS = {
    1: "First",
    2: "Second",
    3: "Third",
    4: "Fourth",
    5: "Fifth",
    6: "Sixth",
    7: "Seventh",
    8: "Eighth",
    9: "Ninth",
    10: "Tenth",
}


def role_label(text: str, role: str, parent: QWidget | None = None, *, wrap: bool = True) -> QLabel:
    """A QLabel the stylesheet styles by ``role`` (heading, hint, error, empty)."""
    label = QLabel(text, parent)
    label.setProperty("role", role)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def ordinal_word(n: int) -> str:
    """Edition words: Second, Third, … and 11th beyond ten."""
    if n in _ORDINALS:
        return _ORDINALS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def format_count(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def humanize_time(when: datetime | None, now: datetime | None = None) -> str:
    """Relative times (just now, 5 minutes ago, yesterday, 3 days ago), else a date: how authors think of it."""
    if when is None:
        return "—"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    seconds = (now - when).total_seconds()
    if seconds < 0:
        seconds = 0
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    days = hours // 24
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    local = when.astimezone()
    if local.year == now.astimezone().year:
        return local.strftime("%d %b").lstrip("0")
    return local.strftime("%d %b %Y").lstrip("0")
