"""Which dropped files and folders GhostLine accepts, and why the others are refused (no widgets here).

The accepted extensions are ingestion's own list (``services.ingestion.KNOWN_SUFFIXES``), so the
window never refuses what the pipeline can read or promises what it cannot. A folder is accepted
as a whole: ingestion walks it and picks the files it knows.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def accepted_suffixes() -> frozenset[str]:
    # Imported on first use, not at module import: ingestion pulls in SQLAlchemy, which the app
    # loads on the service thread during start-up rather than on the GUI thread before the window shows.
    from ghostline_desktop.services.ingestion import KNOWN_SUFFIXES

    return frozenset(KNOWN_SUFFIXES)


def refusal_reason(path: Path) -> str | None:
    """None when ``path`` can be dropped, else a sentence saying why not."""
    if path.is_dir():
        return None
    suffix = path.suffix.lower()
    if suffix not in accepted_suffixes():
        kind = f"'{suffix}' files" if suffix else "files without an extension"
        return f"{kind} are not a supported source type (PDF, Word, EPUB, text, Markdown, HTML, images, audio)"
    return None


def split_drop(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    accepted: list[Path] = []
    refused: list[tuple[Path, str]] = []
    for p in paths:
        reason = refusal_reason(p)
        if reason is None:
            accepted.append(p)
        else:
            refused.append((p, reason))
    return accepted, refused
