"""Shared bench plumbing: metrics, medians, the machine line and the results file.

A bench module is ``bench/bench_NAME.py`` with ``run() -> list[Metric]``; the runner
writes ``bench/results/NAME.json`` in the shape DESIGN.md §5 gives.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
CORPUS_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@dataclass(frozen=True)
class Metric:
    name: str
    value: float
    unit: str = "ms"
    target: float | None = None
    better: str = "lower"
    peer_name: str | None = None
    peer_value: float | None = None

    @property
    def ratio(self) -> float | None:
        """Our value over the peer's: below 1 means we are faster (for ``better == 'lower'``)."""
        if self.peer_value in (None, 0):
            return None
        return self.value / self.peer_value  # type: ignore[operator]

    @property
    def meets_target(self) -> bool | None:
        if self.target is None:
            return None
        return self.value <= self.target if self.better == "lower" else self.value >= self.target

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "value": round(self.value, 2),
            "unit": self.unit,
            "target": self.target,
            "better": self.better,
        }
        if self.peer_name is not None and self.peer_value is not None:
            out["peer"] = {"name": self.peer_name, "value": round(self.peer_value, 2)}
        return out


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.machine()}"


def median_ms(fn: Callable[[], float | None], runs: int) -> float:
    """Median wall time of ``runs`` calls, in ms. ``fn`` may return its own measured ms
    (when it has setup/teardown that must stay outside the timing)."""
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        own = fn()
        samples.append(own if own is not None else (time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def write_result(bench: str, metrics: list[Metric]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{bench}.json"
    doc = {
        "bench": bench,
        "machine": machine(),
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "metrics": {m.name: m.as_json() for m in metrics},
    }
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path


def corpus_words() -> list[str]:
    """Real prose when the shared corpus is present, else a generated stand-in."""
    words: list[str] = []
    if CORPUS_DIR.exists():
        for path in sorted(CORPUS_DIR.glob("*.txt")):
            words.extend(path.read_text(encoding="utf-8", errors="replace").split())
    if not words:
        import random

        rng = random.Random(7)
        vocab = [
            "the",
            "a",
            "whale",
            "sea",
            "captain",
            "ship",
            "night",
            "storm",
            "and",
            "of",
            "to",
            "in",
            "he",
            "she",
            "said",
            "was",
            "had",
        ]
        words = [rng.choice(vocab) for _ in range(300_000)]
    return words
