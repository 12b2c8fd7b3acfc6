"""Input checks shared by the services, with messages written for the author."""

from __future__ import annotations

from ghostline_desktop.errors import ValidationError

#: Every title column (projects, chapters, sources, outlines) is String(500).
MAX_TITLE = 500


def clean_title(title: str | None, what: str) -> str:
    """Collapse whitespace and check length; ``what`` names the thing ("project", "chapter")."""
    cleaned = " ".join((title or "").split())
    if not cleaned:
        raise ValidationError(f"A {what} needs a title.")
    if len(cleaned) > MAX_TITLE:
        raise ValidationError(f"A {what} title can be at most {MAX_TITLE} characters.")
    return cleaned
