"""Local object store for uploaded and exported files (content-addressed by key)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

LOCAL_BUCKET = "local"


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
