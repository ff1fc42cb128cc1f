"""The harness shared by the lexing benchmarks (`screen_speed`, `decl_speed`): the best of
several runs per case, printed, and written as JSON with `--out`."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from training.records import atomic_write_json


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of `runs` calls of `work`, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def run_cases(
    doc: str,
    cases: dict[str, tuple[str, int]],
    measure: Callable[[str], object],
    target: str,
    key: str,
) -> int:
    """Time `measure(text)` for each case `name: (text, runs)`; `--out FILE` writes
    `{key: {name: ms}}`."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    results = {}
    for name, (text, runs) in cases.items():
        results[name] = round(best_of(runs, lambda t=text: measure(t)) * 1e3, 2)  # type: ignore[misc]
        print(f"{name:<28} {results[name]:8.2f} ms  ({len(text) / 1000:.0f} KB, best of {runs})")
    print(f"target: {target}")
    if args.out:
        atomic_write_json(args.out, {key: results})
        print(f"wrote {args.out}")
    return 0
