"""File checks every extractor shares: readable, not empty, and (for ZIP containers) not a bomb."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from ghostline_desktop.ingest.base import ExtractionError

#: Limits for ZIP containers (DOCX, EPUB), checked from the central directory before anything
#: is inflated: a real book is a few MB unpacked; a bomb declares gigabytes.
MAX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_RATIO = 200
MAX_ENTRIES = 20_000
# Below this size a member's ratio is harmless (a tiny XML of repeated tags compresses well).
_RATIO_MIN_SIZE = 1024 * 1024


def file_size(path: str | Path) -> int:
    """The size, or an author-readable error for a missing/unreadable or zero-byte file."""
    try:
        size = os.stat(path).st_size
    except FileNotFoundError as exc:
        raise ExtractionError("is missing from the library's storage", "corrupt") from exc
    except OSError as exc:
        raise ExtractionError(f"could not be read ({exc.strerror or exc})", "corrupt") from exc
    if size == 0:
        raise ExtractionError("is empty (0 bytes)", "empty")
    return size


def read_bytes(path: str | Path) -> bytes:
    file_size(path)
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise ExtractionError(f"could not be read ({exc.strerror or exc})", "corrupt") from exc


def read_head(path: str | Path, size: int = 16 * 1024) -> bytes:
    file_size(path)
    try:
        with open(path, "rb") as fh:
            return fh.read(size)
    except OSError as exc:
        raise ExtractionError(f"could not be read ({exc.strerror or exc})", "corrupt") from exc


def check_zip(path: str | Path, kind: str) -> list[str]:
    """Refuse a file that is not a ZIP container, or one that would inflate to far more than any
    real document (a zip bomb), before a parser inflates it. Returns the member names."""
    file_size(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ExtractionError(f"is not {kind} (it is not a ZIP container)", "corrupt") from exc
    except (OSError, ValueError, EOFError) as exc:
        raise ExtractionError(f"is not a readable {kind} ({exc})", "corrupt") from exc
    if len(infos) > MAX_ENTRIES:
        raise ExtractionError(
            f"was refused: it claims to be {kind} but holds {len(infos):,} files, which looks like a zip bomb",
            "zip_bomb",
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > _RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ExtractionError(
                f"was refused: a part of it ({info.filename}) would unpack to {info.file_size / 2**20:,.0f} MB "
                f"from {max(info.compress_size, 1) / 2**10:,.0f} KB, which looks like a zip bomb",
                "zip_bomb",
            )
    if total > MAX_UNCOMPRESSED:
        raise ExtractionError(
            f"was refused: it would unpack to {total / 2**20:,.0f} MB, more than the "
            f"{MAX_UNCOMPRESSED // 2**20} MB any real document needs (it looks like a zip bomb)",
            "zip_bomb",
        )
    return [info.filename for info in infos]
