"""Top-level functions the process-pool tests send to workers (they must be importable there)."""

from __future__ import annotations

import os
import time


def square(x: int) -> int:
    return x * x


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def hang(seconds: float) -> int:
    """Stands in for a parser stuck in a pathological file."""
    time.sleep(seconds)
    return os.getpid()


def boom() -> None:
    raise ValueError("bad file")
