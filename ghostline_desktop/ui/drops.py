"""Which dropped files GhostLine accepts, and why the others are refused (no Qt widgets here)."""

from __future__ import annotations

from pathlib import Path

ACCEPTED_SUFFIXES = frozenset(
    {
        ".pdf", ".docx", ".txt", ".md", ".markdown", ".epub",
        ".png", ".jpg", ".jpeg", ".tif", ".tiff",
        ".mp3", ".wav", ".m4a", ".ogg", ".flac",
    }
)  # fmt: skip
#: Added at once as notes; everything else waits for the ingestion feature.
NOTE_SUFFIXES = frozenset({".txt", ".md", ".markdown"})


def refusal_reason(path: Path) -> str | None:
    """None when ``path`` can be dropped, else a sentence saying why not."""
    if path.is_dir():
        return "folders cannot be added; drop the files inside instead"
    suffix = path.suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        kind = f"'{suffix}' files" if suffix else "files without an extension"
        return f"{kind} are not a supported source type (PDF, Word, EPUB, text, Markdown, images, audio)"
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
