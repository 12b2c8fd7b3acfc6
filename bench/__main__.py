"""`python -m bench [NAME …]`: run every bench_*.py (or the named ones), write
bench/results/NAME.json, print a table. Exit non-zero only when a bench could not run;
a missed target is reported, not an error (these machines are shared, times drift)."""

from __future__ import annotations

import importlib
import logging
import sys
import traceback
import warnings
from pathlib import Path

from bench.common import Metric, write_result

BENCH_DIR = Path(__file__).resolve().parent


def discover() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:,.1f}"


def print_table(rows: list[tuple[str, Metric]]) -> None:
    header = ("bench", "metric", "value", "unit", "target", "ok", "peer", "peer value", "ratio")
    table = [header]
    for bench, m in rows:
        ok = {True: "yes", False: "NO", None: "-"}[m.meets_target]
        ratio = "-" if m.ratio is None else f"{m.ratio:.2f}x"
        table.append(
            (bench, m.name, _fmt(m.value), m.unit, _fmt(m.target), ok, m.peer_name or "-", _fmt(m.peer_value), ratio)
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print(
            "  ".join(
                cell.rjust(w) if j >= 2 else cell.ljust(w) for j, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if i == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    available = discover()
    names = argv or available
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"unknown bench(es): {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr)
        return 2
    rows: list[tuple[str, Metric]] = []
    failed: list[str] = []
    for name in names:
        print(f"running bench {name} …", flush=True)
        try:
            metrics = importlib.import_module(f"bench.bench_{name}").run()
        except Exception:
            traceback.print_exc()
            failed.append(name)
            continue
        path = write_result(name, metrics)
        print(f"  wrote {path}")
        rows.extend((name, m) for m in metrics)
    print()
    print_table(rows)
    if failed:
        print(f"\nbench(es) that could not run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
