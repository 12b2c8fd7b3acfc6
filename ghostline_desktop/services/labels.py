"""Human labels for enum member names, so the UI can show them without importing the db layer.

Service results carry enum member NAMES ("HIGH", "FICTION"); the UI looks the label up here.
"""

from __future__ import annotations

from ghostline_desktop.core.enums import (
    ChapterStatus,
    FindingStatus,
    FindingType,
    Genre,
    MaterialType,
    NotificationType,
    OutlineStatus,
    ProcessingStatus,
    ProjectStatus,
    Severity,
    TaskStatus,
)

GENRE_LABELS: dict[str, str] = {g.name: g.value for g in Genre}
PROJECT_STATUS_LABELS: dict[str, str] = {s.name: s.value for s in ProjectStatus}
MATERIAL_TYPE_LABELS: dict[str, str] = {m.name: m.value for m in MaterialType}
PROCESSING_STATUS_LABELS: dict[str, str] = {p.name: p.value for p in ProcessingStatus}
OUTLINE_STATUS_LABELS: dict[str, str] = {o.name: o.value for o in OutlineStatus}
CHAPTER_STATUS_LABELS: dict[str, str] = {c.name: c.value.capitalize() for c in ChapterStatus}
SEVERITY_LABELS: dict[str, str] = {s.name: s.value.capitalize() for s in Severity}
#: Sort key for severities: higher is worse (alphabetical order would put CRITICAL first and LOW in the middle).
SEVERITY_RANK: dict[str, int] = {s.name: i for i, s in enumerate(Severity)}
FINDING_TYPE_LABELS: dict[str, str] = {f.name: f.value for f in FindingType}
FINDING_STATUS_LABELS: dict[str, str] = {f.name: f.value for f in FindingStatus}
NOTIFICATION_TYPE_LABELS: dict[str, str] = {n.name: n.value for n in NotificationType}
TASK_STATUS_LABELS: dict[str, str] = {t.name: t.value for t in TaskStatus}


def label(table: dict[str, str], name: str | None) -> str:
    """The label for ``name``, or the name itself made readable when a newer enum value is unknown here."""
    if not name:
        return ""
    return table.get(name, name.replace("_", " ").capitalize())
