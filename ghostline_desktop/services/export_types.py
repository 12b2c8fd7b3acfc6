"""The export service's plain types (no SQLAlchemy: the export dialog imports them on the GUI
thread at start-up, where the ORM must not load)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ghostline_desktop.errors import ValidationError
from ghostline_desktop.export.model import RenderOptions

REVISION_MODES = ("latest", "approved")
_RANGE_RE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


@dataclass(frozen=True)
class ExportRequest:
    project_id: uuid.UUID
    format: str  # ExportFormat member name: PDF, DOCX, EPUB, MARKDOWN, HTML
    chapter_ids: tuple[uuid.UUID, ...] | None = None  # None: every chapter, in book order
    revision: str = "latest"  # latest | approved
    title: str | None = None  # None: the project's title
    subtitle: str | None = None
    author: str | None = None  # None: the user's display name
    toc: bool = True
    dedication: str | None = None
    copyright: str | None = None
    about_author: str | None = None
    cover_path: str | None = None  # EPUB cover image
    options: RenderOptions = field(default_factory=RenderOptions)
    destination: str | None = None  # also write the file here (the dialog's / CLI's path)
    user_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ExportInfo:
    """One exported_books row, for the history list and the CLI."""

    id: uuid.UUID
    project_id: uuid.UUID
    format: str  # ExportFormat member name
    version: int
    status: str  # ExportStatus member name
    title: str | None
    path: Path | None  # the file in the object store (None until READY)
    link_url: str | None
    file_size: int | None
    word_count: int | None
    error: str | None
    created_at: datetime
    job_id: uuid.UUID | None


@dataclass(frozen=True)
class ExportStarted:
    export_id: uuid.UUID
    job_id: uuid.UUID
    version: int


@dataclass(frozen=True)
class ExportOutcome:
    export: ExportInfo
    destination: Path | None
    chapters: int
    left_out: tuple[str, ...]  # titles of chapters not approved (revision="approved")
    seconds: float


def parse_chapter_range(spec: str, count: int) -> list[int]:
    """ "1-5", "3", "1-3,7,9-10" → 1-based positions (in order, no repeats), checked against ``count``."""
    out: list[int] = []
    for part in (spec or "").split(","):
        mo = _RANGE_RE.match(part)
        if mo is None:
            raise ValidationError(f"'{spec}' is not a chapter range (write e.g. 1-5 or 1-3,7).")
        lo = int(mo.group(1))
        hi = int(mo.group(2) or lo)
        if hi < lo:  # said "Chapters 3-1 do not exist" of a book with five
            raise ValidationError(f"{part.strip()} runs backwards: write {hi}-{lo}.")
        if lo < 1 or hi > count:
            raise ValidationError(f"Chapters {part.strip()} do not exist; the book has {count} chapters.")
        out.extend(n for n in range(lo, hi + 1) if n not in out)
    return out
