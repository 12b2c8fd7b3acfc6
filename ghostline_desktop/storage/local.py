"""Local object store for uploaded and exported files (content-addressed by key)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LOCAL_BUCKET = "local"
_BLOCK = 1024 * 1024


class LocalStore:
    """Files under one root dir; keys are relative POSIX paths."""

    bucket = LOCAL_BUCKET

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        target = (self.root / key).resolve()
        if self.root.resolve() not in target.parents:
            raise ValueError(f"Storage key escapes the store: {key!r}")
        return target

    def put_file(self, key: str, source: Path) -> Path:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
        return target

    def put_bytes(self, key: str, data: bytes) -> Path:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        return target

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


@dataclass(frozen=True)
class StoredFile:
    key: str
    sha256: str
    size: int


def blob_key(sha256: str, suffix: str = "") -> str:
    """Content-addressed key: the same bytes imported twice are stored once."""
    return f"blobs/{sha256[:2]}/{sha256}{suffix.lower()}"


def import_file(store: LocalStore, source: Path, *, progress: Callable[[int], None] | None = None) -> StoredFile:
    """Copy ``source`` into the store while hashing it, under its content hash.

    Streams in 1 MiB blocks (a 500 MB file is never held in memory); the copy lands under a
    temporary name and is renamed into place, so a crash mid-copy leaves no half blob behind a
    valid key. ``progress`` gets the bytes copied so far.
    """
    digest = hashlib.sha256()
    tmp_dir = store.root / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, suffix=".part")
    tmp = Path(tmp_name)
    size = 0
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            while block := src.read(_BLOCK):
                digest.update(block)
                out.write(block)
                size += len(block)
                if progress is not None:
                    progress(size)
        key = blob_key(digest.hexdigest(), source.suffix)
        target = store.path(key)
        if target.exists():
            tmp.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        return StoredFile(key, digest.hexdigest(), size)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
